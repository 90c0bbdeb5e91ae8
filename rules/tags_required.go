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
			"access policies find a resource. A resource without an owner tag has no one to page; one without " +
			"an environment or cost key lands in the \"unallocated\" line of the bill. tfgate checks the tags " +
			"the resource will really get: its own `tags` (or `labels`, `user_labels`, `resource_labels`, or " +
			"`tag` blocks for `aws_autoscaling_group`) merged with the `default_tags` of the AWS provider or " +
			"the `default_labels` of the Google provider that configures it, following `provider = aws.dr`, " +
			"module calls' `providers` maps and default-provider inheritance. Values are evaluated through " +
			"variables, tfvars, locals, `merge()` and module arguments; a value tfgate cannot know (a data " +
			"source, a variable without a value, a reusable module whose callers are not scanned, a root " +
			"without any provider block whose configuration is generated elsewhere) is never reported.\n\n" +
			"**The default policy.** Organisations tag by schemes of their own (`Environment`/`Owner`/" +
			"`CostCenter`, `business-unit`/`application`/`owner`), and most set them once per provider " +
			"configuration in `default_tags`. Demanding tfgate's own key names of them would bury the real " +
			"gaps under hundreds of errors, so when `.tfgate.hcl` sets no `tags`, tags-required asks what " +
			"holds whatever the scheme:\n\n" +
			"- A taggable resource known to end up with **no tags at all** is an error: nothing allocates its " +
			"cost or names its owner.\n" +
			"- A root whose AWS and Google provider configurations that set `default_tags`/`default_labels` " +
			"share keys has a **scheme of its own**: the keys that every one of those configurations sets " +
			"(compared in any case and without regard to `-`, `_` and `.`). Every taggable resource of the " +
			"root must carry them (or else the whole default set below: a scheme of `managed_by` alone does " +
			"not make a resource tagged `team`/`environment`/`project` a problem), so a resource created through a provider configuration without defaults " +
			"(typically an alias such as `aws.us_east_1` for certificates), or of a type the defaults do not " +
			"reach (`aws_autoscaling_group`), is an error naming that provider and the scheme. tfgate's " +
			"default set is then not required; a scheme that holds none of its keys (say only `ManagedBy`) " +
			"gets one note, at the provider, when some resource lacks the default set too, since the scheme " +
			"may not say who owns it.\n" +
			"- Without such a scheme (no provider defaults, or configurations whose defaults share no key), " +
			"the default set `team`, `environment`, `project` is required, in any case and without regard " +
			"to `-`, `_` and `.` (`Environment` and `cost_center` match `environment` and `cost-center`; " +
			"`env` does not match `environment`: no synonyms are guessed).\n" +
			"- When some provider configuration's defaults are not wholly known (a variable without a value, " +
			"a data source), the scheme holds at least the keys merged into them literally " +
			"(`merge(jsondecode(data.http.org.response_body).tags, { source-code = \"…\" })` holds " +
			"`source-code`): those are required, and nothing is said of the default set. When no such key " +
			"is known, only a resource with no tags at all is reported.\n\n" +
			"Keys given with the `tags` option are the requirement instead, compared exactly (case-sensitive " +
			"unless `ignore_case`), as AWS cost allocation and tag policies compare them; a key that differs " +
			"only in case or separators is named in the message (\"has `Environment`, not `environment`\").\n\n" +
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
			"same block. The default policy reads the scheme from the plan's provider configurations: a " +
			"literal `default_tags` map gives its keys; any other expression is read back from the plan (a key " +
			"in a resource's `tags_all` but not in its `tags` can only come from its provider's defaults), and " +
			"when no resource shows one, the scheme is not known.",
		Fix: "Add the missing keys to the resource's tags, or once for every resource of a provider " +
			"configuration in `provider \"aws\" { default_tags { tags = {...} } }` or " +
			"`provider \"google\" { default_labels = {...} }`. When the tags come from a variable, set it in " +
			"the tfvars file or the module call named in the message. For `aws_autoscaling_group`, set " +
			"`propagate_at_launch = true` on the tag blocks the instances need.\n\n" +
			"Under the default policy, add `default_tags` to the provider configuration named in the message " +
			"(or the scheme's keys to the resource). To require keys of your own (and turn the policy into an " +
			"exact check), list them in `tags`:\n\n" +
			"```hcl\nrule \"tags-required\" {\n  tags = [\"Environment\", \"Owner\", \"CostCenter\"]\n}\n```\n\n" +
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
			Name:    "tags",
			Type:    cty.List(cty.String),
			Default: cty.ListVal([]cty.Value{cty.StringVal("team"), cty.StringVal("environment"), cty.StringVal("project")}),
			Doc: "Keys every taggable resource must carry in its effective tags (labels on Google Cloud), " +
				"compared exactly (see `ignore_case`). Not set: the default policy (no resource without tags; " +
				"the scheme that the root's provider `default_tags`/`default_labels` share, else `team`, " +
				"`environment`, `project` in any case and without regard to `-`, `_`, `.`). Setting it to the " +
				"default's three keys makes them exact.",
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
	// required are the configured keys; nil when .tfgate.hcl sets no
	// `tags` and the default policy applies (tags_policy.go).
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
	var required []string
	if pass.OptionSet("tags") {
		required = append([]string{}, pass.StringsOption("tags")...)
	}
	return &tagPolicy{
		required:   required,
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
	var roots map[*eval.Instance][]*eval.Instance
	schemes := map[*eval.Instance]*tagScheme{}
	var noted []*eval.Instance
	for _, in := range pass.Instances {
		root := in.Root()
		if r := root.Module; r.IsDemo() || r.Kind == model.UnknownKind {
			continue // not deployed, or maybe not (`tfgate modules`)
		}
		var res *tags.Resolver
		var req tagRequirement
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
				req = tagRequirement{keys: pol.required, configured: true}
				if pol.required == nil {
					s := schemes[root]
					if s == nil {
						if roots == nil {
							roots = rootsOf(pass.Instances)
						}
						s = schemeOf(roots[root])
						schemes[root] = s
						noted = append(noted, root)
					}
					req = defaultRequirement(s)
				}
			}
			checkTaggedResource(pass, pol, req, in, b, kind, res.Resource(b, kind))
		}
	}
	for _, root := range noted {
		schemeNote(pass, schemes[root])
	}
	return nil
}

