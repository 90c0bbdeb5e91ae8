//go:build unix

package eval

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestFileFunctionsConfined: file functions read inside the repository and
// refuse, with a note and an unknown value, every path that leaves it —
// through a committed symbolic link, an absolute path or "..", when the
// working directory is above the repository too — and every target that
// is not a regular file or is too large. Nothing outside is ever read, so
// nothing of it can reach a report.
func TestFileFunctionsConfined(t *testing.T) {
	top := t.TempDir()
	outside := filepath.Join(top, "outside")
	repo := filepath.Join(top, "repo")
	secret := "MY_CI_TOKEN=s3cr3t-value-1234"
	writeTree(t, top, map[string]string{
		"outside/secret.txt":    secret,
		"secret-beside.txt":     secret,
		"repo/.git/HEAD":        "ref: refs/heads/main\n",
		"repo/ok.txt":           "inside\n",
		"repo/tags.yaml":        "team: platform\ncost_center: \"1234\"\n",
		"repo/tmpl/hello.tpl":   "hello ${name}%{ for x in xs } ${x}%{ endfor }",
		"repo/files/a.json":     "{}",
		"repo/files/sub/b.json": "{}",
		"repo/files/c.txt":      "c",
	})
	links := map[string]string{
		"repo/env":            "/proc/self/environ",
		"repo/shadow":         "/etc/shadow",
		"repo/secret":         "../outside/secret.txt",
		"repo/dir":            "../outside",
		"repo/zero":           "/dev/zero",
		"repo/files/leak.txt": "../../outside/secret.txt",
		"repo/dangling":       "../outside/missing.txt",
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(top, name)); err != nil {
			t.Fatal(err)
		}
	}
	if err := syscall.Mkfifo(filepath.Join(repo, "pipe"), 0o644); err != nil {
		t.Fatal(err)
	}
	big, err := os.Create(filepath.Join(repo, "big.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if err := big.Truncate(20 << 20); err != nil {
		t.Fatal(err)
	}
	big.Close()

	env := newExprEnv(t, repo)
	// The repository root is what confines, not the working directory:
	// the evaluator's project works from above the repository.
	env.ev.p.WorkDir = top

	refused := []struct{ expr, note string }{
		{`file("env")`, `"env" resolves outside the repository`},
		{`file("shadow")`, `"shadow" resolves outside the repository`},
		{`file("secret")`, `"secret" resolves outside the repository`},
		{`file("dir/secret.txt")`, `"dir/secret.txt" resolves outside the repository`},
		{`file("../outside/secret.txt")`, `"../outside/secret.txt" resolves outside the repository`},
		{`file("../secret-beside.txt")`, `"../secret-beside.txt" resolves outside the repository`},
		{`file("` + filepath.Join(outside, "secret.txt") + `")`, `resolves outside the repository`},
		{`file("${path.module}/../outside/secret.txt")`, `resolves outside the repository`},
		{`file("/proc/self/environ")`, `"/proc/self/environ" resolves outside the repository`},
		{`filebase64("secret")`, `"secret" resolves outside the repository`},
		{`filesha256("secret")`, `"secret" resolves outside the repository`},
		{`fileexists("secret")`, `"secret" resolves outside the repository`},
		{`fileexists("dangling")`, `"dangling" resolves outside the repository`},
		{`templatefile("secret", {})`, `"secret" resolves outside the repository`},
		{`fileset(path.module, "files/*.txt")`, `resolves outside the repository`},
		{`file("pipe")`, `"pipe" is not a regular file`},
		{`file("zero")`, `"zero" resolves outside the repository`},
		{`file("big.txt")`, `"big.txt" is 21.0 MB, larger than the 16 MiB tfgate reads`},
		{`file("~/.aws/credentials")`, `is in a home directory`},
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for _, c := range refused {
			if v := env.eval(t, c.expr); v.IsKnown() {
				t.Errorf("%s = %#v, want unknown", c.expr, v)
			}
			if !env.noted(c.note) {
				t.Errorf("%s: no note %q in %q", c.expr, c.note, env.notes())
			}
		}
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("a file function hangs")
	}
	for _, n := range env.notes() {
		if strings.Contains(n, "s3cr3t") {
			t.Errorf("a note quotes the secret: %s", n)
		}
	}

	// Inside the repository everything works as in Terraform.
	for _, c := range []struct{ expr, want string }{
		{`file("ok.txt")`, `"inside\n"`},
		{`file("${path.module}/ok.txt")`, `"inside\n"`},
		{`fileexists("ok.txt")`, `true`},
		{`fileexists("nope.txt")`, `false`},
		{`filemd5("ok.txt")`, `"` + digest("md5", false, []byte("inside\n")) + `"`},
		{`filebase64("ok.txt")`, `"aW5zaWRlCg=="`},
		{`fileset(path.module, "files/*.json")`, `["files/a.json"]`},
		{`fileset(path.module, "files/**/*.json")`, `["files/a.json","files/sub/b.json"]`},
		{`fileset("files", "{*.json,c.*}")`, `["a.json","c.txt"]`},
		{`templatefile("tmpl/hello.tpl", {name = "world", xs = ["a", "b"]})`, `"hello world a b"`},
		{`yamldecode(file("tags.yaml"))`, `{"cost_center":"1234","team":"platform"}`},
		{`basename(abspath(path.root))`, `"repo"`},
	} {
		if got := jsonOf(env.eval(t, c.expr)); got != c.want {
			t.Errorf("%s = %s, want %s", c.expr, got, c.want)
		}
	}
}

