package eval

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// Reference flow: which references' values end up in an expression's
// value, for checks that follow a value (a secret) to where it is exposed.

// FlowOptions says what a reference-flow walk treats specially.
type FlowOptions struct {
	// Opaque names functions whose result does not carry their arguments'
	// values (a length, a digest, a test) or that declassify them.
	Opaque map[string]bool
	// Carries decides, for a `for` expression, whether a reference to its
	// value variable carries the collection's values; field is the
	// traversal after the variable (v.id: .id). nil: always.
	Carries func(field hcl.Traversal) bool
}

// Flow returns the references whose values flow into the result of an
// expression: through operators, templates, conditionals' results,
// collections and function arguments, not through what only tests or
// compares them (comparisons, && || !) nor through the Opaque functions.
// A reference written with dynamic indexes or splats
// (aws_key_vault_secret.x[local.k].id, aws_db_instance.x[*].password) comes
// back as one traversal whose non-literal keys are unknown. Expressions in
// JSON syntax give every reference they hold.
func Flow(e hcl.Expression, opts FlowOptions) []hcl.Traversal {
	if tr, ok := flowPath(e); ok {
		return []hcl.Traversal{tr}
	}
	switch x := e.(type) {
	case *hclsyntax.RelativeTraversalExpr:
		return Flow(x.Source, opts)
	case *hclsyntax.SplatExpr:
		return Flow(x.Source, opts)
	case *hclsyntax.FunctionCallExpr:
		if opts.Opaque[x.Name] {
			return nil
		}
		var out []hcl.Traversal
		for _, a := range x.Args {
			out = append(out, Flow(a, opts)...)
		}
		return out
	case *hclsyntax.BinaryOpExpr:
		switch x.Op {
		case hclsyntax.OpEqual, hclsyntax.OpNotEqual, hclsyntax.OpLessThan, hclsyntax.OpLessThanOrEqual,
			hclsyntax.OpGreaterThan, hclsyntax.OpGreaterThanOrEqual, hclsyntax.OpLogicalAnd, hclsyntax.OpLogicalOr:
			return nil
		}
		return append(Flow(x.LHS, opts), Flow(x.RHS, opts)...)
	case *hclsyntax.UnaryOpExpr:
		if x.Op == hclsyntax.OpLogicalNot {
			return nil
		}
		return Flow(x.Val, opts)
	case *hclsyntax.ConditionalExpr:
		return append(Flow(x.TrueResult, opts), Flow(x.FalseResult, opts)...)
	case *hclsyntax.ParenthesesExpr:
		return Flow(x.Expression, opts)
	case *hclsyntax.TemplateExpr:
		var out []hcl.Traversal
		for _, p := range x.Parts {
			out = append(out, Flow(p, opts)...)
		}
		return out
	case *hclsyntax.TemplateWrapExpr:
		return Flow(x.Wrapped, opts)
	case *hclsyntax.TemplateJoinExpr:
		return Flow(x.Tuple, opts)
	case *hclsyntax.TupleConsExpr:
		var out []hcl.Traversal
		for _, el := range x.Exprs {
			out = append(out, Flow(el, opts)...)
		}
		return out
	case *hclsyntax.ObjectConsExpr:
		var out []hcl.Traversal
		for _, it := range x.Items {
			out = append(out, Flow(it.ValueExpr, opts)...)
		}
		return out
	case *hclsyntax.IndexExpr:
		return Flow(x.Collection, opts)
	case *hclsyntax.ForExpr:
		// The collection's values flow out only through the value
		// variable; its keys (names, indexes) are not secrets.
		out := Flow(x.ValExpr, opts)
		if x.KeyExpr != nil {
			out = append(out, Flow(x.KeyExpr, opts)...)
		}
		var rest []hcl.Traversal
		iter := false
		for _, tr := range out {
			switch tr.RootName() {
			case x.ValVar:
				if opts.Carries == nil || opts.Carries(tr[1:]) {
					iter = true
				}
				continue
			case x.KeyVar:
				continue
			}
			rest = append(rest, tr)
		}
		if iter {
			rest = append(rest, Flow(x.CollExpr, opts)...)
		}
		return rest
	case *hclsyntax.LiteralValueExpr:
		return nil
	}
	// JSON syntax and anything else: every reference counts.
	return e.Variables()
}

// flowPath turns a reference written with dynamic indexes or splats into
// one traversal; index keys that are not literals become unknown.
func flowPath(e hcl.Expression) (hcl.Traversal, bool) {
	switch x := e.(type) {
	case *hclsyntax.ScopeTraversalExpr:
		return x.Traversal, true
	case *hclsyntax.RelativeTraversalExpr:
		if src, ok := flowPath(x.Source); ok {
			return append(append(hcl.Traversal{}, src...), x.Traversal...), true
		}
	case *hclsyntax.IndexExpr:
		if src, ok := flowPath(x.Collection); ok {
			key := cty.DynamicVal
			if v, d := x.Key.Value(nil); !d.HasErrors() {
				key = v
			}
			return append(append(hcl.Traversal{}, src...), hcl.TraverseIndex{Key: key}), true
		}
	case *hclsyntax.SplatExpr:
		if src, ok := flowPath(x.Source); ok {
			out := append(append(hcl.Traversal{}, src...), hcl.TraverseSplat{})
			if each, ok := x.Each.(*hclsyntax.RelativeTraversalExpr); ok {
				if _, anon := each.Source.(*hclsyntax.AnonSymbolExpr); anon {
					out = append(out, each.Traversal...)
				}
			}
			return out, true
		}
	}
	return nil, false
}
