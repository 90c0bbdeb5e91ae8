package drift

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCrashInARoot: a panic while one root is checked (a bug) fails that
// root with an internal error; the other root is still checked and Run
// returns its outcome, so that tfgate exits 1, never with Go's 2 (drift).
func TestCrashInARoot(t *testing.T) {
	dir := t.TempDir()
	// A terraform that knows its version and fails every command: enough
	// to reach the roots.
	bin := filepath.Join(dir, "bin", "terraform")
	for name, data := range map[string]string{
		"bin/terraform": `#!/bin/sh
case "$1" in
version) echo '{"terraform_version": "1.9.8", "platform": "linux_amd64", "provider_selections": {}, "terraform_outdated": false}' ;;
*) echo "Error: not a real terraform" >&2; exit 1 ;;
esac
`,
		"envs/crash/main.tf": "resource \"null_resource\" \"a\" {}\n",
		"envs/fine/main.tf":  "resource \"null_resource\" \"b\" {}\n",
	} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	defer func() { crashHook = nil }()
	crashHook = func(root string) {
		if root == "envs/crash" {
			panic("nil map")
		}
	}
	_, out, err := Run(context.Background(), Options{Paths: []string{"envs"}, WorkDir: dir, Bin: bin})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]RootSummary{}
	for _, r := range out.Roots {
		got[r.Root] = r
	}
	if r := got["envs/crash"]; r.Status != "error" || !strings.Contains(r.Error, "internal error checking this root (nil map)") {
		t.Errorf("crashed root: %+v", r)
	}
	if r := got["envs/fine"]; r.Status != "error" || !strings.Contains(r.Error, "not a real terraform") {
		t.Errorf("the other root was not checked: %+v", r)
	}
}
