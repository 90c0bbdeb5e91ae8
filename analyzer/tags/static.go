package tags

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/tfgate/tfgate/analyzer/eval"
	"github.com/tfgate/tfgate/analyzer/model"
	"github.com/zclconf/go-cty/cty"
)

// Resolver reads the effective tags of the resources of one module
// instance from its evaluated configuration. It computes what resources
// share once: the tags that separate tagging resources add, and each
// provider configuration's defaults per resource type.
type Resolver struct {
	in       *eval.Instance
	separate map[string]*layer // by resource address; made on first use
	defaults map[defaultsKey]*providerDefaults
}

// NewResolver returns a Resolver for the resources of an instance.
func NewResolver(in *eval.Instance) *Resolver {
	return &Resolver{in: in, defaults: map[defaultsKey]*providerDefaults{}}
}

// providerDefaults is what a provider configuration gives the resources of
// one type: its default tags, and the keys it leaves to others.
type providerDefaults struct {
	layer layer
	prov  Effective
}

// defaultsKey identifies the resources of an instance that share their
// provider defaults: same provider configuration, same type.
type defaultsKey struct {
	provider, typ string
	kind          Kind
}

// Resource returns the effective tags of each instance of a resource
// block of the Resolver's module instance: one per count index or
// for_each key (Effective.Key), none when count is 0 or for_each empty.
func (r *Resolver) Resource(b *model.Block, kind Kind) []*Effective {
	in := r.in
	if r.separate == nil {
		r.separate = separateTags(in)
	}
	separate := r.separate[b.Address()]
	attrs := []string{kind.Attr}
	if kind.Blocks {
		attrs = []string{"tag", "tags"}
	}
	allIgnored, ignoredKeys := ignoredChanges(b, attrs)
	var launched *launchTags
	if kind.Blocks {
		launched = launchTemplateTags(in, b)
	}
	scopes := in.Scopes(b)
	if len(scopes) == 0 {
		return nil
	}
	// The provider configuration is the same for every instance of the
	// block, and for every block of the type using it.
	pk, _ := providerKeyOf(b)
	ck := defaultsKey{pk, b.Labels[0], kind}
	pd := r.defaults[ck]
	if pd == nil {
		pd = &providerDefaults{}
		pd.layer = providerSettings(in, b, kind, &pd.prov)
		r.defaults[ck] = pd
	}
	prov, defaults := &pd.prov, pd.layer
	out := make([]*Effective, 0, len(scopes))
	for _, s := range scopes {
		layers := []layer{defaults, ownTags(s, kind)}
		if separate != nil {
			layers = append(layers, *separate)
		}
		merged := merge(layers...)
		merged.Key = s.Key
		merged.Note = prov.Note
		merged.Provider, merged.Defaulted = prov.Provider, prov.Defaulted
		merged.External = append(append([]string{}, prov.External...), ignoredKeys...)
		merged.ExternalPrefixes = prov.ExternalPrefixes
		merged.AllExternal = prov.AllExternal || allIgnored
		merged.launched = launched
		out = append(out, merged)
	}
	return out
}

// ownTags reads the tags a resource sets itself.
func ownTags(s eval.Scope, kind Kind) layer {
	if !kind.Blocks {
		v, a := s.Attr(kind.Attr)
		if a == nil {
			return legacyTagsBlock(s, kind)
		}
		entries, ok := mapTags(v, "resource "+kind.Noun+"s")
		return layer{entries: entries, complete: ok, desc: fmt.Sprintf("resource %ss from %s", kind.Noun, s.Origin(a))}
	}
	l := layer{complete: true}
	var descs []string
	for _, tb := range s.Blocks("tag") {
		e, ok := blockEntry(tb, "resource `tag` blocks")
		if !ok {
			l.complete = false
			continue
		}
		l.entries = append(l.entries, e)
		if len(descs) == 0 {
			descs = append(descs, fmt.Sprintf("`tag` blocks from %s:%d", tb.Block.DefRange.Filename, tb.Block.DefRange.Start.Line))
		}
	}
	// Before AWS provider 5, tags could also be a list of {key, value,
	// propagate_at_launch} objects.
	if v, a := s.Attr("tags"); a != nil {
		descs = append(descs, "resource tags from "+s.Origin(a))
		if !v.IsKnown() || v.IsNull() || !v.CanIterateElements() {
			if !v.IsKnown() || !v.IsNull() {
				l.complete = false
			}
		} else {
			for it := v.ElementIterator(); it.Next(); {
				_, obj := it.Element()
				keys, ok := model.KnownKeys(obj)
				if !ok {
					l.complete = false
					continue
				}
				k, ok := model.KnownString(keys["key"])
				if !ok {
					l.complete = false
					continue
				}
				l.entries = append(l.entries, Entry{Key: k, Value: orNull(keys["value"]), Source: "resource tags", Propagate: orNull(keys["propagate_at_launch"])})
			}
		}
	}
	l.desc = strings.Join(descs, " and ")
	return l
}

