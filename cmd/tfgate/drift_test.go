package main

// End-to-end tests of `tfgate drift` against a real OpenTofu (and
// Terraform 1.5.7 when built) and the demo provider of fixtures/provider,
// both built offline by .ci/toolchain.sh. ./test.sh exports
// TFGATE_E2E_TOFU and TF_CLI_CONFIG_FILE; without TFGATE_E2E_TOFU they are
// skipped, saying so.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-exec/tfexec"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/tfgate/tfgate/analyzer/report"
)

type tfBin struct{ name, path string }

// e2eBinaries returns the CLIs to test with: OpenTofu always, Terraform
// when TFGATE_E2E_TERRAFORM is set (or a terraform binary sits beside
// tofu in the toolchain).
func e2eBinaries(t *testing.T) []tfBin {
	t.Helper()
	tofu := os.Getenv("TFGATE_E2E_TOFU")
	if tofu == "" {
		t.Skip("TFGATE_E2E_TOFU not set: run ./test.sh to build OpenTofu and the demo provider (.ci/toolchain.sh) and run the drift end-to-end tests")
	}
	if _, err := os.Stat(tofu); err != nil {
		t.Skipf("TFGATE_E2E_TOFU=%s is absent: run ./.ci/toolchain.sh (or ./test.sh) to build it", tofu)
	}
	cfg := os.Getenv("TF_CLI_CONFIG_FILE")
	if cfg == "" {
		t.Fatal("TF_CLI_CONFIG_FILE is not set: point it at the cli.tfrc that .ci/toolchain.sh writes (test.sh does)")
	}
	if _, err := os.Stat(cfg); err != nil {
		t.Fatalf("TF_CLI_CONFIG_FILE=%s does not exist: run ./.ci/toolchain.sh", cfg)
	}
	bins := []tfBin{{"tofu", tofu}}
	tf := os.Getenv("TFGATE_E2E_TERRAFORM")
	if tf == "" {
		if c := filepath.Join(filepath.Dir(tofu), "terraform"); fileExists(c) {
			tf = c
		}
	}
	switch {
	case tf == "":
		t.Log("TFGATE_E2E_TERRAFORM not set: testing with OpenTofu only")
	case !fileExists(tf):
		t.Logf("TFGATE_E2E_TERRAFORM=%s is absent: testing with OpenTofu only", tf)
	default:
		bins = append(bins, tfBin{"terraform", tf})
	}
	return bins
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// terraform returns a terraform-exec handle for setting up fixtures.
func terraform(t *testing.T, dir, bin string) *tfexec.Terraform {
	t.Helper()
	tf, err := tfexec.NewTerraform(dir, bin)
	if err != nil {
		t.Fatal(err)
	}
	if err := tf.SetEnv(cliEnv()); err != nil {
		t.Fatal(err)
	}
	return tf
}

// cliEnv is this process's environment without the variables
// terraform-exec refuses to pass (TF_LOG, TF_VAR_…), and with the
// version check off.
func cliEnv() map[string]string {
	env := map[string]string{}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	env = tfexec.CleanEnv(env)
	env["CHECKPOINT_DISABLE"] = "1"
	return env
}

// copyDir copies a fixture tree.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// applyBasic copies fixtures/drift/basic to dir, inits and applies it.
func applyBasic(t *testing.T, bin, dir string) *tfexec.Terraform {
	t.Helper()
	copyDir(t, "../../fixtures/drift/basic", dir)
	tf := terraform(t, dir, bin)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := tf.Init(ctx, tfexec.Upgrade(false)); err != nil {
		t.Fatalf("init: %v", err)
	}
	if err := tf.Apply(ctx, tfexec.Var("content=hello")); err != nil {
		t.Fatalf("apply: %v", err)
	}
	return tf
}

type cliResult struct {
	code           int
	stdout, stderr string
}

// tfgate runs the CLI in-process in dir.
func tfgate(t *testing.T, dir string, args ...string) cliResult {
	t.Helper()
	t.Chdir(dir)
	var out, errb bytes.Buffer
	code := run(args, strings.NewReader(""), &out, &errb)
	return cliResult{code, out.String(), errb.String()}
}

// lineOf is the 1-based line of the first line of a file containing s.
func lineOf(t *testing.T, file, s string) int {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range strings.Split(string(data), "\n") {
		if strings.Contains(l, s) {
			return i + 1
		}
	}
	t.Fatalf("%s has no line with %q", file, s)
	return 0
}

// editObject changes fields of a demo object's JSON file.
func editObject(t *testing.T, file string, change func(map[string]any)) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	change(doc)
	data, _ = json.Marshal(doc)
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

type summaryFile struct {
	Shard      string `json:"shard"`
	RootsFound int    `json:"roots_found"`
	Roots      []struct {
		Root             string  `json:"root"`
		Workspace        string  `json:"workspace"`
		Status           string  `json:"status"`
		DurationSeconds  float64 `json:"duration_seconds"`
		ResourcesChecked int     `json:"resources_checked"`
		Drifted          int     `json:"drifted"`
		Ignored          int     `json:"ignored"`
		Error            string  `json:"error"`
	} `json:"roots"`
}

func readSummary(t *testing.T, file string) summaryFile {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var s summaryFile
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return s
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// validateSchema validates a report file against a JSON Schema.
func validateSchema(t *testing.T, schema []byte, name, file string) {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schema))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	url := "file:///" + name
	if err := c.AddResource(url, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(url)
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(readFile(t, file)))
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	if err := sch.Validate(inst); err != nil {
		t.Errorf("%s does not validate against %s: %v", filepath.Base(file), name, err)
	}
}

