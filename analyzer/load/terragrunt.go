package load

import (
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/tfgate/tfgate/analyzer/model"
	"github.com/tfgate/tfgate/internal/fsx"
	"github.com/zclconf/go-cty/cty"
)

// Terragrunt units. A directory with a terragrunt.hcl that no other
// configuration includes is a unit: Terragrunt copies the code its
// `terraform { source = … }` names (the unit directory itself when there is
// none), writes the files of its `generate` blocks into it, configures the
// backend from `remote_state` and passes `inputs` as variables, then runs
// Terraform there. tfgate models that directly: the unit is a root module
// (model.Unit) with the backend of its remote_state (or of a generated
// backend file), its own committed lock file, and a call to the code whose
// arguments are the inputs; the code is a WrapperRoot module that gets the
// generated terraform and provider blocks. Includes (root.hcl,
// _envcommon/*.hcl) merge the Terragrunt way (shallow: the unit wins).

type terragrunt struct {
	l     *loader
	mu    sync.Mutex
	files map[string]*tgFile // parsed configurations by absolute path
	// reading guards read_terragrunt_config against files that read each
	// other.
	reading map[string]bool
	// generated dedupes the blocks of one generate block attached to one
	// code module by several units.
	generated map[string]bool
}

// tgFile is one parsed Terragrunt configuration.
type tgFile struct {
	file *model.File
	body *hclsyntax.Body // nil when it does not parse
}

func (l *loader) terragrunt() *terragrunt {
	if l.tg == nil {
		l.tg = &terragrunt{l: l, files: map[string]*tgFile{}, reading: map[string]bool{}, generated: map[string]bool{}}
	}
	return l.tg
}

// parse reads and parses a configuration once; syntax errors are reported
// like those of any file.
func (t *terragrunt) parse(abs string) *tgFile {
	t.mu.Lock()
	if f, ok := t.files[abs]; ok {
		t.mu.Unlock()
		return f
	}
	t.mu.Unlock()
	l := t.l
	mf := &model.File{Path: l.display(abs), Abs: abs, Kind: model.KindWrapper}
	tf := &tgFile{file: mf}
	start := hcl.Range{Filename: mf.Path, Start: hcl.Pos{Line: 1, Column: 1}, End: hcl.Pos{Line: 1, Column: 1}}
	src, err := fsx.ReadLinked(abs, fsx.MaxFileSize, l.linkAllowed(abs))
	switch {
	case errors.Is(err, fsx.ErrOutside):
		l.unread(start, fmt.Sprintf("%s resolves outside the repository (a symbolic link); not read", mf.Path))
	case err != nil:
		l.unread(start, fmt.Sprintf("cannot read %s: %v", mf.Path, fsx.Cause(err)))
	case OpaqueReason(src, true) != "":
		l.note(fmt.Sprintf("%s skipped: it is %s", mf.Path, OpaqueReason(src, true)))
	default:
		mf.Src = src
		hf, diags := parseSource(src, mf.Path, model.KindTF, l.fast)
		mf.HCL = hf
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
			l.unread(r, msg)
		}
		if hf != nil {
			tf.body, _ = hf.Body.(*hclsyntax.Body)
		}
		l.mu.Lock()
		l.wrapperFiles = append(l.wrapperFiles, mf)
		l.mu.Unlock()
	}
	t.mu.Lock()
	if prev, ok := t.files[abs]; ok {
		tf = prev
	} else {
		t.files[abs] = tf
	}
	t.mu.Unlock()
	return tf
}

// tgInclude is an include block, resolved.
type tgInclude struct {
	name   string
	abs    string // "" when the path is not known
	expose bool
	file   *tgFile
	block  *hclsyntax.Block
}

// tgConfig is a unit's configuration with its includes merged.
type tgConfig struct {
	unit     *tgFile
	includes []*tgInclude
	scope    *tgScope
	// ctxs are the evaluation contexts of the unit and of each include.
	ctx           map[*tgFile]*hcl.EvalContext
	attrs         map[string]tgAttr   // top-level attributes in effect (inputs merged apart)
	terra         []tgBlock           // terraform blocks, included first
	state         *tgBlock            // remote_state in effect
	gens          map[string]*tgBlock // generate blocks by name
	input         []tgItem            // merged inputs, in order
	inputsUnknown *hcl.Range          // inputs that could not be read item by item
	extraArgs     bool                // terraform { extra_arguments } or var files: variables may come from elsewhere
	// incomplete is set when an include cannot be read: what it would
	// add (remote_state, inputs) is not known.
	incomplete bool
}

