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
