package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/zclconf/go-cty/cty"

	"github.com/tfgate/tfgate/analyzer"
	"github.com/tfgate/tfgate/analyzer/eval"
	"github.com/tfgate/tfgate/analyzer/load"
	"github.com/tfgate/tfgate/analyzer/model"
)

var update = flag.Bool("update", false, "rewrite fixtures/report/golden.* from the current output")

const (
	fixtureDir = "../../fixtures/report"
	// The fake secrets planted in the fixture tree: no output may contain them.
	plantedSecret = "tfgate-FAKE-s3cr3t-9f8e7d"
	plantedToken  = "tfgate-FAKE-json-token-1a2b3c"
	plantedKey    = "ZmFrZS1rZXktZm9yLXRmZ2F0ZS1yZXBvcnQtZ29sZGVucw=="
)

var fixedMeta = Meta{
	ToolVersion: "1.2.3",
	WorkDir:     "/src/infra",
	CommandLine: "tfgate lint --format sarif .",
	Start:       time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC),
	End:         time.Date(2026, 6, 1, 12, 0, 1, 250_000_000, time.UTC),
}

func testDoc(title string) analyzer.Doc {
	return analyzer.Doc{
		Title: title,
		Why:   "Fixture rule for the reporter tests: `" + title + "`. See [the style guide](https://example.com/style).",
		Fix:   "Nothing to fix: the rule exists only in `report_test.go`.",
		Bad:   `resource "aws_s3_bucket" "b" {}`,
	}
}

// Test-only rules: each reports something deterministic in fixtures/report/tree.
var (
	ruleBackend = &analyzer.Rule{
		ID: "test-remote-backend", Family: analyzer.FamilyState, Severity: analyzer.Error,
		Doc: testDoc("Root modules keep state in a remote backend"),
		Run: func(pass *analyzer.Pass) error {
			for _, m := range pass.Project.Modules {
				for _, b := range m.Backends {
					if m.Kind != model.Root || b.Type != "backend" || b.Labels[0] != "local" {
						continue
					}
					f := analyzer.Finding{Range: b.Range, Module: m.Dir, Address: b.Address(),
						Message: fmt.Sprintf("root module `%s` keeps its state in the `local` backend", m.Name())}
					if a := b.Attr("path"); a != nil {
						f.Related = []analyzer.Related{{Range: a.Range, Message: "state is written to this file"}}
					}
					pass.Report(f)
				}
			}
			return nil
		},
	}
	rulePin = &analyzer.Rule{
		ID: "test-pin-module", Family: analyzer.FamilyPinning, Severity: analyzer.Warning,
		Doc: testDoc("Git module sources are pinned to a ref"),
		Run: func(pass *analyzer.Pass) error {
			for _, m := range pass.Project.Modules {
				for _, c := range m.ModuleCalls {
					if strings.HasPrefix(c.Source, "git::") && !strings.Contains(c.Source, "ref=") {
						pass.Reportf(nil, c.Block, c.Block.Attr("source"), "module `%s` source is not pinned to a ref", c.Name)
					}
				}
			}
			return nil
		},
	}
	ruleTags = &analyzer.Rule{
		ID: "test-required-tags", Family: analyzer.FamilyTags, Severity: analyzer.Note,
		Doc: testDoc("Buckets carry tags"),
		Run: func(pass *analyzer.Pass) error {
			for _, in := range pass.Instances {
				for _, b := range in.Module.Resources {
					if b.Type == "resource" && b.Labels[0] == "aws_s3_bucket" && b.Attr("tags") == nil {
						pass.Reportf(in, b, nil, "resource `%s` has no `tags`", b.Address())
					}
				}
			}
			return nil
		},
	}
	ruleSecret = &analyzer.Rule{
		ID: "test-plaintext-secret", Family: analyzer.FamilySecrets, Severity: analyzer.Error, Security: true,
		Doc: testDoc("Credentials are not written in plain text"),
		Run: func(pass *analyzer.Pass) error {
			for _, f := range pass.Project.VarFiles() {
				for name, a := range eval.TFVarsAttrs(f) {
					if strings.Contains(name, "password") || strings.Contains(name, "token") {
						pass.Report(analyzer.Finding{Range: a.Range, Secret: true, Module: f.Module.Dir, Address: "var." + name, Attribute: name,
							Message: fmt.Sprintf("`%s` is set in plain text in %s", name, f.Path)})
					}
				}
			}
			for _, m := range pass.Project.Modules {
				for _, l := range m.Locals {
					if strings.HasSuffix(l.Name, "_key") {
						pass.Report(analyzer.Finding{Range: l.Attr.Range, Secret: true, Module: m.Dir, Address: "local." + l.Name, Attribute: l.Name,
							Message: fmt.Sprintf("local `%s` holds a private key in plain text", l.Name)})
					}
				}
			}
			return nil
		},
	}
	ruleSensitive = &analyzer.Rule{
		ID: "test-sensitive-tfvars", Family: analyzer.FamilySecrets, Severity: analyzer.Note,
		Doc: testDoc("Sensitive variables are not set in committed files"),
		Run: func(pass *analyzer.Pass) error {
			for _, f := range pass.Project.VarFiles() {
				for name, a := range eval.TFVarsAttrs(f) {
					v := f.Module.Variable(name)
					if v == nil {
						continue
					}
					sa := v.Attr("sensitive")
					if sa == nil {
						continue
					}
					if s, diags := sa.Expr.Value(nil); !diags.HasErrors() && s.Type() == cty.Bool && s.True() {
						pass.Report(analyzer.Finding{Range: a.NameRange, Module: f.Module.Dir, Address: "var." + name, Attribute: name,
							Message: fmt.Sprintf("sensitive variable `%s` is assigned in %s", name, f.Path)})
					}
				}
			}
			return nil
		},
	}
	ruleBroken = &analyzer.Rule{
		ID: "test-broken", Family: analyzer.FamilyTool, Severity: analyzer.Warning,
		Doc: testDoc("Always fails"),
		Run: func(*analyzer.Pass) error { return errors.New("fixture: this rule always fails") },
	}
	testRules = []*analyzer.Rule{ruleBackend, rulePin, ruleTags, ruleSecret, ruleSensitive, ruleBroken}
)

