package rules

import (
	"fmt"

	"github.com/tfgate/tfgate/analyzer"
	"github.com/tfgate/tfgate/analyzer/model"
)

// StateRemoteBackend reports root modules that keep their state on the
// local disk: no backend at all, or `backend "local"`.
var stateRemoteBackend = register(&analyzer.Rule{
	ID:       "state-remote-backend",
	Family:   analyzer.FamilyState,
	Severity: analyzer.Error,
	Doc: analyzer.Doc{
		Title: "Root modules keep their state in a remote backend",
		Why: "Without a backend, or with `backend \"local\"`, Terraform writes `terraform.tfstate` next to the " +
			"code on whichever laptop or CI runner ran `apply`. Nobody else sees it, nothing locks it, a cleaned " +
			"workspace loses it, and the next run from another machine plans to create everything again. The " +
			"state also holds every secret the resources return, in plain text.\n\n" +
			"Only root modules are checked: a reusable module's backend is ignored by Terraform. Roots under " +
			"`examples/`, `example/`, `test/` or `tests/` are demos and are not flagged either. A directory that " +
			"configures no provider and has no backend, `.tfvars`, `.tfbackend` or `.terraform.lock.hcl` file " +
			"looks like a reusable module published on its own and is skipped too, as are Terragrunt units " +
			"(a `terragrunt.hcl` beside the code), whose backend Terragrunt generates at run time. A module with a " +
			"file that does not parse is left to `syntax-error`.\n\n" +
			"The backend in effect is the one Terraform would use: a `backend` or `cloud` block in an override " +
			"file (`override.tf`, `*_override.tf`) replaces the one in the main files.",
		Fix: "Declare a remote backend (`s3`, `gcs`, `azurerm`, `remote`…) or a `cloud` block in the root " +
			"module, then run `terraform init -migrate-state` to move the existing state. Settings that differ " +
			"per environment can stay out of the code (`backend \"s3\" {}`) and come from " +
			"`terraform init -backend-config=prod.s3.tfbackend`.",
		Bad: `terraform {
  required_version = ">= 1.6"
}

provider "aws" {
  region = "eu-west-1"
}`,
		Good: `terraform {
  required_version = ">= 1.6"

  backend "s3" {
    bucket       = "acme-terraform-state"
    key          = "network/prod.tfstate"
    region       = "eu-west-1"
    encrypt      = true
    use_lockfile = true
  }
}

provider "aws" {
  region = "eu-west-1"
}`,
	},
	Run: runStateRemoteBackend,
})

func runStateRemoteBackend(pass *analyzer.Pass) error {
	for _, m := range stateRoots(pass) {
		blk := m.BackendBlock()
		switch {
		case blk == nil:
			if looksReusable(m) || terragruntUnit(m) {
				continue
			}
			pass.Report(analyzer.Finding{
				Range:   m.FirstRange(),
				Module:  m.Dir,
				Address: "terraform",
				Message: fmt.Sprintf("root module `%s` has no backend: its state is written to a local terraform.tfstate on whichever machine runs apply, unshared and unlocked", m.Name()),
			})
		case blk.Type == "backend" && len(blk.Labels) > 0 && blk.Labels[0] == "local":
			where := "a local terraform.tfstate"
			if p, ok := blk.StaticString("path"); ok {
				where = fmt.Sprintf("%q", p)
			}
			pass.Report(analyzer.Finding{
				Range:   blk.DefRange,
				Module:  m.Dir,
				Address: blk.Address(),
				Message: fmt.Sprintf("root module `%s` uses the `local` backend: its state is written to %s on whichever machine runs apply, unshared and unlocked", m.Name(), where),
			})
		}
	}
	return nil
}

// looksReusable reports whether a root without a backend is more likely a
// reusable module kept at the top of its own repository: nothing in it
// configures or records a deployment.
func looksReusable(m *model.Module) bool {
	return len(m.Providers) == 0 && len(m.VarFiles) == 0 && len(m.BackendFile) == 0 && m.LockFile == nil
}

// terragruntUnit reports whether Terragrunt drives the module: it generates
// the backend configuration when it runs.
func terragruntUnit(m *model.Module) bool {
	return m.HasFile("terragrunt.hcl") || m.HasFile("terragrunt.hcl.json")
}
