package analyzer

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/tfgate/tfgate/analyzer/load"
	"github.com/tfgate/tfgate/analyzer/model"
	"github.com/tfgate/tfgate/analyzer/tfplan"
)

func TestAttributeKnown(t *testing.T) {
	var u any
	if err := json.Unmarshal([]byte(`{"id": true, "tags_all": {"owner": true}, "tags": {}, "scaling_config": [{"max_size": false}]}`), &u); err != nil {
		t.Fatal(err)
	}
	for attr, want := range map[string]bool{
		"tags":                    false, // tags_all is partly unknown: the plan cannot judge the tags
		"scaling_config.max_size": true,
		"min_size":                true,  // not marked: known
		"":                        false, // the whole resource: id is unknown
	} {
		if got := attributeKnown(u, attr); got != want {
			t.Errorf("attributeKnown(%q) = %v, want %v", attr, got, want)
		}
	}
}

// TestPlanAgrees matches a plan's variables with environments' tfvars.
func TestPlanAgrees(t *testing.T) {
	dir := t.TempDir()
	file := func(name, src string) *model.File {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		f, err := load.LoadFile(p, dir)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	plan := &tfplan.Plan{JSON: &tfjson.Plan{Variables: map[string]*tfjson.PlanVariable{
		"min_size": {Value: float64(3)},
		"tags":     {Value: map[string]any{"env": "prod", "team": "core"}},
		"enabled":  {Value: true},
	}}}
	for _, c := range []struct {
		src  string
		want bool
	}{
		{"min_size = 3\ntags = { env = \"prod\", team = \"core\" }\n", true},
		{"min_size = \"3\"\nenabled = \"true\"\n", true}, // converted to the variable's type by Terraform
		{"min_size = 4\n", false},
		{"tags = { env = \"dev\", team = \"core\" }\n", false},
		{"region = \"eu-west-1\"\n", true}, // not a variable the plan records
	} {
		env := &model.Environment{Name: "x", Files: []*model.File{file("x.tfvars", c.src)}}
		if got := planAgrees(plan, env); got != c.want {
			t.Errorf("planAgrees(%q) = %v, want %v", c.src, got, c.want)
		}
	}
}
