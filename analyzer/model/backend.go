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
	base = strings.TrimSuffix(strings.TrimSuffix(base, ".tf"), ".tofu")
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
	// Store parts name the store (bucket, container, organization) rather
	// than the path of a state inside it.
	Store bool
	// NamedOnly parts are used only by named workspaces (S3's
	// workspace_key_prefix): the default workspace's state ignores them.
	NamedOnly bool
}

// StateLocation is where a backend keeps its states, one per workspace:
// the store (bucket, container, organization and endpoints) and the path
// of each workspace's state inside it, as Terraform computes them.
type StateLocation struct {
	Type  string
	Parts []StatePart
	// Default is the path of the default workspace's state in the store;
	// HasDefault is false when the backend has no default workspace
	// (remote `workspaces { prefix }`).
	Default    string
	HasDefault bool
	// Named says where the state of a named workspace W is:
	// Named.Prefix + W + Named.Suffix. nil when the backend keeps a single
	// workspace (http, remote and cloud with `workspaces { name }`).
	Named *WorkspacePath
}

// WorkspacePath is the path of named workspaces' states: Prefix + W +
// Suffix for workspace W.
type WorkspacePath struct{ Prefix, Suffix string }

// path is the state path of named workspace w.
func (p *WorkspacePath) path(w string) string { return p.Prefix + w + p.Suffix }

// Match returns the workspace whose state is at path s, if a valid
// workspace name gives it (not "default", no "/", as
// `terraform workspace new` requires).
func (p *WorkspacePath) Match(s string) (string, bool) {
	if len(s) <= len(p.Prefix)+len(p.Suffix) || !strings.HasPrefix(s, p.Prefix) || !strings.HasSuffix(s, p.Suffix) {
		return "", false
	}
	w := s[len(p.Prefix) : len(s)-len(p.Suffix)]
	if w == "default" || !validWorkspaceName(w) {
		return "", false
	}
	return w, true
}

// validWorkspaceName is Terraform's rule: the name is its own URL path
// escape (no "/", spaces or other reserved characters).
func validWorkspaceName(w string) bool {
	for _, r := range w {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-._~!$&'()*+,;=:@", r)) {
			return false
		}
	}
	return w != ""
}

