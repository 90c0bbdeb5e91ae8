package rules

import (
	"embed"
	"errors"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/tfgate/tfgate/analyzer"
	"github.com/tfgate/tfgate/analyzer/eval"
	"github.com/tfgate/tfgate/analyzer/model"
	"github.com/tfgate/tfgate/analyzer/tfplan"
	"github.com/zclconf/go-cty/cty"
)

// TagsRequired reports taggable resources whose effective tags (their own
// tags or labels merged with the provider's default tags or labels) lack a
// required key or carry a value that is not allowed.
var tagsRequired = register(&analyzer.Rule{
	ID:       "tags-required",
	Family:   analyzer.FamilyTags,
	Severity: analyzer.Error,
	Doc: analyzer.Doc{
		Title: "Taggable resources carry the required tags",
		Why: "Tags (labels on Google Cloud) are how cost reports, ownership lookups, incident routing and " +
			"access policies find a resource. A resource without `team` has no owner to page; one without " +
			"`environment` or `project` lands in the \"unallocated\" line of the bill. tfgate checks the tags " +
			"the resource will really get: its own `tags` (or `labels`, `user_labels`, `resource_labels`, or " +
			"`tag` blocks for `aws_autoscaling_group`) merged with the `default_tags` of the AWS provider or " +
			"the `default_labels` of the Google provider that configures it, following `provider = aws.dr`, " +
			"module calls' `providers` maps and default-provider inheritance. Values are evaluated through " +
			"variables, tfvars, locals, `merge()` and module arguments; a value tfgate cannot know (a data " +
			"source, a variable without a value, a reusable module whose callers are not scanned, a root " +
			"without any provider block whose configuration is generated elsewhere) is never reported.\n\n" +
			"Only resource types known to accept tags are checked: the AWS, Google and AzureRM lists embedded " +
			"from the providers' schemas (see `rules/data/taggable/README.md`). Data sources never are. AzureRM " +
			"has no provider-level default tags, and the AWS provider does not apply `default_tags` to " +
			"`aws_autoscaling_group`. For an autoscaling group, a required tag whose `tag` block has " +
			"`propagate_at_launch = false` is reported too: the group has it, its instances do not. Tags " +
			"managed outside the configuration are not required: keys in the AWS provider's `ignore_tags`, " +
			"and tags listed in the resource's `lifecycle { ignore_changes }`. Roots under `examples/` or " +
			"`test/` are demos and are not checked.\n\n" +
			"With a plan (`tfgate lint DIR --plan plan.json`, or `tfgate plan plan.json` alone), each resource " +
			"instance the plan creates, updates or keeps is checked on the tags the provider computed: AWS " +
			"`tags_all`, Google `effective_labels` (else `terraform_labels`), AzureRM `tags`, autoscaling group " +
			"`tag` blocks. Provider defaults are already merged there, so tags that arrive through `-var`, data " +
			"sources or remote state are judged on their real values; a value the plan does not know yet " +
			"(`after_unknown`) is never reported, and keys in the AWS provider's `ignore_tags` (when the plan's " +
			"configuration gives them literally) or the resource's `ignore_changes` are not required. Each " +
			"`count`/`for_each` instance is its own finding, and a plan finding replaces the static one on the " +
			"same block.",
		Fix: "Add the missing keys to the resource's tags, or once for every resource of a provider " +
			"configuration in `provider \"aws\" { default_tags { tags = {...} } }` or " +
			"`provider \"google\" { default_labels = {...} }`. When the tags come from a variable, set it in " +
			"the tfvars file or the module call named in the message. For `aws_autoscaling_group`, set " +
			"`propagate_at_launch = true` on the tag blocks the instances need.\n\n" +
			"Configure the keys with `tags`, allowed values with `values` (a list of literals or `/regexp/` " +
			"per key; a regexp must match the whole value), `ignore_case` for case-insensitive keys and " +
			"values, and `exclude_types` for types you do not tag. The taggable type lists are data, not " +
			"guesses: each file in `rules/data/taggable/` names its source and commit on its first line, and " +
			"the README there says how to refresh them.",
		Bad: `provider "aws" {
  region = "eu-west-1"
}

resource "aws_s3_bucket" "logs" {
  bucket = "acme-logs"
  tags = {
    team = "platform"
  }
}`,
		Good: `provider "aws" {
  region = "eu-west-1"
  default_tags {
    tags = {
      environment = "production"
      project     = "observability"
    }
  }
}

resource "aws_s3_bucket" "logs" {
  bucket = "acme-logs"
  tags = {
    team = "platform"
  }
}`,
	},
	Options: []analyzer.Option{
		{
			Name:     "tags",
			Type:     cty.List(cty.String),
			Default:  cty.ListVal([]cty.Value{cty.StringVal("team"), cty.StringVal("environment"), cty.StringVal("project")}),
			Doc:      "Keys every taggable resource must carry in its effective tags (labels on Google Cloud).",
			Validate: validateTagKeys,
		},
		{
			Name:    "values",
			Type:    cty.DynamicPseudoType,
			Default: cty.NullVal(cty.DynamicPseudoType),
			Doc: "Allowed values per key: a list of literals and `/regexp/` patterns, or one of them, e.g. " +
				"`{ environment = [\"dev\", \"staging\", \"production\"], team = \"/^[a-z-]+$/\" }`. A regexp " +
				"must match the whole value. Keys listed here but not in `tags` are checked only when present.",
			Validate: func(v cty.Value) error { _, err := parseTagValues(v); return err },
		},
		{
			Name:    "ignore_case",
			Type:    cty.Bool,
			Default: cty.False,
			Doc:     "Compare keys and values without regard to case.",
		},
		{
			Name:     "exclude_types",
			Type:     cty.List(cty.String),
			Default:  cty.ListValEmpty(cty.String),
			Doc:      "Resource types not checked: names or `/regexp/` patterns, e.g. `[\"aws_s3_object\", \"/aws_route53_.*/\"]`; a regexp must match the whole type.",
			Validate: validatePatterns,
		},
	},
	Run:  runTagsRequired,
	Plan: planTagsRequired,
})

