package analyzer_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tfgate/tfgate/analyzer"
	"github.com/tfgate/tfgate/analyzer/eval"
	"github.com/tfgate/tfgate/analyzer/load"
	"github.com/tfgate/tfgate/analyzer/model"
)

// TestConfigEnvironments: environments blocks of .tfgate.hcl are read in
// source order with their paths made absolute against the file's
// directory; every malformed block is an error at its file:line.
func TestConfigEnvironments(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      []string // root dir: env = files, relative to the config's directory
		err       string
	}{
		{name: "two environments sharing a file", src: `environments "stacks/api" {
  dev  = ["config/common.tfvars", "config/api/dev.tfvars"]
  prod = ["config/common.tfvars", "config/api/prod.tfvars"]
}
`, want: []string{
			"stacks/api (.tfgate.hcl:1): dev = config/common.tfvars, config/api/dev.tfvars (line 2)",
			"stacks/api (.tfgate.hcl:1): prod = config/common.tfvars, config/api/prod.tfvars (line 3)",
		}},
		{name: "two roots, an absolute path, a tuple of one", src: `environments "a" {
  stage = ["/etc/tfvars/stage.tfvars"]
}

environments "../b" {
  qa = ["../b/qa.tfvars"]
}
`, want: []string{
			"a (.tfgate.hcl:1): stage = /etc/tfvars/stage.tfvars (line 2)",
			"../b (.tfgate.hcl:5): qa = ../b/qa.tfvars (line 6)",
		}},
		{name: "a string, not a list", src: "environments \"a\" {\n  dev = \"dev.tfvars\"\n}\n",
			err: `.tfgate.hcl:2:3: Wrong type: environments "a": dev must be a non-empty list of tfvars file paths`},
		{name: "an empty list", src: "environments \"a\" {\n  dev = []\n}\n",
			err: `.tfgate.hcl:2:3: Wrong type: environments "a": dev must be a non-empty list of tfvars file paths`},
		{name: "a null path", src: "environments \"a\" {\n  dev = [null]\n}\n",
			err: `.tfgate.hcl:2:3: Wrong type: environments "a": dev must be a non-empty list of tfvars file paths`},
		{name: "an empty path", src: "environments \"a\" {\n  dev = [\"dev.tfvars\", \"\"]\n}\n",
			err: `.tfgate.hcl:2:3: Wrong type: environments "a": dev must be a non-empty list of tfvars file paths`},
		{name: "a number converts", src: "environments \"a\" {\n  dev = [1]\n}\n",
			want: []string{"a (.tfgate.hcl:1): dev = 1 (line 2)"}},
		{name: "a variable", src: "environments \"a\" {\n  dev = [var.file]\n}\n",
			err: `.tfgate.hcl:2:10: Variables not allowed`},
		{name: "no environment", src: "environments \"a\" {\n}\n",
			err: `.tfgate.hcl:1:1: Empty environments block: environments "a" names no environment: write NAME = ["FILE.tfvars", …]`},
		{name: "a block inside", src: "environments \"a\" {\n  dev {\n  }\n}\n",
			err: `.tfgate.hcl:2:3: Unexpected "dev" block`},
		{name: "no root", src: "environments {\n  dev = [\"dev.tfvars\"]\n}\n",
			err: `.tfgate.hcl:1:14: Missing root for environments: All environments blocks must have 1 labels (root)`},
		{name: "one bad environment among good ones", src: "environments \"a\" {\n  dev  = [\"dev.tfvars\"]\n  prod = {}\n}\n",
			err: `.tfgate.hcl:3:3: Wrong type: environments "a": prod must be a non-empty list`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := write(t, map[string]string{".tfgate.hcl": tc.src})
			cfg, err := analyzer.ParseConfig(filepath.Join(dir, ".tfgate.hcl"), ".tfgate.hcl", registry)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want it to contain %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			rel := func(p string) string {
				if !filepath.IsAbs(p) {
					t.Errorf("%s is not absolute", p)
				}
				if r, err := filepath.Rel(dir, p); err == nil && !strings.HasPrefix(r, "../..") {
					return filepath.ToSlash(r)
				}
				return filepath.ToSlash(p)
			}
			var got []string
			for _, re := range cfg.Environments {
				if rel(re.Dir) != filepath.ToSlash(filepath.Clean(re.Root)) {
					t.Errorf("root %s at %s", re.Root, re.Dir)
				}
				for _, e := range re.Envs {
					var files []string
					for _, f := range e.Files {
						files = append(files, rel(f))
					}
					got = append(got, fmt.Sprintf("%s (%s:%d): %s = %s (line %d)", re.Root, re.Range.Filename, re.Range.Start.Line, e.Name, strings.Join(files, ", "), e.Range.Start.Line))
				}
			}
			sameLines(t, "environments", got, tc.want)
		})
	}
}

