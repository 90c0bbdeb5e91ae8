// Package analyzertest is the shared harness for rule fixtures.
//
// A rule's fixtures live in fixtures/rules/<rule-id>/. Each subdirectory is
// one case: a tree of Terraform files scanned as a project, with an
// optional .tfgate.hcl for the rule's options, tfgate-args.txt holding
// extra `--var-file FILE`, `--var k=v` or `--backend-config FILE` lines, and
// expectations written inline:
//
//	resource "aws_s3_bucket" "b" { # want "lacks tag `team`"
//
// Each quoted string after `# want` (or `// want`) is a regexp that one
// finding starting on that line must match; `# want+1 "re"` points at the
// next line (in Terraform files, .tfgate.hcl and Terragrunt's .hcl files).
// The regexp is also tried against "[severity] message", so
// `# want "^\\[warning\\] lacks"` checks the severity too. Files that
// cannot carry comments (JSON) take their expectations from wants.txt:
// lines of `path:line "regexp"`. Every finding must be expected and every
// expectation met, so a case without wants is a check that the rule stays
// silent.
//
// Plan rules have their cases in fixtures/plans/<rule-id>/: each holds the
// plan.json of `terraform show -json` beside the configuration it was made
// from, and RunPlan checks it the way `tfgate lint DIR --plan plan.json`
// and, with wants-plan-only.txt, `tfgate plan plan.json` do.
package analyzertest

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tfgate/tfgate/analyzer"
	"github.com/tfgate/tfgate/analyzer/eval"
	"github.com/tfgate/tfgate/analyzer/load"
	"github.com/tfgate/tfgate/analyzer/model"
	"github.com/tfgate/tfgate/analyzer/tfplan"
)

// now is the date fixtures run at, so that expiry dates are stable.
var now = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

type want struct {
	file string
	line int
	re   *regexp.Regexp
	met  bool
}

var wantPattern = regexp.MustCompile(`(?:#|//)\s*want(\+\d+)?\s+((?:(?:"(?:[^"\\]|\\.)*"|` + "`[^`]*`" + `)\s*)+)`)
var quoted = regexp.MustCompile(`"(?:[^"\\]|\\.)*"|` + "`[^`]*`")

// cases lists the case directories of a rule's fixture directory.
func cases(t testing.TB, dir string) []string {
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("fixtures: %v", err)
	}
	var out []string
	for _, e := range ents {
		if e.IsDir() {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	if len(out) == 0 {
		t.Fatalf("fixtures: %s has no case directories", dir)
	}
	return out
}

// Run checks every case of a rule's fixture directory and returns the
// number of expectations checked.
func Run(t *testing.T, rule *analyzer.Rule, all []*analyzer.Rule, dir string) int {
	t.Helper()
	n := 0
	for _, c := range cases(t, dir) {
		c := c
		t.Run(filepath.Base(c), func(t *testing.T) {
			n += runCase(t, rule, all, c)
		})
	}
	return n
}

// runCase checks one case directory.
func runCase(t *testing.T, rule *analyzer.Rule, all []*analyzer.Rule, dir string) int {
	t.Helper()
	abs, _ := filepath.Abs(dir)
	wants := collectWants(t, abs)
	opts := analyzer.Options{
		Load:  load.LoadOptions{Paths: []string{"."}, WorkDir: abs},
		Rules: all,
		Now:   now,
	}
	only := configure(t, rule, all, abs, &opts)
	p, err := load.Load(opts.Config.Apply(opts.Load))
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	res := analyzer.RunRules(p, eval.Instantiate(p, opts.Eval), only, opts)
	for _, n := range res.Notifications {
		t.Errorf("notification: %s", n.Message)
	}
	for _, f := range res.Findings {
		if f.RuleID != rule.ID || f.Suppression != nil {
			continue
		}
		msg := f.FullMessage()
		withSeverity := "[" + f.Severity.String() + "] " + msg
		matched := false
		for _, w := range wants {
			if !w.met && w.file == f.Range.Filename && w.line == f.Range.Start.Line && (w.re.MatchString(msg) || w.re.MatchString(withSeverity)) {
				w.met, matched = true, true
				break
			}
		}
		if !matched {
			t.Errorf("%s:%d:%d: unexpected finding: %s", f.Range.Filename, f.Range.Start.Line, f.Range.Start.Column, msg)
		}
	}
	for _, w := range wants {
		if !w.met {
			t.Errorf("%s:%d: no finding matched %q", w.file, w.line, w.re)
		}
	}
	return len(wants)
}

// configure applies a case's .tfgate.hcl and tfgate-args.txt to opts and
// returns the rule under test as configured.
func configure(t *testing.T, rule *analyzer.Rule, all []*analyzer.Rule, dir string, opts *analyzer.Options) []analyzer.ActiveRule {
	t.Helper()
	if cfgPath := filepath.Join(dir, analyzer.ConfigFileName); exists(cfgPath) {
		cfg, err := analyzer.ParseConfig(cfgPath, analyzer.ConfigFileName, all)
		if err != nil {
			t.Fatalf("config: %v", err)
		}
		opts.Config = cfg
	}
	applyArgs(t, dir, opts)
	active, err := analyzer.SelectRules(analyzer.Options{Rules: all, Config: opts.Config})
	if err != nil {
		t.Fatal(err)
	}
	for _, ar := range active {
		if ar.ID == rule.ID {
			return []analyzer.ActiveRule{ar}
		}
	}
	return []analyzer.ActiveRule{{Rule: rule, Severity: rule.Severity}}
}

func exists(p string) bool { _, err := os.Stat(p); return err == nil }

func applyArgs(t *testing.T, dir string, opts *analyzer.Options) {
	data, err := os.ReadFile(filepath.Join(dir, "tfgate-args.txt"))
	if err != nil {
		return
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) != 2 {
			continue
		}
		switch f[0] {
		case "--var":
			k, v, _ := strings.Cut(f[1], "=")
			if opts.Eval.Vars == nil {
				opts.Eval.Vars = map[string]string{}
			}
			opts.Eval.Vars[k] = v
			opts.Eval.VarOrder = append(opts.Eval.VarOrder, k)
		case "--var-file", "--backend-config":
			file, err := load.LoadFile(filepath.Join(dir, f[1]), dir)
			if err != nil {
				t.Fatal(err)
			}
			if f[0] == "--var-file" {
				opts.Eval.VarFiles = append(opts.Eval.VarFiles, file)
			} else {
				opts.BackendConfigs = append(opts.BackendConfigs, file)
			}
		}
	}
}

