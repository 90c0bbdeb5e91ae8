package model

import (
	"fmt"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// Backend is the effective configuration of a root module's state storage:
// its backend (or cloud) block with partial configuration merged in, the
// way `terraform init -backend-config=FILE` merges it.
//
// Backend blocks and backend configuration files accept only literal
// values: anything else (a variable, a function call, a template with
// interpolation) is unknown here, as Terraform would refuse it.
type Backend struct {
	// Type is the backend type ("s3", "gcs", "local"…), or "cloud" for a
	// cloud block.
	Type   string
	Cloud  bool   // a cloud block (HCP Terraform / Terraform Enterprise)
	Block  *Block // the backend or cloud block in effect
	Module *Module
	// Attrs holds every setting after merging, by name. Nested blocks
	// (workspaces { … }) become object values.
	Attrs map[string]*BackendAttr
	// Partial is true when the block itself sets nothing: every setting is
	// meant to arrive at init time.
	Partial bool
	// Alternative is the module directory's *.tfbackend file this candidate
	// was merged with (see Module.BackendCandidates); nil when none.
	Alternative *File
	// Files are the configuration files merged into the block, in order
	// (later files win): the alternative, then the --backend-config files.
	Files []*File
}

// BackendAttr is one backend setting and where it is written.
type BackendAttr struct {
	Name  string
	Value cty.Value // unknown when not a literal
	Range hcl.Range // the whole attribute (or the nested block's header)
	File  *File     // the file it is written in
}

// IsOverrideFile reports whether a configuration file is a Terraform
// override file (override.tf, *_override.tf and their .tf.json forms).
func IsOverrideFile(p string) bool {
	base := path.Base(filepath.ToSlash(p))
	base = strings.TrimSuffix(base, ".json")
	base = strings.TrimSuffix(base, ".tf")
	return base == "override" || strings.HasSuffix(base, "_override")
}

// BackendBlock returns the backend or cloud block in effect for the
// module: the first one in a normal file, replaced by the last one in an
// override file, as Terraform merges them. It is nil when the module
// declares none (Terraform then uses the local backend).
func (m *Module) BackendBlock() *Block {
	var primary, override *Block
	for _, b := range m.Backends {
		if IsOverrideFile(b.File.Path) {
			override = b
		} else if primary == nil {
			primary = b
		}
	}
	if override != nil {
		return override
	}
	return primary
}

// BackendCandidates returns every configuration the module's backend may
// be initialised with. The *.tfbackend files kept in the module directory
// are alternatives (dev.s3.tfbackend, prod.s3.tfbackend: one per
// environment), so each gives one candidate: the block, that file, then
// the extra files. When an extra file lives in the module directory, the
// user chose the alternative and only block+extra is returned; with no
// backend file at all, there is one candidate. The result is empty when the
// module has no backend or cloud block.
func (m *Module) BackendCandidates(extra []*File) []*Backend {
	if m.BackendBlock() == nil {
		return nil
	}
	var alts []*File
	chosen := false
	for _, f := range extra {
		if filepath.Dir(f.Abs) == m.AbsDir {
			chosen = true
		}
	}
	if !chosen {
		for _, f := range m.BackendFile {
			if f.HCL != nil {
				alts = append(alts, f)
			}
		}
	}
	if len(alts) == 0 {
		return []*Backend{m.mergeBackend(nil, extra)}
	}
	sort.Slice(alts, func(i, j int) bool { return alts[i].Path < alts[j].Path })
	out := make([]*Backend, 0, len(alts))
	for _, alt := range alts {
		out = append(out, m.mergeBackend(alt, extra))
	}
	return out
}

func (m *Module) mergeBackend(alt *File, extra []*File) *Backend {
	blk := m.BackendBlock()
	if blk == nil {
		return nil
	}
	b := &Backend{Block: blk, Module: m, Attrs: map[string]*BackendAttr{}}
	if blk.Type == "cloud" {
		b.Type, b.Cloud = "cloud", true
	} else if len(blk.Labels) > 0 {
		b.Type = blk.Labels[0]
	}
	for name, a := range bodyLiterals(blk.Body, blk.File) {
		b.Attrs[name] = a
	}
	b.Partial = len(b.Attrs) == 0
	if b.Cloud {
		return b
	}
	files := make([]*File, 0, len(extra)+1)
	if alt != nil {
		files = append(files, alt)
		b.Alternative = alt
	}
	for _, f := range extra {
		if f != nil && f.HCL != nil {
			files = append(files, f)
		}
	}
	for _, f := range files {
		for name, a := range bodyLiterals(f.HCL.Body, f) {
			b.Attrs[name] = a
		}
	}
	b.Files = files
	return b
}

// bodyLiterals reads the settings of a backend block or backend file:
// attributes evaluated without any context, nested blocks as objects.
func bodyLiterals(body hcl.Body, f *File) map[string]*BackendAttr {
	out := map[string]*BackendAttr{}
	if sb, ok := body.(*hclsyntax.Body); ok {
		for name, a := range sb.Attributes {
			out[name] = &BackendAttr{Name: name, Value: literal(a.Expr), Range: a.SrcRange, File: f}
		}
		for _, nb := range sb.Blocks {
			if _, dup := out[nb.Type]; dup {
				continue
			}
			out[nb.Type] = &BackendAttr{Name: nb.Type, Value: blockObject(nb), Range: hcl.RangeBetween(nb.TypeRange, nb.OpenBraceRange), File: f}
		}
		return out
	}
	attrs, _ := body.JustAttributes()
	for name, a := range attrs {
		out[name] = &BackendAttr{Name: name, Value: literal(a.Expr), Range: a.Range, File: f}
	}
	return out
}

func blockObject(b *hclsyntax.Block) cty.Value {
	vals := map[string]cty.Value{}
	for name, a := range b.Body.Attributes {
		vals[name] = literal(a.Expr)
	}
	for _, nb := range b.Body.Blocks {
		if _, dup := vals[nb.Type]; !dup {
			vals[nb.Type] = blockObject(nb)
		}
	}
	return cty.ObjectVal(vals)
}

// literal evaluates a backend setting: only literals are known.
func literal(e hcl.Expression) (v cty.Value) {
	defer func() {
		if r := recover(); r != nil {
			v = cty.DynamicVal
		}
	}()
	v, d := e.Value(nil)
	if d.HasErrors() {
		return cty.DynamicVal
	}
	return v
}

// Attr returns a setting, or nil when it is not set anywhere.
func (b *Backend) Attr(name string) *BackendAttr { return b.Attrs[name] }

// Has reports whether a setting is written somewhere (known or not).
func (b *Backend) Has(name string) bool { return b.Attrs[name] != nil }

// Value returns a setting's value, following object attributes for nested
// settings: Value("workspaces", "name"), Value("endpoints", "s3"). It is
// cty.NilVal when the setting (or a step of the path) is absent, and
// unknown when it cannot be known.
func (b *Backend) Value(name string, path ...string) cty.Value {
	a := b.Attrs[name]
	if a == nil {
		return cty.NilVal
	}
	v := a.Value
	for _, p := range path {
		if !v.IsKnown() {
			return cty.DynamicVal
		}
		if v.IsNull() {
			return cty.NilVal
		}
		t := v.Type()
		switch {
		case t.IsObjectType():
			if !t.HasAttribute(p) {
				return cty.NilVal
			}
			v = v.GetAttr(p)
		case t.IsMapType():
			k := cty.StringVal(p)
			if !v.HasIndex(k).True() {
				return cty.NilVal
			}
			v = v.Index(k)
		default:
			return cty.NilVal
		}
	}
	return v
}

// Name describes the backend for messages: `backend "s3"` or `cloud block`.
func (b *Backend) Name() string {
	if b.Cloud {
		return "cloud block"
	}
	return fmt.Sprintf("backend %q", b.Type)
}

// Address is the block's address, with the alternative backend file when
// there is one ("terraform.backend.s3@prod.s3.tfbackend"), so that findings
// about different candidates of one module stay distinct.
func (b *Backend) Address() string {
	a := b.Block.Address()
	if b.Alternative != nil {
		a += "@" + path.Base(b.Alternative.Path)
	}
	return a
}

// Range is where findings about the backend as a whole go: the block header.
func (b *Backend) Range() hcl.Range { return b.Block.DefRange }

// AttrRange is where findings about one setting go: the setting when it is
// written, else the block header.
func (b *Backend) AttrRange(name string) hcl.Range {
	if a := b.Attrs[name]; a != nil {
		return a.Range
	}
	return b.Block.DefRange
}

// StatePart is one component of the address of a state.
type StatePart struct {
	Name  string       // setting name: "bucket", "key", "workspaces.name"
	Value string       // the value, or the backend's default
	Attr  *BackendAttr // nil when the default applies
	// Secret parts (connection strings) are compared but never shown.
	Secret bool
}

// StateLocation identifies the state a backend stores for the default
// workspace, by the settings that address it.
type StateLocation struct {
	Type  string
	Parts []StatePart
}

// Key is a comparable form of the location.
func (l *StateLocation) Key() string {
	var b strings.Builder
	b.WriteString(l.Type)
	for _, p := range l.Parts {
		b.WriteByte(0)
		b.WriteString(p.Name)
		b.WriteByte('=')
		b.WriteString(p.Value)
	}
	return b.String()
}

// String renders the parts that are written and not secret, and the most
// specific part when its default applies:
// `bucket "acme-tfstate", key "app.tfstate"`, `bucket "acme-tfstate", no prefix`.
func (l *StateLocation) String() string {
	var parts []string
	for i, p := range l.Parts {
		switch {
		case p.Secret:
		case p.Attr != nil:
			parts = append(parts, fmt.Sprintf("%s %q", p.Name, p.Value))
		case i < len(l.Parts)-1:
		case p.Value == "":
			parts = append(parts, "no "+p.Name)
		default:
			parts = append(parts, fmt.Sprintf("%s %q (the default)", p.Name, p.Value))
		}
	}
	return strings.Join(parts, ", ")
}

// Specific is the most specific part (the key, the prefix, the workspace
// name): the one a copy-pasted configuration forgot to change. Its Attr is
// nil when the backend's default applies.
func (l *StateLocation) Specific() *StatePart {
	if len(l.Parts) == 0 {
		return nil
	}
	return &l.Parts[len(l.Parts)-1]
}

type statePartSpec struct {
	name     string // setting, or "block.attr" for nested settings
	def      string // default when unset
	required bool   // without it the location is not known
	secret   bool
}

// stateAddressing lists, per backend type, the settings that together
// address the state of the default workspace. Backends whose state depends
// on something outside the configuration (kubernetes: the cluster of the
// current kubeconfig; local: the working directory) are not listed.
var stateAddressing = map[string][]statePartSpec{
	"s3": {
		{name: "endpoints.s3"}, {name: "endpoint"},
		{name: "bucket", required: true},
		{name: "workspace_key_prefix", def: "env:"},
		{name: "key", required: true},
	},
	"gcs": {
		{name: "bucket", required: true},
		{name: "prefix"},
	},
	"azurerm": {
		{name: "environment", def: "public"},
		{name: "storage_account_name", required: true},
		{name: "container_name", required: true},
		{name: "key", required: true},
	},
	"remote": {
		{name: "hostname", def: "app.terraform.io"},
		{name: "organization", required: true},
		{name: "workspaces.name", required: true},
	},
	"cloud": {
		{name: "hostname", def: "app.terraform.io"},
		{name: "organization", required: true},
		{name: "workspaces.name", required: true},
	},
	"consul": {
		{name: "address", required: true},
		{name: "datacenter"},
		{name: "path", required: true},
	},
	"http": {
		{name: "address", required: true},
	},
	"pg": {
		{name: "conn_str", required: true, secret: true},
		{name: "schema_name", def: "terraform_remote_state"},
	},
	"oss": {
		{name: "endpoint"},
		{name: "bucket", required: true},
		{name: "prefix", def: "env:"},
		{name: "key", def: "terraform.tfstate"},
	},
	"cos": {
		{name: "bucket", required: true},
		{name: "prefix"},
		{name: "key", def: "terraform.tfstate"},
	},
}

// StateLocation returns where the backend keeps the default workspace's
// state. ok is false when that cannot be known statically: a setting is
// unknown or left to init time, the backend type is not one tfgate can
// address, or the configuration selects several workspaces (remote
// `workspaces { prefix }`, cloud `workspaces { tags }`).
func (b *Backend) StateLocation() (loc *StateLocation, ok bool) {
	specs, known := stateAddressing[b.Type]
	if !known {
		return nil, false
	}
	loc = &StateLocation{Type: b.Type}
	for _, s := range specs {
		name, sub, nested := strings.Cut(s.name, ".")
		var v cty.Value
		if nested {
			v = b.Value(name, sub)
		} else {
			v = b.Value(name)
		}
		part := StatePart{Name: s.name, Value: s.def, Secret: s.secret}
		if v == cty.NilVal || (v.IsKnown() && v.IsNull()) {
			if s.required {
				return nil, false
			}
			loc.Parts = append(loc.Parts, part)
			continue
		}
		str, ok := KnownString(v)
		if !ok || isTemplatePlaceholder(str) {
			// A template's "UPDATE_ME" is not a real location: two roots
			// sharing it do not share state.
			return nil, false
		}
		part.Value = str
		part.Attr = b.Attrs[name]
		loc.Parts = append(loc.Parts, part)
	}
	return loc, true
}

var templatePlaceholder = regexp.MustCompile(`(?i)^(<[^>]*>|\{\{.*\}\}|\$\{.*\}|x{3,}|(update|change|replace|fill|set|edit)[-_ ]?(me|this|it)\b.*|.*\b(your|my)[-_](bucket|project|org|organization|account|container|prefix|key)\b.*|todo|tbd|fixme|placeholder|example|changeme|replaceme)$`)

// isTemplatePlaceholder reports whether a configuration value is a stand-in
// that a template asks users to replace ("UPDATE_ME", "<bucket>",
// "REPLACE_ME", "your-bucket"), not a real name.
func isTemplatePlaceholder(s string) bool {
	return templatePlaceholder.MatchString(strings.TrimSpace(s))
}
