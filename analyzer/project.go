package analyzer

import (
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// FileKind says what a file is, by its name.
type FileKind int

const (
	KindTF         FileKind = iota + 1 // *.tf
	KindTFJSON                         // *.tf.json
	KindTFVars                         // *.tfvars
	KindTFVarsJSON                     // *.tfvars.json
	KindBackend                        // *.tfbackend
	KindLock                           // .terraform.lock.hcl
)

// KindOf classifies a file name; ok is false for files tfgate does not read.
func KindOf(name string) (FileKind, bool) {
	switch {
	case name == ".terraform.lock.hcl":
		return KindLock, true
	case strings.HasSuffix(name, ".tf.json"):
		return KindTFJSON, true
	case strings.HasSuffix(name, ".tf"):
		return KindTF, true
	case strings.HasSuffix(name, ".tfvars.json"):
		return KindTFVarsJSON, true
	case strings.HasSuffix(name, ".tfvars"):
		return KindTFVars, true
	case strings.HasSuffix(name, ".tfbackend"):
		return KindBackend, true
	}
	return 0, false
}

// IsJSON reports whether the file uses HCL's JSON syntax.
func (k FileKind) IsJSON() bool { return k == KindTFJSON || k == KindTFVarsJSON }

// File is one parsed file.
type File struct {
	Path    string // slash path relative to the working directory (or absolute outside it)
	Abs     string
	Kind    FileKind
	Src     []byte
	HCL     *hcl.File // nil when the file could not be parsed at all
	Module  *Module   // nil for files given on the command line outside modules
	Ignores []*Ignore
	lines   []int    // byte offset of each line start, built lazily
	top     *fileTop // top-level blocks, extracted by the parse workers
}

// Syntax returns the native-syntax body, or nil for JSON files.
func (f *File) Syntax() *hclsyntax.Body {
	if f.HCL == nil {
		return nil
	}
	b, _ := f.HCL.Body.(*hclsyntax.Body)
	return b
}

// Line returns line n (1-based) of the source without its line ending.
func (f *File) Line(n int) string {
	if f.lines == nil {
		f.lines = []int{0}
		for i, c := range f.Src {
			if c == '\n' {
				f.lines = append(f.lines, i+1)
			}
		}
	}
	if n < 1 || n > len(f.lines) {
		return ""
	}
	start := f.lines[n-1]
	end := len(f.Src)
	if n < len(f.lines) {
		end = f.lines[n] - 1
	}
	if end < start {
		end = start
	}
	return strings.TrimRight(string(f.Src[start:end]), "\r")
}

// ModuleKind says how a module is used.
type ModuleKind int

const (
	// Root modules are where `terraform apply` runs: they own state, backends
	// and lock files.
	Root ModuleKind = iota + 1
	// Child modules are reusable: called through a local source by another
	// scanned module, living under a modules/ directory, or the top of a module
	// repository (a directory with examples/ or modules/ below it and neither a
	// backend nor provider configuration of its own).
	Child
)

func (k ModuleKind) String() string {
	if k == Child {
		return "child"
	}
	return "root"
}

// Module is one directory of Terraform configuration.
type Module struct {
	Dir     string // slash path relative to the working directory; "." for the working directory
	AbsDir  string
	Kind    ModuleKind
	Example bool // a root under examples/, samples/, demo/, test/… (see classify): a demo, not something deployed
	// Scanned is false for modules loaded only because a scanned module calls
	// them (outside the paths given, or vendored): they are evaluated for their
	// callers but not linted on their own.
	Scanned bool
	// External modules live outside the working directory or in a vendored
	// tree; findings inside them are anchored at the calling module block.
	External bool

	Files       []*File // .tf and .tf.json, sorted by name
	VarFiles    []*File // every .tfvars / .tfvars.json in the directory
	BackendFile []*File // *.tfbackend
	LockFile    *File   // .terraform.lock.hcl, when present

	Terraform   []*Block // terraform blocks
	Backends    []*Block // backend and cloud blocks inside terraform blocks
	Variables   []*Block
	Locals      []*Local
	Outputs     []*Block
	Providers   []*Block // provider configuration blocks
	Resources   []*Block // resource, data and ephemeral blocks
	ModuleCalls []*ModuleCall
	Other       []*Block // check, import, moved, removed…

	Callers []*ModuleCall // local calls from other loaded modules

	// installKey and installRoot locate a module that `terraform init`
	// installed: its key path in the root's .terraform/modules/modules.json.
	installKey  string
	installRoot string

	lpOnce sync.Once
	lp     *localPlan

	reqsOnce sync.Once
	reqs     []*ProviderRequirement
}

// IsRoot reports whether the module is a root.
func (m *Module) IsRoot() bool { return m.Kind == Root }

// Name is the module's directory name, for messages.
func (m *Module) Name() string {
	if m.Dir == "." {
		return "."
	}
	return m.Dir
}

// Variable returns the variable block with the given name.
func (m *Module) Variable(name string) *Block {
	for _, v := range m.Variables {
		if v.Labels[0] == name {
			return v
		}
	}
	return nil
}

// FirstRange is where module-level findings go when nothing better exists:
// the first terraform block, else line 1 of the first file.
func (m *Module) FirstRange() hcl.Range {
	if len(m.Terraform) > 0 {
		return m.Terraform[0].DefRange
	}
	if len(m.Files) > 0 {
		f := m.Files[0]
		return hcl.Range{Filename: f.Path, Start: hcl.Pos{Line: 1, Column: 1}, End: hcl.Pos{Line: 1, Column: 1}}
	}
	return hcl.Range{Filename: m.Dir}
}

// RequiredProviders returns the entries of every required_providers block.
func (m *Module) RequiredProviders() []*RequiredProvider {
	var out []*RequiredProvider
	for _, tb := range m.Terraform {
		for _, rp := range tb.Blocks("required_providers") {
			attrs, _ := rp.Body.JustAttributes()
			names := make([]string, 0, len(attrs))
			for n := range attrs {
				names = append(names, n)
			}
			sort.Strings(names)
			for _, n := range names {
				out = append(out, newRequiredProvider(n, attrs[n], rp))
			}
		}
	}
	return out
}

// Local is one entry of a locals block.
type Local struct {
	Name  string
	Attr  *hcl.Attribute
	File  *File
	Block *Block
}

// ModuleCall is a module block.
type ModuleCall struct {
	Block   *Block
	Name    string
	Source  string // "" when not a static string
	Version string // "" when absent or not static
	// Target is the loaded module for local sources ("./x", "../x").
	Target *Module
	// Providers maps the child's provider keys ("aws", "aws.west") to the
	// caller's ("aws.dr"), from the call's providers argument.
	Providers map[string]string
}

// IsLocal reports whether the source is a local path.
func (c *ModuleCall) IsLocal() bool { return IsLocalSource(c.Source) }

// IsLocalSource reports whether a module source is a local directory.
func IsLocalSource(s string) bool {
	return s == "." || s == ".." || strings.HasPrefix(s, "./") || strings.HasPrefix(s, "../") ||
		strings.HasPrefix(s, ".\\") || strings.HasPrefix(s, "..\\")
}

// Block is a configuration block with its location.
type Block struct {
	Type      string
	Labels    []string
	Body      hcl.Body
	DefRange  hcl.Range // the header: type and labels
	TypeRange hcl.Range
	Range     hcl.Range // the whole block when known (native syntax), else DefRange
	File      *File
	Module    *Module
	Parent    *Block // for nested blocks
}

func newBlock(b *hcl.Block, f *File, m *Module, parent *Block) *Block {
	nb := &Block{Type: b.Type, Labels: b.Labels, Body: b.Body, DefRange: b.DefRange, TypeRange: b.TypeRange, Range: b.DefRange, File: f, Module: m, Parent: parent}
	if sb, ok := b.Body.(*hclsyntax.Body); ok {
		nb.Range = hcl.RangeBetween(b.DefRange, sb.SrcRange)
	}
	return nb
}

// Address is the Terraform address of a top-level block: aws_s3_bucket.logs,
// data.aws_iam_policy_document.x, module.network, var.region, output.id,
// local.tags, provider.aws.west, terraform.
func (b *Block) Address() string {
	switch b.Type {
	case "resource":
		return strings.Join(b.Labels, ".")
	case "data", "ephemeral":
		return b.Type + "." + strings.Join(b.Labels, ".")
	case "module":
		return "module." + b.Labels[0]
	case "variable":
		return "var." + b.Labels[0]
	case "output":
		return "output." + b.Labels[0]
	case "provider":
		return "provider." + b.ProviderKey()
	}
	if b.Parent != nil {
		return b.Parent.Address() + "." + strings.Join(append([]string{b.Type}, b.Labels...), ".")
	}
	return strings.Join(append([]string{b.Type}, b.Labels...), ".")
}

// ProviderKey is "aws" or "aws.alias" for a provider block.
func (b *Block) ProviderKey() string {
	if b.Type != "provider" || len(b.Labels) == 0 {
		return ""
	}
	if a := b.Attr("alias"); a != nil {
		if v, d := a.Expr.Value(nil); !d.HasErrors() && v.IsKnown() && !v.IsNull() && v.Type().FriendlyName() == "string" {
			return b.Labels[0] + "." + v.AsString()
		}
	}
	return b.Labels[0]
}

// Attr returns the attribute with the given name, or nil.
func (b *Block) Attr(name string) *hcl.Attribute {
	if sb, ok := b.Body.(*hclsyntax.Body); ok {
		if a, ok := sb.Attributes[name]; ok {
			return a.AsHCLAttribute()
		}
		return nil
	}
	c, _, _ := b.Body.PartialContent(&hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: name}}})
	if c == nil {
		return nil
	}
	return c.Attributes[name]
}

