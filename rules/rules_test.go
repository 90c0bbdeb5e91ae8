package rules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tfgate/tfgate/analyzer"
	"github.com/tfgate/tfgate/analyzer/analyzertest"
)

const fixturesDir = "../fixtures/rules"

// TestRules runs every rule against its fixtures.
func TestRules(t *testing.T) {
	for _, r := range All() {
		r := r
		if r.Run == nil && !r.IgnoreDirectives {
			continue // plan and drift rules have their own end-to-end tests
		}
		t.Run(r.ID, func(t *testing.T) {
			n := analyzertest.Run(t, r, All(), filepath.Join(fixturesDir, r.ID))
			if n == 0 {
				t.Errorf("fixtures of %s expect no finding at all: add a case that the rule must flag", r.ID)
			}
		})
	}
}

// TestRegistry checks that every rule is well formed and has docs, a
// fixture directory and a generated page.
func TestRegistry(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range All() {
		if err := r.Validate(); err != nil {
			t.Error(err)
		}
		if seen[r.ID] {
			t.Errorf("rule %s registered twice", r.ID)
		}
		seen[r.ID] = true
		if r.Doc.Bad == "" || r.Doc.Good == "" {
			t.Errorf("rule %s: docs need a bad and a good example", r.ID)
		}
		if strings.HasSuffix(r.Doc.Title, ".") {
			t.Errorf("rule %s: title ends with a period", r.ID)
		}
		if _, err := os.Stat(filepath.Join(fixturesDir, r.ID)); err != nil {
			// A rule that only checks plans has its cases in fixtures/plans.
			if _, perr := os.Stat(filepath.Join(planFixturesDir, r.ID)); r.Run != nil || r.Plan == nil || perr != nil {
				t.Errorf("rule %s has no fixtures: %v", r.ID, err)
			}
		}
		if _, err := os.Stat(filepath.Join("../docs/rules", r.ID+".md")); err != nil {
			t.Errorf("rule %s has no doc page (run go generate ./rules): %v", r.ID, err)
		}
	}
}

// TestDocsUpToDate fails when docs/rules is stale.
func TestDocsUpToDate(t *testing.T) {
	want := GenerateDocs(All())
	for name, content := range want {
		got, err := os.ReadFile(filepath.Join("../docs/rules", name))
		if err != nil || string(got) != content {
			t.Errorf("docs/rules/%s needs updating. Run: go generate ./rules", name)
		}
	}
	ents, _ := os.ReadDir("../docs/rules")
	for _, e := range ents {
		if _, ok := want[e.Name()]; !ok {
			t.Errorf("docs/rules/%s belongs to no rule. Run: go generate ./rules", e.Name())
		}
	}
}

var _ = analyzer.Error
