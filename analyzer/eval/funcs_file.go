package eval

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/tfgate/tfgate/internal/fasthcl"
	"github.com/tfgate/tfgate/internal/fsx"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// File functions. Paths are relative to Terraform's working directory, the
// root module's directory (which is why modules write
// "${path.module}/x"); abspath resolves against it too. A file is read
// only when its real path, every symbolic link resolved, is inside the
// repository root (the Git work tree of the scanned path, else the scanned
// path) and it is a regular file within the size limit; anything else is
// refused: the value is unknown and a note says why, and nothing outside
// the repository is ever read. What they read is marked possibly secret.

// RefusedError is the error of a file function that will not read a file.
type RefusedError struct {
	Path string // as written in the configuration
	Why  string
}

func (e *RefusedError) Error() string { return fmt.Sprintf("%q %s", e.Path, e.Why) }

// fileFuncNames are the functions that read through a fileReader.
var fileFuncNames = map[string]bool{
	"file": true, "filebase64": true, "fileexists": true, "fileset": true, "abspath": true,
	"filemd5": true, "filesha1": true, "filesha256": true, "filesha512": true,
	"filebase64sha256": true, "filebase64sha512": true,
}

// taintFuncs are the functions whose results filevalues.go follows: those
// that return what a file holds (not its name, existence or digest), in
// both namespaces.
var taintFuncs = map[string]bool{
	"file": true, "filebase64": true, "templatefile": true,
	"core::file": true, "core::filebase64": true, "core::templatefile": true,
}

// fileReader reads files for one root directory within one repository.
type fileReader struct {
	base  string // Terraform's working directory: the root module's directory
	root  string // the repository root, a real path; "" refuses every read
	once  sync.Once
	funcs map[string]function.Function
	// jsonFuncs are funcs and the guarded functions, for JSON syntax.
	jsonOnce  sync.Once
	jsonFuncs map[string]function.Function
}

// resolve makes a configuration path absolute against the base directory.
func (r *fileReader) resolve(p string) (string, error) {
	if strings.HasPrefix(p, "~") {
		return "", &RefusedError{p, "is in a home directory"}
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(r.base, p)
	}
	return filepath.Clean(p), nil
}

// refused turns fsx's errors into the refusals the evaluator reports.
func refused(p string, err error) error {
	var tl fsx.TooLargeError
	switch {
	case errors.Is(err, fsx.ErrOutside):
		return &RefusedError{p, "resolves outside the repository"}
	case errors.Is(err, fsx.ErrNotRegular):
		return &RefusedError{p, "is not a regular file"}
	case errors.As(err, &tl):
		return &RefusedError{p, "is " + tl.Error()}
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("no file exists at %q", p)
	}
	return &RefusedError{p, "cannot be read: " + fsx.Cause(err).Error()}
}

func (r *fileReader) read(p string) ([]byte, error) {
	abs, err := r.resolve(p)
	if err != nil {
		return nil, err
	}
	if r.root == "" {
		return nil, &RefusedError{p, "is not in a scanned repository"}
	}
	b, err := fsx.ReadWithin(r.root, abs, maxStringLen)
	if err != nil {
		return nil, refused(p, err)
	}
	return b, nil
}

// fileContext returns the file reader of a root directory and the context
// of the instances of its tree (Terraform's functions), once per directory
// and evaluation. The file functions themselves are made when a call
// needs them (fileFunc): most trees call none.
func (ev *evaluator) fileContext(base string) (*fileReader, *hcl.EvalContext) {
	type entry struct {
		r   *fileReader
		ctx *hcl.EvalContext
	}
	if e, ok := ev.fileFuncCache.Load(base); ok {
		return e.(entry).r, e.(entry).ctx
	}
	repo := ev.p.RootOf(fsx.RealPath(base))
	r := &fileReader{base: base, root: repo}
	e, _ := ev.fileFuncCache.LoadOrStore(base, entry{r, rootContext().NewChild()})
	return e.(entry).r, e.(entry).ctx
}

// fileFunc returns a file function reading through r, made once per
// reader.
func (r *fileReader) fileFunc(name string) function.Function {
	r.once.Do(func() { r.funcs = makeFileFuncs(r) })
	return r.funcs[name]
}

