//go:build unix

package fsx

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestReadRegularReadsWholeFiles: readRegular returns a file's exact bytes
// for empty, small and multi-read sizes.
func TestReadRegularReadsWholeFiles(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []int{0, 1, 4095, 4096, 4097, 1 << 20} {
		data := []byte(strings.Repeat("x", n))
		p := filepath.Join(dir, "f.tf")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := ReadRegular(p, 16<<20)
		if err != nil || string(got) != string(data) {
			t.Errorf("size %d: got %d bytes, err %v", n, len(got), err)
		}
	}
	if _, err := ReadRegular(filepath.Join(dir, "missing.tf"), 16<<20); !os.IsNotExist(err) {
		t.Errorf("missing file: err %v, want not-exist", err)
	}
}

// TestReadRegularLimits: files over the limit and non-regular files are
// refused with errors that say so.
func TestReadRegularLimits(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "big.tf")
	if err := os.WriteFile(p, make([]byte, 2<<20+1), 0o644); err != nil {
		t.Fatal(err)
	}
	var tl TooLargeError
	if _, err := ReadRegular(p, 2<<20); !errors.As(err, &tl) || err.Error() != "2.1 MB, larger than the 2 MiB tfgate reads" {
		t.Errorf("over the limit: err %v", err)
	}
	if _, err := ReadRegular(dir, 2<<20); !errors.Is(err, ErrNotRegular) {
		t.Errorf("directory: err %v, want errNotRegular", err)
	}
}

// TestReadLinked: a file that is not a link is read; a link is read only
// when its real path is allowed, else ErrOutside; a link to a FIFO that
// is allowed is still refused as not regular.
func TestReadLinked(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in")
	os.MkdirAll(in, 0o755)
	os.WriteFile(filepath.Join(in, "a.tf"), []byte("a"), 0o644)
	os.WriteFile(filepath.Join(dir, "out.tf"), []byte("secret"), 0o644)
	os.Symlink("a.tf", filepath.Join(in, "inside.tf"))
	os.Symlink("../out.tf", filepath.Join(in, "outside.tf"))
	if err := syscall.Mkfifo(filepath.Join(in, "pipe"), 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	os.Symlink("pipe", filepath.Join(in, "pipe.tf"))
	realIn, _ := filepath.EvalSymlinks(in)
	allowed := func(real string) bool { return Within(realIn, real) }
	for name, want := range map[string]string{"a.tf": "a", "inside.tf": "a"} {
		if got, err := ReadLinked(filepath.Join(in, name), MaxFileSize, allowed); err != nil || string(got) != want {
			t.Errorf("%s: %q, %v", name, got, err)
		}
	}
	if got, err := ReadLinked(filepath.Join(in, "outside.tf"), MaxFileSize, allowed); !errors.Is(err, ErrOutside) || got != nil {
		t.Errorf("outside.tf: %q, %v, want ErrOutside", got, err)
	}
	if _, err := ReadLinked(filepath.Join(in, "pipe.tf"), MaxFileSize, allowed); !errors.Is(err, ErrNotRegular) {
		t.Errorf("pipe.tf: %v, want ErrNotRegular", err)
	}
}
