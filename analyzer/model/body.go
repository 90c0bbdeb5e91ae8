package model

import (
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// Body helpers that read native-syntax bodies directly and fall back to
// hcl's schema-based access for JSON.

// bodyAttr returns the attribute of a body with the given name, or nil.
func BodyAttr(body hcl.Body, name string) *hcl.Attribute {
	if sb, ok := body.(*hclsyntax.Body); ok {
		if a, ok := sb.Attributes[name]; ok {
			return a.AsHCLAttribute()
		}
		return nil
	}
	c, _, _ := body.PartialContent(&hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: name}}})
	if c == nil {
		return nil
	}
	return c.Attributes[name]
}

// bodyAttrs lists a body's attributes; in JSON syntax nested blocks come
// back as attributes holding objects, which LiteralSecrets follows.
func BodyAttrs(body hcl.Body) hcl.Attributes {
	if sb, ok := body.(*hclsyntax.Body); ok {
		out := make(hcl.Attributes, len(sb.Attributes))
		for n, a := range sb.Attributes {
			out[n] = a.AsHCLAttribute()
		}
		return out
	}
	attrs, d := body.JustAttributes()
	if d.HasErrors() && attrs == nil {
		return nil
	}
	return attrs
}

// InSourceOrder returns attribute names in the order they are written.
func InSourceOrder(attrs hcl.Attributes) []string {
	names := make([]string, 0, len(attrs))
	for n := range attrs {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool { return attrs[names[i]].Range.Start.Byte < attrs[names[j]].Range.Start.Byte })
	return names
}
