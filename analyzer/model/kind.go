package model

import (
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// ModuleKind is what a directory of Terraform files is. The loader decides
// it once, from evidence (package load, classify.go); rules read it and
// never derive it themselves.
type ModuleKind int

const (
	// UnknownKind: the evidence conflicts (a modules/ path, yet providers
	// configured and nobody calls it). Rules that depend on the kind stay
	// silent, as they do on unknown values.
	UnknownKind ModuleKind = iota
	// Root modules are where `terraform apply` runs: they own state,
	// backends and lock files. Terragrunt units are roots.
	Root
	// Reusable modules are called by other modules, or published on their
	// own (the top of a module repository, a directory under modules/).
	Reusable
	// Demo roots are examples and tests: run to show or test a module, not
	// deployed.
	Demo
	// WrapperRoot modules are roots that a wrapper completes at run time:
	// the Terraform code of Terragrunt units (the unit owns the backend and
	// the lock file) and Atmos components (Atmos generates the backend and
	// the variables).
	WrapperRoot
	// NotModule directories hold Terraform files that are not a module on
	// their own: snippets meant to be copied into modules, a folder of
	// `moved` blocks, shared variable declarations linked into roots.
	NotModule
)

// kindNames are the names `tfgate modules` prints and .tfgate.hcl uses.
var kindNames = map[ModuleKind]string{
	UnknownKind: "unknown",
	Root:        "root",
	Reusable:    "reusable",
	Demo:        "demo",
	WrapperRoot: "wrapped",
	NotModule:   "not-a-module",
}

func (k ModuleKind) String() string {
	if s, ok := kindNames[k]; ok {
		return s
	}
	return "unknown"
}

// Wrapper is the tool that completes a WrapperRoot module, or that runs a
// Terragrunt unit.
type Wrapper struct {
	Tool string // "terragrunt" or "atmos"
	// Config is the file that says so: atmos.yaml, or the terragrunt.hcl of
	// the first unit; nil when only the layout says so.
	Config *File
	// Units are the Terragrunt units whose terraform.source is this module,
	// sorted by directory.
	Units []*Module
	// Library marks an Atmos component library (components that other
	// repositories vendor and deploy): not deployed from here.
	Library bool
}

// Evidence is one fact the classifier used.
type Evidence struct {
	Fact string     // "backend \"s3\"", "called by envs/prod (module.app)", "under modules/"
	At   *hcl.Range // where it is written, when it is one place
}

// Kind helpers for rules: every rule that depends on what a module is asks
// these, never the module's path or files.

// Deployed reports whether the module is applied for real from this
// repository: a root, or a root a wrapper completes (other than an Atmos
// component library). Deployed modules need upper bounds on versions and a
// committed lock file; demos and reusable modules do not.
func (m *Module) Deployed() bool {
	switch m.Kind {
	case Root:
		return true
	case WrapperRoot:
		return m.Wrapper == nil || !m.Wrapper.Library
	}
	return false
}

// OwnsState reports whether the state rules judge the module's own backend:
// roots (Terragrunt units included), and wrapper-completed roots that
// declare a backend themselves. A wrapper root without a backend block gets
// one from the wrapper (BackendElsewhere says which).
func (m *Module) OwnsState() bool {
	switch m.Kind {
	case Root:
		return true
	case WrapperRoot:
		return m.Deployed() && m.BackendBlock() != nil && !m.IsTerragruntCode()
	}
	return false
}

// OwnsLockFile reports whether the module's directory must hold the
// dependency lock file of a deployment: deployed roots, except Terragrunt
// code, whose units hold the lock file.
func (m *Module) OwnsLockFile() bool {
	return m.Deployed() && !m.IsTerragruntCode()
}

// IsReusable reports whether the module is reusable.
func (m *Module) IsReusable() bool { return m.Kind == Reusable }

// IsDemo reports whether the module is an example or test root.
func (m *Module) IsDemo() bool { return m.Kind == Demo }

// IsRootLike reports whether the module is where Terraform runs: a root, a
// demo, or a wrapper-completed root. Provider configuration belongs there.
func (m *Module) IsRootLike() bool {
	return m.Kind == Root || m.Kind == Demo || m.Kind == WrapperRoot
}

// IsTerragruntCode reports whether Terragrunt units run this module.
func (m *Module) IsTerragruntCode() bool {
	return m.Kind == WrapperRoot && m.Wrapper != nil && m.Wrapper.Tool == "terragrunt"
}

// IsAtmosComponent reports whether the module is an Atmos component.
func (m *Module) IsAtmosComponent() bool {
	return m.Kind == WrapperRoot && m.Wrapper != nil && m.Wrapper.Tool == "atmos"
}

// Incomplete reports whether some of the Terraform code of the module is
// not visible: a Terragrunt unit whose source is remote. Rules do not report
// what is missing from it.
func (m *Module) Incomplete() bool {
	return m.Unit != nil && m.Unit.Code == nil
}

// EvidenceText joins the evidence for messages: "backend \"s3\"; lock file".
func (m *Module) EvidenceText() string {
	parts := make([]string, len(m.Evidence))
	for i, e := range m.Evidence {
		parts[i] = e.Fact
	}
	return strings.Join(parts, "; ")
}
