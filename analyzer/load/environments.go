package load

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/tfgate/tfgate/analyzer/model"
)

// The environments of a root: the tfvars files that are ways to run it,
// which CI passes with -var-file. Discovery looks beside the root and in
// directories inside it that hold only tfvars files (no .tf: those are
// modules of their own):
//
//   - ROOT/prod.tfvars, ROOT/prod.tfvars.json: environment "prod";
//   - ROOT/DIR/prod.tfvars where DIR is an environments directory (env,
//     envs, environment, environments, vars, var, tfvars, config, configs,
//     variables, var-files, varfiles): environment "prod";
//   - ROOT/DIR/prod/*.tfvars (DIR as above): environment "prod", its files
//     in name order;
//   - ROOT/prod/*.tfvars, ROOT/env-dev/*.tfvars (any other directory that
//     holds only tfvars, except examples/, tests/ and other demo
//     directories): environment named after the directory.
//
// terraform.tfvars, terraform.tfvars.json and *.auto.tfvars(.json) in the
// root are not environments: Terraform loads them on every run, before any
// -var-file. Files named common, shared, global(s), default(s), base or all
// are applied to every environment of their directory (and, beside the
// root, to every environment of the root) before the environment's own
// files. A file that sets none of the root's variables (a backend
// configuration named *.tfvars) is no environment; an encrypted or
// templated one was left out with a note when it was parsed (OpaqueReason). Explicit
// environments (--var-file-for, .tfgate.hcl) replace discovery for their
// root.

// envDirNames name the directories inside a root that hold its
// environments' tfvars files.
var envDirNames = map[string]bool{
	"env": true, "envs": true, "environment": true, "environments": true,
	"vars": true, "var": true, "tfvars": true, "config": true, "configs": true,
	"variables": true, "var-files": true, "varfiles": true,
}

// sharedVarNames name tfvars files that hold what every environment
// shares: applied before each environment's own files.
var sharedVarNames = map[string]bool{
	"common": true, "shared": true, "global": true, "globals": true,
	"default": true, "defaults": true, "base": true, "all": true,
}

// ExplicitEnvironments are environments of one root given by the user
// (--var-file-for DIR=FILE, an environments block of .tfgate.hcl).
type ExplicitEnvironments struct {
	Dir    string // the root's directory, absolute or relative to WorkDir
	Envs   []*model.Environment
	Origin string // for messages: "--var-file-for", ".tfgate.hcl:12: environments"
	// Required makes a directory that holds no loaded root module an
	// error (a flag's typo); otherwise it is skipped quietly (a
	// configuration block for a root outside the scanned paths).
	Required bool
}

// autoLoaded reports whether Terraform loads a tfvars file of a root by
// itself.
func autoLoaded(name string) bool {
	return name == "terraform.tfvars" || name == "terraform.tfvars.json" ||
		strings.HasSuffix(name, ".auto.tfvars") || strings.HasSuffix(name, ".auto.tfvars.json")
}

func isVarFile(name string) bool {
	k, ok := model.KindOf(name)
	return ok && (k == model.KindTFVars || k == model.KindTFVarsJSON)
}

