package rules

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/tfgate/tfgate/analyzer"
	"github.com/tfgate/tfgate/analyzer/eval"
	"github.com/tfgate/tfgate/analyzer/model"
	"github.com/tfgate/tfgate/analyzer/tfplan"
)

// FuzzPlan feeds arbitrary bytes to the plan reader (`tfgate plan FILE`:
// the input a pull request controls in CI): ParsePlanJSON, then, for what
// it accepts, every rule that checks plans, the plan-only way, with
// findings located through the position index. Nothing may panic — a
// rule's panic is caught and becomes an error notification, which this
// target treats as a failure — nor hang. Its seeds are the plan fixtures
// (fixtures/plans: real `terraform show -json` output), each also with a
// byte order mark, as UTF-16, indented and truncated; `go test
// -fuzz=FuzzPlan ./rules` runs it (./test.sh, briefly); failing inputs
// land in rules/testdata/fuzz/FuzzPlan.
func FuzzPlan(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join(planFixturesDir, "*", "*", "plan.json"))
	for _, p := range seeds {
		data, err := os.ReadFile(p)
		if err != nil || len(data) > 24<<10 {
			continue // large seeds slow every mutation
		}
		f.Add(data)
		f.Add(append([]byte("\xef\xbb\xbf"), data...))
		f.Add(data[:len(data)*2/3])
		var indented bytes.Buffer
		if json.Indent(&indented, data, "", "  ") == nil {
			f.Add(indented.Bytes())
		}
		u := utf16.Encode([]rune(string(data)))
		b := []byte{0xff, 0xfe}
		for _, c := range u {
			b = append(b, byte(c), byte(c>>8))
		}
		f.Add(b)
	}
	for _, s := range []string{
		"", "{}", "[]", "\xef\xbb\xbf{", `{"format_version": "1.2"}`,
		`{"format_version": "1.2", "resource_changes": [{"address": "a.b", "type": "a", "name": "b", "change": {"actions": ["create"], "after": {"tags": {"team": null}}}}]}`,
		`{"format_version": "1.2", "planned_values": {"root_module": {"child_modules": [{"child_modules": [{}]}]}}}`,
		`{"format_version": "1.2", "variables": {"db_password": {"value": "x"}}, "output_changes": {"o": {"actions": ["create"], "after": "x", "after_sensitive": false}}}`,
	} {
		f.Add([]byte(s))
	}
	var planRules []analyzer.ActiveRule
	for _, r := range All() {
		if r.Plan != nil {
			planRules = append(planRules, analyzer.ActiveRule{Rule: r, Severity: r.Severity})
		}
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte) {
		// A hang is a failure with its input, not a stalled fuzzer.
		done := make(chan struct{})
		go func() {
			defer close(done)
			fuzzPlanOnce(t, data, planRules, now)
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("no result after 10s for a %d-byte plan", len(data))
		}
	})
}

func fuzzPlanOnce(t *testing.T, data []byte, planRules []analyzer.ActiveRule, now time.Time) {
	{
		plan, err := tfplan.ParsePlanJSON(data, "plan.json")
		if err != nil {
			if strings.Contains(err.Error(), "panic") {
				t.Errorf("parse: %v", err)
			}
			return
		}
		res := analyzer.RunRules(&model.Project{}, &eval.Result{}, planRules, analyzer.Options{Rules: All(), Plan: plan, PlanOnly: true, Now: now})
		for _, n := range res.Notifications {
			if n.Level == "error" {
				t.Errorf("%s", n.Message)
			}
		}
		if plan.JSON != nil {
			for _, rc := range plan.JSON.ResourceChanges {
				if rc != nil {
					plan.ResourceLocation(rc.Address)
				}
			}
			for k := range plan.JSON.Variables {
				plan.KeyLocation("variables", k)
			}
		}
	}
}
