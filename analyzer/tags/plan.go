package tags

import (
	"sort"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/tfgate/tfgate/analyzer/eval"
	"github.com/tfgate/tfgate/analyzer/model"
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

// PlanProviders is what the AWS and Google provider configurations of a
// plan's configuration give their resources as default tags or labels.
type PlanProviders struct {
	// Config is false when the plan carries no configuration: then nothing
	// is known about providers.
	Config bool
	// Defaults lists the configurations that set default tags or labels,
	// by provider configuration key, in key order.
	Defaults []ProviderDefault
	byKey    map[string]*tfjson.ProviderConfig
	resKey   map[string]string // resource config address -> provider config key
}

// PlanProviderDefaults reads the default tags of a plan's provider
// configurations. A literal map gives its keys; any other expression (a
// variable, a local, merge()) is read back from the plan: a key that a
// resource on the configuration has in tags_all but not in its own tags
// can only come from the defaults. When no resource shows one, the keys
// are not known.
func PlanProviderDefaults(plan *tfplan.Plan, resources []*eval.PlanResource) *PlanProviders {
	pp := &PlanProviders{byKey: map[string]*tfjson.ProviderConfig{}, resKey: map[string]string{}}
	cfg := plan.JSON.Config
	if cfg == nil {
		return pp
	}
	pp.Config = true
	for k, pc := range cfg.ProviderConfigs {
		if pc != nil {
			pp.byKey[k] = pc
		}
	}
	var walk func(prefix string, m *tfjson.ConfigModule)
	walk = func(prefix string, m *tfjson.ConfigModule) {
		if m == nil {
			return
		}
		for _, r := range m.Resources {
			if r != nil && r.Mode == tfjson.ManagedResourceMode {
				pp.resKey[prefix+r.Address] = r.ProviderConfigKey
			}
		}
		for name, mc := range m.ModuleCalls {
			if mc != nil {
				walk(prefix+"module."+name+".", mc.Module)
			}
		}
	}
	walk("", cfg.RootModule)
	inferred := map[string]map[string]bool{}
	keys := make([]string, 0, len(pp.byKey))
	for k := range pp.byKey {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		pc := pp.byKey[k]
		pd, ok := planDefault(k, pc)
		if !ok {
			continue
		}
		if !pd.Known {
			inferred[k] = map[string]bool{}
		}
		pp.Defaults = append(pp.Defaults, pd)
	}
	if len(inferred) > 0 {
		for _, r := range resources {
			if r.Mode != "managed" || r.Scope == nil || !strings.HasPrefix(r.Type, "aws_") {
				continue
			}
			seen := inferred[pp.providerKey(r)]
			if seen == nil {
				continue
			}
			all, _ := r.Scope.Attr("tags_all")
			own, _ := r.Scope.Attr("tags")
			allKeys, ok := model.KnownKeys(all)
			if !ok {
				continue
			}
			ownKeys, _ := model.KnownKeys(own)
			for key := range allKeys {
				if _, set := ownKeys[key]; !set {
					seen[key] = true
				}
			}
		}
		for i := range pp.Defaults {
			pd := &pp.Defaults[i]
			if seen := inferred[pd.Name]; seen != nil && len(seen) > 0 {
				for key := range seen {
					pd.Keys = append(pd.Keys, key)
				}
				sort.Strings(pd.Keys)
				pd.Known = true
				pd.Origin = "read back from the plan's tags_all"
			}
		}
	}
	return pp
}

// planDefault reads the default tags of one provider configuration of a
// plan; ok is false when it sets none.
func planDefault(key string, pc *tfjson.ProviderConfig) (ProviderDefault, bool) {
	pd := ProviderDefault{Name: key, Known: true, Origin: "in the plan's configuration"}
	var exprs []*tfjson.Expression
	switch pc.Name {
	case "aws":
		if dt := pc.Expressions["default_tags"]; dt != nil && dt.ExpressionData != nil {
			for _, blk := range dt.NestedBlocks {
				if e := blk["tags"]; e != nil && e.ExpressionData != nil {
					exprs = append(exprs, e)
				}
			}
		}
	case "google", "google-beta":
		if e := pc.Expressions["default_labels"]; e != nil && e.ExpressionData != nil {
			exprs = append(exprs, e)
		}
	}
	if len(exprs) == 0 {
		return pd, false
	}
	for _, e := range exprs {
		m, ok := e.ConstantValue.(map[string]interface{})
		if !ok {
			if e.ConstantValue == nil && len(e.References) == 0 {
				continue // null: no defaults from this block
			}
			pd.Known = false
			continue
		}
		for k, v := range m {
			if v != nil {
				pd.Keys = append(pd.Keys, k)
			}
		}
	}
	sort.Strings(pd.Keys)
	pd.Keys = dedupe(pd.Keys)
	return pd, true
}

// providerKey is the provider configuration key of a plan resource: the
// configuration's provider_config_key, resolved through the module tree
// when the key names a configuration the plan does not list (an
// inherited provider).
func (pp *PlanProviders) providerKey(r *eval.PlanResource) string {
	addr := ""
	if r.Change.ModuleAddress != "" {
		addr = stripInstanceKeys(r.Change.ModuleAddress) + "."
	}
	key, ok := pp.resKey[addr+r.Type+"."+r.Name]
	if !ok {
		return ""
	}
	for {
		if _, ok := pp.byKey[key]; ok {
			return key
		}
		mod, name, ok := strings.Cut(key, ":")
		if !ok {
			return ""
		}
		if i := strings.LastIndex(mod, ".module."); i >= 0 {
			key = mod[:i] + ":" + name
		} else {
			key = name
		}
	}
}

// Provider names the provider configuration of a plan resource and
// whether it sets default tags or labels; "" when the plan does not say.
func (pp *PlanProviders) Provider(r *eval.PlanResource) (key string, defaulted bool) {
	key = pp.providerKey(r)
	if key == "" {
		return "", false
	}
	for _, pd := range pp.Defaults {
		if pd.Name == key {
			return key, true
		}
	}
	return key, false
}

// stripInstanceKeys turns module.a["x"].module.b[0] into module.a.module.b.
func stripInstanceKeys(addr string) string {
	var b strings.Builder
	depth, quoted := 0, false
	for i := 0; i < len(addr); i++ {
		c := addr[i]
		switch {
		case quoted:
			if c == '\\' {
				i++
			} else if c == '"' {
				quoted = false
			}
		case c == '"' && depth > 0:
			quoted = true
		case c == '[':
			depth++
		case c == ']':
			depth--
		case depth == 0:
			b.WriteByte(c)
		}
	}
	return b.String()
}