// ---- taggable types ----

//go:embed data/taggable/*.txt
var taggableData embed.FS

// tagKind says how resources of a type carry tags.
type tagKind struct {
	attr     string // the map attribute: tags, labels, user_labels, resource_labels; "" with blocks
	blocks   bool   // `tag` blocks with propagate_at_launch (aws_autoscaling_group)
	defaults string // provider-level defaults merged in: "default_tags" (AWS), "default_labels" (Google), ""
	noun     string // "tag" or "label"
}

// taggableFiles maps each embedded list to how its types carry tags.
var taggableFiles = map[string]tagKind{
	// Types with a top-level `tags` map; the provider merges default_tags into tags_all.
	"aws.txt": {attr: "tags", defaults: "default_tags", noun: "tag"},
	// Types tagged by `tag` blocks; the provider does not apply default_tags to them.
	"aws-tag-blocks.txt": {blocks: true, noun: "tag"},
	// AzureRM has no provider-level default tags.
	"azurerm.txt": {attr: "tags", noun: "tag"},
	// Top-level `labels` with terraform_labels: default_labels are merged in.
	"google.txt": {attr: "labels", defaults: "default_labels", noun: "label"},
	// Only in google-beta (used with `provider = google-beta`); same labels model.
	"google-beta-only.txt": {attr: "labels", defaults: "default_labels", noun: "label"},
	// Labels in `resource_labels` (GKE clusters); default_labels are merged in.
	"google-resource-labels.txt": {attr: "resource_labels", defaults: "default_labels", noun: "label"},
	// User labels are `user_labels` (`labels` configures the channel or check); no terraform_labels, so no default_labels.
	"google-user-labels.txt": {attr: "user_labels", noun: "label"},
}

