package analyzer

import (
	"errors"
	"fmt"
)

// errNotRegular is returned by readSource for a path that is not a regular
// file (a directory, a FIFO, a device).
var errNotRegular = errors.New("not a regular file")

// tooLargeError is returned by readSource for a file over MaxFileSize.
type tooLargeError struct{ size int64 }

func (e tooLargeError) Error() string {
	return fmt.Sprintf("%s, larger than the %d MiB tfgate reads", humanSize(e.size), MaxFileSize>>20)
}