// fixtureResult lints fixtures/report/tree with the test rules, with one
// finding accepted by a baseline.
func fixtureResult(t testing.TB) *analyzer.Result {
	t.Helper()
	abs, err := filepath.Abs(filepath.Join(fixtureDir, "tree"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := load.Load(load.LoadOptions{Paths: []string{"."}, WorkDir: abs})
	if err != nil {
		t.Fatal(err)
	}
	ev := eval.Instantiate(p, eval.Options{})
	var active []analyzer.ActiveRule
	for _, r := range testRules {
		if err := r.Validate(); err != nil {
			t.Fatal(err)
		}
		active = append(active, analyzer.ActiveRule{Rule: r, Severity: r.Severity})
	}
	sort.Slice(active, func(i, j int) bool { return active[i].ID < active[j].ID })
	accepted := (&analyzer.Finding{RuleID: "test-pin-module", Module: ".", Address: "module.dns", Attribute: "source"}).Fingerprint()
	res := analyzer.RunRules(p, ev, active, analyzer.Options{
		Rules:    testRules,
		Baseline: &analyzer.Baseline{Path: ".tfgate-baseline.json", Fingerprints: map[string]bool{accepted: true}},
		Now:      fixedMeta.Start,
	})
	return res
}

func render(t testing.TB, format string, res *analyzer.Result, meta Meta) []byte {
	t.Helper()
	out, err := Render(format, res, meta)
	if err != nil {
		t.Fatalf("Render(%s): %v", format, err)
	}
	return out
}

// TestFixtureFindings pins what the fixture exercises, so that a change in
// the engine shows up here rather than as an unexplained golden diff.
func TestFixtureFindings(t *testing.T) {
	res := fixtureResult(t)
	var got []string
	for _, f := range res.Findings {
		s := fmt.Sprintf("%s:%d-%d %s %s", f.Range.Filename, f.Range.Start.Line, f.Range.End.Line, f.Severity, f.RuleID)
		if f.Secret {
			s += " secret"
		}
		if len(f.Via) > 0 {
			s += " via"
		}
		if len(f.Related) > 0 {
			s += " related"
		}
		if f.Suppression != nil {
			s += " suppressed:" + f.Suppression.Kind
		}
		got = append(got, s)
	}
	want := []string{
		"main.tf:8-11 error test-remote-backend related",
		"main.tf:38-38 warning test-pin-module",
		"main.tf:42-42 warning test-pin-module suppressed:external",
		"main.tf:46-46 note test-required-tags suppressed:inSource",
		"main.tf:50-50 note test-required-tags",
		"main.tf:55-59 error test-plaintext-secret secret",
		"modules/app/main.tf:5-5 note test-required-tags via",
		"secrets.auto.tfvars.json:2-2 error test-plaintext-secret secret",
		"secrets.auto.tfvars.json:2-2 note test-sensitive-tfvars",
		"terraform.tfvars:2-2 error test-plaintext-secret secret",
		"terraform.tfvars:2-2 note test-sensitive-tfvars",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("fixture findings changed:\n got:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	if len(res.Notifications) != 1 || res.Notifications[0].Level != "error" {
		t.Errorf("notifications = %+v, want the failure of test-broken", res.Notifications)
	}
}

func TestGoldens(t *testing.T) {
	res := fixtureResult(t)
	for _, format := range Formats {
		t.Run(format, func(t *testing.T) {
			got := render(t, format, res, fixedMeta)
			path := filepath.Join(fixtureDir, "golden."+format)
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./analyzer/report/ -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s output differs from %s (run go test ./analyzer/report/ -update and review the diff):\n%s", format, path, firstDiff(string(want), string(got)))
			}
		})
	}
}

func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return fmt.Sprintf("line %d:\n want: %q\n  got: %q", i+1, w, g)
		}
	}
	return "(no line differs)"
}

