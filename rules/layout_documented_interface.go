package rules

import (
	"fmt"
	"strings"

	"github.com/tfgate/tfgate/analyzer"
	"github.com/tfgate/tfgate/analyzer/model"
)

// LayoutDocumentedInterface reports variables without a description or a
// type and outputs without a description: warnings in reusable modules,
// notes in root modules.
var layoutDocumentedInterface = register(&analyzer.Rule{
	ID:       "layout-documented-interface",
	Family:   analyzer.FamilyLayout,
	Severity: analyzer.Warning,
	Doc: analyzer.Doc{
		Title: "Module variables and outputs carry a description and a type",
		Why: "A module's variables and outputs are its interface. The `description` is what callers, `terraform-docs`, " +
			"the registry and editors show; without it every caller has to read the implementation to learn what a value " +
			"means, what units it uses or which values are safe. A variable without `type` accepts anything: a caller who " +
			"passes a string where a list was meant gets an error deep inside the module, or worse, a plan that does " +
			"something else.\n\n" +
			"Reusable modules get a warning for each variable or output that lacks them. Root modules get a note: their " +
			"variables are set by the people who run them, and a short description still saves the next reader a search. " +
			"Demos (examples, tests) and directories that are not modules are not checked, nor are modules generated as " +
			"`.tf.json` only. " +
			"An empty description counts as missing; `type = any` counts as a type, since it is an explicit choice. A " +
			"description or type given in an override file (`override.tf`, `*_override.tf`) counts for the variable it " +
			"overrides.",
		Fix: "Give every variable a `description` and a `type`, and every output a `description`. Use object types with " +
			"`optional()` attributes rather than `any` for structured inputs.",
		Bad: `variable "subnets" {
  default = []
}

output "id" {
  value = aws_vpc.this.id
}`,
		Good: `variable "subnets" {
  description = "CIDR blocks of the private subnets, one per availability zone."
  type        = list(string)
  default     = []
}

output "id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}`,
	},
	Run: runLayoutDocumentedInterface,
})

func runLayoutDocumentedInterface(pass *analyzer.Pass) error {
	for _, m := range pass.Project.Modules {
		if !m.Scanned || m.IsDemo() || m.Kind == model.NotModule || m.Excluded || layoutGenerated(m) {
			continue
		}
		sev := analyzer.Severity(0) // the rule's severity
		if !layoutReusable(m) {
			sev = analyzer.Note
		}
		overridden := layoutOverriddenAttrs(m.Variables)
		for _, v := range m.Variables {
			if layoutIsOverride(v.File) {
				continue
			}
			name := v.Labels[0]
			var problems, fixes []string
			switch layoutDescription(v, overridden[name]) {
			case layoutMissing:
				problems = append(problems, "no `description`")
				fixes = append(fixes, "write a `description`")
			case layoutEmpty:
				problems = append(problems, "an empty `description`")
				fixes = append(fixes, "write a `description`")
			}
			if v.Attr("type") == nil && !overridden[name]["type"] {
				problems = append(problems, "no `type`")
				fixes = append(fixes, "declare a `type`")
			}
			if len(problems) > 0 {
				pass.Report(analyzer.Finding{Range: v.DefRange, Module: m.Dir, Address: v.Address(), Severity: sev,
					Message: fmt.Sprintf("variable `%s` has %s; %s so callers know what to pass", name, strings.Join(problems, " and "), strings.Join(fixes, " and "))})
			}
		}
		overridden = layoutOverriddenAttrs(m.Outputs)
		for _, o := range m.Outputs {
			if layoutIsOverride(o.File) {
				continue
			}
			name := o.Labels[0]
			switch layoutDescription(o, overridden[name]) {
			case layoutMissing:
				pass.Report(analyzer.Finding{Range: o.DefRange, Module: m.Dir, Address: o.Address(), Severity: sev,
					Message: fmt.Sprintf("output `%s` has no `description`; write one so callers know what it returns", name)})
			case layoutEmpty:
				pass.Report(analyzer.Finding{Range: o.DefRange, Module: m.Dir, Address: o.Address(), Severity: sev,
					Message: fmt.Sprintf("output `%s` has an empty `description`; write one so callers know what it returns", name)})
			}
		}
	}
	return nil
}

const (
	layoutPresent = iota
	layoutMissing
	layoutEmpty
)

// layoutDescription says whether a block has a description; one that is
// not a static string (which Terraform rejects anyway) counts as present.
func layoutDescription(b *model.Block, overridden map[string]bool) int {
	a := b.Attr("description")
	if a == nil {
		if overridden["description"] {
			return layoutPresent
		}
		return layoutMissing
	}
	if s, ok := model.StaticString(a.Expr); ok && strings.TrimSpace(s) == "" && !overridden["description"] {
		return layoutEmpty
	}
	return layoutPresent
}

// layoutOverriddenAttrs lists, by block name, the description and type
// attributes that override files set.
func layoutOverriddenAttrs(blocks []*model.Block) map[string]map[string]bool {
	out := map[string]map[string]bool{}
	for _, b := range blocks {
		if !layoutIsOverride(b.File) {
			continue
		}
		name := b.Labels[0]
		if out[name] == nil {
			out[name] = map[string]bool{}
		}
		for _, attr := range []string{"description", "type"} {
			if a := b.Attr(attr); a != nil {
				if s, ok := model.StaticString(a.Expr); ok && strings.TrimSpace(s) == "" {
					continue
				}
				out[name][attr] = true
			}
		}
	}
	return out
}