var taggableTypes = sync.OnceValue(func() map[string]tagKind {
	out := map[string]tagKind{}
	ents, err := taggableData.ReadDir("data/taggable")
	if err != nil {
		panic(err)
	}
	for _, e := range ents {
		kind, ok := taggableFiles[e.Name()]
		if !ok {
			panic("rules/data/taggable/" + e.Name() + " has no entry in taggableFiles")
		}
		data, err := taggableData.ReadFile(path.Join("data/taggable", e.Name()))
		if err != nil {
			panic(err)
		}
		for _, line := range strings.Split(string(data), "\n") {
			line = strings.TrimSpace(line)
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			if prev, dup := out[line]; dup && prev != kind {
				panic("rules/data/taggable: " + line + " is listed in two files that tag differently")
			}
			out[line] = kind
		}
	}
	return out
})

// ---- options ----

type tagPolicy struct {
	required   []string
	values     []tagValueRule
	ignoreCase bool
	exclude    []string
}

type tagValueRule struct {
	key      string
	patterns []string
}

func validateTagKeys(v cty.Value) error {
	for _, k := range model.StringList(v) {
		if strings.TrimSpace(k) == "" {
			return errors.New("a tag key is empty")
		}
	}
	return nil
}

func validatePatterns(v cty.Value) error {
	for _, p := range model.StringList(v) {
		if err := checkPattern(p); err != nil {
			return err
		}
	}
	return nil
}

func checkPattern(p string) error {
	if len(p) > 1 && p[0] == '/' && p[len(p)-1] == '/' {
		if _, err := regexp.Compile(p[1 : len(p)-1]); err != nil {
			return fmt.Errorf("%s is not a valid regexp: %v", p, err)
		}
	}
	return nil
}

// parseTagValues reads the values option: an object whose attributes are a
// string or a list of strings.
func parseTagValues(v cty.Value) ([]tagValueRule, error) {
	if v == cty.NilVal || v.IsNull() {
		return nil, nil
	}
	if !v.IsWhollyKnown() {
		return nil, errors.New("must be known")
	}
	t := v.Type()
	if !t.IsObjectType() && !t.IsMapType() {
		return nil, errors.New(`must be an object of key = ["allowed", "values"] or key = "/regexp/"`)
	}
	var out []tagValueRule
	for it := v.ElementIterator(); it.Next(); {
		k, e := it.Element()
		key := k.AsString()
		var pats []string
		switch et := e.Type(); {
		case e.IsNull():
			return nil, fmt.Errorf("%s is null", key)
		case et == cty.String:
			pats = []string{e.AsString()}
		case et.IsListType() || et.IsTupleType() || et.IsSetType():
			for it2 := e.ElementIterator(); it2.Next(); {
				_, p := it2.Element()
				if p.IsNull() || p.Type() != cty.String {
					return nil, fmt.Errorf("%s must list strings", key)
				}
				pats = append(pats, p.AsString())
			}
			if len(pats) == 0 {
				return nil, fmt.Errorf("%s allows no value at all", key)
			}
		default:
			return nil, fmt.Errorf("%s must be a string or a list of strings", key)
		}
		for _, p := range pats {
			if err := checkPattern(p); err != nil {
				return nil, fmt.Errorf("%s: %v", key, err)
			}
		}
		out = append(out, tagValueRule{key: key, patterns: pats})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key < out[j].key })
	return out, nil
}

func tagPolicyOf(pass *analyzer.Pass) (*tagPolicy, error) {
	values, err := parseTagValues(pass.Option("values"))
	if err != nil {
		return nil, fmt.Errorf("option values: %v", err)
	}
	return &tagPolicy{
		required:   pass.StringsOption("tags"),
		values:     values,
		ignoreCase: pass.BoolOption("ignore_case"),
		exclude:    pass.StringsOption("exclude_types"),
	}, nil
}

func (p *tagPolicy) sameKey(a, b string) bool {
	return a == b || (p.ignoreCase && strings.EqualFold(a, b))
}

// ---- effective tags ----

// tagEntry is one key of a resource's effective tags.
type tagEntry struct {
	key       string
	value     cty.Value
	source    string    // short name of where it was set, for value messages
	propagate cty.Value // propagate_at_launch of a tag block; cty.NilVal elsewhere
	// overridable is true when a source that takes precedence is not fully
	// known and might set the same key.
	overridable bool
	// sensitive values (marked so in a plan) are never shown.
	sensitive bool
}

