package rules

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/tfgate/tfgate/analyzer"
	"github.com/tfgate/tfgate/analyzer/model"
)

// PinLockfile reports root modules without a dependency lock file, and
// lock files that miss a provider, lock a version outside the constraints
// or record no checksums.
var pinLockfile = register(&analyzer.Rule{
	ID:       "pin-lockfile",
	Family:   analyzer.FamilyPinning,
	Severity: analyzer.Error,
	Doc: analyzer.Doc{
		Title: "Root modules commit a complete dependency lock file",
		Why: "Version constraints say which provider releases are acceptable; `.terraform.lock.hcl` says " +
			"which one is used, and the checksums it must have. Without a committed lock file every " +
			"`terraform init` — each CI run, each colleague — picks the newest release that matches, so " +
			"two applies of the same commit can run different provider code, and a tampered or corrupted " +
			"package goes unnoticed.\n\n" +
			"A lock file only helps when it matches the configuration: a provider missing from it is " +
			"resolved afresh, a locked version outside the constraints makes `terraform init` fail, and an " +
			"entry without `hashes` cannot verify anything. The providers a root needs are those of the " +
			"root and of every local module it calls (`./modules/…`), with their constraints.\n\n" +
			"The module model says which directories are roots (`tfgate modules`). A Terragrunt unit's " +
			"lock file is the one committed beside its `terragrunt.hcl` (Terragrunt copies it back there), " +
			"checked against the providers of the code its `terraform.source` names; the code directory " +
			"itself needs none. Demos (examples, tests) are not required to commit a lock file, but one they " +
			"do commit is checked; reusable modules, component libraries and modules of unknown kind are not " +
			"checked. Roots that use no provider need none. Providers of registry or git " +
			"modules are not known without downloading them and are not checked; the built-in `terraform` " +
			"provider is never locked. Entries locked by OpenTofu (`registry.opentofu.org/…`) count for " +
			"unqualified sources such as `hashicorp/aws`.",
		Fix: "Run `terraform init` in the root module and commit `.terraform.lock.hcl`. To record " +
			"checksums for every platform your team and CI use, run `terraform providers lock " +
			"-platform=linux_amd64 -platform=darwin_arm64` (add the ones you need). After changing a " +
			"constraint, run `terraform init -upgrade` and commit the updated file. Do not list the lock " +
			"file in `.gitignore`.",
		Bad: `# envs/prod: main.tf and versions.tf, but no .terraform.lock.hcl
terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}`,
		Good: `# envs/prod/.terraform.lock.hcl, committed next to versions.tf
provider "registry.terraform.io/hashicorp/aws" {
  version     = "5.82.2"
  constraints = "~> 5.0"
  hashes = [
    "h1:ZA9bTDyRGq5P/Ojq3dM58SDapH7k8JEXdHYUKLZtv+Q=",
    "zh:0f84ffa7b4d0a2d9a1d8b1bb6a0c7b8c3a1f8c6b1e0e8d9f0b0e5d1c2a9c8e7f",
  ]
}`,
	},
	Run: runPinLockfile,
})

// lockConstraint is one module's version constraint on a provider.
type lockConstraint struct {
	module *model.Module
	entry  *model.RequiredProvider
	c      *model.VersionConstraint
}

// lockNeed is what a root's lock file must hold for one provider address.
type lockNeed struct {
	addr        string
	usedBy      []*model.Module // modules that declare or use it, root first
	constraints []lockConstraint
}

func runPinLockfile(pass *analyzer.Pass) error {
	for _, m := range pass.Project.Modules {
		if !m.Scanned || !(m.OwnsLockFile() || m.IsDemo()) {
			continue
		}
		needs := lockNeeds(pass, m)
		if len(needs) == 0 {
			continue
		}
		anchor := requiredProvidersAnchor(m)
		if m.Unit != nil {
			// A unit's terragrunt.hcl, not the file an include generates.
			anchor = m.FirstRange()
		}
		if m.LockFile == nil {
			if m.IsDemo() {
				continue
			}
			names := make([]string, 0, len(needs))
			for _, n := range needs {
				names = append(names, model.ShortProviderAddress(n.addr))
			}
			msg := fmt.Sprintf("%s has no `.terraform.lock.hcl`: every `terraform init` picks provider versions and checksums anew for %s; run `terraform init` and commit the file", lockOwner(m), joinList(names))
			if m.Unit != nil {
				msg = fmt.Sprintf("Terragrunt unit has no `.terraform.lock.hcl` beside its terragrunt.hcl: every run picks provider versions and checksums anew for %s; run `terragrunt init` (it copies the lock file back here) and commit it", joinList(names))
			}
			pass.Report(analyzer.Finding{Range: anchor, Module: m.Dir, Address: "terraform", Message: msg})
			continue
		}
		lf := m.Lock()
		if lf == nil {
			continue // does not parse: a syntax-error finding
		}
		for _, n := range needs {
			checkLockEntry(pass, m, anchor, lf, n)
		}
	}
	return nil
}