type tgAttr struct {
	attr *hclsyntax.Attribute
	in   *tgFile
}

type tgBlock struct {
	block *hclsyntax.Block
	in    *tgFile
}

// loadTerragrunt finds the units among the terragrunt.hcl files the scan
// found and adds them to the loader's modules. With restrictTo (the
// pre-commit path) only units in those directories are loaded.
func (l *loader) loadTerragrunt(restrictTo []string) {
	if len(l.tgFiles) == 0 {
		return
	}
	want := map[string]bool{}
	for _, d := range restrictTo {
		want[d] = true
	}
	t := l.terragrunt()
	sort.Strings(l.tgFiles)
	var cfgs []*tgConfig
	included := map[string]bool{}
	for _, p := range l.tgFiles {
		if len(restrictTo) > 0 && !want[filepath.Dir(p)] {
			continue
		}
		f := t.parse(p)
		if f.body == nil {
			continue
		}
		c := t.config(f)
		for _, inc := range c.includes {
			if inc.abs != "" {
				included[inc.abs] = true
			}
		}
		cfgs = append(cfgs, c)
	}
	l.tgIncluded = map[string]bool{}
	for f := range included {
		l.tgIncluded[filepath.Dir(f)] = true
	}
	for _, c := range cfgs {
		if included[c.unit.file.Abs] {
			continue // a parent configuration (the old root terragrunt.hcl)
		}
		l.addUnit(c)
	}
}

// config evaluates a unit's configuration: includes, locals, and the merged
// blocks and inputs.
func (t *terragrunt) config(f *tgFile) *tgConfig {
	dir := filepath.Dir(f.file.Abs)
	s := &tgScope{t: t, unitDir: dir, origDir: dir, includes: map[string]string{}}
	c := &tgConfig{unit: f, scope: s, ctx: map[*tgFile]*hcl.EvalContext{}, attrs: map[string]tgAttr{}, gens: map[string]*tgBlock{}}
	// The unit's locals first without includes, to evaluate include paths
	// that use them; then again with the exposed includes.
	ownLocals := localsAttrs(f.body)
	first := evalLocals(s, ownLocals, cty.NilVal)
	ctx0 := s.evalContext(first, cty.NilVal)
	for _, b := range f.body.Blocks {
		if b.Type != "include" {
			continue
		}
		inc := &tgInclude{block: b}
		if len(b.Labels) > 0 {
			inc.name = b.Labels[0]
		}
		if a := b.Body.Attributes["path"]; a != nil {
			if v := tgValue(ctx0, a.Expr); v.IsKnown() && !v.IsNull() && v.Type() == cty.String {
				p := filepath.FromSlash(v.AsString())
				if !filepath.IsAbs(p) {
					p = filepath.Join(dir, p)
				}
				inc.abs = filepath.Clean(p)
			}
		}
		if a := b.Body.Attributes["expose"]; a != nil {
			if v := tgValue(ctx0, a.Expr); v.IsKnown() && v.Type() == cty.Bool && v.True() {
				inc.expose = true
			}
		}
		if inc.abs != "" {
			s.includes[inc.name] = inc.abs
			if t.l.fileExists(inc.abs) {
				inc.file = t.parse(inc.abs)
			} else {
				t.l.problem(b.Body.Attributes["path"].SrcRange, fmt.Sprintf("include %q: %s does not exist", inc.name, t.l.display(inc.abs)), "")
			}
		}
		if inc.file == nil || inc.file.body == nil {
			c.incomplete = true
			s.unknownInclude = true
		}
		c.includes = append(c.includes, inc)
	}
	// Each included file is evaluated in the unit's scope with its own
	// locals; exposed ones are readable as include.<name>.
	exposed := map[string]cty.Value{}
	for _, inc := range c.includes {
		if inc.file == nil || inc.file.body == nil {
			if inc.expose {
				exposed[inc.name] = cty.DynamicVal
			}
			continue
		}
		locals := evalLocals(s, localsAttrs(inc.file.body), cty.NilVal)
		ctx := s.evalContext(locals, cty.NilVal)
		c.ctx[inc.file] = ctx
		if inc.expose {
			obj := map[string]cty.Value{"locals": cty.ObjectVal(locals)}
			if a := inc.file.body.Attributes["inputs"]; a != nil {
				obj["inputs"] = tgValue(ctx, a.Expr)
			}
			exposed[inc.name] = cty.ObjectVal(obj)
		}
	}
	include := cty.EmptyObjectVal
	if len(exposed) > 0 {
		include = cty.ObjectVal(exposed)
	}
	c.ctx[f] = s.evalContext(evalLocals(s, ownLocals, include), include)
	// Merge, shallow: included files first, the unit last (it wins).
	order := []*tgFile{}
	for _, inc := range c.includes {
		if inc.file != nil && inc.file.body != nil {
			order = append(order, inc.file)
		}
	}
	order = append(order, f)
	for _, tf := range order {
		ctx := c.ctx[tf]
		for name, a := range tf.body.Attributes {
			if name == "inputs" {
				items, ok := objectItems(ctx, a.Expr)
				if !ok {
					r := a.SrcRange
					c.inputsUnknown = &r
					continue
				}
				c.input = mergeItems(c.input, items)
				continue
			}
			c.attrs[name] = tgAttr{a, tf}
		}
		for _, b := range tf.body.Blocks {
			switch b.Type {
			case "terraform":
				c.terra = append(c.terra, tgBlock{b, tf})
				for _, nb := range b.Body.Blocks {
					if nb.Type == "extra_arguments" {
						c.extraArgs = true
					}
				}
			case "remote_state":
				c.state = &tgBlock{b, tf}
			case "generate":
				if len(b.Labels) > 0 {
					c.gens[b.Labels[0]] = &tgBlock{b, tf}
				}
			}
		}
	}
	return c
}

