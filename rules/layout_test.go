package rules

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/tfgate/tfgate/analyzer"
	"github.com/tfgate/tfgate/analyzer/eval"
	"github.com/tfgate/tfgate/analyzer/load"
)

// layoutFindings runs one rule on one fixture case.
func layoutFindings(t *testing.T, rule *analyzer.Rule, dir string) []*analyzer.Finding {
	t.Helper()
	abs, _ := filepath.Abs(filepath.Join(fixturesDir, rule.ID, dir))
	p, err := load.Load(load.LoadOptions{Paths: []string{"."}, WorkDir: abs})
	if err != nil {
		t.Fatal(err)
	}
	res := analyzer.RunRules(p, eval.Instantiate(p, eval.Options{}), []analyzer.ActiveRule{{Rule: rule, Severity: rule.Severity}}, analyzer.Options{Rules: All()})
	if len(res.Findings) == 0 {
		t.Fatalf("%s/%s: no findings", rule.ID, dir)
	}
	return res.Findings
}

// The fixture harness checks messages; these check the severities the
// layout rules set per finding.
func TestLayoutSeverities(t *testing.T) {
	for _, f := range layoutFindings(t, layoutDocumentedInterface, "module-and-root") {
		want := analyzer.Warning
		if strings.HasPrefix(f.Module, "envs/") {
			want = analyzer.Note // root modules
		}
		if f.Severity != want {
			t.Errorf("%s:%d: %s: severity %s, want %s", f.Range.Filename, f.Range.Start.Line, f.Message, f.Severity, want)
		}
	}
	for _, f := range layoutFindings(t, layoutEnvironmentParity, "missing-module") {
		if f.Severity != analyzer.Note {
			t.Errorf("%s:%d: %s: severity %s, want note", f.Range.Filename, f.Range.Start.Line, f.Message, f.Severity)
		}
	}
	for _, f := range layoutFindings(t, layoutEnvironmentParity, "module-version-drift") {
		if f.Severity != analyzer.Warning {
			t.Errorf("%s:%d: %s: severity %s, want warning", f.Range.Filename, f.Range.Start.Line, f.Message, f.Severity)
		}
	}
}