func collectWants(t *testing.T, root string) []*want {
	var out []*want
	filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if filepath.Base(p) == "wants.txt" {
			out = append(out, sidecarWants(t, p)...)
			return nil
		}
		if _, ok := model.KindOf(filepath.Base(p)); !ok && filepath.Base(p) != analyzer.ConfigFileName && filepath.Ext(p) != ".hcl" {
			return nil
		}
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<24)
		for line := 1; sc.Scan(); line++ {
			m := wantPattern.FindStringSubmatch(sc.Text())
			if m == nil {
				continue
			}
			target := line
			if m[1] != "" {
				off, _ := strconv.Atoi(m[1][1:])
				target += off
			}
			for _, q := range quoted.FindAllString(m[2], -1) {
				out = append(out, &want{file: rel, line: target, re: compile(t, rel, line, q)})
			}
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool {
		if out[i].file != out[j].file {
			return out[i].file < out[j].file
		}
		return out[i].line < out[j].line
	})
	return out
}

func sidecarWants(t *testing.T, p string) []*want {
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var out []*want
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "notification ") {
			continue
		}
		loc, rest, _ := strings.Cut(line, " ")
		file, ln, ok := strings.Cut(loc, ":")
		n, err := strconv.Atoi(ln)
		if !ok || err != nil {
			t.Fatalf("%s:%d: want lines are `path:line \"regexp\"`", p, i+1)
		}
		for _, q := range quoted.FindAllString(rest, -1) {
			out = append(out, &want{file: file, line: n, re: compile(t, file, n, q)})
		}
	}
	return out
}

func compile(t *testing.T, file string, line int, q string) *regexp.Regexp {
	s, err := strconv.Unquote(q)
	if err != nil {
		t.Fatalf("%s:%d: bad want string %s: %v", file, line, q, err)
	}
	re, err := regexp.Compile(s)
	if err != nil {
		t.Fatalf("%s:%d: bad want regexp: %v", file, line, err)
	}
	return re
}

// String formats findings for debugging.
func String(fs []*analyzer.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "%s:%d:%d: %s: %s\n", f.Range.Filename, f.Range.Start.Line, f.Range.Start.Column, f.RuleID, f.FullMessage())
	}
	return b.String()
}

// RunPlan checks every case of a plan rule's fixture directory
// (fixtures/plans/<rule-id>/) and returns the number of expectations
// checked. See runPlanCase for the layout of a case.
func RunPlan(t *testing.T, rule *analyzer.Rule, all []*analyzer.Rule, dir string) int {
	t.Helper()
	n := 0
	for _, c := range cases(t, dir) {
		c := c
		t.Run(filepath.Base(c), func(t *testing.T) {
			n += runPlanCase(t, rule, all, c)
		})
	}
	return n
}

