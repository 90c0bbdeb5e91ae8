// Package fsx holds file-system helpers: bounded reads of regular files,
// atomic writes, and the cause of a path error for messages.
package fsx

import (
	"errors"
	"fmt"
	"io/fs"
)

// MaxFileSize is the largest file tfgate reads (16 MiB): larger files are
// reported, not parsed, and file() in expressions is unknown for them.
const MaxFileSize = 16 << 20

// errNotRegular is returned by readRegular for a path that is not a
// regular file (a directory, a FIFO, a device).
var ErrNotRegular = errors.New("not a regular file")

// tooLargeError is returned by readRegular for a file over its limit.
type TooLargeError struct{ size, limit int64 }

func (e TooLargeError) Error() string {
	return fmt.Sprintf("%.1f MB, larger than the %d MiB tfgate reads", float64(e.size)/1e6, e.limit>>20)
}

// cause is the error behind a *fs.PathError (which repeats the path the
// caller's message already names), or err itself.
func Cause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
