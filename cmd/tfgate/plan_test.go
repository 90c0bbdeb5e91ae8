package main

// Tests of `tfgate plan` and `tfgate lint --plan`: the plan fixtures of
// every plan format version terraform-json reads (goldens), and real plans
// made by OpenTofu (and Terraform 1.5.7 when built) through terraform-exec.
// The testscript scenarios in fixtures/script/plan-*.txtar cover the CLI's
// messages and exit codes.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-exec/tfexec"
	tfjson "github.com/hashicorp/terraform-json"
	"github.com/rogpeppe/go-internal/txtar"

	"github.com/tfgate/tfgate/analyzer/monorepo"
)

// TestPlanFormatVersions runs `tfgate plan` and `tfgate lint DIR --plan` on
// a plan of every format version (fixtures/plans/format-versions/<v>/) and
// compares the output with plan.golden and lint.golden there (-u rewrites
// them).
func TestPlanFormatVersions(t *testing.T) {
	dirs, _ := filepath.Glob("../../fixtures/plans/format-versions/*")
	seen := map[string]bool{}
	for _, dir := range dirs {
		abs, _ := filepath.Abs(dir)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(abs, "plan.json"))
			if err != nil {
				t.Fatal(err)
			}
			var probe struct {
				FormatVersion string `json:"format_version"`
			}
			if err := json.Unmarshal(data, &probe); err != nil || probe.FormatVersion != filepath.Base(dir) {
				t.Fatalf("plan.json has format_version %q, want %q (the directory name)", probe.FormatVersion, filepath.Base(dir))
			}
			seen[probe.FormatVersion] = true
			for _, c := range []struct {
				golden string
				dir    string // where tfgate runs
				args   []string
			}{
				// The plan alone, away from its configuration: findings
				// point into the plan JSON.
				{"plan.golden", filepath.Dir(abs), []string{"plan", "--format", "compact", filepath.Base(abs) + "/plan.json"}},
				{"lint.golden", abs, []string{"lint", "--format", "compact", "--only-family", "tags,secrets,plan", ".", "--plan", "plan.json"}},
			} {
				t.Chdir(c.dir)
				var stdout, stderr bytes.Buffer
				code := run(c.args, strings.NewReader(""), &stdout, &stderr)
				got := fmt.Sprintf("$ tfgate %s\n%s%s[exit %d]\n", strings.Join(c.args, " "), stdout.String(), stderr.String(), code)
				planGolden(t, filepath.Join(abs, c.golden), got)
			}
		})
	}
	// terraform-json reads ">= 0.1, < 2.0"; these are the versions
	// Terraform has written.
	for _, v := range []string{"0.1", "0.2", "1.0", "1.1", "1.2"} {
		if !seen[v] {
			t.Errorf("no fixture for plan format version %s in fixtures/plans/format-versions", v)
		}
	}
}

// TestPlanBadInputs pins the exit code of every bad input of
// fixtures/script/plan-bad-input.txtar (which pins the messages): 1, a tool
// error, never 2 (findings) or 0, for `tfgate plan` and `tfgate lint
// --plan`.
func TestPlanBadInputs(t *testing.T) {
	ar, err := txtar.ParseFile("../../fixtures/script/plan-bad-input.txtar")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, f := range ar.Files {
		if err := os.WriteFile(filepath.Join(dir, f.Name), f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	t.Setenv("TFGATE_TERRAFORM_BIN", "does-not-exist")
	n := 0
	for _, f := range append(ar.Files, txtar.File{Name: "nothere.json"}) {
		if f.Name == "main.tf" {
			continue
		}
		n++
		for _, args := range [][]string{{"plan", f.Name}, {"lint", ".", "--plan", f.Name}} {
			var stdout, stderr bytes.Buffer
			code := run(args, strings.NewReader(""), &stdout, &stderr)
			if code != exitError || stderr.Len() == 0 || stdout.Len() != 0 {
				t.Errorf("tfgate %s: exit %d, want %d with a message on stderr only\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, exitError, stdout.String(), stderr.String())
			}
		}
	}
	if n < 12 {
		t.Errorf("only %d bad inputs in plan-bad-input.txtar", n)
	}
}

func planGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/tfgate -run TestPlanFormatVersions -u)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (run with -u to update):\n--- got\n%s--- want\n%s", filepath.Base(path), got, want)
	}
}