// legacyTagsBlock reads Terraform 0.11's block syntax for a map argument,
// `tags { team = "x" }` (0.12 and later require `tags = { … }`): the block's
// arguments are the tags it sets. Several such blocks merge, later ones
// winning, as 0.11 merged them. No block: a complete empty layer.
func legacyTagsBlock(s eval.Scope, kind Kind) layer {
	blocks := s.Blocks(kind.Attr)
	if len(blocks) == 0 {
		return layer{complete: true}
	}
	l := layer{complete: true}
	var descs []string
	for _, tb := range blocks {
		if tb.Block.Type != kind.Attr {
			// A dynamic "tags" block is not 0.11 syntax: not known.
			l.complete = false
			continue
		}
		attrs := model.BodyAttrs(tb.Block.Body)
		obj := make(map[string]cty.Value, len(attrs))
		for _, name := range model.InSourceOrder(attrs) {
			v, _ := tb.Attr(name)
			obj[name] = v
		}
		entries, ok := mapTags(cty.ObjectVal(obj), "resource "+kind.Noun+"s")
		l.entries = append(l.entries, entries...)
		l.complete = l.complete && ok
		descs = append(descs, fmt.Sprintf("a Terraform 0.11 `%s` block at %s:%d", kind.Attr, tb.Block.DefRange.Filename, tb.Block.DefRange.Start.Line))
	}
	l.desc = "resource " + kind.Noun + "s from " + strings.Join(descs, " and ")
	return l
}

// blockEntry reads a `tag { key, value, propagate_at_launch }` block; ok
// is false when its key is not known.
func blockEntry(tb eval.Scope, source string) (Entry, bool) {
	kv, _ := tb.Attr("key")
	k, ok := model.KnownString(kv)
	if !ok {
		return Entry{}, false
	}
	val, _ := tb.Attr("value")
	prop, pa := tb.Attr("propagate_at_launch")
	if pa == nil {
		prop = cty.NullVal(cty.Bool)
	}
	return Entry{Key: k, Value: orNull(val), Source: source, Propagate: prop}, true
}

// taggingResources are AWS resources that add one tag to another resource.
var taggingResources = map[string]struct {
	target string // the argument naming the tagged resource
	block  bool   // key and value sit in a `tag` block
}{
	"aws_ec2_tag":               {target: "resource_id"},
	"aws_ecs_tag":               {target: "resource_arn"},
	"aws_dynamodb_tag":          {target: "resource_arn"},
	"aws_autoscaling_group_tag": {target: "autoscaling_group_name", block: true},
}

