//go:build unix

package analyzer

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
		got, err := readRegular(p, 16<<20)
		if err != nil || string(got) != string(data) {
			t.Errorf("size %d: got %d bytes, err %v", n, len(got), err)
		}
	}
	if _, err := readRegular(filepath.Join(dir, "missing.tf"), 16<<20); !os.IsNotExist(err) {
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
	var tl tooLargeError
	if _, err := readRegular(p, 2<<20); !errors.As(err, &tl) || err.Error() != "2.1 MB, larger than the 2 MiB tfgate reads" {
		t.Errorf("over the limit: err %v", err)
	}
	if _, err := readRegular(dir, 2<<20); !errors.Is(err, errNotRegular) {
		t.Errorf("directory: err %v, want errNotRegular", err)
	}
}
