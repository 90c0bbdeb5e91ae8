package load

import (
	"fmt"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/tfgate/tfgate/analyzer/model"
)

// The module-kind model. Every directory of Terraform files gets exactly
// one kind (model.ModuleKind), decided here from evidence and recorded with
// it, so that every rule stands on the same ground and `tfgate modules`
// can show why:
//
//   - a .tfgate.hcl `module "GLOB" { kind = … }` block decides first;
//   - a directory with a terragrunt.hcl is a Terragrunt unit: a root;
//   - the code a unit's terraform.source points at is a wrapper root, as
//     is an Atmos component (under the components base path of
//     atmos.yaml, or a directory following the Atmos component conventions:
//     provider configuration beside context.tf, nobody calling it);
//   - a module another scanned module calls is reusable;
//   - files that declare nothing a module is made of (only variables,
//     locals, moved blocks…), or that live in a mixins/ or snippets/
//     directory, are not a module;
//   - a directory whose path has a demo or test component (examples/,
//     test/, fixtures/…; a whole component, never a word inside a name)
//     is a demo, unless it shows a live root's evidence: a remote backend,
//     a lock file and configured providers;
//   - a runnable folder nested inside a module directory that calls its
//     parent module, or whose README says it is an example, is a demo;
//   - under modules/ a module is reusable, unless it declares a backend and
//     nobody calls it (a root), or configures providers and nobody calls
//     it (conflicting evidence: unknown);
//   - the top of a module repository (examples/ or modules/ below, no
//     backend or provider configuration) is reusable;
//   - a directory with nothing that configures a deployment (no backend,
//     provider configuration, lock file, tfvars or .tfbackend file) that
//     nobody calls may be a root or a module published alone: unknown;
//   - everything else is a root.
//
// Paths are judged from the scanned path down, so that
// `tfgate lint fixtures/example` judges envs/prod, not
// fixtures/example/envs/prod.

// scanRel is a module's directory relative to the scanned path that holds
// it.
func scanRel(m *model.Module, roots []string) string {
	best := ""
	for _, r := range roots {
		if rel, err := filepath.Rel(r, m.AbsDir); err == nil && !strings.HasPrefix(rel, "..") {
			if best == "" || len(rel) < len(best) {
				best = filepath.ToSlash(rel)
			}
		}
	}
	if best == "" {
		return m.Dir
	}
	return best
}

// demoDirs are directory names that hold demos and tests. Only a whole path
// component counts: `sandbox-test-account/` is a live root's name.
var demoDirs = map[string]bool{
	"example": true, "examples": true, "sample": true, "samples": true, "demo": true, "demos": true,
	"test": true, "tests": true, "testdata": true, "fixture": true, "fixtures": true, "e2e": true,
	"test-fixtures": true, "test_fixtures": true, "testing": true,
}

// demoDir reports whether a directory name is a demo or test directory: a
// whole name, never a word inside one.
func demoDir(name string) bool { return demoDirs[strings.ToLower(name)] }

// envDirs hold the environments of a live tree: a module below one is a
// root (envs/prod, live/staging/us-east-1/app).
var envDirs = map[string]bool{"environments": true, "envs": true, "env": true, "live": true, "stages": true}

// snippetDirs hold files meant to be copied into other modules.
var snippetDirs = map[string]bool{"mixins": true, "snippets": true}

// classifier holds what classify needs beyond the modules.
type classifier struct {
	l       *loader
	mods    []*model.Module
	dirs    map[string]bool // slash dirs of every module known to hold Terraform files
	byAbs   map[string]*model.Module
	overr   []KindOverride
	atmos   *atmosInfo
	gitCtx  *gitignores
	reads   readmeReader
	tgCodes map[*model.Module][]*model.Module // code module → units
}

// readmeReader reads the start of a README, for the demo evidence.
type readmeReader func(dir string, names []string) string

