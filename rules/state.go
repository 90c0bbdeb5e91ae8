package rules

// Helpers shared by the state rules (state-remote-backend, state-locking,
// state-key-unique, state-encryption).

import (
	"fmt"
	"path"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/hcl/v2"
	"github.com/tfgate/tfgate/analyzer"
	"github.com/tfgate/tfgate/analyzer/model"
)

// stateRoots lists the modules whose state the state rules judge: the
// scanned modules that own their state in the module model (roots,
// Terragrunt units with the backend of their remote_state, wrapper roots
// that declare a backend themselves). Reusable modules have no state of
// their own (Terraform ignores a backend block in a called module), demos
// are usually run once with local state, and modules of unknown kind are
// not judged.
//
// Modules with a file that could not be read in full are left out too: the
// parser's partial result may have lost the backend block or one of its
// settings, and syntax-error already reports the file. A module call that
// cannot be resolved does not count: the module keeps its findings.
func stateRoots(pass *analyzer.Pass) []*model.Module {
	broken := map[string]bool{}
	for _, pr := range pass.Problems() {
		if pr.Unread {
			broken[pr.Range.Filename] = true
		}
	}
	var out []*model.Module
	for _, m := range pass.Project.Modules {
		if !m.Scanned || !m.OwnsState() || m.Excluded {
			continue
		}
		ok := true
		for _, group := range [][]*model.File{m.Files, m.BackendFile} {
			for _, f := range group {
				ok = ok && !broken[f.Path]
			}
		}
		if ok {
			out = append(out, m)
		}
	}
	return out
}

// backendConfigs returns the --backend-config files that apply to a root:
// all of them, except files kept in another scanned module's directory
// (`--backend-config envs/prod/prod.s3.tfbackend` says how envs/prod is
// initialised, not envs/dev).
func backendConfigs(pass *analyzer.Pass, m *model.Module) []*model.File {
	var out []*model.File
	for _, f := range pass.BackendConfigs {
		dir := path.Dir(f.Path)
		if other := pass.Project.Module(dir); other != nil && other != m {
			continue
		}
		out = append(out, f)
	}
	return out
}

// ownFile reports whether a file belongs to the module: one of its files,
// or a file in its directory given with --backend-config.
func ownFile(f *model.File, m *model.Module) bool {
	return f != nil && (f.Module == m || filepath.Dir(f.Abs) == m.AbsDir)
}

// backendProblem is one thing wrong with a backend candidate.
type backendProblem struct {
	Range     hcl.Range
	Attribute string
	Message   string
	Severity  analyzer.Severity // 0: the rule's
}

// reportCandidates judges every backend candidate of a module and reports
// the problems. Candidates that share a problem (same place, same message)
// get one finding, which names the backend files they were merged with, as
// `-backend-config=dev.s3.tfbackend`; its address carries those files only
// when some candidates of the module do not have the problem.
func reportCandidates(pass *analyzer.Pass, m *model.Module, cands []*model.Backend, judge func(*model.Backend) []backendProblem) {
	type group struct {
		p     backendProblem
		cands []*model.Backend
	}
	var groups []*group
	idx := map[backendProblem]*group{}
	for _, c := range cands {
		for _, p := range judge(c) {
			g := idx[p]
			if g == nil {
				g = &group{p: p}
				idx[p] = g
				groups = append(groups, g)
			}
			g.cands = append(g.cands, c)
		}
	}
	for _, g := range groups {
		f := analyzer.Finding{Range: g.p.Range, Message: g.p.Message, Module: m.Dir, Attribute: g.p.Attribute, Severity: g.p.Severity}
		if m.Unit != nil {
			// A remote_state shared through an include: name the units.
			f.Via = []string{m.Unit.ConfigPath()}
		}
		first := g.cands[0]
		f.Address = first.Block.Address()
		if first.Alternative != nil {
			var names, bases []string
			for _, c := range g.cands {
				names = append(names, "`-backend-config="+path.Base(c.Alternative.Path)+"`")
				bases = append(bases, path.Base(c.Alternative.Path))
			}
			if len(g.cands) < len(cands) {
				f.Address += "@" + strings.Join(bases, ",")
			}
			f.Message = insertQualifier(f.Message, first.Name(), "with "+joinOr(names))
		}
		pass.Report(f)
	}
}

// insertQualifier puts "with …" after the backend's name at the start of a
// message, or appends it.
func insertQualifier(msg, name, q string) string {
	if strings.HasPrefix(msg, name) {
		return name + " " + q + msg[len(name):]
	}
	return msg + " (" + q + ")"
}

func joinAnd(items []string) string { return joinWith(items, "and") }
func joinOr(items []string) string  { return joinWith(items, "or") }

func joinWith(items []string, conj string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " " + conj + " " + items[len(items)-1]
}

// knownString returns a backend setting that is set to a known string.
func knownString(b *model.Backend, name string) (string, bool) {
	return model.KnownString(b.Value(name))
}

// emptyString reports whether a setting is set to the empty string, which
// backends treat as unset.
func emptyString(b *model.Backend, name string) bool {
	s, ok := knownString(b, name)
	return ok && s == ""
}

// unknownSetting reports whether a setting is written but not a literal.
func unknownSetting(b *model.Backend, name string) bool {
	a := b.Attr(name)
	return a != nil && !a.Value.IsWhollyKnown()
}

var versionNumber = regexp.MustCompile(`\d+(?:\.\d+){0,2}`)

// allowsTerraform reports whether the module's required_version settings
// admit some Terraform release at or above min. Unparsable or unknown
// constraints admit everything, so that a suggestion is only held back when
// the module clearly pins an older release.
func allowsTerraform(m *model.Module, min string) bool {
	floor, err := model.ParseVersion(min)
	if err != nil {
		panic(err) // min is a constant of the caller
	}
	var all []*model.VersionConstraint
	probes := []*version.Version{floor}
	for _, s := range []string{"1.11.0", "1.12.0", "1.13.0", "1.14.0", "1.15.0", "1.20.0", "1.99.0", "2.0.0", "3.0.0"} {
		v, _ := model.ParseVersion(s)
		probes = append(probes, v)
	}
	for _, tb := range m.Terraform {
		s, ok := tb.StaticString("required_version")
		if !ok {
			continue
		}
		cs, err := model.ParseVersionConstraint(s, model.CoreSyntax)
		if err != nil {
			continue
		}
		all = append(all, cs)
		for _, n := range versionNumber.FindAllString(s, -1) {
			if v, err := model.ParseVersion(n); err == nil {
				probes = append(probes, v)
			}
		}
	}
	for _, v := range probes {
		if v.LessThan(floor) {
			continue
		}
		ok := true
		for _, cs := range all {
			ok = ok && cs.Allows(v)
		}
		if ok {
			return true
		}
	}
	return false
}

// backendLabel names a candidate for messages about other modules:
// "envs/dev" or "envs/dev with dev.s3.tfbackend".
func backendLabel(b *model.Backend) string {
	if b.Alternative != nil {
		return fmt.Sprintf("`%s` with `-backend-config=%s`", b.Module.Name(), path.Base(b.Alternative.Path))
	}
	return fmt.Sprintf("`%s`", b.Module.Name())
}
