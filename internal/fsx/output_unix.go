//go:build unix

package fsx

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// descriptorPath reports whether path names one of this process's file
// descriptors: /dev/stdin, /dev/stdout, /dev/stderr, /dev/fd/N,
// /proc/self/fd/N, /proc/thread-self/fd/N or /proc/PID/fd/N with this
// process's PID.
func descriptorPath(path string) (int, bool) {
	switch path {
	case "/dev/stdin":
		return 0, true
	case "/dev/stdout":
		return 1, true
	case "/dev/stderr":
		return 2, true
	}
	var rest string
	switch {
	case strings.HasPrefix(path, "/dev/fd/"):
		rest = strings.TrimPrefix(path, "/dev/fd/")
	case strings.HasPrefix(path, "/proc/"):
		p := strings.TrimPrefix(path, "/proc/")
		who, r, ok := strings.Cut(p, "/fd/")
		if !ok || (who != "self" && who != "thread-self" && who != strconv.Itoa(os.Getpid())) {
			return 0, false
		}
		rest = r
	default:
		return 0, false
	}
	fd, err := strconv.Atoi(rest)
	if err != nil || fd < 0 || strconv.Itoa(fd) != rest {
		return 0, false
	}
	return fd, true
}

// dupFD duplicates a descriptor, close-on-exec (under ForkLock, as the os
// package does, so that no command started meanwhile inherits it).
func dupFD(fd int) (int, error) {
	syscall.ForkLock.RLock()
	defer syscall.ForkLock.RUnlock()
	d, err := syscall.Dup(fd)
	if err != nil {
		return 0, fmt.Errorf("descriptor %d: %w", fd, err)
	}
	syscall.CloseOnExec(d)
	return d, nil
}
