package rules

import (
	"fmt"
	"strings"

	"github.com/tfgate/tfgate/analyzer"
	"github.com/tfgate/tfgate/analyzer/model"
)

// PinProviderVersion reports providers that a module uses without
// declaring them in required_providers with a source and a version, and
// root modules whose provider constraints have no upper bound.
var pinProviderVersion = register(&analyzer.Rule{
	ID:       "pin-provider-version",
	Family:   analyzer.FamilyPinning,
	Severity: analyzer.Error,
	Doc: analyzer.Doc{
		Title: "Every provider is declared with a source and a version constraint",
		Why: "A provider that a module uses without declaring it in `required_providers` is resolved by " +
			"Terraform to `hashicorp/<name>` at any version: a fresh `terraform init` (a new CI runner, a " +
			"colleague's laptop, `init -upgrade`) installs the newest release, and a new major version of " +
			"a provider routinely renames arguments, changes defaults or forces resource replacement. For " +
			"providers outside the `hashicorp` namespace the guess is simply wrong, and a reusable module " +
			"that uses `github_repository` without declaring `integrations/github` makes Terraform look for " +
			"a `hashicorp/github` that does not exist.\n\n" +
			"Every provider a module uses — through `provider` blocks, resources, data sources (also those " +
			"inside `check` blocks), ephemeral resources, or `providers = { … }` in module calls — must " +
			"appear in `required_providers` (in any file of the module) with a `source` and a `version`. " +
			"Root modules must also cap the version, with `~>`, `<`, `<=` or an exact version, so that a " +
			"new major release is adopted by changing the code, not by chance. Reusable modules and example " +
			"roots only need a version constraint (usually a lower bound), so that callers can upgrade. The " +
			"module model decides which is which (`tfgate modules`): Terragrunt code and Atmos components " +
			"deployed from the repository are roots, and `required_providers` written by a Terragrunt " +
			"`generate` block counts as the code's; a module of unknown kind is not asked for an upper " +
			"bound.\n\n" +
			"The legacy form `aws = \"~> 5.0\"` has a version but no source; it is reported so that the " +
			"address is written down (Terraform assumes `hashicorp/aws`, which is wrong for any other " +
			"namespace). The built-in `terraform` provider (`terraform_data`, `terraform_remote_state`) is " +
			"never installed and needs no entry. A `version` inside a `provider` block is deprecated and " +
			"does not count. Entries in override files (`override.tf`, `*_override.tf`) are merged into " +
			"the others as Terraform merges them.",
		Fix: "Declare the provider in the module's `required_providers` block, usually in `versions.tf`, " +
			"with its full source and a constraint: `~> 5.0` (any 5.x from 5.0) in root modules, `>= 5.0` " +
			"in reusable modules. Use the local name the resources refer to: a resource with " +
			"`provider = google-beta` needs a `google-beta` entry.",
		Bad: `terraform {
  required_providers {
    aws = {
      source = "hashicorp/aws"
    }
  }
}

resource "random_id" "suffix" {
  byte_length = 4
}`,
		Good: `terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.6"
    }
  }
}

resource "random_id" "suffix" {
  byte_length = 4
}`,
	},
	Run: runPinProviderVersion,
})

func runPinProviderVersion(pass *analyzer.Pass) error {
	for _, m := range pass.Project.Modules {
		if !pinningChecked(m) {
			continue
		}
		for _, r := range pass.ProviderRequirements(m) {
			if r.Builtin() {
				continue
			}
			if len(r.Declared) == 0 {
				if m.Incomplete() {
					continue // the remote code may declare it
				}
				reportUndeclaredProvider(pass, m, r)
				continue
			}
			if d, ok := r.Declaration(); ok {
				checkProviderDeclaration(pass, m, r, d)
			}
		}
	}
	return nil
}

func reportUndeclaredProvider(pass *analyzer.Pass, m *model.Module, r *model.ProviderRequirement) {
	u := r.Uses[0]
	msg := fmt.Sprintf("provider %q is not declared in `required_providers`: Terraform assumes %q and accepts any version", r.Name, model.ShortProviderAddress(r.Address))
	blocks := map[*model.Block]bool{}
	for _, use := range r.Uses {
		blocks[use.Block] = true
	}
	if len(blocks) > 1 {
		msg += fmt.Sprintf(" (%d blocks use it)", len(blocks))
	}
	fix := fmt.Sprintf("; declare it there with a `source` and a `version` (`%s = { source = %q, version = \"~> X.Y\" }`)", r.Name, model.ShortProviderAddress(r.Address))
	for _, use := range r.Uses {
		if use.Block.Type != "provider" || use.Block.Attr("version") == nil {
			continue
		}
		if v, ok := use.Block.StaticString("version"); ok {
			fix = fmt.Sprintf("; move `version = %q` from its `provider` block into `required_providers`", v)
		} else {
			fix = "; move the `version` of its `provider` block into `required_providers`"
		}
		break
	}
	pass.Report(analyzer.Finding{Range: u.Block.DefRange, Module: m.Dir, Address: "terraform.required_providers", Attribute: r.Name, Message: msg + fix})
}

func checkProviderDeclaration(pass *analyzer.Pass, m *model.Module, r *model.ProviderRequirement, d model.ProviderDeclaration) {
	implied := model.ShortProviderAddress(model.ImpliedProviderAddress(r.Name))
	var problems, fixes []string
	switch {
	case d.Legacy && !d.HasSource:
		problems = append(problems, fmt.Sprintf("uses the legacy string form, which has no `source` (Terraform assumes %q)", implied))
	case !d.HasSource:
		problems = append(problems, fmt.Sprintf("has no `source` (Terraform assumes %q)", implied))
		fixes = append(fixes, fmt.Sprintf("set `source = %q`", implied))
	}
	suggestion := d.Version
	switch {
	case !d.HasVersion:
		problems = append(problems, "has no `version`, so any release can be installed")
		fixes = append(fixes, "set a `version` such as `\"~> X.Y\"`")
	case d.Version == "":
		// Not a static string: unknown.
	default:
		c, err := model.ParseVersionConstraint(d.Version, model.ProviderSyntax)
		switch {
		case err != nil:
			problems = append(problems, fmt.Sprintf("has version %q, which is not a valid constraint: %v", d.Version, err))
			fixes = append(fixes, "write a valid constraint such as `\"~> X.Y\"`")
		case len(c.Clauses) == 0:
			problems = append(problems, "has an empty `version`, so any release can be installed")
			fixes = append(fixes, "set a `version` such as `\"~> X.Y\"`")
		case deployedRoot(m) && !c.HasUpperBound():
			p := fmt.Sprintf("has version %q with no upper bound, so a root module can jump to the next major release", d.Version)
			if s := c.SuggestBounded(); s != "" {
				suggestion = s
			}
			if !d.Legacy {
				// The legacy form gets a complete rewrite below instead.
				p += "; " + upperBoundHint(c)
			}
			problems = append(problems, p)
		}
	}
	if len(problems) == 0 {
		return
	}
	msg := fmt.Sprintf("provider %q in `required_providers` %s", r.Name, strings.Join(problems, " and "))
	if d.Legacy && !d.HasSource && d.Version != "" {
		msg += fmt.Sprintf("; write `%s = { source = %q, version = %q }`", r.Name, implied, suggestion)
	} else if len(fixes) > 0 {
		msg += "; " + strings.Join(fixes, " and ")
	}
	pass.Report(analyzer.Finding{Range: d.Entry.Attr.Range, Module: m.Dir, Address: "terraform.required_providers", Attribute: r.Name, Message: msg})
}