func localsAttrs(body *hclsyntax.Body) map[string]*hclsyntax.Attribute {
	out := map[string]*hclsyntax.Attribute{}
	if body == nil {
		return out
	}
	for _, b := range body.Blocks {
		if b.Type == "locals" {
			for n, a := range b.Body.Attributes {
				out[n] = a
			}
		}
	}
	return out
}

// mergeItems merges inputs, later ones winning.
func mergeItems(base, over []tgItem) []tgItem {
	idx := map[string]int{}
	for i, it := range base {
		idx[it.name] = i
	}
	for _, it := range over {
		if i, ok := idx[it.name]; ok {
			base[i] = it
			continue
		}
		idx[it.name] = len(base)
		base = append(base, it)
	}
	return base
}

// readConfig implements read_terragrunt_config: the other file's locals
// and inputs, evaluated in its own directory. ok is false when it cannot be
// read.
func (t *terragrunt) readConfig(abs string, from *tgScope) (cty.Value, bool) {
	if from.depth > 8 {
		return cty.DynamicVal, false
	}
	t.mu.Lock()
	if t.reading[abs] {
		t.mu.Unlock()
		return cty.DynamicVal, false
	}
	t.reading[abs] = true
	t.mu.Unlock()
	defer func() {
		t.mu.Lock()
		delete(t.reading, abs)
		t.mu.Unlock()
	}()
	if !t.l.fileExists(abs) {
		return cty.DynamicVal, false
	}
	f := t.parse(abs)
	if f.body == nil {
		return cty.DynamicVal, false
	}
	s := &tgScope{t: t, unitDir: filepath.Dir(abs), origDir: from.origDir, includes: map[string]string{}, depth: from.depth + 1}
	locals := evalLocals(s, localsAttrs(f.body), cty.NilVal)
	obj := map[string]cty.Value{"locals": cty.ObjectVal(locals)}
	if a := f.body.Attributes["inputs"]; a != nil {
		obj["inputs"] = tgValue(s.evalContext(locals, cty.NilVal), a.Expr)
	}
	return cty.ObjectVal(obj), true
}

