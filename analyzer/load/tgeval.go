package load

import (
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/tryfunc"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// Evaluating Terragrunt configuration statically. Terragrunt's path
// functions are computed from the unit's place in the tree
// (find_in_parent_folders, get_terragrunt_dir, path_relative_to_include…),
// read_terragrunt_config reads the other file, and a small set of pure
// Terraform functions is known. Everything else (get_env, run_cmd,
// get_aws_account_id, dependency outputs…) is unknown: a value that needs
// it is never guessed.

// tgScope is the context one configuration file is evaluated in: the
// directory of the unit whose evaluation this is (Terragrunt evaluates
// included files as part of the unit), the includes, and the file's own
// locals.
type tgScope struct {
	t        *terragrunt
	unitDir  string            // get_terragrunt_dir()
	origDir  string            // get_original_terragrunt_dir()
	includes map[string]string // include label ("" for an unnamed include) → absolute path
	depth    int               // read_terragrunt_config nesting
	// unknownInclude is set when an include's path is not known: the
	// include functions are then unknown too.
	unknownInclude bool
	fns            map[string]function.Function // built once per scope
}

// pureFuncs are Terraform functions whose result Terragrunt computes the
// same way, with no access to anything outside their arguments.
var pureFuncs = map[string]function.Function{
	"format": stdlib.FormatFunc, "formatlist": stdlib.FormatListFunc, "lower": stdlib.LowerFunc,
	"upper": stdlib.UpperFunc, "join": stdlib.JoinFunc, "split": stdlib.SplitFunc,
	"trimspace": stdlib.TrimSpaceFunc, "trimprefix": stdlib.TrimPrefixFunc, "trimsuffix": stdlib.TrimSuffixFunc,
	"merge": stdlib.MergeFunc, "concat": stdlib.ConcatFunc, "coalesce": stdlib.CoalesceFunc,
	"compact": stdlib.CompactFunc, "distinct": stdlib.DistinctFunc, "flatten": stdlib.FlattenFunc,
	"keys": stdlib.KeysFunc, "values": stdlib.ValuesFunc, "lookup": stdlib.LookupFunc,
	"element": stdlib.ElementFunc, "contains": stdlib.ContainsFunc, "length": stdlib.LengthFunc,
	"jsondecode": stdlib.JSONDecodeFunc, "jsonencode": stdlib.JSONEncodeFunc,
	"tostring": stdlib.MakeToFunc(cty.String), "tonumber": stdlib.MakeToFunc(cty.Number),
	"tobool": stdlib.MakeToFunc(cty.Bool), "tomap": stdlib.MakeToFunc(cty.Map(cty.DynamicPseudoType)),
	"tolist": stdlib.MakeToFunc(cty.List(cty.DynamicPseudoType)),
	"try":    tryfunc.TryFunc, "can": tryfunc.CanFunc,
	"basename": pathFunc(filepath.Base), "dirname": pathFunc(filepath.Dir),
}

func pathFunc(f func(string) string) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "path", Type: cty.String}},
		Type:   function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			return cty.StringVal(filepath.ToSlash(f(filepath.FromSlash(args[0].AsString())))), nil
		},
	})
}

// unknownFunc stands for any function tfgate does not evaluate.
var unknownFunc = function.New(&function.Spec{
	VarParam: &function.Parameter{Name: "args", Type: cty.DynamicPseudoType, AllowUnknown: true, AllowNull: true, AllowDynamicType: true, AllowMarked: true},
	Type:     function.StaticReturnType(cty.DynamicPseudoType),
	Impl:     func([]cty.Value, cty.Type) (cty.Value, error) { return cty.DynamicVal, nil },
})

// stringsArg returns the optional string arguments of a path function.
func optString(args []cty.Value, i int) (string, bool) {
	if i >= len(args) || !args[i].IsKnown() || args[i].IsNull() || args[i].Type() != cty.String {
		return "", false
	}
	return args[i].AsString(), true
}

// functions returns the function table of a scope, built once (the
// functions read the scope when they are called).
func (s *tgScope) functions() map[string]function.Function {
	if s.fns == nil {
		s.fns = s.buildFunctions()
	}
	return s.fns
}

