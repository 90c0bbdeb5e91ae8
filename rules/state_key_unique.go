package rules

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/tfgate/tfgate/analyzer"
	"github.com/tfgate/tfgate/analyzer/model"
	"github.com/zclconf/go-cty/cty"
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
			"A Terragrunt unit is a root whose backend is its `remote_state` block (read with the path functions Terragrunt " +
			"computes, such as `path_relative_to_include()`; anything else is unknown): a problem is reported at its line " +
			"in the `.hcl` file, once for every unit that includes it. Which directories are roots is the module " +
			"model's answer (`tfgate modules`).\n\n" +
			"The rule computes where every scanned root keeps the state of each workspace, the way the backend " +
			"does, after partial configuration is merged (each `*.tfbackend` file in a root's directory is one way " +
			"to initialise it; `--backend-config` files apply to every root, or only to the root whose directory " +
			"holds them): the store (bucket, storage account and container, organization, custom endpoints) and " +
			"the path in it. S3 keeps the default workspace's state at `key` and a named workspace's at " +
			"`<workspace_key_prefix>/<workspace>/<key>` (the prefix defaults to `env:` and applies only to named " +
			"workspaces); GCS keeps every workspace at `<prefix>/<workspace>.tfstate`; azurerm at `key`, and " +
			"`key` + `env:<workspace>` for a named one; consul at `path` and `path-env:<workspace>`; `remote` " +
			"and `cloud` map the workspace to `workspaces { name }`, or `prefix` + workspace. Two roots clash when " +
			"some workspace of one writes a state of the other: in every workspace (the copy-paste case), only in " +
			"the default workspace (S3 roots with the same `key` and different `workspace_key_prefix`), or one " +
			"root's default workspace on the other's named workspace.\n\n" +
			"A clash only in the default workspace is reported as such. When the roots show that they are applied " +
			"in named workspaces (they read `terraform.workspace`, or keep per-workspace tfvars and one backend), " +
			"it is a warning: the states of their named workspaces are apart, and only an apply in the default " +
			"workspace (a CI job that forgot `terraform workspace select`) overwrites the other's state. Set " +
			"`named_workspaces_only = true` when your roots are never applied in the default workspace.\n\n" +
			"Two ways of initialising the *same* root (say `ci.s3.tfbackend` and " +
			"`local.s3.tfbackend` reaching one state with different credentials) are not a clash. The rule stays " +
			"silent when any part is unknown (a setting left to init time, a non-literal value, workspaces " +
			"selected by tags), for backends whose location depends on the machine (`local`, " +
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
	Options: []analyzer.Option{
		{
			Name:    "named_workspaces_only",
			Type:    cty.Bool,
			Default: cty.False,
			Doc: "The roots are applied only in named workspaces, never in the default one: clashes that " +
				"exist only in the default workspace are not reported.",
		},
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

// clashKind says in which workspaces two roots share a state.
type clashKind int

const (
	clashEvery   clashKind = iota // every workspace: same store, same paths
	clashDefault                  // only the default workspace (S3 keys equal, workspace_key_prefix not)
	clashNamed                    // only named workspaces of the same name (remote `workspaces { prefix }`)
	clashCross                    // one root's default workspace is a named workspace of the other
)

type clash struct {
	o         stateEntry
	kind      clashKind
	workspace string // clashCross: the other's workspace, or "" when it is ours (see mine)
	mine      string // clashCross: our workspace that is the other's default
}

// clashOf compares two locations in one store.
func clashOf(e, o stateEntry) (clash, bool) {
	a, b := e.loc, o.loc
	def := a.HasDefault && b.HasDefault && a.Default == b.Default
	named := a.Named != nil && b.Named != nil && *a.Named == *b.Named
	switch {
	case def && (named || a.Named == nil && b.Named == nil):
		return clash{o: o, kind: clashEvery}, true
	case def:
		return clash{o: o, kind: clashDefault}, true
	case named:
		return clash{o: o, kind: clashNamed}, true
	}
	if a.HasDefault && b.Named != nil {
		if w, ok := b.Named.Match(a.Default); ok {
			return clash{o: o, kind: clashCross, workspace: w}, true
		}
	}
	if b.HasDefault && a.Named != nil {
		if w, ok := a.Named.Match(b.Default); ok {
			return clash{o: o, kind: clashCross, mine: w}, true
		}
	}
	return clash{}, false
}

func runStateKeyUnique(pass *analyzer.Pass) error {
	byStore := map[string][]stateEntry{}
	var order []string
	for _, m := range stateRoots(pass) {
		for _, b := range m.BackendCandidates(backendConfigs(pass, m)) {
			loc, ok := b.StateLocation()
			if !ok {
				continue
			}
			k := loc.StoreKey()
			if _, seen := byStore[k]; !seen {
				order = append(order, k)
			}
			byStore[k] = append(byStore[k], stateEntry{b, loc})
		}
	}
	ws := workspaceUse{}
	defaultUnused := pass.BoolOption("named_workspaces_only")
	for _, k := range order {
		entries := byStore[k]
		own := make([]bool, len(entries))
		for i, e := range entries {
			own[i] = writesOwnParts(e)
		}
		candidates := clashCandidates(entries)
		for i, e := range entries {
			if !own[i] {
				continue
			}
			var clashes []clash
			for _, j := range candidates[i] {
				o := entries[j]
				if o.b.Module == e.b.Module || !own[j] || sameSpecificSource(e, o) {
					continue
				}
				c, ok := clashOf(e, o)
				if !ok || defaultUnused && (c.kind == clashDefault || c.kind == clashCross) {
					continue
				}
				clashes = append(clashes, c)
			}
			if len(clashes) > 0 {
				reportClash(pass, e, clashes, ws)
			}
		}
	}
	return nil
}

// clashCandidates lists, for each entry of one store, the entries whose
// locations clashOf can find shared with it, in order: those with the
// same default path or the same named-workspace path, and those where
// one's default path is a named workspace of the other. Every root of an
// organisation often keeps its state in one bucket: comparing every pair
// made the rule quadratic in the roots (45 ms for 1,000, seconds for
// 10,000); the indexes make it linear in the roots and the lengths of
// their paths.
func clashCandidates(entries []stateEntry) [][]int {
	byDefault := map[string][]int{}
	byNamed := map[model.WorkspacePath][]int{}
	bySuffix := map[string][]int{} // named paths by suffix
	for i, e := range entries {
		if e.loc.HasDefault {
			byDefault[e.loc.Default] = append(byDefault[e.loc.Default], i)
		}
		if n := e.loc.Named; n != nil {
			byNamed[*n] = append(byNamed[*n], i)
			bySuffix[n.Suffix] = append(bySuffix[n.Suffix], i)
		}
	}
	out := make([][]int, len(entries))
	for i, e := range entries {
		if e.loc.HasDefault {
			out[i] = append(out[i], byDefault[e.loc.Default]...)
			// Named paths one of whose workspaces is this default path,
			// and the other way round.
			d := e.loc.Default
			for l := 0; l <= len(d); l++ {
				for _, j := range bySuffix[d[len(d)-l:]] {
					if _, ok := entries[j].loc.Named.Match(d); ok {
						out[i] = append(out[i], j)
						out[j] = append(out[j], i)
					}
				}
			}
		}
		if n := e.loc.Named; n != nil {
			out[i] = append(out[i], byNamed[*n]...)
		}
	}
	for i := range out {
		slices.Sort(out[i])
		out[i] = slices.Compact(out[i])
	}
	return out
}

// workspaceUse memoises whether a root uses named workspaces.
type workspaceUse map[*model.Module]string

// of returns how the root shows that it is applied in named workspaces
// ("`terraform.workspace`", "per-workspace tfvars"), "" when it does not.
func (w workspaceUse) of(m *model.Module) string {
	if s, ok := w[m]; ok {
		return s
	}
	s := ""
	if m.ReferencesWorkspace() {
		s = "`terraform.workspace`"
	} else if len(m.BackendFile) == 0 && len(perEnvVarFiles(m)) >= 2 {
		// dev.tfvars and prod.tfvars with one backend and no backend file
		// per environment: `terraform workspace select dev` picks the state.
		s = "per-workspace tfvars"
	}
	w[m] = s
	return s
}

// perEnvVarFiles are the tfvars a user passes with -var-file: every
// tfvars file but terraform.tfvars and *.auto.tfvars, which load by
// themselves.
func perEnvVarFiles(m *model.Module) []*model.File {
	var out []*model.File
	for _, f := range m.VarFiles {
		base := path.Base(f.Path)
		if base == "terraform.tfvars" || base == "terraform.tfvars.json" || strings.Contains(base, ".auto.tfvars") {
			continue
		}
		out = append(out, f)
	}
	return out
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

// maxNamed is how many other roots a message names; the rest are counted
// (and all are related locations, up to maxRelated).
const (
	maxNamed   = 3
	maxRelated = 25
)

func reportClash(pass *analyzer.Pass, e stateEntry, clashes []clash, ws workspaceUse) {
	byKind := map[clashKind][]clash{}
	for _, c := range clashes {
		byKind[c.kind] = append(byKind[c.kind], c)
	}
	subject := e.b.Name()
	if e.b.Alternative != nil {
		subject += " with `-backend-config=" + path.Base(e.b.Alternative.Path) + "`"
	}
	attr := ""
	if p := e.loc.Specific(); p != nil {
		attr = p.Name
	}
	mineWS := ws.of(e.b.Module)
	othersWS := false
	for _, c := range byKind[clashEvery] {
		othersWS = othersWS || ws.of(c.o.b.Module) != ""
	}
	severity := analyzer.Severity(0) // the rule's
	defaultOnly := false
	// The message names the other roots; the cause, shared by every root
	// of one clash, counts them.
	var clauses, causeClauses []string
	var related []analyzer.Related
	for _, kind := range []clashKind{clashEvery, clashNamed, clashCross, clashDefault} {
		cs := byKind[kind]
		if len(cs) == 0 {
			continue
		}
		var names []string
		for i, c := range cs {
			r := c.o.specificRange()
			if i < maxNamed || len(cs) == maxNamed+1 {
				names = append(names, fmt.Sprintf("%s (%s:%d)", backendLabel(c.o.b), r.Filename, r.Start.Line))
			}
			if len(related) < maxRelated {
				related = append(related, analyzer.Related{Range: r, Message: fmt.Sprintf("%s of %s writes the same state", c.o.b.Name(), backendLabel(c.o.b))})
			}
		}
		if len(cs) > len(names) {
			names = append(names, fmt.Sprintf("%d other roots", len(cs)-len(names)))
		}
		whose, counted := "other's", "the other root"
		if len(cs) > 1 {
			whose, counted = "others'", fmt.Sprintf("the %d other roots", len(cs))
		}
		add := func(format string, args ...any) {
			clauses = append(clauses, fmt.Sprintf(format, append([]any{joinAnd(names)}, args...)...))
			causeClauses = append(causeClauses, fmt.Sprintf(format, append([]any{counted}, args...)...))
		}
		switch kind {
		case clashEvery:
			if mineWS == "" && !othersWS || e.loc.Named == nil {
				add("writes the same state as %s%s; each apply overwrites the %s state", where(e.loc.String()), whose)
			} else {
				add("writes the same state as %s in every workspace%s; an apply in a workspace overwrites the %s state of the workspace of the same name", where(e.loc.String()), whose)
			}
		case clashNamed:
			add("writes the same states as %s in named workspaces%s; an apply in a workspace overwrites the %s state of the workspace of the same name", where(e.loc.String()), whose)
		case clashCross:
			for _, c := range cs {
				var cl string
				if c.workspace != "" {
					cl = fmt.Sprintf("keeps the default workspace's state where %s keeps the state of its workspace %q (%q); an apply in either overwrites the other's state", backendLabel(c.o.b), c.workspace, e.loc.Default)
				} else {
					cl = fmt.Sprintf("keeps the state of workspace %q where %s keeps its default workspace's (%q); an apply in either overwrites the other's state", c.mine, backendLabel(c.o.b), c.o.loc.Default)
				}
				clauses = append(clauses, cl)
				causeClauses = append(causeClauses, cl)
			}
		case clashDefault:
			why := ""
			if p := e.loc.Part("workspace_key_prefix"); p != nil {
				why = " (`workspace_key_prefix` applies only to named workspaces)"
			}
			evidence := ""
			if mineWS != "" {
				evidence = mineWS + " here"
			}
			for _, c := range cs {
				if u := ws.of(c.o.b.Module); evidence == "" && u != "" {
					evidence = u + " in " + backendLabel(c.o.b)
				}
			}
			if evidence == "" {
				add("writes the same state as %s%s%s; each apply overwrites the %s state", where(e.loc.DefaultString()), why, whose)
				break
			}
			clauses = append(clauses, fmt.Sprintf("writes the same state as %s in the default workspace%s%s; the roots also use named workspaces (%s), whose states are apart, but an apply in the default workspace overwrites the %s state", joinAnd(names), where(e.loc.DefaultString()), why, evidence, whose))
			causeClauses = append(causeClauses, fmt.Sprintf("writes the same state as %s in the default workspace%s%s; the roots also use named workspaces, whose states are apart, but an apply in the default workspace overwrites the %s state", counted, where(e.loc.DefaultString()), why, whose))
			defaultOnly = true
		}
	}
	fix := "; give each root its own " + specificName(e.loc)
	if defaultOnly {
		fix += ", or set `named_workspaces_only = true` in the `rule \"state-key-unique\"` block of .tfgate.hcl if the default workspace is never applied"
		if len(byKind) == 1 {
			severity = analyzer.Warning
		}
	}
	msg := subject + " " + strings.Join(clauses, "; it also ") + fix
	cause := subject + " " + strings.Join(causeClauses, "; it also ") + fix
	pass.Report(analyzer.Finding{
		Range:     e.specificRange(),
		Module:    e.b.Module.Dir,
		Address:   e.b.Address(),
		Attribute: attr,
		Related:   related,
		Severity:  severity,
		Message:   msg,
		Cause:     cause,
	})
}

// where is ": " + s, or nothing for an empty s.
func where(s string) string {
	if s == "" {
		return ""
	}
	return ": " + s
}

// specificName is the setting to change, for the fix: "`key`",
// "`prefix`", "workspace name".
func specificName(l *model.StateLocation) string {
	p := l.Specific()
	switch {
	case p == nil:
		return "state location"
	case strings.HasPrefix(p.Name, "workspaces."):
		return "workspace " + strings.TrimPrefix(p.Name, "workspaces.")
	}
	return "`" + p.Name + "`"
}
