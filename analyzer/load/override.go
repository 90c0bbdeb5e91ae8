package load

import (
	"fmt"
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/tfgate/tfgate/analyzer/model"
)

// Override files. Terraform loads override.tf, *_override.tf (and their
// .tf.json and .tofu forms) after the module's other files and merges each
// of their blocks into the block of the same type and name, in the order
// of the override files' names:
//
//   - an argument of the override replaces the argument of the same name;
//   - the nested blocks of a type the override has replace every nested
//     block of that type (a dynamic block counts as blocks of its type);
//     the types the override does not mention stay;
//   - a resource's lifecycle block merges argument by argument;
//   - locals merge value by value, whichever locals block holds them;
//   - provider blocks match by name and alias.
//
// The merge is a load step, so every rule and the evaluator see merged
// blocks; each argument keeps the range of the file that wrote it, so a
// finding about an overridden argument points at the override file.
// terraform blocks (backends, required_providers, required_version) keep
// their blocks: the model merges those where it reads them (Module.
// BackendBlock, ProviderRequirements). An override block with nothing to
// override is an error in Terraform, and a problem here.

// mergeOverrides merges a module's override files into its blocks, once.
func (l *loader) mergeOverrides(m *model.Module) {
	l.mu.Lock()
	if l.overridden == nil {
		l.overridden = map[*model.Module]bool{}
	}
	done := l.overridden[m]
	l.overridden[m] = true
	l.mu.Unlock()
	if done {
		return
	}
	for _, pr := range applyOverrides(m) {
		l.addProblem(pr)
	}
}

// inOverride reports whether a block comes from an override file.
func inOverride(f *model.File) bool { return f != nil && model.IsOverrideFile(f.Path) }

// overrideOrder sorts override blocks as Terraform applies them: by file
// name, then in source order.
func overrideOrder[T any](xs []T, file func(T) *model.File, at func(T) hcl.Pos) {
	sort.SliceStable(xs, func(i, j int) bool {
		fi, fj := file(xs[i]).Path, file(xs[j]).Path
		if fi != fj {
			return fi < fj
		}
		return at(xs[i]).Byte < at(xs[j]).Byte
	})
}

// applyOverrides merges the override blocks of m into its primary blocks
// and returns the problems: override blocks with no block to override.
func applyOverrides(m *model.Module) []model.Problem {
	hasOverride := false
	for _, f := range m.Files {
		if inOverride(f) {
			hasOverride = true
		}
	}
	if !hasOverride {
		return nil
	}
	var problems []model.Problem
	missing := func(b *model.Block, what string) {
		problems = append(problems, model.Problem{Range: b.DefRange, Module: m.Dir,
			Message: fmt.Sprintf("override of %s: there is no %s in the module's other files to override (Terraform refuses this)", b.Address(), what)})
	}
	blockKey := func(b *model.Block) string {
		if b.Type == "provider" {
			return "provider." + b.ProviderKey()
		}
		return b.Type + "." + fmt.Sprint(b.Labels)
	}
	// mergeList merges the override blocks of one list into its primaries.
	mergeList := func(list []*model.Block, what string, rules mergeRules) []*model.Block {
		var out, over []*model.Block
		index := map[string]int{}
		for _, b := range list {
			if inOverride(b.File) {
				over = append(over, b)
				continue
			}
			if _, dup := index[blockKey(b)]; !dup {
				index[blockKey(b)] = len(out)
			}
			out = append(out, b)
		}
		overrideOrder(over, func(b *model.Block) *model.File { return b.File }, func(b *model.Block) hcl.Pos { return b.DefRange.Start })
		for _, o := range over {
			i, ok := index[blockKey(o)]
			if !ok {
				missing(o, what)
				continue
			}
			merged := *out[i]
			merged.Body = mergeBodies(out[i].Body, o.Body, rules)
			out[i] = &merged
		}
		return out
	}
	m.Resources = mergeList(m.Resources, "block of that type and name", resourceMerge)
	m.Variables = mergeList(m.Variables, "variable of that name", plainMerge)
	m.Outputs = mergeList(m.Outputs, "output of that name", plainMerge)
	m.Providers = mergeList(m.Providers, "provider configuration of that name and alias", plainMerge)

	// Module calls: the merged block, and what the call reads from it.
	var calls, overCalls []*model.ModuleCall
	callIndex := map[string]int{}
	for _, c := range m.ModuleCalls {
		if inOverride(c.Block.File) {
			overCalls = append(overCalls, c)
			continue
		}
		if _, dup := callIndex[c.Name]; !dup {
			callIndex[c.Name] = len(calls)
		}
		calls = append(calls, c)
	}
	overrideOrder(overCalls, func(c *model.ModuleCall) *model.File { return c.Block.File }, func(c *model.ModuleCall) hcl.Pos { return c.Block.DefRange.Start })
	for _, o := range overCalls {
		i, ok := callIndex[o.Name]
		if !ok {
			missing(o.Block, "module call of that name")
			continue
		}
		mb := *calls[i].Block
		mb.Body = mergeBodies(calls[i].Block.Body, o.Block.Body, plainMerge)
		c := *calls[i]
		c.Block = &mb
		c.Source, _ = mb.StaticString("source")
		c.Version, _ = mb.StaticString("version")
		c.Providers = providersMap(&mb)
		calls[i] = &c
	}
	m.ModuleCalls = calls

	// Locals, value by value.
	var locals, overLocals []*model.Local
	localIndex := map[string]int{}
	for _, lv := range m.Locals {
		if inOverride(lv.File) {
			overLocals = append(overLocals, lv)
			continue
		}
		if _, dup := localIndex[lv.Name]; !dup {
			localIndex[lv.Name] = len(locals)
		}
		locals = append(locals, lv)
	}
	overrideOrder(overLocals, func(lv *model.Local) *model.File { return lv.File }, func(lv *model.Local) hcl.Pos { return lv.Attr.Range.Start })
	for _, o := range overLocals {
		i, ok := localIndex[o.Name]
		if !ok {
			problems = append(problems, model.Problem{Range: o.Attr.NameRange, Module: m.Dir,
				Message: fmt.Sprintf("override of local.%s: there is no local value of that name in the module's other files to override (Terraform refuses this)", o.Name)})
			continue
		}
		locals[i] = o
	}
	m.Locals = locals
	return problems
}

