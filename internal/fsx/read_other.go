//go:build !unix

package fsx

import (
	"io"
	"os"
	"path/filepath"
)

// ReadRegular reads a file, refusing non-regular files and files over
// limit bytes.
func ReadRegular(path string, limit int64) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, ErrNotRegular
	}
	if st.Size() > limit {
		return nil, TooLargeError{st.Size(), limit}
	}
	return os.ReadFile(path)
}

// ReadLinked is ReadRegular for a file that may be a symbolic link: when
// it is one, it is read only if allowed accepts its real path, else the
// error is ErrOutside.
func ReadLinked(path string, limit int64, allowed func(real string) bool) ([]byte, error) {
	if l, err := os.Lstat(path); err == nil && l.Mode()&os.ModeSymlink != 0 {
		real, err := filepath.EvalSymlinks(path)
		if err != nil {
			return nil, err
		}
		if !allowed(real) {
			return nil, ErrOutside
		}
	}
	return ReadRegular(path, limit)
}

// ReadPrefix reads at most n bytes from the start of a regular file.
func ReadPrefix(path string, n int64) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, ErrNotRegular
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, n))
}
