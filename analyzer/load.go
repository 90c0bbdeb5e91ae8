package analyzer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/tfgate/tfgate/analyzer/fasthcl"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	hcljson "github.com/hashicorp/hcl/v2/json"
)

// Limits that keep hostile or accidental input from hanging the tool.
const (
	MaxFileSize    = 16 << 20 // bytes; larger files are reported, not parsed
	MaxNesting     = 256      // bracket / unary / conditional nesting
	maxModuleDepth = 32       // local module call chains
)

// Problem is something wrong with the input that is not a rule finding of
// its own: a file that does not parse, a module that calls itself. Problems
// become syntax-error findings.
type Problem struct {
	Range   hcl.Range
	Message string
	Module  string
}

// LoadOptions says what to load.
type LoadOptions struct {
	Paths   []string // files or directories; default "."
	WorkDir string   // paths in output are relative to it; default: the process's
	// Restrict, when set, limits the scanned modules to these directories
	// (absolute) plus the modules that call them.
	Restrict []string
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
	roots     []string           // absolute scanned directories
	modules   map[string]*Module // by AbsDir
	problems  []Problem
	mu        sync.Mutex
}

// Load discovers and parses the modules under opts.Paths. A path that does
// not exist or cannot be read is an error; a file that does not parse is a
// Problem and loading goes on.
func Load(opts LoadOptions) (*Project, error) {
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
	l := &loader{workDir: wd, modules: map[string]*Module{}}
	start := time.Now()
	var files []string
	seen := map[string]bool{}
	if len(opts.Changed) > 0 {
		var err error
		files, opts.Restrict, err = l.changedFiles(opts.Changed)
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
			return nil, fmt.Errorf("cannot read %s: %w", p, unwrapPathErr(err))
		}
		if !st.IsDir() {
			if _, ok := KindOf(filepath.Base(abs)); !ok {
				return nil, fmt.Errorf("%s is not a Terraform file (.tf, .tf.json, .tfvars, .tfvars.json, .tfbackend or .terraform.lock.hcl)", p)
			}
			// A file stands for its module: lint the whole directory.
			abs = filepath.Dir(abs)
			l.roots = append(l.roots, abs)
			fs, err := l.listDir(abs)
			if err != nil {
				return nil, fmt.Errorf("cannot read %s: %w", p, unwrapPathErr(err))
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
	for _, f := range files {
		l.moduleFor(filepath.Dir(f), true)
	}
	parsed := l.parseAll(files)
	parsedAt := time.Now()
	timings := []PhaseTiming{{"scan", scanned.Sub(start)}, {"parse", parsedAt.Sub(scanned)}}
	if opts.Parsed != nil {
		var n int64
		for _, f := range parsed {
			n += int64(len(f.Src))
		}
		opts.Parsed(n)
	}
	for _, f := range parsed {
		l.addFile(f, true)
	}
	// Follow local module calls to modules outside the scanned paths.
	l.resolveCalls()
	p := &Project{WorkDir: wd}
	for _, m := range l.modules {
		if len(m.Files) == 0 {
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
	classify(p.Modules, l.roots, l.allDirs)
	if len(opts.Restrict) > 0 {
		restrict(p.Modules, opts.Restrict)
	}
	p.Timings = append(timings, PhaseTiming{"modules", time.Since(parsedAt)})
	p.Problems = l.problems
	p.byDir = map[string]*Module{}
	for _, m := range p.Modules {
		p.byDir[m.Dir] = m
	}
	return p, nil
}

func unwrapPathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func (l *loader) listDir(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		if e.IsDir() {
			continue
		}
		if _, ok := KindOf(e.Name()); ok {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	return out, nil
}

func (l *loader) display(abs string) string {
	rel, err := filepath.Rel(l.workDir, abs)
	if err != nil {
		return filepath.ToSlash(abs)
	}
	return filepath.ToSlash(rel)
}

func (l *loader) problem(r hcl.Range, msg, module string) {
	l.mu.Lock()
	l.problems = append(l.problems, Problem{Range: r, Message: msg, Module: module})
	l.mu.Unlock()
}

// parseAll reads and parses files concurrently, keeping their order.
func (l *loader) parseAll(paths []string) []*File {
	out := make([]*File, len(paths))
	workers := runtime.GOMAXPROCS(0)
	if workers > len(paths) {
		workers = len(paths)
	}
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f := l.parseFile(paths[i])
				if m := l.modules[filepath.Dir(f.Abs)]; m != nil {
					f.top = extractTop(f, m)
				}
				out[i] = f
			}
		}()
	}
	for i := range paths {
		next <- i
	}
	close(next)
	wg.Wait()
	return out
}

// ParseFile reads and parses one file, recording problems instead of failing.
func (l *loader) parseFile(abs string) *File {
	kind, _ := KindOf(filepath.Base(abs))
	return l.parseFileAs(abs, kind)
}

func (l *loader) parseFileAs(abs string, kind FileKind) *File {
	f := &File{Path: l.display(abs), Abs: abs, Kind: kind}
	start := hcl.Range{Filename: f.Path, Start: hcl.Pos{Line: 1, Column: 1, Byte: 0}, End: hcl.Pos{Line: 1, Column: 1, Byte: 0}}
	src, err := readSource(abs)
	var tooLarge tooLargeError
	switch {
	case errors.Is(err, errNotRegular):
		l.problem(start, fmt.Sprintf("%s is not a regular file", f.Path), "")
		return f
	case errors.As(err, &tooLarge):
		l.problem(start, fmt.Sprintf("%s is %v; not analyzed", f.Path, err), "")
		return f
	case err != nil:
		l.problem(start, fmt.Sprintf("cannot read %s: %v", f.Path, unwrapPathErr(err)), "")
		return f
	}
	f.Src = src
	hf, diags := ParseSource(src, f.Path, kind)
	f.HCL = hf
	for _, d := range diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		r := start
		if d.Subject != nil {
			r = *d.Subject
		}
		msg := d.Summary
		if d.Detail != "" {
			msg += ": " + d.Detail
		}
		l.problem(r, msg, "")
	}
	if kind == KindTF || kind == KindTFVars || kind == KindBackend || kind == KindLock {
		f.Ignores = parseIgnores(f)
	}
	return f
}

// ParseSource parses one file's bytes without touching the file system. It
// never panics: binary data, invalid UTF-8 and pathological nesting come
// back as diagnostics with a nil file. Native syntax goes through fasthcl
// first, which builds hclsyntax's own tree for the error-free common case
// without hclsyntax's per-token garbage; anything else, and every
// diagnostic, comes from hclsyntax.
func ParseSource(src []byte, filename string, kind FileKind) (*hcl.File, hcl.Diagnostics) {
	start := hcl.Range{Filename: filename, Start: hcl.Pos{Line: 1, Column: 1}, End: hcl.Pos{Line: 1, Column: 1}}
	if bytes.IndexByte(src, 0) >= 0 {
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Binary file", Detail: "the file contains NUL bytes and is not Terraform source; not analyzed", Subject: &start}}
	}
	if !utf8.Valid(src) {
		r := invalidUTF8Range(src, filename)
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid UTF-8", Detail: "the file is not valid UTF-8 text; not analyzed", Subject: &r}}
	}
	if line, depth := nestingDepth(src); depth > MaxNesting {
		r := hcl.Range{Filename: filename, Start: hcl.Pos{Line: line, Column: 1}, End: hcl.Pos{Line: line, Column: 1}}
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Expression nested too deeply", Detail: fmt.Sprintf("nesting exceeds %d levels; not analyzed", MaxNesting), Subject: &r}}
	}
	// Strip a UTF-8 byte order mark, which editors on Windows add.
	src = bytes.TrimPrefix(src, []byte("\xef\xbb\xbf"))
	var (
		f     *hcl.File
		diags hcl.Diagnostics
	)
	func() {
		defer func() {
			if r := recover(); r != nil {
				f = nil
				diags = hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Parser failure", Detail: fmt.Sprintf("the HCL parser failed on this file (%v); not analyzed", r), Subject: &start}}
			}
		}()
		if kind.IsJSON() {
			f, diags = hcljson.Parse(src, filename)
		} else if ff, ok := fastParse(src, filename); ok {
			f = ff // the same tree hclsyntax builds, without its per-token garbage
		} else {
			f, diags = hclsyntax.ParseConfig(src, filename, hcl.Pos{Line: 1, Column: 1})
		}
	}()
	return f, diags
}

// fastParse is fasthcl.Parse, except that a panic in it (a bug: its tests
// and fuzz target hold it to hclsyntax) hands the file to hclsyntax instead
// of losing it.
func fastParse(src []byte, filename string) (f *hcl.File, ok bool) {
	defer func() {
		if recover() != nil {
			f, ok = nil, false
		}
	}()
	return fasthcl.Parse(src, filename)
}

func invalidUTF8Range(src []byte, filename string) hcl.Range {
	line, col := 1, 1
	for i := 0; i < len(src); {
		r, size := utf8.DecodeRune(src[i:])
		if r == utf8.RuneError && size <= 1 {
			break
		}
		if r == '\n' {
			line++
			col = 1
		} else {
			col++
		}
		i += size
	}
	p := hcl.Pos{Line: line, Column: col}
	return hcl.Range{Filename: filename, Start: p, End: p}
}

// nestingDepth estimates the deepest nesting of brackets, unary operators
// and conditionals, which is what drives the recursive-descent parser.
func nestingDepth(src []byte) (line, max int) {
	depth, ln, run := 0, 1, 0
	for _, c := range src {
		switch c {
		case '(', '[', '{':
			depth++
			run = 0
		case ')', ']', '}':
			if depth > 0 {
				depth--
			}
			run = 0
		case '!', '-', '?':
			run++
		case ' ', '\t', '\r':
		case '\n':
			ln++
			run = 0
		default:
			run = 0
		}
		if depth+run > max {
			max, line = depth+run, ln
		}
	}
	return line, max
}

func humanSize(n int64) string {
	return fmt.Sprintf("%.1f MB", float64(n)/1e6)
}

// moduleFor returns (creating) the module of a directory.
func (l *loader) moduleFor(absDir string, scanned bool) *Module {
	m := l.modules[absDir]
	if m == nil {
		m = &Module{Dir: l.display(absDir), AbsDir: absDir, Scanned: scanned}
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

// addFile attaches a parsed file to its module and extracts its blocks.
func (l *loader) addFile(f *File, scanned bool) {
	m := l.moduleFor(filepath.Dir(f.Abs), scanned)
	if scanned {
		m.Scanned = true
	}
	f.Module = m
	switch f.Kind {
	case KindTFVars, KindTFVarsJSON:
		m.VarFiles = append(m.VarFiles, f)
		return
	case KindBackend:
		m.BackendFile = append(m.BackendFile, f)
		return
	case KindLock:
		m.LockFile = f
		return
	}
	m.Files = append(m.Files, f)
	sort.Slice(m.Files, func(i, j int) bool { return m.Files[i].Path < m.Files[j].Path })
	top := f.top
	if top == nil || top.module != m {
		top = extractTop(f, m)
	}
	f.top = nil
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
	module                                                               *Module
	terraform, backends, variables, outputs, providers, resources, other []*Block
	locals                                                               []*Local
	calls                                                                []*ModuleCall
}

// extractTop reads a configuration file's top-level blocks as blocks of
// module m. It only reads the file, so the parse workers run it
// concurrently; nil for other kinds of files and unparsable ones.
func extractTop(f *File, m *Module) *fileTop {
	t := &fileTop{module: m}
	if (f.Kind != KindTF && f.Kind != KindTFJSON) || f.HCL == nil {
		return t
	}
	content, _, _ := f.HCL.Body.PartialContent(topSchema)
	if content == nil {
		return t
	}
	for _, hb := range content.Blocks {
		b := newBlock(hb, f, m, nil)
		switch b.Type {
		case "terraform":
			t.terraform = append(t.terraform, b)
			t.backends = append(t.backends, b.Blocks("backend", "type")...)
			t.backends = append(t.backends, b.Blocks("cloud")...)
		case "variable":
			t.variables = append(t.variables, b)
		case "locals":
			attrs, _ := b.Body.JustAttributes()
			for _, n := range InSourceOrder(attrs) {
				t.locals = append(t.locals, &Local{Name: n, Attr: attrs[n], File: f, Block: b})
			}
		case "output":
			t.outputs = append(t.outputs, b)
		case "module":
			call := &ModuleCall{Block: b, Name: b.Labels[0]}
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

func providersMap(b *Block) map[string]string {
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
		k := traversalKey(kv.Key)
		v := traversalKey(kv.Value)
		if k != "" && v != "" {
			out[k] = v
		}
	}
	return out
}

func traversalKey(e hcl.Expression) string {
	tr, d := hcl.AbsTraversalForExpr(e)
	if d.HasErrors() {
		return ""
	}
	parts := []string{tr.RootName()}
	for _, s := range tr[1:] {
		if ga, ok := s.(hcl.TraverseAttr); ok {
			parts = append(parts, ga.Name)
		}
	}
	return strings.Join(parts, ".")
}

// resolveCalls links local module calls to their target modules, loading
// targets that were not part of the scan.
func (l *loader) resolveCalls() {
	queue := make([]*Module, 0, len(l.modules))
	for _, m := range l.modules {
		queue = append(queue, m)
	}
	sort.Slice(queue, func(i, j int) bool { return queue[i].AbsDir < queue[j].AbsDir })
	for len(queue) > 0 {
		m := queue[0]
		queue = queue[1:]
		for _, c := range m.ModuleCalls {
			var target string
			var inst *installedModule
			switch {
			case c.IsLocal():
				target = filepath.Clean(filepath.Join(m.AbsDir, filepath.FromSlash(strings.ReplaceAll(c.Source, "\\", "/"))))
			default:
				// A registry or git module: follow it when `terraform init`
				// installed it (.terraform/modules/modules.json of the root).
				if inst = l.installed(m, c); inst == nil {
					continue
				}
				target = inst.dir
			}
			t := l.modules[target]
			if t == nil {
				paths, err := l.listDir(target)
				if err != nil {
					if inst == nil {
						l.problem(c.Block.DefRange, fmt.Sprintf("module %q: source %q cannot be read: %v", c.Name, c.Source, unwrapPathErr(err)), m.Dir)
					}
					continue
				}
				for _, f := range l.parseAll(paths) {
					l.addFile(f, false)
				}
				t = l.modules[target]
				if t == nil || len(t.Files) == 0 {
					if inst == nil {
						l.problem(c.Block.DefRange, fmt.Sprintf("module %q: source %q holds no Terraform files", c.Name, c.Source), m.Dir)
					}
					continue
				}
				queue = append(queue, t)
			}
			if len(t.Files) == 0 {
				continue
			}
			if t.installKey == "" && (inst != nil || m.installKey != "") {
				// Keep the key path so that calls inside an installed
				// module find their own installed modules.
				t.installKey = joinKey(m.installKey, c.Name)
				t.installRoot = m.installRoot
				if inst != nil {
					t.installRoot = inst.root
				}
			}
			c.Target = t
			t.Callers = append(t.Callers, c)
		}
	}
}

func joinKey(parent, name string) string {
	if parent == "" {
		return name
	}
	return parent + "." + name
}

// installedModule is an entry of .terraform/modules/modules.json.
type installedModule struct {
	dir  string // absolute
	root string // the root module directory whose .terraform holds it
}

type modulesManifest struct {
	Modules []struct {
		Key    string `json:"Key"`
		Source string `json:"Source"`
		Dir    string `json:"Dir"`
	} `json:"Modules"`
}

// installed finds the directory `terraform init` installed a non-local
// module call into, when the root it belongs to has been initialized and
// the manifest still records the same source.
func (l *loader) installed(m *Module, c *ModuleCall) *installedModule {
	root := m.AbsDir
	if m.installRoot != "" {
		root = m.installRoot
	} else if m.External {
		return nil
	}
	man := l.manifest(root)
	if man == nil || c.Source == "" {
		return nil
	}
	key := joinKey(m.installKey, c.Name)
	for _, e := range man.Modules {
		if e.Key != key {
			continue
		}
		if !sameSource(e.Source, c.Source) {
			return nil // initialized before the source changed: stale
		}
		dir := filepath.Clean(filepath.Join(root, filepath.FromSlash(e.Dir)))
		return &installedModule{dir: dir, root: root}
	}
	return nil
}

// sameSource compares a configured source with the one modules.json
// records (registry sources gain their host there).
func sameSource(recorded, configured string) bool {
	r := strings.TrimSuffix(strings.ToLower(recorded), "/")
	c := strings.TrimSuffix(strings.ToLower(configured), "/")
	return r == c || strings.HasSuffix(r, "/"+c) || strings.TrimPrefix(r, "git::") == strings.TrimPrefix(c, "git::")
}

func (l *loader) manifest(root string) *modulesManifest {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.manifests == nil {
		l.manifests = map[string]*modulesManifest{}
	}
	if man, ok := l.manifests[root]; ok {
		return man
	}
	var man *modulesManifest
	if data, err := os.ReadFile(filepath.Join(root, ".terraform", "modules", "modules.json")); err == nil {
		var mm modulesManifest
		if json.Unmarshal(data, &mm) == nil {
			man = &mm
		}
	}
	l.manifests[root] = man
	return man
}

// classify decides which modules are roots and which are reusable children.
// scanRel is a module's directory relative to the scanned path that holds
// it, so that `tfgate lint fixtures/example` judges envs/prod, not
// fixtures/example/envs/prod.
func scanRel(m *Module, roots []string) string {
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

func classify(mods []*Module, roots []string, allDirs map[string]bool) {
	dirs := map[string]bool{}
	for d := range allDirs {
		dirs[d] = true
	}
	for _, m := range mods {
		dirs[m.Dir] = true
	}
	for _, m := range mods {
		m.Kind = Root
		called := false
		for _, c := range m.Callers {
			if c.Block.Module != m && c.Block.Module.Scanned {
				called = true
			}
		}
		parts := strings.Split(scanRel(m, roots), "/")
		underModules := false
		example := false
		for _, p := range parts {
			switch p {
			case "modules", "wrappers":
				underModules = true
			}
			if demoDir(p) {
				example = true
			}
		}
		// terraform-aws-modules' wrappers/ hold for_each wrappers of the
		// module: reusable too. The part after the last "modules" component decides: envs/prod is a
		// root even when it lives under examples/.
		if underModules {
			last := -1
			for i, p := range parts {
				if p == "modules" || p == "wrappers" {
					last = i
				}
			}
			underModules = last < len(parts)-1 || parts[len(parts)-1] == "wrappers"
		}
		switch {
		case called, underModules, !m.Scanned:
			m.Kind = Child
		case len(m.Backends) == 0 && len(m.Providers) == 0 && hasModuleTree(m.Dir, dirs):
			m.Kind = Child
		}
		m.Example = m.Kind == Root && example
	}
}

// demoWords name directories of demos and tests: examples/, samples/,
// demo/, tests/, testdata/, fixtures/, and names built from them such as
// unit-test-fixture/ or e2e_tests/.
var demoWords = map[string]bool{
	"example": true, "examples": true, "sample": true, "samples": true, "demo": true, "demos": true,
	"test": true, "tests": true, "testdata": true, "fixture": true, "fixtures": true, "e2e": true,
}

func demoDir(name string) bool {
	for _, w := range strings.FieldsFunc(strings.ToLower(name), func(r rune) bool { return r == '-' || r == '_' || r == '.' }) {
		if demoWords[w] {
			return true
		}
	}
	return false
}

// hasModuleTree reports whether a module has examples/ or modules/ with
// Terraform below it: the standard module structure.
func hasModuleTree(dir string, dirs map[string]bool) bool {
	prefix := dir + "/"
	if dir == "." {
		prefix = ""
	}
	for d := range dirs {
		if strings.HasPrefix(d, prefix+"examples/") || strings.HasPrefix(d, prefix+"modules/") {
			return true
		}
	}
	return false
}

// localSourcePattern finds local module sources in native and JSON syntax
// without parsing: source = "../modules/x", "source": "./x".
var localSourcePattern = regexp.MustCompile(`^source"?\s*[=:]\s*"(\.{1,2}(?:[/\\][^"]*)?)"`)

// localSources returns the local module sources written in a file.
func localSources(src []byte) []string {
	var out []string
	for i := 0; ; {
		j := bytes.Index(src[i:], []byte("source"))
		if j < 0 {
			return out
		}
		at := i + j
		i = at + len("source")
		if at > 0 {
			if c := src[at-1]; c != '"' && c != ' ' && c != '\t' && c != '\n' && c != '{' && c != ',' {
				continue
			}
		}
		if m := localSourcePattern.FindSubmatch(src[at:]); m != nil {
			out = append(out, string(m[1]))
		}
	}
}

// changedFiles resolves pre-commit's changed files: the files of their
// modules and of every module that calls them (transitively), found by a
// quick textual scan of the tree under the working directory.
func (l *loader) changedFiles(changed []string) (files, restrictDirs []string, err error) {
	want := map[string]bool{}
	for _, c := range changed {
		abs := c
		if !filepath.IsAbs(abs) {
			abs = filepath.Join(l.workDir, c)
		}
		abs = filepath.Clean(abs)
		st, err := os.Stat(abs)
		if err != nil {
			return nil, nil, fmt.Errorf("cannot read %s: %w", c, unwrapPathErr(err))
		}
		if st.IsDir() {
			want[abs] = true
			continue
		}
		if _, ok := KindOf(filepath.Base(abs)); !ok {
			return nil, nil, fmt.Errorf("%s is not a Terraform file (.tf, .tf.json, .tfvars, .tfvars.json, .tfbackend or .terraform.lock.hcl)", c)
		}
		want[filepath.Dir(abs)] = true
	}
	l.roots = []string{l.workDir}
	byDir, err := l.scan(l.workDir, true)
	if err != nil {
		return nil, nil, err
	}
	l.allDirs = map[string]bool{}
	var sources []scannedFile
	for dir, fs := range byDir {
		for _, f := range fs {
			if isTFSource(f.path) {
				l.allDirs[l.display(dir)] = true
				sources = append(sources, f)
			}
		}
	}
	// The scan has the files' times and sizes: an index of local sources
	// cached by them spares reading the files that did not change since
	// the last run; the others are read concurrently.
	idx := loadSourceIndex(l.workDir)
	callers := map[string][]string{} // target dir → caller dirs
	var mu sync.Mutex
	var wg sync.WaitGroup
	next := make(chan scannedFile)
	for w := 0; w < 2*runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range next {
				srcs, ok := idx.sources(f)
				if !ok {
					continue
				}
				dir := filepath.Dir(f.path)
				for _, m := range srcs {
					target := filepath.Clean(filepath.Join(dir, filepath.FromSlash(strings.ReplaceAll(m, "\\", "/"))))
					mu.Lock()
					callers[target] = append(callers[target], dir)
					mu.Unlock()
				}
			}
		}()
	}
	for _, f := range sources {
		next <- f
	}
	close(next)
	wg.Wait()
	idx.save()
	closure := map[string]bool{}
	var up func(d string)
	up = func(d string) {
		if closure[d] {
			return
		}
		closure[d] = true
		for _, c := range callers[d] {
			up(c)
		}
	}
	for d := range want {
		up(d)
	}
	for d := range closure {
		for _, f := range byDir[d] {
			files = append(files, f.path)
		}
		restrictDirs = append(restrictDirs, d)
	}
	sort.Strings(files)
	sort.Strings(restrictDirs)
	return files, restrictDirs, nil
}

// restrict marks as scanned only the given module directories and the
// modules that call them, directly or not.
func restrict(mods []*Module, dirs []string) {
	keep := map[*Module]bool{}
	want := map[string]bool{}
	for _, d := range dirs {
		want[filepath.Clean(d)] = true
	}
	var up func(m *Module)
	up = func(m *Module) {
		if keep[m] {
			return
		}
		keep[m] = true
		for _, c := range m.Callers {
			up(c.Block.Module)
		}
	}
	for _, m := range mods {
		if want[m.AbsDir] {
			up(m)
		}
	}
	for _, m := range mods {
		if !keep[m] {
			m.Scanned = false
		}
	}
}

// LoadFile reads and parses one file outside module discovery (--var-file,
// --backend-config). Errors reading it are returned; parse problems too.
func LoadFile(path, workDir string) (*File, error) {
	abs, _ := filepath.Abs(path)
	wd, _ := filepath.Abs(workDir)
	l := &loader{workDir: wd, modules: map[string]*Module{}}
	if _, err := os.Stat(abs); err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", path, unwrapPathErr(err))
	}
	kind, ok := KindOf(filepath.Base(abs))
	if !ok {
		// --var-file accepts any name.
		kind = KindTFVars
		if strings.HasSuffix(abs, ".json") {
			kind = KindTFVarsJSON
		}
	}
	f := l.parseFileAs(abs, kind)
	if len(l.problems) > 0 {
		pr := l.problems[0]
		return nil, fmt.Errorf("%s:%d:%d: %s", pr.Range.Filename, pr.Range.Start.Line, pr.Range.Start.Column, pr.Message)
	}
	return f, nil
}
