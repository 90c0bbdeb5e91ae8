package model

import (
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// ProviderUse is one place where a module uses a provider, by local name.
type ProviderUse struct {
	Name  string // local name: "aws", "google-beta"
	Key   string // with the alias when there is one: "aws.west"
	Block *Block // the block that uses it
	// How names the kind of use for messages: "provider block", "resource",
	// "data source", "ephemeral resource", "module call".
	How string
}

// providerUses lists every use of a provider in the module, in source order
// (file, then position): provider blocks, resources, data sources (also
// those scoped in check blocks), ephemeral resources, and the provider
// configurations a module call passes in `providers = { … }`.
func (m *Module) providerUses() []ProviderUse {
	var out []ProviderUse
	add := func(key string, b *Block, how string) {
		if key == "" {
			return
		}
		name, _, _ := strings.Cut(key, ".")
		out = append(out, ProviderUse{Name: name, Key: key, Block: b, How: how})
	}
	for _, b := range m.Providers {
		add(b.ProviderKey(), b, "provider block")
	}
	resource := func(b *Block) {
		how := "resource"
		switch b.Type {
		case "data":
			how = "data source"
		case "ephemeral":
			how = "ephemeral resource"
		}
		add(b.ProviderRef(), b, how)
	}
	for _, b := range m.Resources {
		resource(b)
	}
	for _, b := range m.Other {
		if b.Type == "check" {
			for _, d := range b.Blocks("data", "type", "name") {
				resource(d)
			}
		}
	}
	for _, c := range m.ModuleCalls {
		keys := make([]string, 0, len(c.Providers))
		for k := range c.Providers {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			add(c.Providers[k], c.Block, "module call")
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return rangeBefore(out[i].Block.DefRange, out[j].Block.DefRange) })
	return out
}

func rangeBefore(a, b hcl.Range) bool {
	if a.Filename != b.Filename {
		return a.Filename < b.Filename
	}
	return a.Start.Byte < b.Start.Byte
}

// ProviderRequirement is what a module needs of one provider local name:
// its required_providers entries and the blocks that use it.
type ProviderRequirement struct {
	Name string // local name
	// Address is the normalized source address: from the entry's source, or
	// Terraform's implied "registry.terraform.io/hashicorp/<name>" (the
	// built-in provider for "terraform"). "" when the source is not static
	// or the entry cannot be read.
	Address  string
	Declared []*RequiredProvider // required_providers entries; nil when only used
	Uses     []ProviderUse       // in source order
}

// Builtin reports whether this is Terraform's built-in provider, which is
// never installed.
func (r *ProviderRequirement) Builtin() bool { return r.Address == builtinTerraformProvider }

// ProviderRequirements lists the providers a module declares or uses, by
// local name, sorted by name. It is computed on each call: rules ask
// Pass.ProviderRequirements, which computes it once per module and run.
func (m *Module) ProviderRequirements() []*ProviderRequirement {
	byName := map[string]*ProviderRequirement{}
	get := func(name string) *ProviderRequirement {
		r := byName[name]
		if r == nil {
			r = &ProviderRequirement{Name: name}
			byName[name] = r
		}
		return r
	}
	for _, rp := range m.RequiredProviders() {
		r := get(rp.Name)
		r.Declared = append(r.Declared, rp)
	}
	for _, u := range m.providerUses() {
		r := get(u.Name)
		r.Uses = append(r.Uses, u)
	}
	out := make([]*ProviderRequirement, 0, len(byName))
	for _, r := range byName {
		r.Address = ImpliedProviderAddress(r.Name)
		if len(r.Declared) > 0 {
			d, ok := r.Declaration()
			switch {
			case !ok || d.HasSource && d.Source == "":
				r.Address = "" // not known statically
			case d.HasSource:
				r.Address = SourceAddress(d.Source, r.Name)
			}
		}
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// ImpliedProviderAddress is the provider Terraform assumes for a local name
// that required_providers does not give a source: hashicorp/<name>, or the
// built-in provider for "terraform".
func ImpliedProviderAddress(name string) string {
	if name == "terraform" {
		return builtinTerraformProvider
	}
	return SourceAddress("", name)
}

// shape tells whether tfgate can read an entry: readable when it is a
// string (legacy is then true: `aws = "~> 5.0"`) or an object. Anything
// else (a variable, a function call) is unknown.
func (rp *RequiredProvider) shape() (readable, legacy bool) {
	if _, isString := StaticString(rp.Attr.Expr); isString {
		return true, true
	}
	if _, d := hcl.ExprMap(rp.Attr.Expr); !d.HasErrors() {
		return true, false
	}
	return false, false
}

// ProviderDeclaration is the effective required_providers entry of a local
// name, after Terraform's override-file merging.
type ProviderDeclaration struct {
	Entry      *RequiredProvider // where to report: the first entry outside override files, else the first override
	Legacy     bool              // Entry uses the string form
	HasSource  bool
	Source     string // "" when absent or not static
	HasVersion bool
	Version    string // "" when absent or not static
}

// Declaration merges the requirement's entries: entries in override files
// replace the `source` and `version` of the others, as Terraform merges
// them. ok is false when there is no entry or one cannot be read.
func (r *ProviderRequirement) Declaration() (d ProviderDeclaration, ok bool) {
	var base, over []*RequiredProvider
	for _, rp := range r.Declared {
		if readable, _ := rp.shape(); !readable {
			return d, false
		}
		if IsOverrideFile(rp.Attr.Range.Filename) {
			over = append(over, rp)
		} else {
			base = append(base, rp)
		}
	}
	apply := func(rp *RequiredProvider) {
		if rp.HasSource {
			d.HasSource, d.Source = true, rp.Source
		}
		if rp.HasVersion {
			d.HasVersion, d.Version = true, rp.Version
		}
	}
	if len(base) > 0 {
		d.Entry = base[0]
		apply(base[0])
	}
	for _, rp := range over {
		if d.Entry == nil {
			d.Entry = rp
		}
		apply(rp)
	}
	if d.Entry == nil {
		return d, false
	}
	_, d.Legacy = d.Entry.shape()
	return d, true
}