func makeFileFuncs(r *fileReader) map[string]function.Function {
	pathParam := []function.Parameter{{Name: "path", Type: cty.String}}
	reader := func(f func(p string, b []byte) (cty.Value, error)) function.Function {
		return function.New(&function.Spec{
			Params: pathParam,
			Type:   function.StaticReturnType(cty.String),
			Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
				p := args[0].AsString()
				b, err := r.read(p)
				if err != nil {
					return cty.UnknownVal(cty.String), err
				}
				return f(p, b)
			},
		})
	}
	hashOf := func(alg string, b64 bool) function.Function {
		return reader(func(_ string, b []byte) (cty.Value, error) { return cty.StringVal(digest(alg, b64, b)), nil })
	}
	m := map[string]function.Function{
		"file": reader(func(p string, b []byte) (cty.Value, error) {
			if !utf8.Valid(b) {
				return cty.UnknownVal(cty.String), fmt.Errorf("contents of %q are not valid UTF-8; use the filebase64 function to obtain the Base64 encoded contents", p)
			}
			return cty.StringVal(string(b)).Mark(markFile), nil
		}),
		"filebase64": reader(func(_ string, b []byte) (cty.Value, error) {
			return cty.StringVal(base64.StdEncoding.EncodeToString(b)).Mark(markFile), nil
		}),
		"filemd5": hashOf("md5", false), "filesha1": hashOf("sha1", false),
		"filesha256": hashOf("sha256", false), "filesha512": hashOf("sha512", false),
		"filebase64sha256": hashOf("sha256", true), "filebase64sha512": hashOf("sha512", true),
		"fileexists": function.New(&function.Spec{
			Params: pathParam,
			Type:   function.StaticReturnType(cty.Bool),
			Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
				p := args[0].AsString()
				abs, err := r.resolve(p)
				if err != nil {
					return cty.UnknownVal(cty.Bool), err
				}
				if r.root == "" {
					return cty.UnknownVal(cty.Bool), &RefusedError{p, "is not in a scanned repository"}
				}
				st, err := fsx.StatWithin(r.root, abs)
				switch {
				case errors.Is(err, fs.ErrNotExist):
					return cty.False, nil
				case err != nil:
					return cty.UnknownVal(cty.Bool), refused(p, err)
				case st.Mode().IsRegular():
					return cty.True, nil
				case st.IsDir():
					return cty.UnknownVal(cty.Bool), function.NewArgErrorf(0, "%s is a directory, not a file", p)
				}
				return cty.UnknownVal(cty.Bool), function.NewArgErrorf(0, "%s is not a regular file", p)
			},
		}),
		"fileset": function.New(&function.Spec{
			Params: []function.Parameter{{Name: "path", Type: cty.String}, {Name: "pattern", Type: cty.String}},
			Type:   function.StaticReturnType(cty.Set(cty.String)),
			Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
				return r.fileset(args[0].AsString(), args[1].AsString())
			},
		}),
		"abspath": function.New(&function.Spec{
			Params: pathParam,
			Type:   function.StaticReturnType(cty.String),
			Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
				p := args[0].AsString()
				if !filepath.IsAbs(p) {
					p = filepath.Join(r.base, p)
				}
				return cty.StringVal(filepath.ToSlash(filepath.Clean(p))), nil
			},
		}),
	}
	for name, f := range m {
		m["core::"+name] = f
	}
	return m
}

// maxGlobEntries bounds the directory entries fileset looks at.
const maxGlobEntries = 100000