func checkLockEntry(pass *analyzer.Pass, m *model.Module, anchor hcl.Range, lf *model.LockFile, n *lockNeed) {
	short := model.ShortProviderAddress(n.addr)
	address := fmt.Sprintf("provider[%q]", n.addr)
	lockPath := lf.File.Path
	lp := lf.Lookup(n.addr)
	if lp == nil {
		msg := fmt.Sprintf("`%s` has no entry for provider %q", lockPath, short)
		if by := n.usedBy[0]; by != m {
			msg += fmt.Sprintf(", which module %q needs", by.Dir)
		}
		msg += ": `terraform init` resolves it afresh each time; run `terraform init` and commit the lock file"
		pass.Report(analyzer.Finding{Range: anchor, Module: m.Dir, Address: address, Message: msg})
		return
	}
	related := []analyzer.Related{{Range: lp.DefRange, Message: "locked here"}}
	switch {
	case lp.VersionAttr == nil:
		pass.Report(analyzer.Finding{Range: anchor, Module: m.Dir, Address: address, Attribute: "version", Related: related,
			Message: fmt.Sprintf("`%s` entry for %q has no `version`; run `terraform init` to rewrite it", lockPath, short)})
	case lp.Version != "":
		v, err := model.ParseVersion(lp.Version)
		if err != nil {
			pass.Report(analyzer.Finding{Range: anchor, Module: m.Dir, Address: address, Attribute: "version", Related: related,
				Message: fmt.Sprintf("`%s` locks %q at %q, which is not a version", lockPath, short, lp.Version)})
			break
		}
		for _, lc := range n.constraints {
			if lc.c.Allows(v) {
				continue
			}
			whose := "this module's"
			if lc.module != m {
				whose = fmt.Sprintf("module %q's", lc.module.Dir)
			}
			rel := []analyzer.Related{related[0], {Range: lc.entry.Attr.Range, Message: "constraint " + lc.c.Raw}}
			pass.Report(analyzer.Finding{Range: anchor, Module: m.Dir, Address: address, Attribute: "version", Related: rel,
				Message: fmt.Sprintf("`%s` locks %q at %s, outside %s constraint %q: `terraform init` fails until the lock file is updated with `terraform init -upgrade`", lockPath, short, lp.Version, whose, lc.c.Raw)})
			break
		}
	}
	if lp.HashesKnown && len(lp.Hashes) == 0 {
		pass.Report(analyzer.Finding{Range: anchor, Module: m.Dir, Address: address, Attribute: "hashes", Related: related,
			Message: fmt.Sprintf("`%s` entry for %q has no `hashes`, so the provider package is not verified; run `terraform providers lock` and commit the result", lockPath, short)})
	}
}

// lockNeeds collects the providers the lock file of a root must hold: those
// the root and the local modules it calls (transitively) declare or use,
// by address, with every known constraint on them. Providers whose source
// is not a static string, and the built-in provider, are left out.
func lockNeeds(pass *analyzer.Pass, root *model.Module) []*lockNeed {
	byAddr := map[string]*lockNeed{}
	seen := map[*model.Module]bool{}
	var visit func(m *model.Module)
	visit = func(m *model.Module) {
		if seen[m] {
			return
		}
		seen[m] = true
		for _, r := range pass.ProviderRequirements(m) {
			if r.Address == "" || r.Builtin() {
				continue
			}
			n := byAddr[r.Address]
			if n == nil {
				n = &lockNeed{addr: r.Address}
				byAddr[r.Address] = n
			}
			if len(n.usedBy) == 0 || n.usedBy[len(n.usedBy)-1] != m {
				n.usedBy = append(n.usedBy, m)
			}
			if d, ok := r.Declaration(); ok && d.Version != "" {
				c, err := model.ParseVersionConstraint(d.Version, model.ProviderSyntax)
				if err == nil && len(c.Clauses) > 0 { // invalid ones are pin-provider-version's
					n.constraints = append(n.constraints, lockConstraint{module: m, entry: d.Entry, c: c})
				}
			}
		}
		for _, c := range m.ModuleCalls {
			if c.Target != nil {
				visit(c.Target)
			}
		}
	}
	visit(root)
	out := make([]*lockNeed, 0, len(byAddr))
	for _, n := range byAddr {
		out = append(out, n)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].addr < out[j].addr })
	return out
}

// joinList writes "a", "a and b" or "a, b and c" with each item quoted.
func joinList(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = fmt.Sprintf("%q", s)
	}
	if len(q) <= 1 {
		return strings.Join(q, "")
	}
	return strings.Join(q[:len(q)-1], ", ") + " and " + q[len(q)-1]
}

// lockOwner names the module that should hold the lock file, for messages.
func lockOwner(m *model.Module) string {
	if m.IsAtmosComponent() {
		return "Atmos component"
	}
	return "root module"
}