// StoreKey is a comparable form of the store: states of two locations with
// the same StoreKey are the same state exactly when their paths are equal.
func (l *StateLocation) StoreKey() string {
	var b strings.Builder
	b.WriteString(l.Type)
	for _, p := range l.Parts {
		if !p.Store {
			continue
		}
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
func (l *StateLocation) String() string { return l.render(false) }

// DefaultString is String without the parts the default workspace does not
// use (S3's workspace_key_prefix).
func (l *StateLocation) DefaultString() string { return l.render(true) }

func (l *StateLocation) render(defaultOnly bool) string {
	var parts []string
	for i, p := range l.Parts {
		switch {
		case p.Secret, defaultOnly && p.NamedOnly:
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

// Part returns the part of that name, nil when the backend has none.
func (l *StateLocation) Part(name string) *StatePart {
	for i := range l.Parts {
		if l.Parts[i].Name == name {
			return &l.Parts[i]
		}
	}
	return nil
}

type statePartSpec struct {
	name      string // setting, or "block.attr" for nested settings
	def       string // default when unset
	required  bool   // without it the location is not known
	secret    bool
	store     bool // names the store, not a path in it
	namedOnly bool // used only by named workspaces
}

// stateBackend is how a backend type addresses its states: the settings
// that name them, and the path of each workspace's state from their
// values (by setting name), as Terraform's backend computes it.
type stateBackend struct {
	parts []statePartSpec
	// paths returns the default workspace's path (ok false: there is no
	// default workspace) and the named workspaces' template (nil: the
	// backend keeps one workspace).
	paths func(v map[string]string) (def string, ok bool, named *WorkspacePath)
}

// joinedPath is path.Join(prefix, W, suffix) as a template: the way S3,
// OSS and COS place a named workspace's state.
func joinedPath(elems ...string) *WorkspacePath {
	const w = "\x00"
	j := path.Join(append(elems[:1:1], append([]string{w}, elems[1:]...)...)...)
	pre, suf, _ := strings.Cut(j, w)
	return &WorkspacePath{Prefix: pre, Suffix: suf}
}

// stateBackends lists, per backend type, how states are addressed
// (Terraform's internal/backend/remote-state/*: S3's path(), GCS's
// stateFile(), azurerm's path(), consul's path with "-env:"…). Backends
// whose state depends on something outside the configuration (kubernetes:
// the cluster of the current kubeconfig; local: the working directory) are
// not listed.
var stateBackends = map[string]stateBackend{
	"s3": {
		parts: []statePartSpec{
			{name: "endpoints.s3", store: true}, {name: "endpoint", store: true},
			{name: "bucket", required: true, store: true},
			{name: "workspace_key_prefix", def: "env:", namedOnly: true},
			{name: "key", required: true},
		},
		// The default workspace's state is at key; a named workspace's at
		// workspace_key_prefix/W/key.
		paths: func(v map[string]string) (string, bool, *WorkspacePath) {
			return v["key"], true, joinedPath(v["workspace_key_prefix"], v["key"])
		},
	},
	"gcs": {
		parts: []statePartSpec{
			{name: "bucket", required: true, store: true},
			{name: "prefix"},
		},
		// Every workspace, the default included, is prefix/W.tfstate.
		paths: func(v map[string]string) (string, bool, *WorkspacePath) {
			n := joinedPath(v["prefix"], ".tfstate")
			n.Suffix = strings.TrimPrefix(n.Suffix, "/")
			return n.path("default"), true, n
		},
	},
	"azurerm": {
		parts: []statePartSpec{
			{name: "environment", def: "public", store: true},
			{name: "storage_account_name", required: true, store: true},
			{name: "container_name", required: true, store: true},
			{name: "key", required: true},
		},
		// key, and key + "env:" + W for a named workspace.
		paths: func(v map[string]string) (string, bool, *WorkspacePath) {
			return v["key"], true, &WorkspacePath{Prefix: v["key"] + "env:"}
		},
	},
	"remote": {
		parts: []statePartSpec{
			{name: "hostname", def: "app.terraform.io", store: true},
			{name: "organization", required: true, store: true},
			{name: "workspaces.name"},
			{name: "workspaces.prefix"},
		},
		paths: remoteWorkspaces,
	},
	"cloud": {
		parts: []statePartSpec{
			{name: "hostname", def: "app.terraform.io", store: true},
			{name: "organization", required: true, store: true},
			{name: "workspaces.name", required: true},
		},
		paths: remoteWorkspaces,
	},
	"consul": {
		parts: []statePartSpec{
			{name: "address", required: true, store: true},
			{name: "datacenter", store: true},
			{name: "path", required: true},
		},
		paths: func(v map[string]string) (string, bool, *WorkspacePath) {
			return v["path"], true, &WorkspacePath{Prefix: v["path"] + "-env:"}
		},
	},
	"http": {
		parts: []statePartSpec{
			{name: "address", required: true},
		},
		// One state per address; the http backend has no workspaces.
		paths: func(v map[string]string) (string, bool, *WorkspacePath) {
			return v["address"], true, nil
		},
	},
	"pg": {
		parts: []statePartSpec{
			{name: "conn_str", required: true, secret: true, store: true},
			{name: "schema_name", def: "terraform_remote_state"},
		},
		// One row per workspace, by name, in the schema's states table.
		paths: func(v map[string]string) (string, bool, *WorkspacePath) {
			p := v["schema_name"] + "\x00"
			return p + "default", true, &WorkspacePath{Prefix: p}
		},
	},
	"oss": {
		parts: []statePartSpec{
			{name: "endpoint", store: true},
			{name: "bucket", required: true, store: true},
			{name: "prefix", def: "env:"},
			{name: "key", def: "terraform.tfstate"},
		},
		// prefix/key, and prefix/W/key for a named workspace.
		paths: prefixKeyPaths,
	},
	"cos": {
		parts: []statePartSpec{
			{name: "bucket", required: true, store: true},
			{name: "prefix"},
			{name: "key", def: "terraform.tfstate"},
		},
		paths: prefixKeyPaths,
	},
}

func prefixKeyPaths(v map[string]string) (string, bool, *WorkspacePath) {
	return path.Join(v["prefix"], v["key"]), true, joinedPath(v["prefix"], v["key"])
}

// remoteWorkspaces: `workspaces { name }` maps the only workspace to that
// remote workspace; `workspaces { prefix }` maps workspace W to prefix+W
// and has no default workspace.
func remoteWorkspaces(v map[string]string) (string, bool, *WorkspacePath) {
	if n, ok := v["workspaces.name"]; ok {
		return n, true, nil
	}
	return "", false, &WorkspacePath{Prefix: v["workspaces.prefix"]}
}

// StateLocation returns where the backend keeps its workspaces' states.
// ok is false when that cannot be known statically: a setting is unknown or
// left to init time, the backend type is not one tfgate can address, or
// the configuration selects workspaces by tags (cloud `workspaces { tags }`).
func (b *Backend) StateLocation() (loc *StateLocation, ok bool) {
	sb, known := stateBackends[b.Type]
	if !known {
		return nil, false
	}
	loc = &StateLocation{Type: b.Type}
	vals := map[string]string{}
	for _, s := range sb.parts {
		name, sub, nested := strings.Cut(s.name, ".")
		var v cty.Value
		if nested {
			v = b.Value(name, sub)
		} else {
			v = b.Value(name)
		}
		part := StatePart{Name: s.name, Value: s.def, Secret: s.secret, Store: s.store, NamedOnly: s.namedOnly}
		if v == cty.NilVal || (v.IsKnown() && v.IsNull()) {
			if s.required {
				return nil, false
			}
			if s.def != "" || !strings.HasPrefix(s.name, "workspaces.") {
				vals[s.name] = s.def
				loc.Parts = append(loc.Parts, part)
			}
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
		vals[s.name] = str
		loc.Parts = append(loc.Parts, part)
	}
	if b.Type == "remote" {
		_, hasName := vals["workspaces.name"]
		_, hasPrefix := vals["workspaces.prefix"]
		if hasName == hasPrefix {
			return nil, false // neither (left to init time) or both (invalid)
		}
	}
	loc.Default, loc.HasDefault, loc.Named = sb.paths(vals)
	return loc, true
}

var templatePlaceholder = regexp.MustCompile(`(?i)^(<[^>]*>|\{\{.*\}\}|\$\{.*\}|x{3,}|(update|change|replace|fill|set|edit)[-_ ]?(me|this|it)\b.*|.*\b(your|my)[-_](bucket|project|org|organization|account|container|prefix|key)\b.*|todo|tbd|fixme|placeholder|example|changeme|replaceme)$`)

// isTemplatePlaceholder reports whether a configuration value is a stand-in
// that a template asks users to replace ("UPDATE_ME", "<bucket>",
// "REPLACE_ME", "your-bucket"), not a real name.
func isTemplatePlaceholder(s string) bool {
	return templatePlaceholder.MatchString(strings.TrimSpace(s))
}