// planE2EBinaries returns the Terraform-compatible CLIs built by
// .ci/toolchain.sh: OpenTofu, and Terraform 1.5.7 when it sits beside it.
func planE2EBinaries(t *testing.T) map[string]string {
	t.Helper()
	tofu := os.Getenv("TFGATE_E2E_TOFU")
	if tofu == "" {
		t.Skip("TFGATE_E2E_TOFU not set: run ./test.sh to build OpenTofu and the providers (.ci/toolchain.sh) and run the plan end-to-end tests")
	}
	if _, err := os.Stat(tofu); err != nil {
		t.Skipf("TFGATE_E2E_TOFU=%s is absent: run ./.ci/toolchain.sh (or ./test.sh) to build it", tofu)
	}
	cfg := os.Getenv("TF_CLI_CONFIG_FILE")
	if _, err := os.Stat(cfg); cfg == "" || err != nil {
		t.Fatalf("TF_CLI_CONFIG_FILE=%q does not exist: point it at the cli.tfrc that .ci/toolchain.sh writes (test.sh does)", cfg)
	}
	bins := map[string]string{"tofu": tofu}
	tf := os.Getenv("TFGATE_E2E_TERRAFORM")
	if tf == "" {
		tf = filepath.Join(filepath.Dir(tofu), "terraform")
	}
	if _, err := os.Stat(tf); err == nil {
		bins["terraform"] = tf
	}
	return bins
}

// planCopyTree copies a fixture directory.
func planCopyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

type planE2EFinding struct {
	Rule     string `json:"rule"`
	Severity string `json:"severity"`
	Message  string `json:"message"`
	File     string `json:"file"`
	Start    struct {
		Line int `json:"line"`
	} `json:"start"`
	Source string `json:"source"`
	Secret bool   `json:"secret"`
}