func (s *tgScope) buildFunctions() map[string]function.Function {
	fns := make(map[string]function.Function, len(pureFuncs)+12)
	for k, v := range pureFuncs {
		fns[k] = v
	}
	str := func(f func(args []cty.Value) (string, bool)) function.Function {
		return function.New(&function.Spec{
			VarParam: &function.Parameter{Name: "args", Type: cty.DynamicPseudoType, AllowUnknown: true, AllowNull: true, AllowDynamicType: true},
			Type:     function.StaticReturnType(cty.String),
			Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
				v, ok := f(args)
				if !ok {
					return cty.UnknownVal(cty.String), nil
				}
				return cty.StringVal(v), nil
			},
		})
	}
	slash := filepath.ToSlash
	fns["get_terragrunt_dir"] = str(func([]cty.Value) (string, bool) { return slash(s.unitDir), true })
	fns["get_original_terragrunt_dir"] = str(func([]cty.Value) (string, bool) { return slash(s.origDir), true })
	fns["find_in_parent_folders"] = str(func(args []cty.Value) (string, bool) {
		name := "terragrunt.hcl"
		if len(args) > 0 {
			n, ok := optString(args, 0)
			if !ok {
				return "", false
			}
			name = n
		}
		for d := filepath.Dir(s.unitDir); ; d = filepath.Dir(d) {
			p := filepath.Join(d, filepath.FromSlash(name))
			if s.t.l.fileExists(p) {
				return slash(p), true
			}
			if filepath.Dir(d) == d {
				break
			}
		}
		return optString(args, 1) // the fallback, when there is one
	})
	include := func(args []cty.Value) (string, bool) {
		if s.unknownInclude && len(args) == 0 {
			return "", false
		}
		if len(args) > 0 {
			n, ok := optString(args, 0)
			if !ok {
				return "", false
			}
			p, ok := s.includes[n]
			return p, ok
		}
		if len(s.includes) == 1 {
			for _, p := range s.includes {
				return p, true
			}
		}
		if p, ok := s.includes["root"]; ok {
			return p, true
		}
		return "", false
	}
	fns["get_parent_terragrunt_dir"] = str(func(args []cty.Value) (string, bool) {
		p, ok := include(args)
		if !ok {
			return "", false
		}
		return slash(filepath.Dir(p)), true
	})
	fns["path_relative_to_include"] = str(func(args []cty.Value) (string, bool) {
		p, ok := include(args)
		if !ok {
			if len(s.includes) == 0 && len(args) == 0 && !s.unknownInclude {
				return ".", true
			}
			return "", false
		}
		rel, err := filepath.Rel(filepath.Dir(p), s.unitDir)
		return slash(rel), err == nil
	})
	fns["path_relative_from_include"] = str(func(args []cty.Value) (string, bool) {
		p, ok := include(args)
		if !ok {
			if len(s.includes) == 0 && len(args) == 0 && !s.unknownInclude {
				return ".", true
			}
			return "", false
		}
		rel, err := filepath.Rel(s.unitDir, filepath.Dir(p))
		return slash(rel), err == nil
	})
	repo := func() (string, bool) {
		anc := s.t.l.ancestors(s.unitDir)
		top := anc[len(anc)-1]
		if !s.t.l.fileExists(filepath.Join(top, ".git")) {
			return "", false
		}
		return top, true
	}
	fns["get_repo_root"] = str(func([]cty.Value) (string, bool) {
		r, ok := repo()
		return slash(r), ok
	})
	fns["get_path_from_repo_root"] = str(func([]cty.Value) (string, bool) {
		r, ok := repo()
		if !ok {
			return "", false
		}
		rel, err := filepath.Rel(r, s.unitDir)
		return slash(rel), err == nil
	})
	fns["get_path_to_repo_root"] = str(func([]cty.Value) (string, bool) {
		r, ok := repo()
		if !ok {
			return "", false
		}
		rel, err := filepath.Rel(s.unitDir, r)
		return slash(rel), err == nil
	})
	fns["read_terragrunt_config"] = function.New(&function.Spec{
		VarParam: &function.Parameter{Name: "args", Type: cty.DynamicPseudoType, AllowUnknown: true, AllowNull: true, AllowDynamicType: true},
		Type:     function.StaticReturnType(cty.DynamicPseudoType),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			p, ok := optString(args, 0)
			fallback := cty.DynamicVal
			if len(args) > 1 {
				fallback = args[1]
			}
			if !ok {
				return cty.DynamicVal, nil
			}
			if !filepath.IsAbs(p) {
				p = filepath.Join(s.unitDir, filepath.FromSlash(p))
			}
			v, ok := s.t.readConfig(filepath.Clean(p), s)
			if !ok {
				return fallback, nil
			}
			return v, nil
		},
	})
	return fns
}

// evalContext is the context of one file: its locals, and the includes
// the unit exposes.
func (s *tgScope) evalContext(locals map[string]cty.Value, include cty.Value) *hcl.EvalContext {
	vars := map[string]cty.Value{"local": cty.ObjectVal(locals)}
	if include != cty.NilVal {
		vars["include"] = include
	}
	return &hcl.EvalContext{Variables: vars, Functions: s.functions()}
}

