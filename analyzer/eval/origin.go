package eval

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/tfgate/tfgate/analyzer/model"
	"github.com/zclconf/go-cty/cty"
)

// Origin tracing: where a value is written, for messages that name a value
// and where it came from.

// maxTraceDepth bounds how many references TraceOrigin follows.
const maxTraceDepth = 16

// TraceOrigin is Origin made precise for values picked out of collections:
// it follows index and attribute steps (local.sizes[var.env].max), each.value
// of the resource's for_each, lookup(), merge(), conditionals with a known
// condition and conversion functions, down to the literal that holds the
// value ("locals.tf:7"), a tfvars line, a variable default or a module
// argument. path, when given, selects an element inside e's value first (a
// key of an annotations map). When the value cannot be traced it falls back
// to Origin.
func (s Scope) TraceOrigin(e hcl.Expression, path ...cty.Value) string {
	if e == nil {
		return ""
	}
	t := originTracer{s: s}
	if o, ok := t.trace(e, s.ctx, path, 0); ok {
		return o
	}
	return s.Inst.Origin(e)
}

type originTracer struct{ s Scope }

func traceLine(r hcl.Range) string { return fmt.Sprintf("%s:%d", r.Filename, r.Start.Line) }

// trace finds where the element at steps inside e's value is written. ctx
// is the context e evaluates in.
func (t originTracer) trace(e hcl.Expression, ctx *hcl.EvalContext, steps []cty.Value, depth int) (string, bool) {
	if depth > maxTraceDepth || e == nil {
		return "", false
	}
	e = hcl.UnwrapExpression(e)
	switch x := e.(type) {
	case *hclsyntax.LiteralValueExpr:
		if len(steps) > 0 {
			return "", false
		}
		return traceLine(x.Range()), true
	case *hclsyntax.TemplateExpr:
		if len(steps) > 0 || !x.IsStringLiteral() {
			return "", false
		}
		return traceLine(x.Range()), true
	case *hclsyntax.TemplateWrapExpr:
		return t.trace(x.Wrapped, ctx, steps, depth+1)
	case *hclsyntax.ParenthesesExpr:
		return t.trace(x.Expression, ctx, steps, depth+1)
	case *hclsyntax.UnaryOpExpr:
		if len(steps) > 0 {
			return "", false
		}
		if _, ok := hcl.UnwrapExpression(x.Val).(*hclsyntax.LiteralValueExpr); ok {
			return traceLine(x.Range()), true
		}
		return "", false
	case *hclsyntax.ObjectConsExpr:
		if len(steps) == 0 {
			return traceLine(x.Range()), true
		}
		want, ok := model.KnownString(steps[0])
		if !ok {
			return "", false
		}
		// The last item with the key wins, as in Terraform.
		for i := len(x.Items) - 1; i >= 0; i-- {
			item := x.Items[i]
			if k, ok := model.KnownString(evalIn(t.s.Inst, ctx, item.KeyExpr)); ok && k == want {
				return t.trace(item.ValueExpr, ctx, steps[1:], depth+1)
			}
		}
		return "", false
	case *hclsyntax.TupleConsExpr:
		if len(steps) == 0 {
			return traceLine(x.Range()), true
		}
		n, ok := model.KnownNumber(steps[0])
		if !ok || n < 0 || n != float64(int(n)) || int(n) >= len(x.Exprs) {
			return "", false
		}
		return t.trace(x.Exprs[int(n)], ctx, steps[1:], depth+1)
	case *hclsyntax.ScopeTraversalExpr, *hclsyntax.RelativeTraversalExpr, *hclsyntax.IndexExpr:
		root, path, ok := traceRefPath(t.s.Inst, x, ctx)
		if !ok {
			return "", false
		}
		return t.traceRef(root, append(path, steps...), ctx, depth+1)
	case *hclsyntax.ConditionalExpr:
		c := evalIn(t.s.Inst, ctx, x.Condition)
		if !c.IsKnown() || c.IsNull() || c.Type() != cty.Bool {
			return "", false
		}
		if c.True() {
			return t.trace(x.TrueResult, ctx, steps, depth+1)
		}
		return t.trace(x.FalseResult, ctx, steps, depth+1)
	case *hclsyntax.FunctionCallExpr:
		return t.traceCall(x, ctx, steps, depth)
	case *hclsyntax.BinaryOpExpr, *hclsyntax.ForExpr, *hclsyntax.SplatExpr, *hclsyntax.TemplateJoinExpr:
		return "", false
	}
	// Other syntaxes (JSON): a string that is one reference, such as
	// "${var.max}", comes from that reference.
	if vars := e.Variables(); len(vars) == 1 {
		ref := &hclsyntax.ScopeTraversalExpr{Traversal: vars[0], SrcRange: vars[0].SourceRange()}
		a, b := evalIn(t.s.Inst, ctx, e), evalIn(t.s.Inst, ctx, ref)
		as, aok := model.KnownString(a)
		bs, bok := model.KnownString(b)
		if aok && bok && as == bs {
			return t.trace(ref, ctx, steps, depth+1)
		}
	}
	return "", false
}

