//go:build !unix

package fsx

import "errors"

// descriptorPath: Windows has no descriptor paths.
func descriptorPath(path string) (int, bool) { return 0, false }

func dupFD(fd int) (int, error) { return 0, errors.New("no descriptor paths here") }