func (l *loader) classify(mods []*model.Module) {
	c := &classifier{l: l, mods: mods, dirs: map[string]bool{}, byAbs: map[string]*model.Module{}, overr: l.opts.Kinds, atmos: l.atmosInfo(), gitCtx: l.gitignores(), tgCodes: map[*model.Module][]*model.Module{}}
	c.reads = l.readmeStart
	for d := range l.allDirs {
		c.dirs[d] = true
	}
	for _, m := range mods {
		c.dirs[m.Dir] = true
		c.byAbs[m.AbsDir] = m
		if m.Unit != nil && m.Unit.Code != nil && m.Unit.Code != m {
			c.tgCodes[m.Unit.Code] = append(c.tgCodes[m.Unit.Code], m)
		}
	}
	for _, m := range mods {
		c.classifyOne(m)
		m.Internal = c.internal(m)
	}
	for _, m := range mods {
		if m.Kind == model.Root && m.BackendBlock() == nil && m.BackendElsewhere == "" && m.Unit == nil {
			if why := c.gitCtx.backendIgnored(m); why != "" {
				m.BackendElsewhere = why
				m.Evidence = append(m.Evidence, model.Evidence{Fact: "backend configured elsewhere: " + why})
			}
		}
	}
}

func (c *classifier) classifyOne(m *model.Module) {
	var ev []model.Evidence
	add := func(fact string, at *hcl.Range) { ev = append(ev, model.Evidence{Fact: fact, At: at}) }
	general := 0 // facts before it describe the module; those after decide
	set := func(k model.ModuleKind) {
		m.Kind = k
		// The deciding facts first.
		m.Evidence = append(append([]model.Evidence(nil), ev[general:]...), ev[:general]...)
	}
	rel := scanRel(m, c.l.roots)
	parts := strings.Split(rel, "/")
	if rel == "." {
		parts = nil
	}

	// 1. The user's word.
	if o := c.override(m); o != nil {
		add(fmt.Sprintf("kind %q set by %s", o.Kind, o.Origin), nil)
		switch o.Kind {
		case "root":
			set(model.Root)
		case "reusable":
			set(model.Reusable)
		case "demo":
			set(model.Demo)
		case "ignore":
			m.Excluded = true
			set(model.NotModule)
		}
		return
	}

	// 2. Terragrunt.
	if u := m.Unit; u != nil {
		add("Terragrunt unit ("+u.ConfigPath()+")", nil)
		switch {
		case u.Code == m:
			add("the unit runs the Terraform files of its own directory", nil)
		case u.Code != nil:
			add("runs the code of "+u.Code.Dir, u.SourceRange)
		case u.Remote:
			add(fmt.Sprintf("runs remote code %q: not followed", u.Source), u.SourceRange)
		default:
			add("terraform.source not known statically", u.SourceRange)
		}
		if m.Wrapper == nil {
			m.Wrapper = &model.Wrapper{Tool: "terragrunt", Config: u.Config}
		}
		set(model.Root)
		return
	}
	if units := c.tgCodes[m]; len(units) > 0 {
		sort.Slice(units, func(i, j int) bool { return units[i].Dir < units[j].Dir })
		names := make([]string, 0, 3)
		for i, u := range units {
			if i == 3 {
				names = append(names, fmt.Sprintf("%d more", len(units)-3))
				break
			}
			names = append(names, u.Unit.ConfigPath())
		}
		add("terraform.source of Terragrunt unit "+strings.Join(names, ", "), nil)
		m.Wrapper = &model.Wrapper{Tool: "terragrunt", Config: units[0].Unit.Config, Units: units}
		set(model.WrapperRoot)
		return
	}

	// 3. Callers.
	var callers []string
	for _, call := range m.Callers {
		if call.Block.Module != m && call.Block.Module.Scanned && !call.Wrapper {
			callers = append(callers, fmt.Sprintf("%s (module.%s)", call.Block.Module.Name(), call.Name))
		}
	}
	if len(callers) > 0 || !m.Scanned {
		if len(callers) > 0 {
			sort.Strings(callers)
			if len(callers) > 3 {
				callers = append(callers[:3], fmt.Sprintf("%d more", len(callers)-3))
			}
			add("called by "+strings.Join(callers, ", "), nil)
		} else {
			add("loaded for a module that calls it", nil)
		}
		set(model.Reusable)
		return
	}

	backend := m.BackendBlock()
	providers := configuredProviders(m)
	remoteBackend := backend != nil && !(backend.Type == "backend" && len(backend.Labels) > 0 && backend.Labels[0] == "local")
	if backend != nil {
		add(backendFact(backend), &backend.DefRange)
	}
	if len(providers) > 0 {
		add("configures provider "+strings.Join(providers, ", "), nil)
	}
	if m.LockFile != nil {
		add("lock file", nil)
	}
	if len(m.VarFiles) > 0 || len(m.BackendFile) > 0 {
		add("tfvars or .tfbackend files", nil)
	}
	general = len(ev)

	// 4. Not a module.
	for _, p := range parts {
		if snippetDirs[p] {
			add("under "+p+"/: snippets meant to be copied into modules", nil)
			set(model.NotModule)
			return
		}
	}
	if c.l.tgIncluded[m.AbsDir] {
		add("holds a Terragrunt configuration that units include, not a unit", nil)
		if _, ok := onlyDeclarations(m); ok {
			set(model.NotModule)
			return
		}
	}
	if what, ok := onlyDeclarations(m); ok && (m.LockFile == nil && len(m.VarFiles) == 0 || c.l.tgIncluded[m.AbsDir]) {
		if what == "" {
			add("holds no blocks: nothing a module is made of", nil)
		} else {
			add("declares only "+what+": nothing a module is made of", nil)
		}
		set(model.NotModule)
		return
	}
	if backend == nil && len(providers) == 0 {
		if ref, at := danglingRef(m); ref != "" {
			add(fmt.Sprintf("refers to %s, which it does not declare: a fragment Terraform cannot load on its own", ref), at)
			set(model.NotModule)
			return
		}
	}

	// 5. Demos and tests, Atmos components among them.
	comp, lib, compWhy := c.atmosComponent(m, parts, providers)
	if comp {
		add(compWhy, nil)
		m.Wrapper = &model.Wrapper{Tool: "atmos", Library: lib}
		if c.atmos != nil {
			m.Wrapper.Config = c.atmos.config
		}
		if backend == nil {
			m.BackendElsewhere = "Atmos generates the backend of its components"
		}
	}
	live := remoteBackend && m.LockFile != nil && len(providers) > 0
	demoAt := -1
	for i, p := range parts {
		if demoDirs[strings.ToLower(p)] {
			demoAt = i
		}
	}
	if demoAt >= 0 {
		switch {
		case live:
			add(fmt.Sprintf("under %s/, but a live root: remote backend, lock file and provider configuration", parts[demoAt]), nil)
			if comp {
				set(model.WrapperRoot)
			} else {
				set(model.Root)
			}
		case remoteBackend && !comp:
			add(fmt.Sprintf("under %s/, yet declares a remote backend", parts[demoAt]), nil)
			set(model.UnknownKind)
		default:
			add("under "+parts[demoAt]+"/", nil)
			set(model.Demo)
		}
		return
	}
	if comp {
		set(model.WrapperRoot)
		return
	}
	if parent, why := c.nestedDemo(m, providers); parent != nil && !remoteBackend {
		add(why, nil)
		set(model.Demo)
		return
	}

	// 7. Reusable by layout.
	if under, name := underModulesDir(parts); under {
		switch {
		case backend != nil:
			add(fmt.Sprintf("under %s/, but declares a backend and nobody calls it: run as a root", name), nil)
			set(model.Root)
		case len(providers) > 0:
			add(fmt.Sprintf("under %s/, yet configures providers and nobody calls it", name), nil)
			set(model.UnknownKind)
		default:
			add("under "+name+"/", nil)
			set(model.Reusable)
		}
		return
	}
	if backend == nil && len(providers) == 0 && c.hasModuleTree(m.Dir) {
		add("top of a module repository: examples/ or modules/ below, no backend or provider configuration", nil)
		set(model.Reusable)
		return
	}
	for i, p := range parts {
		if envDirs[p] && i < len(parts)-1 {
			add("under "+p+"/: an environment", nil)
			set(model.Root)
			return
		}
	}
	if backend == nil && len(providers) == 0 && m.LockFile == nil && len(m.VarFiles) == 0 && len(m.BackendFile) == 0 {
		add("nobody calls it, and nothing configures a deployment (no backend, provider configuration, lock file or tfvars): a root or a module published alone", nil)
		set(model.UnknownKind)
		return
	}
	add("nobody calls it", nil)
	set(model.Root)
}

