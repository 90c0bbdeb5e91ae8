package eval

import (
	"encoding/json"
	"strings"

	"github.com/hashicorp/hcl/v2"
	hcljson "github.com/hashicorp/hcl/v2/json"
	tfjson "github.com/hashicorp/terraform-json"
	"github.com/tfgate/tfgate/analyzer/model"
	"github.com/tfgate/tfgate/analyzer/tfplan"
	"github.com/zclconf/go-cty/cty"
)

// PlanResource is one resource instance change of a plan, with its
// after-values readable through the same Scope API as configuration, so a
// rule checks plan values with the code it uses for HCL.
type PlanResource struct {
	Change  *tfjson.ResourceChange
	Address string
	Type    string
	Name    string
	Mode    string // managed, data
	Actions tfjson.Actions
	// Where findings about it go: the resource block (or the module call
	// that hides it) when the configuration is known, else the plan JSON.
	Loc model.Located
	// Scope reads the after-values; nil for deletions. Values the plan
	// does not know yet (after_unknown) are unknown here too.
	Scope *Scope
}

const planUnknownVar = "tfgate_plan_unknown"

// PlanResources lists the plan's resource changes that have after-values
// (everything but pure deletions), mapped to source when root is given.
func PlanResources(p *model.Project, plan *tfplan.Plan, root *model.Module) []*PlanResource {
	var out []*PlanResource
	for _, rc := range plan.JSON.ResourceChanges {
		if rc == nil || rc.Change == nil {
			continue
		}
		pr := &PlanResource{Change: rc, Address: rc.Address, Type: rc.Type, Name: rc.Name, Mode: string(rc.Mode), Actions: rc.Change.Actions}
		pr.Loc = locatePlan(p, plan, root, rc.Address)
		if rc.Change.After != nil {
			pr.Scope = planScope(pr, rc.Change.After, rc.Change.AfterUnknown)
		}
		out = append(out, pr)
	}
	return out
}

func locatePlan(p *model.Project, plan *tfplan.Plan, root *model.Module, address string) model.Located {
	if p != nil && root != nil {
		if loc, ok := p.Locate(root, address); ok {
			return loc
		}
	}
	return model.Located{Range: plan.ResourceLocation(address)}
}

// planScope builds a Scope over after-values: the JSON is re-encoded as an
// HCL JSON body in which unknown leaves are a reference to an unknown
// variable and literal template sequences are escaped.
func planScope(pr *PlanResource, after, unknown any) *Scope {
	doc := encodePlanValue(after, unknown)
	obj, ok := doc.(map[string]any)
	if !ok {
		return nil
	}
	src, err := json.Marshal(obj)
	if err != nil {
		return nil
	}
	f, diags := hcljson.Parse(src, "plan:"+pr.Address)
	if diags.HasErrors() || f == nil {
		return nil
	}
	ctx := &hcl.EvalContext{Variables: map[string]cty.Value{planUnknownVar: cty.DynamicVal}}
	mod := pr.Loc.Module
	if mod == nil {
		mod = &model.Module{Dir: "."}
	}
	b := &model.Block{Type: "resource", Labels: []string{pr.Type, pr.Name}, Body: f.Body, DefRange: pr.Loc.Range, TypeRange: pr.Loc.Range, Range: pr.Loc.Range, Module: mod}
	if pr.Mode == "data" {
		b.Type = "data"
	}
	if pr.Loc.Block != nil {
		b.Range = pr.Loc.Block.Range
		b.File = pr.Loc.Block.File
	}
	in := &Instance{Module: mod, FromPlan: true, ctx: ctx}
	return &Scope{Inst: in, Block: b, Body: f.Body, ctx: ctx}
}

func encodePlanValue(v, unknown any) any {
	if u, ok := unknown.(bool); ok && u {
		return "${" + planUnknownVar + "}"
	}
	switch t := v.(type) {
	case map[string]any:
		um, _ := unknown.(map[string]any)
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = encodePlanValue(e, um[k])
		}
		// Keys the plan only knows as unknown (absent from after).
		for k, u := range um {
			if _, ok := t[k]; !ok {
				if b, ok := u.(bool); ok && b {
					out[k] = "${" + planUnknownVar + "}"
				}
			}
		}
		return out
	case []any:
		ul, _ := unknown.([]any)
		out := make([]any, len(t))
		for i, e := range t {
			var ue any
			if i < len(ul) {
				ue = ul[i]
			}
			out[i] = encodePlanValue(e, ue)
		}
		return out
	case string:
		return strings.NewReplacer("${", "$${", "%{", "%%{").Replace(t)
	}
	return v
}

// planValueKnown reports whether the plan knows the value at a path of
// after-values (after_unknown does not mark it or a parent).
func planValueKnown(unknown any, path ...any) bool {
	cur := unknown
	for _, step := range path {
		if b, ok := cur.(bool); ok {
			return !b
		}
		switch t := cur.(type) {
		case map[string]any:
			k, _ := step.(string)
			cur = t[k]
		case []any:
			i, _ := step.(int)
			if i < 0 || i >= len(t) {
				return true
			}
			cur = t[i]
		default:
			return true
		}
	}
	b, ok := cur.(bool)
	return !(ok && b)
}

// PlanAnySensitive reports whether anything at or below a path of
// after_sensitive (or before_sensitive) is marked sensitive: the path's
// own value, a parent's, or an element's.
func PlanAnySensitive(sensitive any, path ...string) bool {
	cur := sensitive
	for _, k := range path {
		if m, ok := cur.(map[string]any); ok {
			cur = m[k]
		}
	}
	return anySensitive(cur)
}

func anySensitive(v any) bool {
	switch t := v.(type) {
	case bool:
		return t
	case map[string]any:
		for _, e := range t {
			if anySensitive(e) {
				return true
			}
		}
	case []any:
		for _, e := range t {
			if anySensitive(e) {
				return true
			}
		}
	}
	return false
}

// PlanSensitive reports whether a path of values is marked sensitive
// (before_sensitive/after_sensitive, or a whole sensitive parent).
func PlanSensitive(sensitive any, path ...any) bool {
	return !planValueKnown(sensitive, path...)
}