// tagLayer is one source of tags: provider defaults, the resource's own
// tags, or separate tagging resources. Later layers win.
type tagLayer struct {
	entries  []tagEntry
	complete bool   // every key of this source is known
	desc     string // "resource tags from main.tf:4"; "" when the source sets nothing
}

// effectiveTags is the merged result.
type effectiveTags struct {
	entries  []tagEntry
	complete bool
	sources  []string
	// note explains an empty or partial result ("provider `aws` has no default_tags").
	note string
	// external keys are managed outside this configuration (ignore_tags,
	// lifecycle ignore_changes); allExternal means every key is.
	external    []string
	externalPfx []string
	allExternal bool
	// launched is what the instances of an autoscaling group get from its
	// launch template; nil when no launch template can be resolved.
	launched *launchTags
}

func (e *effectiveTags) find(p *tagPolicy, key string) []*tagEntry {
	var out []*tagEntry
	for i := range e.entries {
		if p.sameKey(e.entries[i].key, key) {
			out = append(out, &e.entries[i])
		}
	}
	return out
}

func (e *effectiveTags) isExternal(p *tagPolicy, key string) bool {
	if e.allExternal {
		return true
	}
	for _, k := range e.external {
		if p.sameKey(k, key) {
			return true
		}
	}
	for _, pfx := range e.externalPfx {
		if strings.HasPrefix(key, pfx) || (p.ignoreCase && strings.HasPrefix(strings.ToLower(key), strings.ToLower(pfx))) {
			return true
		}
	}
	return false
}

func mergeTagLayers(layers ...tagLayer) *effectiveTags {
	eff := &effectiveTags{complete: true}
	for _, l := range layers {
		if !l.complete {
			eff.complete = false
			for i := range eff.entries {
				eff.entries[i].overridable = true
			}
		}
		for _, ne := range l.entries {
			replaced := false
			for i := range eff.entries {
				if eff.entries[i].key == ne.key {
					eff.entries[i] = ne
					replaced = true
				}
			}
			if !replaced {
				eff.entries = append(eff.entries, ne)
			}
		}
		if l.desc != "" {
			eff.sources = append(eff.sources, l.desc)
		}
	}
	return eff
}

// mapTags reads a tags/labels map attribute. Keys whose value is null are
// not set.
func mapTags(v cty.Value, source string) ([]tagEntry, bool) {
	keys, ok := model.KnownKeys(v)
	if !ok {
		return nil, false
	}
	names := make([]string, 0, len(keys))
	for k := range keys {
		names = append(names, k)
	}
	sort.Strings(names)
	var out []tagEntry
	for _, k := range names {
		e := keys[k]
		if e.IsKnown() && e.IsNull() {
			continue
		}
		out = append(out, tagEntry{key: k, value: e, source: source})
	}
	return out, true
}

// ownTags reads the tags a resource sets itself.
func ownTags(s eval.Scope, kind tagKind) tagLayer {
	if !kind.blocks {
		v, a := s.Attr(kind.attr)
		if a == nil {
			return tagLayer{complete: true}
		}
		entries, ok := mapTags(v, "resource "+kind.noun+"s")
		return tagLayer{entries: entries, complete: ok, desc: fmt.Sprintf("resource %ss from %s", kind.noun, s.Origin(a))}
	}
	l := tagLayer{complete: true}
	var descs []string
	for _, tb := range s.Blocks("tag") {
		e, ok := tagBlockEntry(tb, "resource `tag` blocks")
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
				l.entries = append(l.entries, tagEntry{key: k, value: orNull(keys["value"]), source: "resource tags", propagate: orNull(keys["propagate_at_launch"])})
			}
		}
	}
	l.desc = strings.Join(descs, " and ")
	return l
}

func orNull(v cty.Value) cty.Value {
	if v == cty.NilVal {
		return cty.NullVal(cty.DynamicPseudoType)
	}
	return v
}

