package analyzer_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tfgate/tfgate/analyzer"
	"github.com/tfgate/tfgate/analyzer/eval"
	"github.com/tfgate/tfgate/analyzer/load"
	"github.com/tfgate/tfgate/analyzer/model"
	"github.com/tfgate/tfgate/analyzer/tfplan"
	"github.com/zclconf/go-cty/cty"
)

// The framework's own tests: rule selection, ignore comments, the
// baseline, merging findings across module calls and with plan findings,
// fingerprints. They run small rules defined here on real HCL loaded and
// evaluated by the real loader and evaluator.

var now = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

func doc(title string) analyzer.Doc {
	return analyzer.Doc{Title: title, Why: "why", Fix: "fix", Bad: "bad", Good: "good"}
}

// bucketRule reports every aws_s3_bucket of every instance, naming its
// evaluated bucket argument.
var bucketRule = &analyzer.Rule{
	ID: "test-bucket", Family: analyzer.FamilyTags, Severity: analyzer.Error, Doc: doc("Buckets are reported"),
	Run: func(pass *analyzer.Pass) error {
		for _, in := range pass.Instances {
			for _, b := range in.Module.Resources {
				if b.Type != "resource" || b.Labels[0] != "aws_s3_bucket" {
					continue
				}
				for _, s := range in.Scopes(b) {
					v, _ := s.Attr("bucket")
					name, ok := model.KnownString(v)
					if !ok {
						name = "(unknown)"
					}
					pass.Reportf(in, b, nil, "bucket %s", name)
				}
			}
		}
		return nil
	},
}

// planOnlyRule checks plans only.
var planOnlyRule = &analyzer.Rule{
	ID: "test-plan-only", Family: analyzer.FamilyPlan, Severity: analyzer.Warning, StrictSeverity: analyzer.Error, Doc: doc("Plans are checked"),
	Plan: func(pass *analyzer.Pass) error { return nil },
}

var ignoresRule = &analyzer.Rule{
	ID: "test-ignores", Family: analyzer.FamilyTool, Severity: analyzer.Warning, Doc: doc("Ignore comments are usable"),
	IgnoreDirectives: true,
}

var registry = []*analyzer.Rule{bucketRule, planOnlyRule, ignoresRule}

