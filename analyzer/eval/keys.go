package eval

import (
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// KeysAtLeast returns keys that e's map or object value is known to hold,
// with known non-null values, even when the value as a whole is not known:
// merge(jsondecode(data.http.x.response_body).tags, { owner = "web" }) has
// at least `owner`. It follows local references, parentheses and merge()
// (only the arguments after the last one whose value is not known: an
// unknown argument could set an earlier key to null). For a known value it
// is the value's keys. Nothing is guessed: what it cannot see through adds
// no key.
//
// v, when not cty.NilVal, is e's value already evaluated in this scope.
func (s Scope) KeysAtLeast(e hcl.Expression, v cty.Value) []string {
	seen := map[string]bool{}
	keysAtLeast(s.Inst, s.ctx, e, v, 0, seen)
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func keysAtLeast(in *Instance, ctx *hcl.EvalContext, e hcl.Expression, v cty.Value, depth int, out map[string]bool) {
	if depth > maxTraceDepth || e == nil {
		return
	}
	if v == cty.NilVal {
		v = evalIn(in, ctx, e)
	}
	if v.IsKnown() && !v.IsNull() && (v.Type().IsObjectType() || v.Type().IsMapType()) {
		for it := v.ElementIterator(); it.Next(); {
			k, ev := it.Element()
			if ev.IsKnown() && !ev.IsNull() {
				out[k.AsString()] = true
			}
		}
		return
	}
	if !v.IsKnown() && v.Type() != cty.DynamicPseudoType && !v.Type().IsObjectType() && !v.Type().IsMapType() {
		return
	}
	switch x := hcl.UnwrapExpression(e).(type) {
	case *hclsyntax.ParenthesesExpr:
		keysAtLeast(in, ctx, x.Expression, v, depth+1, out)
	case *hclsyntax.FunctionCallExpr:
		if x.Name != "merge" || x.ExpandFinal {
			return
		}
		vals := make([]cty.Value, len(x.Args))
		start := 0
		for i := len(x.Args) - 1; i >= 0; i-- {
			vals[i] = evalIn(in, ctx, x.Args[i])
			if !vals[i].IsWhollyKnown() {
				start = i + 1
				break
			}
		}
		for i := start; i < len(x.Args); i++ {
			keysAtLeast(in, ctx, x.Args[i], vals[i], depth+1, out)
		}
	case *hclsyntax.ScopeTraversalExpr:
		tr := x.Traversal
		if len(tr) != 2 || tr.RootName() != "local" {
			return
		}
		ga, ok := tr[1].(hcl.TraverseAttr)
		if !ok {
			return
		}
		for _, l := range in.Module.Locals {
			if l.Name == ga.Name {
				keysAtLeast(in, in.ctx, l.Attr.Expr, v, depth+1, out)
				return
			}
		}
	}
}
