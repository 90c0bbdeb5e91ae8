//go:build unix

package load

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestFIFONamedLikeTerraform: a named pipe called main.tf (or a link to
// one) would block a plain open until a writer comes; it is reported as
// not a regular file, and the module beside it is still loaded.
func TestFIFONamedLikeTerraform(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []string{"pipe", "link", "healthy"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe", "main.tf"), 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	if err := os.Symlink("../pipe/main.tf", filepath.Join(dir, "link", "main.tf")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "healthy", "main.tf"), []byte("variable \"x\" {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A README that is a FIFO (read for the module's kind) cannot hang it.
	if err := syscall.Mkfifo(filepath.Join(dir, "healthy", "README.md"), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := Load(LoadOptions{WorkDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, pr := range p.Problems {
		got[pr.Range.Filename] = pr.Message
	}
	for _, f := range []string{"pipe/main.tf", "link/main.tf"} {
		if !strings.Contains(got[f], "is not a regular file") {
			t.Errorf("%s: problem %q, want \"is not a regular file\"", f, got[f])
		}
	}
	if m := p.Module("healthy"); m == nil || len(m.Variables) != 1 {
		t.Errorf("the healthy module was not loaded beside the pipes")
	}
}
