package load

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// TestCrashInAFile: a panic while one file is analyzed (a bug) becomes a
// problem at that file, which is left out; the other files of its module
// and the other modules are loaded, and Load returns.
func TestCrashInAFile(t *testing.T) {
	dir := t.TempDir()
	for name, data := range map[string]string{
		"app/main.tf":      "variable \"a\" {}\n",
		"app/crash.tf":     "variable \"b\" {}\n",
		"other/main.tf":    "variable \"c\" {}\n",
		"other/outputs.tf": "output \"c\" {\n  value = var.c\n}\n",
	} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	defer func() { crashHook = nil }()
	crashHook = func(abs string) {
		if filepath.Base(abs) == "crash.tf" {
			panic("index out of range [3] with length 3")
		}
	}
	p, err := Load(LoadOptions{WorkDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, pr := range p.Problems {
		got = append(got, fmt.Sprintf("%s:%d: %s", pr.Range.Filename, pr.Range.Start.Line, pr.Message))
	}
	want := "app/crash.tf:1: internal error analyzing app/crash.tf (index out of range [3] with length 3); not analyzed. Please report it"
	if len(got) != 1 || got[0] != want {
		t.Errorf("problems %q, want [%q]", got, want)
	}
	if m := p.Module("app"); m == nil || len(m.Variables) != 1 || m.Variables[0].Labels[0] != "a" {
		t.Errorf("app: the file beside the crash was not loaded")
	}
	if m := p.Module("other"); m == nil || len(m.Variables) != 1 || len(m.Outputs) != 1 {
		t.Errorf("other: not loaded")
	}
}