// leftovers lists the plan directories tfgate left in a temporary directory.
func leftovers(t *testing.T, tmp string) []string {
	t.Helper()
	ents, _ := os.ReadDir(tmp)
	var out []string
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), "tfgate-drift-") {
			out = append(out, e.Name())
		}
	}
	return out
}

// TestDriftEndToEnd: no drift → 0; objects edited, deleted and changed in a
// sensitive attribute → 2 with addresses, attribute names and the right
// file:line; secrets never printed; state byte-identical; no plan file
// left behind. With OpenTofu and, when built, Terraform.
func TestDriftEndToEnd(t *testing.T) {
	for _, b := range e2eBinaries(t) {
		t.Run(b.name, func(t *testing.T) {
			sarifSchema, err := os.ReadFile("../../analyzer/report/testdata/sarif-schema-2.1.0.json")
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			tmp := t.TempDir()
			applyBasic(t, b.path, dir)
			t.Setenv("TMPDIR", tmp)
			t.Setenv("TF_VAR_content", "hello")
			t.Setenv("TF_VAR_not_declared", "ignored") // must not become a -var
			state := readFile(t, filepath.Join(dir, "terraform.tfstate"))

			r := tfgate(t, dir, "drift", "--terraform-bin", b.path, "--format", "compact", "--summary", "clean.json", ".")
			if r.code != exitOK || r.stdout != "" {
				t.Fatalf("no drift: exit %d, stdout %q, stderr:\n%s", r.code, r.stdout, r.stderr)
			}
			s := readSummary(t, filepath.Join(dir, "clean.json"))
			if len(s.Roots) != 1 || s.Roots[0].Status != "ok" || s.Roots[0].ResourcesChecked != 4 || s.Roots[0].Workspace != "default" {
				t.Fatalf("no drift: summary %+v", s)
			}
			if !strings.Contains(r.stderr, ".: no drift in 4 resources") {
				t.Errorf("no per-root line on stderr:\n%s", r.stderr)
			}

			// Out-of-band changes.
			objects := filepath.Join(dir, "objects")
			editObject(t, filepath.Join(objects, "app.json"), func(d map[string]any) {
				d["content"] = "edited out of band"
				d["secret"] = "NEW-s3cret-value-42"
				d["tags"] = map[string]any{"env": "dev", "team": "sre"}
			})
			editObject(t, filepath.Join(objects, "scaled.json"), func(d map[string]any) { d["content"] = "5" })
			editObject(t, filepath.Join(objects, "store.json"), func(d map[string]any) { d["content"] = "changed" })
			if err := os.Remove(filepath.Join(objects, "scratch.json")); err != nil {
				t.Fatal(err)
			}

			r = tfgate(t, dir, "drift", "--terraform-bin", b.path, "--format", "compact",
				"--format", "json=drift.json", "--format", "sarif=drift.sarif", "--format", "markdown=drift.md",
				"--format", "text=drift.txt", "--summary", "drift-summary.json", ".")
			if r.code != exitFindings {
				t.Fatalf("drift: exit %d, want 2\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
			}
			mainTF := filepath.Join(dir, "main.tf")
			want := []string{
				fmt.Sprintf("main.tf:%d:1: error[drift-detected] `demo_object.app` changed outside Terraform in workspace \"default\": content (\"hello\" → \"edited out of band\"), secret, tags ({\"env\":\"dev\",\"team\":\"platform\"} → {\"env\":\"dev\",\"team\":\"sre\"}); the next apply reverts it: put the change in the code, or, if another system owns it, add an `ignore` entry to the `drift` block of .tfgate.hcl",
					lineOf(t, mainTF, `resource "demo_object" "app"`)),
				fmt.Sprintf("main.tf:%d:1: error[drift-detected] `demo_object.scratch` was deleted outside Terraform in workspace \"default\"; the next apply recreates it: remove its block if it should stay deleted",
					lineOf(t, mainTF, `resource "demo_object" "scratch"`)),
				fmt.Sprintf("modules/store/main.tf:%d:1: error[drift-detected] `module.store.demo_object.data` changed outside Terraform in workspace \"default\": content (\"stored\" → \"changed\"); the next apply reverts it: put the change in the code, or, if another system owns it, add an `ignore` entry to the `drift` block of .tfgate.hcl (via module.store in .)",
					lineOf(t, filepath.Join(dir, "modules/store/main.tf"), `resource "demo_object" "data"`)),
			}
			got := strings.Split(strings.TrimSpace(r.stdout), "\n")
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("compact output:\n%s\nwant:\n%s", r.stdout, strings.Join(want, "\n"))
			}

			// The lifecycle-ignored drift is reported as suppressed, not counted.
			var rep struct {
				Findings []struct {
					Address, Attribute, Message string
					Suppressed                  *struct{ Kind, Justification string }
				}
			}
			if err := json.Unmarshal([]byte(readFile(t, filepath.Join(dir, "drift.json"))), &rep); err != nil {
				t.Fatal(err)
			}
			var scaled, app bool
			for _, f := range rep.Findings {
				switch f.Address {
				case "default:demo_object.scaled":
					scaled = f.Suppressed != nil && f.Suppressed.Justification == "listed in lifecycle.ignore_changes" && f.Attribute == "content"
				case "default:demo_object.app":
					app = f.Attribute == "content,secret,tags" && f.Suppressed == nil
				}
			}
			if !scaled || !app {
				t.Errorf("json findings (scaled suppressed by lifecycle: %v, app attributes: %v):\n%s", scaled, app, readFile(t, filepath.Join(dir, "drift.json")))
			}
			var sarif struct {
				Runs []struct {
					AutomationDetails struct{ ID string } `json:"automationDetails"`
					Results           []json.RawMessage
				}
			}
			if err := json.Unmarshal([]byte(readFile(t, filepath.Join(dir, "drift.sarif"))), &sarif); err != nil {
				t.Fatal(err)
			}
			// The lifecycle-ignored drift is left out: code scanning would open an alert for it.
			if len(sarif.Runs) != 1 || sarif.Runs[0].AutomationDetails.ID != "tfgate/drift/" || len(sarif.Runs[0].Results) != 3 {
				t.Errorf("sarif: %d runs, category %q, %d results, want tfgate/drift/ and 3 results", len(sarif.Runs), sarif.Runs[0].AutomationDetails.ID, len(sarif.Runs[0].Results))
			}
			validateSchema(t, report.JSONSchema, "tfgate-report.schema.json", filepath.Join(dir, "drift.json"))
			validateSchema(t, sarifSchema, "sarif-schema-2.1.0.json", filepath.Join(dir, "drift.sarif"))
			s = readSummary(t, filepath.Join(dir, "drift-summary.json"))
			if len(s.Roots) != 1 || s.Roots[0].Status != "drift" || s.Roots[0].Drifted != 3 || s.Roots[0].Ignored != 1 || s.Roots[0].ResourcesChecked != 4 {
				t.Errorf("summary: %+v", s.Roots)
			}
			md := readFile(t, filepath.Join(dir, "drift.md"))
			if !strings.Contains(md, "`demo_object.scratch` was deleted outside Terraform") || !strings.Contains(md, "| `.` | `default` | ❌ drift | 4 | 3 | 1 |") {
				t.Errorf("markdown report:\n%s", md)
			}

			// Secrets never appear, in any output.
			all := r.stdout + r.stderr
			for _, f := range []string{"drift.json", "drift.sarif", "drift.md", "drift.txt", "drift-summary.json"} {
				all += readFile(t, filepath.Join(dir, f))
			}
			for _, secret := range []string{"s3cret-original-value", "NEW-s3cret-value-42"} {
				if strings.Contains(all, secret) {
					t.Errorf("the sensitive value %q was printed", secret)
				}
			}

			// Read-only: the state is byte-identical, no lock or plan is left.
			if got := readFile(t, filepath.Join(dir, "terraform.tfstate")); got != state {
				t.Error("terraform.tfstate changed")
			}
			for _, f := range []string{"terraform.tfstate.backup", ".terraform.tfstate.lock.info"} {
				if fileExists(filepath.Join(dir, f)) {
					t.Errorf("%s was written", f)
				}
			}
			if l := leftovers(t, tmp); len(l) > 0 {
				t.Errorf("temporary plan directories left behind: %v", l)
			}
		})
	}
}

