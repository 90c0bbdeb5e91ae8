package rules

import (
	"fmt"
	"sort"
	"strings"

	"github.com/tfgate/tfgate/analyzer"
	"github.com/tfgate/tfgate/analyzer/eval"
	"github.com/tfgate/tfgate/analyzer/model"
	"github.com/tfgate/tfgate/analyzer/tags"
	"github.com/zclconf/go-cty/cty"
)

// The default tag policy: what tags-required asks when .tfgate.hcl sets
// no `tags` (docs in the rule's Doc, and docs/rules/tags-required.md).
//
//   - A taggable resource whose effective tags are known and empty is an
//     error: nothing allocates its cost or names its owner, whatever the
//     organisation's scheme.
//   - When the provider configurations of a root that set default tags
//     (AWS default_tags, Google default_labels) share keys, those keys are
//     the root's own scheme: every taggable resource of the root must carry
//     them, so a resource on a provider configuration without defaults (an
//     aliased provider, a type the defaults do not reach) is an error that
//     names its provider and the scheme. The default set is then not
//     required; a scheme that holds none of its keys gets one note.
//   - Without such a scheme, the default set team, environment, project is
//     required, keys compared after tags.NormKey (any case, `-`, `_`, `.`
//     ignored).
//   - When some provider configuration's defaults are not known, the
//     scheme is not known either: only an empty tag set is reported.

// defaultTagKeys is the default set of the default policy.
var defaultTagKeys = []string{"team", "environment", "project"}

// defaultSetHint ends a message about keys of the default set: why they
// are asked for, and the option that asks for others.
const defaultSetHint = "; tfgate's default keys, matched in any case and ignoring -, _ and .: " +
	"set `tags` in the tags-required rule block of .tfgate.hcl to require your own"

// tagRequirement is what a resource's effective tags must carry.
type tagRequirement struct {
	keys []string
	// norm compares keys after tags.NormKey (the default policy); else
	// they are exact, or case-insensitive with ignore_case.
	norm bool
	// configured: the keys come from .tfgate.hcl.
	configured bool
	// emptyOnly: only an empty tag set is known to be wrong (the default
	// policy with a scheme that is not known).
	emptyOnly bool
	scheme    *tagScheme // the root's own scheme, when keys are it
}

// tagScheme is the keys that every provider configuration of a root that
// sets default tags or labels has in common.
type tagScheme struct {
	known bool
	// partial: some configuration's defaults are not wholly known; keys
	// are the ones known all the same, so the scheme holds at least them.
	partial bool
	keys    []string // spelled as the first configuration spells them
	from    []tags.ProviderDefault
	// someLackDefaultSet: a resource checked under the scheme lacks a key
	// of the default set (the scheme note is about such resources).
	someLackDefaultSet bool
}

// schemeOf computes the scheme of a root from the provider defaults of
// its module instances (child modules may still configure providers).
func schemeOf(insts []*eval.Instance) *tagScheme {
	var from []tags.ProviderDefault
	for _, in := range insts {
		from = append(from, tags.ProviderDefaults(in)...)
	}
	return schemeOfDefaults(from)
}

// defaultRequirement is the default policy's requirement under a scheme.
func defaultRequirement(s *tagScheme) tagRequirement {
	switch {
	case !s.known:
		return tagRequirement{norm: true, emptyOnly: true}
	case len(s.keys) > 0:
		return tagRequirement{keys: s.keys, norm: true, scheme: s}
	}
	return tagRequirement{keys: defaultTagKeys, norm: true}
}

