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
	// Operator chains build trees as deep as they are long: 1.4 MB of
	// conditionals and 2.4 MB of additions overflowed the Go stack.
	write("cond/main.tf", []byte("variable \"a\" {}\nlocals {\n  x = "+strings.Repeat("var.a?1:", 180000)+"1\n}\n"))
	write("plus/main.tf", []byte("locals {\n\n\n  x = "+strings.Repeat("1+", 1200000)+"1\n}\n"))
	write("index/main.tf", []byte("locals {\n  x = local.y"+strings.Repeat("[local.k]", 100000)+"\n}\n"))
	write("template/main.tf", []byte("locals {\n  x = \""+strings.Repeat("${\"", 50000)+strings.Repeat("\"}", 50000)+"\"\n}\n"))
	write("directives/main.tf", []byte("locals {\n  x = <<EOT\n"+strings.Repeat("%{if true}", 50000)+strings.Repeat("%{endif}", 50000)+"\nEOT\n}\n"))
	// Not nesting: brackets in strings, dashes in comments and names, long flat lists.
	write("flat/main.tf", []byte("locals {\n  s = \""+strings.Repeat("]", 5000)+strings.Repeat("[", 5000)+"\"\n  # "+strings.Repeat("-", 300)+"\n  /* "+strings.Repeat("((", 3000)+" */\n  l = ["+strings.Repeat("1 + 1, ", 20000)+"1]\n  h = <<EOT\n"+strings.Repeat("-!?[(", 3000)+"\nEOT\n  my-long-name-with-dashes = 1\n}\n"+strings.Repeat("// ------------------------------------------\n", 1000)))
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
		"utf8/main.tf":       "not valid UTF-8",
		"deep/main.tf":       "nesting exceeds 1024 levels",
		"unary/main.tf":      "nesting exceeds 1024 levels",
		"cond/main.tf":       "nesting exceeds 1024 levels",
		"plus/main.tf":       "nesting exceeds 1024 levels",
		"index/main.tf":      "nesting exceeds 1024 levels",
		"template/main.tf":   "nesting exceeds 1024 levels",
		"directives/main.tf": "nesting exceeds 1024 levels",
		"big/main.tf":        "is 52.4 MB, larger than the 16 MiB tfgate reads",
	}
	got := map[string]string{}
	for _, pr := range p.Problems {
		got[pr.Range.Filename] = pr.Message
		// The location is the line of the expression that is too deep.
		wantLine := map[string]int{"cond/main.tf": 3, "plus/main.tf": 4, "index/main.tf": 2}[pr.Range.Filename]
		if wantLine != 0 && pr.Range.Start.Line != wantLine {
			t.Errorf("%s: problem at line %d, want %d", pr.Range.Filename, pr.Range.Start.Line, wantLine)
		}
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
	for _, ok := range []string{"healthy/main.tf", "flat/main.tf"} {
		if msg, bad := got[ok]; bad {
			t.Errorf("%s has a problem: %s", ok, msg)
		}
	}
	if m := p.Module("flat"); m == nil || len(m.Locals) != 4 {
		t.Errorf("flat/main.tf was not parsed")
	}
}