func compileSchema(t testing.TB, path string) *jsonschema.Schema {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return compileSchemaBytes(t, path, data)
}

func compileSchemaBytes(t testing.TB, name string, data []byte) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	url := "file:///" + filepath.ToSlash(filepath.Base(name))
	if err := c.AddResource(url, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(url)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return s
}

func validate(t testing.TB, s *jsonschema.Schema, what string, data []byte) {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s is not JSON: %v", what, err)
	}
	if err := s.Validate(inst); err != nil {
		t.Errorf("%s does not validate: %v", what, err)
	}
}

func sarifSchema(t testing.TB) *jsonschema.Schema {
	return compileSchema(t, filepath.Join("testdata", "sarif-schema-2.1.0.json"))
}

func TestSARIFSchema(t *testing.T) {
	s := sarifSchema(t)
	golden, err := os.ReadFile(filepath.Join(fixtureDir, "golden.sarif"))
	if err != nil {
		t.Fatal(err)
	}
	validate(t, s, "golden.sarif", golden)
	validate(t, s, "SARIF of the fixture", render(t, "sarif", fixtureResult(t), fixedMeta))
	validate(t, s, "SARIF of a generated result", render(t, "sarif", generated(2000, 500, 500, 3), Meta{}))
	validate(t, s, "SARIF of edge cases", render(t, "sarif", edgeCases(), Meta{ToolVersion: "v2.0.0-rc.1", WorkDir: `C:\work\infra repo`, Category: "tfgate/prod/"}))
}