// separateTags collects, per resource address of an instance, the tags
// added by tagging resources (aws_ec2_tag …) that refer to it.
func separateTags(in *eval.Instance) map[string]*layer {
	managed := map[string]bool{}
	for _, r := range in.Module.Resources {
		if r.Type == "resource" {
			managed[r.Address()] = true
		}
	}
	out := map[string]*layer{}
	for _, r := range in.Module.Resources {
		tt, ok := taggingResources[r.Labels[0]]
		if r.Type != "resource" || !ok {
			continue
		}
		var exprs []hcl.Expression
		for _, name := range []string{tt.target, "for_each", "count"} {
			if a := r.Attr(name); a != nil {
				exprs = append(exprs, a.Expr)
			}
		}
		var targets []string
		for _, e := range exprs {
			for _, tr := range e.Variables() {
				if len(tr) < 2 {
					continue
				}
				if ga, ok := tr[1].(hcl.TraverseAttr); ok && managed[tr.RootName()+"."+ga.Name] {
					targets = append(targets, tr.RootName()+"."+ga.Name)
				}
			}
		}
		if len(targets) == 0 {
			continue
		}
		own := layer{complete: true}
		src := "`" + r.Address() + "`"
		for _, s := range in.Scopes(r) {
			if tt.block {
				for _, tb := range s.Blocks("tag") {
					e, ok := blockEntry(tb, src)
					if !ok {
						own.complete = false
						continue
					}
					own.entries = append(own.entries, e)
				}
				continue
			}
			kv, _ := s.Attr("key")
			k, ok := model.KnownString(kv)
			if !ok {
				own.complete = false
				continue
			}
			val, _ := s.Attr("value")
			own.entries = append(own.entries, Entry{Key: k, Value: orNull(val), Source: src})
		}
		for _, t := range targets {
			l := out[t]
			if l == nil {
				l = &layer{complete: true}
				out[t] = l
			}
			l.entries = append(l.entries, own.entries...)
			l.complete = l.complete && own.complete
			if l.desc == "" {
				l.desc = src
			} else if !strings.Contains(l.desc, src) {
				l.desc += ", " + src
			}
		}
	}
	return out
}

// providerKeyOf is the provider configuration key of a resource: its
// `provider` argument or the prefix of its type. ok is false when the
// argument is not a plain reference.
func providerKeyOf(b *model.Block) (string, bool) {
	if a := b.Attr("provider"); a != nil {
		tr, d := hcl.AbsTraversalForExpr(a.Expr)
		if d.HasErrors() {
			return "", false
		}
		for _, s := range tr[1:] {
			if _, ok := s.(hcl.TraverseAttr); !ok {
				return "", false
			}
		}
	}
	return b.ProviderRef(), true
}

// providerSettings reads, from the provider configuration a resource uses,
// its default tags or labels and (AWS) its ignore_tags.
func providerSettings(in *eval.Instance, b *model.Block, kind Kind, eff *Effective) layer {
	isAWS := strings.HasPrefix(b.Labels[0], "aws_")
	isGoogle := strings.HasPrefix(b.Labels[0], "google_")
	if kind.Defaults == "" && !isAWS && !isGoogle {
		return layer{complete: true}
	}
	key, ok := providerKeyOf(b)
	if !ok {
		if kind.Defaults != "" {
			return layer{complete: false}
		}
		return layer{complete: true}
	}
	pb, owner, known := in.ProviderConfig(key)
	if !known {
		// A reusable module evaluated on its own: its callers' provider
		// configurations are unknown.
		if kind.Defaults != "" {
			return layer{complete: false}
		}
		return layer{complete: true}
	}
	if pb == nil {
		if kind.Defaults == "" {
			return layer{complete: true}
		}
		// No provider block of that name at all: the configuration is made
		// outside the code (a Terragrunt generate block, a wrapper), and its
		// defaults are unknown. With other blocks of the name present, the
		// default configuration is the empty one.
		name := strings.SplitN(key, ".", 2)[0]
		configured := false
		for _, p := range in.Root().Module.Providers {
			configured = configured || p.Labels[0] == name
		}
		if !configured {
			return layer{complete: false}
		}
		eff.Note = fmt.Sprintf("provider `%s` has no %s", key, kind.Defaults)
		eff.Provider = key
		return layer{complete: true}
	}
	name := pb.ProviderKey()
	eff.Provider = name
	l := layer{complete: true}
	var origins []string
	for _, ps := range owner.Scopes(pb) {
		if isAWS {
			for _, it := range ps.Blocks("ignore_tags") {
				for _, attr := range []string{"keys", "key_prefixes"} {
					v, a := it.Attr(attr)
					if a == nil {
						continue
					}
					if !v.IsWhollyKnown() {
						eff.AllExternal = true
						continue
					}
					if attr == "keys" {
						eff.External = append(eff.External, model.StringList(v)...)
					} else {
						eff.ExternalPrefixes = append(eff.ExternalPrefixes, model.StringList(v)...)
					}
				}
			}
		}
		src := fmt.Sprintf("%s of provider `%s`", kind.Defaults, name)
		// Say so when the provider has defaults that this type does not take.
		if kind.Defaults == "" && isAWS && len(ps.Blocks("default_tags")) > 0 {
			eff.Note = fmt.Sprintf("the default_tags of provider `%s` do not apply to `%s`", name, b.Labels[0])
		}
		if _, a := ps.Attr("default_labels"); kind.Defaults == "" && isGoogle && a != nil {
			eff.Note = fmt.Sprintf("the default_labels of provider `%s` do not apply to `%s`", name, kind.Attr)
		}
		switch kind.Defaults {
		case "default_tags":
			for _, dt := range ps.Blocks("default_tags") {
				v, a := dt.Attr("tags")
				if a == nil {
					continue
				}
				entries, ok := mapTags(v, src)
				l.entries = append(l.entries, entries...)
				l.complete = l.complete && ok
				origins = append(origins, dt.Origin(a))
			}
		case "default_labels":
			v, a := ps.Attr("default_labels")
			if a == nil {
				continue
			}
			entries, ok := mapTags(v, src)
			l.entries = append(l.entries, entries...)
			l.complete = l.complete && ok
			origins = append(origins, ps.Origin(a))
		}
	}
	switch {
	case kind.Defaults == "":
	case len(origins) == 0:
		eff.Note = fmt.Sprintf("provider `%s` has no %s", name, kind.Defaults)
	default:
		l.desc = fmt.Sprintf("%s of provider `%s` from %s", kind.Defaults, name, strings.Join(dedupe(origins), ", "))
		eff.Defaulted = true
	}
	return l
}