// planRunJSON runs the CLI with --format json and returns the findings of
// the plan-aware rules as "file:line severity[rule] message" lines.
func planRunJSON(t *testing.T, stdin string, args ...string) ([]string, int, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(append(args, "--format", "json"), strings.NewReader(stdin), &stdout, &stderr)
	var rep struct {
		Findings []planE2EFinding `json:"findings"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("tfgate %s: exit %d, output is not JSON: %v\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, err, stdout.String(), stderr.String())
	}
	var out []string
	for _, f := range rep.Findings {
		switch f.Rule {
		case "plan-destructive-change", "secret-not-sensitive", "tags-required", "autoscaling-bounds":
		default:
			continue
		}
		out = append(out, fmt.Sprintf("%s:%d %s[%s] %s", f.File, f.Start.Line, f.Severity, f.Rule, f.Message))
	}
	sort.Strings(out)
	return out, code, stderr.String()
}

// TestPlanE2E applies fixtures/plans/e2e with release v1, plans release v2
// with a real CLI and checks what tfgate reports on that plan: through the
// binary planfile with the configuration (findings at .tf lines), and
// through `terraform show -json` output alone (findings in the plan JSON,
// naming addresses), from a file and from stdin.
func TestPlanE2E(t *testing.T) {
	for name, bin := range planE2EBinaries(t) {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			planCopyTree(t, "../../fixtures/plans/e2e", dir)
			tf := terraform(t, dir, bin)
			ctx := context.Background()
			const password = "Xk9mP2vLq8wZr4Tb"
			vars := func(release string) []string {
				return []string{"release=" + release, "db_password=" + password, "api_token=tok-4f9c2b7e1a8d3c6f"}
			}
			if err := tf.Init(ctx, tfexec.Upgrade(false)); err != nil {
				t.Fatal(err)
			}
			var applyOpts []tfexec.ApplyOption
			for _, v := range vars("v1") {
				applyOpts = append(applyOpts, tfexec.Var(v))
			}
			if err := tf.Apply(ctx, applyOpts...); err != nil {
				t.Fatal(err)
			}
			planOpts := []tfexec.PlanOption{tfexec.Out("plan.bin")}
			for _, v := range vars("v2") {
				planOpts = append(planOpts, tfexec.Var(v))
			}
			if changes, err := tf.Plan(ctx, planOpts...); err != nil || !changes {
				t.Fatalf("plan: changes=%v, err=%v", changes, err)
			}
			if _, err := tf.ShowPlanFile(ctx, "plan.bin"); err != nil {
				t.Fatalf("show -json plan.bin: %v", err)
			}
			out := writePlanJSON(t, bin, dir)
			raw := string(out)
			var parsed tfjson.Plan
			if err := json.Unmarshal(out, &parsed); err != nil || parsed.Validate() != nil {
				t.Fatalf("show -json: %v %v", err, parsed.Validate())
			}
			t.Chdir(dir)

			// With the configuration, from the binary planfile: every
			// finding at its source line; the static findings on db_password
			// and db_url are replaced by the plan's.
			got, code, stderr := planRunJSON(t, "", "lint", ".", "--plan", "plan.bin", "--terraform-bin", bin)
			at := func(file, header string) string {
				data, err := os.ReadFile(filepath.Join(dir, file))
				if err != nil {
					t.Fatal(err)
				}
				i := strings.Index(string(data), header)
				if i < 0 {
					t.Fatalf("%s has no %s", file, header)
				}
				return fmt.Sprintf("%s:%d", file, strings.Count(string(data[:i]), "\n")+1)
			}
			want := []string{
				at("main.tf", `variable "db_password"`) + ` warning[secret-not-sensitive] ^` + "`var.db_password`" + `: its value is a password \(under the name ` + "`db_password`" + `, not a placeholder or a reference\) but the variable is not marked ` + "`sensitive = true`" + `; add ` + "`sensitive = true`" + ` to it \(values from the plan\)$`,
				at("main.tf", `resource "demo_object" "config"`) + ` warning[plan-destructive-change] ^` + "`demo_object.config`" + `: would be replaced \(forced by ` + "`name`" + `\)` + destructiveFix("demo_object") + ` \(values from the plan\)$`,
				at("main.tf", `resource "demo_object" "shard"`) + ` warning[plan-destructive-change] ^` + "`demo_object.shard\\[\"a\"\\]`" + `: would be replaced \(forced by ` + "`name`" + `\)` + destructiveFix("demo_object"),
				at("main.tf", `resource "demo_object" "shard"`) + ` warning[plan-destructive-change] ^` + "`demo_object.shard\\[\"b\"\\]`" + `: would be replaced \(forced by ` + "`name`" + `\)` + destructiveFix("demo_object"),
				at("main.tf", `resource "demo_object" "replica"`) + ` warning[plan-destructive-change] ^` + "`demo_object.replica\\[0\\]`" + `: would be replaced \(forced by ` + "`name`" + `\)` + destructiveFix("demo_object"),
				at("main.tf", `resource "demo_object" "replica"`) + ` warning[plan-destructive-change] ^` + "`demo_object.replica\\[1\\]`" + `: would be replaced \(forced by ` + "`name`" + `\)` + destructiveFix("demo_object"),
				at("main.tf", `output "db_url"`) + ` warning[secret-not-sensitive] ^` + "`output.db_url`" + `: its value is a URL with a password \(recognised by its shape\) but the output is not marked ` + "`sensitive = true`" + `; add ` + "`sensitive = true`" + ` to it`,
				at("modules/store/main.tf", `resource "demo_object" "data"`) + ` warning[plan-destructive-change] ^` + "`module.store.demo_object.data`" + `: would be replaced \(forced by ` + "`name`" + `\)` + destructiveFix("demo_object") + ` \(values from the plan\) \(via module.store in .\)$`,
			}
			planMatch(t, "lint --plan plan.bin", got, want)
			if code != exitFindings {
				t.Errorf("lint --plan plan.bin: exit %d, want %d; stderr: %s", code, exitFindings, stderr)
			}

			// --strict: destroying or replacing a stateful resource is an error.
			got, _, _ = planRunJSON(t, "", "lint", ".", "--plan", "plan.json", "--strict", "--only-family", "plan")
			if len(got) != 6 || !strings.Contains(got[0], " error[plan-destructive-change] ") {
				t.Errorf("lint --strict: want 6 destructive changes as errors, got:\n%s", strings.Join(got, "\n"))
			}

			// `tfgate plan` in the root's directory (or --chdir'ed there):
			// the same findings at the same source lines, from the JSON,
			// from stdin and from the binary planfile.
			for _, args := range [][]string{{"plan", "plan.json"}, {"plan", "-"}, {"plan", "plan.bin", "--terraform-bin", bin}} {
				got, code, stderr := planRunJSON(t, raw, args...)
				planMatch(t, "tfgate "+strings.Join(args, " "), got, want)
				if code != exitFindings {
					t.Errorf("tfgate %s: exit %d; stderr: %s", strings.Join(args, " "), code, stderr)
				}
			}

			// The plan alone, away from the configuration, as `terraform
			// show -json` writes it (one line): each finding names the plan
			// file without a position (never column 1,565 of line 1) and
			// the resource by its address; the password never appears.
			if err := os.Mkdir(filepath.Join(dir, "elsewhere"), 0o755); err != nil {
				t.Fatal(err)
			}
			t.Chdir(filepath.Join(dir, "elsewhere"))
			got, _, _ = planRunJSON(t, "", "plan", "--chdir", "..", "plan.bin", "--terraform-bin", bin)
			planMatch(t, "tfgate plan --chdir .. plan.bin", got, want)
			t.Chdir(filepath.Join(dir, "elsewhere")) // --chdir moved the process
			// The binary planfile away from its initialized directory: the
			// CLI cannot read it there; an error that says where to run,
			// never a finding inside the planfile.
			var binOut, binErr bytes.Buffer
			if code := run([]string{"plan", "../plan.bin", "--terraform-bin", bin, "--format", "json"}, strings.NewReader(""), &binOut, &binErr); code != exitError ||
				binOut.Len() != 0 || !strings.Contains(binErr.String(), "cannot convert binary planfile ../plan.bin: ") ||
				!strings.Contains(binErr.String(), "A binary planfile is read in the initialized directory it was planned in: run tfgate there or give --chdir DIR") {
				t.Errorf("tfgate plan ../plan.bin from elsewhere: exit %d\nstdout: %s\nstderr: %s", code, binOut.String(), binErr.String())
			}
			for _, args := range [][]string{{"plan", "../plan.json"}, {"plan", "-"}} {
				got, code, stderr := planRunJSON(t, raw, args...)
				file := "../plan.json"
				if args[1] == "-" {
					file = "<stdin>"
				}
				wantPlan := []string{
					file + `:0 warning[plan-destructive-change] ^` + "`demo_object.config`" + `: would be replaced \(forced by ` + "`name`" + `\)` + destructiveFix("demo_object"),
					file + `:0 warning[plan-destructive-change] ^` + "`demo_object.replica\\[0\\]`",
					file + `:0 warning[plan-destructive-change] ^` + "`demo_object.replica\\[1\\]`",
					file + `:0 warning[plan-destructive-change] ^` + "`demo_object.shard\\[\"a\"\\]`",
					file + `:0 warning[plan-destructive-change] ^` + "`demo_object.shard\\[\"b\"\\]`",
					file + `:0 warning[plan-destructive-change] ^` + "`module.store.demo_object.data`",
					file + `:0 warning[secret-not-sensitive] ^` + "`output.db_url`",
					file + `:0 warning[secret-not-sensitive] ^` + "`var.db_password`",
				}
				planMatch(t, "tfgate "+strings.Join(args, " "), got, wantPlan)
				if code != exitFindings {
					t.Errorf("tfgate %s: exit %d; stderr: %s", strings.Join(args, " "), code, stderr)
				}
			}
			// SARIF: the address is each result's logical location, and no
			// region points into the one-line JSON.
			var sarifOut, sarifErr bytes.Buffer
			run([]string{"plan", "../plan.json", "--format", "sarif"}, strings.NewReader(""), &sarifOut, &sarifErr)
			var log struct {
				Runs []struct {
					Results []struct {
						Locations []struct {
							PhysicalLocation *struct {
								ArtifactLocation struct{ URI string } `json:"artifactLocation"`
								Region           *struct{}            `json:"region"`
							} `json:"physicalLocation"`
							LogicalLocations []struct {
								FullyQualifiedName string `json:"fullyQualifiedName"`
							} `json:"logicalLocations"`
						} `json:"locations"`
					} `json:"results"`
				} `json:"runs"`
			}
			if err := json.Unmarshal(sarifOut.Bytes(), &log); err != nil || len(log.Runs) != 1 || len(log.Runs[0].Results) == 0 {
				t.Fatalf("tfgate plan --format sarif: %v\n%s%s", err, sarifOut.String(), sarifErr.String())
			}
			for _, r := range log.Runs[0].Results {
				l := r.Locations[0]
				if len(l.LogicalLocations) != 1 || l.LogicalLocations[0].FullyQualifiedName == "" {
					t.Errorf("SARIF result without the address as its logical location: %+v", l)
				}
				if l.PhysicalLocation != nil && l.PhysicalLocation.Region != nil {
					t.Errorf("SARIF result points into the one-line plan JSON: %+v", l.PhysicalLocation)
				}
			}
			t.Chdir(dir)
			var stdout, stderr2 bytes.Buffer
			run([]string{"plan", "plan.json"}, strings.NewReader(""), &stdout, &stderr2)
			if strings.Contains(stdout.String()+stderr2.String(), password) {
				t.Errorf("tfgate plan printed the password:\n%s", stdout.String())
			}
		})
	}
}