// runPlanCase checks one plan case: a directory holding plan.json (the
// output of `terraform show -json`, or written by hand in the same shape)
// beside the configuration it came from. The case runs the way
// `tfgate lint DIR --plan plan.json` does: the rule's static check on the
// configuration and its plan check on the plan, with plan findings mapped
// to source lines, and is checked against inline `# want` comments and
// wants.txt (`main.tf:12 "regexp"`, `plan.json:40 "regexp"`). A line
// `notification "regexp"` in either file expects a warning such as the one
// for an errored plan.
//
// When wants-plan-only.txt is present, the case also runs the way
// `tfgate plan plan.json` does (the plan alone, findings at lines of
// plan.json) against the expectations in that file. A case without .tf
// files runs only that way.
func runPlanCase(t *testing.T, rule *analyzer.Rule, all []*analyzer.Rule, dir string) int {
	t.Helper()
	abs, _ := filepath.Abs(dir)
	data, err := os.ReadFile(filepath.Join(abs, "plan.json"))
	if err != nil {
		t.Fatalf("plan case: %v", err)
	}
	hasConfig := false
	ents, _ := os.ReadDir(abs)
	for _, e := range ents {
		if k, ok := model.KindOf(e.Name()); ok && (k == model.KindTF || k == model.KindTFJSON) && e.Name() != "plan.json" {
			hasConfig = true
		}
	}
	n := 0
	if hasConfig {
		wants, notes := planWants(t, abs, "wants.txt", true)
		n += runPlanMode(t, rule, all, abs, data, false, wants, notes)
	}
	if p := filepath.Join(abs, "wants-plan-only.txt"); exists(p) || !hasConfig {
		wants, notes := planWants(t, abs, "wants-plan-only.txt", false)
		n += runPlanMode(t, rule, all, abs, data, true, wants, notes)
	}
	return n
}

// planWants reads a case's expectations: for the lint mode the inline ones
// and wants.txt, for the plan-only mode wants-plan-only.txt; and the
// notifications the sidecar file expects.
func planWants(t *testing.T, abs, sidecar string, withInline bool) ([]*want, []*regexp.Regexp) {
	p := filepath.Join(abs, sidecar)
	var wants []*want
	if withInline {
		wants = collectWants(t, abs) // includes wants.txt
	} else if exists(p) {
		wants = sidecarWants(t, p)
	}
	var notes []*regexp.Regexp
	data, _ := os.ReadFile(p)
	for i, line := range strings.Split(string(data), "\n") {
		if s, ok := strings.CutPrefix(strings.TrimSpace(line), "notification "); ok {
			q := quoted.FindString(s)
			if q == "" {
				t.Fatalf("%s:%d: want `notification \"regexp\"`", p, i+1)
			}
			notes = append(notes, compile(t, sidecar, i+1, q))
		}
	}
	return wants, notes
}

func runPlanMode(t *testing.T, rule *analyzer.Rule, all []*analyzer.Rule, abs string, data []byte, planOnly bool, wants []*want, notes []*regexp.Regexp) int {
	t.Helper()
	mode := "lint --plan"
	if planOnly {
		mode = "plan"
	}
	plan, err := tfplan.ParsePlanJSON(data, "plan.json")
	if err != nil {
		t.Fatalf("%s: %v", mode, err)
	}
	opts := analyzer.Options{
		Load:     load.LoadOptions{Paths: []string{"."}, WorkDir: abs},
		Rules:    all,
		Now:      now,
		Plan:     plan,
		PlanRoot: ".",
		PlanOnly: planOnly,
	}
	only := configure(t, rule, all, abs, &opts)
	p, ev := &model.Project{}, &eval.Result{}
	if !planOnly {
		if p, err = load.Load(opts.Load); err != nil {
			t.Fatalf("load: %v", err)
		}
		ev = eval.Instantiate(p, opts.Eval)
	}
	res := analyzer.RunRules(p, ev, only, opts)
	met := make([]bool, len(notes))
	for _, n := range res.Notifications {
		ok := false
		for i, re := range notes {
			if !met[i] && re.MatchString(n.Message) {
				met[i], ok = true, true
				break
			}
		}
		if !ok {
			t.Errorf("%s: notification: %s", mode, n.Message)
		}
	}
	for i, re := range notes {
		if !met[i] {
			t.Errorf("%s: no notification matched %q", mode, re)
		}
	}
	for _, f := range res.Findings {
		if f.RuleID != rule.ID || f.Suppression != nil {
			continue
		}
		msg := f.FullMessage()
		withSeverity := "[" + f.Severity.String() + "] " + msg
		matched := false
		for _, w := range wants {
			if !w.met && w.file == f.Range.Filename && w.line == f.Range.Start.Line && (w.re.MatchString(msg) || w.re.MatchString(withSeverity)) {
				w.met, matched = true, true
				break
			}
		}
		if !matched {
			t.Errorf("%s: %s:%d:%d: unexpected finding: %s", mode, f.Range.Filename, f.Range.Start.Line, f.Range.Start.Column, msg)
		}
	}
	for _, w := range wants {
		if !w.met {
			t.Errorf("%s: %s:%d: no finding matched %q", mode, w.file, w.line, w.re)
		}
	}
	return len(wants) + len(notes)
}