// Attrs returns all attributes of the block (nested blocks are not included
// for native syntax; JSON cannot tell them apart without a schema).
func (b *Block) Attrs() hcl.Attributes { return bodyAttrs(b.Body) }

// Blocks returns the nested blocks of a type, statically (dynamic blocks are
// not expanded; use Scope.Blocks for evaluated content).
func (b *Block) Blocks(typ string, labels ...string) []*Block {
	var out []*Block
	if sb, ok := b.Body.(*hclsyntax.Body); ok {
		for _, nb := range sb.Blocks {
			if nb.Type == typ {
				out = append(out, newBlock(nb.AsHCLBlock(), b.File, b.Module, b))
			}
		}
		return out
	}
	c, _, _ := b.Body.PartialContent(&hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: typ, LabelNames: labels}}})
	if c == nil {
		return nil
	}
	for _, nb := range c.Blocks {
		out = append(out, newBlock(nb, b.File, b.Module, b))
	}
	return out
}

// StaticString returns the attribute's value when it is a literal string
// (or a template without interpolation).
func (b *Block) StaticString(name string) (string, bool) {
	a := b.Attr(name)
	if a == nil {
		return "", false
	}
	return StaticString(a.Expr)
}

// StaticString evaluates an expression without any context and returns it
// when it is a known string.
func StaticString(e hcl.Expression) (string, bool) {
	// The common native-syntax shapes are answered without evaluating: a
	// failed evaluation builds diagnostics, and this is asked of most
	// arguments by several rules.
	switch x := e.(type) {
	case *hclsyntax.TemplateExpr:
		if len(x.Parts) == 1 {
			if lit, ok := x.Parts[0].(*hclsyntax.LiteralValueExpr); ok && lit.Val.Type() == cty.String && lit.Val.IsKnown() && !lit.Val.IsNull() && !lit.Val.IsMarked() {
				return lit.Val.AsString(), true
			}
		}
	case *hclsyntax.ScopeTraversalExpr, *hclsyntax.FunctionCallExpr:
		// References and calls never evaluate without a context.
		return "", false
	case *hclsyntax.ObjectConsExpr, *hclsyntax.TupleConsExpr, *hclsyntax.ForExpr:
		// Objects and tuples, never strings.
		return "", false
	}
	v, d := e.Value(nil)
	if d.HasErrors() || !v.IsWhollyKnown() || v.IsNull() {
		return "", false
	}
	if v.Type().FriendlyName() != "string" {
		return "", false
	}
	return v.AsString(), true
}

// ProviderName is the local provider name a resource, data source or
// ephemeral resource belongs to: its `provider` argument, else the prefix of
// its type.
func (b *Block) ProviderRef() string {
	if a := b.Attr("provider"); a != nil {
		if tr, d := hcl.AbsTraversalForExpr(a.Expr); !d.HasErrors() {
			parts := []string{tr.RootName()}
			for _, s := range tr[1:] {
				if ga, ok := s.(hcl.TraverseAttr); ok {
					parts = append(parts, ga.Name)
				}
			}
			return strings.Join(parts, ".")
		}
	}
	if len(b.Labels) == 0 {
		return ""
	}
	t := b.Labels[0]
	if i := strings.IndexByte(t, '_'); i > 0 {
		return t[:i]
	}
	return t
}

// relDir joins a module-relative slash path.
func relDir(base, p string) string { return path.Clean(path.Join(base, p)) }

// InSourceOrder returns attribute names in the order they are written.
func InSourceOrder(attrs hcl.Attributes) []string {
	names := make([]string, 0, len(attrs))
	for n := range attrs {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool { return attrs[names[i]].Range.Start.Byte < attrs[names[j]].Range.Start.Byte })
	return names
}
