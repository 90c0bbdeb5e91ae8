// Package load discovers and parses Terraform configuration into a
// model.Project: the directory walk, bounded reads, parsing (through
// internal/fasthcl when it can), module calls followed to local and
// installed modules, the module-kind classification (classify.go) and the
// pre-commit path that finds a changed file's callers without parsing the
// whole tree (changed.go, with the source index of sourceindex.go).
package load

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/tfgate/tfgate/analyzer/model"
	"github.com/tfgate/tfgate/internal/fsx"
)

// LoadOptions says what to load.
type LoadOptions struct {
	Paths   []string // files or directories; default "."
	WorkDir string   // paths in output are relative to it; default: the process's
	// Changed lists files (pre-commit's changed files): only their modules
	// and the modules that call them, directly or not, are loaded and
	// linted. Callers are found under WorkDir by a quick scan of local
	// module sources, without parsing the rest of the tree.
	Changed []string
	// Discovered, when set, is told how many files will be parsed before
	// parsing starts (the CLI sizes the garbage collector's memory limit
	// with it).
	Discovered func(files int)
	// Parsed, when set, is told how many bytes of source were read once
	// the files are parsed (syntax trees take tens of times their source).
	Parsed func(bytes int64)
	// Phase, when set, is told how long each phase of loading took
	// ("scan", "parse", "modules"), in order.
	Phase func(name string, d time.Duration)
	// Exclude lists the paths not to lint (--exclude, `exclude` in
	// .tfgate.hcl): they are not scanned, and a module under one that a
	// linted module calls is evaluated for its caller, reporting nothing.
	Exclude []Glob
	// Kinds are the `module "GLOB" { kind = … }` blocks of .tfgate.hcl:
	// they decide a directory's kind where the evidence cannot.
	Kinds []KindOverride
	// Environments given by the user replace discovery for their roots
	// (environments.go).
	Environments []ExplicitEnvironments
}

// skipDir reports whether a directory is never descended into: Terraform's
// own cache, version control, vendored module trees and other hidden trees.
func skipDir(name string) bool {
	if name == "." || name == ".." {
		return false
	}
	switch name {
	case "node_modules", "vendor":
		return true
	}
	return strings.HasPrefix(name, ".") // .terraform, .git, .external_modules, .terragrunt-cache
}

// vendoredPath reports whether a slash path goes through a skipped directory.
func vendoredPath(p string) bool {
	for _, part := range strings.Split(filepath.ToSlash(p), "/") {
		if skipDir(part) {
			return true
		}
	}
	return false
}

type loader struct {
	manifests map[string]*modulesManifest // .terraform/modules/modules.json by root directory
	allDirs   map[string]bool             // every module directory under the scan, when known without loading it
	workDir   string
	fast      bool                     // parse native syntax with fasthcl first (TFGATE_FASTHCL)
	roots     []string                 // absolute scanned directories
	modules   map[string]*model.Module // by AbsDir
	// installs locates the modules that `terraform init` installed, and
	// the modules inside them: their key path in a root's
	// .terraform/modules/modules.json.
	installs map[*model.Module]install
	dirFiles map[string][]string // names of the non-directory entries of each listed directory
	problems []model.Problem
	notes    []string
	mu       sync.Mutex

	opts         LoadOptions
	tfDirs       map[string]bool // directories holding .tf or .tf.json files to load
	tgFiles      []string        // terragrunt.hcl files found by the scan
	tgDirs       map[string]bool // their directories
	tgIncluded   map[string]bool // directories of configurations units include
	atmosFiles   []string        // atmos.yaml files found by the scan
	wrapperFiles []*model.File
	exists       map[string]bool // fileExists cache
	atmosOnce    sync.Once
	atmos        *atmosInfo
	gitOnce      sync.Once
	git          *gitignores
	tg           *terragrunt
	unresolved   []unresolvedCall
	overridden   map[*model.Module]bool // modules whose override files are merged
}

// install is where an installed module is recorded.
type install struct {
	key  string // "app.net": module "net" called by module "app"
	root string // the root module directory whose .terraform holds it
}

