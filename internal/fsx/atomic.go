package fsx

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// WriteFileAtomic writes data to the regular file path (or creates it)
// through a temporary file in the same directory and a rename, so readers
// never see a half-written file. An existing file keeps its permissions; a
// new one gets 0644. It replaces whatever path names: for a path a user
// gave, use WriteOutput, which respects symlinks and special files.
func WriteFileAtomic(path string, data []byte) error {
	mode := fs.FileMode(0o644)
	if st, err := os.Stat(path); err == nil && st.Mode().IsRegular() {
		mode = st.Mode().Perm()
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		if errors.Is(err, fs.ErrPermission) {
			return fmt.Errorf("cannot write %s: the directory %s is not writable (tfgate writes a temporary file beside the target and renames it over, so that a report is never half-written)", path, dir)
		}
		return fmt.Errorf("cannot write %s: %w", path, Cause(err))
	}
	name := tmp.Name()
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(name, mode)
	}
	if err == nil {
		err = os.Rename(name, path)
	}
	if err != nil {
		os.Remove(name)
		return fmt.Errorf("cannot write %s: %w", path, Cause(err))
	}
	return nil
}
