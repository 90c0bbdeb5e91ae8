//go:build unix

package fsx

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
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
