package rules

import (
	"fmt"
	"path"

	"github.com/hashicorp/hcl/v2"
	"github.com/tfgate/tfgate/analyzer"
	"github.com/tfgate/tfgate/analyzer/model"
)

// StateKeyUnique reports root modules that store their state at the same
// place, so that each apply overwrites the other's state.
var stateKeyUnique = register(&analyzer.Rule{
	ID:       "state-key-unique",
	Family:   analyzer.FamilyState,
	Severity: analyzer.Error,
	Doc: analyzer.Doc{
		Title: "Each root module writes its own state",
		Why: "Copying `envs/dev` to `envs/prod` and forgetting to change the backend `key` gives two " +
			"configurations one state. The first `apply` in prod sees dev's resources as no longer in the " +
			"configuration and plans to destroy them; whichever runs last owns the state and the other's " +
			"resources are orphaned.\n\n" +
			"The rule compares where every scanned root keeps the state of its default workspace, after " +
			"partial configuration is merged (each `*.tfbackend` file in a root's directory is one way to " +
			"initialise it; `--backend-config` files apply to every root, or only to the root whose directory " +
			"holds them): the bucket or container, the " +
			"`key` or `prefix`, the `workspace_key_prefix`, custom endpoints, or the organization and workspace " +
			"for `remote` and `cloud`. Two ways of initialising the *same* root (say `ci.s3.tfbackend` and " +
			"`local.s3.tfbackend` reaching one state with different credentials) are not a clash. The rule stays " +
			"silent when any part is unknown (a setting left to init time, a non-literal value, workspaces " +
			"selected by prefix or tags), for backends whose location depends on the machine (`local`, " +
			"`kubernetes`), and when the part that should differ comes from one shared `--backend-config` file " +
			"or a root writes no part of the location itself: that describes how tfgate was run, not the code.",
		Fix: "Give each root its own `key` (or `prefix`, or workspace name), usually the root's path: " +
			"`key = \"envs/prod/network.tfstate\"`. If the second root really took over the first's resources, " +
			"move them with `terraform state mv` or `import` blocks rather than sharing the state.",
		Bad: `# envs/dev/backend.tf
terraform {
  backend "s3" {
    bucket = "acme-terraform-state"
    key    = "network.tfstate"
  }
}

# envs/prod/backend.tf (copied from dev)
terraform {
  backend "s3" {
    bucket = "acme-terraform-state"
    key    = "network.tfstate"
  }
}`,
		Good: `# envs/dev/backend.tf
terraform {
  backend "s3" {
    bucket = "acme-terraform-state"
    key    = "envs/dev/network.tfstate"
  }
}

# envs/prod/backend.tf
terraform {
  backend "s3" {
    bucket = "acme-terraform-state"
    key    = "envs/prod/network.tfstate"
  }
}`,
	},
	Run: runStateKeyUnique,
})

type stateEntry struct {
	b   *model.Backend
	loc *model.StateLocation
}

// specificRange is where a clash is reported: the part that should differ
// (the key), wherever it is written, else the block header.
func (e stateEntry) specificRange() hcl.Range {
	if p := e.loc.Specific(); p != nil && p.Attr != nil {
		return p.Attr.Range
	}
	return e.b.Range()
}

func runStateKeyUnique(pass *analyzer.Pass) error {
	byKey := map[string][]stateEntry{}
	var order []string
	for _, m := range stateRoots(pass) {
		for _, b := range m.BackendCandidates(backendConfigs(pass, m)) {
			loc, ok := b.StateLocation()
			if !ok {
				continue
			}
			k := loc.Key()
			if _, seen := byKey[k]; !seen {
				order = append(order, k)
			}
			byKey[k] = append(byKey[k], stateEntry{b, loc})
		}
	}
	for _, k := range order {
		entries := byKey[k]
		for _, e := range entries {
			if !writesOwnParts(e) {
				continue
			}
			var others []stateEntry
			for _, o := range entries {
				if o.b.Module == e.b.Module || !writesOwnParts(o) || sameSpecificSource(e, o) {
					continue
				}
				others = append(others, o)
			}
			if len(others) == 0 {
				continue
			}
			reportClash(pass, e, others)
		}
	}
	return nil
}

// writesOwnParts reports whether the root itself (its block or its own
// backend files) writes some part of the location. When everything comes
// from --backend-config files given for the whole run, the location says
// how tfgate was run, not where this root keeps its state.
func writesOwnParts(e stateEntry) bool {
	for _, p := range e.loc.Parts {
		if p.Attr != nil && ownFile(p.Attr.File, e.b.Module) {
			return true
		}
	}
	return false
}

// sameSpecificSource reports whether the part that should tell two states
// apart is written in one place for both (a shared --backend-config file):
// that is how tfgate was run, not a copy-pasted configuration.
func sameSpecificSource(a, b stateEntry) bool {
	pa, pb := a.loc.Specific(), b.loc.Specific()
	if pa == nil || pb == nil || pa.Attr == nil || pb.Attr == nil {
		return false
	}
	return pa.Attr.Range == pb.Attr.Range
}

func reportClash(pass *analyzer.Pass, e stateEntry, others []stateEntry) {
	var names []string
	var related []analyzer.Related
	for _, o := range others {
		r := o.specificRange()
		names = append(names, fmt.Sprintf("%s (%s:%d)", backendLabel(o.b), r.Filename, r.Start.Line))
		related = append(related, analyzer.Related{Range: r, Message: fmt.Sprintf("%s of %s writes the same state", o.b.Name(), backendLabel(o.b))})
	}
	subject := e.b.Name()
	if e.b.Alternative != nil {
		subject += " with `-backend-config=" + path.Base(e.b.Alternative.Path) + "`"
	}
	attr := ""
	if p := e.loc.Specific(); p != nil {
		attr = p.Name
	}
	where := ""
	if s := e.loc.String(); s != "" {
		where = ": " + s
	}
	whose := "other's"
	if len(others) > 1 {
		whose = "others'"
	}
	pass.Report(analyzer.Finding{
		Range:     e.specificRange(),
		Module:    e.b.Module.Dir,
		Address:   e.b.Address(),
		Attribute: attr,
		Related:   related,
		Message: fmt.Sprintf("%s writes the same state as %s%s; each apply overwrites the %s state",
			subject, joinAnd(names), where, whose),
	})
}