// TestPlanSupersedesStatic plans fixtures/plans/supersede with a real CLI,
// with -var supplying the tags that the variable's default lacks and
// -target leaving one resource out, and checks that tfgate lint --plan
// drops the static tag error the plan disproves, reports the confirmed one
// from the plan, and keeps the finding on the resource the plan does not
// contain.
func TestPlanSupersedesStatic(t *testing.T) {
	for name, bin := range planE2EBinaries(t) {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			planCopyTree(t, "../../fixtures/plans/supersede", dir)
			tf := terraform(t, dir, bin)
			ctx := context.Background()
			if err := tf.Init(ctx, tfexec.Upgrade(false)); err != nil {
				t.Fatal(err)
			}
			_, err := tf.Plan(ctx, tfexec.Out("plan.bin"),
				tfexec.Var(`tags={team="platform",environment="prod",project="shop"}`),
				tfexec.Target("aws_s3_bucket.logs"), tfexec.Target("aws_s3_bucket.assets"))
			if err != nil {
				t.Fatalf("plan: %v", err)
			}
			writePlanJSON(t, bin, dir)
			t.Chdir(dir)
			at := func(header string) string {
				data, err := os.ReadFile(filepath.Join(dir, "main.tf"))
				if err != nil {
					t.Fatal(err)
				}
				i := strings.Index(string(data), header)
				if i < 0 {
					t.Fatalf("main.tf has no %s", header)
				}
				return fmt.Sprintf("main.tf:%d", strings.Count(string(data[:i]), "\n")+1)
			}
			// Statically, all three lack tags.
			got, _, _ := planRunJSON(t, "", "lint", ".", "--only-family", "tags")
			planMatch(t, "lint (static)", got, []string{
				at(`resource "aws_s3_bucket" "logs"`) + " error[tags-required] ^`aws_s3_bucket.logs` lacks tags `environment`, `project`",
				at(`resource "aws_s3_bucket" "assets"`) + " error[tags-required] ^`aws_s3_bucket.assets` lacks tags `environment`, `project`",
				at(`resource "aws_s3_bucket" "archive"`) + " error[tags-required] ^`aws_s3_bucket.archive` lacks tags `environment`, `project`",
			})
			// With the plan (JSON or binary planfile): logs is disproved,
			// assets confirmed by the plan, archive not in the plan.
			for _, plan := range []string{"plan.json", "plan.bin"} {
				got, code, stderr := planRunJSON(t, "", "lint", ".", "--only-family", "tags", "--plan", plan, "--terraform-bin", bin)
				planMatch(t, "lint --plan "+plan, got, []string{
					at(`resource "aws_s3_bucket" "assets"`) + " error[tags-required] ^`aws_s3_bucket.assets`: lacks tags `environment`, `project` .*\\(values from the plan\\)$",
					at(`resource "aws_s3_bucket" "archive"`) + " error[tags-required] ^`aws_s3_bucket.archive` lacks tags `environment`, `project` \\(effective tags: resource tags from default of var.tags \\(main.tf:\\d+\\); provider `aws` has no default_tags\\); tfgate's default keys, .*$",
				})
				if code != exitFindings {
					t.Errorf("lint --plan %s: exit %d; stderr: %s", plan, code, stderr)
				}
			}

			// With environments, the plan supersedes the static findings of
			// the environment it was made with (its variables agree with
			// env/prod.tfvars) and no other: dev's stay.
			for name, src := range map[string]string{
				"env/prod.tfvars": "tags = {\n  team        = \"platform\"\n  environment = \"prod\"\n  project     = \"shop\"\n}\n",
				"env/dev.tfvars":  "tags = {\n  team = \"platform\"\n}\n",
			} {
				if err := os.MkdirAll(filepath.Join(dir, "env"), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := tf.Plan(ctx, tfexec.Out("prod.bin"), tfexec.VarFile("env/prod.tfvars")); err != nil {
				t.Fatalf("plan -var-file env/prod.tfvars: %v", err)
			}
			got, _, stderr := planRunJSON(t, "", "lint", ".", "--only-family", "tags", "--plan", "prod.bin", "--terraform-bin", bin)
			planMatch(t, "lint --plan prod.bin (environments)", got, []string{
				at(`resource "aws_s3_bucket" "logs"`) + " error[tags-required] ^`aws_s3_bucket.logs` lacks tags `environment`, `project` \\(effective tags: resource tags from env/dev.tfvars:1; .*\\); tfgate's default keys, .* \\(environment dev\\)$",
				at(`resource "aws_s3_bucket" "assets"`) + " error[tags-required] ^`aws_s3_bucket.assets` lacks tags `environment`, `project` .*\\(environment dev\\)$",
				at(`resource "aws_s3_bucket" "assets"`) + " error[tags-required] ^`aws_s3_bucket.assets`: lacks tags `environment`, `project` .*\\(values from the plan\\)$",
				at(`resource "aws_s3_bucket" "archive"`) + " error[tags-required] ^`aws_s3_bucket.archive` lacks tags `environment`, `project` .*\\(environment dev\\)$",
			})
			if stderr != "" {
				t.Errorf("lint --plan prod.bin: stderr %s", stderr)
			}
		})
	}
}