// fileset lists the regular files under dir whose path relative to it
// matches pattern (*, ?, [class], {alt,…} and ** for any number of
// directories), as slash paths. Directories are walked only inside the
// repository; a match that resolves outside it is refused.
func (r *fileReader) fileset(dir, pattern string) (cty.Value, error) {
	unknown := cty.UnknownVal(cty.Set(cty.String))
	absDir, err := r.resolve(dir)
	if err != nil {
		return unknown, err
	}
	if r.root == "" {
		return unknown, &RefusedError{dir, "is not in a scanned repository"}
	}
	full := filepath.ToSlash(filepath.Join(absDir, pattern))
	patterns, err := expandBraces(full, 256)
	if err != nil {
		return unknown, err
	}
	found := map[string]bool{}
	entries := 0
	for _, pat := range patterns {
		segs := strings.Split(pat, "/")
		// The literal prefix is where the walk starts.
		i := 0
		for i < len(segs) && !hasMeta(segs[i]) {
			i++
		}
		start := "/" + path.Join(segs[1:i]...) // pat is absolute: segs[0] is ""
		if i == len(segs) {
			// No pattern at all: the file itself.
			if st, err := fsx.StatWithin(r.root, filepath.FromSlash(start)); err == nil && st.Mode().IsRegular() {
				found[start] = true
			} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
				return unknown, refused(dir, err)
			}
			continue
		}
		if err := r.globWalk(filepath.FromSlash(start), segs[i:], found, &entries); err != nil {
			return unknown, err
		}
	}
	var out []cty.Value
	keys := make([]string, 0, len(found))
	for k := range found {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, m := range keys {
		rel, err := filepath.Rel(absDir, filepath.FromSlash(m))
		if err != nil {
			return unknown, err
		}
		out = append(out, cty.StringVal(filepath.ToSlash(rel)))
	}
	if len(out) == 0 {
		return cty.SetValEmpty(cty.String), nil
	}
	return cty.SetVal(out), nil
}

// globWalk matches the entries under dir against the pattern segments.
func (r *fileReader) globWalk(dir string, segs []string, found map[string]bool, entries *int) error {
	if len(segs) == 0 {
		return nil
	}
	real, err := fsx.Confined(r.root, dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return refused(dir, err)
	}
	ents, err := os.ReadDir(real)
	if err != nil {
		return nil // not a directory: nothing under it
	}
	*entries += len(ents)
	if *entries > maxGlobEntries {
		return limitf("would look at more than %d files", maxGlobEntries)
	}
	seg := segs[0]
	if seg == "**" {
		// Zero directories, then each subdirectory with ** still ahead.
		if err := r.globWalk(dir, segs[1:], found, entries); err != nil {
			return err
		}
		for _, e := range ents {
			if e.IsDir() {
				if err := r.globWalk(filepath.Join(dir, e.Name()), segs, found, entries); err != nil {
					return err
				}
			}
		}
		return nil
	}
	for _, e := range ents {
		ok, err := path.Match(seg, e.Name())
		if err != nil {
			return fmt.Errorf("failed to glob pattern: %v", err)
		}
		if !ok {
			continue
		}
		p := filepath.Join(dir, e.Name())
		if len(segs) > 1 {
			if e.IsDir() {
				if err := r.globWalk(p, segs[1:], found, entries); err != nil {
					return err
				}
			}
			continue
		}
		st, err := fsx.StatWithin(r.root, p)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue // a dangling link inside the repository
			}
			return refused(filepath.Base(p), err)
		}
		if st.Mode().IsRegular() {
			found[filepath.ToSlash(p)] = true
		}
	}
	return nil
}

func hasMeta(s string) bool { return strings.ContainsAny(s, "*?[\\") }

// expandBraces expands {a,b} alternatives into patterns, at most limit.
func expandBraces(p string, limit int) ([]string, error) {
	open := -1
	depth := 0
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case '\\':
			i++
		case '{':
			if depth == 0 {
				open = i
			}
			depth++
		case '}':
			if depth == 0 {
				continue
			}
			depth--
			if depth > 0 {
				continue
			}
			var alts []string
			d, last := 0, open+1
			for j := open + 1; j < i; j++ {
				switch p[j] {
				case '\\':
					j++
				case '{':
					d++
				case '}':
					d--
				case ',':
					if d == 0 {
						alts = append(alts, p[last:j])
						last = j + 1
					}
				}
			}
			alts = append(alts, p[last:i])
			var out []string
			for _, a := range alts {
				more, err := expandBraces(p[:open]+a+p[i+1:], limit)
				if err != nil {
					return nil, err
				}
				out = append(out, more...)
				if len(out) > limit {
					return nil, limitf("would expand to more than %d patterns", limit)
				}
			}
			return out, nil
		}
	}
	return []string{p}, nil
}

