package model

import (
	"path"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// Module is one directory of Terraform configuration.
type Module struct {
	Dir    string // slash path relative to the working directory; "." for the working directory
	AbsDir string
	// Kind is what the directory is (kind.go), decided by the loader from
	// the Evidence; Wrapper says which tool completes a WrapperRoot or runs
	// a Terragrunt unit.
	Kind     ModuleKind
	Evidence []Evidence
	Wrapper  *Wrapper
	// Unit is set on Terragrunt units: the directory of a terragrunt.hcl.
	Unit *Unit
	// BackendElsewhere says why a root without a backend block does not
	// keep local state: "Atmos generates it", ".gitignore lists backend.tf".
	BackendElsewhere string
	// Internal marks a nested module of another module
	// (<module>/modules/<name>): the standard module structure lets it go
	// without a README.
	Internal bool
	// Excluded modules are under an --exclude glob (or `exclude` in
	// .tfgate.hcl) and were loaded only because a module calls them:
	// nothing is reported in them.
	Excluded bool
	// Scanned is false for modules loaded only because a scanned module calls
	// them (outside the paths given, or vendored): they are evaluated for their
	// callers but not linted on their own.
	Scanned bool
	// Context marks a root loaded on the pre-commit path only so that the
	// rules comparing roots with each other (state keys, environment
	// parity) see it beside the changed roots: rules treat it as scanned,
	// and the framework drops its own findings.
	Context bool
	// External modules live outside the working directory or in a vendored
	// tree; findings inside them are anchored at the calling module block.
	External bool

	Files       []*File // .tf and .tf.json, sorted by name
	VarFiles    []*File // every .tfvars / .tfvars.json in the directory
	BackendFile []*File // *.tfbackend
	LockFile    *File   // .terraform.lock.hcl, when present

	Terraform   []*Block // terraform blocks
	Backends    []*Block // backend and cloud blocks inside terraform blocks
	Variables   []*Block
	Locals      []*Local
	Outputs     []*Block
	Providers   []*Block // provider configuration blocks
	Resources   []*Block // resource, data and ephemeral blocks
	ModuleCalls []*ModuleCall
	Other       []*Block // check, import, moved, removed…

	Callers []*ModuleCall // local calls from other loaded modules

	// Environments are the ways to run a root module (environment.go): its
	// tfvars files per environment, discovered beside it or given by
	// --var-file-for and .tfgate.hcl. None for child modules, and for roots
	// run with their defaults and terraform.tfvars only.
	Environments []*Environment

	// DirFiles names the files (every entry but directories) of the
	// module's directory, sorted: README.md, terragrunt.hcl, main.tf… nil
	// when the directory was not listed.
	DirFiles []string
}

// HasFile reports whether the module's directory holds a file (or a link)
// of that name.
func (m *Module) HasFile(name string) bool {
	i := sort.SearchStrings(m.DirFiles, name)
	return i < len(m.DirFiles) && m.DirFiles[i] == name
}

// Name is the module's directory name, for messages.
func (m *Module) Name() string {
	if m.Dir == "." {
		return "."
	}
	return m.Dir
}

// Variable returns the variable block with the given name.
func (m *Module) Variable(name string) *Block {
	for _, v := range m.Variables {
		if v.Labels[0] == name {
			return v
		}
	}
	return nil
}

// FirstRange is where module-level findings go when nothing better exists:
// the first terraform block, else line 1 of the first file.
//
// Files a wrapper generates come last: a Terragrunt unit's findings go to
// its terragrunt.hcl when it has no configuration file of its own.
func (m *Module) FirstRange() hcl.Range {
	for _, tb := range m.Terraform {
		if tb.File == nil || !tb.File.Generated {
			return tb.DefRange
		}
	}
	for _, f := range m.Files {
		if !f.Generated {
			return hcl.Range{Filename: f.Path, Start: hcl.Pos{Line: 1, Column: 1}, End: hcl.Pos{Line: 1, Column: 1}}
		}
	}
	if m.Unit != nil && m.Unit.Config != nil {
		return hcl.Range{Filename: m.Unit.Config.Path, Start: hcl.Pos{Line: 1, Column: 1}, End: hcl.Pos{Line: 1, Column: 1}}
	}
	if len(m.Terraform) > 0 {
		return m.Terraform[0].DefRange
	}
	if len(m.Files) > 0 {
		f := m.Files[0]
		return hcl.Range{Filename: f.Path, Start: hcl.Pos{Line: 1, Column: 1}, End: hcl.Pos{Line: 1, Column: 1}}
	}
	return hcl.Range{Filename: m.Dir}
}

// RequiredProviders returns the entries of every required_providers block.
func (m *Module) RequiredProviders() []*RequiredProvider {
	var out []*RequiredProvider
	for _, tb := range m.Terraform {
		for _, rp := range tb.Blocks("required_providers") {
			attrs, _ := rp.Body.JustAttributes()
			names := make([]string, 0, len(attrs))
			for n := range attrs {
				names = append(names, n)
			}
			sort.Strings(names)
			for _, n := range names {
				out = append(out, newRequiredProvider(n, attrs[n], rp))
			}
		}
	}
	return out
}

// Local is one entry of a locals block.
type Local struct {
	Name  string
	Attr  *hcl.Attribute
	File  *File
	Block *Block
}

// ModuleCall is a module block.
type ModuleCall struct {
	Block   *Block
	Name    string
	Source  string // "" when not a static string
	Version string // "" when absent or not static
	// Target is the loaded module for local sources ("./x", "../x").
	Target *Module
	// Providers maps the child's provider keys ("aws", "aws.west") to the
	// caller's ("aws.dr"), from the call's providers argument.
	Providers map[string]string
	// Wrapper marks the call of a Terragrunt unit to its code: Block is the
	// unit's terraform block and its attributes are the unit's inputs.
	Wrapper bool
}

// IsLocal reports whether the source is a local path.
func (c *ModuleCall) IsLocal() bool { return isLocalSource(c.Source) }

// isLocalSource reports whether a module source is a local directory.
func isLocalSource(s string) bool {
	return s == "." || s == ".." || strings.HasPrefix(s, "./") || strings.HasPrefix(s, "../") ||
		strings.HasPrefix(s, ".\\") || strings.HasPrefix(s, "..\\")
}

// relDir joins a module-relative slash path.
func relDir(base, p string) string { return path.Clean(path.Join(base, p)) }