// TestPlanTagsDefaultPolicy plans fixtures/plans/tags-default-policy
// with a real CLI and checks tags-required's default policy (no `tags` in
// .tfgate.hcl) on the static configuration and on the plan: a resource
// with no tags at all and one with another scheme are errors, the default
// set in capitals is not, and the plan drops the static error on tags that
// arrive through -var. Then, with `tags` configured exactly, the plan's
// finding on the capitalised keys names the near-miss.
func TestPlanTagsDefaultPolicy(t *testing.T) {
	for name, bin := range planE2EBinaries(t) {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			planCopyTree(t, "../../fixtures/plans/tags-default-policy", dir)
			tf := terraform(t, dir, bin)
			ctx := context.Background()
			if err := tf.Init(ctx, tfexec.Upgrade(false)); err != nil {
				t.Fatal(err)
			}
			if _, err := tf.Plan(ctx, tfexec.Out("plan.bin"), tfexec.Var(`tags={Team="platform",Environment="prod",Project="shop"}`)); err != nil {
				t.Fatalf("plan: %v", err)
			}
			writePlanJSON(t, bin, dir)
			t.Chdir(dir)
			data, err := os.ReadFile(filepath.Join(dir, "main.tf"))
			if err != nil {
				t.Fatal(err)
			}
			at := func(header string) string {
				i := strings.Index(string(data), header)
				if i < 0 {
					t.Fatalf("main.tf has no %s", header)
				}
				return fmt.Sprintf("main.tf:%d", strings.Count(string(data[:i]), "\n")+1)
			}
			untagged, capitalised, other, fromVar := at(`resource "aws_s3_bucket" "untagged"`), at(`resource "aws_s3_bucket" "capitalised"`), at(`resource "aws_s3_bucket" "other_scheme"`), at(`resource "aws_s3_bucket" "from_var"`)
			got, _, _ := planRunJSON(t, "", "lint", ".", "--only-family", "tags")
			planMatch(t, "lint (static)", got, []string{
				untagged + " error[tags-required] ^`aws_s3_bucket.untagged` has no tags at all \\(no tags: the resource sets none and provider `aws` has no default_tags\\); add tags to the resource, or default_tags to provider `aws`$",
				other + " error[tags-required] ^`aws_s3_bucket.other_scheme` lacks tags `team`, `project` \\(effective tags: resource tags from main.tf:\\d+; provider `aws` has no default_tags\\); tfgate's default keys, matched in any case and ignoring -, _ and .: set `tags` in the tags-required rule block of .tfgate.hcl to require your own$",
				fromVar + " error[tags-required] ^`aws_s3_bucket.from_var` has no tags at all \\(effective tags: resource tags from default of var.tags",
			})
			for _, plan := range []string{"plan.json", "plan.bin"} {
				got, code, stderr := planRunJSON(t, "", "lint", ".", "--only-family", "tags", "--plan", plan, "--terraform-bin", bin)
				planMatch(t, "lint --plan "+plan, got, []string{
					untagged + " error[tags-required] ^`aws_s3_bucket.untagged`: has no tags at all \\(effective tags: `tags`; provider `aws` has no default_tags\\); add tags to the resource, or default_tags to provider `aws` \\(values from the plan\\)$",
					other + " error[tags-required] ^`aws_s3_bucket.other_scheme`: lacks tags `team`, `project` \\(effective tags: `tags`; provider `aws` has no default_tags\\); tfgate's default keys, .* \\(values from the plan\\)$",
				})
				if code != exitFindings {
					t.Errorf("lint --plan %s: exit %d; stderr: %s", plan, code, stderr)
				}
			}
			// The plan alone, from the root's directory: the same findings.
			got, _, _ = planRunJSON(t, "", "plan", "plan.json")
			planMatch(t, "plan plan.json", got, []string{
				untagged + " error[tags-required] ^`aws_s3_bucket.untagged`: has no tags at all ",
				other + " error[tags-required] ^`aws_s3_bucket.other_scheme`: lacks tags `team`, `project` ",
			})

			// Configured keys are exact: the capitalised set is a near-miss,
			// named with the fix, on the plan's values.
			if err := os.WriteFile(filepath.Join(dir, ".tfgate.hcl"), []byte("rule \"tags-required\" {\n  tags = [\"team\", \"environment\", \"project\"]\n}\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			got, _, _ = planRunJSON(t, "", "lint", ".", "--only-family", "tags", "--plan", "plan.json")
			planMatch(t, "lint --plan plan.json (configured)", got, []string{
				untagged + " error[tags-required] ^`aws_s3_bucket.untagged`: lacks tags `team`, `environment`, `project` ",
				other + " error[tags-required] ^`aws_s3_bucket.other_scheme`: lacks tags `team`, `environment`, `project` \\(has `Environment`, not `environment`; set `ignore_case = true` in the tags-required rule block of .tfgate.hcl, or rename the key\\) ",
				capitalised + " error[tags-required] ^`aws_s3_bucket.capitalised`: lacks tags `team`, `environment`, `project` \\(has `Team`, not `team`; set `ignore_case = true` in the tags-required rule block of .tfgate.hcl, or rename the key; has `Environment`, not `environment`; .*; has `Project`, not `project`; .*\\) \\(effective tags: `tags`",
				fromVar + " error[tags-required] ^`aws_s3_bucket.from_var`: lacks tags `team`, `environment`, `project` \\(has `Team`, not `team`",
			})
		})
	}
}

