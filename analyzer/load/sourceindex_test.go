package load

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

// TestSourceIndexRoundTrip encodes and decodes the index: entries come back
// as written, entries the format cannot hold are left out (read on every
// run instead), and a file for another root or format is refused.
func TestSourceIndexRoundTrip(t *testing.T) {
	in := map[string]sourceEntry{
		"envs/dev/main.tf":       {ModTime: 1700000000123456789, Size: 412, Sources: []string{"../../modules/net", "./local"}},
		"modules/net/main.tf":    {ModTime: 1, Size: 20},
		"odd\tname/main.tf":      {ModTime: 2, Size: 3, Sources: []string{"../x"}},
		"envs/odd/main.tf":       {ModTime: 3, Size: 4, Sources: []string{"../a\nb"}},
		"envs/unit/main.tf":      {ModTime: 5, Size: 6, Sources: []string{"../a\x1fb"}},
		"envs/prod/main.tf.json": {ModTime: 7, Size: 8, Sources: []string{"../../modules/net"}},
	}
	data := encodeSourceIndex("/repo", in)
	out, ok := decodeSourceIndex(data, "/repo")
	if !ok {
		t.Fatalf("decode refused its own encoding:\n%s", data)
	}
	for _, k := range []string{"envs/dev/main.tf", "modules/net/main.tf", "envs/prod/main.tf.json"} {
		got, want := out[k], in[k]
		if got.ModTime != want.ModTime || got.Size != want.Size || len(got.Sources) != len(want.Sources) {
			t.Errorf("%s: got %+v, want %+v", k, got, want)
			continue
		}
		for i := range want.Sources {
			if got.Sources[i] != want.Sources[i] {
				t.Errorf("%s: source %d = %q, want %q", k, i, got.Sources[i], want.Sources[i])
			}
		}
	}
	for _, k := range []string{"odd\tname/main.tf", "envs/odd/main.tf", "envs/unit/main.tf"} {
		if _, ok := out[k]; ok {
			t.Errorf("%q was stored although the format cannot hold it", k)
		}
	}
	if len(out) != 3 {
		t.Errorf("decoded %d entries, want 3", len(out))
	}
	if _, ok := decodeSourceIndex(data, "/elsewhere"); ok {
		t.Error("an index for another root was accepted")
	}
	if _, ok := decodeSourceIndex([]byte("tfgate-sources 1\n/repo\n"), "/repo"); ok {
		t.Error("an index of another format version was accepted")
	}
	if _, ok := decodeSourceIndex(append(data, "broken line\n"...), "/repo"); ok {
		t.Error("a damaged index was accepted")
	}
}