// Load discovers and parses the modules under opts.Paths. A path that does
// not exist or cannot be read is an error; a file that does not parse is a
// Problem and loading goes on.
func Load(opts LoadOptions) (*model.Project, error) {
	wd := opts.WorkDir
	if wd == "" {
		var err error
		if wd, err = os.Getwd(); err != nil {
			return nil, err
		}
	}
	wd, _ = filepath.Abs(wd)
	paths := opts.Paths
	if len(paths) == 0 {
		paths = []string{"."}
	}
	fast, err := fastHCL()
	if err != nil {
		return nil, err
	}
	l := &loader{workDir: wd, fast: fast, modules: map[string]*model.Module{}, installs: map[*model.Module]install{}, opts: opts}
	for i := range l.opts.Exclude {
		l.opts.Exclude[i].Base = absGlobBase(l.opts.Exclude[i].Base, wd)
	}
	for i := range l.opts.Kinds {
		l.opts.Kinds[i].Base = absGlobBase(l.opts.Kinds[i].Base, wd)
	}
	phase := func(string, time.Duration) {}
	if opts.Phase != nil {
		phase = opts.Phase
	}
	start := time.Now()
	var files, restrictTo, context []string
	seen := map[string]bool{}
	if len(opts.Changed) > 0 {
		var err error
		files, restrictTo, context, err = l.changedFiles(opts.Changed)
		if err != nil {
			return nil, err
		}
		paths = nil
	}
	for _, p := range paths {
		abs := p
		if !filepath.IsAbs(abs) {
			abs = filepath.Join(wd, p)
		}
		abs = filepath.Clean(abs)
		st, err := os.Stat(abs)
		if err != nil {
			return nil, fmt.Errorf("cannot read %s: %w", p, fsx.Cause(err))
		}
		if l.excluded(abs) {
			continue
		}
		if !st.IsDir() {
			if _, ok := model.KindOf(filepath.Base(abs)); !ok && !IsWrapperConfig(abs) {
				return nil, fmt.Errorf("%s is not a Terraform file (.tf, .tf.json, .tofu, .tofu.json, .tfvars, .tfvars.json, .tfbackend or .terraform.lock.hcl)", p)
			}
			// A file stands for its module: lint the whole directory.
			abs = filepath.Dir(abs)
			l.roots = append(l.roots, abs)
			fs, err := l.listDir(abs)
			if err != nil {
				return nil, fmt.Errorf("cannot read %s: %w", p, fsx.Cause(err))
			}
			for _, f := range fs {
				if !seen[f] {
					seen[f] = true
					files = append(files, f)
				}
			}
			continue
		}
		l.roots = append(l.roots, abs)
		byDir, err := l.scan(abs, false)
		if err != nil {
			return nil, err
		}
		for _, f := range scannedPaths(byDir) {
			if !seen[f] {
				seen[f] = true
				files = append(files, f)
			}
		}
	}
	if opts.Discovered != nil {
		opts.Discovered(len(files))
	}
	scanned := time.Now()
	// Modules exist before parsing, so that the parse workers can also
	// extract each file's top-level blocks (addFile is then only appends).
	l.tfDirs = map[string]bool{}
	for _, f := range files {
		l.moduleFor(filepath.Dir(f), true)
		if isTFSource(f) {
			l.tfDirs[filepath.Dir(f)] = true
		}
	}
	parsed, tops := l.parseAll(files)
	parsedAt := time.Now()
	phase("scan", scanned.Sub(start))
	phase("parse", parsedAt.Sub(scanned))
	if opts.Parsed != nil {
		var n int64
		for _, f := range parsed {
			n += int64(len(f.Src))
		}
		opts.Parsed(n)
	}
	for i, f := range parsed {
		l.addFile(f, tops[i], true)
	}
	// Override files merge into their modules' blocks before anything
	// reads them (override.go).
	for _, m := range l.modules {
		l.mergeOverrides(m)
	}
	// Terragrunt units, then local module calls (units' included) to
	// modules outside the scanned paths.
	l.loadTerragrunt(restrictTo)
	l.resolveCalls()
	p := &model.Project{WorkDir: wd, Roots: repoRoots(l.roots)}
	for _, m := range l.modules {
		if len(m.Files) == 0 && m.Unit == nil {
			// Only tfvars/backend/lock files: not a module. Keep the var files
			// visible to rules that read every tfvars file.
			p.LooseFiles = append(p.LooseFiles, m.VarFiles...)
			p.LooseFiles = append(p.LooseFiles, m.BackendFile...)
			continue
		}
		p.Modules = append(p.Modules, m)
	}
	sort.Slice(p.Modules, func(i, j int) bool { return p.Modules[i].Dir < p.Modules[j].Dir })
	sort.Slice(p.LooseFiles, func(i, j int) bool { return p.LooseFiles[i].Path < p.LooseFiles[j].Path })
	for _, m := range p.Modules {
		m.DirFiles = l.dirFiles[m.AbsDir]
		if !m.Scanned && l.excluded(m.AbsDir) {
			m.Excluded = true
		}
	}
	l.classify(p.Modules)
	if len(restrictTo) > 0 {
		// Only the changed modules and their callers are linted.
		restrict(p.Modules, restrictTo, context)
	}
	l.reportUnresolved()
	p.WrapperFiles = l.wrapperFiles
	p.Notes = append(p.Notes, l.notes...)
	sort.Strings(p.Notes)
	if err := assignEnvironments(p, opts.Environments); err != nil {
		return nil, err
	}
	p.Problems = l.problems
	phase("modules", time.Since(parsedAt))
	return p, nil
}