// planMatch compares finding lines with "file:line severity[rule] regexp"
// expectations, one to one.
func planMatch(t *testing.T, what string, got, want []string) {
	t.Helper()
	used := make([]bool, len(got))
	for _, w := range want {
		loc, re, _ := strings.Cut(w, " ^")
		rx := regexp.MustCompile("^" + regexp.QuoteMeta(loc) + " " + re)
		found := false
		for i, g := range got {
			if !used[i] && rx.MatchString(g) {
				used[i], found = true, true
				break
			}
		}
		if !found {
			t.Errorf("%s: no finding matches %s", what, w)
		}
	}
	for i, g := range got {
		if !used[i] {
			t.Errorf("%s: unexpected finding %s", what, g)
		}
	}
}

// TestPlanLarge: `tfgate plan` on a 15,000-resource plan (indented, 20 MB)
// replicated from a real plan fixture completes, and every finding sits on
// the line of its resource's "address" in resource_changes. Before the
// plan's positions were indexed, each lookup compiled a regular expression
// and searched the whole plan: minutes for this size.
func TestPlanLarge(t *testing.T) {
	fixture, _ := filepath.Abs("../../fixtures/plans/tags-required/aws-default-tags")
	src, err := os.ReadFile(filepath.Join(fixture, "plan.json"))
	if err != nil {
		t.Fatal(err)
	}
	data, err := monorepo.ReplicatePlan(src, 15000, true)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "plan.json")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := os.ReadFile(filepath.Join(fixture, ".tfgate.hcl")) // the tags the fixture requires
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, ".tfgate.hcl"), cfg, 0o644)
	r := tfgate(t, dir, "plan", "--format", "json", "--fail-on", "never", "plan.json")
	if r.code != exitOK {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	var rep struct {
		Findings []struct {
			Rule, Address, File string
			Start               struct{ Line int }
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	rcLine := 0
	for i, l := range lines {
		if strings.HasPrefix(l, `  "resource_changes"`) {
			rcLine = i + 1
		}
	}
	perResource := map[string]bool{}
	for _, f := range rep.Findings {
		q, _ := json.Marshal(f.Address)
		if f.Start.Line <= rcLine || f.Start.Line > len(lines) || !strings.Contains(lines[f.Start.Line-1], `"address": `+string(q)) {
			t.Fatalf("%s finding for %s at line %d, which is not its resource_changes entry (resource_changes starts at line %d)", f.Rule, f.Address, f.Start.Line, rcLine)
		}
		perResource[f.Address] = true
	}
	// Every copy of a resource has the findings the original has.
	base := tfgate(t, fixture, "plan", "--format", "json", "--fail-on", "never", "plan.json")
	var orig struct{ Findings []struct{ Address string } }
	if err := json.Unmarshal([]byte(base.stdout), &orig); err != nil {
		t.Fatal(err)
	}
	flagged := map[string]bool{}
	for _, f := range orig.Findings {
		flagged[f.Address] = true
	}
	var plan struct {
		ResourceChanges []struct{ Address string } `json:"resource_changes"`
	}
	json.Unmarshal(data, &plan)
	copyOf := regexp.MustCompile(`_\d+(\[[^\]]*\])?$`)
	want := 0
	for _, rc := range plan.ResourceChanges {
		if flagged[copyOf.ReplaceAllString(rc.Address, "$1")] {
			want++
			if !perResource[rc.Address] {
				t.Errorf("no finding for %s", rc.Address)
			}
		}
	}
	if want == 0 || len(perResource) != want {
		t.Errorf("findings on %d resources, want %d", len(perResource), want)
	}
}

// destructiveFix is the fix plan-destructive-change appends to a
// replacement of a resource of type typ, as a regexp.
func destructiveFix(typ string) string {
	return regexp.QuoteMeta(": the new one starts without the old one's data; undo what forces it or migrate the data first (list the types that keep data in `types` in .tfgate.hcl if `" + typ + "` does not)")
}

// writePlanJSON writes dir/plan.json from dir/plan.bin exactly as the CLI
// prints it (one line), as a CI job would: terraform show -json plan.bin >
// plan.json; it returns the JSON.
func writePlanJSON(t *testing.T, bin, dir string) []byte {
	t.Helper()
	show := exec.Command(bin, "show", "-json", "plan.bin")
	show.Dir = dir
	for k, v := range cliEnv() {
		show.Env = append(show.Env, k+"="+v)
	}
	out, err := show.Output()
	if err != nil {
		t.Fatalf("show -json: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "plan.json"), out, 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}
