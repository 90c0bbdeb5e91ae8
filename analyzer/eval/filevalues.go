package eval

import (
	"bytes"
	"sort"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/tfgate/tfgate/analyzer/model"
	"github.com/zclconf/go-cty/cty"
)

// What file functions return is possibly secret: a file beside the code may
// hold a token (`file("ci.env")`, a link to /proc/self/environ), and it
// must never reach a report, not even as a for_each key. The evaluator
// follows file-function results through the configuration (a taint, read
// from the expressions): an expression that calls a file function, or
// refers to a local or a module input whose value came from one, carries
// what a file held. Every string of such a value that the evaluator
// computes — locals, module arguments, count/for_each keys and values,
// attributes rules read through Scope — is recorded (Result.FileValues),
// and the framework redacts those strings from every finding and snippet
// (analyzer's redact.go). Only the values the configuration derives are
// recorded, not whole files: a YAML file's keys or a dashboard's text do
// not become secrets that would garble every message.

// fileValues is the set of strings derived from file functions in one
// evaluation.
type fileValues struct {
	mu sync.Mutex
	m  map[string]bool
}

func (s *fileValues) add(v cty.Value) {
	if s == nil || v == cty.NilVal {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]bool{}
	}
	collectStrings(v, func(str string) { s.m[str] = true })
}

func (s *fileValues) list() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.m))
	for str := range s.m {
		out = append(out, str)
	}
	sort.Strings(out)
	return out
}

// collectStrings calls f for every string in a known value (not the keys
// of maps and objects: those of a decoded file are field names).
func collectStrings(v cty.Value, f func(string)) {
	v, _ = v.UnmarkDeep()
	if !v.IsKnown() || v.IsNull() {
		return
	}
	switch {
	case v.Type() == cty.String:
		f(v.AsString())
	case v.CanIterateElements():
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			collectStrings(e, f)
		}
	}
}

// recordKeys adds the keys of a for_each map: they become instance keys,
// shown in messages.
func (t *fileTaint) recordKeys(e hcl.Expression, v cty.Value) {
	if t == nil || !t.carries(e) {
		return
	}
	v, _ = v.UnmarkDeep()
	if !v.IsWhollyKnown() || v.IsNull() || !(v.Type().IsMapType() || v.Type().IsObjectType()) {
		return
	}
	for it := v.ElementIterator(); it.Next(); {
		k, _ := it.Element()
		t.sink.add(k)
	}
}

// fileTaint is what one instance knows of file-function results: which of
// its locals and inputs carry them, and the names of the file functions.
type fileTaint struct {
	funcs  map[string]bool // file functions' names
	locals map[string]bool
	vars   map[string]bool
	sink   *fileValues
}

// mayCallFiles reports whether a module's sources mention a file function
// at all; the taint is not followed in modules that cannot have one.
func mayCallFiles(m *model.Module) bool {
	for _, f := range m.Files {
		if bytes.Contains(f.Src, []byte("file")) {
			return true
		}
	}
	return false
}

// carries reports whether an expression's value may hold what a file
// function read.
func (t *fileTaint) carries(e hcl.Expression) bool {
	if t == nil || e == nil {
		return false
	}
	for _, tr := range e.Variables() {
		if len(tr) < 2 {
			continue
		}
		ga, ok := tr[1].(hcl.TraverseAttr)
		if !ok {
			continue
		}
		switch tr.RootName() {
		case "local":
			if t.locals[ga.Name] {
				return true
			}
		case "var":
			if t.vars[ga.Name] {
				return true
			}
		}
	}
	found := false
	if se, ok := e.(hclsyntax.Expression); ok {
		hclsyntax.VisitAll(se, func(n hclsyntax.Node) hcl.Diagnostics {
			if c, ok := n.(*hclsyntax.FunctionCallExpr); ok && t.funcs[c.Name] {
				found = true
			}
			return nil
		})
	}
	return found
}

// record adds a value to the run's file values when its expression
// carries them.
func (t *fileTaint) record(e hcl.Expression, v cty.Value) {
	if t != nil && t.carries(e) {
		t.sink.add(v)
	}
}