// TestConfigEnvironmentsFindings: a monorepo whose tfvars live away from
// the root (config/api/*.tfvars) is evaluated once per environment of its
// environments block; the same finding in several environments is one
// finding naming them all, each tfvars file a related location naming the
// environments that use it; findings that differ between environments
// stay apart, with fingerprints that tell them apart; a module reached
// from two roots names each root's environments.
func TestConfigEnvironmentsFindings(t *testing.T) {
	dir := write(t, map[string]string{
		".tfgate.hcl": `environments "stacks/api" {
  dev   = ["config/common.tfvars", "config/api/dev.tfvars"]
  prod  = ["config/common.tfvars", "config/api/prod.tfvars"]
  stage = ["config/common.tfvars", "config/api/stage.tfvars"]
}

environments "stacks/web" {
  prod = ["config/web/prod.tfvars"]
}
`,
		"config/common.tfvars":    "owner = \"platform\"\n",
		"config/api/dev.tfvars":   "name = \"api-dev\"\n",
		"config/api/prod.tfvars":  "name = \"api\"\n",
		"config/api/stage.tfvars": "name = \"api\"\n",
		"config/web/prod.tfvars":  "name = \"api\"\n",
		"stacks/api/main.tf": `variable "name" {
  type    = string
  default = "unset"
}

variable "owner" {
  type    = string
  default = "nobody"
}

resource "aws_s3_bucket" "this" {
  bucket = "${var.owner}-${var.name}"
}

module "logs" {
  source = "../../modules/logs"
}
`,
		"stacks/web/main.tf": `variable "name" {
  type    = string
  default = "unset"
}

module "logs" {
  source = "../../modules/logs"
}
`,
		"modules/logs/main.tf": `resource "aws_s3_bucket" "logs" {
  bucket = "logs"
}
`,
	})
	cfg, err := analyzer.ParseConfig(filepath.Join(dir, ".tfgate.hcl"), ".tfgate.hcl", registry)
	if err != nil {
		t.Fatal(err)
	}
	// As cmd/tfgate does: each environment's files, loaded.
	var explicit []load.ExplicitEnvironments
	for _, re := range cfg.Environments {
		ee := load.ExplicitEnvironments{Dir: re.Dir, Origin: ".tfgate.hcl: environments", Required: true}
		for _, ce := range re.Envs {
			env := &model.Environment{Name: ce.Name}
			for _, p := range ce.Files {
				f, err := load.LoadFile(p, dir)
				if err != nil {
					t.Fatal(err)
				}
				env.Files = append(env.Files, f)
			}
			ee.Envs = append(ee.Envs, env)
		}
		explicit = append(explicit, ee)
	}
	active, err := analyzer.SelectRules(analyzer.Options{Rules: registry})
	if err != nil {
		t.Fatal(err)
	}
	p, err := load.Load(load.LoadOptions{WorkDir: dir, Environments: explicit})
	if err != nil {
		t.Fatal(err)
	}
	res := analyzer.RunRules(p, eval.Instantiate(p, eval.Options{}), active, analyzer.Options{Rules: registry, Now: now})
	sameLines(t, "findings", lines(res), []string{
		"modules/logs/main.tf:1 error test-bucket bucket logs (via module.logs in stacks/api and module.logs in stacks/web; environments stacks/api dev, stacks/api prod, stacks/api stage and stacks/web prod)",
		"stacks/api/main.tf:11 error test-bucket bucket platform-api (environments prod and stage)",
		"stacks/api/main.tf:11 error test-bucket bucket platform-api-dev (environment dev)",
	})
	var related []string
	for _, f := range res.Findings {
		for _, r := range f.Related {
			related = append(related, fmt.Sprintf("%s: %s", r.Range.Filename, r.Message))
		}
		related = append(related, "--")
	}
	sameLines(t, "related locations", related, []string{
		"config/common.tfvars: environments dev, prod and stage of stacks/api",
		"config/api/dev.tfvars: environment dev of stacks/api",
		"config/api/prod.tfvars: environment prod of stacks/api",
		"config/api/stage.tfvars: environment stage of stacks/api",
		"config/web/prod.tfvars: environment prod of stacks/web",
		"--",
		"config/common.tfvars: environments prod and stage of stacks/api",
		"config/api/prod.tfvars: environment prod of stacks/api",
		"config/api/stage.tfvars: environment stage of stacks/api",
		"--",
		"config/common.tfvars: environment dev of stacks/api",
		"config/api/dev.tfvars: environment dev of stacks/api",
		"--",
	})
	if len(res.Findings) == 3 && res.Findings[1].Fingerprint() == res.Findings[2].Fingerprint() {
		t.Error("the findings of different environments share a fingerprint")
	}
	if len(res.Findings) == 3 {
		if f := res.Findings[1]; f.CauseText() != f.Message || !f.Counts() {
			t.Errorf("cause %q, counts %v", f.CauseText(), f.Counts())
		}
	}
}

