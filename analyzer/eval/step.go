package eval

import (
	"errors"
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// The stepping evaluator. hcl evaluates an expression tree in one
// recursive call that nothing can interrupt; to bound what an expression
// may cost, tfgate evaluates the nodes that can multiply work or memory
// (function calls, for expressions, splats, templates that join several
// values) one at a time: it evaluates their children first, checks what
// they would build, and then lets hcl evaluate a shallow copy of the node
// whose children are those values, or wrappers that come back here. hcl
// keeps every semantic (unknowns, marks, conversions, errors, the lazy
// arguments of try and can); tfgate only counts. Subtrees that cannot
// multiply anything (references, literals, operators, constructors,
// conditionals, templates with at most one interpolation) go to hcl
// directly, for the cost of counting their nodes.

// errLimit is the diagnostic summary of an evaluation stopped by a limit.
const errLimit = "Evaluation limit"

// stepper evaluates one expression within its instance's budget.
type stepper struct {
	in      *Instance // nil for contexts outside an instance (plan values)
	b       *budget
	root    hcl.Range // the expression evaluated, for notes
	steps   int64
	pending int64
	depth   int
	stopped hcl.Diagnostics // set when a limit stopped this evaluation
	// marking is set when a function that marks values (file functions,
	// sensitive) was called, so that the result must be unmarked.
	marking bool
	// inTemplate is set while a template from templatefile or
	// templatestring is evaluated: they may not call themselves.
	inTemplate bool
}

// evalIn evaluates an expression in ctx within in's budget. Anything that
// cannot be known (resource attributes, data sources, errors, unsupported
// functions, values past a limit) is unknown: the result is never a guess.
// The result carries no marks: values read through file functions and
// sensitive values are registered with the run's secrets instead (see
// Result.FileValues and Result.SensitiveValues).
func evalIn(in *Instance, ctx *hcl.EvalContext, e hcl.Expression) cty.Value {
	v := evalMarked(in, ctx, e)
	return exportValue(in, v)
}

// evalMarked is evalIn keeping marks, for values that stay inside the
// evaluator (locals, module arguments).
func evalMarked(in *Instance, ctx *hcl.EvalContext, e hcl.Expression) (v cty.Value) {
	if e == nil {
		return cty.NullVal(cty.DynamicPseudoType)
	}
	var b *budget
	if in != nil {
		b = in.budget
	}
	if b != nil && b.spent.Load() {
		return cty.DynamicVal
	}
	// Most expressions are references and literals: evaluated directly,
	// their nodes counted, without a stepper.
	if x, ok := e.(hclsyntax.Expression); ok {
		if n, ok := directNodes(x, 0); ok {
			if b != nil {
				if why := b.spend(n, 0); why != "" {
					(&stepper{in: in, b: b, root: e.Range()}).spent(why)
					return cty.DynamicVal
				}
			}
			return directValue(in, ctx, x)
		}
	}
	st := &stepper{in: in, b: b, root: e.Range()}
	defer func() {
		if r := recover(); r != nil {
			// A bug in an evaluator or a function: the value is unknown and
			// the expression is reported, so that the run goes on and the
			// crash is seen.
			v = cty.DynamicVal
			if st.b != nil {
				st.b.note(e.Range(), fmt.Sprintf("internal error evaluating this expression (%v); its value is unknown. Please report it with the expression: %s", r, firstLine(debug.Stack())))
			}
		}
	}()
	v, diags := st.eval(ctx, e)
	st.flush()
	if diags.HasErrors() {
		return cty.DynamicVal
	}
	if st.marking && in != nil {
		in.mayMark.Store(true)
	}
	return v
}

// directValue evaluates an expression that cannot multiply cost; a panic
// in hcl is an unknown value and a note, as in evalMarked.
func directValue(in *Instance, ctx *hcl.EvalContext, x hclsyntax.Expression) (v cty.Value) {
	defer func() {
		if r := recover(); r != nil {
			v = cty.DynamicVal
			if in != nil && in.budget != nil {
				in.budget.note(x.Range(), fmt.Sprintf("internal error evaluating this expression (%v); its value is unknown. Please report it with the expression: %s", r, firstLine(debug.Stack())))
			}
		}
	}()
	v, diags := x.Value(ctx)
	if diags.HasErrors() {
		return cty.DynamicVal
	}
	return v
}

func firstLine(stack []byte) string {
	lines := strings.Split(string(stack), "\n")
	// The frame that panicked: the first one after runtime's and this file's.
	for i := 0; i+1 < len(lines); i++ {
		l := strings.TrimSpace(lines[i])
		if strings.HasPrefix(l, "panic(") {
			for j := i + 1; j+1 < len(lines); j += 2 {
				f := strings.TrimSpace(lines[j+1])
				if !strings.Contains(f, "/runtime/") {
					return f
				}
			}
		}
	}
	return ""
}

// stop ends this evaluation at a limit: a note at r, and an error every
// later step returns, so that hcl's loops end at once.
func (st *stepper) stop(r hcl.Range, why string) hcl.Diagnostics {
	if st.stopped == nil {
		if st.b != nil {
			st.b.note(r, "evaluation limit: "+why+"; the value of this expression is unknown")
		}
		st.stopped = hcl.Diagnostics{{Severity: hcl.DiagError, Summary: errLimit, Detail: why, Subject: r.Ptr()}}
	}
	return st.stopped
}

// step counts n steps; false when a limit stopped the evaluation.
func (st *stepper) step(n int64) bool {
	if st.stopped != nil {
		return false
	}
	st.steps += n
	st.pending += n
	if st.steps > maxExprSteps {
		st.stop(st.root, fmt.Sprintf("this expression takes more than %d steps", maxExprSteps))
		return false
	}
	if st.pending >= 4096 {
		st.flush()
	}
	return st.stopped == nil
}

// flush adds the pending steps to the instance and run totals.
func (st *stepper) flush() {
	if st.b == nil || st.pending == 0 {
		st.pending = 0
		return
	}
	why := st.b.spend(st.pending, 0)
	st.pending = 0
	if why != "" {
		st.spent(why)
	}
}

// spent marks the instance's budget as spent: this expression and every
// later one of the instance are unknown.
func (st *stepper) spent(why string) {
	if st.b.spent.CompareAndSwap(false, true) {
		st.b.note(st.root, "evaluation budget: "+why+"; this value and the rest of the module's are unknown")
	}
	st.stopped = hcl.Diagnostics{{Severity: hcl.DiagError, Summary: errLimit, Detail: why, Subject: st.root.Ptr()}}
}

// built checks a value that a node built: past a size limit it is unknown,
// with a note at the node. The check is shallow (a string's length, a
// collection's element count), so it costs nothing on ordinary values:
// a value is only as deep as what it was built from, and the functions
// that would write a deep value out whole (jsonencode, flatten, format, …)
// measure their arguments in depth before they run (see guard).
func (st *stepper) built(v cty.Value, r hcl.Range) cty.Value {
	bytes, elems, why := shallowSize(v)
	if why != "" {
		if st.b != nil {
			st.b.note(r, "evaluation limit: this builds "+why+"; its value is unknown")
		}
		return cty.UnknownVal(v.Type())
	}
	// Building n elements is n steps of work, however few nodes asked.
	if elems > 1 && !st.step(elems) {
		return cty.UnknownVal(v.Type())
	}
	if st.b != nil {
		if why := st.b.spend(0, bytes); why != "" {
			st.spent(why)
			return cty.UnknownVal(v.Type())
		}
	}
	return v
}

// eval evaluates e, stepping through the nodes that can multiply cost.
func (st *stepper) eval(ctx *hcl.EvalContext, e hcl.Expression) (cty.Value, hcl.Diagnostics) {
	if st.stopped != nil {
		return cty.DynamicVal, st.stopped
	}
	x, ok := e.(hclsyntax.Expression)
	if !ok {
		// Other syntaxes (JSON) evaluate in one call: their functions
		// are the guarded ones, and what they build is checked.
		if !st.step(1) {
			return cty.DynamicVal, st.stopped
		}
		v, diags := e.Value(st.jsonContext(ctx))
		if !diags.HasErrors() {
			v = st.built(v, e.Range())
		}
		st.noteCallErrors(diags)
		return v, diags
	}
	if n, ok := directNodes(x, 0); ok {
		if !st.step(n) {
			return cty.DynamicVal, st.stopped
		}
		return x.Value(ctx)
	}
	if !st.step(1) {
		return cty.DynamicVal, st.stopped
	}
	st.depth++
	defer func() { st.depth-- }()
	if st.depth > maxEvalDepth {
		return cty.DynamicVal, st.stop(x.Range(), fmt.Sprintf("expressions nested more than %d levels deep", maxEvalDepth))
	}
	switch x := x.(type) {
	case *hclsyntax.FunctionCallExpr:
		return st.call(ctx, x)
	case *hclsyntax.TemplateExpr:
		return st.template(ctx, x)
	case *hclsyntax.TemplateJoinExpr:
		tv, diags := st.eval(ctx, x.Tuple)
		if diags.HasErrors() {
			return cty.DynamicVal, diags
		}
		if n := joinedLen(tv); n > maxStringLen {
			return st.tooLong(x.Range())
		}
		cp := *x
		cp.Tuple = &hclsyntax.LiteralValueExpr{Val: tv, SrcRange: x.Tuple.Range()}
		v, d := cp.Value(ctx)
		return st.built(v, x.Range()), d
	case *hclsyntax.ForExpr:
		coll, diags := st.eval(ctx, x.CollExpr)
		if diags.HasErrors() {
			return cty.DynamicVal, diags
		}
		if lengthOf(coll) > maxElements {
			if st.b != nil {
				st.b.note(x.CollExpr.Range(), fmt.Sprintf("evaluation limit: a for expression over more than %d elements; its value is unknown", maxElements))
			}
			return cty.DynamicVal, nil
		}
		cp := *x
		cp.CollExpr = &hclsyntax.LiteralValueExpr{Val: coll, SrcRange: x.CollExpr.Range()}
		// Every iteration is a step, however simple its body.
		cp.KeyExpr, cp.ValExpr, cp.CondExpr = st.wrapAlways(x.KeyExpr), st.wrapAlways(x.ValExpr), st.wrapAlways(x.CondExpr)
		v, d := cp.Value(ctx)
		if d.HasErrors() {
			return v, d
		}
		return st.built(v, x.Range()), d
	case *hclsyntax.SplatExpr:
		src, diags := st.eval(ctx, x.Source)
		if diags.HasErrors() {
			return cty.DynamicVal, diags
		}
		cp := *x
		cp.Source = &hclsyntax.LiteralValueExpr{Val: src, SrcRange: x.Source.Range()}
		cp.Each = st.wrapAlways(x.Each)
		return cp.Value(ctx)
	case *hclsyntax.ConditionalExpr:
		cp := *x
		cp.Condition, cp.TrueResult, cp.FalseResult = st.wrap(x.Condition), st.wrap(x.TrueResult), st.wrap(x.FalseResult)
		return cp.Value(ctx)
	case *hclsyntax.BinaryOpExpr:
		cp := *x
		cp.LHS, cp.RHS = st.wrap(x.LHS), st.wrap(x.RHS)
		return cp.Value(ctx)
	case *hclsyntax.UnaryOpExpr:
		cp := *x
		cp.Val = st.wrap(x.Val)
		return cp.Value(ctx)
	case *hclsyntax.ParenthesesExpr:
		return st.eval(ctx, x.Expression)
	case *hclsyntax.TemplateWrapExpr:
		cp := *x
		cp.Wrapped = st.wrap(x.Wrapped)
		return cp.Value(ctx)
	case *hclsyntax.IndexExpr:
		cp := *x
		cp.Collection, cp.Key = st.wrap(x.Collection), st.wrap(x.Key)
		return cp.Value(ctx)
	case *hclsyntax.RelativeTraversalExpr:
		cp := *x
		cp.Source = st.wrap(x.Source)
		return cp.Value(ctx)
	case *hclsyntax.TupleConsExpr:
		cp := *x
		cp.Exprs = make([]hclsyntax.Expression, len(x.Exprs))
		for i, c := range x.Exprs {
			cp.Exprs[i] = st.wrap(c)
		}
		return cp.Value(ctx)
	case *hclsyntax.ObjectConsExpr:
		cp := *x
		cp.Items = make([]hclsyntax.ObjectConsItem, len(x.Items))
		for i, it := range x.Items {
			cp.Items[i] = hclsyntax.ObjectConsItem{KeyExpr: st.wrap(it.KeyExpr), ValueExpr: st.wrap(it.ValueExpr)}
		}
		return cp.Value(ctx)
	case *hclsyntax.ObjectConsKeyExpr:
		// Not a keyword (that would be direct): an expression in a key.
		cp := *x
		cp.Wrapped = st.wrap(x.Wrapped)
		return cp.Value(ctx)
	}
	// A node type this evaluator does not know: hcl evaluates it whole.
	v, diags := x.Value(ctx)
	if !diags.HasErrors() {
		v = st.built(v, x.Range())
	}
	return v, diags
}

// noteCallErrors notes the limits and refusals among the errors of calls
// the stepper did not make itself.
func (st *stepper) noteCallErrors(diags hcl.Diagnostics) {
	if st.b == nil {
		return
	}
	for _, d := range diags {
		extra, ok := hcl.DiagnosticExtra[hclsyntax.FunctionCallDiagExtra](d)
		if !ok || d.Subject == nil {
			continue
		}
		var le *LimitError
		var re *RefusedError
		var pe function.PanicError
		switch err := extra.FunctionCallError(); {
		case errors.As(err, &pe) && !libraryFuncs[strings.TrimPrefix(extra.CalledFunctionName(), "core::")]:
			st.b.note(*d.Subject, fmt.Sprintf("internal error evaluating this expression (%s(…) panicked: %v); its value is unknown. Please report it with the expression", extra.CalledFunctionName(), pe.Value))
		case errors.As(err, &le):
			st.b.note(*d.Subject, fmt.Sprintf("evaluation limit: %s(…) %s; its value is unknown", extra.CalledFunctionName(), le.What))
		case errors.As(err, &re):
			st.b.note(*d.Subject, fmt.Sprintf("%s(…): %s; not read, the value is unknown", extra.CalledFunctionName(), re.Error()))
		}
	}
}

// jsonContext is ctx with the functions of expressions that are not
// stepped (JSON syntax): the guarded functions check their arguments
// themselves, and the file functions read through the instance's reader.
func (st *stepper) jsonContext(ctx *hcl.EvalContext) *hcl.EvalContext {
	if ctx == nil {
		return nil // tfvars and defaults: no functions, no variables
	}
	var r *fileReader
	if st.in != nil {
		r = st.in.files
	}
	c := ctx.NewChild()
	c.Functions = jsonFunctions(r)
	return c
}

func (st *stepper) tooLong(r hcl.Range) (cty.Value, hcl.Diagnostics) {
	if st.b != nil {
		st.b.note(r, fmt.Sprintf("evaluation limit: this builds a string of more than %d MiB; its value is unknown", maxStringLen>>20))
	}
	return cty.UnknownVal(cty.String), nil
}

// template evaluates a template's parts first, so that joining them is
// checked before it is done ("${local.x}${local.x}" doubles).
func (st *stepper) template(ctx *hcl.EvalContext, x *hclsyntax.TemplateExpr) (cty.Value, hcl.Diagnostics) {
	parts := make([]hclsyntax.Expression, len(x.Parts))
	var total int64
	var diags hcl.Diagnostics
	for i, p := range x.Parts {
		if lit, ok := p.(*hclsyntax.LiteralValueExpr); ok {
			parts[i] = lit
			total += stringLen(lit.Val)
			continue
		}
		v, d := st.eval(ctx, p)
		diags = append(diags, d...)
		if d.HasErrors() {
			return cty.DynamicVal, diags
		}
		total += stringLen(v)
		if total > maxStringLen {
			return st.tooLong(x.Range())
		}
		parts[i] = &hclsyntax.LiteralValueExpr{Val: v, SrcRange: p.Range()}
	}
	cp := *x
	cp.Parts = parts
	v, d := cp.Value(ctx)
	return v, append(diags, d...)
}

// joinedLen is the total length of the known strings of a tuple.
func joinedLen(v cty.Value) int64 {
	v, _ = v.Unmark()
	if !v.IsKnown() || v.IsNull() || !v.CanIterateElements() {
		return 0
	}
	var n int64
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		n += stringLen(e)
	}
	return n
}

