package rules

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/tfgate/tfgate/analyzer/analyzertest"
)

const planFixturesDir = "../fixtures/plans"

// TestPlanRules runs every rule that checks plans against its plan
// fixtures: fixtures/plans/<rule-id>/<case>/ with plan.json beside the
// configuration it was made from.
func TestPlanRules(t *testing.T) {
	for _, r := range All() {
		r := r
		if r.Plan == nil {
			continue
		}
		t.Run(r.ID, func(t *testing.T) {
			dir := filepath.Join(planFixturesDir, r.ID)
			if _, err := os.Stat(dir); err != nil {
				t.Fatalf("rule %s checks plans but has no plan fixtures: %v", r.ID, err)
			}
			if n := analyzertest.RunPlan(t, r, All(), dir); n == 0 {
				t.Errorf("plan fixtures of %s expect no finding at all: add a case that the rule must flag", r.ID)
			}
		})
	}
}
