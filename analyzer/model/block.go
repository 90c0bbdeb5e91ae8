package model

import (
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// Block is a configuration block with its location.
type Block struct {
	Type      string
	Labels    []string
	Body      hcl.Body
	DefRange  hcl.Range // the header: type and labels
	TypeRange hcl.Range
	Range     hcl.Range // the whole block when known (native syntax), else DefRange
	File      *File
	Module    *Module
	Parent    *Block // for nested blocks
}

func NewBlock(b *hcl.Block, f *File, m *Module, parent *Block) *Block {
	nb := &Block{Type: b.Type, Labels: b.Labels, Body: b.Body, DefRange: b.DefRange, TypeRange: b.TypeRange, Range: b.DefRange, File: f, Module: m, Parent: parent}
	if sb, ok := b.Body.(*hclsyntax.Body); ok {
		nb.Range = hcl.RangeBetween(b.DefRange, sb.SrcRange)
	}
	return nb
}

// Address is the Terraform address of a top-level block: aws_s3_bucket.logs,
// data.aws_iam_policy_document.x, module.network, var.region, output.id,
// local.tags, provider.aws.west, terraform.
func (b *Block) Address() string {
	switch b.Type {
	case "resource":
		return strings.Join(b.Labels, ".")
	case "data", "ephemeral":
		return b.Type + "." + strings.Join(b.Labels, ".")
	case "module":
		return "module." + b.Labels[0]
	case "variable":
		return "var." + b.Labels[0]
	case "output":
		return "output." + b.Labels[0]
	case "provider":
		return "provider." + b.ProviderKey()
	}
	if b.Parent != nil {
		return b.Parent.Address() + "." + strings.Join(append([]string{b.Type}, b.Labels...), ".")
	}
	return strings.Join(append([]string{b.Type}, b.Labels...), ".")
}

// ProviderKey is "aws" or "aws.alias" for a provider block.
func (b *Block) ProviderKey() string {
	if b.Type != "provider" || len(b.Labels) == 0 {
		return ""
	}
	if a := b.Attr("alias"); a != nil {
		if v, d := a.Expr.Value(nil); !d.HasErrors() && v.IsKnown() && !v.IsNull() && v.Type().FriendlyName() == "string" {
			return b.Labels[0] + "." + v.AsString()
		}
	}
	return b.Labels[0]
}

// Attr returns the attribute with the given name, or nil.
func (b *Block) Attr(name string) *hcl.Attribute {
	if sb, ok := b.Body.(*hclsyntax.Body); ok {
		if a, ok := sb.Attributes[name]; ok {
			return a.AsHCLAttribute()
		}
		return nil
	}
	c, _, _ := b.Body.PartialContent(&hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: name}}})
	if c == nil {
		return nil
	}
	return c.Attributes[name]
}

// Attrs returns all attributes of the block (nested blocks are not included
// for native syntax; JSON cannot tell them apart without a schema).
func (b *Block) Attrs() hcl.Attributes { return BodyAttrs(b.Body) }

// Blocks returns the nested blocks of a type, statically (dynamic blocks are
// not expanded; use Scope.Blocks for evaluated content).
func (b *Block) Blocks(typ string, labels ...string) []*Block {
	var out []*Block
	if sb, ok := b.Body.(*hclsyntax.Body); ok {
		for _, nb := range sb.Blocks {
			if nb.Type == typ {
				out = append(out, NewBlock(nb.AsHCLBlock(), b.File, b.Module, b))
			}
		}
		return out
	}
	c, _, _ := b.Body.PartialContent(&hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: typ, LabelNames: labels}}})
	if c == nil {
		return nil
	}
	for _, nb := range c.Blocks {
		out = append(out, NewBlock(nb, b.File, b.Module, b))
	}
	return out
}

// Native reports whether the block is written in HCL's native syntax
// (false for .tf.json, where attributes and nested blocks look alike
// without a schema).
func (b *Block) Native() bool {
	_, ok := b.Body.(*hclsyntax.Body)
	return ok
}

// HasBlocks reports whether a native-syntax block has nested blocks
// (false for JSON: Attrs lists its nested blocks too).
func (b *Block) HasBlocks() bool {
	sb, ok := b.Body.(*hclsyntax.Body)
	return ok && len(sb.Blocks) > 0
}

// References lists the references of every expression in the block and
// its nested blocks, in no particular order; ok is false for JSON, whose
// expressions cannot be told from nested blocks without a schema.
func (b *Block) References() (refs []hcl.Traversal, ok bool) {
	sb, ok := b.Body.(*hclsyntax.Body)
	if !ok {
		return nil, false
	}
	var walk func(*hclsyntax.Body)
	walk = func(b *hclsyntax.Body) {
		for _, a := range b.Attributes {
			refs = append(refs, a.Expr.Variables()...)
		}
		for _, nb := range b.Blocks {
			walk(nb.Body)
		}
	}
	walk(sb)
	return refs, true
}

// StaticString returns the attribute's value when it is a literal string
// (or a template without interpolation).
func (b *Block) StaticString(name string) (string, bool) {
	a := b.Attr(name)
	if a == nil {
		return "", false
	}
	return StaticString(a.Expr)
}

// StaticString evaluates an expression without any context and returns it
// when it is a known string.
func StaticString(e hcl.Expression) (string, bool) {
	// The common native-syntax shapes are answered without evaluating: a
	// failed evaluation builds diagnostics, and this is asked of most
	// arguments by several rules.
	switch x := e.(type) {
	case *hclsyntax.TemplateExpr:
		if len(x.Parts) == 1 {
			if lit, ok := x.Parts[0].(*hclsyntax.LiteralValueExpr); ok && lit.Val.Type() == cty.String && lit.Val.IsKnown() && !lit.Val.IsNull() && !lit.Val.IsMarked() {
				return lit.Val.AsString(), true
			}
		}
	case *hclsyntax.ScopeTraversalExpr, *hclsyntax.FunctionCallExpr:
		// References and calls never evaluate without a context.
		return "", false
	case *hclsyntax.ObjectConsExpr, *hclsyntax.TupleConsExpr, *hclsyntax.ForExpr:
		// Objects and tuples, never strings.
		return "", false
	}
	v, d := e.Value(nil)
	if d.HasErrors() || !v.IsWhollyKnown() || v.IsNull() {
		return "", false
	}
	if v.Type().FriendlyName() != "string" {
		return "", false
	}
	return v.AsString(), true
}

// ProviderName is the local provider name a resource, data source or
// ephemeral resource belongs to: its `provider` argument, else the prefix of
// its type.
func (b *Block) ProviderRef() string {
	if a := b.Attr("provider"); a != nil {
		if k := TraversalKey(a.Expr); k != "" {
			return k
		}
	}
	if len(b.Labels) == 0 {
		return ""
	}
	t := b.Labels[0]
	if i := strings.IndexByte(t, '_'); i > 0 {
		return t[:i]
	}
	return t
}

// traversalKey is a reference written as a dotted name ("aws.west",
// "module.x"), or "" when e is not a plain reference.
func TraversalKey(e hcl.Expression) string {
	tr, d := hcl.AbsTraversalForExpr(e)
	if d.HasErrors() {
		return ""
	}
	parts := []string{tr.RootName()}
	for _, s := range tr[1:] {
		if ga, ok := s.(hcl.TraverseAttr); ok {
			parts = append(parts, ga.Name)
		}
	}
	return strings.Join(parts, ".")
}