func (t originTracer) traceCall(x *hclsyntax.FunctionCallExpr, ctx *hcl.EvalContext, steps []cty.Value, depth int) (string, bool) {
	args := x.Args
	switch x.Name {
	case "tonumber", "tostring", "floor", "ceil", "abs", "sensitive", "nonsensitive", "tomap", "tolist":
		if len(args) == 1 && !x.ExpandFinal {
			return t.trace(args[0], ctx, steps, depth+1)
		}
	case "merge":
		// The element comes from the last argument that has its key.
		if len(steps) == 0 || x.ExpandFinal {
			return "", false
		}
		for i := len(args) - 1; i >= 0; i-- {
			v := evalIn(t.s.Inst, ctx, args[i])
			if !v.IsWhollyKnown() {
				return "", false
			}
			if traceHasKey(v, steps[0]) {
				return t.trace(args[i], ctx, steps, depth+1)
			}
		}
	case "lookup":
		if len(args) < 2 || x.ExpandFinal {
			return "", false
		}
		m, k := evalIn(t.s.Inst, ctx, args[0]), evalIn(t.s.Inst, ctx, args[1])
		if !k.IsKnown() || !m.IsWhollyKnown() {
			return "", false
		}
		if traceHasKey(m, k) {
			return t.trace(args[0], ctx, append([]cty.Value{k}, steps...), depth+1)
		}
		if len(args) == 3 {
			return t.trace(args[2], ctx, steps, depth+1)
		}
	case "coalesce", "try":
		for _, a := range args {
			v := evalIn(t.s.Inst, ctx, a)
			if !v.IsKnown() {
				return "", false
			}
			if !v.IsNull() {
				return t.trace(a, ctx, steps, depth+1)
			}
		}
	}
	return "", false
}

// traceHasKey reports whether a known map or object has a key.
func traceHasKey(v cty.Value, k cty.Value) bool {
	key, ok := model.KnownString(k)
	if !ok || v.IsNull() || !v.IsKnown() {
		return false
	}
	switch {
	case v.Type().IsObjectType():
		return v.Type().HasAttribute(key)
	case v.Type().IsMapType():
		return v.HasIndex(cty.StringVal(key)).True()
	}
	return false
}

// traceRefPath splits a reference into its root name and the steps after it:
// local.sizes[var.env].max is "local" with ["sizes", <env>, "max"]. Keys
// that are not known come back unknown; splats are not followed.
func traceRefPath(in *Instance, e hcl.Expression, ctx *hcl.EvalContext) (string, []cty.Value, bool) {
	switch x := hcl.UnwrapExpression(e).(type) {
	case *hclsyntax.ScopeTraversalExpr:
		steps, ok := traceSteps(x.Traversal[1:])
		return x.Traversal.RootName(), steps, ok
	case *hclsyntax.RelativeTraversalExpr:
		root, steps, ok := traceRefPath(in, x.Source, ctx)
		if !ok {
			return "", nil, false
		}
		more, ok := traceSteps(x.Traversal)
		return root, append(steps, more...), ok
	case *hclsyntax.IndexExpr:
		root, steps, ok := traceRefPath(in, x.Collection, ctx)
		if !ok {
			return "", nil, false
		}
		return root, append(steps, evalIn(in, ctx, x.Key)), true
	}
	return "", nil, false
}

func traceSteps(tr hcl.Traversal) ([]cty.Value, bool) {
	var out []cty.Value
	for _, st := range tr {
		switch s := st.(type) {
		case hcl.TraverseAttr:
			out = append(out, cty.StringVal(s.Name))
		case hcl.TraverseIndex:
			out = append(out, s.Key)
		default:
			return nil, false
		}
	}
	return out, true
}