// checkTaggedResource reports the first instance of a resource block
// whose effective tags have a problem; the instance key is named when the
// instances differ.
func checkTaggedResource(pass *analyzer.Pass, pol *tagPolicy, req tagRequirement, in *eval.Instance, b *model.Block, kind tags.Kind, insts []*tags.Effective) {
	var msgs []string
	first := -1
	for i, eff := range insts {
		msg := tagProblems(pol, req, kind, eff)
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

// tagProblems describes what is wrong with effective tags, or "".
func tagProblems(pol *tagPolicy, req tagRequirement, kind tags.Kind, eff *tags.Effective) string {
	var clauses []string
	hint := ""
	if eff.Complete {
		if !req.configured && hasNone(eff) {
			clauses = append(clauses, req.emptyClause(kind))
			hint = emptyFix(kind, eff)
		} else if missing := req.missingKeys(pol, eff); len(missing) > 0 && !req.defaultSetCovers(eff) {
			clauses = append(clauses, req.lacksClause(pol, kind, eff, missing))
			if !req.configured && req.scheme == nil {
				hint = defaultSetHint
			}
		}
		if req.scheme != nil && !req.scheme.someLackDefaultSet && !hasDefaultSet(eff) {
			req.scheme.someLackDefaultSet = true
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
	for _, k := range req.keys {
		for _, e := range req.find(pol, eff, k) {
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
	return strings.Join(clauses, "; ") + " (" + ctx + ")" + hint
}
