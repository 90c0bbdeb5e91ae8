// Package model is the data tfgate checks: a Project of Modules, their
// Files and Blocks, module calls, sources and versions, lock files,
// required providers, backends and state locations, resource addresses,
// and helpers that read hcl bodies and cty values. It holds no loader or
// evaluator state: package load builds it, package eval evaluates it.
package model

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// Project is everything loaded from the scanned paths.
type Project struct {
	WorkDir    string
	Modules    []*Module // sorted by Dir
	LooseFiles []*File   // tfvars and backend files in directories without .tf files
	// WrapperFiles are the wrapper configurations read: terragrunt.hcl and
	// the files it includes, atmos.yaml.
	WrapperFiles []*File
	Problems     []Problem // input that could not be loaded
	// Roots are the repository roots of the scanned paths as real paths
	// (every symbolic link resolved): the Git work tree holding each
	// scanned path, else the scanned directory itself. File functions and
	// the files a repository names are read only inside them.
	Roots []string
	// Notes are what loading chose to leave out, for the run's
	// notifications (a tfvars file skipped because it is encrypted).
	Notes []string
}

// RootOf returns the repository root (one of Roots) holding realDir, a
// real absolute path, or "" when none does. The innermost root wins.
func (p *Project) RootOf(realDir string) string {
	best, sep := "", string(filepath.Separator)
	for _, r := range p.Roots {
		if (realDir == r || strings.HasPrefix(realDir, strings.TrimSuffix(r, sep)+sep)) && len(r) > len(best) {
			best = r
		}
	}
	return best
}

// Module returns the module of a directory (slash path relative to the
// working directory), or nil.
func (p *Project) Module(dir string) *Module {
	i := sort.Search(len(p.Modules), func(i int) bool { return p.Modules[i].Dir >= dir })
	if i < len(p.Modules) && p.Modules[i].Dir == dir {
		return p.Modules[i]
	}
	return nil
}

// VarFiles lists every tfvars file loaded, in modules and outside them.
func (p *Project) VarFiles() []*File {
	var out []*File
	for _, m := range p.Modules {
		out = append(out, m.VarFiles...)
	}
	for _, f := range p.LooseFiles {
		if f.Kind == KindTFVars || f.Kind == KindTFVarsJSON {
			out = append(out, f)
		}
	}
	return out
}

// PlanRoot returns the root module a plan belongs to: the scanned root
// module when there is exactly one, or the one in dir.
func (p *Project) PlanRoot(dir string) (*Module, error) {
	if p == nil {
		return nil, nil
	}
	if dir != "" {
		if m := p.Module(dir); m != nil {
			return m, nil
		}
	}
	var roots []*Module
	for _, m := range p.Modules {
		if m.Scanned && m.Kind == Root {
			roots = append(roots, m)
		}
	}
	if len(roots) == 1 {
		return roots[0], nil
	}
	if len(roots) == 0 {
		return nil, fmt.Errorf("no root module to map the plan to")
	}
	names := []string{}
	for _, r := range roots {
		names = append(names, r.Dir)
	}
	return nil, fmt.Errorf("the plan belongs to one root module but %d were scanned (%s): give the root's directory", len(roots), strings.Join(names, ", "))
}

// Problem is something wrong with the input that is not a rule finding of
// its own: a file that does not parse, a module that calls itself. Problems
// become syntax-error findings.
type Problem struct {
	Range   hcl.Range
	Message string
	Module  string
	// Unread marks a file whose content was not read in full (unreadable,
	// or a syntax error): the rules that need every setting of a module
	// leave the module alone. A module call that cannot be resolved does
	// not make its file unread.
	Unread bool
	// Note marks input skipped on purpose or analyzed only in part, saying
	// why: a file Terraform would not load (encrypted, a template), a module
	// `terraform init` has not installed, an evaluation limit hit, a file a
	// function may not read. Notes are never errors.
	Note bool
}