// TestConfigExcludeAndKinds: `exclude` and `module "GLOB" { kind }` are
// read with their origin and based at the file's directory, and Apply puts
// them after the command line's; each malformed one is an error at its
// file:line.
func TestConfigExcludeAndKinds(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      []string
		err       string
	}{
		{name: "excludes and kinds", src: `exclude = ["modules/legacy", "**/examples/**"]

module "live/**" {
  kind = "root"
}

module "sandbox" {
  kind = "ignore"
}
`, want: []string{
			"exclude --exclude (command line)", "exclude modules/legacy .tfgate.hcl:1", "exclude **/examples/** .tfgate.hcl:1",
			"kind live/** root .tfgate.hcl:3", "kind sandbox ignore .tfgate.hcl:7",
		}},
		{name: "exclude as a set", src: `exclude = toset(["a"])`, err: `.tfgate.hcl:1:11: Function calls not allowed`},
		{name: "exclude a string", src: `exclude = "modules/legacy"`,
			err: `.tfgate.hcl:1:1: Invalid exclude: exclude must be a list of path patterns, e.g. exclude = ["modules/legacy", "**/examples/**"]`},
		{name: "exclude null", src: `exclude = null`, err: `.tfgate.hcl:1:1: Invalid exclude: exclude must be a list of path patterns`},
		{name: "exclude a number", src: `exclude = ["a", 1]`, err: `.tfgate.hcl:1:1: Invalid exclude: exclude: every pattern must be a string`},
		{name: "exclude backslashes", src: `exclude = ["modules\\legacy"]`, err: `.tfgate.hcl:1:1: Invalid exclude: exclude: pattern "modules\\legacy": use / to separate directories`},
		{name: "exclude a bad pattern", src: `exclude = ["mod[ules"]`, err: `.tfgate.hcl:1:1: Invalid exclude: exclude: pattern "mod[ules": syntax error in pattern`},
		{name: "exclude an empty pattern", src: `exclude = [" "]`, err: `exclude: empty pattern`},
		{name: "exclude a variable", src: `exclude = [var.x]`, err: `.tfgate.hcl:1:12: Variables not allowed`},
		{name: "module a bad pattern", src: "module \"a[\" {\n  kind = \"root\"\n}\n", err: `.tfgate.hcl:1:8: Invalid module pattern: pattern "a[": syntax error in pattern`},
		{name: "module without kind", src: "module \"a\" {\n}\n", err: `.tfgate.hcl:1:12: Missing required argument: The argument "kind" is required`},
		{name: "module an unknown argument", src: "module \"a\" {\n  kind = \"root\"\n  type = \"x\"\n}\n", err: `.tfgate.hcl:3:3: Unsupported argument`},
		{name: "module kind a number", src: "module \"a\" {\n  kind = 1\n}\n", err: `.tfgate.hcl:2:3: Wrong type: module "a": kind must be one of "root", "reusable", "demo", "ignore"`},
		{name: "module kind a variable", src: "module \"a\" {\n  kind = var.k\n}\n", err: `.tfgate.hcl:2:10: Variables not allowed`},
		{name: "module kind misspelt", src: "module \"a\" {\n  kind = \"rot\"\n}\n", err: `.tfgate.hcl:2:3: Invalid kind: module "a": kind "rot" is not one of "root", "reusable", "demo", "ignore"; did you mean "root"?`},
		{name: "module kind far off", src: "module \"a\" {\n  kind = \"deployment\"\n}\n", err: `kind "deployment" is not one of "root", "reusable", "demo", "ignore"` + "\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := write(t, map[string]string{".tfgate.hcl": tc.src})
			cfg, err := analyzer.ParseConfig(filepath.Join(dir, ".tfgate.hcl"), ".tfgate.hcl", registry)
			if tc.err != "" {
				// The last case checks that no suggestion follows.
				if err == nil || !strings.Contains(err.Error()+"\n", tc.err) {
					t.Fatalf("error %v, want it to contain %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			lo := cfg.Apply(load.LoadOptions{Exclude: []load.Glob{{Pattern: "--exclude", Origin: "(command line)"}}})
			var got []string
			for _, g := range lo.Exclude {
				if g.Origin != "(command line)" && g.Base != dir {
					t.Errorf("exclude %s based at %s, want %s", g.Pattern, g.Base, dir)
				}
				got = append(got, "exclude "+g.Pattern+" "+g.Origin)
			}
			for _, k := range lo.Kinds {
				if k.Base != dir {
					t.Errorf("kind %s based at %s, want %s", k.Pattern, k.Base, dir)
				}
				got = append(got, "kind "+k.Pattern+" "+k.Kind+" "+k.Origin)
			}
			sameLines(t, "load options", got, tc.want)
		})
	}
	var none *analyzer.Config
	if lo := none.Apply(load.LoadOptions{WorkDir: "x"}); lo.WorkDir != "x" || lo.Exclude != nil {
		t.Errorf("a nil configuration changed the load options: %+v", lo)
	}
}

// TestEnvironmentsOfSomeRoots: a finding reached from a root with
// environments and from one without (judged on its defaults) names the
// environments with their root, so that they are not read as the other
// root's; from roots that all have environments, or from one root, as
// before.
func TestEnvironmentsOfSomeRoots(t *testing.T) {
	call := "variable \"region\" {\n  default = \"us-east-1\"\n}\n\nmodule \"logs\" {\n  source = \"../../modules/logs\"\n}\n"
	files := map[string]string{
		"live/a/main.tf":         call,
		"live/a/env/prod.tfvars": "region = \"eu-west-1\"\n",
		"live/b/main.tf":         call,
		"modules/logs/main.tf":   "resource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"logs\"\n}\n",
	}
	sameLines(t, "with and without environments", lines(lint(t, write(t, files), analyzer.Options{})), []string{
		"modules/logs/main.tf:1 error test-bucket bucket logs (via module.logs in live/a and module.logs in live/b; environment live/a prod)",
	})
	delete(files, "live/b/main.tf")
	sameLines(t, "one root", lines(lint(t, write(t, files), analyzer.Options{})), []string{
		"modules/logs/main.tf:1 error test-bucket bucket logs (via module.logs in live/a; environment prod)",
	})
	files["live/b/main.tf"] = call
	files["live/b/env/dev.tfvars"] = "region = \"eu-west-1\"\n"
	sameLines(t, "both with environments", lines(lint(t, write(t, files), analyzer.Options{})), []string{
		"modules/logs/main.tf:1 error test-bucket bucket logs (via module.logs in live/a and module.logs in live/b; environments live/a prod and live/b dev)",
	})
}
