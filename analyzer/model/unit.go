package model

import "github.com/hashicorp/hcl/v2"

// Unit is a Terragrunt unit: a directory whose terragrunt.hcl runs
// Terraform on the code its `terraform { source = … }` names, with the
// backend of its `remote_state` block (or of a generated backend file), the
// files its `generate` blocks write, its `inputs` as variables and the
// lock file committed beside it. The unit is the root module; the code it
// runs is a WrapperRoot module whose Wrapper lists its units.
type Unit struct {
	Config *File // terragrunt.hcl
	// Includes are the configurations it includes (root.hcl, _envcommon/x.hcl),
	// in order.
	Includes []*File
	// Source is terraform.source as written or evaluated; "" when the unit
	// names none (the unit directory holds the code) or it is not known.
	Source      string
	SourceKnown bool
	SourceRange *hcl.Range
	SourceNote  string // "one branch of a conditional": how the source was read
	// Code is the module the source points at: the unit directory itself
	// when there is no source, nil when the source is remote or unknown.
	Code *Module
	// Remote is true when the source is a registry, git or other remote
	// address: there is no code to follow, the unit is still checked.
	Remote bool
	// Generated lists the files the unit's generate blocks (and
	// remote_state's generate) write, by name: "provider.tf", "backend.tf".
	Generated []string
}

// ConfigPath is the unit's terragrunt.hcl, for messages ("via
// env/prod/api/terragrunt.hcl").
func (u *Unit) ConfigPath() string {
	if u == nil || u.Config == nil {
		return ""
	}
	return u.Config.Path
}
