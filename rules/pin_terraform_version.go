package rules

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/tfgate/tfgate/analyzer"
	"github.com/tfgate/tfgate/analyzer/model"
)

// PinTerraformVersion reports root modules whose `required_version` is
// missing or has no upper bound, and reusable modules whose
// `required_version` is missing or has no lower bound.
var pinTerraformVersion = register(&analyzer.Rule{
	ID:       "pin-terraform-version",
	Family:   analyzer.FamilyPinning,
	Severity: analyzer.Warning,
	Doc: analyzer.Doc{
		Title: "Modules constrain the Terraform version",
		Why: "A root module without an upper bound on `required_version` is applied with whatever " +
			"Terraform binary the engineer or the CI image happens to have. A new major release can change " +
			"plans, upgrade the state so that the binaries of the rest of the team can no longer read it, " +
			"or drop a feature the code relies on — and nobody chose to upgrade.\n\n" +
			"Reusable modules are different: their callers pick the Terraform version, so a module only " +
			"states the oldest version it works with (`>= 1.5`). An upper bound there would block every " +
			"caller from upgrading, so it is not required.\n\n" +
			"What a module is comes from the module model (`tfgate modules` shows it): roots, Terragrunt " +
			"code and Atmos components deployed from the repository need an upper bound; demos (examples, " +
			"tests), reusable modules and component libraries need only a lower bound; a module whose kind is " +
			"unknown gets only the check that it declares a version at all. A `required_version` written by a " +
			"Terragrunt `generate` block counts as the code's own.\n\n" +
			"Note that Terraform reads `required_version` with hashicorp/go-version, where `~> 1` lets the " +
			"last written number grow and so means `>= 1`: only `~> 1.9` (or `< 2.0`) sets an upper bound. " +
			"A `required_version` in an override file (`override.tf`, `*_override.tf`) replaces the others, " +
			"as in Terraform.",
		Fix: "In a root module, pin the version with an upper bound, for example " +
			"`required_version = \"~> 1.9\"` (any 1.x from 1.9) or `\">= 1.9.0, < 2.0.0\"`, and upgrade " +
			"deliberately by changing it. In a reusable module, declare the lowest version it supports: " +
			"`required_version = \">= 1.5\"`.",
		Bad: `# envs/prod/versions.tf
terraform {
  required_version = ">= 1.5"
}`,
		Good: `# envs/prod/versions.tf
terraform {
  required_version = "~> 1.9"
}`,
	},
	Run: runPinTerraformVersion,
})

func runPinTerraformVersion(pass *analyzer.Pass) error {
	for _, m := range pass.Project.Modules {
		if !pinningChecked(m) {
			continue
		}
		type written struct {
			attr *hcl.Attribute
			c    *model.VersionConstraint
		}
		var found []written
		unknown := false
		for _, a := range requiredVersionAttrs(m) {
			s, ok := model.StaticString(a.Expr)
			if !ok {
				unknown = true
				continue
			}
			c, err := model.ParseVersionConstraint(s, model.CoreSyntax)
			if err != nil {
				pass.Report(analyzer.Finding{Range: a.Range, Module: m.Dir, Address: "terraform", Attribute: "required_version",
					Message: fmt.Sprintf("`required_version` %q is not a valid version constraint: %v; write one such as `\">= 1.5\"` (clauses are separated by commas)", s, err)})
				unknown = true
				continue
			}
			found = append(found, written{a, c})
		}
		if unknown {
			continue
		}
		if len(found) == 0 {
			if m.Incomplete() {
				continue // the remote code may declare it
			}
			msg := fmt.Sprintf("%s has no `required_version`: ", moduleRole(m))
			switch {
			case deployedRoot(m):
				msg += "any Terraform release, including the next major version, can plan and apply it; pin one, e.g. `required_version = \"~> 1.9\"`"
			case !boundsKnown(m):
				msg += "any Terraform release can run it; declare the versions it works with"
			default:
				msg += "declare the oldest Terraform version it works with, e.g. `required_version = \">= 1.5\"`"
			}
			pass.Report(analyzer.Finding{Range: m.FirstRange(), Module: m.Dir, Address: "terraform", Attribute: "required_version", Message: msg})
			continue
		}
		if !boundsKnown(m) {
			continue
		}
		// Terraform applies every required_version of a module: one bound
		// anywhere is enough.
		bounded := false
		for _, w := range found {
			if deployedRoot(m) && w.c.HasUpperBound() || !deployedRoot(m) && w.c.HasLowerBound() {
				bounded = true
			}
		}
		if bounded {
			continue
		}
		w := found[0]
		var msg string
		switch {
		case len(w.c.Clauses) == 0:
			msg = fmt.Sprintf("`required_version` of this %s is empty; declare the Terraform versions it works with, e.g. `required_version = \">= 1.5\"`", moduleRole(m))
		case deployedRoot(m):
			msg = fmt.Sprintf("`required_version` %q of this root module has no upper bound, so any newer Terraform release can apply it; %s", w.c.Raw, terraformUpperBoundHint(w.c))
		default:
			msg = fmt.Sprintf("`required_version` %q of this %s has no lower bound; declare the oldest Terraform version it works with using `>=`", w.c.Raw, moduleRole(m))
		}
		pass.Report(analyzer.Finding{Range: w.attr.Range, Module: m.Dir, Address: "terraform", Attribute: "required_version", Message: msg})
	}
	return nil
}

// requiredVersionAttrs returns the required_version arguments in effect:
// those of override files (override.tf, *_override.tf) when there are any,
// since Terraform lets them replace the others, else all of them.
func requiredVersionAttrs(m *model.Module) []*hcl.Attribute {
	var base, over []*hcl.Attribute
	for _, tb := range m.Terraform {
		a := tb.Attr("required_version")
		if a == nil {
			continue
		}
		if model.IsOverrideFile(tb.File.Path) {
			over = append(over, a)
		} else {
			base = append(base, a)
		}
	}
	if len(over) > 0 {
		return over
	}
	return base
}

// terraformUpperBoundHint is upperBoundHint for Terraform itself: a lower
// bound from the 0.x series is capped at 2.0.0 rather than 1.0.0, which
// would exclude every current release.
func terraformUpperBoundHint(c *model.VersionConstraint) string {
	if lo, ok := c.LowerBound(); ok && lo.Segments()[0] == 0 {
		op := ">="
		for _, cl := range c.Clauses {
			if cl.Op == ">" && cl.Version.Equal(lo) {
				op = ">"
			}
		}
		return fmt.Sprintf("use %q", fmt.Sprintf("%s %s, < 2.0.0", op, lo.Original()))
	}
	return upperBoundHint(c)
}
