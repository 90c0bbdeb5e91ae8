package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/tfgate/tfgate/analyzer/load"
	"github.com/tfgate/tfgate/analyzer/model"
)

const planUsage = `Check a Terraform plan on its real values: the values that arrive at plan
time (-var, data sources, remote state) and that static analysis cannot know.

Usage:
  tfgate plan [flags] PLAN

PLAN is the output of "terraform show -json PLANFILE", a binary planfile
("terraform plan -out plan.bin", converted with --terraform-bin), or - for
standard input. Run in the root module's directory (or with --chdir DIR),
findings point at its .tf source lines; elsewhere they name the resource
address, and the line of its entry when the plan JSON is indented (never a
column of the one-line JSON, never a binary planfile). To run the static
rules too: tfgate lint DIR --plan plan.json.

Examples:
  terraform plan -out plan.bin
  terraform show -json plan.bin > plan.json
  tfgate plan plan.json

  # Pipe it, or give the binary planfile (converted by terraform/tofu)
  terraform show -json plan.bin | tfgate plan -
  tfgate plan --terraform-bin tofu plan.bin

  # Block deletions and replacements of stateful resources
  tfgate plan --strict --fail-on error plan.json

Flags:
`

func runPlan(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs, lf := newLintFlags(stderr)
	for _, name := range []string{"var-file", "var-file-for", "var", "backend-config", "plan"} {
		fs.MarkHidden(name)
	}
	fs.Lookup("category").DefValue = "tfgate/plan/"
	lf.category = "tfgate/plan/"
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), planUsage)
		printFlags(fs)
		fmt.Fprint(fs.Output(), "\nExit codes: 0 nothing at or above --fail-on, 2 findings, 1 tool error (unreadable or invalid plan).\n")
	}
	if done, code := parseFlags("plan", fs, args, stdout, stderr); done {
		return code
	}
	if fs.NArg() != 1 {
		fmt.Fprintf(stderr, "tfgate plan: want exactly one PLAN (a file, or - for stdin)\nRun \"tfgate plan --help\" for usage.\n")
		return exitError
	}
	lf.plan = fs.Arg(0)
	return execLint("plan", lf, nil, args, stdin, stdout, stderr)
}

// planConfig is what `tfgate plan` loads to map findings to source lines:
// the root module in the working directory (the directory terraform plan
// runs in, or --chdir), without the directories below it; nothing when
// the working directory holds no configuration.
func planConfig(wd, base string) (load.LoadOptions, string) {
	ents, err := os.ReadDir(wd)
	if err != nil {
		return load.LoadOptions{}, ""
	}
	for _, e := range ents {
		if k, ok := model.KindOf(e.Name()); ok && !e.IsDir() && (k == model.KindTF || k == model.KindTFJSON) {
			root := "."
			if rel, err := filepath.Rel(base, wd); err == nil {
				root = filepath.ToSlash(rel)
			}
			// A file stands for its directory, which is not walked.
			return load.LoadOptions{Paths: []string{filepath.Join(wd, e.Name())}, WorkDir: base}, root
		}
	}
	return load.LoadOptions{}, ""
}