// addUnit turns an evaluated configuration into a unit module, follows its
// source and attaches what it generates.
func (l *loader) addUnit(c *tgConfig) {
	dir := filepath.Dir(c.unit.file.Abs)
	hasSource := false
	for _, tb := range c.terra {
		if tb.block.Body.Attributes["source"] != nil {
			hasSource = true
		}
	}
	if !hasSource && !l.tfDirs[dir] && (l.modules[dir] == nil || len(l.modules[dir].Files) == 0) {
		// No code to run: an empty or commented-out configuration, or
		// one only read by others. Not a unit.
		return
	}
	u := l.moduleFor(dir, l.inScan(dir))
	if l.inScan(dir) {
		u.Scanned = true
	}
	unit := &model.Unit{Config: c.unit.file}
	for _, inc := range c.includes {
		if inc.file != nil {
			unit.Includes = append(unit.Includes, inc.file.file)
		}
	}
	u.Unit = unit
	u.Wrapper = &model.Wrapper{Tool: "terragrunt", Config: c.unit.file}
	// terraform.source: the unit's, else an include's.
	var srcAttr *hclsyntax.Attribute
	var srcIn *tgFile
	var tfBlock *tgBlock
	for i := range c.terra {
		tb := &c.terra[i]
		if tb.in == c.unit {
			tfBlock = tb
		} else if tfBlock == nil {
			tfBlock = tb
		}
		if a := tb.block.Body.Attributes["source"]; a != nil {
			srcAttr, srcIn = a, tb.in
		}
		if a := tb.block.Body.Attributes["source"]; a != nil && tb.in == c.unit {
			srcAttr, srcIn = a, tb.in
		}
	}
	var target string
	if srcAttr != nil {
		r := srcAttr.SrcRange
		unit.SourceRange = &r
		src, known, note := unitSource(c.ctx[srcIn], srcAttr.Expr)
		unit.Source, unit.SourceKnown, unit.SourceNote = src, known, note
		switch {
		case !known:
		case isLocalPath(src):
			target = localSourceDir(dir, src)
		default:
			unit.Remote = true
		}
	} else if len(u.Files) > 0 || l.tfDirs[dir] {
		target = dir
	}
	// The code.
	var code *model.Module
	if target != "" {
		code = l.modules[target]
		if code == nil || len(code.Files) == 0 {
			paths, err := l.listDir(target)
			if err == nil {
				files, tops := l.parseAll(paths)
				for i, f := range files {
					l.addFile(f, tops[i], false)
				}
				code = l.modules[target]
				if code != nil {
					l.mergeOverrides(code)
				}
			}
			if code == nil || len(code.Files) == 0 {
				why := "holds no Terraform files"
				if err != nil {
					why = "cannot be read: " + fsx.Cause(err).Error()
				}
				call := l.unitCall(c, u, tfBlock, unit.Source, nil)
				call.Block.DefRange = *unit.SourceRange
				l.unresolved = append(l.unresolved, unresolvedCall{call, u, target, why})
				code = nil
			}
		}
	}
	unit.Code = code
	// The call to the code (or to the remote source, for pin-module-source).
	if code != nil && code != u {
		call := l.unitCall(c, u, tfBlock, unit.Source, code)
		call.Target = code
		code.Callers = append(code.Callers, call)
		u.ModuleCalls = append(u.ModuleCalls, call)
	} else if unit.Remote {
		u.ModuleCalls = append(u.ModuleCalls, l.unitCall(c, u, tfBlock, unit.Source, nil))
	}
	// What the unit generates: the backend goes to the unit, the rest to
	// the code Terraform runs (the unit itself when the code is remote).
	genTarget := u
	if code != nil {
		genTarget = code
	}
	names := make([]string, 0, len(c.gens))
	for n := range c.gens {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		l.addGenerated(c, u, genTarget, c.gens[n])
	}
	if c.state != nil {
		if b := l.remoteStateBackend(c, u); b != nil {
			u.Backends = append([]*model.Block{b}, u.Backends...)
			unit.Generated = append(unit.Generated, "backend (remote_state)")
		}
	}
	if len(u.Backends) == 0 && code != nil && code != u {
		// The code declares its own backend: that is the unit's.
		u.Backends = append(u.Backends, code.Backends...)
	}
	if len(u.Backends) == 0 && c.incomplete {
		u.BackendElsewhere = "the unit includes a configuration tfgate cannot read: its remote_state is not known"
	}
}