// call evaluates a function call: unknown functions are unknown values
// (provider-defined functions, functions of newer Terraform versions),
// templatefile and templatestring evaluate their templates here, and a
// call that would pass a limit or read outside the repository is unknown
// with a note.
func (st *stepper) call(ctx *hcl.EvalContext, x *hclsyntax.FunctionCallExpr) (cty.Value, hcl.Diagnostics) {
	name := strings.TrimPrefix(x.Name, "core::")
	if !hasFunction(ctx, x.Name) {
		// Evaluate the arguments anyway: their own limits and notes hold,
		// and an argument that is an error still makes this an error.
		for _, a := range x.Args {
			if _, d := st.eval(ctx, a); d.HasErrors() {
				return cty.DynamicVal, d
			}
		}
		return cty.DynamicVal, nil
	}
	switch name {
	case "templatefile", "templatestring":
		return st.templateCall(ctx, x, name)
	}
	if markingFuncs[name] {
		st.marking = true
	}
	if fileFuncNames[name] {
		// Read through the instance's file reader: bound in a context
		// of its own, under the name the call uses.
		f := unknownFunc(cty.DynamicPseudoType)
		if st.in != nil && st.in.files != nil {
			f = st.in.files.fileFunc(name)
		}
		ctx = ctx.NewChild()
		ctx.Functions = map[string]function.Function{x.Name: f}
	}
	cp := *x
	cp.Args = make([]hclsyntax.Expression, len(x.Args))
	if guards[name] != nil {
		// A guarded function: its arguments first, then the check of
		// what it would build, then the call on their values.
		vals := make([]cty.Value, 0, len(x.Args))
		for i, a := range x.Args {
			v, d := st.eval(ctx, a)
			if d.HasErrors() {
				return cty.DynamicVal, d
			}
			cp.Args[i] = &hclsyntax.LiteralValueExpr{Val: v, SrcRange: a.Range()}
			if i == len(x.Args)-1 && x.ExpandFinal {
				if uv, _ := v.Unmark(); uv.IsKnown() && !uv.IsNull() && uv.CanIterateElements() {
					for it := uv.ElementIterator(); it.Next(); {
						_, e := it.Element()
						vals = append(vals, e)
					}
				}
				continue
			}
			vals = append(vals, v)
		}
		if err := checkCall(name, vals); err != nil {
			var le *LimitError
			if errors.As(err, &le) && st.b != nil {
				st.b.note(x.Range(), fmt.Sprintf("evaluation limit: %s(…) %s; its value is unknown", x.Name, le.What))
			}
			return cty.DynamicVal, nil
		}
	} else {
		for i, a := range x.Args {
			cp.Args[i] = st.wrap(a)
		}
	}
	v, diags := cp.Value(ctx)
	if st.stopped != nil {
		return cty.DynamicVal, st.stopped
	}
	if diags.HasErrors() {
		for _, d := range diags {
			extra, ok := hcl.DiagnosticExtra[hclsyntax.FunctionCallDiagExtra](d)
			if !ok || extra.CalledFunctionName() != x.Name {
				continue
			}
			err := extra.FunctionCallError()
			var le *LimitError
			var re *RefusedError
			var pe function.PanicError
			switch {
			case errors.As(err, &pe) && libraryFuncs[name]:
				return v, diags // an error in Terraform too
			case errors.As(err, &pe):
				// A bug in a function of tfgate's (cty turns its panic into
				// an error): unknown, and said, so that it is reported.
				if st.b != nil {
					st.b.note(x.Range(), fmt.Sprintf("internal error evaluating this expression (%s(…) panicked: %v); its value is unknown. Please report it with the expression", x.Name, pe.Value))
				}
				return cty.DynamicVal, nil
			case errors.As(err, &le):
				if st.b != nil {
					st.b.note(x.Range(), fmt.Sprintf("evaluation limit: %s(…) %s; its value is unknown", x.Name, le.What))
				}
				return cty.DynamicVal, nil
			case errors.As(err, &re):
				if st.b != nil {
					st.b.note(x.Range(), fmt.Sprintf("%s(…): %s; not read, the value is unknown", x.Name, re.Error()))
				}
				return cty.DynamicVal, nil
			}
		}
		return v, diags
	}
	return st.built(v, x.Range()), diags
}

