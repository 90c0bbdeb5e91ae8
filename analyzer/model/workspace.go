package model

import (
	"bytes"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// ReferencesWorkspace reports whether the module, or a local module it
// calls, reads `terraform.workspace`: a sign that it is applied in named
// workspaces, one per environment.
func (m *Module) ReferencesWorkspace() bool {
	return m.referencesWorkspace(map[*Module]bool{})
}

var workspaceRef = []byte("terraform.workspace")

func (m *Module) referencesWorkspace(seen map[*Module]bool) bool {
	if seen[m] {
		return false
	}
	seen[m] = true
	for _, f := range m.Files {
		if !bytes.Contains(f.Src, workspaceRef) {
			continue
		}
		body := f.Syntax()
		if body == nil {
			return true // JSON: "${terraform.workspace}" in a string
		}
		found := false
		hclsyntax.VisitAll(body, func(n hclsyntax.Node) hcl.Diagnostics {
			if found {
				return nil
			}
			if t, ok := n.(*hclsyntax.ScopeTraversalExpr); ok && len(t.Traversal) >= 2 && t.Traversal.RootName() == "terraform" {
				if a, ok := t.Traversal[1].(hcl.TraverseAttr); ok && a.Name == "workspace" {
					found = true
				}
			}
			return nil
		})
		if found {
			return true
		}
	}
	for _, c := range m.ModuleCalls {
		if c.Target != nil && c.Target.referencesWorkspace(seen) {
			return true
		}
	}
	return false
}