func (l *loader) listDir(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out, names []string
	for _, e := range ents {
		if e.IsDir() {
			continue
		}
		names = append(names, e.Name())
	}
	shadowed := model.TofuShadowed(names)
	for _, n := range names {
		if _, ok := model.KindOf(n); ok && !shadowed[n] {
			out = append(out, filepath.Join(dir, n))
		}
		if n == "terragrunt.hcl" && l.tg == nil {
			// Before the units are loaded: a file given on the command
			// line stands for its unit.
			l.foundWrapperFile(filepath.Join(dir, n), n)
		}
	}
	l.listed(dir, names)
	return out, nil
}

// listed records the names of a directory's non-directory entries, for
// Module.DirFiles.
func (l *loader) listed(dir string, names []string) {
	l.mu.Lock()
	if l.dirFiles == nil {
		l.dirFiles = map[string][]string{}
	}
	l.dirFiles[dir] = names
	l.mu.Unlock()
}

func (l *loader) display(abs string) string {
	rel, err := filepath.Rel(l.workDir, abs)
	if err != nil {
		return filepath.ToSlash(abs)
	}
	return filepath.ToSlash(rel)
}

func (l *loader) note(msg string) {
	l.mu.Lock()
	l.notes = append(l.notes, msg)
	l.mu.Unlock()
}

func (l *loader) problem(r hcl.Range, msg, module string) {
	l.addProblem(model.Problem{Range: r, Message: msg, Module: module})
}

// unread records a file that could not be read in full.
func (l *loader) unread(r hcl.Range, msg string) {
	l.addProblem(model.Problem{Range: r, Message: msg, Unread: true})
}

// skipNote records input skipped on purpose, and why, at its place.
func (l *loader) skipNote(r hcl.Range, msg string) {
	l.note(fmt.Sprintf("%s:%d: %s", r.Filename, r.Start.Line, msg))
}

func (l *loader) addProblem(p model.Problem) {
	l.mu.Lock()
	l.problems = append(l.problems, p)
	l.mu.Unlock()
}

// moduleFor returns (creating) the module of a directory.
func (l *loader) moduleFor(absDir string, scanned bool) *model.Module {
	m := l.modules[absDir]
	if m == nil {
		m = &model.Module{Dir: l.display(absDir), AbsDir: absDir, Scanned: scanned}
		rel := m.Dir
		m.External = strings.HasPrefix(rel, "../") || rel == ".." || filepath.IsAbs(filepath.FromSlash(rel)) || vendoredPath(rel)
		l.modules[absDir] = m
	}
	return m
}

var topSchema = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{
	{Type: "terraform"},
	{Type: "variable", LabelNames: []string{"name"}},
	{Type: "locals"},
	{Type: "output", LabelNames: []string{"name"}},
	{Type: "module", LabelNames: []string{"name"}},
	{Type: "provider", LabelNames: []string{"name"}},
	{Type: "resource", LabelNames: []string{"type", "name"}},
	{Type: "data", LabelNames: []string{"type", "name"}},
	{Type: "ephemeral", LabelNames: []string{"type", "name"}},
	{Type: "check", LabelNames: []string{"name"}},
	{Type: "import"},
	{Type: "moved"},
	{Type: "removed"},
}}

// addFile attaches a parsed file to its module and adds its blocks: top,
// when the parse workers extracted them for this module, else extracted now.
func (l *loader) addFile(f *model.File, top *fileTop, scanned bool) {
	m := l.moduleFor(filepath.Dir(f.Abs), scanned)
	if scanned {
		m.Scanned = true
	}
	f.Module = m
	switch f.Kind {
	case model.KindTFVars, model.KindTFVarsJSON:
		m.VarFiles = append(m.VarFiles, f)
		return
	case model.KindBackend:
		m.BackendFile = append(m.BackendFile, f)
		return
	case model.KindLock:
		m.LockFile = f
		return
	}
	m.Files = append(m.Files, f)
	sort.Slice(m.Files, func(i, j int) bool { return m.Files[i].Path < m.Files[j].Path })
	if top == nil || top.module != m {
		top = extractTop(f, m)
	}
	m.Terraform = append(m.Terraform, top.terraform...)
	m.Backends = append(m.Backends, top.backends...)
	m.Variables = append(m.Variables, top.variables...)
	m.Locals = append(m.Locals, top.locals...)
	m.Outputs = append(m.Outputs, top.outputs...)
	m.ModuleCalls = append(m.ModuleCalls, top.calls...)
	m.Providers = append(m.Providers, top.providers...)
	m.Resources = append(m.Resources, top.resources...)
	m.Other = append(m.Other, top.other...)
}