// wrap returns e to evaluate directly when it cannot multiply cost, and
// otherwise a wrapper that evaluates it through the stepper.
func (st *stepper) wrap(e hclsyntax.Expression) hclsyntax.Expression {
	if e == nil {
		return nil
	}
	if n, ok := directNodes(e, 0); ok {
		st.step(n)
		return e
	}
	return &stepExpr{Expression: e, st: st}
}

// wrapAlways wraps e whatever it is: for the bodies of for expressions and
// splats, evaluated once per element.
func (st *stepper) wrapAlways(e hclsyntax.Expression) hclsyntax.Expression {
	if e == nil {
		return nil
	}
	return &stepExpr{Expression: e, st: st}
}

// stepExpr is an expression whose evaluation goes through a stepper. It
// embeds the expression it wraps, so that hcl's static analyses (variables,
// ranges, keywords through UnwrapExpression) see through it.
type stepExpr struct {
	hclsyntax.Expression
	st *stepper
}

func (w *stepExpr) Value(ctx *hcl.EvalContext) (cty.Value, hcl.Diagnostics) {
	return w.st.eval(ctx, w.Expression)
}

func (w *stepExpr) UnwrapExpression() hcl.Expression { return w.Expression }

// directNodes reports whether an expression cannot multiply work or
// memory, and how many nodes it has: no function calls, for expressions,
// splats, or templates joining more than one value.
func directNodes(e hclsyntax.Expression, depth int) (int64, bool) {
	if depth > maxEvalDepth {
		return 0, false
	}
	switch x := e.(type) {
	case nil:
		return 0, true
	case *hclsyntax.LiteralValueExpr, *hclsyntax.ScopeTraversalExpr, *hclsyntax.AnonSymbolExpr:
		return 1, true
	case *hclsyntax.RelativeTraversalExpr:
		return directAdd(1, depth, x.Source)
	case *hclsyntax.IndexExpr:
		return directAdd(1, depth, x.Collection, x.Key)
	case *hclsyntax.ParenthesesExpr:
		return directAdd(1, depth, x.Expression)
	case *hclsyntax.TemplateWrapExpr:
		return directAdd(1, depth, x.Wrapped)
	case *hclsyntax.UnaryOpExpr:
		return directAdd(1, depth, x.Val)
	case *hclsyntax.BinaryOpExpr:
		return directAdd(1, depth, x.LHS, x.RHS)
	case *hclsyntax.ConditionalExpr:
		return directAdd(1, depth, x.Condition, x.TrueResult, x.FalseResult)
	case *hclsyntax.TupleConsExpr:
		return directAdd(1, depth, x.Exprs...)
	case *hclsyntax.ObjectConsExpr:
		n := int64(1)
		for _, it := range x.Items {
			k, ok := directNodes(it.KeyExpr, depth+1)
			if !ok {
				return 0, false
			}
			v, ok := directNodes(it.ValueExpr, depth+1)
			if !ok {
				return 0, false
			}
			n += k + v
		}
		return n, true
	case *hclsyntax.ObjectConsKeyExpr:
		if hcl.ExprAsKeyword(x.Wrapped) != "" && !x.ForceNonLiteral {
			return 1, true
		}
		return directAdd(1, depth, x.Wrapped)
	case *hclsyntax.TemplateExpr:
		values := 0
		for _, p := range x.Parts {
			if _, ok := p.(*hclsyntax.LiteralValueExpr); !ok {
				values++
			}
		}
		if values > 1 {
			return 0, false
		}
		return directAdd(1, depth, x.Parts...)
	}
	return 0, false
}

func directAdd(n int64, depth int, es ...hclsyntax.Expression) (int64, bool) {
	for _, c := range es {
		k, ok := directNodes(c, depth+1)
		if !ok {
			return 0, false
		}
		n += k
	}
	return n, true
}

// hasFunction reports whether ctx or a parent defines a function.
func hasFunction(ctx *hcl.EvalContext, name string) bool {
	for c := ctx; c != nil; c = c.Parent() {
		if _, ok := c.Functions[name]; ok {
			return true
		}
	}
	return false
}