// tagBlockEntry reads a `tag { key, value, propagate_at_launch }` block; ok
// is false when its key is not known.
func tagBlockEntry(tb eval.Scope, source string) (tagEntry, bool) {
	kv, _ := tb.Attr("key")
	k, ok := model.KnownString(kv)
	if !ok {
		return tagEntry{}, false
	}
	val, _ := tb.Attr("value")
	prop, pa := tb.Attr("propagate_at_launch")
	if pa == nil {
		prop = cty.NullVal(cty.Bool)
	}
	return tagEntry{key: k, value: orNull(val), source: source, propagate: prop}, true
}

// tagResourceTypes are AWS resources that add one tag to another resource.
var tagResourceTypes = map[string]struct {
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
func separateTags(in *eval.Instance) map[string]*tagLayer {
	managed := map[string]bool{}
	for _, r := range in.Module.Resources {
		if r.Type == "resource" {
			managed[r.Address()] = true
		}
	}
	out := map[string]*tagLayer{}
	for _, r := range in.Module.Resources {
		tt, ok := tagResourceTypes[r.Labels[0]]
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
		layer := tagLayer{complete: true}
		src := "`" + r.Address() + "`"
		for _, s := range in.Scopes(r) {
			if tt.block {
				for _, tb := range s.Blocks("tag") {
					e, ok := tagBlockEntry(tb, src)
					if !ok {
						layer.complete = false
						continue
					}
					layer.entries = append(layer.entries, e)
				}
				continue
			}
			kv, _ := s.Attr("key")
			k, ok := model.KnownString(kv)
			if !ok {
				layer.complete = false
				continue
			}
			val, _ := s.Attr("value")
			layer.entries = append(layer.entries, tagEntry{key: k, value: orNull(val), source: src})
		}
		for _, t := range targets {
			l := out[t]
			if l == nil {
				l = &tagLayer{complete: true}
				out[t] = l
			}
			l.entries = append(l.entries, layer.entries...)
			l.complete = l.complete && layer.complete
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
func providerSettings(in *eval.Instance, b *model.Block, kind tagKind, eff *effectiveTags) tagLayer {
	isAWS := strings.HasPrefix(b.Labels[0], "aws_")
	isGoogle := strings.HasPrefix(b.Labels[0], "google_")
	if kind.defaults == "" && !isAWS && !isGoogle {
		return tagLayer{complete: true}
	}
	key, ok := providerKeyOf(b)
	if !ok {
		if kind.defaults != "" {
			return tagLayer{complete: false}
		}
		return tagLayer{complete: true}
	}
	pb, owner, known := in.ProviderConfig(key)
	if !known {
		// A reusable module evaluated on its own: its callers' provider
		// configurations are unknown.
		if kind.defaults != "" {
			return tagLayer{complete: false}
		}
		return tagLayer{complete: true}
	}
	if pb == nil {
		if kind.defaults == "" {
			return tagLayer{complete: true}
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
			return tagLayer{complete: false}
		}
		eff.note = fmt.Sprintf("provider `%s` has no %s", key, kind.defaults)
		return tagLayer{complete: true}
	}
	name := pb.ProviderKey()
	l := tagLayer{complete: true}
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
						eff.allExternal = true
						continue
					}
					if attr == "keys" {
						eff.external = append(eff.external, model.StringList(v)...)
					} else {
						eff.externalPfx = append(eff.externalPfx, model.StringList(v)...)
					}
				}
			}
		}
		src := fmt.Sprintf("%s of provider `%s`", kind.defaults, name)
		// Say so when the provider has defaults that this type does not take.
		if kind.defaults == "" && isAWS && len(ps.Blocks("default_tags")) > 0 {
			eff.note = fmt.Sprintf("the default_tags of provider `%s` do not apply to `%s`", name, b.Labels[0])
		}
		if _, a := ps.Attr("default_labels"); kind.defaults == "" && isGoogle && a != nil {
			eff.note = fmt.Sprintf("the default_labels of provider `%s` do not apply to `%s`", name, kind.attr)
		}
		switch kind.defaults {
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
	case kind.defaults == "":
	case len(origins) == 0:
		eff.note = fmt.Sprintf("provider `%s` has no %s", name, kind.defaults)
	default:
		l.desc = fmt.Sprintf("%s of provider `%s` from %s", kind.defaults, name, strings.Join(dedupe(origins), ", "))
	}
	return l
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

// ignoredTagChanges reads lifecycle { ignore_changes }: tags that
// Terraform leaves to someone else. all is true for `all` or the whole
// tags attribute; keys lists single keys (tags["team"]).
func ignoredTagChanges(b *model.Block, attrs []string) (all bool, keys []string) {
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

// launchTags are the tags that the launch template of an autoscaling group
// gives its instances (tag_specifications with resource_type "instance").
type launchTags struct {
	keys []string
}

// lacks reports whether the instances are known not to get a key from the
// launch template. A nil receiver knows nothing.
func (l *launchTags) lacks(p *tagPolicy, key string) bool {
	if l == nil {
		return false
	}
	for _, k := range l.keys {
		if p.sameKey(k, key) {
			return false
		}
	}
	return true
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

// ---- the check ----

func runTagsRequired(pass *analyzer.Pass) error {
	pol, err := tagPolicyOf(pass)
	if err != nil {
		return err
	}
	catalog := taggableTypes()
	for _, in := range pass.Instances {
		if in.Root().Module.IsDemo() {
			continue
		}
		var separate map[string]*tagLayer
		defaults := map[providerDefaultsKey]*providerDefaults{}
		for _, b := range in.Module.Resources {
			if b.Type != "resource" || len(b.Labels) < 2 {
				continue
			}
			kind, ok := catalog[b.Labels[0]]
			if !ok || model.MatchAny(b.Labels[0], pol.exclude, false) {
				continue
			}
			if separate == nil {
				separate = separateTags(in)
			}
			checkTaggedResource(pass, pol, in, b, kind, separate[b.Address()], defaults)
		}
	}
	return nil
}

// providerDefaults is what a provider configuration gives the resources of
// one type: its default tags, and the keys it leaves to others.
type providerDefaults struct {
	layer tagLayer
	prov  effectiveTags
}

// providerDefaultsKey identifies the resources of an instance that share
// their provider defaults: same provider configuration, same type.
type providerDefaultsKey struct {
	provider, typ string
	kind          tagKind
}

func checkTaggedResource(pass *analyzer.Pass, pol *tagPolicy, in *eval.Instance, b *model.Block, kind tagKind, separate *tagLayer, cache map[providerDefaultsKey]*providerDefaults) {
	attrs := []string{kind.attr}
	if kind.blocks {
		attrs = []string{"tag", "tags"}
	}
	allIgnored, ignoredKeys := ignoredTagChanges(b, attrs)
	var launched *launchTags
	if kind.blocks {
		launched = launchTemplateTags(in, b)
	}

	scopes := in.Scopes(b)
	if len(scopes) == 0 {
		return
	}
	// The provider configuration is the same for every instance of the
	// block, and for every block of the type using it.
	pk, _ := providerKeyOf(b)
	ck := providerDefaultsKey{pk, b.Labels[0], kind}
	pd := cache[ck]
	if pd == nil {
		pd = &providerDefaults{}
		pd.layer = providerSettings(in, b, kind, &pd.prov)
		cache[ck] = pd
	}
	prov, defaults := &pd.prov, pd.layer
	var msgs []string
	first := -1
	for i, s := range scopes {
		layers := []tagLayer{defaults, ownTags(s, kind)}
		if separate != nil {
			layers = append(layers, *separate)
		}
		merged := mergeTagLayers(layers...)
		merged.note = prov.note
		merged.external = append(append([]string{}, prov.external...), ignoredKeys...)
		merged.externalPfx = prov.externalPfx
		merged.allExternal = prov.allExternal || allIgnored
		merged.launched = launched
		msg := tagProblems(pol, kind, merged)
		msgs = append(msgs, msg)
		if msg != "" && first < 0 {
			first = i
		}
	}
	if first < 0 {
		return
	}
	addr := b.Address()
	same := true
	for _, m := range msgs {
		same = same && m == msgs[first]
	}
	if !same {
		addr += instanceKey(scopes[first].Key)
	}
	attr := kind.attr
	if kind.blocks {
		attr = "tag"
	}
	pass.Report(analyzer.Finding{
		Range:     b.DefRange,
		Message:   fmt.Sprintf("`%s` %s", addr, msgs[first]),
		Module:    in.Module.Dir,
		Address:   b.Address(),
		Attribute: attr,
		Instance:  in,
	})
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

// tagProblems describes what is wrong with effective tags, or "".
func tagProblems(pol *tagPolicy, kind tagKind, eff *effectiveTags) string {
	var clauses []string
	if eff.complete {
		var missing []string
		for _, k := range pol.required {
			if len(eff.find(pol, k)) == 0 && !eff.isExternal(pol, k) {
				missing = append(missing, "`"+k+"`")
			}
		}
		if len(missing) > 0 {
			noun := kind.noun
			if len(missing) > 1 {
				noun += "s"
			}
			clauses = append(clauses, fmt.Sprintf("lacks %s %s", noun, strings.Join(missing, ", ")))
		}
	}
	multi := len(eff.sources) > 1
	for _, vr := range pol.values {
		for _, e := range eff.find(pol, vr.key) {
			if e.overridable || eff.isExternal(pol, e.key) {
				continue
			}
			s, ok := model.KnownString(e.value)
			if !ok || model.MatchAny(s, vr.patterns, pol.ignoreCase) {
				continue
			}
			c := fmt.Sprintf("%s `%s` is %s", kind.noun, e.key, model.DisplayValue(cty.StringVal(s)))
			if e.sensitive {
				c = fmt.Sprintf("%s `%s` has a sensitive value", kind.noun, e.key)
			}
			if multi && !strings.HasPrefix(e.source, "resource ") {
				c += " in " + e.source
			}
			switch {
			case len(vr.patterns) == 1 && isRegexpPattern(vr.patterns[0]) && e.sensitive:
				c += fmt.Sprintf(" that does not match `%s`", vr.patterns[0])
			case e.sensitive:
				c += " that is not one of " + backtickList(vr.patterns)
			case len(vr.patterns) == 1 && isRegexpPattern(vr.patterns[0]):
				c += fmt.Sprintf(", which does not match `%s`", vr.patterns[0])
			default:
				c += ", not one of " + backtickList(vr.patterns)
			}
			clauses = append(clauses, c)
		}
	}
	for _, k := range pol.required {
		for _, e := range eff.find(pol, k) {
			if e.propagate == cty.NilVal || e.overridable || !eff.launched.lacks(pol, e.key) {
				continue
			}
			if p, ok := model.KnownBool(e.propagate); ok && !p {
				clauses = append(clauses, fmt.Sprintf("tag `%s` has propagate_at_launch = false, so the instances do not get it", e.key))
			}
		}
	}
	if len(clauses) == 0 {
		return ""
	}
	var ctx string
	switch {
	case len(eff.sources) > 0:
		ctx = fmt.Sprintf("effective %ss: %s", kind.noun, strings.Join(eff.sources, " merged with "))
		if eff.note != "" {
			ctx += "; " + eff.note
		}
	case eff.note != "":
		ctx = fmt.Sprintf("no %ss: the resource sets none and %s", kind.noun, eff.note)
	default:
		ctx = fmt.Sprintf("the resource sets no %ss", kind.noun)
	}
	return strings.Join(clauses, "; ") + " (" + ctx + ")"
}

func isRegexpPattern(p string) bool { return len(p) > 1 && p[0] == '/' && p[len(p)-1] == '/' }

func backtickList(ss []string) string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = "`" + s + "`"
	}
	return strings.Join(out, ", ")
}

// ---- plan ----

// planTagAttrs are the after-value attributes that hold a resource's
// effective tags, most complete first: the provider has merged its
// defaults (and, for Google, labels set outside Terraform) into them.
func planTagAttrs(kind tagKind) []string {
	switch kind.defaults {
	case "default_tags":
		return []string{"tags_all", kind.attr} // tags_all arrived in AWS provider 3.38
	case "default_labels":
		return []string{"effective_labels", "terraform_labels", kind.attr}
	}
	return []string{kind.attr}
}

// planTags reads the effective tags of a plan resource instance; ok is
// false when the plan does not know them.
// Values the plan marks sensitive are flagged so that messages do not show
// them.
func planTags(s eval.Scope, kind tagKind, afterSensitive any) (layer tagLayer, attr string, ok bool) {
	if kind.blocks {
		l := ownTags(s, kind)
		if !l.complete {
			return l, "tag", false
		}
		sens := planAnySensitive(planSensitivePart(afterSensitive, "tag")) || planAnySensitive(planSensitivePart(afterSensitive, "tags"))
		for i := range l.entries {
			l.entries[i].sensitive = sens
		}
		l.desc = "`tag` blocks"
		return l, "tag", true
	}
	for _, name := range planTagAttrs(kind) {
		v, a := s.Attr(name)
		if a == nil {
			continue
		}
		entries, known := mapTags(v, "`"+name+"`")
		if !known {
			return tagLayer{}, name, false
		}
		for i := range entries {
			entries[i].sensitive = eval.PlanSensitive(afterSensitive, name, entries[i].key)
		}
		desc := "`" + name + "`"
		switch {
		case name == "tags_all":
			desc += ", with the provider's default_tags"
		case kind.defaults == "default_labels" && name != kind.attr:
			desc += ", with the provider's default_labels"
		}
		return tagLayer{entries: entries, complete: true, desc: desc}, name, true
	}
	// No tags attribute at all (a plan written by hand or by an old
	// provider): nothing set.
	return tagLayer{complete: true, desc: "the resource's " + kind.noun + "s"}, planTagAttrs(kind)[0], true
}

// planIgnoredTags reads the AWS provider's ignore_tags from the plan's
// configuration: keys and prefixes given literally, or all when they are
// expressions (then any key may be managed outside).
func planIgnoredTags(plan *tfplan.Plan) (keys, prefixes []string, all bool) {
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

func planTagsRequired(pass *analyzer.Pass) error {
	if pass.PlanRoot != nil && pass.PlanRoot.IsDemo() {
		return nil
	}
	pol, err := tagPolicyOf(pass)
	if err != nil {
		return err
	}
	catalog := taggableTypes()
	ignKeys, ignPfx, ignAll := planIgnoredTags(pass.Plan)
	for _, r := range pass.PlanResources() {
		if r.Mode != "managed" || r.Scope == nil || r.Change.DeposedKey != "" {
			continue
		}
		kind, ok := catalog[r.Type]
		if !ok || model.MatchAny(r.Type, pol.exclude, false) {
			continue
		}
		layer, attr, ok := planTags(*r.Scope, kind, r.Change.Change.AfterSensitive)
		if !ok {
			continue
		}
		eff := mergeTagLayers(layer)
		if strings.HasPrefix(r.Type, "aws_") {
			eff.external, eff.externalPfx, eff.allExternal = ignKeys, ignPfx, ignAll
		}
		if b := r.Loc.Block; b != nil {
			attrs := []string{kind.attr, "tags_all"}
			if kind.blocks {
				attrs = []string{"tag", "tags"}
			}
			all, keys := ignoredTagChanges(b, attrs)
			eff.allExternal = eff.allExternal || all
			eff.external = append(append([]string{}, eff.external...), keys...)
		}
		if kind.blocks && len(r.Scope.Blocks("launch_template"))+len(r.Scope.Blocks("mixed_instances_policy")) == 0 {
			eff.launched = &launchTags{} // no launch template: instances get only propagated tags
		}
		if msg := tagProblems(pol, kind, eff); msg != "" {
			pass.ReportPlan(r, attr, analyzer.Finding{Message: msg})
		}
	}
	return nil
}

// planSensitivePart is the after_sensitive of one top-level attribute.
func planSensitivePart(afterSensitive any, name string) any {
	if m, ok := afterSensitive.(map[string]any); ok {
		return m[name]
	}
	return afterSensitive
}
