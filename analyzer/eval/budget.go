package eval

import (
	"fmt"
	"sync/atomic"

	"github.com/hashicorp/hcl/v2"
	"github.com/tfgate/tfgate/internal/fsx"
	"github.com/zclconf/go-cty/cty"
)

// Evaluation budgets. Hostile configuration must not make tfgate run out of
// memory or time: a 67-byte setproduct(range(1000), range(1000),
// range(1000)), forty locals that each double a string, a
// format("%2000000000s", "") or a for expression over 10^9 elements are
// ordinary Terraform. What one value, one expression, one module instance
// and one run may build is bounded; past a bound the value is unknown
// (never a guess) and one note says which expression hit which limit.
// Normal configuration is far below every bound: the limits are there to
// make the worst case finish, not to shape results.
const (
	// maxStringLen bounds one string (the largest file tfgate reads).
	maxStringLen = fsx.MaxFileSize
	// maxElements bounds the elements of one value, nested ones counted
	// as often as they occur (a YAML alias repeated is counted each time).
	maxElements = 1 << 20
	// maxValueBytes bounds the size of one value, by the same count.
	maxValueBytes = 64 << 20
	// maxCallWork bounds the work of one function call whose cost grows
	// faster than its inputs (distinct compares every pair).
	maxCallWork = 1 << 24
	// maxExprSteps bounds the steps of one expression: syntax nodes
	// evaluated, each iteration of a for expression counted.
	maxExprSteps = 1 << 18
	// maxEvalDepth bounds how deep evaluation recurses through templates
	// and nested expressions (the parser already refuses deeper sources).
	maxEvalDepth = 2048
)

// The totals: maxInstanceSteps and maxInstanceBytes bound one module
// instance, maxRunSteps and maxRunBytes one run (bytes: sizes of the values
// built by function calls, templates and for expressions). Variables so
// that tests can reach them quickly.
var (
	maxInstanceSteps int64 = 1 << 22
	maxInstanceBytes int64 = 1 << 30
	maxRunSteps      int64 = 1 << 24
	maxRunBytes      int64 = 4 << 30
)

// LimitError is the error of a function call that would exceed a limit;
// the evaluator turns it into an unknown value and a note.
type LimitError struct{ What string }

func (e *LimitError) Error() string { return e.What }

func limitf(format string, args ...any) error { return &LimitError{fmt.Sprintf(format, args...)} }

// runBudget is what a whole run may spend, shared by its instances.
type runBudget struct {
	steps, bytes atomic.Int64
}

// budget is what one module instance may spend, and where its notes go.
type budget struct {
	ev           *evaluator // nil: notes are dropped (plan scopes)
	run          *runBudget
	module       string
	steps, bytes atomic.Int64
	spent        atomic.Bool // a total ran out: everything after is unknown
}

func newBudget(ev *evaluator, module string) *budget {
	var run *runBudget
	if ev != nil {
		run = &ev.run
	} else {
		run = &runBudget{}
	}
	return &budget{ev: ev, run: run, module: module}
}

// note records a note at a range, once.
func (b *budget) note(r hcl.Range, msg string) {
	if b == nil || b.ev == nil {
		return
	}
	b.ev.noteOnce(r, msg, b.module)
}

// spend adds steps and bytes to the instance and the run, and reports
// which total, if any, is now exceeded.
func (b *budget) spend(steps, bytes int64) string {
	is, ib := b.steps.Add(steps), b.bytes.Add(bytes)
	rs, rb := b.run.steps.Add(steps), b.run.bytes.Add(bytes)
	switch {
	case is > maxInstanceSteps:
		return fmt.Sprintf("module %s has evaluated more than %d steps", b.module, maxInstanceSteps)
	case ib > maxInstanceBytes:
		return fmt.Sprintf("module %s has built more than %d MiB of values", b.module, maxInstanceBytes>>20)
	case rs > maxRunSteps:
		return fmt.Sprintf("this run has evaluated more than %d steps", maxRunSteps)
	case rb > maxRunBytes:
		return fmt.Sprintf("this run has built more than %d MiB of values", maxRunBytes>>20)
	}
	return ""
}

// valueSize measures a value as the limits count it: bytes (strings by
// their length, every other value and element a few words) and elements,
// nested ones counted each time they occur. It stops as soon as a limit is
// passed, so it never walks more than the limits whatever the value's
// shape; ok is false then, and why says which limit.
func valueSize(v cty.Value) (bytes, elems int64, why string) {
	m := sizer{}
	m.walk(v, 0)
	return m.bytes, m.elems, m.why
}

type sizer struct {
	bytes, elems int64
	why          string
}

func (m *sizer) walk(v cty.Value, depth int) {
	if m.why != "" {
		return
	}
	if depth > maxEvalDepth {
		m.why = fmt.Sprintf("a value nested more than %d levels deep", maxEvalDepth)
		return
	}
	if v.IsMarked() {
		v, _ = v.Unmark()
	}
	m.bytes += 16
	m.elems++
	switch {
	case m.elems > maxElements:
		m.why = fmt.Sprintf("a value of more than %d elements", maxElements)
		return
	case m.bytes > maxValueBytes:
		m.why = fmt.Sprintf("a value of more than %d MiB", maxValueBytes>>20)
		return
	}
	if !v.IsKnown() || v.IsNull() {
		return
	}
	t := v.Type()
	switch {
	case t == cty.String:
		n := int64(len(v.AsString()))
		if n > maxStringLen {
			m.why = fmt.Sprintf("a string of more than %d MiB", maxStringLen>>20)
			return
		}
		m.bytes += n
		if m.bytes > maxValueBytes {
			m.why = fmt.Sprintf("a value of more than %d MiB", maxValueBytes>>20)
		}
	case t.IsListType() || t.IsSetType() || t.IsTupleType() || t.IsMapType() || t.IsObjectType():
		if t.IsObjectType() || t.IsMapType() {
			// keys
			m.bytes += int64(8 * v.LengthInt())
		}
		for it := v.ElementIterator(); it.Next() && m.why == ""; {
			_, e := it.Element()
			m.walk(e, depth+1)
		}
	}
}

// shallowSize is valueSize of a value's top level: a string's length, a
// collection's elements (each counted as a few words).
func shallowSize(v cty.Value) (bytes, elems int64, why string) {
	if v.IsMarked() {
		v, _ = v.Unmark()
	}
	if !v.IsKnown() || v.IsNull() {
		return 16, 1, ""
	}
	t := v.Type()
	switch {
	case t == cty.String:
		n := int64(len(v.AsString()))
		if n > maxStringLen {
			return n, 1, fmt.Sprintf("a string of more than %d MiB", maxStringLen>>20)
		}
		return n + 16, 1, ""
	case t.IsListType() || t.IsSetType() || t.IsTupleType() || t.IsMapType() || t.IsObjectType():
		n := int64(v.LengthInt())
		if n > maxElements {
			return 16 * n, n, fmt.Sprintf("a value of more than %d elements", maxElements)
		}
		return 16 * (n + 1), n + 1, ""
	}
	return 16, 1, ""
}

// lengthOf is the number of elements of a known collection, or 0.
func lengthOf(v cty.Value) int64 {
	v, _ = v.Unmark()
	if !v.IsKnown() || v.IsNull() || !v.CanIterateElements() {
		return 0
	}
	return int64(v.LengthInt())
}

// stringLen is the length of a known string, or 0.
func stringLen(v cty.Value) int64 {
	v, _ = v.Unmark()
	if !v.IsKnown() || v.IsNull() || v.Type() != cty.String {
		return 0
	}
	return int64(len(v.AsString()))
}