// templateCall evaluates templatefile(path, vars) and
// templatestring(template, vars): the template is parsed (refused when it
// nests too deeply, like any source) and evaluated through this stepper,
// with only vars and the functions in scope; neither may call itself.
func (st *stepper) templateCall(ctx *hcl.EvalContext, x *hclsyntax.FunctionCallExpr, name string) (cty.Value, hcl.Diagnostics) {
	if len(x.Args) != 2 || x.ExpandFinal {
		return cty.DynamicVal, nil
	}
	if st.inTemplate {
		// Terraform refuses templatefile inside a template.
		return cty.DynamicVal, nil
	}
	first, diags := st.eval(ctx, x.Args[0])
	if diags.HasErrors() {
		return cty.DynamicVal, diags
	}
	vars, d := st.eval(ctx, x.Args[1])
	if d.HasErrors() {
		return cty.DynamicVal, d
	}
	first, fmarks := first.Unmark()
	if !first.IsKnown() || first.IsNull() || first.Type() != cty.String {
		return cty.UnknownVal(cty.String), nil
	}
	var src []byte
	filename := "templatestring"
	marks := []cty.ValueMarks{fmarks}
	if name == "templatefile" {
		st.marking = true
		p := first.AsString()
		fs := st.fileFunctions(ctx)
		if fs == nil {
			return cty.UnknownVal(cty.String), nil
		}
		b, err := fs.read(p)
		if err != nil {
			var re *RefusedError
			if errors.As(err, &re) && st.b != nil {
				st.b.note(x.Range(), fmt.Sprintf("%s(…): %s; not read, the value is unknown", x.Name, re.Error()))
			}
			return cty.UnknownVal(cty.String), nil
		}
		src, filename = b, p
		marks = append(marks, cty.NewValueMarks(markFile))
	} else {
		// Terraform 1.9 takes the template only from a reference, never
		// from a template written in place.
		switch hcl.UnwrapExpression(x.Args[0]).(type) {
		case *hclsyntax.ScopeTraversalExpr, *hclsyntax.RelativeTraversalExpr, *hclsyntax.IndexExpr:
		default:
			return cty.DynamicVal, nil
		}
		src = []byte(first.AsString())
	}
	if !utf8.Valid(src) {
		return cty.UnknownVal(cty.String), nil
	}
	if _, depth := fasthcl.TemplateNestingDepth(src); depth > fasthcl.MaxNesting {
		if st.b != nil {
			st.b.note(x.Range(), fmt.Sprintf("evaluation limit: the template of %s(…) nests more than %d levels deep; its value is unknown", x.Name, fasthcl.MaxNesting))
		}
		return cty.UnknownVal(cty.String), nil
	}
	tmpl, pd := hclsyntax.ParseTemplate(src, filename, hcl.Pos{Line: 1, Column: 1, Byte: 0})
	if pd.HasErrors() {
		return cty.UnknownVal(cty.String), nil
	}
	vars, vmarks := vars.Unmark()
	marks = append(marks, vmarks)
	if !vars.IsWhollyKnown() && !vars.IsKnown() {
		return cty.UnknownVal(cty.String), nil
	}
	tv := map[string]cty.Value{}
	if !vars.IsNull() {
		t := vars.Type()
		if !t.IsObjectType() && !t.IsMapType() {
			return cty.UnknownVal(cty.String), nil
		}
		for it := vars.ElementIterator(); it.Next(); {
			k, v := it.Element()
			if !hclsyntax.ValidIdentifier(k.AsString()) {
				return cty.UnknownVal(cty.String), nil
			}
			tv[k.AsString()] = v
		}
	}
	tctx := st.templateContext(ctx)
	tctx.Variables = tv
	st.inTemplate = true
	v, td := st.eval(tctx, tmpl)
	st.inTemplate = false
	if td.HasErrors() {
		if st.stopped != nil {
			return cty.DynamicVal, st.stopped
		}
		return cty.UnknownVal(cty.String), nil
	}
	return st.built(v.WithMarks(marks...), x.Range()), nil
}

// fileFunctions finds the file reader of the evaluation's context.
func (st *stepper) fileFunctions(ctx *hcl.EvalContext) *fileReader {
	if st.in == nil || st.in.files == nil {
		return nil
	}
	return st.in.files
}

// templateContext is a context with the instance's functions and no
// variables, for templates.
func (st *stepper) templateContext(ctx *hcl.EvalContext) *hcl.EvalContext {
	if st.in != nil && st.in.funcCtx != nil {
		return st.in.funcCtx.NewChild()
	}
	return rootContext().NewChild()
}
