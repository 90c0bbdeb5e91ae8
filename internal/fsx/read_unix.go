//go:build unix

package fsx

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// readRegular reads a regular file of at most limit bytes with the fewest system calls: open, fstat,
// read, close. os.ReadFile costs two more (os.Open fstats the descriptor to
// decide whether to use the poller, and ReadFile reads again until EOF), and
// on a tree of 10,000 small files system calls are a measurable part of a
// lint. The file is opened non-blocking so that a FIFO named like a
// Terraform file cannot hang the walk; it is refused after fstat.
func ReadRegular(path string, limit int64) ([]byte, error) {
	return readRegular(path, limit, nil)
}

// ReadLinked is ReadRegular for a file that may be a symbolic link: when
// it is one, it is read only if allowed accepts its real path, else the
// error is ErrOutside. A file that is not a link costs nothing more (it is
// opened with O_NOFOLLOW, which fails only on a link).
func ReadLinked(path string, limit int64, allowed func(real string) bool) ([]byte, error) {
	return readRegular(path, limit, allowed)
}

func readRegular(path string, limit int64, allowed func(string) bool) ([]byte, error) {
	var fd int
	var err error
	flags := syscall.O_RDONLY | syscall.O_CLOEXEC | syscall.O_NONBLOCK
	if allowed != nil {
		flags |= syscall.O_NOFOLLOW
	}
	for {
		fd, err = syscall.Open(path, flags, 0)
		if err != syscall.EINTR {
			if allowed != nil && (err == syscall.ELOOP || err == syscall.EMLINK) {
				// A link (EMLINK on FreeBSD): follow it only to where it
				// may point.
				real, rerr := filepath.EvalSymlinks(path)
				if rerr != nil {
					return nil, rerr
				}
				if !allowed(real) {
					return nil, ErrOutside
				}
				flags &^= syscall.O_NOFOLLOW
				allowed = nil
				continue
			}
			break
		}
	}
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	defer syscall.Close(fd)
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		return nil, &fs.PathError{Op: "stat", Path: path, Err: err}
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		return nil, ErrNotRegular
	}
	if st.Size > limit {
		return nil, TooLargeError{st.Size, limit}
	}
	// One byte more than the size, so a file that grew since fstat is
	// noticed and read to its end.
	buf := make([]byte, 0, st.Size+1)
	for {
		if len(buf) == cap(buf) {
			if int64(len(buf)) > limit {
				return nil, TooLargeError{int64(len(buf)), limit}
			}
			buf = append(buf, 0)[:len(buf)]
		}
		want := cap(buf) - len(buf)
		n, err := syscall.Read(fd, buf[len(buf):cap(buf)])
		if err == syscall.EINTR || err == syscall.EAGAIN {
			continue
		}
		if err != nil {
			return nil, &fs.PathError{Op: "read", Path: path, Err: err}
		}
		if n <= 0 {
			return buf, nil
		}
		buf = buf[:len(buf)+n]
		// A short read of a regular file that reaches the size fstat gave
		// is its end; anything else reads on until read returns 0.
		if n < want && int64(len(buf)) == st.Size {
			return buf, nil
		}
	}
}

// ReadPrefix reads at most n bytes from the start of a regular file,
// opened non-blocking like ReadRegular, so that a FIFO cannot hang it.
func ReadPrefix(path string, n int64) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, ErrNotRegular
	}
	return io.ReadAll(io.LimitReader(f, n))
}