// TestJSONSyntaxBounded: expressions in .tf.json files are held to the
// same file confinement and function limits.
func TestJSONSyntaxBounded(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"m/main.tf.json": `{"locals": {
  "a": "${file(\"/etc/passwd\")}",
  "b": "${length(setproduct(range(1000), range(1000), range(1000)))}",
  "c": "${upper(file(\"ok.txt\"))}"
}}`,
		"m/ok.txt": "fine",
	})
	_, r := loadTree(t, dir, "m")
	in := instance(t, r, "m", "")
	for _, n := range []string{"a", "b"} {
		if v, _ := in.local(n); v.IsKnown() {
			t.Errorf("local.%s = %#v, want unknown", n, v)
		}
	}
	if v, _ := in.local("c"); !v.IsKnown() || v.AsString() != "FINE" {
		t.Errorf("local.c = %#v", v)
	}
	probs := problemsText(r)
	for _, want := range []string{`file(…): "/etc/passwd" resolves outside the repository`, `setproduct(…) would build more than 1048576 elements`} {
		if !strings.Contains(probs, want) {
			t.Errorf("no note %q in:\n%s", want, probs)
		}
	}
}

// TestTFVarsJSONLiteral: tfvars are literals (Terraform reads them without
// functions or variables): a JSON string that looks like a template stays
// the string it is.
func TestTFVarsJSONLiteral(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"r/main.tf":               "variable \"x\" {}\n",
		"r/terraform.tfvars.json": `{"x": "${upper(\"a\")}"}`,
	})
	_, r := loadTree(t, dir, "r")
	if v := instance(t, r, "r", "").vars["x"].Value; !v.IsKnown() || v.AsString() != `${upper("a")}` {
		t.Errorf("var.x = %#v", v)
	}
	if got := problemsText(r); got != "" {
		t.Errorf("problems:\n%s", got)
	}
}

// TestFileFunctionsConfinedToScannedPath: outside a Git work tree the
// scanned path is the root, even when the working directory is above it.
func TestFileFunctionsConfinedToScannedPath(t *testing.T) {
	top := t.TempDir()
	writeTree(t, top, map[string]string{
		"beside.txt": "MY_CI_TOKEN=beside-secret",
		"stack/main.tf": `locals {
  a = file("../beside.txt")
  b = file("inside.txt")
}
`,
		"stack/inside.txt": "fine",
	})
	_, r := loadTree(t, top, "stack")
	in := instance(t, r, "stack", "")
	if v, _ := in.local("a"); v.IsKnown() {
		t.Errorf("local.a = %#v: read outside the scanned path", v)
	}
	if v, _ := in.local("b"); !v.IsKnown() || v.AsString() != "fine" {
		t.Errorf("local.b = %#v, want \"fine\"", v)
	}
	if got := problemsText(r); !strings.Contains(got, `stack/main.tf:2,7-28: file(…): "../beside.txt" resolves outside the repository; not read, the value is unknown`) {
		t.Errorf("problems:\n%s", got)
	}
}
