//go:build !unix

package fsx

import (
	"io"
	"os"
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
