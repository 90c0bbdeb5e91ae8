//go:build unix

package analyzer_test

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tfgate/tfgate/analyzer"
	"github.com/tfgate/tfgate/analyzer/load"
	"github.com/tfgate/tfgate/rules"
)

// TestNamedFilesBounded: the files tfgate reads because a repository names
// them — .tfgate.hcl, a baseline, .terraform/modules/modules.json — are
// read only when they are regular files of bounded size inside the
// repository: a FIFO never hangs the run, a link to /dev/zero never fills
// its memory, a link out of the repository is not followed.
func TestNamedFilesBounded(t *testing.T) {
	top := t.TempDir()
	repo := filepath.Join(top, "repo")
	files := map[string]string{
		"outside/secret.json": `{"MY_CI_TOKEN": "s3cr3t"}`,
		"repo/.git/HEAD":      "ref: refs/heads/main\n",
		"repo/main.tf":        "variable \"x\" {}\n",
		"repo/ok/.tfgate.hcl": "rule \"tags-required\" {\n  enabled = false\n}\n",
	}
	for name, data := range files {
		p := filepath.Join(top, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mk := func(name string) string {
		p := filepath.Join(repo, name)
		if err := os.MkdirAll(p, 0o755); err != nil {
			t.Fatal(err)
		}
		return p
	}
	fifo := func(p string) {
		if err := syscall.Mkfifo(p, 0o644); err != nil {
			t.Skipf("mkfifo: %v", err)
		}
	}
	link := func(target, p string) {
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
	}
	fifo(filepath.Join(mk("fifo"), ".tfgate.hcl"))
	link("/dev/zero", filepath.Join(mk("zero"), ".tfgate.hcl"))
	link("../../outside/secret.json", filepath.Join(mk("out"), ".tfgate.hcl"))
	big, err := os.Create(filepath.Join(mk("big"), ".tfgate.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	if err := big.Truncate(20 << 20); err != nil {
		t.Fatal(err)
	}
	big.Close()
	fifo(filepath.Join(repo, "baseline-fifo.json"))
	link("/dev/zero", filepath.Join(repo, "baseline-zero.json"))
	link("../outside/secret.json", filepath.Join(repo, "baseline-out.json"))

	done := make(chan struct{})
	go func() {
		defer close(done)
		for _, c := range []struct{ dir, want string }{
			{"fifo", "not a regular file"},
			{"zero", "resolves outside the repository"},
			{"out", "resolves outside the repository"},
			{"big", "larger than the 16 MiB tfgate reads"},
		} {
			p := analyzer.FindConfig(repo, c.dir)
			if p == "" {
				t.Errorf("%s: no config found", c.dir)
				continue
			}
			_, err := analyzer.ParseConfig(p, c.dir+"/.tfgate.hcl", rules.All())
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s/.tfgate.hcl: error %v, want %q", c.dir, err, c.want)
			}
			if err != nil && strings.Contains(err.Error(), "s3cr3t") {
				t.Errorf("the error quotes what it should not read: %v", err)
			}
		}
		if _, err := analyzer.ParseConfig(analyzer.FindConfig(repo, "ok"), "ok/.tfgate.hcl", rules.All()); err != nil {
			t.Errorf("a regular config: %v", err)
		}
		for _, c := range []struct{ file, want string }{
			{"baseline-fifo.json", "not a regular file"},
			{"baseline-zero.json", "resolves outside the repository"},
			{"baseline-out.json", "resolves outside the repository"},
		} {
			_, err := analyzer.ReadBaseline(filepath.Join(repo, c.file))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s: error %v, want %q", c.file, err, c.want)
			}
		}
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("reading a named file hangs")
	}
}

// TestModulesManifestBounded: a modules.json that is a FIFO, a link to
// /dev/zero, or that names a directory outside the repository is not
// followed, and the module that calls is still linted.
func TestModulesManifestBounded(t *testing.T) {
	top := t.TempDir()
	repo := filepath.Join(top, "repo")
	call := "module \"vpc\" {\n  source  = \"terraform-aws-modules/vpc/aws\"\n  version = \"5.0.0\"\n}\n"
	for name, data := range map[string]string{
		"repo/.git/HEAD":             "ref: refs/heads/main\n",
		"repo/fifo/main.tf":          call,
		"repo/zero/main.tf":          call,
		"repo/away/main.tf":          call,
		"outside/vpc/main.tf":        "variable \"cidr\" {}\n",
		"repo/away/.terraform/x.txt": "",
		"repo/fifo/.terraform/x.txt": "",
		"repo/zero/.terraform/x.txt": "",
	} {
		p := filepath.Join(top, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []string{"fifo", "zero", "away"} {
		if err := os.MkdirAll(filepath.Join(repo, d, ".terraform", "modules"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := syscall.Mkfifo(filepath.Join(repo, "fifo/.terraform/modules/modules.json"), 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	if err := os.Symlink("/dev/zero", filepath.Join(repo, "zero/.terraform/modules/modules.json")); err != nil {
		t.Fatal(err)
	}
	manifest := `{"Modules": [{"Key": "", "Source": "", "Dir": "."}, {"Key": "vpc", "Source": "registry.terraform.io/terraform-aws-modules/vpc/aws", "Version": "5.0.0", "Dir": "../../../outside/vpc"}]}`
	if err := os.WriteFile(filepath.Join(repo, "away/.terraform/modules/modules.json"), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		p, err := load.Load(load.LoadOptions{WorkDir: repo})
		if err != nil {
			t.Error(err)
			return
		}
		for _, m := range p.Modules {
			if strings.Contains(m.AbsDir, "outside") {
				t.Errorf("followed a manifest out of the repository to %s", m.AbsDir)
			}
		}
		for _, d := range []string{"fifo", "zero", "away"} {
			if p.Module(d) == nil {
				t.Errorf("module %s was not loaded", d)
			}
		}
		// Each refusal is a note at the call, saying why.
		notes := strings.Join(p.Notes, "\n")
		for _, want := range []string{
			`fifo/main.tf:1: module "vpc": fifo/.terraform/modules/modules.json: not a regular file; not read, the installed module is not followed`,
			`zero/main.tf:1: module "vpc": zero/.terraform/modules/modules.json: outside the repository; not read`,
			`away/main.tf:1: module "vpc": away/.terraform/modules/modules.json names "../../../outside/vpc", which resolves outside the repository; not followed`,
		} {
			if !strings.Contains(notes, want) {
				t.Errorf("no note %q in:\n%s", want, notes)
			}
		}
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("reading modules.json hangs")
	}
}
