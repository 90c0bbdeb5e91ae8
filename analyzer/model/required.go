package model

import (
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// RequiredProvider is one entry of a required_providers block.
type RequiredProvider struct {
	Name       string // local name
	Source     string // "" when absent
	HasSource  bool   // source is given, even when not a static string
	Version    string // "" when absent
	HasVersion bool
	Aliases    []string // configuration_aliases, as "aws.west"
	Attr       *hcl.Attribute
	Block      *Block // the required_providers block
}

func newRequiredProvider(name string, a *hcl.Attribute, b *Block) *RequiredProvider {
	rp := &RequiredProvider{Name: name, Attr: a, Block: b}
	// Legacy form: aws = "~> 5.0"
	if s, ok := StaticString(a.Expr); ok {
		rp.Version, rp.HasVersion = s, true
		return rp
	}
	pairs, d := hcl.ExprMap(a.Expr)
	if d.HasErrors() {
		// JSON syntax: evaluate the object.
		v, d := a.Expr.Value(nil)
		if d.HasErrors() || !v.IsWhollyKnown() || v.IsNull() || !(v.Type().IsObjectType() || v.Type().IsMapType()) {
			return rp
		}
		for it := v.ElementIterator(); it.Next(); {
			k, ev := it.Element()
			if ev.IsNull() || ev.Type() != cty.String {
				continue
			}
			switch k.AsString() {
			case "source":
				rp.Source, rp.HasSource = ev.AsString(), true
			case "version":
				rp.Version, rp.HasVersion = ev.AsString(), true
			}
		}
		return rp
	}
	for _, kv := range pairs {
		key := TraversalKey(kv.Key)
		if key == "" {
			if s, ok := StaticString(kv.Key); ok {
				key = s
			}
		}
		switch key {
		case "source":
			rp.HasSource = true
			rp.Source, _ = StaticString(kv.Value)
		case "version":
			rp.HasVersion = true
			rp.Version, _ = StaticString(kv.Value)
		case "configuration_aliases":
			if items, d := hcl.ExprList(kv.Value); !d.HasErrors() {
				for _, it := range items {
					if k := TraversalKey(it); k != "" {
						rp.Aliases = append(rp.Aliases, k)
					}
				}
			}
		}
	}
	return rp
}

// SourceAddress normalizes a provider source to hostname/namespace/type,
// with Terraform's defaults ("aws" → registry.terraform.io/hashicorp/aws).
func SourceAddress(source, localName string) string {
	s := strings.ToLower(strings.TrimSpace(source))
	if s == "" {
		s = "hashicorp/" + localName
	}
	parts := strings.Split(s, "/")
	switch len(parts) {
	case 1:
		return "registry.terraform.io/hashicorp/" + parts[0]
	case 2:
		return "registry.terraform.io/" + s
	}
	return s
}
