package eval

import (
	"sort"
	"sync"

	"github.com/zclconf/go-cty/cty"
)

// Marks. Inside the evaluator values carry cty marks, as in Terraform:
//
//   - markSensitive: sensitive(), variables declared `sensitive = true`
//     (what issensitive and nonsensitive see);
//   - markEphemeral: variables declared `ephemeral = true` (what
//     ephemeralasnull replaces with null);
//   - markFile: values read through a file function (file, templatefile,
//     filebase64, …): a link committed to the repository can point at any
//     file, so what they read is possibly secret.
//
// Marks never leave the evaluator (a marked value panics on AsString):
// every value handed to rules is unmarked (exportValue), and the strings
// of sensitive and file values are registered in the run's Secrets, the
// list that the redaction point of reports replaces wherever it appears
// in output. Functions propagate marks from their arguments to their
// results (substr(file("x"), 0, 7) is marked), so a piece of a secret is a
// secret too.
const (
	markSensitive = evalMark("sensitive")
	markEphemeral = evalMark("ephemeral")
	markFile      = evalMark("file")
)

type evalMark string

// markingFuncs are the functions that mark their results: evaluations
// that call them unmark what they return.
var markingFuncs = map[string]bool{"sensitive": true, "file": true, "filebase64": true, "templatefile": true}

// secretSet collects the strings of secret values, concurrently.
type secretSet struct {
	mu sync.Mutex
	m  map[string]bool
}

func (s *secretSet) add(str string) {
	if str == "" {
		return
	}
	s.mu.Lock()
	if s.m == nil {
		s.m = map[string]bool{}
	}
	s.m[str] = true
	s.mu.Unlock()
}

// list returns the strings, longest first (so that a redaction replacing
// them in turn replaces a secret before a piece of it).
func (s *secretSet) list() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.m))
	for str := range s.m {
		out = append(out, str)
	}
	sort.Slice(out, func(i, j int) bool {
		if len(out[i]) != len(out[j]) {
			return len(out[i]) > len(out[j])
		}
		return out[i] < out[j]
	})
	return out
}

// exportValue unmarks a value leaving the evaluator, registering the
// strings of its sensitive and file parts as secrets.
func exportValue(in *Instance, v cty.Value) cty.Value {
	if in == nil || !in.mayMark.Load() && !v.IsMarked() {
		return v
	}
	if !v.ContainsMarked() {
		return v
	}
	uv, pvm := v.UnmarkDeepWithPaths()
	var secrets *secretSet
	if in.budget != nil && in.budget.ev != nil {
		secrets = &in.budget.ev.secrets
	}
	if secrets != nil {
		for _, pm := range pvm {
			if !pm.Marks.Has(markFile) && !pm.Marks.Has(markSensitive) {
				continue
			}
			if part, err := pm.Path.Apply(uv); err == nil {
				registerStrings(secrets, part, 0)
			}
		}
	}
	return uv
}

// registerStrings adds every known string inside v (map keys included).
func registerStrings(s *secretSet, v cty.Value, depth int) {
	if depth > maxEvalDepth || !v.IsKnown() || v.IsNull() {
		return
	}
	t := v.Type()
	switch {
	case t == cty.String:
		s.add(v.AsString())
	case t.IsMapType() || t.IsObjectType():
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			if t.IsMapType() {
				s.add(k.AsString())
			}
			registerStrings(s, e, depth+1)
		}
	case t.IsListType() || t.IsSetType() || t.IsTupleType():
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			registerStrings(s, e, depth+1)
		}
	}
}

// unmarked splits a value into its unmarked form and the marks to put
// back on it.
func unmarked(v cty.Value) (cty.Value, []cty.PathValueMarks) {
	if !v.ContainsMarked() {
		return v, nil
	}
	return v.UnmarkDeepWithPaths()
}
