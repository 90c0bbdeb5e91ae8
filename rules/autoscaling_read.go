package rules

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/tfgate/tfgate/analyzer/eval"
	"github.com/tfgate/tfgate/analyzer/model"
	"github.com/zclconf/go-cty/cty"
)

// Reading the bounds of autoscaling-bounds from a resource scope.

// boundValue is one evaluated bound.
type boundValue struct {
	name      string // min_size, autoscaling.knative.dev/maxScale
	path      string // attribute path from the resource, for Finding.Attribute
	set       bool   // written and not null (or a provider default)
	known     bool
	n         float64
	origin    string
	isDefault bool
	rng       hcl.Range // the attribute (or map entry) when written
	anchor    hcl.Range // the innermost existing block, for missing bounds
	sensitive bool      // marked sensitive in a plan: compared, never shown
}

func (b boundValue) String() string {
	if b.isDefault {
		return fmt.Sprintf("the default %s of %s", b.name, boundsNum(b.n))
	}
	if b.sensitive {
		return b.name + " (sensitive)"
	}
	if b.origin == "" || b.origin == planOrigin {
		return fmt.Sprintf("%s = %s", b.name, boundsNum(b.n))
	}
	return fmt.Sprintf("%s = %s (%s)", b.name, boundsNum(b.n), b.origin)
}

// planOrigin is what Origin says about a value read from a plan; the
// finding says once that its values came from the plan.
const planOrigin = "the plan"

func boundsNum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// readBound evaluates a field in a bounds block. prefix is the attribute
// path of the bounds block.
func readBound(blk eval.Scope, f boundField, prefix string) boundValue {
	b := boundValue{name: f.name(), anchor: blk.Block.DefRange}
	parts := []string{}
	if prefix != "" {
		parts = append(parts, prefix)
	}
	parts = append(parts, f.blocks...)
	parts = append(parts, f.attr)
	b.path = strings.Join(parts, ".")
	if f.key != "" {
		b.path += fmt.Sprintf("[%q]", f.key)
	}
	sc := blk
	for _, t := range f.blocks {
		bs := sc.Blocks(t)
		if len(bs) == 0 {
			return b
		}
		sc = bs[0]
		b.anchor = sc.Block.DefRange
	}
	v, a := sc.Attr(f.attr)
	if a == nil {
		return b
	}
	b.rng = a.Range
	if f.key == "" {
		if v.IsKnown() && v.IsNull() {
			return b
		}
		b.set = true
		b.n, b.known = model.KnownNumber(v)
		if b.known {
			b.origin = sc.TraceOrigin(a.Expr)
		}
		return b
	}
	// A map entry: absent only when the map and its keys are known.
	b.anchor = a.Range
	if !v.IsKnown() {
		b.set = true
		return b
	}
	if v.IsNull() {
		return b
	}
	entries, ok := model.KnownKeys(v)
	if !ok {
		b.set = true
		return b
	}
	e, ok := entries[f.key]
	if !ok || (e.IsKnown() && e.IsNull()) {
		return b
	}
	b.set = true
	b.n, b.known = model.KnownNumber(e)
	if b.known {
		b.origin = sc.TraceOrigin(a.Expr, cty.StringVal(f.key))
		if r, ok := sc.EntryRange(a.Expr, f.key); ok {
			b.rng = r
		}
	}
	return b
}

// boundsHasBlocks reports whether a nested block path exists.
func boundsHasBlocks(s eval.Scope, path []string) bool {
	for _, t := range path {
		bs := s.Blocks(t)
		if len(bs) == 0 {
			return false
		}
		s = bs[0]
	}
	return true
}