// assignEnvironments gives each scanned root its environments.
func assignEnvironments(p *model.Project, explicit []ExplicitEnvironments) error {
	byAbs := map[string]*model.Module{}
	for _, m := range p.Modules {
		byAbs[m.AbsDir] = m
	}
	given := map[*model.Module]bool{}
	for _, e := range explicit {
		dir := e.Dir
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(p.WorkDir, dir)
		}
		m := byAbs[filepath.Clean(dir)]
		switch {
		case m == nil && e.Required:
			return fmt.Errorf("%s %s: no module under the paths linted is in that directory", e.Origin, displayDir(p, dir))
		case m != nil && !mayHaveEnvironments(m) && e.Required:
			return fmt.Errorf("%s %s: %s is not a root module but %s (%s; `tfgate modules` shows why)", e.Origin, displayDir(p, dir), m.Name(), m.Kind, m.EvidenceText())
		case m == nil || !mayHaveEnvironments(m):
			continue
		}
		given[m] = true
		for _, env := range e.Envs {
			env.Explicit = true
			m.Environments = appendEnv(m.Environments, env)
		}
	}
	// Loose tfvars files by directory, and those directories by parent.
	loose := map[string][]*model.File{}
	children := map[string][]string{}
	listed := map[string]bool{}
	for _, f := range p.LooseFiles {
		if !isVarFile(filepath.Base(f.Abs)) {
			continue
		}
		d := filepath.Dir(f.Abs)
		loose[d] = append(loose[d], f)
		// The directory, and its parent (variables/ of variables/prod/).
		for i := 0; i < 2 && !listed[d]; i, d = i+1, filepath.Dir(d) {
			listed[d] = true
			children[filepath.Dir(d)] = append(children[filepath.Dir(d)], d)
		}
	}
	for _, m := range p.Modules {
		if !mayHaveEnvironments(m) || !m.Scanned || given[m] {
			continue
		}
		m.Environments = discover(p, m, loose, children)
	}
	// Environments are a deployment's evidence: a module of unknown kind
	// that has some is a root.
	for _, m := range p.Modules {
		if m.Kind == model.UnknownKind && len(m.Environments) > 0 {
			m.Kind = model.Root
			m.Evidence = append(m.Evidence, model.Evidence{Fact: fmt.Sprintf("tfvars of %d environments: a root", len(m.Environments))})
		}
	}
	return nil
}

func displayDir(p *model.Project, dir string) string {
	if rel, err := filepath.Rel(p.WorkDir, dir); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(rel)
	}
	return dir
}

// appendEnv adds an environment, renaming it after its first file's path
// when the name is taken.
func appendEnv(envs []*model.Environment, env *model.Environment) []*model.Environment {
	for _, e := range envs {
		if e.Name == env.Name {
			if len(env.Files) > 0 {
				env.Name = strings.TrimSuffix(strings.TrimSuffix(env.Files[0].Path, ".json"), ".tfvars")
			}
			break
		}
	}
	return append(envs, env)
}

