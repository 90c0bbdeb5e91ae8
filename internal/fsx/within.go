package fsx

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Reading what a repository names. A file that tfgate reads because the
// repository under analysis names it (file("...") in an expression, a
// template, a .tfgate.hcl, a baseline, .terraform/modules/modules.json) is
// read only when its real path, every symbolic link resolved, is inside
// the repository root, and only when it is a regular file within the size
// limit: a link committed to the repository cannot make tfgate read
// /proc/self/environ or /etc/shadow into a report, and a FIFO or /dev/zero
// cannot hang it or fill its memory.

// ErrOutside is returned for a path whose real path is not inside the root.
var ErrOutside = errors.New("outside the repository")

// RepoRoot returns the root of the Git work tree holding dir (the nearest
// directory at or above it with a .git directory or file, as `git
// rev-parse --show-toplevel` finds it), or "" when there is none.
func RepoRoot(dir string) string {
	for d := filepath.Clean(dir); ; {
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return ""
		}
		d = parent
	}
}

// RealPath is filepath.EvalSymlinks of an absolute path, or the cleaned
// path itself when it cannot be resolved (it does not exist).
func RealPath(p string) string {
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	return filepath.Clean(p)
}

// Within reports whether path is root or below it, lexically; both are
// absolute and clean.
func Within(root, path string) bool {
	if root == "" {
		return false
	}
	rel, err := filepath.Rel(root, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// Confined resolves path (absolute) to its real path and checks that it
// is inside realRoot, itself a real path (see RealPath). A path that does
// not exist is checked through its nearest existing parent, so that a
// missing file reads as missing, not as outside.
func Confined(realRoot, path string) (string, error) {
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		// The nearest existing parent decides: a dangling link or a
		// missing name under a linked directory is judged by where the
		// link points.
		dir := filepath.Dir(path)
		for {
			rd, derr := filepath.EvalSymlinks(dir)
			if derr == nil {
				if !Within(realRoot, rd) {
					return "", ErrOutside
				}
				break
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				break
			}
			dir = parent
		}
		if l, lerr := os.Lstat(path); lerr == nil && l.Mode()&fs.ModeSymlink != 0 {
			// A dangling link: where it points is not inside (or it
			// would resolve), and reading it would say so anyway.
			if target, rerr := os.Readlink(path); rerr == nil {
				if !filepath.IsAbs(target) {
					target = filepath.Join(filepath.Dir(path), target)
				}
				if !Within(realRoot, filepath.Clean(target)) {
					return "", ErrOutside
				}
			}
		}
		return "", err
	}
	if !Within(realRoot, real) {
		return "", ErrOutside
	}
	return real, nil
}

// ReadWithin reads a regular file of at most limit bytes whose real path
// is inside realRoot. Errors: ErrOutside, ErrNotRegular, TooLargeError, or
// the error of resolving or reading it (a *fs.PathError).
func ReadWithin(realRoot, path string, limit int64) ([]byte, error) {
	real, err := Confined(realRoot, path)
	if err != nil {
		return nil, err
	}
	return ReadRegular(real, limit)
}

// StatWithin stats a path whose real path is inside realRoot, following
// links (they are inside too).
func StatWithin(realRoot, path string) (fs.FileInfo, error) {
	real, err := Confined(realRoot, path)
	if err != nil {
		return nil, err
	}
	return os.Stat(real)
}

// ReadInTree reads a regular file of at most limit bytes that a repository
// names (a configuration, a baseline, a manifest), when its real path stays
// inside the Git work tree that holds it, or else inside its own
// directory: a link committed to the repository cannot make tfgate read
// what lies outside it, and a FIFO or device cannot hang or flood it.
func ReadInTree(path string, limit int64) ([]byte, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	// Missing is missing: its directory may be missing too, and would
	// then not resolve to a root that holds it.
	if _, err := os.Lstat(abs); err != nil {
		return nil, err
	}
	dir := RealPath(filepath.Dir(abs))
	root := RepoRoot(dir)
	if root == "" {
		root = dir
	}
	return ReadWithin(root, abs, limit)
}