// unitSource evaluates terraform.source. A conditional whose branches are
// not known is followed when exactly one branch is a local path (the other
// a remote copy of the same code, as `get_env("ENV") == "prod" ? git : local`).
func unitSource(ctx *hcl.EvalContext, e hclsyntax.Expression) (string, bool, string) {
	if v := tgValue(ctx, e); v.IsKnown() && !v.IsNull() && v.Type() == cty.String {
		return v.AsString(), true, ""
	}
	inner := e
	if w, ok := inner.(*hclsyntax.TemplateWrapExpr); ok {
		inner = w.Wrapped
	}
	if ce, ok := inner.(*hclsyntax.ConditionalExpr); ok {
		var local []string
		for _, br := range []hclsyntax.Expression{ce.TrueResult, ce.FalseResult} {
			if v := tgValue(ctx, br); v.IsKnown() && !v.IsNull() && v.Type() == cty.String && isLocalPath(v.AsString()) {
				local = append(local, v.AsString())
			}
		}
		if len(local) == 1 {
			return local[0], true, "one branch of a conditional"
		}
	}
	return "", false, ""
}

// localSourceDir is the directory Terraform runs in for a local source:
// `../../modules//vpc` copies ../../modules and runs in its vpc/.
func localSourceDir(unitDir, src string) string {
	src = strings.TrimPrefix(src, "file://")
	if i := strings.Index(src, "?"); i >= 0 {
		src = src[:i]
	}
	base, sub, _ := strings.Cut(src, "//")
	p := filepath.FromSlash(base)
	if !filepath.IsAbs(p) {
		p = filepath.Join(unitDir, p)
	}
	if sub != "" {
		p = filepath.Join(p, filepath.FromSlash(sub))
	}
	return filepath.Clean(p)
}

// unitCall builds the call of a unit to its code: a module call whose
// block is the unit's terraform block and whose arguments are the inputs,
// evaluated (unknown where they need what tfgate does not evaluate).
func (l *loader) unitCall(c *tgConfig, u *model.Module, tb *tgBlock, source string, code *model.Module) *model.ModuleCall {
	file := c.unit.file
	var def, typ, whole hcl.Range
	if tb != nil {
		file = tb.in.file
		def = hcl.RangeBetween(tb.block.TypeRange, tb.block.OpenBraceRange)
		typ = tb.block.TypeRange
		whole = tb.block.Range()
	} else {
		def = hcl.Range{Filename: file.Path, Start: hcl.Pos{Line: 1, Column: 1}, End: hcl.Pos{Line: 1, Column: 1}}
		typ, whole = def, def
	}
	body := &hclsyntax.Body{Attributes: hclsyntax.Attributes{}, SrcRange: whole, EndRange: whole}
	add := func(name string, v cty.Value, rng, vrng, nrng hcl.Range) {
		body.Attributes[name] = &hclsyntax.Attribute{Name: name, Expr: &hclsyntax.LiteralValueExpr{Val: v, SrcRange: vrng}, SrcRange: rng, NameRange: nrng, EqualsRange: nrng}
	}
	for _, it := range c.input {
		add(it.name, it.value, it.rng, it.vrng, it.nrng)
	}
	if code != nil && (c.inputsUnknown != nil || c.extraArgs) {
		// Inputs that cannot be read, or variables that var files or
		// extra arguments may set: every variable not given is unknown.
		at := def
		if c.inputsUnknown != nil {
			at = *c.inputsUnknown
		}
		for _, v := range code.Variables {
			if _, ok := body.Attributes[v.Labels[0]]; !ok {
				add(v.Labels[0], cty.DynamicVal, at, at, at)
			}
		}
	}
	hb := &hcl.Block{Type: "terraform", Body: body, DefRange: def, TypeRange: typ}
	blk := model.NewBlock(hb, file, u, nil)
	blk.Range = whole
	return &model.ModuleCall{Block: blk, Name: "terragrunt", Source: source, Wrapper: true}
}