// discover finds a root's environments (the rules above).
func discover(p *model.Project, m *model.Module, loose map[string][]*model.File, children map[string][]string) []*model.Environment {
	declared := map[string]bool{}
	for _, v := range m.Variables {
		declared[v.Labels[0]] = true
	}
	if len(declared) == 0 {
		return nil // nothing a tfvars file could set
	}
	checked := map[*model.File]bool{}
	usable := func(f *model.File) bool {
		if ok, done := checked[f]; done {
			return ok
		}
		ok := false
		if f.HCL != nil { // else reported where it was parsed (opaque files with a note)
			attrs, _ := f.HCL.Body.JustAttributes()
			for name := range attrs {
				ok = ok || declared[name]
			}
		}
		checked[f] = ok
		return ok
	}
	// split sorts a directory's usable files into shared and own ones.
	split := func(files []*model.File) (shared, own []*model.File) {
		for _, f := range sortedFiles(files) {
			switch {
			case !usable(f):
			case sharedVarNames[model.EnvironmentName(f.Abs)]:
				shared = append(shared, f)
			default:
				own = append(own, f)
			}
		}
		return shared, own
	}
	with := func(base []*model.File, more ...*model.File) []*model.File {
		return append(append([]*model.File{}, base...), more...)
	}
	// level collects the environments of one directory level: a file per
	// environment (files), directories of one environment each (dirs),
	// everything after the level's shared files (and inherited ones).
	// With no environment of its own, each shared file is one.
	type dirEnv struct {
		name  string
		files []*model.File
	}
	var envs []*model.Environment
	level := func(files []*model.File, dirs []dirEnv, inherited []*model.File) {
		shared, own := split(files)
		var found []*model.Environment
		for _, f := range own {
			found = append(found, &model.Environment{Name: model.EnvironmentName(f.Abs), Files: with(inherited, append(shared, f)...)})
		}
		for _, d := range dirs {
			// A directory's files all belong to its environment, shared
			// names first.
			dshared, mine := split(d.files)
			all := append(dshared, mine...)
			if len(all) > 0 {
				found = append(found, &model.Environment{Name: d.name, Files: with(with(inherited, shared...), all...)})
			}
		}
		if len(found) == 0 {
			for _, f := range shared {
				found = append(found, &model.Environment{Name: model.EnvironmentName(f.Abs), Files: with(inherited, f)})
			}
		}
		for _, e := range found {
			envs = appendEnv(envs, e)
		}
	}
	var beside []*model.File
	for _, f := range m.VarFiles {
		if !autoLoaded(filepath.Base(f.Abs)) {
			beside = append(beside, f)
		}
	}
	rootShared, _ := split(beside)
	var rootDirs []dirEnv
	for _, d := range sortedStrings(children[m.AbsDir]) {
		name := filepath.Base(d)
		if demoDir(name) {
			continue
		}
		if !envDirNames[strings.ToLower(name)] {
			rootDirs = append(rootDirs, dirEnv{name, loose[d]})
			continue
		}
		// An environments directory: a file per environment, or a
		// directory per environment.
		var subs []dirEnv
		for _, sub := range sortedStrings(children[d]) {
			if !demoDir(filepath.Base(sub)) {
				subs = append(subs, dirEnv{filepath.Base(sub), loose[sub]})
			}
		}
		level(loose[d], subs, rootShared)
	}
	if len(envs) > 0 {
		// Beside the root, shared files go before every environment.
		_, own := split(beside)
		for _, f := range own {
			envs = appendEnv(envs, &model.Environment{Name: model.EnvironmentName(f.Abs), Files: with(rootShared, f)})
		}
		for _, d := range rootDirs {
			level(nil, []dirEnv{d}, rootShared)
		}
	} else {
		level(beside, rootDirs, nil)
	}
	sort.SliceStable(envs, func(i, j int) bool { return envs[i].Name < envs[j].Name })
	return envs
}

func sortedFiles(fs []*model.File) []*model.File {
	out := append([]*model.File{}, fs...)
	sort.Slice(out, func(i, j int) bool { return out[i].Abs < out[j].Abs })
	return out
}

func sortedStrings(s []string) []string {
	out := append([]string{}, s...)
	sort.Strings(out)
	return out
}

// envVarFiles lists, for the pre-commit path, the tfvars files in the
// directories inside dir that discovery reads (up to two levels down,
// directories without .tf files). hasSource reports whether a directory
// holds .tf or .tf.json files.
func envVarFiles(byDir map[string][]scannedFile, dir string, hasSource func(string) bool) []string {
	var out []string
	for d, fs := range byDir {
		rel, err := filepath.Rel(dir, d)
		if err != nil || rel == "." || strings.HasPrefix(rel, "..") || hasSource(d) {
			continue
		}
		if n := strings.Count(filepath.ToSlash(rel), "/"); n > 1 {
			continue
		}
		for _, f := range fs {
			if isVarFile(filepath.Base(f.path)) {
				out = append(out, f.path)
			}
		}
	}
	sort.Strings(out)
	return out
}

// envRoot returns the directory whose environment a tfvars file in a
// directory without .tf files may be: its parent or grandparent holding
// .tf files, else "".
func envRoot(dir string, hasSource func(string) bool) string {
	for i, d := 0, filepath.Dir(dir); i < 2 && d != filepath.Dir(d); i, d = i+1, filepath.Dir(d) {
		if hasSource(d) {
			return d
		}
	}
	return ""
}

// mayHaveEnvironments reports whether a module is run with tfvars files: a
// root, or a module of unknown kind (which environments make a root).
func mayHaveEnvironments(m *model.Module) bool {
	return m.Kind == model.Root || m.Kind == model.UnknownKind
}