// traceRef follows a reference: a variable to its tfvars line or default,
// or through a module argument to where the caller's value comes from; a local into its expression; each.value into the
// resource's for_each; a dynamic block's iterator to that block's for_each.
func (t originTracer) traceRef(root string, steps []cty.Value, ctx *hcl.EvalContext, depth int) (string, bool) {
	in := t.s.Inst
	if len(steps) == 0 {
		return "", false
	}
	name, nameOK := model.KnownString(steps[0])
	switch root {
	case "var":
		if !nameOK {
			return "", false
		}
		vv := in.vars[name]
		if vv == nil {
			return "", false
		}
		// A module argument: follow it into the caller, unless it is
		// written right there.
		if in.Call != nil && in.Parent != nil {
			if a := in.Call.Block.Attr(name); a != nil {
				pt := originTracer{s: Scope{Inst: in.Parent, Block: in.Call.Block, Key: cty.NilVal, ctx: in.Parent.ctx}}
				if o, ok := pt.trace(a.Expr, in.Parent.ctx, steps[1:], depth+1); ok && o != traceLine(a.Range) {
					return o, true
				}
			}
		}
		if vv.Origin == "" {
			return "var." + name, true
		}
		if len(steps) > 1 {
			if o, ok := t.traceInside(name, vv, steps[1:], depth); ok {
				return o, true
			}
		}
		return vv.Origin, true
	case "local":
		if !nameOK {
			return "", false
		}
		for _, l := range in.Module.Locals {
			if l.Name != name {
				continue
			}
			if o, ok := t.trace(l.Attr.Expr, in.ctx, steps[1:], depth+1); ok {
				return o, true
			}
			// Not traceable inside: name the local (or what it forwards).
			return in.Origin(&hclsyntax.ScopeTraversalExpr{
				Traversal: hcl.Traversal{hcl.TraverseRoot{Name: "local"}, hcl.TraverseAttr{Name: name}},
				SrcRange:  l.Attr.Range,
			}), true
		}
		return "", false
	case "each":
		if name != "value" {
			return "", false
		}
		top := t.s.Block
		for top.Parent != nil {
			top = top.Parent
		}
		fe := top.Attr("for_each")
		if fe == nil {
			return "", false
		}
		key := t.s.Key
		if key != cty.NilVal && key.IsKnown() {
			if o, ok := t.trace(fe.Expr, in.ctx, append([]cty.Value{key}, steps[1:]...), depth+1); ok {
				return o, true
			}
		}
		return t.trace(fe.Expr, in.ctx, nil, depth+1)
	}
	// A dynamic block's iterator: its element is not known here, so name
	// where the collection comes from.
	if fe := t.dynamicForEach(root); fe != nil {
		return t.trace(fe, ctx, nil, depth+1)
	}
	return "", false
}

// traceInside finds an element of a variable's value inside the default or
// tfvars expression that gives it: the line of `max = 250` within a map of
// per-environment sizes.
func (t originTracer) traceInside(name string, vv *varValue, steps []cty.Value, depth int) (string, bool) {
	in := t.s.Inst
	if vv.Range == nil {
		return "", false
	}
	var a *hcl.Attribute
	if vb := in.Module.Variable(name); vb != nil && strings.HasPrefix(vv.Origin, "default of ") {
		a = vb.Attr("default")
	} else if in.Parent == nil {
		for _, f := range in.Module.VarFiles {
			if f.Path == vv.Range.Filename {
				a = TFVarsAttrs(f)[name]
			}
		}
	}
	if a == nil || a.Range != *vv.Range {
		return "", false
	}
	o, ok := t.trace(a.Expr, nil, steps, depth+1)
	if !ok || o == traceLine(a.Range) {
		return "", false
	}
	if strings.HasPrefix(vv.Origin, "default of ") {
		return fmt.Sprintf("default of var.%s (%s)", name, o), true
	}
	return o, true
}

// dynamicForEach returns the for_each of the dynamic block, in the scope's
// resource, whose iterator is called name.
func (t originTracer) dynamicForEach(name string) hcl.Expression {
	top := t.s.Block
	for top.Parent != nil {
		top = top.Parent
	}
	body, ok := top.Body.(*hclsyntax.Body)
	if !ok {
		return nil
	}
	var found hcl.Expression
	var walk func(b *hclsyntax.Body)
	walk = func(b *hclsyntax.Body) {
		for _, blk := range b.Blocks {
			if found != nil {
				return
			}
			if blk.Type == "dynamic" && len(blk.Labels) == 1 {
				iter := blk.Labels[0]
				if a, ok := blk.Body.Attributes["iterator"]; ok {
					if tr, d := hcl.AbsTraversalForExpr(a.Expr); !d.HasErrors() && len(tr) == 1 {
						iter = tr.RootName()
					}
				}
				if a, ok := blk.Body.Attributes["for_each"]; ok && iter == name {
					found = a.Expr
					return
				}
			}
			walk(blk.Body)
		}
	}
	walk(body)
	return found
}
