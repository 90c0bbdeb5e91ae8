package rules

import (
	"fmt"

	"github.com/tfgate/tfgate/analyzer"
	"github.com/tfgate/tfgate/analyzer/model"
)

// LayoutProviderInModule reports provider configuration blocks inside
// reusable modules, including the legacy empty "proxy" blocks.
var layoutProviderInModule = register(&analyzer.Rule{
	ID:       "layout-provider-in-module",
	Family:   analyzer.FamilyLayout,
	Severity: analyzer.Warning,
	Doc: analyzer.Doc{
		Title: "Reusable modules do not configure providers",
		Why: "Provider configurations belong to root modules. A reusable module that configures its own provider " +
			"decides the region, account or credentials for every caller; it cannot be called with `count`, `for_each` " +
			"or `depends_on`; and removing the call from a configuration leaves resources that Terraform can no longer " +
			"destroy, because their provider configuration went away with the module.\n\n" +
			"Empty `provider` blocks, with or without only an `alias`, are the \"proxy configurations\" that Terraform " +
			"0.14 and earlier used to declare that a module expects a provider from its caller. Terraform now warns about " +
			"them (\"Redundant empty provider block\"); `required_providers` with `configuration_aliases` replaces them. " +
			"They are reported with their own message.\n\n" +
			"Only reusable modules are checked, as the module model decides them (`tfgate modules`): roots, demos " +
			"(examples, and runnable folders nested in a module that call it), Terragrunt code and Atmos components " +
			"(providers configured beside `context.tf`, or under the components path of `atmos.yaml`) are where provider " +
			"blocks belong. A module under `modules/` that configures providers and that nothing calls is of unknown " +
			"kind and is not flagged either; say what it is with a `module` block in `.tfgate.hcl`.",
		Fix: "Remove the `provider` block from the module and declare what the module needs instead; the caller " +
			"configures the provider and passes it through the `providers` argument of the `module` block when it is " +
			"not the default one:\n\n" +
			"```hcl\nterraform {\n  required_providers {\n    aws = {\n      source                = \"hashicorp/aws\"\n" +
			"      configuration_aliases = [aws.replica]\n    }\n  }\n}\n```",
		Bad: `# modules/dns/main.tf
provider "aws" {
  region = "us-east-1"
}

provider "aws" {
  alias = "replica"
}`,
		Good: `# modules/dns/versions.tf
terraform {
  required_providers {
    aws = {
      source                = "hashicorp/aws"
      configuration_aliases = [aws.replica]
    }
  }
}`,
	},
	Run: runLayoutProviderInModule,
})

func runLayoutProviderInModule(pass *analyzer.Pass) error {
	for _, m := range pass.Project.Modules {
		if !layoutReusable(m) {
			continue
		}
		for _, p := range m.Providers {
			key := p.ProviderKey()
			var msg string
			switch {
			case !layoutProxyBlock(p):
				msg = fmt.Sprintf("provider `%s` is configured inside a reusable module: callers cannot pass their own configuration, and the module cannot be called with count, for_each or depends_on; move the block to the root modules and pass it in with `providers = { … }` (%s)", key, layoutKindHint(m))
			case key == p.Labels[0]:
				msg = fmt.Sprintf("empty provider block `%s` is a legacy proxy configuration; declare `%s` in `required_providers` instead", key, p.Labels[0])
			default:
				msg = fmt.Sprintf("provider block `%s` only sets an alias, a legacy proxy configuration; list `%s` in the `configuration_aliases` of `required_providers` instead", key, key)
			}
			pass.Report(analyzer.Finding{Range: p.DefRange, Module: m.Dir, Address: p.Address(), Message: msg})
		}
	}
	return nil
}

// layoutProxyBlock reports whether a provider block sets nothing but an
// alias: Terraform's legacy proxy configuration.
func layoutProxyBlock(p *model.Block) bool {
	if p.HasBlocks() {
		return false
	}
	for name := range p.Attrs() {
		if name != "alias" {
			return false
		}
	}
	return true
}