func TestJSONSchema(t *testing.T) {
	s := compileSchemaBytes(t, "tfgate-report.schema.json", JSONSchema)
	golden, err := os.ReadFile(filepath.Join(fixtureDir, "golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	validate(t, s, "golden.json", golden)
	validate(t, s, "json of a generated result", render(t, "json", generated(50, 50, 50, 2), Meta{}))
	validate(t, s, "json of edge cases", render(t, "json", edgeCases(), Meta{}))
}

// generated builds a result of many findings over a few synthetic files,
// errors first in each file so that file order and severity order differ.
func generated(errs, warns, notes, related int) *analyzer.Result {
	res := &analyzer.Result{Files: map[string]*model.File{}}
	var lines []string
	for i := 0; i < 200; i++ {
		lines = append(lines, fmt.Sprintf("resource \"null_resource\" \"r%d\" {}", i))
	}
	src := []byte(strings.Join(lines, "\n") + "\n")
	for i := 0; i < 5; i++ {
		name := fmt.Sprintf("mod%d/main.tf", i)
		res.Files[name] = &model.File{Path: name, Kind: model.KindTF, Src: src}
	}
	for _, r := range []*analyzer.Rule{ruleBackend, rulePin, ruleTags} {
		res.Rules = append(res.Rules, analyzer.ActiveRule{Rule: r, Severity: r.Severity})
	}
	n := 0
	add := func(count int, rule *analyzer.Rule) {
		for i := 0; i < count; i++ {
			file := fmt.Sprintf("mod%d/main.tf", n%5)
			line := n%200 + 1
			rng := hcl.Range{Filename: file, Start: hcl.Pos{Line: line, Column: 1, Byte: 0}, End: hcl.Pos{Line: line, Column: 10, Byte: 9}}
			f := &analyzer.Finding{RuleID: rule.ID, Severity: rule.Severity, Message: fmt.Sprintf("finding %d", n), Range: rng, Module: fmt.Sprintf("mod%d", n%5),
				Address: fmt.Sprintf("null_resource.r%d", n), Source: "config"}
			for k := 0; k < related; k++ {
				f.Related = append(f.Related, analyzer.Related{Range: hcl.Range{Filename: file, Start: hcl.Pos{Line: k + 1, Column: 1}, End: hcl.Pos{Line: k + 1, Column: 2}}, Message: fmt.Sprintf("related %d", k)})
			}
			if n%97 == 0 {
				f.Suppression = &analyzer.Suppression{Kind: "external", Justification: "in baseline b.json"}
			}
			res.Findings = append(res.Findings, f)
			n++
		}
	}
	// Sorted by file and line, the severities interleave: the cap has to
	// pick by severity, not by position.
	add(notes, ruleTags)
	add(warns, rulePin)
	add(errs, ruleBackend)
	analyzer.SortFindings(res.Findings)
	return res
}

// edgeCases is a result with the awkward inputs: no file, no line, empty
// range, a byte order mark, wide characters, a file path that needs
// escaping, a rule that did not run, a control character in a message.
func edgeCases() *analyzer.Result {
	bom := "\xef\xbb\xbfpassword = \"hunter2-edge\"\nname = \"zürich 😀\" # x\n"
	res := &analyzer.Result{
		Files: map[string]*model.File{
			"dir with space/a.tfvars": {Path: "dir with space/a.tfvars", Kind: model.KindTFVars, Src: []byte(bom)},
		},
		Rules: []analyzer.ActiveRule{{Rule: ruleSecret, Severity: analyzer.Error}},
	}
	wide := hcl.Range{Filename: "dir with space/a.tfvars",
		Start: hcl.Pos{Line: 2, Column: 19, Byte: len("password = \"hunter2-edge\"\n") + len(`name = "zürich 😀"`) + 1},
		End:   hcl.Pos{Line: 2, Column: 22, Byte: len("password = \"hunter2-edge\"\n") + len(`name = "zürich 😀"`) + 4}}
	res.Findings = []*analyzer.Finding{
		{RuleID: "plan-only", Severity: analyzer.Warning, Message: "planned change to `aws_s3_bucket.x` has no file", Address: "aws_s3_bucket.x", Source: "plan"},
		{RuleID: "plan-only", Severity: analyzer.Note, Message: "file without a line", Range: hcl.Range{Filename: "plan.json"}, Source: "plan"},
		{RuleID: "test-plaintext-secret", Severity: analyzer.Error, Secret: true, Message: "secret\x1b[31m with escape",
			Range: hcl.Range{Filename: "dir with space/a.tfvars", Start: hcl.Pos{Line: 1, Column: 1, Byte: 0}, End: hcl.Pos{Line: 1, Column: 26, Byte: 25}}},
		{RuleID: "test-plaintext-secret", Severity: analyzer.Error, Message: "empty range",
			Range: hcl.Range{Filename: "dir with space/a.tfvars", Start: hcl.Pos{Line: 2, Column: 3, Byte: 28}, End: hcl.Pos{Line: 2, Column: 3, Byte: 28}}},
		{RuleID: "test-plaintext-secret", Severity: analyzer.Error, Message: "after wide characters", Range: wide},
	}
	return res
}

func TestEdgeCases(t *testing.T) {
	res := edgeCases()
	for _, format := range Formats {
		out := render(t, format, res, Meta{})
		if strings.Contains(string(out), "hunter2-edge") {
			t.Errorf("%s: secret leaked:\n%s", format, out)
		}
		if format != "json" && format != "sarif" && strings.Contains(string(out), "\x1b") {
			t.Errorf("%s: control character from a message reached the terminal:\n%s", format, out)
		}
	}
	var log sarifLog
	if err := json.Unmarshal(render(t, "sarif", res, Meta{WorkDir: `C:\work\infra repo`}), &log); err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	if got := run.OriginalURIBaseIDs[srcRoot].URI; got != "file:///C:/work/infra%20repo/" {
		t.Errorf("SRCROOT = %q", got)
	}
	if got := run.AutomationDetails.ID; got != defaultCategory {
		t.Errorf("automationDetails.id = %q, want the default %q", got, defaultCategory)
	}
	var prod sarifLog
	if err := json.Unmarshal(render(t, "sarif", res, Meta{Category: "tfgate/prod"}), &prod); err != nil {
		t.Fatal(err)
	}
	if got := prod.Runs[0].AutomationDetails.ID; got != "tfgate/prod/" {
		t.Errorf("automationDetails.id = %q, want the category with a trailing slash", got)
	}
	if got := run.Tool.Driver.SemanticVersion; got != "" {
		t.Errorf("semanticVersion of dev build = %q, want none", got)
	}
	byMsg := map[string]sarifResult{}
	for _, r := range run.Results {
		byMsg[r.Message.Text] = r
		if got := run.Tool.Driver.Rules[r.RuleIndex].ID; got != r.RuleID {
			t.Errorf("result %q: ruleIndex points at %s", r.Message.Text, got)
		}
	}
	if r := byMsg["empty range"].Locations[0].PhysicalLocation.Region; r.StartColumn != 3 || r.EndLine != 2 || r.EndColumn != 4 {
		t.Errorf("empty range region = %+v, want 2:3-2:4", *r)
	}
	if r := byMsg["after wide characters"].Locations[0].PhysicalLocation.Region; r.StartColumn != 20 || r.EndColumn != 23 {
		// `name = "zürich 😀"` is 17 characters but 18 UTF-16 code units.
		t.Errorf("UTF-16 columns = %d-%d, want 20-23", r.StartColumn, r.EndColumn)
	}
	if loc := byMsg["planned change to `aws_s3_bucket.x` has no file"].Locations[0]; loc.PhysicalLocation != nil || loc.LogicalLocations[0].FullyQualifiedName != "aws_s3_bucket.x" {
		t.Errorf("file-less finding location = %+v", loc)
	}
	if got := byMsg["file without a line"].Locations[0].PhysicalLocation; got.Region != nil || got.ArtifactLocation.URI != "plan.json" {
		t.Errorf("line-less finding location = %+v", got)
	}
	secret := byMsg["secret\x1b[31m with escape"].Locations[0].PhysicalLocation
	if secret.ArtifactLocation.URI != "dir%20with%20space/a.tfvars" || secret.ArtifactLocation.URIBaseID != srcRoot {
		t.Errorf("artifact location = %+v", secret.ArtifactLocation)
	}
	if got := secret.Region.Snippet.Text; got != "password = <redacted>\n" {
		t.Errorf("secret snippet = %q", got)
	}
	if got := run.Tool.Driver.Rules[len(run.Tool.Driver.Rules)-1]; got.ID != "plan-only" || got.Name != "PlanOnly" || got.DefaultConfiguration.Level != "warning" {
		t.Errorf("descriptor for a rule that did not run = %+v", got)
	}
}

func TestSARIFResultCap(t *testing.T) {
	const errs, warns, notes = 3000, 22050, 50
	res := generated(errs, warns, notes, 0)
	if len(res.Findings) != 25100 {
		t.Fatalf("generated %d findings", len(res.Findings))
	}
	meta := fixedMeta
	meta.SARIFSuppressed = true // the cap counts suppressed results too
	var warned []string
	meta.Warn = func(m string) { warned = append(warned, m) }
	out := render(t, "sarif", res, meta)
	if len(warned) != 1 || !strings.Contains(warned[0], "25100 findings exceed") {
		t.Errorf("warnings for stderr = %q, want the dropped results", warned)
	}
	var log sarifLog
	if err := json.Unmarshal(out, &log); err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	if len(run.Results) != maxSARIFResults {
		t.Fatalf("%d results, want %d", len(run.Results), maxSARIFResults)
	}
	levels := map[string]int{}
	for _, r := range run.Results {
		levels[r.Level]++
	}
	if levels["error"] != errs {
		t.Errorf("kept %d errors, want all %d", levels["error"], errs)
	}
	if levels["note"] != 0 || levels["warning"] != warns-50 {
		t.Errorf("kept %v, want the notes and 50 warnings dropped", levels)
	}
	// Results stay in file order.
	for i := 1; i < len(run.Results); i++ {
		a := run.Results[i-1].Locations[0].PhysicalLocation
		b := run.Results[i].Locations[0].PhysicalLocation
		if a.ArtifactLocation.URI > b.ArtifactLocation.URI || (a.ArtifactLocation.URI == b.ArtifactLocation.URI && a.Region.StartLine > b.Region.StartLine) {
			t.Fatalf("results out of file order at %d", i)
		}
	}
	var found bool
	for _, n := range run.Invocations[0].ToolExecutionNotifications {
		if n.Level == "warning" && strings.Contains(n.Message.Text, "25100 findings exceed") && strings.Contains(n.Message.Text, "(50 warnings, 50 notes)") {
			found = true
		}
	}
	if !found {
		t.Errorf("no notification about the dropped results: %+v", run.Invocations[0].ToolExecutionNotifications)
	}
	if !run.Invocations[0].ExecutionSuccessful {
		t.Error("dropping results made the run unsuccessful")
	}
	validate(t, sarifSchema(t), "capped SARIF", out)
}

func TestRelatedLocationCap(t *testing.T) {
	res := generated(1, 0, 0, 1500)
	var log sarifLog
	if err := json.Unmarshal(render(t, "sarif", res, Meta{SARIFSuppressed: true}), &log); err != nil {
		t.Fatal(err)
	}
	r := log.Runs[0].Results[0]
	if n := len(r.Locations) + len(r.RelatedLocations); n != maxLocations {
		t.Errorf("%d locations on a result, want %d", n, maxLocations)
	}
}

func TestSecretsNeverLeak(t *testing.T) {
	res := fixtureResult(t)
	for _, format := range Formats {
		for _, color := range []bool{false, true} {
			meta := fixedMeta
			meta.Color = color
			out := string(render(t, format, res, meta))
			for _, s := range []string{plantedSecret, plantedToken, plantedKey, "FAKE PRIVATE KEY", "s3cr3t"} {
				if strings.Contains(out, s) {
					t.Errorf("%s (color %v): output contains %q", format, color, s)
				}
			}
		}
	}
	// The masking is what hides them: the snippets are there, redacted.
	text := string(render(t, "text", res, fixedMeta))
	for _, want := range []string{
		`db_password = <redacted>`, // the secret's line
		`"api_token": <redacted>`,  // JSON: cut after the colon
		"  tls_key = <redacted>",   // first line of a heredoc
		"    <redacted>",           // inside the heredoc
	} {
		if !strings.Contains(text, want) {
			t.Errorf("text output lacks %q", want)
		}
	}
}

func TestMaskText(t *testing.T) {
	for _, c := range []struct {
		line string
		k    mask
		json bool
		want string
	}{
		{`  password = "x=y"`, maskValue, false, `  password = <redacted>`},
		{`  "token": "a:b",`, maskValue, true, `  "token": <redacted>`},
		{`    MIIEvQIBADANBgkqhkiG9w0BAQEFAASC`, maskValue, false, `    <redacted>`},
		{"\t\tkey = \"v\"", maskLine, false, "\t\t<redacted>"},
		{``, maskLine, false, `<redacted>`},
		{`creds = { password = "x" }`, maskValue, false, `creds = <redacted>`},
		{`{"token": "x"}`, maskValue, true, `{"token": <redacted>`},
		// The first separator is inside a value: nothing is kept.
		{`    "postgres://app:hunter2@db?sslmode=require",`, maskValue, false, `    <redacted>`},
		{`postgres://app:hunter2@db?sslmode=require`, maskValue, false, `<redacted>`},
		{`    "https://app:hunter2@host",`, maskValue, true, `    <redacted>`},
	} {
		if got, _ := maskText(c.line, c.k, c.json); got != c.want {
			t.Errorf("maskText(%q) = %q, want %q", c.line, got, c.want)
		}
	}
}

var ansi = regexp.MustCompile(`\x1b\[[0-9;]*m`)

func TestTextColor(t *testing.T) {
	res := fixtureResult(t)
	plain := render(t, "text", res, fixedMeta)
	if bytes.Contains(plain, []byte("\x1b")) {
		t.Error("text without Color contains escape sequences")
	}
	meta := fixedMeta
	meta.Color = true
	colored := render(t, "text", res, meta)
	for _, want := range []string{ansiRed + "error[test-remote-backend]", ansiYellow + "warning[test-pin-module]", ansiCyan + "note[test-required-tags]", ansiBold + "main.tf:8:3:"} {
		if !bytes.Contains(colored, []byte(want)) {
			t.Errorf("coloured text lacks %q", want)
		}
	}
	if got := ansi.ReplaceAll(colored, nil); !bytes.Equal(got, plain) {
		t.Errorf("coloured text differs from plain text beyond colour:\n%s", firstDiff(string(plain), string(got)))
	}
	if compact := render(t, "compact", res, meta); bytes.Contains(compact, []byte("\x1b")) {
		t.Error("compact output is coloured")
	}
}

func TestUnknownFormat(t *testing.T) {
	_, err := Render("xml", &analyzer.Result{}, Meta{})
	if err == nil || !strings.Contains(err.Error(), `"xml"`) || !strings.Contains(err.Error(), "text, compact, json, sarif") {
		t.Errorf("err = %v", err)
	}
}

func TestSummaryLine(t *testing.T) {
	res := &analyzer.Result{Files: map[string]*model.File{"a.tf": {}}}
	if got := summaryLine(res); got != "no findings in 1 file" {
		t.Errorf("empty: %q", got)
	}
	res.Findings = []*analyzer.Finding{
		{Severity: analyzer.Error}, {Severity: analyzer.Note},
		{Severity: analyzer.Note, Suppression: &analyzer.Suppression{Kind: "inSource"}},
	}
	if got := summaryLine(res); got != "1 error, 1 note in 1 file (1 suppressed: 1 by ignore comment)" {
		t.Errorf("got %q", got)
	}
}

func TestNames(t *testing.T) {
	for in, want := range map[string]string{"state-remote-backend": "StateRemoteBackend", "s3-tls-1": "S3Tls1", "x": "X"} {
		if got := pascalCase(in); got != want {
			t.Errorf("pascalCase(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"0.1.0": "0.1.0", "v1.2.3-rc.1+abc": "1.2.3-rc.1+abc", "dev": "", "1.2": "", "": ""} {
		if got := semanticVersion(in); got != want {
			t.Errorf("semanticVersion(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestSchemasRejectBadInput makes sure the schema checks above can fail.
func TestSchemasRejectBadInput(t *testing.T) {
	for _, c := range []struct {
		schema *jsonschema.Schema
		doc    string
	}{
		{sarifSchema(t), `{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "tfgate"}}, "results": [{"message": {"text": "x"}, "level": "fatal"}]}]}`},
		{sarifSchema(t), `{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "tfgate"}}, "results": [{"message": {"text": "x"}, "locations": [{"physicalLocation": {"region": {"startLine": 0}}}]}]}]}`},
		{compileSchemaBytes(t, "tfgate-report.schema.json", JSONSchema), `{"version": "1", "tool": {"name": "tfgate", "version": "1"}, "findings": [], "summary": {"errors": 0, "warnings": 0, "notes": 0, "suppressed": 0}, "notifications": []}`},
		{compileSchemaBytes(t, "tfgate-report.schema.json", JSONSchema), `{"version": "1", "tool": {"name": "tfgate", "version": "1"}, "findings": [{"rule": "x", "severity": "fatal"}], "summary": {"errors": 0, "warnings": 0, "notes": 0, "suppressed": 0, "files": 0}, "notifications": []}`},
	} {
		inst, err := jsonschema.UnmarshalJSON(strings.NewReader(c.doc))
		if err != nil {
			t.Fatal(err)
		}
		if c.schema.Validate(inst) == nil {
			t.Errorf("schema accepted %s", c.doc)
		}
	}
}

// TestCauses checks the grouping of text and markdown: one rule, one
// severity and one cause (Cause, else the message) are one problem; a
// suppressed finding is not a location of it.
func TestCauses(t *testing.T) {
	at := func(file string, line int) hcl.Range {
		return hcl.Range{Filename: file, Start: hcl.Pos{Line: line, Column: 1}, End: hcl.Pos{Line: line, Column: 2}}
	}
	fs := []*analyzer.Finding{
		{RuleID: "r", Severity: analyzer.Error, Message: "`a.x` lacks `team`", Cause: "lacks `team`", Range: at("a.tf", 1), Address: "a.x"},
		{RuleID: "r", Severity: analyzer.Error, Message: "same message", Range: at("a.tf", 2)},
		{RuleID: "r", Severity: analyzer.Error, Message: "`b.y` lacks `team`", Cause: "lacks `team`", Range: at("b.tf", 1), Address: "b.y", Via: []string{"module.b"}},
		{RuleID: "r", Severity: analyzer.Warning, Message: "`c.z` lacks `team`", Cause: "lacks `team`", Range: at("c.tf", 1)},
		{RuleID: "q", Severity: analyzer.Error, Message: "same message", Range: at("c.tf", 2)},
		{RuleID: "r", Severity: analyzer.Error, Message: "same message", Range: at("d.tf", 9)},
		{RuleID: "r", Severity: analyzer.Error, Message: "same message", Range: at("e.tf", 1), Suppression: &analyzer.Suppression{Kind: "inSource"}},
	}
	var got []string
	for _, c := range causes(fs) {
		var locs []string
		for _, f := range c.fs {
			locs = append(locs, locationLine(f))
		}
		got = append(got, fmt.Sprintf("%s %s %q: %s", c.first().RuleID, c.first().Severity, c.text, strings.Join(locs, ", ")))
	}
	want := []string{
		"r error \"lacks `team`\": a.tf:1:1 a.x, b.tf:1:1 b.y (via module.b)",
		"r error \"same message\": a.tf:2:1, d.tf:9:1",
		"r warning \"lacks `team`\": c.tf:1:1",
		"q error \"same message\": c.tf:2:1",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("causes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	table := ruleSummary(causes(fs), false)
	wantTable := "rule  errors  warnings  notes  causes\n" +
		"r          4         1      -       3\n" +
		"q          1         -      -       1\n"
	if table != wantTable {
		t.Errorf("rule summary:\n%s\nwant:\n%s", table, wantTable)
	}
}
