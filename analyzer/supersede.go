package analyzer

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"

	"github.com/tfgate/tfgate/analyzer/eval"
	"github.com/tfgate/tfgate/analyzer/model"
	"github.com/tfgate/tfgate/analyzer/tfplan"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// Plans supersede guesses. With --plan, a static finding about a resource
// the plan shows with real values is replaced by what the plan says: by
// the plan's finding when the plan's values confirm it, by nothing when
// they disprove it. A static finding is about such a resource when it lies
// inside the resource's block, was reported by a rule that also ran on the
// plan, and came from the plan's root module through the same module calls
// (a block reached through another call, or from another root, keeps its
// finding) in an environment the plan could have been made in: the plan's
// variables agree with the environment's tfvars files, or the root has no
// environments. The plan must know the value: a finding about an
// attribute (`tags`) stays when the plan leaves that attribute, or one
// computed from it (`tags_all`, `effective_labels`), unknown until apply.
// Findings on resources the plan does not contain stay.

// planCoverage is what a plan has real values for.
type planCoverage struct {
	root  *model.Module
	rules map[string]bool // rules whose Plan function ran
	// blocks are the resource blocks of the plan's resources with
	// after-values, by the call chain that reaches them ("" in the root):
	// the after_unknown of each instance.
	blocks map[planBlockKey][]any
	envs   map[*model.Environment]bool // root environments the plan agrees with
}

type planBlockKey struct {
	block *model.Block
	via   string
}

func newPlanCoverage(p *model.Project, plan *tfplan.Plan, root *model.Module, active []ActiveRule) *planCoverage {
	if plan == nil || root == nil || plan.JSON == nil {
		return nil
	}
	c := &planCoverage{root: root, rules: map[string]bool{}, blocks: map[planBlockKey][]any{}, envs: map[*model.Environment]bool{}}
	for _, ar := range active {
		if ar.Plan != nil {
			c.rules[ar.ID] = true
		}
	}
	for _, r := range eval.PlanResources(p, plan, root) {
		if r.Loc.Block == nil || r.Change == nil || r.Change.Change == nil || r.Change.Change.After == nil {
			continue
		}
		k := planBlockKey{r.Loc.Block, r.Loc.Via}
		c.blocks[k] = append(c.blocks[k], r.Change.Change.AfterUnknown)
	}
	for _, env := range root.Environments {
		if planAgrees(plan, env) {
			c.envs[env] = true
		}
	}
	return c
}

// supersedes reports whether the plan has what a static finding is
// about (covered: the resource, reached the same way, in an environment
// the plan agrees with) and whether it knows the value (known).
func (c *planCoverage) supersedes(f *Finding) (covered, known bool) {
	if c == nil || f.Source == "plan" || !c.rules[f.RuleID] || f.Instance == nil || f.Instance.Standalone {
		return false, false
	}
	root := f.Instance.Root()
	if root.Module != c.root || (root.Env != nil && !c.envs[root.Env]) {
		return false, false
	}
	via := ""
	if len(f.Via) > 0 {
		via = f.Via[0]
	}
	for k, unknowns := range c.blocks {
		if k.via != via {
			continue
		}
		r := k.block.Range
		if r.Filename != f.Range.Filename || f.Range.Start.Byte < r.Start.Byte || f.Range.Start.Byte > r.End.Byte {
			continue
		}
		for _, u := range unknowns {
			if !attributeKnown(u, f.Attribute) {
				return true, false
			}
		}
		return true, true
	}
	return false, false
}

// attributeKnown reports whether a plan knows a resource's attribute
// ("tags", "scaling_config.min_size": its top-level name counts) and
// every attribute whose name contains it (tags_all, effective_labels),
// from the instance's after_unknown.
func attributeKnown(afterUnknown any, attr string) bool {
	top := attr
	if i := strings.IndexAny(top, ".["); i >= 0 {
		top = top[:i]
	}
	m, ok := afterUnknown.(map[string]any)
	if top == "" || !ok {
		return !anyUnknown(afterUnknown)
	}
	for name, u := range m {
		if strings.Contains(name, top) && anyUnknown(u) {
			return false
		}
	}
	return true
}

// anyUnknown reports whether an after_unknown value marks anything.
func anyUnknown(u any) bool {
	switch x := u.(type) {
	case bool:
		return x
	case map[string]any:
		for _, e := range x {
			if anyUnknown(e) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if anyUnknown(e) {
				return true
			}
		}
	}
	return false
}

// planAgrees reports whether a plan could have been made with an
// environment's tfvars files: every variable they set that the plan
// records has the same value there (compared as JSON, numbers and bools
// as their text, since a tfvars "80" is a number 80 after conversion).
func planAgrees(plan *tfplan.Plan, env *model.Environment) bool {
	set := map[string]any{}
	for _, f := range env.Files {
		for name, a := range eval.TFVarsAttrs(f) {
			v, d := a.Expr.Value(nil)
			if d.HasErrors() || !v.IsWhollyKnown() {
				delete(set, name)
				continue
			}
			b, err := ctyjson.Marshal(v, v.Type())
			var x any
			if err != nil || json.Unmarshal(b, &x) != nil {
				delete(set, name)
				continue
			}
			set[name] = x
		}
	}
	for name, want := range set {
		pv := plan.JSON.Variables[name]
		if pv == nil {
			continue
		}
		if !reflect.DeepEqual(normalizeJSON(want), normalizeJSON(pv.Value)) {
			return false
		}
	}
	return true
}

func normalizeJSON(v any) any {
	switch x := v.(type) {
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case json.Number:
		return normalizeJSON(mustFloat(x))
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = normalizeJSON(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalizeJSON(e)
		}
		return out
	}
	return v
}

func mustFloat(n json.Number) float64 {
	f, _ := n.Float64()
	return f
}
