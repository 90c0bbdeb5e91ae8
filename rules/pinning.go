package rules

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/tfgate/tfgate/analyzer/model"
)

// Helpers shared by the pinning rules (pin-terraform-version,
// pin-provider-version, pin-lockfile, pin-module-source).

// deployedRoot reports whether a module is applied for real (the module
// model's Deployed: roots, Terragrunt code, Atmos components): those need
// upper bounds on versions, while reusable modules and demos only state the
// oldest version they work with, so that callers and users can choose
// newer ones.
func deployedRoot(m *model.Module) bool { return m.Deployed() }

// pinningChecked reports whether the pinning rules look at a module: a
// scanned module that is a module (not snippets or a moved/ folder), with
// configuration of its own (a Terragrunt unit whose code lives elsewhere
// has none: its code is checked).
func pinningChecked(m *model.Module) bool {
	return m.Scanned && m.Kind != model.NotModule && len(m.Files) > 0
}

// boundsKnown reports whether the module's kind says which bound its
// versions need: an upper one for deployed modules, a lower one for the
// others. Unknown kinds get neither check.
func boundsKnown(m *model.Module) bool { return m.Kind != model.UnknownKind }

// moduleRole names the kind of module for messages.
func moduleRole(m *model.Module) string {
	switch {
	case m.IsTerragruntCode():
		return "Terragrunt code"
	case m.IsAtmosComponent() && m.Deployed():
		return "Atmos component"
	case m.IsAtmosComponent():
		return "component"
	case deployedRoot(m):
		return "root module"
	case m.IsDemo():
		return "example root module"
	case m.Kind == model.UnknownKind:
		return "module"
	}
	return "reusable module"
}

// requiredProvidersAnchor is where module-wide provider findings go: the
// first terraform block that holds required_providers, else the first
// terraform block, else the top of the module's first file.
func requiredProvidersAnchor(m *model.Module) hcl.Range {
	for _, tb := range m.Terraform {
		if len(tb.Blocks("required_providers")) > 0 {
			return tb.DefRange
		}
	}
	return m.FirstRange()
}

// singleNumberPessimistic returns the first `~> N` clause of a core-syntax
// constraint, which go-version reads as `>= N`.
func singleNumberPessimistic(c *model.VersionConstraint) (model.VersionClause, bool) {
	if c.Syntax != model.CoreSyntax {
		return model.VersionClause{}, false
	}
	for _, cl := range c.Clauses {
		if cl.Op == "~>" && cl.Segments == 1 {
			return cl, true
		}
	}
	return model.VersionClause{}, false
}

// upperBoundHint tells how to bound a constraint: a concrete suggestion
// when it has a lower bound, and why `~> N` is not one in core syntax.
func upperBoundHint(c *model.VersionConstraint) string {
	var parts []string
	if cl, ok := singleNumberPessimistic(c); ok {
		parts = append(parts, fmt.Sprintf("`%s` with a single number lets every later major version in", cl.Raw))
	}
	if s := c.SuggestBounded(); s != "" {
		parts = append(parts, fmt.Sprintf("use %q", s))
	} else {
		parts = append(parts, "add an upper bound with `~>` or `<`")
	}
	return strings.Join(parts, "; ")
}
