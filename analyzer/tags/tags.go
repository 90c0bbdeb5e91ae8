// Package tags is the model of a resource's effective tags: what the
// provider adds (AWS default_tags, Google default_labels), what the
// resource sets (a map attribute or `tag` blocks), what separate tagging
// resources add (aws_ec2_tag…), and which keys are managed outside the
// configuration (the AWS provider's ignore_tags, lifecycle ignore_changes).
// The static path (Resolver) reads them from evaluated configuration, the
// plan path (Plan) from a plan's after-values; both give an Effective that
// a rule checks the same way. Which resource types take tags, and how, is
// the caller's catalog (Kind).
package tags

import (
	"sort"
	"strings"

	"github.com/tfgate/tfgate/analyzer/model"
	"github.com/zclconf/go-cty/cty"
)

// Kind says how resources of a type carry tags.
type Kind struct {
	Attr     string // the map attribute: tags, labels, user_labels, resource_labels; "" with blocks
	Blocks   bool   // `tag` blocks with propagate_at_launch (aws_autoscaling_group)
	Defaults string // provider-level defaults merged in: "default_tags" (AWS), "default_labels" (Google), ""
	Noun     string // "tag" or "label"
}

// Entry is one key of a resource's effective tags.
type Entry struct {
	Key       string
	Value     cty.Value
	Source    string    // short name of where it was set, for value messages
	Propagate cty.Value // propagate_at_launch of a tag block; cty.NilVal elsewhere
	// Overridable is true when a source that takes precedence is not fully
	// known and might set the same key.
	Overridable bool
	// Sensitive values (marked so in a plan) are never shown.
	Sensitive bool
}

// Effective is the tags one resource instance ends up with.
type Effective struct {
	// Key is the instance's count index or for_each key (cty.NilVal for a
	// block without either, and on the plan path).
	Key      cty.Value
	Entries  []Entry
	Complete bool     // every key is known: a missing key is really missing
	Sources  []string // "resource tags from main.tf:4", in merge order
	// Note explains an empty or partial result ("provider `aws` has no
	// default_tags").
	Note string
	// Provider is the provider configuration that configures the resource
	// ("aws", "aws.dr"), when it is known; Defaulted says that it sets
	// default tags or labels that the resource's type takes.
	Provider  string
	Defaulted bool
	// External keys (and keys with ExternalPrefixes) are managed outside
	// this configuration (ignore_tags, lifecycle ignore_changes);
	// AllExternal means every key is.
	External         []string
	ExternalPrefixes []string
	AllExternal      bool
	// launched is what the instances of an autoscaling group get from its
	// launch template; nil when no launch template can be resolved.
	launched *launchTags
}

func sameKey(a, b string, ignoreCase bool) bool {
	return a == b || (ignoreCase && strings.EqualFold(a, b))
}

// NormKey is a key as the default policy compares keys: lower case,
// without the separators - _ and . (so `Cost-Center`, `cost_center` and
// `costcenter` are one key).
func NormKey(k string) string {
	var b strings.Builder
	b.Grow(len(k))
	for _, r := range strings.ToLower(k) {
		if r != '-' && r != '_' && r != '.' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// FindNorm returns the entries whose key is key after NormKey.
func (e *Effective) FindNorm(key string) []*Entry {
	var out []*Entry
	n := NormKey(key)
	for i := range e.Entries {
		if NormKey(e.Entries[i].Key) == n {
			out = append(out, &e.Entries[i])
		}
	}
	return out
}

// IsExternalNorm is IsExternal with keys compared after NormKey (prefixes
// case-insensitively).
func (e *Effective) IsExternalNorm(key string) bool {
	if e.AllExternal {
		return true
	}
	n := NormKey(key)
	for _, k := range e.External {
		if NormKey(k) == n {
			return true
		}
	}
	for _, pfx := range e.ExternalPrefixes {
		if strings.HasPrefix(strings.ToLower(key), strings.ToLower(pfx)) {
			return true
		}
	}
	return false
}

// Find returns the entries of a key.
func (e *Effective) Find(key string, ignoreCase bool) []*Entry {
	var out []*Entry
	for i := range e.Entries {
		if sameKey(e.Entries[i].Key, key, ignoreCase) {
			out = append(out, &e.Entries[i])
		}
	}
	return out
}

// IsExternal reports whether a key is managed outside the configuration.
func (e *Effective) IsExternal(key string, ignoreCase bool) bool {
	if e.AllExternal {
		return true
	}
	for _, k := range e.External {
		if sameKey(k, key, ignoreCase) {
			return true
		}
	}
	for _, pfx := range e.ExternalPrefixes {
		if strings.HasPrefix(key, pfx) || (ignoreCase && strings.HasPrefix(strings.ToLower(key), strings.ToLower(pfx))) {
			return true
		}
	}
	return false
}

// LaunchLacks reports whether the instances of an autoscaling group are
// known not to get a key from its launch template (false when that is not
// known, and for other resources).
func (e *Effective) LaunchLacks(key string, ignoreCase bool) bool {
	return e.launched.lacks(key, ignoreCase)
}

// layer is one source of tags: provider defaults, the resource's own tags,
// or separate tagging resources. Later layers win.
type layer struct {
	entries  []Entry
	complete bool   // every key of this source is known
	desc     string // "resource tags from main.tf:4"; "" when the source sets nothing
}

func merge(layers ...layer) *Effective {
	eff := &Effective{Complete: true}
	for _, l := range layers {
		if !l.complete {
			eff.Complete = false
			for i := range eff.Entries {
				eff.Entries[i].Overridable = true
			}
		}
		for _, ne := range l.entries {
			replaced := false
			for i := range eff.Entries {
				if eff.Entries[i].Key == ne.Key {
					eff.Entries[i] = ne
					replaced = true
				}
			}
			if !replaced {
				eff.Entries = append(eff.Entries, ne)
			}
		}
		if l.desc != "" {
			eff.Sources = append(eff.Sources, l.desc)
		}
	}
	return eff
}

// mapTags reads a tags/labels map attribute. Keys whose value is null are
// not set.
func mapTags(v cty.Value, source string) ([]Entry, bool) {
	keys, ok := model.KnownKeys(v)
	if !ok {
		return nil, false
	}
	names := make([]string, 0, len(keys))
	for k := range keys {
		names = append(names, k)
	}
	sort.Strings(names)
	var out []Entry
	for _, k := range names {
		e := keys[k]
		if e.IsKnown() && e.IsNull() {
			continue
		}
		out = append(out, Entry{Key: k, Value: e, Source: source})
	}
	return out, true
}

func orNull(v cty.Value) cty.Value {
	if v == cty.NilVal {
		return cty.NullVal(cty.DynamicPseudoType)
	}
	return v
}

// launchTags are the tags that the launch template of an autoscaling group
// gives its instances (tag_specifications with resource_type "instance").
type launchTags struct {
	keys []string
}

// lacks reports whether the instances are known not to get a key from the
// launch template. A nil receiver knows nothing.
func (l *launchTags) lacks(key string, ignoreCase bool) bool {
	if l == nil {
		return false
	}
	for _, k := range l.keys {
		if sameKey(k, key, ignoreCase) {
			return false
		}
	}
	return true
}

func dedupe(ss []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