// remoteStateBackend reads remote_state as the unit's backend block:
// backend = "s3", config = { … }, each setting at its line.
func (l *loader) remoteStateBackend(c *tgConfig, u *model.Module) *model.Block {
	rs := c.state
	ctx := c.ctx[rs.in]
	typ := ""
	if a := rs.block.Body.Attributes["backend"]; a != nil {
		if v := tgValue(ctx, a.Expr); v.IsKnown() && !v.IsNull() && v.Type() == cty.String {
			typ = v.AsString()
		}
	}
	if typ == "" {
		return nil
	}
	body := &hclsyntax.Body{Attributes: hclsyntax.Attributes{}, SrcRange: rs.block.Body.SrcRange, EndRange: rs.block.Body.EndRange}
	if a := rs.block.Body.Attributes["config"]; a != nil {
		items, ok := objectItems(ctx, a.Expr)
		if !ok {
			// Settings not known one by one: mark them unknown as a whole
			// through an unknown attribute the judges cannot read.
			body.Attributes["config"] = &hclsyntax.Attribute{Name: "config", Expr: &hclsyntax.LiteralValueExpr{Val: cty.DynamicVal, SrcRange: a.Expr.Range()}, SrcRange: a.SrcRange, NameRange: a.NameRange}
		}
		for _, it := range items {
			body.Attributes[it.name] = &hclsyntax.Attribute{Name: it.name, Expr: &hclsyntax.LiteralValueExpr{Val: it.value, SrcRange: it.vrng}, SrcRange: it.rng, NameRange: it.nrng, EqualsRange: it.nrng}
		}
	}
	file := rs.in.file
	def := hcl.RangeBetween(rs.block.TypeRange, rs.block.OpenBraceRange)
	parent := model.NewBlock(&hcl.Block{Type: "terraform", Body: &hclsyntax.Body{SrcRange: rs.block.Range(), EndRange: rs.block.Range()}, DefRange: def, TypeRange: rs.block.TypeRange}, file, u, nil)
	b := model.NewBlock(&hcl.Block{Type: "backend", Labels: []string{typ}, Body: body, DefRange: def, TypeRange: rs.block.TypeRange}, file, u, parent)
	b.Range = rs.block.Range()
	return b
}

// addGenerated parses what a generate block writes, when it is a
// Terraform file, as a file of the unit (its backend) and of the code
// (everything else). Interpolations of the contents are unknown.
func (l *loader) addGenerated(c *tgConfig, u, target *model.Module, g *tgBlock) {
	ctx := c.ctx[g.in]
	attrs := g.block.Body.Attributes
	if a := attrs["disable"]; a != nil {
		if v := tgValue(ctx, a.Expr); v.IsKnown() && v.Type() == cty.Bool && v.True() {
			return
		}
	}
	name := ""
	if a := attrs["path"]; a != nil {
		if v := tgValue(ctx, a.Expr); v.IsKnown() && !v.IsNull() && v.Type() == cty.String {
			name = filepath.Base(v.AsString())
		}
	}
	if name != "" {
		u.Unit.Generated = append(u.Unit.Generated, name)
	}
	a := attrs["contents"]
	if a == nil || !(strings.HasSuffix(name, ".tf") || strings.HasSuffix(name, ".tofu")) {
		return
	}
	src := g.in.file.Src
	gf := renderGenerated(src, a.Expr, g.in.file)
	if gf == nil {
		return
	}
	// The unit owns the backend.
	uf := &model.File{Path: gf.Path, Abs: gf.Abs, Kind: model.KindTF, Src: gf.Src, HCL: gf.HCL, Module: u, Generated: true}
	ut := extractTop(uf, u)
	u.Backends = append(u.Backends, ut.backends...)
	// The rest goes to the code, once however many units generate it.
	key := fmt.Sprintf("%s\x00%s\x00%d", target.AbsDir, g.in.file.Abs, g.block.TypeRange.Start.Byte)
	t := l.terragrunt()
	t.mu.Lock()
	seen := t.generated[key]
	t.generated[key] = true
	t.mu.Unlock()
	if seen {
		return
	}
	mf, top := uf, ut
	if target != u {
		mf = &model.File{Path: gf.Path, Abs: gf.Abs, Kind: model.KindTF, Src: gf.Src, HCL: gf.HCL, Module: target, Generated: true}
		top = extractTop(mf, target)
	}
	m := target
	m.Files = append(m.Files, mf)
	m.Terraform = append(m.Terraform, top.terraform...)
	m.Variables = append(m.Variables, top.variables...)
	m.Locals = append(m.Locals, top.locals...)
	m.Outputs = append(m.Outputs, top.outputs...)
	m.ModuleCalls = append(m.ModuleCalls, top.calls...)
	m.Providers = append(m.Providers, top.providers...)
	m.Resources = append(m.Resources, top.resources...)
	m.Other = append(m.Other, top.other...)
}

