package model

import (
	"path/filepath"
	"strings"
)

// Environment is one way to run a root module: the tfvars files given to
// it with -var-file, in order, after the files Terraform loads by itself
// (terraform.tfvars, *.auto.tfvars). load discovers them beside the root
// (env/prod.tfvars, environments/prod/terraform.tfvars…) or takes them
// from --var-file-for and .tfgate.hcl; eval evaluates the root once per
// environment.
type Environment struct {
	Name  string  // "prod"
	Files []*File // applied in this order
	// Explicit environments come from --var-file-for or .tfgate.hcl, not
	// from discovery; they win over --var-file for their root.
	Explicit bool
}

// EnvironmentName names an environment after a tfvars file: its name
// without the .tfvars or .tfvars.json suffix ("prod" for prod.tfvars),
// or its directory's name for terraform.tfvars ("prod" for
// prod/terraform.tfvars).
func EnvironmentName(path string) string {
	base := filepath.Base(path)
	name := strings.TrimSuffix(strings.TrimSuffix(base, ".json"), ".tfvars")
	if name == "terraform" || name == "" {
		if d := filepath.Base(filepath.Dir(path)); d != "." && d != string(filepath.Separator) {
			return d
		}
	}
	return name
}
