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
func (s Scope) KeysAtLeast(e hcl.Expression) []string {
	seen := map[string]bool{}
	keysAtLeast(s.Inst, s.ctx, e, 0, seen)
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func keysAtLeast(in *Instance, ctx *hcl.EvalContext, e hcl.Expression, depth int, out map[string]bool) {
	if depth > maxTraceDepth || e == nil {
		return
	}
	v := evalIn(in, ctx, e)
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
		keysAtLeast(in, ctx, x.Expression, depth+1, out)
	case *hclsyntax.FunctionCallExpr:
		if x.Name != "merge" || x.ExpandFinal {
			return
		}
		start := 0
		for i, a := range x.Args {
			if av := evalIn(in, ctx, a); !av.IsWhollyKnown() {
				start = i + 1
			}
		}
		for _, a := range x.Args[start:] {
			keysAtLeast(in, ctx, a, depth+1, out)
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
				keysAtLeast(in, in.ctx, l.Attr.Expr, depth+1, out)
				return
			}
		}
	}
}
