package rules

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/tfgate/tfgate/analyzer"
	"github.com/tfgate/tfgate/analyzer/eval"
	"github.com/tfgate/tfgate/analyzer/model"
	"github.com/tfgate/tfgate/analyzer/tags"
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
			"and tags listed in the resource's `lifecycle { ignore_changes }`. Demos (examples, tests) and " +
			"modules whose kind is unknown are not checked (`tfgate modules` says what each directory is).\n\n" +
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

// ---- the check ----

func runTagsRequired(pass *analyzer.Pass) error {
	pol, err := tagPolicyOf(pass)
	if err != nil {
		return err
	}
	catalog := taggableTypes()
	for _, in := range pass.Instances {
		if r := in.Root().Module; r.IsDemo() || r.Kind == model.UnknownKind {
			continue // not deployed, or maybe not (`tfgate modules`)
		}
		var res *tags.Resolver
		for _, b := range in.Module.Resources {
			if b.Type != "resource" || len(b.Labels) < 2 {
				continue
			}
			kind, ok := catalog[b.Labels[0]]
			if !ok || model.MatchAny(b.Labels[0], pol.exclude, false) {
				continue
			}
			if res == nil {
				res = tags.NewResolver(in)
			}
			checkTaggedResource(pass, pol, in, b, kind, res.Resource(b, kind))
		}
	}
	return nil
}

// checkTaggedResource reports the first instance of a resource block
// whose effective tags have a problem; the instance key is named when the
// instances differ.
func checkTaggedResource(pass *analyzer.Pass, pol *tagPolicy, in *eval.Instance, b *model.Block, kind tags.Kind, insts []*tags.Effective) {
	var msgs []string
	first := -1
	for i, eff := range insts {
		msg := tagProblems(pol, kind, eff)
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
		addr += instanceKey(insts[first].Key)
	}
	attr := kind.Attr
	if kind.Blocks {
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
func tagProblems(pol *tagPolicy, kind tags.Kind, eff *tags.Effective) string {
	var clauses []string
	if eff.Complete {
		var missing []string
		for _, k := range pol.required {
			if len(eff.Find(k, pol.ignoreCase)) == 0 && !eff.IsExternal(k, pol.ignoreCase) {
				missing = append(missing, "`"+k+"`")
			}
		}
		if len(missing) > 0 {
			noun := kind.Noun
			if len(missing) > 1 {
				noun += "s"
			}
			clauses = append(clauses, fmt.Sprintf("lacks %s %s", noun, strings.Join(missing, ", ")))
		}
	}
	multi := len(eff.Sources) > 1
	for _, vr := range pol.values {
		for _, e := range eff.Find(vr.key, pol.ignoreCase) {
			if e.Overridable || eff.IsExternal(e.Key, pol.ignoreCase) {
				continue
			}
			s, ok := model.KnownString(e.Value)
			if !ok || model.MatchAny(s, vr.patterns, pol.ignoreCase) {
				continue
			}
			c := fmt.Sprintf("%s `%s` is %s", kind.Noun, e.Key, model.DisplayValue(cty.StringVal(s)))
			if e.Sensitive {
				c = fmt.Sprintf("%s `%s` has a sensitive value", kind.Noun, e.Key)
			}
			if multi && !strings.HasPrefix(e.Source, "resource ") {
				c += " in " + e.Source
			}
			switch {
			case len(vr.patterns) == 1 && isRegexpPattern(vr.patterns[0]) && e.Sensitive:
				c += fmt.Sprintf(" that does not match `%s`", vr.patterns[0])
			case e.Sensitive:
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
		for _, e := range eff.Find(k, pol.ignoreCase) {
			if e.Propagate == cty.NilVal || e.Overridable || !eff.LaunchLacks(e.Key, pol.ignoreCase) {
				continue
			}
			if p, ok := model.KnownBool(e.Propagate); ok && !p {
				clauses = append(clauses, fmt.Sprintf("tag `%s` has propagate_at_launch = false, so the instances do not get it", e.Key))
			}
		}
	}
	if len(clauses) == 0 {
		return ""
	}
	var ctx string
	switch {
	case len(eff.Sources) > 0:
		ctx = fmt.Sprintf("effective %ss: %s", kind.Noun, strings.Join(eff.Sources, " merged with "))
		if eff.Note != "" {
			ctx += "; " + eff.Note
		}
	case eff.Note != "":
		ctx = fmt.Sprintf("no %ss: the resource sets none and %s", kind.Noun, eff.Note)
	default:
		ctx = fmt.Sprintf("the resource sets no %ss", kind.Noun)
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
	for _, r := range pass.PlanResources() {
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
		if msg := tagProblems(pol, kind, eff); msg != "" {
			pass.ReportPlan(r, attr, analyzer.Finding{Message: msg})
		}
	}
	return nil
}