// ProviderDefault is what one AWS or Google provider configuration gives
// every resource as default tags (default_tags) or labels
// (default_labels).
type ProviderDefault struct {
	Name   string // the configuration's key: aws, aws.dr, google
	Origin string // where the defaults are set: main.tf:8
	Keys   []string
	// Known is false when the keys are not known (a variable without a
	// value, a data source): then they may be any, but include AtLeast
	// (the literal keys merged into such a value).
	Known    bool
	AtLeast  []string
	Block    *model.Block // the provider block
	Instance *eval.Instance
}

// ProviderDefaults lists the AWS and Google provider configurations of a
// module instance that set default tags or labels; configurations without
// them are not listed.
func ProviderDefaults(in *eval.Instance) []ProviderDefault {
	var out []ProviderDefault
	// Providers often share one expression (default_tags { tags =
	// local.tags } in each): its keys are read once.
	atLeast := map[string][]string{}
	for _, pb := range in.Module.Providers {
		if len(pb.Labels) == 0 {
			continue
		}
		name := pb.Labels[0]
		if name != "aws" && name != "google" && name != "google-beta" {
			continue
		}
		for _, ps := range in.Scopes(pb) {
			pd := ProviderDefault{Name: pb.ProviderKey(), Known: true, Block: pb, Instance: in}
			found := false
			add := func(v cty.Value, a *hcl.Attribute, s eval.Scope) {
				found = true
				entries, ok := mapTags(v, "")
				pd.Known = pd.Known && ok
				for _, e := range entries {
					pd.Keys = append(pd.Keys, e.Key)
				}
				if !ok {
					ref := model.TraversalKey(a.Expr)
					if pb.Attr("for_each") != nil || !(strings.HasPrefix(ref, "local.") || strings.HasPrefix(ref, "var.")) {
						ref = "" // may depend on the provider's own scope
					}
					keys, done := atLeast[ref]
					if !done || ref == "" {
						keys = s.KeysAtLeast(a.Expr, v)
						if ref != "" {
							atLeast[ref] = keys
						}
					}
					pd.AtLeast = append(pd.AtLeast, keys...)
				}
				if pd.Origin == "" {
					pd.Origin = s.Origin(a)
				}
			}
			if name == "aws" {
				for _, dt := range ps.Blocks("default_tags") {
					if v, a := dt.Attr("tags"); a != nil {
						add(v, a, dt)
					}
				}
			} else if v, a := ps.Attr("default_labels"); a != nil {
				add(v, a, ps)
			}
			if found {
				pd.Keys = dedupe(pd.Keys)
				out = append(out, pd)
			}
		}
	}
	return out
}