// TestDriftBrokenRootAndIgnores: a root that cannot be initialised beside a
// healthy drifting one → exit 1, both reported; drift ignores from
// .tfgate.hcl, one of them expired.
func TestDriftBrokenRootAndIgnores(t *testing.T) {
	bin := e2eBinaries(t)[0].path
	dir := t.TempDir()
	healthy := filepath.Join(dir, "healthy")
	applyBasic(t, bin, healthy)
	broken := filepath.Join(dir, "broken")
	if err := os.MkdirAll(broken, 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(broken, "main.tf"), []byte("provider \"demo\" {\n  root_dir = \"objects\"\n\nresource \"demo_object\" \"x\" {\n"), 0o644)
	os.WriteFile(filepath.Join(dir, ".tfgate.hcl"), []byte(`drift {
  ignore "demo_object.app.tags" {
    reason = "tags are managed by the tagging service"
  }
  ignore "module.store.**" {
    reason  = "migration in progress"
    expires = "2020-01-31"
  }
}
`), 0o644)
	t.Setenv("TF_VAR_content", "hello")
	editObject(t, filepath.Join(healthy, "objects", "app.json"), func(d map[string]any) {
		d["content"] = "edited"
		d["tags"] = map[string]any{"env": "prod"}
	})
	editObject(t, filepath.Join(healthy, "objects", "store.json"), func(d map[string]any) { d["content"] = "changed" })
	// An inline ignore comment covers the deletion of scratch.
	mainTF := filepath.Join(healthy, "main.tf")
	src := readFile(t, mainTF)
	src = strings.Replace(src, `resource "demo_object" "scratch" {`, "# tfgate:ignore drift-detected recreated by the nightly seed job\nresource \"demo_object\" \"scratch\" {", 1)
	os.WriteFile(mainTF, []byte(src), 0o644)
	os.Remove(filepath.Join(healthy, "objects", "scratch.json"))

	r := tfgate(t, dir, "drift", "--terraform-bin", bin, "--init", "--parallel", "2", "--format", "compact", "--summary", "s.json", ".")
	if r.code != exitError {
		t.Fatalf("exit %d, want 1\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	if !regexp.MustCompile(`(?m)^tfgate: error: drift check of broken failed: init: `).MatchString(r.stderr) {
		t.Errorf("the broken root's error is not on stderr:\n%s", r.stderr)
	}
	wantApp := "healthy/main.tf:" + strconv.Itoa(lineOf(t, filepath.Join(healthy, "main.tf"), `resource "demo_object" "app"`)) +
		":1: error[drift-detected] `demo_object.app` changed outside Terraform in workspace \"default\": content (\"hello\" → \"edited\"); expected drift not counted: tags; the next apply reverts it: put the change in the code, or, if another system owns it, add an `ignore` entry to the `drift` block of .tfgate.hcl\n"
	if !strings.Contains(r.stdout, wantApp) {
		t.Errorf("healthy root's drift missing:\n%s\nwant line:\n%s", r.stdout, wantApp)
	}
	if !strings.Contains(r.stdout, "`module.store.demo_object.data` changed outside Terraform in workspace \"default\": content (\"stored\" → \"changed\"); the next apply reverts it: put the change in the code, or, if another system owns it, add an `ignore` entry to the `drift` block of .tfgate.hcl (the drift ignore \"module.store.**\" at .tfgate.hcl:5 expired on 2020-01-31) (via module.store in healthy)") {
		t.Errorf("expired ignore not reported on the finding:\n%s", r.stdout)
	}
	s := readSummary(t, filepath.Join(dir, "s.json"))
	status := map[string]string{}
	for _, root := range s.Roots {
		status[root.Root] = root.Status
		if root.Root == "broken" && !strings.Contains(root.Error, "init") {
			t.Errorf("broken root's error: %q", root.Error)
		}
	}
	if status["broken"] != "error" || status["healthy"] != "drift" || len(s.Roots) != 2 {
		t.Errorf("summary: %+v", s.Roots)
	}

	// The same with the json format: the expired ignore is a warning.
	r = tfgate(t, dir, "drift", "--terraform-bin", bin, "--format", "json", "-q", "healthy")
	if r.code != exitFindings {
		t.Fatalf("healthy alone: exit %d\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, `drift ignore \"module.store.**\" (.tfgate.hcl:5) expired on 2020-01-31`) {
		t.Errorf("no warning for the expired ignore:\n%s", r.stdout)
	}
	if !regexp.MustCompile(`(?s)"address": "default:demo_object.scratch",.*?"suppressed": \{\s*"kind": "inSource",\s*"justification": "recreated by the nightly seed job"`).MatchString(r.stdout) {
		t.Errorf("the inline ignore does not suppress scratch's deletion:\n%s", r.stdout)
	}
	if out := tfgate(t, dir, "drift", "--terraform-bin", bin, "--format", "compact", "-q", "healthy").stdout; strings.Contains(out, "scratch") || !strings.Contains(out, "demo_object.app") {
		t.Errorf("compact output should hold the app's drift and not the ignored deletion:\n%s", out)
	}
}

// TestDriftShards: --shard K/N over a fleet checks every root exactly once.
func TestDriftShards(t *testing.T) {
	bin := e2eBinaries(t)[0].path
	dir := t.TempDir()
	var all []string
	for i := 0; i < 9; i++ {
		root := fmt.Sprintf("team-%d/stack", i)
		all = append(all, root)
		os.MkdirAll(filepath.Join(dir, root), 0o755)
		os.WriteFile(filepath.Join(dir, root, "main.tf"), []byte("output \"n\" {\n  value = "+strconv.Itoa(i)+"\n}\n"), 0o644)
	}
	sort.Strings(all)
	const n = 3
	seen := map[string]int{}
	for k := 1; k <= n; k++ {
		shard := fmt.Sprintf("%d/%d", k, n)
		summary := fmt.Sprintf("shard-%d.json", k)
		r := tfgate(t, dir, "drift", "--terraform-bin", bin, "--shard", shard, "--format", "sarif=s.sarif", "--summary", summary, ".")
		if r.code != exitOK {
			t.Fatalf("shard %s: exit %d\n%s", shard, r.code, r.stderr)
		}
		if !strings.Contains(readFile(t, filepath.Join(dir, "s.sarif")), fmt.Sprintf(`"id": "tfgate/drift/shard-%d/"`, k)) {
			t.Errorf("shard %s: SARIF category is not tfgate/drift/shard-%d/", shard, k)
		}
		s := readSummary(t, filepath.Join(dir, summary))
		if s.Shard != shard || s.RootsFound != len(all) {
			t.Errorf("shard %s: summary says shard %q, %d roots found", shard, s.Shard, s.RootsFound)
		}
		var roots []string
		for _, root := range s.Roots {
			seen[root.Root]++
			roots = append(roots, root.Root)
			if root.Status != "ok" {
				t.Errorf("shard %s: %s: %s %s", shard, root.Root, root.Status, root.Error)
			}
		}
		list := tfgate(t, dir, "drift", "--list-roots", "--shard", shard, ".")
		if got := strings.Fields(list.stdout); strings.Join(got, " ") != strings.Join(roots, " ") {
			t.Errorf("shard %s: --list-roots says %v, the run checked %v", shard, got, roots)
		}
	}
	for _, root := range all {
		if seen[root] != 1 {
			t.Errorf("%s checked %d times over the %d shards, want once", root, seen[root], n)
		}
	}
	if len(seen) != len(all) {
		t.Errorf("shards checked %d roots, want %d", len(seen), len(all))
	}
}

// TestDriftTimeout: a provider that hangs in Read; --timeout stops
// terraform and kills its providers, leaving no process and an unchanged
// state.
func TestDriftTimeout(t *testing.T) {
	bin := e2eBinaries(t)[0].path
	dir := t.TempDir()
	applyBasic(t, bin, dir)
	state := readFile(t, filepath.Join(dir, "terraform.tfstate"))
	t.Setenv("TF_VAR_content", "hello")
	t.Setenv("DEMO_READ_SLEEP", "300s")
	start := time.Now()
	r := tfgate(t, dir, "drift", "--terraform-bin", bin, "--timeout", "3s", "--grace", "1s", "--summary", "s.json", ".")
	elapsed := time.Since(start)
	if r.code != exitError {
		t.Fatalf("exit %d, want 1\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "timed out after 3s") {
		t.Errorf("stderr does not say it timed out:\n%s", r.stderr)
	}
	if elapsed > 30*time.Second {
		t.Errorf("took %s with --timeout 3s --grace 1s", elapsed)
	}
	s := readSummary(t, filepath.Join(dir, "s.json"))
	if len(s.Roots) != 1 || s.Roots[0].Status != "error" || !strings.Contains(s.Roots[0].Error, "timed out") {
		t.Errorf("summary: %+v", s.Roots)
	}
	// Nothing left running in the root: no terraform, no provider.
	real, _ := filepath.EvalSymlinks(dir)
	deadline := time.Now().Add(5 * time.Second)
	for {
		left := processesIn(real)
		if len(left) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("processes left running in the root after the timeout: %v", left)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if got := readFile(t, filepath.Join(dir, "terraform.tfstate")); got != state {
		t.Error("terraform.tfstate changed")
	}
}

// processesIn lists the live processes whose working directory is dir.
func processesIn(dir string) []string {
	ents, _ := os.ReadDir("/proc")
	var out []string
	for _, e := range ents {
		if pid, err := strconv.Atoi(e.Name()); err != nil || pid == os.Getpid() {
			continue
		}
		cwd, err := os.Readlink("/proc/" + e.Name() + "/cwd")
		if err != nil || (cwd != dir && !strings.HasPrefix(cwd, dir+"/")) {
			continue
		}
		cmd, _ := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		out = append(out, e.Name()+" "+strings.ReplaceAll(string(cmd), "\x00", " "))
	}
	return out
}

// TestDriftWorkspace: --workspace selects an existing workspace (and
// selects the previous one again); a missing one is an error and is never
// created. A missing TF_VAR_ for a required variable is the root's error.
func TestDriftWorkspace(t *testing.T) {
	bin := e2eBinaries(t)[0].path
	dir := t.TempDir()
	tf := applyBasic(t, bin, dir)
	os.MkdirAll(filepath.Join(dir, "vars"), 0o755)
	ctx := context.Background()
	if err := tf.WorkspaceNew(ctx, "staging"); err != nil {
		t.Fatal(err)
	}
	if err := tf.Apply(ctx, tfexec.Var("content=hello")); err != nil {
		t.Fatal(err)
	}
	if err := tf.WorkspaceSelect(ctx, "default"); err != nil {
		t.Fatal(err)
	}
	editObject(t, filepath.Join(dir, "objects", "app.json"), func(d map[string]any) { d["content"] = "edited" })

	t.Setenv("TF_VAR_content", "hello")
	r := tfgate(t, dir, "drift", "--terraform-bin", bin, "--workspace", "staging", "--format", "json", ".")
	if r.code != exitFindings {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, `"address": "staging:demo_object.app"`) || !strings.Contains(r.stdout, `in workspace \"staging\"`) {
		t.Errorf("finding does not name the workspace:\n%s", r.stdout)
	}
	if ws, err := tf.WorkspaceShow(ctx); err != nil || ws != "default" {
		t.Errorf("selected workspace after the run: %q, %v; want default again", ws, err)
	}

	r = tfgate(t, dir, "drift", "--terraform-bin", bin, "--workspace", "nope", ".")
	if r.code != exitError || !strings.Contains(r.stderr, "workspace select nope") {
		t.Errorf("missing workspace: exit %d\n%s", r.code, r.stderr)
	}
	if fileExists(filepath.Join(dir, "terraform.tfstate.d", "nope")) {
		t.Error("the missing workspace was created")
	}

	os.Unsetenv("TF_VAR_content")
	r = tfgate(t, dir, "drift", "--terraform-bin", bin, ".")
	if r.code != exitError || !strings.Contains(r.stderr, `"content"`) {
		t.Errorf("without TF_VAR_content: exit %d, want 1 naming the variable\n%s", r.code, r.stderr)
	}
	r = tfgate(t, dir, "drift", "--terraform-bin", bin, "--var", "content=hello", ".")
	if r.code != exitFindings {
		t.Errorf("with --var content=hello: exit %d, want 2\n%s", r.code, r.stderr)
	}
	os.WriteFile(filepath.Join(dir, "vars", "prod.tfvars"), []byte("content = \"hello\"\n"), 0o644)
	r = tfgate(t, dir, "drift", "--terraform-bin", bin, "--var-file", "vars/prod.tfvars", ".")
	if r.code != exitFindings {
		t.Errorf("with --var-file: exit %d, want 2\n%s", r.code, r.stderr)
	}
}

// TestDriftRedactsCommandLine: a --var value (here a credential-shaped
// one) given to drift reaches terraform but no report: not the SARIF
// commandLine, not any format, not the summary, not the terminal.
func TestDriftRedactsCommandLine(t *testing.T) {
	const secret = "tfgate-FAKE-drift-s3cr3t-77d1"
	for _, b := range e2eBinaries(t) {
		t.Run(b.name, func(t *testing.T) {
			dir := t.TempDir()
			t.Setenv("TMPDIR", t.TempDir())
			applyBasic(t, b.path, dir)
			editObject(t, filepath.Join(dir, "objects", "app.json"), func(d map[string]any) { d["content"] = "edited out of band" })
			args := []string{"drift", "--terraform-bin", b.path, "--var=content=" + secret,
				"--format", "text", "--summary", "summary.json"}
			var outs []string
			for _, f := range []string{"compact", "json", "sarif", "markdown", "junit", "checkstyle", "gitlab", "github"} {
				args = append(args, "--format", f+"="+f+".out")
				outs = append(outs, f+".out")
			}
			r := tfgate(t, dir, append(args, ".")...)
			if r.code != exitFindings {
				t.Fatalf("exit %d, want 2 (drift); stderr:\n%s", r.code, r.stderr)
			}
			if strings.Contains(r.stdout, secret) || strings.Contains(r.stderr, secret) {
				t.Errorf("the --var value reached the terminal:\n%s\n%s", r.stdout, r.stderr)
			}
			for _, name := range append(outs, "summary.json") {
				if strings.Contains(readFile(t, filepath.Join(dir, name)), secret) {
					t.Errorf("%s holds the --var value", name)
				}
			}
			if s := readFile(t, filepath.Join(dir, "sarif.out")); !strings.Contains(s, `--var=content=<redacted>`) {
				t.Errorf("SARIF commandLine does not show the redacted --var flags:\n%s", s)
			}
		})
	}
}