// tgValue evaluates an expression; anything it cannot know is unknown.
// Functions tfgate does not evaluate become unknown instead of errors, so
// that `merge(local.common, { region = get_env("REGION") })` keeps what is
// known.
func tgValue(ctx *hcl.EvalContext, e hcl.Expression) (v cty.Value) {
	if e == nil {
		return cty.NullVal(cty.DynamicPseudoType)
	}
	defer func() {
		if r := recover(); r != nil {
			v = cty.DynamicVal
		}
	}()
	if se, ok := e.(hclsyntax.Expression); ok {
		var missing []string
		hclsyntax.VisitAll(se, func(n hclsyntax.Node) hcl.Diagnostics {
			if fc, ok := n.(*hclsyntax.FunctionCallExpr); ok {
				if _, known := ctx.Functions[fc.Name]; !known {
					missing = append(missing, fc.Name)
				}
			}
			return nil
		})
		if len(missing) > 0 {
			fns := make(map[string]function.Function, len(ctx.Functions)+len(missing))
			for k, f := range ctx.Functions {
				fns[k] = f
			}
			for _, n := range missing {
				fns[n] = unknownFunc
			}
			c := *ctx
			c.Functions = fns
			ctx = &c
		}
	}
	v, d := e.Value(ctx)
	if d.HasErrors() {
		return cty.DynamicVal
	}
	return v
}

// objectItems evaluates an object expression item by item, so that one
// unknown item does not make the others unknown; ok is false when the
// expression is not an object (then its value, known or not, is whole).
type tgItem struct {
	name  string
	value cty.Value
	rng   hcl.Range // the whole item
	vrng  hcl.Range // the value
	nrng  hcl.Range // the key
}

func objectItems(ctx *hcl.EvalContext, e hcl.Expression) ([]tgItem, bool) {
	oe, ok := e.(*hclsyntax.ObjectConsExpr)
	if !ok {
		v := tgValue(ctx, e)
		if !v.IsKnown() || v.IsNull() || !(v.Type().IsObjectType() || v.Type().IsMapType()) {
			return nil, false
		}
		var out []tgItem
		for it := v.ElementIterator(); it.Next(); {
			k, ev := it.Element()
			out = append(out, tgItem{name: k.AsString(), value: ev, rng: e.Range(), vrng: e.Range(), nrng: e.Range()})
		}
		return out, true
	}
	var out []tgItem
	for _, it := range oe.Items {
		name := hcl.ExprAsKeyword(it.KeyExpr)
		if name == "" {
			kv := tgValue(ctx, it.KeyExpr)
			if !kv.IsKnown() || kv.IsNull() || kv.Type() != cty.String {
				continue // a key not known: the item cannot be placed
			}
			name = kv.AsString()
		}
		out = append(out, tgItem{name: name, value: tgValue(ctx, it.ValueExpr), rng: hcl.RangeBetween(it.KeyExpr.Range(), it.ValueExpr.Range()), vrng: it.ValueExpr.Range(), nrng: it.KeyExpr.Range()})
	}
	return out, true
}

// evalLocals evaluates a file's locals in dependency order; locals in a
// cycle, or that need what is not known, are unknown.
func evalLocals(s *tgScope, attrs map[string]*hclsyntax.Attribute, include cty.Value) map[string]cty.Value {
	out := map[string]cty.Value{}
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(name string)
	visit = func(name string) {
		a := attrs[name]
		if a == nil || state[name] == 2 {
			return
		}
		if state[name] == 1 {
			out[name] = cty.DynamicVal
			return
		}
		state[name] = 1
		for _, tr := range a.Expr.Variables() {
			if tr.RootName() != "local" || len(tr) < 2 {
				continue
			}
			if at, ok := tr[1].(hcl.TraverseAttr); ok {
				visit(at.Name)
			}
		}
		if state[name] == 2 {
			return
		}
		locals := make(map[string]cty.Value, len(out))
		for k, v := range out {
			locals[k] = v
		}
		for k := range attrs {
			if _, ok := locals[k]; !ok {
				locals[k] = cty.DynamicVal
			}
		}
		out[name] = tgValue(s.evalContext(locals, include), a.Expr)
		state[name] = 2
	}
	for name := range attrs {
		visit(name)
	}
	return out
}

// isLocalPath reports whether a Terragrunt source is a local path.
func isLocalPath(src string) bool {
	return strings.HasPrefix(src, "./") || strings.HasPrefix(src, "../") || strings.HasPrefix(src, "/") ||
		src == "." || src == ".." || strings.HasPrefix(src, "file://")
}