func write(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// lint loads and evaluates dir and runs the rules opts selects.
func lint(t *testing.T, dir string, opts analyzer.Options) *analyzer.Result {
	t.Helper()
	if opts.Rules == nil {
		opts.Rules = registry
	}
	opts.Now = now
	active, err := analyzer.SelectRules(opts)
	if err != nil {
		t.Fatal(err)
	}
	p, err := load.Load(load.LoadOptions{WorkDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	res := analyzer.RunRules(p, eval.Instantiate(p, eval.Options{}), active, opts)
	for _, n := range res.Notifications {
		t.Logf("notification: %s: %s", n.Level, n.Message)
	}
	return res
}

// line renders a finding for comparisons: file:line rule message [suppression].
func line(f *analyzer.Finding) string {
	s := fmt.Sprintf("%s:%d %s %s %s", f.Range.Filename, f.Range.Start.Line, f.Severity, f.RuleID, f.FullMessage())
	if f.Suppression != nil {
		s += " [" + f.Suppression.Kind + ": " + f.Suppression.Justification + "]"
	}
	return s
}

func lines(res *analyzer.Result) []string {
	var out []string
	for _, f := range res.Findings {
		out = append(out, line(f))
	}
	return out
}

func sameLines(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s:\ngot:\n  %s\nwant:\n  %s", what, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

func TestSelectRules(t *testing.T) {
	dir := write(t, map[string]string{".tfgate.hcl": `
rule "test-bucket" {
  enabled = false
}
rule "test-plan-only" {
  severity = "note"
}
`})
	cfg, err := analyzer.ParseConfig(filepath.Join(dir, ".tfgate.hcl"), ".tfgate.hcl", registry)
	if err != nil {
		t.Fatal(err)
	}
	sel := func(opts analyzer.Options) []string {
		t.Helper()
		opts.Rules = registry
		active, err := analyzer.SelectRules(opts)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, ar := range active {
			out = append(out, ar.ID+"="+ar.Severity.String())
		}
		return out
	}
	sameLines(t, "defaults", sel(analyzer.Options{}), []string{"test-bucket=error", "test-ignores=warning", "test-plan-only=warning"})
	sameLines(t, "config", sel(analyzer.Options{Config: cfg}), []string{"test-ignores=warning", "test-plan-only=note"})
	sameLines(t, "flags over config", sel(analyzer.Options{Config: cfg, Enable: []string{"test-bucket"}, Disable: []string{"test-ignores"}}), []string{"test-bucket=error", "test-plan-only=note"})
	sameLines(t, "--strict over config", sel(analyzer.Options{Config: cfg, Strict: true}), []string{"test-ignores=warning", "test-plan-only=error"})
	// Tool rules (syntax errors, ignore comments) stay with --only-family.
	sameLines(t, "--only-family", sel(analyzer.Options{OnlyFamilies: []string{"plan"}}), []string{"test-ignores=warning", "test-plan-only=warning"})

	for _, tc := range []struct {
		opts analyzer.Options
		want string
	}{
		{analyzer.Options{Enable: []string{"test-buckt"}}, `unknown rule "test-buckt" (did you mean "test-bucket"?); ` + "`tfgate rules` lists them"},
		{analyzer.Options{Disable: []string{"nothing-like-it"}}, `unknown rule "nothing-like-it"`},
		{analyzer.Options{OnlyFamilies: []string{"tag"}}, `unknown family "tag" (families: state, pinning, layout, secrets, tags, autoscaling, plan, drift, tool)`},
	} {
		tc.opts.Rules = registry
		if _, err := analyzer.SelectRules(tc.opts); err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%+v: error %v, want %q", tc.opts, err, tc.want)
		}
	}
}

func TestConfigErrors(t *testing.T) {
	withOption := &analyzer.Rule{ID: "test-option", Family: analyzer.FamilyTags, Severity: analyzer.Error, Doc: doc("Options are typed"),
		Options: []analyzer.Option{{Name: "limit", Type: cty.Number, Default: cty.NumberIntVal(3), Doc: "a limit", Validate: func(v cty.Value) error {
			if n, _ := model.KnownNumber(v); n < 0 {
				return fmt.Errorf("must not be negative")
			}
			return nil
		}}},
		Run: func(*analyzer.Pass) error { return nil }}
	rules := []*analyzer.Rule{withOption, bucketRule}
	for _, tc := range []struct{ src, want string }{
		{`rule "test-option" { limit = 7 }`, ""},
		{`rule "test-optoin" {}`, `.tfgate.hcl:1:6: Unknown rule: tfgate has no rule "test-optoin"; did you mean "test-option"?`},
		{`rule "test-option" { limit = -1 }`, `.tfgate.hcl:1:22: Invalid value: rule "test-option": option limit: must not be negative`},
		{`rule "test-option" { limit = "many" }`, `.tfgate.hcl:1:`},
		{`rule "test-option" { severity = "fatal" }`, `unknown severity "fatal"`},
		{`rule "test-option" {}` + "\n" + `rule "test-option" {}`, `Duplicate rule block`},
		{`rule "test-option" { limit = `, `.tfgate.hcl:1:`},
	} {
		dir := write(t, map[string]string{".tfgate.hcl": tc.src})
		cfg, err := analyzer.ParseConfig(filepath.Join(dir, ".tfgate.hcl"), ".tfgate.hcl", rules)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.src, err)
		case tc.want == "":
			if v := cfg.Rules["test-option"].Options["limit"]; !v.RawEquals(cty.NumberIntVal(7)) {
				t.Errorf("%s: limit = %#v", tc.src, v)
			}
		case err == nil || !strings.Contains(err.Error(), tc.want):
			t.Errorf("%s: error %v, want it to contain %q", tc.src, err, tc.want)
		}
	}
	if _, err := analyzer.ParseConfig(filepath.Join(t.TempDir(), "missing.hcl"), "missing.hcl", rules); err == nil || !strings.Contains(err.Error(), "cannot read config missing.hcl") {
		t.Errorf("missing config: %v", err)
	}
}

const ignoresTF = `# tfgate:ignore test-bucket scratch data, deleted weekly
resource "aws_s3_bucket" "scratch" {
  bucket = "scratch"
}

resource "aws_s3_bucket" "eol" { # tfgate:ignore test-bucket end-of-line form
  bucket = "eol"
}

# tfgate:ignore test-bucket
resource "aws_s3_bucket" "noreason" {
  bucket = "noreason"
}

# tfgate:ignore test-bucket,test-buckt a typo in the list
resource "aws_s3_bucket" "typo" {
  bucket = "typo"
}

# tfgate:ignore test-bucket an old decision exp:2020-01-31
resource "aws_s3_bucket" "expired" {
  bucket = "expired"
}

# tfgate:ignore test-bucket the bucket that was here moved
resource "aws_sqs_queue" "q" {}

# tfgate:ignore test-plan-only checked when there is a plan
resource "aws_sqs_queue" "p" {}

# tfgate:ignore test-ignores the malformed ignore below is on purpose
# tfgate:ignore test-bucket exp:someday
resource "aws_s3_bucket" "baddate" {
  bucket = "baddate"
}
`

// TestIgnoreComments: the framework applies ignore comments and reports
// the ones that cannot be used under the IgnoreDirectives rule; switching
// that rule off hides those reports and changes no suppression.
func TestIgnoreComments(t *testing.T) {
	dir := write(t, map[string]string{"main.tf": ignoresTF})
	suppressed := []string{
		"main.tf:2 error test-bucket bucket scratch [inSource: scratch data, deleted weekly]",
		"main.tf:6 error test-bucket bucket eol [inSource: end-of-line form]",
	}
	unsuppressed := []string{
		"main.tf:11 error test-bucket bucket noreason",
		"main.tf:16 error test-bucket bucket typo",
		"main.tf:21 error test-bucket bucket expired",
		"main.tf:33 error test-bucket bucket baddate",
	}
	reports := []string{
		"main.tf:10 warning test-ignores malformed ignore: the reason is missing: write `tfgate:ignore test-bucket <why this is fine>`",
		"main.tf:15 warning test-ignores malformed ignore: unknown rule \"test-buckt\"; `tfgate rules` lists them",
		"main.tf:20 warning test-ignores ignore for test-bucket expired on 2020-01-31: the findings it covered count again; fix them or extend the date",
		"main.tf:25 warning test-ignores ignore for test-bucket matches no finding; remove it",
		"main.tf:32 warning test-ignores malformed ignore: expiry someday is not a date in the form exp:YYYY-MM-DD [inSource: the malformed ignore below is on purpose]",
	}
	sorted := func(groups ...[]string) []string {
		var out []string
		for _, g := range groups {
			out = append(out, g...)
		}
		slices.SortStableFunc(out, func(a, b string) int {
			var la, lb int
			fmt.Sscanf(a, "main.tf:%d", &la)
			fmt.Sscanf(b, "main.tf:%d", &lb)
			return la - lb
		})
		return out
	}
	sameLines(t, "ignore comments", lines(lint(t, dir, analyzer.Options{})), sorted(suppressed, unsuppressed, reports))
	// The rule off: the same suppressions, no reports.
	sameLines(t, "ignore-directive rule off", lines(lint(t, dir, analyzer.Options{Disable: []string{"test-ignores"}})), sorted(suppressed, unsuppressed))
	// The rule an ignore names did not run: its ignores are not "unused";
	// malformed and expired ones are still reported.
	got := lines(lint(t, dir, analyzer.Options{Disable: []string{"test-bucket"}}))
	sameLines(t, "test-bucket off", got, []string{reports[0], reports[1], reports[2], reports[4]})
}

// TestIgnoresOutsideTheScan: ignore comments of modules that are only
// called, not scanned, suppress their findings but are not reported.
func TestIgnoresOutsideTheScan(t *testing.T) {
	dir := write(t, map[string]string{
		"live/main.tf": `module "b" {
  source = "../shared"
  name   = "live"
}
`,
		"shared/main.tf": `variable "name" {}

# tfgate:ignore test-bucket shared, owned elsewhere
resource "aws_s3_bucket" "this" {
  bucket = var.name
}

# tfgate:ignore test-bucket nothing
resource "aws_sqs_queue" "q" {}
`,
	})
	active, err := analyzer.SelectRules(analyzer.Options{Rules: registry})
	if err != nil {
		t.Fatal(err)
	}
	p, err := load.Load(load.LoadOptions{WorkDir: dir, Paths: []string{"live"}})
	if err != nil {
		t.Fatal(err)
	}
	res := analyzer.RunRules(p, eval.Instantiate(p, eval.Options{}), active, analyzer.Options{Rules: registry, Now: now})
	sameLines(t, "called module", lines(res), []string{"shared/main.tf:4 error test-bucket bucket live (via module.b in live) [inSource: shared, owned elsewhere]"})
}

// TestBaseline: a baseline written from a run accepts those findings in
// the next run, matched by fingerprint even when lines move; findings
// suppressed in the source are not written; new findings count.
func TestBaseline(t *testing.T) {
	src := `resource "aws_s3_bucket" "a" {
  bucket = "a"
}

# tfgate:ignore test-bucket reviewed
resource "aws_s3_bucket" "b" {
  bucket = "b"
}
`
	dir := write(t, map[string]string{"main.tf": src})
	first := lint(t, dir, analyzer.Options{})
	data, err := analyzer.BaselineJSON(first.Findings)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), `"b"`) || !strings.Contains(string(data), `"message": "bucket a"`) {
		t.Errorf("baseline:\n%s", data)
	}
	bpath := filepath.Join(t.TempDir(), "baseline.json")
	if err := os.WriteFile(bpath, data, 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := analyzer.ReadBaseline(bpath)
	if err != nil {
		t.Fatal(err)
	}
	// Lines move; a new bucket appears.
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte("\n\n"+src+"\nresource \"aws_s3_bucket\" \"c\" {\n  bucket = \"c\"\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sameLines(t, "with the baseline", lines(lint(t, dir, analyzer.Options{Baseline: b})), []string{
		"main.tf:3 error test-bucket bucket a [external: in baseline " + bpath + "]",
		"main.tf:8 error test-bucket bucket b [inSource: reviewed]",
		"main.tf:12 error test-bucket bucket c",
	})

	for name, content := range map[string]string{
		"garbage.json": "not json",
		"other.json":   `{"version": 1, "tool": "tflint", "findings": []}`,
		"future.json":  `{"version": 2, "tool": "tfgate", "findings": []}`,
	} {
		p := filepath.Join(t.TempDir(), name)
		os.WriteFile(p, []byte(content), 0o644)
		if _, err := analyzer.ReadBaseline(p); err == nil || !strings.Contains(err.Error(), "is not a tfgate baseline") {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := analyzer.ReadBaseline(filepath.Join(t.TempDir(), "missing.json")); err == nil || !strings.Contains(err.Error(), "cannot read baseline") {
		t.Errorf("missing baseline: %v", err)
	}
}

// TestMergeAcrossCalls: one finding reached through several module calls
// names every call; calls that give different messages stay apart, with
// fingerprints that tell them apart; a finding that also holds on its own
// names no call.
func TestMergeAcrossCalls(t *testing.T) {
	dir := write(t, map[string]string{
		"main.tf": `module "one" {
  source = "./modules/bucket"
  name   = "x"
}

module "two" {
  source = "./modules/bucket"
  name   = "x"
}

module "three" {
  source = "./modules/bucket"
  name   = "y"
}
`,
		"modules/bucket/main.tf": `variable "name" {}

resource "aws_s3_bucket" "this" {
  bucket = var.name
}
`,
	})
	res := lint(t, dir, analyzer.Options{})
	sameLines(t, "merged", lines(res), []string{
		"modules/bucket/main.tf:3 error test-bucket bucket x (via module.one in . and module.two in .)",
		"modules/bucket/main.tf:3 error test-bucket bucket y (via module.three in .)",
	})
	if len(res.Findings) == 2 && res.Findings[0].Fingerprint() == res.Findings[1].Fingerprint() {
		t.Error("findings of different calls share a fingerprint")
	}
	again := lint(t, dir, analyzer.Options{})
	for i := range again.Findings {
		if i < len(res.Findings) && again.Findings[i].Fingerprint() != res.Findings[i].Fingerprint() {
			t.Errorf("fingerprint of %q changed between runs", res.Findings[i].Message)
		}
	}

	// The same message also reported without a call: no "via".
	both := &analyzer.Rule{ID: "test-both", Family: analyzer.FamilyTags, Severity: analyzer.Note, Doc: doc("Both"),
		Run: func(pass *analyzer.Pass) error {
			for _, in := range pass.Instances {
				for _, b := range in.Module.Resources {
					pass.Reportf(in, b, nil, "seen")
					pass.Report(analyzer.Finding{Range: b.DefRange, Module: b.Module.Dir, Address: b.Address(), Message: "seen"})
				}
			}
			return nil
		}}
	sameLines(t, "standalone", lines(lint(t, dir, analyzer.Options{Rules: []*analyzer.Rule{both}})), []string{"modules/bucket/main.tf:3 note test-both seen"})
}

// TestFingerprint: a fingerprint is rule, module, address and attribute:
// not the line, not the message.
func TestFingerprint(t *testing.T) {
	base := analyzer.Finding{RuleID: "r", Module: "m", Address: "aws_s3_bucket.a", Attribute: "tags", Message: "one"}
	moved := base
	moved.Range.Start.Line, moved.Message = 40, "two"
	other := base
	other.Attribute = "acl"
	if base.Fingerprint() != moved.Fingerprint() {
		t.Error("moving a finding or rewording it changed its fingerprint")
	}
	if base.Fingerprint() == other.Fingerprint() || len(base.Fingerprint()) != 32 {
		t.Errorf("fingerprints %s and %s", base.Fingerprint(), other.Fingerprint())
	}
	fs := []*analyzer.Finding{
		{RuleID: "b", Message: "m"}, {RuleID: "a", Message: "m"},
	}
	fs[0].Range.Filename, fs[1].Range.Filename = "a.tf", "a.tf"
	analyzer.SortFindings(fs)
	if fs[0].RuleID != "a" {
		t.Error("findings at one place sort by rule")
	}
}

// TestPlanAndStaticFindings: where a plan finding of a rule covers a block,
// the rule's static finding there is dropped (the plan's values are the
// real ones); plan findings point at the resource block through module
// calls and name the address. The plan is real `terraform show -json`
// output (fixtures/plans).
func TestPlanAndStaticFindings(t *testing.T) {
	dir, _ := filepath.Abs("../fixtures/plans/tags-required/child-modules")
	data, err := os.ReadFile(filepath.Join(dir, "plan.json"))
	if err != nil {
		t.Fatal(err)
	}
	plan, err := tfplan.ParsePlanJSON(data, "plan.json")
	if err != nil {
		t.Fatal(err)
	}
	rule := *bucketRule
	rule.Plan = func(pass *analyzer.Pass) error {
		for _, r := range pass.PlanResources() {
			if r.Type == "aws_s3_bucket" && r.Scope != nil {
				pass.ReportPlan(r, "", analyzer.Finding{Message: "planned"})
			}
		}
		return nil
	}
	rules := []*analyzer.Rule{&rule}
	static := lines(lint(t, dir, analyzer.Options{Rules: rules}))
	res := lint(t, dir, analyzer.Options{Rules: rules, Plan: plan, PlanRoot: "."})
	var planned, kept int
	for _, f := range res.Findings {
		switch f.Source {
		case "plan":
			planned++
			if !strings.HasSuffix(f.Message, " planned (values from the plan)") || !strings.HasPrefix(f.Message, "`") || f.Range.Filename == "plan.json" {
				t.Errorf("plan finding: %s", line(f))
			}
		case "config":
			kept++
		}
	}
	if planned == 0 || kept >= len(static) {
		t.Errorf("%d plan findings, %d of %d static findings kept:\n  %s", planned, kept, len(static), strings.Join(lines(res), "\n  "))
	}
	for _, f := range res.Findings {
		if f.Source != "config" {
			continue
		}
		for _, g := range res.Findings {
			if g.Source == "plan" && g.Range == f.Range {
				t.Errorf("static %q kept beside plan %q", line(f), line(g))
			}
		}
	}

	// Plan only: no configuration, findings point into the plan JSON.
	ponly := analyzer.RunRules(&model.Project{}, &eval.Result{}, []analyzer.ActiveRule{{Rule: &rule, Severity: rule.Severity}}, analyzer.Options{Rules: rules, Plan: plan, PlanOnly: true, Now: now})
	if len(ponly.Findings) != planned {
		t.Errorf("plan only: %d findings, want %d", len(ponly.Findings), planned)
	}
	for _, f := range ponly.Findings {
		if f.Range.Filename != "plan.json" || f.Range.Start.Line < 2 {
			t.Errorf("plan only: %s", line(f))
		}
	}
}

// TestRuleFailures: a rule that panics or errs is a notification; the
// other rules' findings stand.
func TestRuleFailures(t *testing.T) {
	dir := write(t, map[string]string{"main.tf": "resource \"aws_s3_bucket\" \"a\" {\n  bucket = \"a\"\n}\n"})
	panics := &analyzer.Rule{ID: "test-panics", Family: analyzer.FamilyTags, Severity: analyzer.Error, Doc: doc("Panics"),
		Run: func(*analyzer.Pass) error { panic("boom") }}
	errs := &analyzer.Rule{ID: "test-errs", Family: analyzer.FamilyTags, Severity: analyzer.Error, Doc: doc("Errs"),
		Run: func(*analyzer.Pass) error { return fmt.Errorf("no such option") }}
	res := lint(t, dir, analyzer.Options{Rules: []*analyzer.Rule{bucketRule, panics, errs}})
	sameLines(t, "findings", lines(res), []string{"main.tf:1 error test-bucket bucket a"})
	if len(res.Notifications) != 2 || res.Notifications[0].Message != "rule test-errs failed: no such option" ||
		!strings.HasPrefix(res.Notifications[1].Message, "rule test-panics failed: panic: boom") || res.Notifications[1].Level != "error" {
		t.Errorf("notifications: %+v", res.Notifications)
	}
}

// TestExternalModuleAnchor: a finding inside a module outside the working
// directory moves to the module call that reaches it.
func TestExternalModuleAnchor(t *testing.T) {
	root := write(t, map[string]string{
		"work/main.tf": "module \"ext\" {\n  source = \"../ext\"\n}\n",
		"ext/main.tf":  "resource \"aws_s3_bucket\" \"this\" {\n  bucket = \"ext\"\n}\n",
	})
	res := lint(t, filepath.Join(root, "work"), analyzer.Options{})
	sameLines(t, "anchored", lines(res), []string{`main.tf:1 error test-bucket in module "ext" (../ext/main.tf:1): bucket ext (via module.ext in .)`})
	if len(res.Findings) == 1 && res.Findings[0].Address != "module.ext/aws_s3_bucket.this" {
		t.Errorf("address %s", res.Findings[0].Address)
	}
}

func TestRuleValidate(t *testing.T) {
	ok := *bucketRule
	for _, tc := range []struct {
		edit func(r *analyzer.Rule)
		want string
	}{
		{func(r *analyzer.Rule) {}, ""},
		{func(r *analyzer.Rule) { r.ID = "Test_Bucket" }, "is not kebab-case"},
		{func(r *analyzer.Rule) { r.Severity = 0 }, "invalid default severity"},
		{func(r *analyzer.Rule) { r.StrictSeverity = 9 }, "invalid strict severity"},
		{func(r *analyzer.Rule) { r.Run = nil }, "no Run or Plan function and no Command"},
		{func(r *analyzer.Rule) { r.IgnoreDirectives = true }, "the framework reports ignore directives"},
		{func(r *analyzer.Rule) { r.Doc.Why = "" }, "docs need a title, a why and a fix"},
		{func(r *analyzer.Rule) { r.Options = []analyzer.Option{{Name: "severity", Type: cty.String}} }, `option "severity" defined twice or reserved`},
	} {
		r := ok
		tc.edit(&r)
		err := r.Validate()
		if (tc.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%q: %v", tc.want, err)
		}
	}
	if err := ignoresRule.Validate(); err != nil {
		t.Errorf("a rule the framework reports for needs no Run: %v", err)
	}
	if !strings.Contains(analyzer.RuleMarkdown(bucketRule), "# tfgate:ignore test-bucket <why this is fine>") {
		t.Error("the rule page shows how to suppress")
	}
}

// TestRun: a whole run from paths: the config's options reach the rule
// (defaults otherwise), the problems of loading and evaluating are the
// pass's, provider requirements are shared, and every phase is timed.
func TestRun(t *testing.T) {
	dir := write(t, map[string]string{
		"live/.tfgate.hcl": `rule "test-options" {
  names = ["a", "b"]
  loud  = true
  limit = 3 # the default, but set
}
`,
		"live/main.tf": `terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}

locals {
  a = local.b
  b = local.a
}

resource "google_storage_bucket" "x" {}
`,
		"live/broken.tf": "resource \"aws_s3_bucket\" {\n",
	})
	var got []string
	rule := &analyzer.Rule{ID: "test-options", Family: analyzer.FamilyTags, Severity: analyzer.Note, Doc: doc("Options reach the rule"),
		Options: []analyzer.Option{
			{Name: "names", Type: cty.List(cty.String), Default: cty.ListValEmpty(cty.String), Doc: "names"},
			{Name: "limit", Type: cty.Number, Default: cty.NumberIntVal(3), Doc: "a limit"},
			{Name: "loud", Type: cty.Bool, Default: cty.False, Doc: "loud"},
			{Name: "unset", Type: cty.Number, Default: cty.NullVal(cty.Number), Doc: "not set"},
		},
		Run: func(pass *analyzer.Pass) error {
			limit, _ := pass.NumberOption("limit")
			_, unset := pass.NumberOption("unset")
			got = append(got, fmt.Sprintf("names=%v limit=%v loud=%v unset=%v", pass.StringsOption("names"), limit, pass.BoolOption("loud"), unset))
			got = append(got, fmt.Sprintf("set: names=%v limit=%v loud=%v unset=%v", pass.OptionSet("names"), pass.OptionSet("limit"), pass.OptionSet("loud"), pass.OptionSet("unset")))
			func() {
				defer func() {
					if recover() == nil {
						t.Error("OptionSet of an option the rule does not have does not panic")
					}
				}()
				pass.OptionSet("nope")
			}()
			for _, pr := range pass.Problems() {
				got = append(got, fmt.Sprintf("problem %s:%d %s", pr.Range.Filename, pr.Range.Start.Line, strings.SplitN(pr.Message, ":", 2)[0]))
			}
			for _, m := range pass.Project.Modules {
				for _, r := range pass.ProviderRequirements(m) {
					got = append(got, fmt.Sprintf("provider %s %s", r.Name, r.Address))
				}
				if &pass.ProviderRequirements(m)[0] != &pass.ProviderRequirements(m)[0] {
					t.Error("provider requirements are computed again")
				}
			}
			return nil
		}}
	cfgPath := analyzer.FindConfig(dir, "live/main.tf")
	if cfgPath != filepath.Join(dir, "live", ".tfgate.hcl") {
		t.Fatalf("FindConfig: %q", cfgPath)
	}
	if p := analyzer.FindConfig(t.TempDir(), "."); p != "" {
		t.Errorf("FindConfig without one: %q", p)
	}
	cfg, err := analyzer.ParseConfig(cfgPath, "live/.tfgate.hcl", []*analyzer.Rule{rule})
	if err != nil {
		t.Fatal(err)
	}
	res, err := analyzer.Run(analyzer.Options{Load: load.LoadOptions{WorkDir: dir, Paths: []string{"live"}}, Rules: []*analyzer.Rule{rule}, Config: cfg, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	sameLines(t, "what the rule saw", got, []string{
		"names=[a b] limit=3 loud=true unset=false",
		"problem live/broken.tf:1 Unclosed configuration block",
		"problem live/main.tf:8 local values refer to each other in a cycle",
		"provider aws registry.terraform.io/hashicorp/aws",
		"provider google registry.terraform.io/hashicorp/google",
		"set: names=true limit=true loud=true unset=false",
	})
	var phases []string
	for _, p := range res.Timings {
		phases = append(phases, p.Phase)
	}
	sameLines(t, "phases", phases, []string{"scan", "parse", "modules", "evaluate", "rules"})
	if _, err := analyzer.Run(analyzer.Options{Load: load.LoadOptions{WorkDir: dir, Paths: []string{"nowhere"}}, Rules: []*analyzer.Rule{rule}}); err == nil || !strings.Contains(err.Error(), "cannot read nowhere") {
		t.Errorf("a missing path: %v", err)
	}
	if _, err := analyzer.Run(analyzer.Options{Rules: []*analyzer.Rule{rule}, Enable: []string{"nope"}}); err == nil {
		t.Error("an unknown rule is an error before loading")
	}
	for _, s := range []string{"error", "warning", "note"} {
		if sev, err := analyzer.ParseSeverity(s); err != nil || sev.String() != s {
			t.Errorf("severity %s: %v %v", s, sev, err)
		}
	}
	if _, err := analyzer.ParseSeverity("fatal"); err == nil {
		t.Error("fatal is no severity")
	}
}