// origin names the provider configurations that carry the scheme:
// "provider `aws` (main.tf:8)", "providers `aws` (main.tf:8) and `aws.us`
// (main.tf:20)".
func (s *tagScheme) origin() string {
	// One origin shared by every configuration (default_tags { tags =
	// local.tags } in each) is said once, after the names.
	shared := ""
	if len(s.from) > 1 {
		shared = s.from[0].Origin
		for _, pd := range s.from {
			if pd.Origin != shared {
				shared = ""
			}
		}
	}
	var names []string
	seen := map[string]bool{}
	for _, pd := range s.from {
		n := fmt.Sprintf("`%s`", pd.Name)
		if pd.Origin != "" && shared == "" {
			n += " (" + pd.Origin + ")"
		}
		if !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	more := ""
	if len(names) > 3 {
		more = fmt.Sprintf(" and %d more", len(names)-3)
		names = names[:3]
	}
	var out string
	switch {
	case len(names) == 1:
		out = "provider " + names[0]
	case more == "":
		out = "providers " + strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
	default:
		out = "providers " + strings.Join(names, ", ") + more
	}
	if shared != "" {
		out += ", all from " + shared
	}
	return out
}

// defaults is "default_tags", "default_labels" or both, after the
// configurations that carry the scheme.
func (s *tagScheme) defaults() string {
	aws, google := false, false
	for _, pd := range s.from {
		if strings.HasPrefix(pd.Name, "aws") {
			aws = true
		} else {
			google = true
		}
	}
	switch {
	case aws && google:
		return "default_tags and default_labels"
	case google:
		return "default_labels"
	}
	return "default_tags"
}

// hasDefaultSet reports whether effective tags carry every key of the
// default set, compared after tags.NormKey.
func hasDefaultSet(eff *tags.Effective) bool {
	for _, k := range defaultTagKeys {
		if len(eff.FindNorm(k)) == 0 && !eff.IsExternalNorm(k) {
			return false
		}
	}
	return true
}

// defaultSetCovers reports whether a resource that lacks keys of the
// root's scheme carries the whole default set instead: it names its owner,
// environment and project, so it is not reported (a scheme of
// `managed_by` alone does not make such a resource a problem).
func (req tagRequirement) defaultSetCovers(eff *tags.Effective) bool {
	return req.scheme != nil && hasDefaultSet(eff)
}

// missingKeys lists the required keys that effective tags lack.
func (req tagRequirement) missingKeys(pol *tagPolicy, eff *tags.Effective) []string {
	var missing []string
	for _, k := range req.keys {
		if req.norm {
			if len(eff.FindNorm(k)) == 0 && !eff.IsExternalNorm(k) {
				missing = append(missing, k)
			}
		} else if len(eff.Find(k, pol.ignoreCase)) == 0 && !eff.IsExternal(k, pol.ignoreCase) {
			missing = append(missing, k)
		}
	}
	return missing
}

// find returns the entries of a required key, compared as req compares.
func (req tagRequirement) find(pol *tagPolicy, eff *tags.Effective, k string) []*tags.Entry {
	if req.norm {
		return eff.FindNorm(k)
	}
	return eff.Find(k, pol.ignoreCase)
}

// lacksClause says which keys are missing, and why they are required.
func (req tagRequirement) lacksClause(pol *tagPolicy, kind tags.Kind, eff *tags.Effective, missing []string) string {
	noun := kind.Noun
	if len(missing) > 1 {
		noun += "s"
	}
	c := fmt.Sprintf("lacks %s %s", noun, backtickList(missing))
	switch {
	case req.configured:
		var near []string
		for _, k := range missing {
			for i := range eff.Entries {
				have := eff.Entries[i].Key
				if have == k || tags.NormKey(have) != tags.NormKey(k) || (pol.ignoreCase && strings.EqualFold(have, k)) {
					continue
				}
				hint := "rename the key"
				if strings.EqualFold(have, k) {
					hint = "set `ignore_case = true` in the tags-required rule block of .tfgate.hcl, or rename the key"
				}
				near = append(near, fmt.Sprintf("has `%s`, not `%s`; %s", have, k, hint))
				break
			}
		}
		if len(near) > 0 {
			c += " (" + strings.Join(near, "; ") + ")"
		}
	case req.scheme != nil:
		s := req.scheme
		c += fmt.Sprintf(" of the scheme that the %s of %s give this configuration", s.defaults(), s.origin())
		if kind.Defaults != "" && eff.Provider != "" && !eff.Defaulted {
			them := "them"
			if len(missing) == 1 {
				them = "it"
			}
			c += fmt.Sprintf(": its provider `%s` has no %s; add %s there or to the resource", eff.Provider, kind.Defaults, them)
		}
	}
	return c
}

// emptyClause is the clause for a resource with no tags at all.
func (req tagRequirement) emptyClause(kind tags.Kind) string {
	c := fmt.Sprintf("has no %ss at all", kind.Noun)
	if req.scheme != nil {
		c += fmt.Sprintf(", not even the %s %s of the %s of %s", pluralNoun(kind.Noun, len(req.keys)), backtickList(req.keys), req.scheme.defaults(), req.scheme.origin())
	}
	return c
}

// emptyFix is the fix for a resource with no tags at all: tags on the
// resource, or the defaults its provider configuration lacks.
func emptyFix(kind tags.Kind, eff *tags.Effective) string {
	switch {
	case kind.Blocks:
		return "; add `tag` blocks to the resource"
	case kind.Defaults != "" && eff.Provider != "" && !eff.Defaulted:
		return fmt.Sprintf("; add %ss to the resource, or %s to provider `%s`", kind.Noun, kind.Defaults, eff.Provider)
	default:
		return fmt.Sprintf("; add %ss to the resource", kind.Noun)
	}
}

func pluralNoun(noun string, n int) string {
	if n == 1 {
		return noun
	}
	return noun + "s"
}

// hasNone reports whether effective tags are known to be empty, with no
// key left to others.
func hasNone(eff *tags.Effective) bool {
	return eff.Complete && len(eff.Entries) == 0 && !eff.AllExternal && len(eff.External) == 0 && len(eff.ExternalPrefixes) == 0
}

// schemeNote is the note on a scheme that holds none of the default set:
// tfgate takes it as the organisation's choice, and says so once per root.
func schemeNote(pass *analyzer.Pass, s *tagScheme) {
	if s == nil || !s.known || s.partial || len(s.keys) == 0 || !s.someLackDefaultSet {
		return
	}
	for _, k := range s.keys {
		for _, d := range defaultTagKeys {
			if tags.NormKey(k) == tags.NormKey(d) {
				return
			}
		}
	}
	pd := s.from[0]
	keys := append([]string(nil), s.keys...)
	sort.Strings(keys)
	pass.Report(analyzer.Finding{
		Severity: analyzer.Note,
		Range:    pd.Block.DefRange,
		Message: fmt.Sprintf("the %s scheme %s of %s holds none of `team`, `environment`, `project`: tfgate requires it instead of "+
			"taggable resources here that lack them; if it does not say who owns a resource and where its cost goes, set "+
			"`tags` in the tags-required rule block of .tfgate.hcl", s.defaults(), backtickList(keys), s.origin()),
		Module:    pd.Block.Module.Dir,
		Address:   pd.Block.Address(),
		Attribute: s.defaults(),
		Instance:  pd.Instance,
	})
}

// rootsOf groups the instances of a pass by their root.
func rootsOf(insts []*eval.Instance) map[*eval.Instance][]*eval.Instance {
	out := map[*eval.Instance][]*eval.Instance{}
	for _, in := range insts {
		r := in.Root()
		out[r] = append(out[r], in)
	}
	return out
}

// planRequirement is the default policy on a plan: the scheme of the
// plan's provider configurations; without the configuration (a plan
// written by hand), the default set.
func planRequirement(pp *tags.PlanProviders) tagRequirement {
	if !pp.Config {
		return tagRequirement{keys: defaultTagKeys, norm: true}
	}
	return defaultRequirement(schemeOfDefaults(pp.Defaults))
}

// schemeOfDefaults is the scheme of a list of provider defaults: the keys
// they all have, compared after tags.NormKey.
func schemeOfDefaults(from []tags.ProviderDefault) *tagScheme {
	s := &tagScheme{known: true, from: from}
	for i, pd := range from {
		keys := pd.Keys
		if !pd.Known {
			// Some keys may be known all the same: the scheme holds at
			// most those, and nothing is known of the default set.
			s.partial = true
			keys = pd.AtLeast
		}
		if i == 0 {
			s.keys = append([]string(nil), keys...)
			continue
		}
		have := map[string]bool{}
		for _, k := range keys {
			have[tags.NormKey(k)] = true
		}
		kept := s.keys[:0]
		for _, k := range s.keys {
			if have[tags.NormKey(k)] {
				kept = append(kept, k)
			}
		}
		s.keys = kept
	}
	if s.partial && len(s.keys) == 0 {
		s.known = false
	}
	return s
}

// ---- plan ----

func planTagsRequired(pass *analyzer.Pass) error {
	if pass.PlanRoot != nil && pass.PlanRoot.IsDemo() {
		return nil
	}
	pol, err := tagPolicyOf(pass)
	if err != nil {
		return err
	}
	catalog := taggableTypes()
	ign := tags.IgnoredInPlan(pass.Plan)
	resources := pass.PlanResources()
	req := tagRequirement{keys: pol.required, configured: true}
	var pp *tags.PlanProviders
	if pol.required == nil {
		pp = tags.PlanProviderDefaults(pass.Plan, resources)
		req = planRequirement(pp)
	}
	for _, r := range resources {
		if r.Mode != "managed" || r.Scope == nil || r.Change.DeposedKey != "" {
			continue
		}
		kind, ok := catalog[r.Type]
		if !ok || model.MatchAny(r.Type, pol.exclude, false) {
			continue
		}
		eff, attr, ok := tags.Plan(r, kind, ign)
		if !ok {
			continue
		}
		if pp != nil {
			eff.Provider, eff.Defaulted = pp.Provider(r)
			eff.Defaulted = eff.Defaulted && kind.Defaults != ""
			if eff.Provider != "" && !eff.Defaulted && kind.Defaults != "" {
				// The plan's configuration says the provider has none.
				for i, src := range eff.Sources {
					eff.Sources[i], _, _ = strings.Cut(src, ", with the provider's")
				}
				eff.Note = fmt.Sprintf("provider `%s` has no %s", eff.Provider, kind.Defaults)
			}
		}
		if msg := tagProblems(pol, req, kind, eff); msg != "" {
			pass.ReportPlan(r, attr, analyzer.Finding{Message: msg})
		}
	}
	return nil
}

func instanceKey(k cty.Value) string {
	if k == cty.NilVal || !k.IsKnown() || k.IsNull() {
		return ""
	}
	if k.Type() == cty.Number {
		return "[" + k.AsBigFloat().Text('f', -1) + "]"
	}
	if k.Type() == cty.String {
		return "[" + model.DisplayValue(k) + "]"
	}
	return ""
}

func isRegexpPattern(p string) bool { return len(p) > 1 && p[0] == '/' && p[len(p)-1] == '/' }

func backtickList(ss []string) string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = "`" + s + "`"
	}
	return strings.Join(out, ", ")
}