// ignoredChanges reads lifecycle { ignore_changes }: tags that
// Terraform leaves to someone else. all is true for `all` or the whole
// tags attribute; keys lists single keys (tags["team"]).
func ignoredChanges(b *model.Block, attrs []string) (all bool, keys []string) {
	for _, lc := range b.Blocks("lifecycle") {
		a := lc.Attr("ignore_changes")
		if a == nil {
			continue
		}
		if tr, d := hcl.AbsTraversalForExpr(a.Expr); !d.HasErrors() && len(tr) == 1 && tr.RootName() == "all" {
			return true, nil
		}
		if s, ok := model.StaticString(a.Expr); ok && s == "all" {
			return true, nil
		}
		exprs, d := hcl.ExprList(a.Expr)
		if d.HasErrors() {
			continue
		}
		for _, e := range exprs {
			tr, d := hcl.AbsTraversalForExpr(e)
			if d.HasErrors() {
				// Terraform 0.11 wrote them as strings.
				s, ok := model.StaticString(e)
				if !ok {
					continue
				}
				if tr, d = hclsyntax.ParseTraversalAbs([]byte(s), "", hcl.Pos{Line: 1, Column: 1}); d.HasErrors() {
					continue
				}
			}
			root := tr.RootName()
			match := false
			for _, n := range attrs {
				match = match || root == n
			}
			if !match {
				continue
			}
			if len(tr) == 1 {
				return true, nil
			}
			switch s := tr[1].(type) {
			case hcl.TraverseIndex:
				if k, ok := model.KnownString(s.Key); ok {
					keys = append(keys, k)
				}
			case hcl.TraverseAttr:
				keys = append(keys, s.Name)
			}
		}
	}
	return false, keys
}

// launchTemplateTags resolves the launch templates an autoscaling group
// uses to aws_launch_template resources of the same module and reads the
// tags they give instances. It returns nil when a template cannot be
// resolved or its instance tags are not known.
func launchTemplateTags(in *eval.Instance, asg *model.Block) *launchTags {
	if !asg.Native() {
		// JSON: only what is visibly absent is known.
		if len(asg.Blocks("launch_template"))+len(asg.Blocks("mixed_instances_policy"))+len(asg.Blocks("dynamic")) > 0 {
			return nil
		}
		return &launchTags{}
	}
	var refs []hcl.Traversal
	for _, typ := range []string{"launch_template", "mixed_instances_policy"} {
		for _, nb := range asg.Blocks(typ) {
			r, _ := nb.References() // native, as asg
			refs = append(refs, r...)
		}
	}
	for _, db := range asg.Blocks("dynamic") {
		if len(db.Labels) > 0 && (db.Labels[0] == "launch_template" || db.Labels[0] == "mixed_instances_policy") {
			return nil
		}
	}
	out := &launchTags{}
	seen := map[string]bool{}
	for _, tr := range refs {
		if tr.RootName() != "aws_launch_template" || len(tr) < 2 {
			return nil
		}
		ga, ok := tr[1].(hcl.TraverseAttr)
		if !ok {
			return nil
		}
		if seen[ga.Name] {
			continue
		}
		seen[ga.Name] = true
		var lt *model.Block
		for _, r := range in.Module.Resources {
			if r.Type == "resource" && r.Labels[0] == "aws_launch_template" && r.Labels[1] == ga.Name {
				lt = r
			}
		}
		if lt == nil {
			return nil
		}
		for _, s := range in.Scopes(lt) {
			for _, ts := range s.Blocks("tag_specifications") {
				rt, _ := ts.Attr("resource_type")
				t, ok := model.KnownString(rt)
				if !ok {
					return nil
				}
				if t != "instance" {
					continue
				}
				v, _ := ts.Attr("tags")
				keys, ok := model.KnownKeys(v)
				if !ok {
					return nil
				}
				for k := range keys {
					out.keys = append(out.keys, k)
				}
			}
		}
	}
	return out
}