// renderGenerated parses the contents of a generate block as the file it
// writes. Heredoc contents are parsed in place, so that every block keeps
// its line in the .hcl file: each Terragrunt interpolation ${…} becomes a
// placeholder of the same length that evaluates to unknown, directives
// %{…} become spaces (both branches of an if are kept). A quoted string
// is parsed when its value is known. nil when the contents cannot be read.
func renderGenerated(src []byte, e hclsyntax.Expression, f *model.File) *model.File {
	r := e.Range()
	out := &model.File{Path: f.Path, Abs: f.Abs, Kind: model.KindTF, Src: src, Generated: true}
	if r.Start.Byte+2 <= len(src) && string(src[r.Start.Byte:r.Start.Byte+2]) == "<<" {
		nl := strings.IndexByte(string(src[r.Start.Byte:r.End.Byte]), '\n')
		if nl < 0 {
			return nil
		}
		start := r.Start.Byte + nl + 1
		end := strings.LastIndexByte(string(src[:r.End.Byte]), '\n')
		if end < start {
			return nil
		}
		text, holes := placeholders(src[start : end+1])
		hf, diags := hclsyntax.ParseConfig(text, f.Path, hcl.Pos{Line: r.Start.Line + 1, Column: 1, Byte: start})
		if diags.HasErrors() || hf == nil {
			return nil
		}
		for i := range holes {
			holes[i][0] += start
			holes[i][1] += start
		}
		unknownHoles(hf.Body.(*hclsyntax.Body), holes)
		out.HCL = hf
		return out
	}
	v := tgValue(nil, e)
	if !v.IsKnown() || v.IsNull() || v.Type() != cty.String {
		return nil
	}
	hf, diags := hclsyntax.ParseConfig([]byte(v.AsString()), f.Path, hcl.Pos{Line: r.Start.Line, Column: r.Start.Column, Byte: r.Start.Byte})
	if diags.HasErrors() || hf == nil {
		return nil
	}
	out.HCL = hf
	return out
}

// placeholders replaces the template sequences of heredoc text, keeping
// every byte offset and line: ${…} and $${…} become identifiers of the
// same length (the rest of an interpolation that spans lines, spaces),
// %{…} become spaces. holes are the [start, end) offsets of the
// placeholders.
func placeholders(text []byte) ([]byte, [][2]int) {
	out := append([]byte(nil), text...)
	var holes [][2]int
	for i := 0; i+1 < len(out); i++ {
		c := out[i]
		if (c != '$' && c != '%') || out[i+1] != '{' && !(out[i+1] == c && i+2 < len(out) && out[i+2] == '{') {
			continue
		}
		start := i
		j := i + 1
		if out[j] == c { // $${ or %%{: an escape in Terragrunt's template
			j++
		}
		end := matchBrace(out, j)
		if end < 0 {
			break
		}
		if c == '$' {
			// One identifier on the first line; the lines an interpolation
			// spans after it become blank.
			fill := byte('_')
			for k := start; k <= end; k++ {
				switch {
				case out[k] == '\n':
					fill = ' '
				default:
					out[k] = fill
				}
			}
			out[start] = 'u'
			holes = append(holes, [2]int{start, end + 1})
		} else {
			for k := start; k <= end; k++ {
				if out[k] != '\n' {
					out[k] = ' '
				}
			}
		}
		i = end
	}
	return out, holes
}

// matchBrace returns the index of the brace that closes the one at open,
// skipping quoted strings; -1 when there is none.
func matchBrace(b []byte, open int) int {
	depth := 0
	inStr := false
	for i := open; i < len(b); i++ {
		c := b[i]
		if inStr {
			switch c {
			case '\\':
				i++
			case '"':
				inStr = false
			}
			continue
		}
		switch c {
		case '"':
			inStr = true
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// unknownHoles makes every string literal that holds a placeholder unknown:
// its value depended on an interpolation.
func unknownHoles(body *hclsyntax.Body, holes [][2]int) {
	if len(holes) == 0 {
		return
	}
	overlaps := func(r hcl.Range) bool {
		for _, h := range holes {
			if r.Start.Byte < h[1] && h[0] < r.End.Byte {
				return true
			}
		}
		return false
	}
	hclsyntax.VisitAll(body, func(n hclsyntax.Node) hcl.Diagnostics {
		te, ok := n.(*hclsyntax.TemplateExpr)
		if !ok {
			return nil
		}
		for i, p := range te.Parts {
			if lit, ok := p.(*hclsyntax.LiteralValueExpr); ok && overlaps(lit.SrcRange) {
				te.Parts[i] = &hclsyntax.LiteralValueExpr{Val: cty.UnknownVal(cty.String), SrcRange: lit.SrcRange}
			}
		}
		return nil
	})
}
