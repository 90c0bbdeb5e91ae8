// Package eval evaluates a loaded project as Terraform would, statically:
// module instances with their variables and locals, one per root and per
// module call; scopes of blocks with count, for_each and dynamic blocks
// expanded; Terraform's functions; where values come from (origin
// tracing); and plan values readable through the same Scope API. Anything
// that cannot be known is unknown, never guessed.
package eval

import (
	"fmt"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/tfgate/tfgate/analyzer/model"
	"github.com/tfgate/tfgate/analyzer/secrets"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// varValue is a variable's value in one module instance and where it came from.
type varValue struct {
	Value  cty.Value // unmarked; marks holds its marks
	marks  []cty.PathValueMarks
	Origin string     // "terraform.tfvars:3", "default", "--var", "module.app argument (envs/prod/main.tf:12)"
	Range  *hcl.Range // where the value is written, when it is written somewhere
}

// Instance is a module evaluated in one context: a root with its tfvars, a
// child with the arguments of one module call, or a reusable module on its
// own (Standalone), whose inputs are all unknown.
type Instance struct {
	Module     *model.Module
	Parent     *Instance
	Call       *model.ModuleCall // the call in Parent that created this instance
	Standalone bool
	// FromPlan marks the synthetic instance behind plan values.
	FromPlan bool
	// Env is the environment a root is evaluated in (its tfvars files),
	// nil for defaults and terraform.tfvars only; children have their
	// root's (Root().Env).
	Env *model.Environment

	vars        map[string]*varValue
	taint       *fileTaint           // nil when no file function's value can reach the instance
	locals      map[string]cty.Value // unmarked
	localOrigin map[string]string
	ctx         *hcl.EvalContext
	funcCtx     *hcl.EvalContext // ctx's parent: the functions, no variables (for templates)
	files       *fileReader
	budget      *budget
	aliases     []*Instance // calls that share this instance (same parent, same inputs)
	// mayMark is set when values of this instance may carry marks
	// (sensitive or ephemeral variables, file functions, sensitive()): only
	// then are results checked for marks to strip.
	mayMark atomic.Bool
}

// Root returns the outermost instance.
func (in *Instance) Root() *Instance {
	for in.Parent != nil {
		in = in.Parent
	}
	return in
}

// Via names the call chain that created the instance, "" for top-level
// instances: "module.app in envs/prod" or "module.net in envs/prod → module.subnets".
// Code that a Terragrunt unit runs is named by the unit's configuration:
// "env/prod/api/terragrunt.hcl", "module.net in env/prod/api/terragrunt.hcl".
func (in *Instance) Via() string {
	if in.Parent == nil {
		return ""
	}
	var chain []string
	for i := in; i.Parent != nil; i = i.Parent {
		if !i.Call.Wrapper {
			chain = append(chain, "module."+i.Call.Name)
		}
	}
	for i, j := 0, len(chain)-1; i < j; i, j = i+1, j-1 {
		chain[i], chain[j] = chain[j], chain[i]
	}
	root := in.Root().Module
	where := root.Name()
	if root.Unit != nil {
		where = root.Unit.ConfigPath()
	}
	if len(chain) == 0 {
		return where
	}
	return strings.Join(chain, ".") + " in " + where
}

// eval evaluates an expression in the module's context (see evalIn).
func (in *Instance) eval(e hcl.Expression) cty.Value { return evalIn(in, in.ctx, e) }

// Options gives root modules their input variables.
type Options struct {
	VarFiles []*model.File     // --var-file, in order
	Vars     map[string]string // --var k=v (later wins)
	VarOrder []string
}

// maxModuleDepth bounds local module call chains.
const maxModuleDepth = 32

// Result is a project evaluated: an instance for each root with its
// variables, for each local module call (recursively) and for each reusable
// module evaluated on its own, and the problems found on the way (modules
// that call themselves, locals that refer to each other in a cycle).
type Result struct {
	Instances []*Instance // sorted by module directory, then call chain
	Problems  []model.Problem
	ev        *evaluator
}

// AllProblems is Problems with the notes that evaluations made after
// Instantiate returned (rules evaluating attributes) added: limits hit and
// files refused. Rules that report problems read it once every other rule
// has run.
func (r *Result) AllProblems() []model.Problem {
	if r.ev == nil {
		return r.Problems
	}
	r.ev.mu.Lock()
	defer r.ev.mu.Unlock()
	return append([]model.Problem(nil), r.ev.problems...)
}

// FileValues are the strings file functions returned: possibly secret,
// never to be printed (filevalues.go). They grow while rules read
// attributes through Scope: read them once the rules ran.
func (r *Result) FileValues() []string {
	if r.ev == nil {
		return nil
	}
	return r.ev.files.list()
}

// SensitiveValues are the strings of values the configuration derived
// from sensitive ones (variables declared sensitive, sensitive()): never
// to be printed. Like FileValues they grow while rules read attributes:
// read them once the rules ran.
func (r *Result) SensitiveValues() []string {
	if r.ev == nil {
		return nil
	}
	return r.ev.sensitive.list()
}

// evaluator holds one evaluation's state: the per-module plans of local
// values, shared by every instance of a module, and what it found.
type evaluator struct {
	p     *model.Project
	opts  Options
	plans map[*model.Module]*localPlanOnce // one per module of p, made before the instances are built

	mu        sync.Mutex // guards instances, problems and byKey
	instances []*Instance
	problems  []model.Problem
	// byKey finds the instance a module call shares with an earlier call
	// of the same parent that gives the module the same inputs.
	byKey map[string]*Instance

	run           runBudget
	files         fileValues
	sensitive     fileValues // strings of values derived from sensitive ones (exportValue)
	fileFuncCache sync.Map   // fileContext by root directory
}

// maxInstances bounds the module instances of one run. Calls of one
// parent that give a module the same inputs share one instance, so call
// trees that fan out (modules that each call the next twice) stay linear
// in the distinct instances; this bounds the distinct ones.
var maxInstances = 20000 // a variable so that tests can reach it

type localPlanOnce struct {
	once sync.Once
	lp   *localPlan
}

// Instantiate evaluates every module: each root with its variables, each
// local module call with its arguments (recursively), and each reusable
// module that no scanned module calls on its own, with unknown inputs.
func Instantiate(p *model.Project, opts Options) *Result {
	ev := &evaluator{p: p, opts: opts, plans: make(map[*model.Module]*localPlanOnce, len(p.Modules)), byKey: map[string]*Instance{}}
	for _, m := range p.Modules {
		ev.plans[m] = &localPlanOnce{}
	}
	var wg sync.WaitGroup
	var tops []*Instance
	for _, m := range p.Modules {
		if !m.Scanned {
			continue
		}
		switch m.Kind {
		case model.Root, model.Demo, model.UnknownKind:
			// Evaluated with their tfvars and variable defaults (a module
			// of unknown kind: what applying it as it stands would use),
			// once per environment.
			for _, env := range runsOf(m, opts) {
				tops = append(tops, &Instance{Module: m, Env: env})
			}
			continue
		}
		calledByScanned := false
		for _, c := range m.Callers {
			if c.Block.Module.Scanned && c.Block.Module != m {
				calledByScanned = true
			}
		}
		if !calledByScanned {
			tops = append(tops, &Instance{Module: m, Standalone: true})
		}
	}
	for _, in := range tops {
		in := in
		wg.Add(1)
		go func() {
			defer wg.Done()
			ev.buildSafe(in)
		}()
	}
	wg.Wait()
	// Modules caught only in call cycles still get a standalone instance.
	seen := map[*model.Module]bool{}
	for _, in := range ev.instances {
		seen[in.Module] = true
	}
	for _, m := range p.Modules {
		if m.Scanned && !seen[m] {
			ev.buildSafe(&Instance{Module: m, Standalone: true})
		}
	}
	sort.SliceStable(ev.instances, func(i, j int) bool {
		a, b := ev.instances[i], ev.instances[j]
		if a.Module.Dir != b.Module.Dir {
			return a.Module.Dir < b.Module.Dir
		}
		if va, vb := a.Via(), b.Via(); va != vb {
			return va < vb
		}
		return envName(a.Root().Env) < envName(b.Root().Env)
	})
	ev.mu.Lock()
	defer ev.mu.Unlock()
	return &Result{Instances: ev.instances, Problems: append([]model.Problem(nil), ev.problems...), ev: ev}
}

// buildSafe builds a top-level instance; a crash evaluating it becomes a
// problem at its module and the other instances are still built.
func (ev *evaluator) buildSafe(in *Instance) {
	defer func() {
		if r := recover(); r != nil {
			var at hcl.Range
			if len(in.Module.Files) > 0 {
				at = hcl.Range{Filename: in.Module.Files[0].Path, Start: hcl.Pos{Line: 1, Column: 1}, End: hcl.Pos{Line: 1, Column: 1}}
			}
			ev.problemOnce(at, fmt.Sprintf("internal error evaluating module %s (%v); the module was not fully evaluated. Please report it: %s", in.Module.Name(), r, firstLine(debug.Stack())), in.Module.Dir)
		}
	}()
	ev.build(in, nil)
}

// runsOf lists the environments a root is evaluated in: each of its
// environments, or once without one (nil) when it has none. --var-file
// replaces discovered environments; explicit ones (--var-file-for,
// .tfgate.hcl) win over --var-file for their root.
func runsOf(m *model.Module, opts Options) []*model.Environment {
	var envs []*model.Environment
	for _, e := range m.Environments {
		if e.Explicit || len(opts.VarFiles) == 0 {
			envs = append(envs, e)
		}
	}
	if len(envs) == 0 {
		return []*model.Environment{nil}
	}
	return envs
}

func envName(e *model.Environment) string {
	if e == nil {
		return ""
	}
	return e.Name
}

func (ev *evaluator) build(in *Instance, stack []*model.Module) {
	m := in.Module
	in.budget = newBudget(ev, m.Name())
	in.vars = ev.inputVars(in)
	if in.Call != nil {
		key := ""
		if callsTwice(in.Parent.Module, m) {
			key = instanceKey(in)
		}
		ev.mu.Lock()
		if key != "" {
			if prev := ev.byKey[key]; prev != nil {
				// Same parent, same module, same inputs: the same instance,
				// reached through one more call.
				prev.aliases = append(prev.aliases, in)
				ev.mu.Unlock()
				return
			}
		}
		if len(ev.instances) >= maxInstances {
			ev.mu.Unlock()
			ev.noteOnce(in.Call.Block.DefRange, fmt.Sprintf("module %q: more than %d module instances in this run; this call and the rest are not evaluated", in.Call.Name, maxInstances), in.Parent.Module.Dir)
			return
		}
		if key != "" {
			ev.byKey[key] = in
		}
		ev.mu.Unlock()
	}
	ev.evalLocals(in)
	ev.mu.Lock()
	ev.instances = append(ev.instances, in)
	ev.mu.Unlock()
	stack = append(stack, m)
	for _, c := range m.ModuleCalls {
		if c.Target == nil {
			continue
		}
		cycle := false
		for _, s := range stack {
			if s == c.Target {
				cycle = true
			}
		}
		if cycle {
			var names []string
			for _, s := range stack {
				names = append(names, s.Name())
			}
			names = append(names, c.Target.Name())
			ev.problemOnce(c.Block.DefRange, fmt.Sprintf("module %q calls itself: %s", c.Name, strings.Join(names, " → ")), m.Dir)
			continue
		}
		if len(stack) >= maxModuleDepth {
			ev.problemOnce(c.Block.DefRange, fmt.Sprintf("module %q: calls nested more than %d deep; not followed", c.Name, maxModuleDepth), m.Dir)
			continue
		}
		if disabled(in, c.Block) {
			continue
		}
		child := &Instance{Module: c.Target, Parent: in, Call: c}
		ev.build(child, stack)
	}
}

// callsTwice reports whether a module has more than one call of target:
// only then can two calls share an instance.
func callsTwice(parent, target *model.Module) bool {
	n := 0
	for _, c := range parent.ModuleCalls {
		if c.Target == target {
			n++
		}
	}
	return n > 1
}

func (ev *evaluator) problemOnce(r hcl.Range, msg, module string) { ev.addOnce(r, msg, module, false) }

// noteOnce records a note: an evaluation limit hit, a file refused.
func (ev *evaluator) noteOnce(r hcl.Range, msg, module string) { ev.addOnce(r, msg, module, true) }

func (ev *evaluator) addOnce(r hcl.Range, msg, module string, note bool) {
	ev.mu.Lock()
	defer ev.mu.Unlock()
	for _, pr := range ev.problems {
		if pr.Range == r && pr.Message == msg {
			return
		}
	}
	if note && len(ev.problems) >= maxNotes {
		return
	}
	ev.problems = append(ev.problems, model.Problem{Range: r, Message: msg, Module: module, Note: note})
}

// maxNotes bounds the notes of one run (a generated file can hit a limit
// on every line).
const maxNotes = 1000

// disabled reports whether count or for_each makes a block have no instances.
func disabled(in *Instance, b *model.Block) bool {
	if a := b.Attr("count"); a != nil {
		v := in.eval(a.Expr)
		if v.IsKnown() && !v.IsNull() && v.Type() == cty.Number {
			if n, acc := v.AsBigFloat().Int64(); acc == 0 && n == 0 {
				return true
			}
		}
	}
	if a := b.Attr("for_each"); a != nil {
		v := in.eval(a.Expr)
		if v.IsKnown() && !v.IsNull() && v.CanIterateElements() && v.LengthInt() == 0 {
			return true
		}
	}
	return false
}

// varType returns a variable's declared type and defaults.
func varType(b *model.Block) (cty.Type, *typeexpr.Defaults) {
	a := b.Attr("type")
	if a == nil {
		return cty.DynamicPseudoType, nil
	}
	t, defs, d := typeexpr.TypeConstraintWithDefaults(a.Expr)
	if d.HasErrors() {
		return cty.DynamicPseudoType, nil
	}
	return t, defs
}

func convertVar(v cty.Value, t cty.Type, defs *typeexpr.Defaults) (out cty.Value) {
	if v.IsNull() {
		return v
	}
	defer func() {
		if recover() != nil {
			out = v // a value the type's defaults cannot be applied to
		}
	}()
	if defs != nil {
		v = defs.Apply(v)
	}
	cv, err := convert.Convert(v, t)
	if err != nil {
		return v
	}
	return cv
}

func (ev *evaluator) inputVars(in *Instance) map[string]*varValue {
	m, opts := in.Module, ev.opts
	out := map[string]*varValue{}
	type written struct {
		v      cty.Value
		origin string
		rng    *hcl.Range
	}
	given := map[string]written{}
	opaque := "" // an auto-loaded tfvars file that could not be read
	switch {
	case in.Call != nil:
		for _, vb := range m.Variables {
			name := vb.Labels[0]
			if a := in.Call.Block.Attr(name); a != nil {
				r := a.Range
				origin := fmt.Sprintf("module.%s argument (%s:%d)", in.Call.Name, r.Filename, r.Start.Line)
				if in.Call.Wrapper {
					origin = fmt.Sprintf("Terragrunt input (%s:%d)", r.Filename, r.Start.Line)
				}
				v := evalMarked(in.Parent, in.Parent.ctx, a.Expr)
				given[name] = written{v, origin, &r}
				if t := in.Parent.taint; t.carries(a.Expr) {
					// The input carries what a file function read.
					if in.taint == nil {
						in.taint = &fileTaint{vars: map[string]bool{}}
					}
					in.taint.vars[name] = true
					t.sink.add(v)
				}
			}
		}
	case !in.Standalone:
		for _, f := range autoVarFiles(m) {
			if f.HCL == nil && opaque == "" {
				// Encrypted, a template or broken: it may set any variable.
				opaque = f.Path
			}
			for name, w := range tfvarsValues(in, f) {
				given[name] = w
			}
		}
		varFiles := opts.VarFiles
		if in.Env != nil {
			varFiles = in.Env.Files
		}
		for _, f := range varFiles {
			for name, w := range tfvarsValues(in, f) {
				given[name] = w
			}
		}
		for _, name := range opts.VarOrder {
			given[name] = written{cliVarValue(opts.Vars[name]), "--var " + name, nil}
		}
	}
	for _, vb := range m.Variables {
		name := vb.Labels[0]
		t, defs := varType(vb)
		vv := &varValue{}
		if w, ok := given[name]; ok {
			vv.Value, vv.Origin, vv.Range = convertVar(w.v, t, defs), w.origin, w.rng
		} else if in.Standalone {
			vv.Value, vv.Origin = cty.UnknownVal(t), "an input of the module"
		} else if opaque != "" {
			vv.Value, vv.Origin = cty.UnknownVal(t), "maybe set by "+opaque+", which tfgate cannot read"
		} else if a := vb.Attr("default"); a != nil {
			dv := evalMarked(in, nil, a.Expr)
			r := a.Range
			vv.Value, vv.Origin, vv.Range = convertVar(dv, t, defs), fmt.Sprintf("default of var.%s (%s:%d)", name, r.Filename, r.Start.Line), &r
		} else {
			vv.Value, vv.Origin = cty.UnknownVal(t), "not set"
		}
		if in.Call != nil && in.Parent.mayMark.Load() {
			// Only values from a caller's expressions can carry marks.
			vv.Value, vv.marks = unmarked(vv.Value)
		}
		// Declared sensitive or ephemeral: the value carries the mark, as
		// in Terraform (issensitive, ephemeralasnull, and redaction).
		for attr, mark := range map[string]evalMark{"sensitive": markSensitive, "ephemeral": markEphemeral} {
			if a := vb.Attr(attr); a != nil {
				if b, d := a.Expr.Value(nil); !d.HasErrors() && b.Type() == cty.Bool && b.IsKnown() && b.True() {
					vv.marks = append(vv.marks, cty.PathValueMarks{Path: nil, Marks: cty.NewValueMarks(mark)})
				}
			}
		}
		// Named for a secret (db_password) and holding what could be one:
		// what the configuration derives from it (upper(var.db_password),
		// "x-${var.api_token}") is redacted like the value itself. A mark
		// of tfgate's own, not Terraform's sensitive one: issensitive()
		// still says false, as in Terraform.
		if secrets.SecretName(name) && secretValue(name, vv.Value) {
			vv.marks = append(vv.marks, cty.PathValueMarks{Path: nil, Marks: cty.NewValueMarks(markSecret)})
		}
		if len(vv.marks) > 0 {
			in.mayMark.Store(true)
		}
		out[name] = vv
	}
	return out
}

// marked is the variable's value with its marks, as expressions see it.
func (vv *varValue) marked() cty.Value {
	if len(vv.marks) == 0 {
		return vv.Value
	}
	return vv.Value.MarkWithPaths(vv.marks)
}

// cliVarValue parses --var values as Terraform does for complex types:
// HCL when it parses as an expression, else the raw string.
func cliVarValue(s string) cty.Value {
	if strings.HasPrefix(strings.TrimSpace(s), "{") || strings.HasPrefix(strings.TrimSpace(s), "[") {
		if e, d := hclsyntax.ParseExpression([]byte(s), "--var", hcl.Pos{Line: 1, Column: 1}); !d.HasErrors() {
			if v, d := e.Value(nil); !d.HasErrors() {
				return v
			}
		}
	}
	return cty.StringVal(s)
}

// autoVarFiles lists the tfvars files Terraform loads by itself, in its order.
func autoVarFiles(m *model.Module) []*model.File {
	var tf, tfj, auto []*model.File
	for _, f := range m.VarFiles {
		base := filepath.Base(f.Abs)
		switch {
		case base == "terraform.tfvars":
			tf = append(tf, f)
		case base == "terraform.tfvars.json":
			tfj = append(tfj, f)
		case strings.HasSuffix(base, ".auto.tfvars") || strings.HasSuffix(base, ".auto.tfvars.json"):
			auto = append(auto, f)
		}
	}
	sort.Slice(auto, func(i, j int) bool { return filepath.Base(auto[i].Abs) < filepath.Base(auto[j].Abs) })
	return append(append(tf, tfj...), auto...)
}

// TFVarsAttrs returns the attributes of a tfvars file.
func TFVarsAttrs(f *model.File) hcl.Attributes {
	if f.HCL == nil {
		return nil
	}
	attrs, _ := f.HCL.Body.JustAttributes()
	return attrs
}

func tfvarsValues(in *Instance, f *model.File) map[string]struct {
	v      cty.Value
	origin string
	rng    *hcl.Range
} {
	out := map[string]struct {
		v      cty.Value
		origin string
		rng    *hcl.Range
	}{}
	for name, a := range TFVarsAttrs(f) {
		// No functions and no variables in tfvars, but for expressions
		// over literal lists can still multiply: within in's budget.
		v := evalMarked(in, nil, a.Expr)
		r := a.Range
		out[name] = struct {
			v      cty.Value
			origin string
			rng    *hcl.Range
		}{v, fmt.Sprintf("%s:%d", f.Path, r.Start.Line), &r}
	}
	return out
}

// localOrder sorts a module's locals so that each comes after the locals it
// uses; cyclic locals are reported once and evaluate to unknown.
type localPlan struct {
	order []*model.Local
	deps  map[string][]string
	cycle map[string]bool
	// callsFiles: the module's sources mention a file function
	// (filevalues.go).
	callsFiles bool
}

// planLocals returns a module's plan of locals, made once per evaluation.
func (ev *evaluator) planLocals(m *model.Module) *localPlan {
	po := ev.plans[m] // read-only while instances are built
	if po == nil {
		return ev.makeLocalPlan(m) // not a module of the project: not shared
	}
	po.once.Do(func() { po.lp = ev.makeLocalPlan(m) })
	return po.lp
}

func (ev *evaluator) makeLocalPlan(m *model.Module) *localPlan {
	lp := &localPlan{deps: map[string][]string{}, cycle: map[string]bool{}, callsFiles: mayCallFiles(m)}
	byName := map[string]*model.Local{}
	for _, l := range m.Locals {
		byName[l.Name] = l
	}
	for _, l := range m.Locals {
		seen := map[string]bool{}
		for _, tr := range l.Attr.Expr.Variables() {
			if tr.RootName() != "local" || len(tr) < 2 {
				continue
			}
			if ga, ok := tr[1].(hcl.TraverseAttr); ok && !seen[ga.Name] {
				seen[ga.Name] = true
				lp.deps[l.Name] = append(lp.deps[l.Name], ga.Name)
			}
		}
	}
	const (
		white = iota
		grey
		black
	)
	color := map[string]int{}
	var stack []string
	var visit func(n string)
	visit = func(n string) {
		l := byName[n]
		if l == nil {
			return
		}
		switch color[n] {
		case black:
			return
		case grey:
			// Cycle: everything on the stack from n onwards.
			i := len(stack) - 1
			for i >= 0 && stack[i] != n {
				i--
			}
			cyc := append(append([]string{}, stack[i:]...), n)
			for _, c := range cyc {
				lp.cycle[c] = true
			}
			names := make([]string, len(cyc))
			for k, c := range cyc {
				names[k] = "local." + c
			}
			ev.problemOnce(l.Attr.Range, "local values refer to each other in a cycle: "+strings.Join(names, " → "), m.Dir)
			return
		}
		color[n] = grey
		stack = append(stack, n)
		for _, d := range lp.deps[n] {
			visit(d)
		}
		stack = stack[:len(stack)-1]
		color[n] = black
		lp.order = append(lp.order, l)
	}
	for _, l := range m.Locals {
		visit(l.Name)
	}
	return lp
}

// baseVars are the context variables every expression of a module sees.
func (in *Instance) baseVars() map[string]cty.Value {
	m := in.Module
	vars := map[string]cty.Value{}
	varObj := map[string]cty.Value{}
	for n, v := range in.vars {
		varObj[n] = v.marked()
	}
	vars["var"] = cty.ObjectVal(varObj)
	rootDir := in.Root().Module.AbsDir
	modRel, err := filepath.Rel(rootDir, m.AbsDir)
	if err != nil {
		modRel = m.AbsDir
	}
	vars["path"] = cty.ObjectVal(map[string]cty.Value{
		"module": cty.StringVal(filepath.ToSlash(modRel)),
		"root":   cty.StringVal("."),
		"cwd":    cty.UnknownVal(cty.String),
	})
	vars["terraform"] = cty.ObjectVal(map[string]cty.Value{"workspace": cty.UnknownVal(cty.String)})
	for _, name := range []string{"data", "module", "ephemeral", "self", "count", "each"} {
		vars[name] = cty.DynamicVal
	}
	for _, r := range m.Resources {
		if r.Type == "resource" {
			vars[r.Labels[0]] = cty.DynamicVal
		}
	}
	return vars
}

// rootContext holds Terraform's functions; every instance's context is a
// child of it, so the function table is shared rather than copied.
var rootContext = sync.OnceValue(func() *hcl.EvalContext {
	return &hcl.EvalContext{Functions: functions()}
})

func (ev *evaluator) evalLocals(in *Instance) {
	m := in.Module
	vars := in.baseVars()
	// File functions read relative to Terraform's working directory, the
	// root module's, and only inside the repository that holds it.
	in.files, in.funcCtx = ev.fileContext(in.Root().Module.AbsDir)
	ctx := in.funcCtx.NewChild()
	ctx.Variables = vars
	in.locals = map[string]cty.Value{}
	marked := map[string]cty.Value{} // the locals as expressions see them, marks and all
	in.localOrigin = map[string]string{}
	lp := ev.planLocals(m)
	if lp.callsFiles || in.taint != nil {
		// Follow what file functions read (filevalues.go).
		if in.taint == nil {
			in.taint = &fileTaint{}
		}
		in.taint.funcs, in.taint.locals, in.taint.sink = taintFuncs, map[string]bool{}, &ev.files
	}
	for _, l := range lp.order {
		var v cty.Value
		if lp.cycle[l.Name] {
			v = cty.DynamicVal
		} else {
			deps := make(map[string]cty.Value, len(lp.deps[l.Name]))
			for _, d := range lp.deps[l.Name] {
				if dv, ok := marked[d]; ok {
					deps[d] = dv
				} else {
					deps[d] = cty.DynamicVal
				}
			}
			lctx := ctx.NewChild()
			lctx.Variables = map[string]cty.Value{"local": cty.ObjectVal(deps)}
			v = evalMarked(in, lctx, l.Attr.Expr)
		}
		marked[l.Name] = v
		in.locals[l.Name] = exportValue(in, v)
		if in.taint.carries(l.Attr.Expr) {
			in.taint.locals[l.Name] = true
			in.taint.sink.add(v)
		}
		in.localOrigin[l.Name] = fmt.Sprintf("local.%s (%s:%d)", l.Name, l.Attr.Range.Filename, l.Attr.Range.Start.Line)
	}
	vars["local"] = cty.ObjectVal(marked)
	in.ctx = ctx
}

// VarValue returns the value of one of the instance's input variables
// (unknown when it was not set and has no default); ok is false when the
// module declares no such variable.
func (in *Instance) VarValue(name string) (v cty.Value, ok bool) {
	vv := in.vars[name]
	if vv == nil {
		return cty.NilVal, false
	}
	return vv.Value, true
}

// local returns a local value of this instance.
func (in *Instance) local(name string) (cty.Value, bool) {
	v, ok := in.locals[name]
	return v, ok
}

// Origin describes where the value of an expression comes from: the
// tfvars line, default or module argument behind var.x, the local behind
// local.x, or the expression itself.
func (in *Instance) Origin(e hcl.Expression) string { return in.origin(e, 0) }

func (in *Instance) origin(e hcl.Expression, depth int) string {
	if e == nil || depth > 16 {
		return ""
	}
	if in.FromPlan {
		return "the plan"
	}
	if tr, d := hcl.AbsTraversalForExpr(e); !d.HasErrors() && len(tr) >= 2 {
		if ga, ok := tr[1].(hcl.TraverseAttr); ok {
			switch tr.RootName() {
			case "var":
				if vv := in.vars[ga.Name]; vv != nil {
					if vv.Origin == "" {
						return "var." + ga.Name
					}
					return vv.Origin
				}
			case "local":
				if o, ok := in.localOrigin[ga.Name]; ok {
					for _, l := range in.Module.Locals {
						if l.Name == ga.Name {
							if inner := in.origin(l.Attr.Expr, depth+1); strings.HasPrefix(inner, "module.") || strings.Contains(inner, "tfvars") || strings.HasPrefix(inner, "--var") {
								return inner
							}
						}
					}
					return o
				}
			}
		}
	}
	r := e.Range()
	return fmt.Sprintf("%s:%d", r.Filename, r.Start.Line)
}

// ProviderConfig finds the provider block that configures provider key
// ("aws", "aws.dr") in this instance, following module calls' providers maps
// and the implicit inheritance of default providers. known is false when the
// configuration comes from a caller tfgate cannot see (a reusable module
// evaluated on its own); block is nil when the provider has no explicit
// configuration.
func (in *Instance) ProviderConfig(key string) (block *model.Block, owner *Instance, known bool) {
	for _, pb := range in.Module.Providers {
		if pb.ProviderKey() == key {
			return pb, in, true
		}
	}
	if in.Parent == nil {
		if in.Standalone {
			return nil, nil, false
		}
		return nil, nil, true
	}
	if mapped, ok := in.Call.Providers[key]; ok {
		return in.Parent.ProviderConfig(mapped)
	}
	// A default (unaliased) configuration that the call's providers map
	// does not name is still inherited, as without a map: Terraform and
	// OpenTofu both do so (hashicorp/terraform#35781), whatever the older
	// docs say.
	if !strings.Contains(key, ".") {
		return in.Parent.ProviderConfig(key)
	}
	return nil, nil, true
}
