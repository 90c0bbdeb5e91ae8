package fsx

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
)

// WriteOutput writes data where a user pointed an output (--output,
// --format FORMAT=FILE, --summary, --write-baseline):
//
//   - a path that is, or leads through symlinks to, something other than a
//     regular file — a character or block device (/dev/null, a terminal),
//     a FIFO, a socket — is written through, never replaced (replacing
//     /dev/null with a regular file breaks the machine);
//   - a descriptor path (/dev/stdout, /dev/stderr, /dev/fd/N,
//     /proc/self/fd/N) is written to that descriptor, even when it is a
//     regular file (a shell redirection: replacing the file would detach
//     the descriptor from it);
//   - a symlink is followed, and the regular file it leads to is replaced
//     atomically (a dangling symlink's target is created), so the link
//     stays a link;
//   - otherwise the file is replaced atomically (see WriteFileAtomic).
//
// Callers handle "-" (stdout) themselves.
func WriteOutput(path string, data []byte) error {
	t, err := resolveOutput(path)
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	switch t.kind {
	case outRegular:
		return WriteFileAtomic(t.path, data)
	case outDescriptor:
		return writeDescriptor(path, t.fd, data)
	case outSocket:
		return writeSocket(path, t.path, data)
	}
	// A device or a FIFO: written through. Opening a FIFO waits for its
	// reader, as a shell redirection does.
	f, err := os.OpenFile(t.path, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, Cause(err))
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, Cause(err))
	}
	return nil
}

type outKind int

const (
	outRegular    outKind = iota // a regular file, or none yet: replaced atomically
	outSpecial                   // a device or a FIFO: written through
	outSocket                    // a Unix socket: connected to
	outDescriptor                // one of this process's descriptors
)

type outTarget struct {
	kind outKind
	path string // the file at the end of the symlinks
	fd   int    // for outDescriptor
}

// resolveOutput follows path's symlinks one at a time (each relative link
// against the real directory of the link) to what it finally names.
func resolveOutput(path string) (outTarget, error) {
	cur := filepath.Clean(path)
	for hops := 0; hops <= 40; hops++ {
		if fd, ok := descriptorPath(cur); ok {
			return outTarget{kind: outDescriptor, path: cur, fd: fd}, nil
		}
		st, err := os.Lstat(cur)
		if errors.Is(err, fs.ErrNotExist) {
			return outTarget{kind: outRegular, path: cur}, nil
		}
		if err != nil {
			return outTarget{}, Cause(err)
		}
		m := st.Mode()
		switch {
		case m&fs.ModeSymlink != 0:
			link, err := os.Readlink(cur)
			if err != nil {
				return outTarget{}, Cause(err)
			}
			if !filepath.IsAbs(link) {
				dir, err := filepath.EvalSymlinks(filepath.Dir(cur))
				if err != nil {
					return outTarget{}, Cause(err)
				}
				link = filepath.Join(dir, link)
			}
			cur = filepath.Clean(link)
		case m.IsRegular():
			return outTarget{kind: outRegular, path: cur}, nil
		case m.IsDir():
			return outTarget{}, errors.New("it is a directory")
		case m&fs.ModeSocket != 0:
			return outTarget{kind: outSocket, path: cur}, nil
		default:
			return outTarget{kind: outSpecial, path: cur}, nil
		}
	}
	return outTarget{}, errors.New("too many levels of symbolic links")
}

// writeSocket sends data to a Unix socket: a stream one, else a datagram
// one.
func writeSocket(name, path string, data []byte) error {
	c, err := net.Dial("unix", path)
	if err != nil {
		c, err = net.Dial("unixgram", path)
	}
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", name, err)
	}
	_, err = c.Write(data)
	if cerr := c.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", name, err)
	}
	return nil
}

// writeDescriptor writes data to one of this process's descriptors,
// leaving it open.
func writeDescriptor(name string, fd int, data []byte) error {
	var f *os.File
	switch fd {
	case 1:
		f = os.Stdout
	case 2:
		f = os.Stderr
	default:
		// A duplicate, closed after the write: the descriptor itself is
		// not ours to close.
		d, err := dupFD(fd)
		if err != nil {
			return fmt.Errorf("cannot write %s: %w", name, err)
		}
		f = os.NewFile(uintptr(d), name)
		defer f.Close()
	}
	if _, err := f.Write(data); err != nil {
		return fmt.Errorf("cannot write %s: %w", name, Cause(err))
	}
	return nil
}
