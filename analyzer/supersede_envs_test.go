package analyzer_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tfgate/tfgate/analyzer"
	"github.com/tfgate/tfgate/analyzer/model"
	"github.com/tfgate/tfgate/analyzer/tfplan"
	"github.com/zclconf/go-cty/cty"
)

// envTagRule reports every aws_s3_bucket whose tags lack `environment`,
// statically when the keys are known and on the plan when the planned
// tags are wholly known: a small tags-required with a Run and a Plan.
var envTagRule = &analyzer.Rule{
	ID: "test-env-tag", Family: analyzer.FamilyTags, Severity: analyzer.Error, Doc: doc("Buckets name their environment"),
	Run: func(pass *analyzer.Pass) error {
		for _, in := range pass.Instances {
			for _, b := range in.Module.Resources {
				if b.Type != "resource" || b.Labels[0] != "aws_s3_bucket" {
					continue
				}
				for _, s := range in.Scopes(b) {
					v, a := s.Attr("tags")
					c, _ := s.Attr("content")
					content, _ := model.KnownString(c)
					switch {
					case a == nil:
						pass.Reportf(in, b, nil, "%s sets no tags", content)
					case v.IsKnown() && !v.IsNull() && !hasKey(v, "environment"):
						pass.Reportf(in, b, a, "%s lacks environment", content)
					}
				}
			}
		}
		return nil
	},
	Plan: func(pass *analyzer.Pass) error {
		for _, r := range pass.PlanResources() {
			if r.Type != "aws_s3_bucket" || r.Scope == nil {
				continue
			}
			c, _ := r.Scope.Attr("content")
			content, _ := model.KnownString(c)
			if v, _ := r.Scope.Attr("tags"); v.IsWhollyKnown() && !v.IsNull() && !hasKey(v, "environment") {
				pass.ReportPlan(r, "tags", analyzer.Finding{Message: content + " lacks environment"})
			}
		}
		return nil
	},
}

func hasKey(v cty.Value, key string) bool {
	for it := v.ElementIterator(); it.Next(); {
		k, _ := it.Element()
		if k.Type() == cty.String && k.AsString() == key {
			return true
		}
	}
	return false
}

// TestSupersede: with a real plan (analyzer/testdata/supersede/plan.json,
// made by OpenTofu with -var-file env/prod.tfvars and a -var for the tags),
// the static findings of the environment the plan was made in are dropped
// where the plan disproves them (logs) and replaced by the plan's where it
// confirms them (assets, module.store); they stay where the plan does not
// know the value (computed), does not contain the resource (archive),
// reaches the block through another call (module.spare), in another
// environment (dev, whose region the plan does not have) and in another
// root (other).
func TestSupersede(t *testing.T) {
	src, err := filepath.Abs("testdata/supersede")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "plan.json"))
	if err != nil {
		t.Fatal(err)
	}
	plan, err := tfplan.ParsePlanJSON(data, "plan.json")
	if err != nil {
		t.Fatal(err)
	}
	rules := []*analyzer.Rule{envTagRule}
	static := lint(t, dir, analyzer.Options{Rules: rules})
	sameLines(t, "static", lines(static), []string{
		"main.tf:39 error test-env-tag logs lacks environment (environments dev and prod)",
		"main.tf:46 error test-env-tag assets lacks environment (environments dev and prod)",
		"main.tf:56 error test-env-tag computed lacks environment (environments dev and prod)",
		"main.tf:66 error test-env-tag archive lacks environment (environments dev and prod)",
		"modules/store/main.tf:17 error test-env-tag spare lacks environment (via module.spare in .; environments dev and prod)",
		"modules/store/main.tf:17 error test-env-tag store lacks environment (via module.store in .; environments dev and prod)",
		"other/main.tf:2 error test-env-tag other sets no tags",
	})
	res := lint(t, dir, analyzer.Options{Rules: rules, Plan: plan, PlanRoot: "."})
	sameLines(t, "with the plan", lines(res), []string{
		"main.tf:39 error test-env-tag logs lacks environment (environment dev)", // prod's disproved
		"main.tf:43 error test-env-tag `aws_s3_bucket.assets`: assets lacks environment (values from the plan)",
		"main.tf:46 error test-env-tag assets lacks environment (environment dev)",             // prod's confirmed: the plan's above
		"main.tf:56 error test-env-tag computed lacks environment (environments dev and prod)", // tags unknown in the plan
		"main.tf:66 error test-env-tag archive lacks environment (environments dev and prod)",  // not in the plan
		"modules/store/main.tf:14 error test-env-tag `module.store.aws_s3_bucket.this`: store lacks environment (values from the plan) (via module.store in .)",
		"modules/store/main.tf:17 error test-env-tag spare lacks environment (via module.spare in .; environments dev and prod)",
		"modules/store/main.tf:17 error test-env-tag store lacks environment (via module.store in .; environment dev)",
		"other/main.tf:2 error test-env-tag other sets no tags", // another root
	})
	// Each environment's tfvars file is a related location.
	var related []string
	for _, f := range res.Findings {
		var rs []string
		for _, r := range f.Related {
			rs = append(rs, r.Range.Filename+": "+r.Message)
		}
		related = append(related, strings.Join(rs, ", "))
	}
	both := "env/dev.tfvars: environment dev of ., env/prod.tfvars: environment prod of ."
	sameLines(t, "related", related, []string{
		"env/dev.tfvars: environment dev of .", "", "env/dev.tfvars: environment dev of .", both, both, "", both,
		"env/dev.tfvars: environment dev of .", "",
	})
}
