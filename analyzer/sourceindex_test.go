package analyzer

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestChangedModeFindsCallersThroughTheIndex runs the pre-commit path twice
// with the source index: the second run reuses it, and a caller added
// between runs (a file that changed) is found all the same.
func TestChangedModeFindsCallersThroughTheIndex(t *testing.T) {
	t.Setenv("TFGATE_CACHE_DIR", t.TempDir())
	dir := t.TempDir()
	write := func(name, content string) {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("modules/net/main.tf", "variable \"cidr\" {}\n")
	write("envs/dev/main.tf", "module \"net\" {\n  source = \"../../modules/net\"\n  cidr   = \"10.0.0.0/16\"\n}\n")
	write("envs/prod/main.tf", "# no calls yet\n")
	write("unrelated/main.tf", "module \"x\" {\n  source = \"./x\"\n}\n")

	scanned := func() map[string]bool {
		p, err := Load(LoadOptions{WorkDir: dir, Changed: []string{"modules/net/main.tf"}})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]bool{}
		for _, m := range p.Modules {
			if m.Scanned {
				out[m.Dir] = true
			}
		}
		return out
	}
	if got := scanned(); !got["modules/net"] || !got["envs/dev"] || got["envs/prod"] || got["unrelated"] {
		t.Fatalf("first run scanned %v", got)
	}
	// Cached now; a new caller appears (the file's size and time change).
	time.Sleep(10 * time.Millisecond)
	write("envs/prod/main.tf", "module \"network\" {\n  source = \"../../modules/net\"\n  cidr   = \"10.1.0.0/16\"\n}\n")
	if got := scanned(); !got["envs/prod"] || !got["envs/dev"] {
		t.Fatalf("second run scanned %v: the new caller was missed", got)
	}
	// The index was written and is read back.
	ents, _ := os.ReadDir(os.Getenv("TFGATE_CACHE_DIR"))
	if len(ents) != 1 {
		t.Fatalf("cache dir holds %d files, want 1", len(ents))
	}
}