// fileTop is a configuration file's top-level blocks, sorted by kind.
type fileTop struct {
	module                                                               *model.Module
	terraform, backends, variables, outputs, providers, resources, other []*model.Block
	locals                                                               []*model.Local
	calls                                                                []*model.ModuleCall
}

// extractTop reads a configuration file's top-level blocks as blocks of
// module m. It only reads the file, so the parse workers run it
// concurrently; nil for other kinds of files and unparsable ones.
func extractTop(f *model.File, m *model.Module) *fileTop {
	t := &fileTop{module: m}
	if (f.Kind != model.KindTF && f.Kind != model.KindTFJSON) || f.HCL == nil {
		return t
	}
	content, _, _ := f.HCL.Body.PartialContent(topSchema)
	if content == nil {
		return t
	}
	for _, hb := range content.Blocks {
		b := model.NewBlock(hb, f, m, nil)
		switch b.Type {
		case "terraform":
			t.terraform = append(t.terraform, b)
			t.backends = append(t.backends, b.Blocks("backend", "type")...)
			t.backends = append(t.backends, b.Blocks("cloud")...)
		case "variable":
			t.variables = append(t.variables, b)
		case "locals":
			attrs, _ := b.Body.JustAttributes()
			for _, n := range model.InSourceOrder(attrs) {
				t.locals = append(t.locals, &model.Local{Name: n, Attr: attrs[n], File: f, Block: b})
			}
		case "output":
			t.outputs = append(t.outputs, b)
		case "module":
			call := &model.ModuleCall{Block: b, Name: b.Labels[0]}
			call.Source, _ = b.StaticString("source")
			call.Version, _ = b.StaticString("version")
			call.Providers = providersMap(b)
			t.calls = append(t.calls, call)
		case "provider":
			t.providers = append(t.providers, b)
		case "resource", "data", "ephemeral":
			t.resources = append(t.resources, b)
		default:
			t.other = append(t.other, b)
		}
	}
	return t
}

func providersMap(b *model.Block) map[string]string {
	a := b.Attr("providers")
	if a == nil {
		return nil
	}
	pairs, d := hcl.ExprMap(a.Expr)
	if d.HasErrors() {
		return nil
	}
	out := map[string]string{}
	for _, kv := range pairs {
		k := model.TraversalKey(kv.Key)
		v := model.TraversalKey(kv.Value)
		if k != "" && v != "" {
			out[k] = v
		}
	}
	return out
}

// LoadFile reads and parses one file outside module discovery (--var-file,
// --backend-config). Errors reading it are returned; parse problems too.
func LoadFile(path, workDir string) (*model.File, error) {
	abs, _ := filepath.Abs(path)
	wd, _ := filepath.Abs(workDir)
	fast, err := fastHCL()
	if err != nil {
		return nil, err
	}
	l := &loader{workDir: wd, fast: fast, modules: map[string]*model.Module{}, installs: map[*model.Module]install{}}
	l.tfDirs = map[string]bool{filepath.Dir(abs): true} // given on purpose: never skipped as unloaded
	if _, err := os.Stat(abs); err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", path, fsx.Cause(err))
	}
	kind, ok := model.KindOf(filepath.Base(abs))
	if !ok {
		// --var-file accepts any name.
		kind = model.KindTFVars
		if strings.HasSuffix(abs, ".json") {
			kind = model.KindTFVarsJSON
		}
	}
	f := l.parseFileAs(abs, kind)
	if len(l.problems) > 0 {
		pr := l.problems[0]
		if pr.Note {
			return nil, fmt.Errorf("%s: %s", pr.Range.Filename, pr.Message)
		}
		return nil, fmt.Errorf("%s:%d:%d: %s", pr.Range.Filename, pr.Range.Start.Line, pr.Range.Start.Column, pr.Message)
	}
	return f, nil
}

// repoRoots are the repository roots of the scanned directories, as real
// paths: the Git work tree holding each, else the directory itself.
func repoRoots(scanned []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, d := range scanned {
		r := fsx.RepoRoot(fsx.RealPath(d))
		if r == "" {
			r = fsx.RealPath(d)
		}
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	return out
}
