package tags

import (
	"strings"

	"github.com/tfgate/tfgate/analyzer/eval"
	"github.com/tfgate/tfgate/analyzer/tfplan"
)

// PlanIgnores are the keys that the AWS provider configurations of a plan
// leave to others (ignore_tags).
type PlanIgnores struct {
	keys, prefixes []string
	all            bool
}

// IgnoredInPlan reads the ignore_tags of a plan's AWS provider
// configurations.
func IgnoredInPlan(plan *tfplan.Plan) PlanIgnores {
	keys, prefixes, all := ignoredInPlan(plan)
	return PlanIgnores{keys, prefixes, all}
}

// Plan reads the effective tags of a plan resource instance from its
// after-values: the attribute the provider merged its defaults into
// (tags_all, effective_labels) when there is one. attr names the attribute
// read; ok is false when the plan does not know the tags yet.
func Plan(r *eval.PlanResource, kind Kind, ign PlanIgnores) (eff *Effective, attr string, ok bool) {
	if r.Scope == nil {
		return nil, "", false // a deletion: no after-values
	}
	l, attr, ok := planLayer(*r.Scope, kind, r.Change.Change.AfterSensitive)
	if !ok {
		return nil, attr, false
	}
	eff = merge(l)
	if strings.HasPrefix(r.Type, "aws_") {
		eff.External, eff.ExternalPrefixes, eff.AllExternal = ign.keys, ign.prefixes, ign.all
	}
	if b := r.Loc.Block; b != nil {
		attrs := []string{kind.Attr, "tags_all"}
		if kind.Blocks {
			attrs = []string{"tag", "tags"}
		}
		all, keys := ignoredChanges(b, attrs)
		eff.AllExternal = eff.AllExternal || all
		eff.External = append(append([]string{}, eff.External...), keys...)
	}
	if kind.Blocks && len(r.Scope.Blocks("launch_template"))+len(r.Scope.Blocks("mixed_instances_policy")) == 0 {
		eff.launched = &launchTags{} // no launch template: instances get only propagated tags
	}
	return eff, attr, true
}

// planAttrs are the after-value attributes that hold a resource's
// effective tags, most complete first: the provider has merged its
// defaults (and, for Google, labels set outside Terraform) into them.
func planAttrs(kind Kind) []string {
	switch kind.Defaults {
	case "default_tags":
		return []string{"tags_all", kind.Attr} // tags_all arrived in AWS provider 3.38
	case "default_labels":
		return []string{"effective_labels", "terraform_labels", kind.Attr}
	}
	return []string{kind.Attr}
}

// planLayer reads the effective tags of a plan resource instance; ok is
// false when the plan does not know them.
// Values the plan marks sensitive are flagged so that messages do not show
// them.
func planLayer(s eval.Scope, kind Kind, afterSensitive any) (l layer, attr string, ok bool) {
	if kind.Blocks {
		l := ownTags(s, kind)
		if !l.complete {
			return l, "tag", false
		}
		sens := eval.PlanAnySensitive(afterSensitive, "tag") || eval.PlanAnySensitive(afterSensitive, "tags")
		for i := range l.entries {
			l.entries[i].Sensitive = sens
		}
		l.desc = "`tag` blocks"
		return l, "tag", true
	}
	for _, name := range planAttrs(kind) {
		v, a := s.Attr(name)
		if a == nil {
			continue
		}
		entries, known := mapTags(v, "`"+name+"`")
		if !known {
			return layer{}, name, false
		}
		for i := range entries {
			entries[i].Sensitive = eval.PlanSensitive(afterSensitive, name, entries[i].Key)
		}
		desc := "`" + name + "`"
		switch {
		case name == "tags_all":
			desc += ", with the provider's default_tags"
		case kind.Defaults == "default_labels" && name != kind.Attr:
			desc += ", with the provider's default_labels"
		}
		return layer{entries: entries, complete: true, desc: desc}, name, true
	}
	// No tags attribute at all (a plan written by hand or by an old
	// provider): nothing set.
	return layer{complete: true, desc: "the resource's " + kind.Noun + "s"}, planAttrs(kind)[0], true
}

// ignoredInPlan reads the AWS provider's ignore_tags from the plan's
// configuration: keys and prefixes given literally, or all when they are
// expressions (then any key may be managed outside).
func ignoredInPlan(plan *tfplan.Plan) (keys, prefixes []string, all bool) {
	if plan.JSON.Config == nil {
		return nil, nil, false
	}
	for _, pc := range plan.JSON.Config.ProviderConfigs {
		if pc == nil || pc.Name != "aws" {
			continue
		}
		it := pc.Expressions["ignore_tags"]
		if it == nil || it.ExpressionData == nil {
			continue
		}
		for _, blk := range it.NestedBlocks {
			for name, e := range blk {
				if e == nil || e.ExpressionData == nil || (name != "keys" && name != "key_prefixes") {
					continue
				}
				list, ok := e.ConstantValue.([]interface{})
				if !ok {
					if e.ConstantValue != nil {
						all = true
					}
					continue
				}
				for _, k := range list {
					ks, ok := k.(string)
					if !ok {
						continue
					}
					if name == "keys" {
						keys = append(keys, ks)
					} else {
						prefixes = append(prefixes, ks)
					}
				}
			}
		}
	}
	return keys, prefixes, all
}