// mergeRules says how the nested blocks of a block type merge.
type mergeRules struct {
	// mergedBlocks are nested block types merged argument by argument
	// rather than replaced (a resource's lifecycle).
	mergedBlocks map[string]bool
}

var (
	plainMerge    = mergeRules{}
	resourceMerge = mergeRules{mergedBlocks: map[string]bool{"lifecycle": true}}
)

// mergeBodies is an override body merged into a base body. Native syntax
// on both sides gives a native body (what the rules' fast paths read);
// anything else a body that merges as it is read.
func mergeBodies(base, over hcl.Body, rules mergeRules) hcl.Body {
	bs, ok1 := base.(*hclsyntax.Body)
	os, ok2 := over.(*hclsyntax.Body)
	if !ok1 || !ok2 {
		return &mergedBody{base: base, over: over}
	}
	out := &hclsyntax.Body{Attributes: hclsyntax.Attributes{}, SrcRange: bs.SrcRange, EndRange: bs.EndRange}
	for n, a := range bs.Attributes {
		out.Attributes[n] = a
	}
	for n, a := range os.Attributes {
		out.Attributes[n] = a
	}
	replaced := map[string]bool{}
	for _, b := range os.Blocks {
		replaced[nestedType(b)] = true
	}
	var kept []*hclsyntax.Block
	baseMerged := map[string]*hclsyntax.Block{}
	for _, b := range bs.Blocks {
		t := nestedType(b)
		if rules.mergedBlocks[b.Type] && replaced[t] {
			baseMerged[b.Type] = b
			continue
		}
		if !replaced[t] {
			kept = append(kept, b)
		}
	}
	out.Blocks = kept
	for _, b := range os.Blocks {
		if base := baseMerged[b.Type]; base != nil {
			mb := *base
			mb.Body = mergeBodies(base.Body, b.Body, plainMerge).(*hclsyntax.Body)
			out.Blocks = append(out.Blocks, &mb)
			delete(baseMerged, b.Type)
			continue
		}
		out.Blocks = append(out.Blocks, b)
	}
	return out
}

// nestedType is a nested block's type, a dynamic block's generated type.
func nestedType(b *hclsyntax.Block) string {
	if b.Type == "dynamic" && len(b.Labels) == 1 {
		return b.Labels[0]
	}
	return b.Type
}

// mergedBody merges an override body into a base body as it is read, for
// bodies that are not both native syntax (.tf.json on either side).
type mergedBody struct{ base, over hcl.Body }

func (b *mergedBody) Content(s *hcl.BodySchema) (*hcl.BodyContent, hcl.Diagnostics) {
	c, _, d := b.PartialContent(s)
	return c, d
}

func (b *mergedBody) PartialContent(s *hcl.BodySchema) (*hcl.BodyContent, hcl.Body, hcl.Diagnostics) {
	bc, brest, d := b.base.PartialContent(s)
	// An override sets only what it changes: nothing is required of it.
	os := &hcl.BodySchema{Blocks: s.Blocks}
	for _, a := range s.Attributes {
		a.Required = false
		os.Attributes = append(os.Attributes, a)
	}
	oc, orest, od := b.over.PartialContent(os)
	d = append(d, od...)
	if bc == nil || oc == nil {
		return bc, brest, d
	}
	out := &hcl.BodyContent{Attributes: hcl.Attributes{}, MissingItemRange: bc.MissingItemRange}
	for n, a := range bc.Attributes {
		out.Attributes[n] = a
	}
	for n, a := range oc.Attributes {
		out.Attributes[n] = a
	}
	replaced := map[string]bool{}
	for _, blk := range oc.Blocks {
		t := blk.Type
		if t == "dynamic" && len(blk.Labels) == 1 {
			t = blk.Labels[0]
		}
		replaced[t] = true
	}
	for _, blk := range bc.Blocks {
		t := blk.Type
		if t == "dynamic" && len(blk.Labels) == 1 {
			t = blk.Labels[0]
		}
		if !replaced[t] {
			out.Blocks = append(out.Blocks, blk)
		}
	}
	out.Blocks = append(out.Blocks, oc.Blocks...)
	return out, &mergedBody{base: brest, over: orest}, d
}

func (b *mergedBody) JustAttributes() (hcl.Attributes, hcl.Diagnostics) {
	ba, d := b.base.JustAttributes()
	oa, od := b.over.JustAttributes()
	out := hcl.Attributes{}
	for n, a := range ba {
		out[n] = a
	}
	for n, a := range oa {
		out[n] = a
	}
	return out, append(d, od...)
}

func (b *mergedBody) MissingItemRange() hcl.Range { return b.base.MissingItemRange() }
