package load

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tfgate/tfgate/analyzer/eval"
)

// TestBadInput loads trees with hostile files: each is a clear problem at
// its location, the healthy module beside them is still loaded, and
// nothing panics or hangs.
func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("healthy/main.tf", []byte("variable \"x\" {\n  default = 1\n}\n"))
	write("utf8/main.tf", []byte("variable \"x\" {\n  default = \"caf\xe9\"\n}\n"))
	write("deep/main.tf", []byte("locals {\n  x = "+strings.Repeat("[", 100000)+strings.Repeat("]", 100000)+"\n}\n"))
	write("unary/main.tf", []byte("locals {\n  x = "+strings.Repeat("!", 100000)+"true\n}\n"))
	// 50 MB: sparse, so the test stays cheap.
	big := filepath.Join(dir, "big", "main.tf")
	if err := os.MkdirAll(filepath.Dir(big), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(50 << 20); err != nil {
		t.Fatal(err)
	}
	f.Close()

	p, err := Load(LoadOptions{WorkDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	eval.
		Instantiate(p, eval.Options{})
	want := map[string]string{
		"utf8/main.tf":  "not valid UTF-8",
		"deep/main.tf":  "nesting exceeds 256 levels",
		"unary/main.tf": "nesting exceeds 256 levels",
		"big/main.tf":   "is 52.4 MB, larger than the 16 MiB tfgate reads",
	}
	got := map[string]string{}
	for _, pr := range p.Problems {
		got[pr.Range.Filename] = pr.Message
	}
	for file, msg := range want {
		if !strings.Contains(got[file], msg) {
			t.Errorf("%s: problem %q, want it to contain %q", file, got[file], msg)
		}
	}
	if got["utf8/main.tf"] != "" && !strings.Contains(got["utf8/main.tf"], "not analyzed") {
		t.Errorf("utf8: %q", got["utf8/main.tf"])
	}
	if m := p.Module("healthy"); m == nil || len(m.Variables) != 1 {
		t.Errorf("the healthy module was not loaded beside the bad ones")
	}
	if _, ok := got["healthy/main.tf"]; ok {
		t.Errorf("healthy/main.tf has a problem: %s", got["healthy/main.tf"])
	}
}