func backendFact(b *model.Block) string {
	if b.Type == "cloud" {
		return "cloud block"
	}
	if len(b.Labels) > 0 {
		return fmt.Sprintf("backend %q", b.Labels[0])
	}
	return "backend"
}

// configuredProviders lists the provider blocks that configure a provider:
// a block that sets only an alias is a legacy proxy configuration, which a
// reusable module declares (an empty `provider "aws" {}` configures the
// defaults, as roots do).
func configuredProviders(m *model.Module) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range m.Providers {
		attrs := p.Attrs()
		_, alias := attrs["alias"]
		if alias && len(attrs) == 1 && !p.HasBlocks() {
			continue
		}
		if k := p.Labels[0]; !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// onlyDeclarations reports whether a module declares nothing a module is
// made of: no resource, data source, module call, output, provider or
// backend; only variables, locals, moved/removed/import blocks or terraform
// settings. what describes it.
func onlyDeclarations(m *model.Module) (string, bool) {
	if len(m.Resources)+len(m.ModuleCalls)+len(m.Outputs)+len(m.Providers)+len(m.Backends) > 0 {
		return "", false
	}
	var kinds []string
	if len(m.Variables) > 0 {
		kinds = append(kinds, "variables")
	}
	if len(m.Locals) > 0 {
		kinds = append(kinds, "locals")
	}
	seen := map[string]bool{}
	for _, b := range m.Other {
		if b.Type == "check" {
			return "", false
		}
		if !seen[b.Type] {
			seen[b.Type] = true
			kinds = append(kinds, b.Type+" blocks")
		}
	}
	if len(kinds) == 0 {
		if len(m.Terraform) == 0 {
			for _, f := range m.Files {
				if f.HCL == nil {
					return "", false // does not parse: syntax-error says so
				}
			}
			return "", true // no blocks at all (commented out, or empty files)
		}
		kinds = append(kinds, "terraform settings")
	}
	return strings.Join(kinds, " and "), true
}

// underModulesDir reports whether a path is a module below a modules/ (or
// wrappers/) component: the part after the last such component decides, so
// envs/prod under examples/modules-demo/ is not a module. terraform-aws-modules'
// wrappers/ hold for_each wrappers of the module: reusable too.
func underModulesDir(parts []string) (bool, string) {
	last := -1
	for i, p := range parts {
		if p == "modules" || p == "wrappers" {
			last = i
		}
	}
	if last < 0 {
		return false, ""
	}
	if last < len(parts)-1 || parts[last] == "wrappers" {
		return true, parts[last]
	}
	return false, ""
}

// hasModuleTree reports whether a module has examples/ or modules/ with
// Terraform below it: the standard module structure.
func (c *classifier) hasModuleTree(dir string) bool {
	prefix := dir + "/"
	if dir == "." {
		prefix = ""
	}
	for d := range c.dirs {
		if strings.HasPrefix(d, prefix+"examples/") || strings.HasPrefix(d, prefix+"modules/") {
			return true
		}
	}
	return false
}

// nestedDemo reports whether a module nobody calls is a runnable demo
// nested inside another module's directory: it calls that module (source
// "../" or further up), or it configures providers and its README says it
// is an example.
func (c *classifier) nestedDemo(m *model.Module, providers []string) (*model.Module, string) {
	var parent *model.Module
	for d := filepath.Dir(m.AbsDir); ; d = filepath.Dir(d) {
		if p := c.byAbs[d]; p != nil && p.Scanned {
			parent = p
			break
		}
		if !c.l.inScan(d) || filepath.Dir(d) == d {
			break
		}
	}
	if parent == nil {
		return nil, ""
	}
	for _, call := range m.ModuleCalls {
		if call.Target != nil && call.Target.AbsDir != m.AbsDir && strings.HasPrefix(m.AbsDir, call.Target.AbsDir+string(filepath.Separator)) {
			return parent, fmt.Sprintf("inside module %s and calls it (module.%s): a demo of it", call.Target.Name(), call.Name)
		}
	}
	if len(providers) == 0 {
		return nil, ""
	}
	if r := strings.ToLower(c.reads(m.AbsDir, m.DirFiles)); r != "" {
		for _, w := range []string{"example", "demonstrat", "sample usage", "how to use"} {
			if strings.Contains(r, w) {
				return parent, "inside module " + parent.Name() + ", configures providers and its README says it is an example"
			}
		}
	}
	return nil, ""
}

// atmosComponent reports whether a module is an Atmos component: under a
// components base path of an atmos.yaml (or Atmos's default
// components/terraform/), or following the component conventions
// (context.tf beside provider configuration, nobody calling it). lib is
// true for component libraries: no atmos.yaml says where they are deployed.
func (c *classifier) atmosComponent(m *model.Module, parts []string, providers []string) (comp, lib bool, why string) {
	if a := c.atmos; a != nil {
		for _, base := range a.bases {
			rel, err := filepath.Rel(base, m.AbsDir)
			if err != nil || rel == "." || strings.HasPrefix(rel, "..") {
				continue
			}
			if under, _ := underModulesDir(strings.Split(filepath.ToSlash(rel), "/")); under {
				return false, false, "" // a component's own modules/ are reusable
			}
			return true, false, fmt.Sprintf("Atmos component under %s (%s)", c.l.display(base), a.origin)
		}
	}
	for i := 0; i+1 < len(parts); i++ {
		if parts[i] == "components" && parts[i+1] == "terraform" && i+2 < len(parts) {
			if under, _ := underModulesDir(parts[i+2:]); under {
				return false, false, ""
			}
			return true, c.atmos == nil, "Atmos component: under components/terraform/, Atmos's default component path"
		}
	}
	if len(providers) > 0 && m.HasFile("context.tf") {
		if parts := strings.Split(m.Dir, "/"); len(parts) >= 2 && parts[len(parts)-2] == "modules" {
			// A component's nested modules are not components.
			if p := c.byAbs[filepath.Dir(filepath.Dir(m.AbsDir))]; p != nil && p.HasFile("context.tf") {
				return false, false, ""
			}
		}
		return true, c.atmos == nil, "component conventions: context.tf beside provider configuration, nobody calls it (an Atmos or Cloud Posse component)"
	}
	return false, false, ""
}

// override returns the .tfgate.hcl kind block that matches the module, the
// last one winning.
func (c *classifier) override(m *model.Module) *KindOverride {
	var out *KindOverride
	for i := range c.overr {
		if c.overr[i].Glob.MatchDir(m.AbsDir) {
			out = &c.overr[i]
		}
	}
	return out
}

// inScan reports whether a directory is inside one of the scanned paths.
func (l *loader) inScan(abs string) bool {
	for _, r := range l.roots {
		if abs == r || strings.HasPrefix(abs, r+string(filepath.Separator)) {
			return true
		}
	}
	return false
}

// readmeStart returns the first 4 KiB of a module directory's README,
// lower-cased; "" when there is none.
func (l *loader) readmeStart(dir string, names []string) string {
	for _, n := range names {
		if ln := strings.ToLower(n); ln == "readme.md" || ln == "readme" || ln == "readme.txt" {
			data, err := readPrefix(filepath.Join(dir, n), 4096)
			if err == nil {
				return string(data)
			}
		}
	}
	return ""
}

// relSlash is the slash path of target relative to base, "" when it is not below.
func relSlash(base, target string) string {
	rel, err := filepath.Rel(base, target)
	if err != nil || strings.HasPrefix(rel, "..") {
		return ""
	}
	return path.Clean(filepath.ToSlash(rel))
}

// danglingRef returns a reference the module makes to a variable, local,
// module call, data source or resource it does not declare (as a fragment
// copied out of a module does), and where; "" when every reference
// resolves or the module is not native syntax throughout.
func danglingRef(m *model.Module) (string, *hcl.Range) {
	declared := map[string]bool{}
	for _, v := range m.Variables {
		declared["var."+v.Labels[0]] = true
	}
	for _, l := range m.Locals {
		declared["local."+l.Name] = true
	}
	for _, c := range m.ModuleCalls {
		declared["module."+c.Name] = true
	}
	for _, r := range m.Resources {
		if len(r.Labels) == 2 {
			if r.Type == "data" {
				declared["data."+r.Labels[0]+"."+r.Labels[1]] = true
			} else {
				declared[r.Labels[0]+"."+r.Labels[1]] = true
			}
		}
	}
	for _, b := range m.Other {
		if b.Type == "check" {
			for _, d := range b.Blocks("data", "type", "name") {
				if len(d.Labels) == 2 {
					declared["data."+d.Labels[0]+"."+d.Labels[1]] = true
				}
			}
		}
	}
	// Names that are not resources: iterators of dynamic blocks and for
	// expressions.
	scoped := map[string]bool{}
	var bodies []*hclsyntax.Body
	for _, f := range m.Files {
		sb := f.Syntax()
		if sb == nil {
			return "", nil
		}
		bodies = append(bodies, sb)
		hclsyntax.VisitAll(sb, func(n hclsyntax.Node) hcl.Diagnostics {
			switch n := n.(type) {
			case *hclsyntax.Block:
				if n.Type == "dynamic" && len(n.Labels) > 0 {
					scoped[n.Labels[0]] = true
					if a := n.Body.Attributes["iterator"]; a != nil {
						if t := hcl.ExprAsKeyword(a.Expr); t != "" {
							scoped[t] = true
						}
					}
				}
			case *hclsyntax.ForExpr:
				scoped[n.KeyVar], scoped[n.ValVar] = true, true
			}
			return nil
		})
	}
	for _, sb := range bodies {
		var ref string
		var at *hcl.Range
		hclsyntax.VisitAll(sb, func(n hclsyntax.Node) hcl.Diagnostics {
			st, ok := n.(*hclsyntax.ScopeTraversalExpr)
			if !ok || ref != "" {
				return nil
			}
			name := traversalName(st.Traversal, scoped)
			if name != "" && !declared[name] {
				r := st.SrcRange
				ref, at = "`"+name+"`", &r
			}
			return nil
		})
		if ref != "" {
			return ref, at
		}
	}
	return "", nil
}

// traversalName is the declaration a reference needs ("var.x",
// "aws_s3_bucket.b", "data.aws_iam_policy_document.p"), "" for references
// to anything else (each, count, path, self, iterators).
func traversalName(t hcl.Traversal, scoped map[string]bool) string {
	root := t.RootName()
	attr := func(i int) string {
		if i < len(t) {
			if a, ok := t[i].(hcl.TraverseAttr); ok {
				return a.Name
			}
		}
		return ""
	}
	switch root {
	case "var", "local", "module":
		if a := attr(1); a != "" {
			return root + "." + a
		}
		return ""
	case "data":
		if a, b := attr(1), attr(2); a != "" && b != "" {
			return "data." + a + "." + b
		}
		return ""
	case "each", "count", "self", "path", "terraform", "resource", "ephemeral":
		return ""
	}
	if scoped[root] || !strings.Contains(root, "_") {
		return ""
	}
	if a := attr(1); a != "" {
		return root + "." + a
	}
	return ""
}

// internal reports whether a module is a nested module of another one:
// <module>/modules/<name>, where <module> holds Terraform files. A modules/
// directory at the top of a repository whose top holds no Terraform is not
// nested in anything.
func (c *classifier) internal(m *model.Module) bool {
	parent := filepath.Dir(m.AbsDir)
	if filepath.Base(parent) != "modules" {
		return false
	}
	p := c.byAbs[filepath.Dir(parent)]
	return p != nil && len(p.Files) > 0
}
