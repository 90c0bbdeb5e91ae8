package eval

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/zclconf/go-cty/cty"
)

// Instances shared by calls. Two calls in one parent instance that give a
// module the same inputs (values, unknowns, marks and provider mapping
// alike) make the same instance: it is evaluated once, and the second call
// is recorded as another way to reach it (Vias). Modules that each call
// the next twice (2^17 instances from 18 files of ten lines) are then
// linear in the distinct instances.

// maxKeyLen bounds the key of an instance; inputs larger than that are
// not shared (they are not what fans out).
const maxKeyLen = 64 << 10

// instanceKey identifies a child instance by its parent, module, provider
// mapping and input values, or is "" when it is too large to compare.
func instanceKey(in *Instance) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%p\x00%s\x00", in.Parent, in.Module.AbsDir)
	provs := make([]string, 0, len(in.Call.Providers))
	for k, v := range in.Call.Providers {
		provs = append(provs, k+"="+v)
	}
	sort.Strings(provs)
	b.WriteString(strings.Join(provs, ","))
	names := make([]string, 0, len(in.vars))
	for n := range in.vars {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		b.WriteString("\x00" + n + "=")
		if !canonical(&b, in.vars[n].marked(), 0) {
			return ""
		}
	}
	if b.Len() > maxKeyLen {
		return ""
	}
	return b.String()
}

// canonical writes a value with its type, unknowns and marks, so that two
// values write the same text only when they are the same value.
func canonical(b *strings.Builder, v cty.Value, depth int) bool {
	if b.Len() > maxKeyLen || depth > maxEvalDepth {
		return false
	}
	if v.IsMarked() {
		var marks cty.ValueMarks
		v, marks = v.Unmark()
		ms := make([]string, 0, len(marks))
		for m := range marks {
			ms = append(ms, fmt.Sprint(m))
		}
		sort.Strings(ms)
		b.WriteString("<" + strings.Join(ms, ",") + ">")
	}
	t := v.Type()
	switch {
	case !v.IsKnown():
		b.WriteString("?" + t.GoString())
		return true
	case v.IsNull():
		b.WriteString("null:" + t.GoString())
		return true
	case t == cty.String:
		b.WriteString(strconv.Quote(v.AsString()))
	case t == cty.Number:
		b.WriteString(v.AsBigFloat().Text('g', -1))
	case t == cty.Bool:
		b.WriteString(strconv.FormatBool(v.True()))
	case t.IsListType() || t.IsSetType() || t.IsTupleType() || t.IsMapType() || t.IsObjectType():
		// The type first: an empty list of strings is not an empty tuple.
		if t.IsListType() || t.IsSetType() || t.IsMapType() {
			b.WriteString(t.GoString())
		} else if t.IsTupleType() {
			b.WriteString("tuple")
		} else {
			b.WriteString("object")
		}
		b.WriteString("{")
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			if t.IsMapType() || t.IsObjectType() {
				b.WriteString(strconv.Quote(k.AsString()) + ":")
			}
			if !canonical(b, e, depth+1) {
				return false
			}
			b.WriteString(",")
		}
		b.WriteString("}")
	default:
		b.WriteString(t.GoString())
	}
	return true
}

// maxVias bounds the call chains a finding names.
const maxVias = 16

// Vias names every call chain that reaches this instance (Via for each,
// including the calls that share it), at most 16; "" chains are left out.
func (in *Instance) Vias() []string {
	if !in.shared() {
		if v := in.Via(); v != "" {
			return []string{v}
		}
		return nil
	}
	var out []string
	seen := map[string]bool{}
	for _, c := range in.chains(maxVias) {
		if c != "" && !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out
}

// shared reports whether the instance or one of its parents is shared by
// several calls.
func (in *Instance) shared() bool {
	for i := in; i != nil; i = i.Parent {
		if len(i.aliases) > 0 {
			return true
		}
	}
	return false
}

// chains returns up to limit call chains of in, as Via spells them.
func (in *Instance) chains(limit int) []string {
	if in.Parent == nil {
		return []string{""}
	}
	paths := in.callPaths(limit)
	root := in.Root().Module.Name()
	for i := range paths {
		paths[i] += " in " + root
	}
	return paths
}

// callPaths are the module paths (module.a.module.b) that reach in.
func (in *Instance) callPaths(limit int) []string {
	if in.Parent == nil {
		return []string{""}
	}
	var out []string
	parents := in.Parent.callPaths(limit)
	for _, self := range append([]*Instance{in}, in.aliases...) {
		for _, p := range parents {
			path := "module." + self.Call.Name
			if p != "" {
				path = p + ".module." + self.Call.Name
			}
			out = append(out, path)
			if len(out) >= limit {
				return out
			}
		}
	}
	return out
}
