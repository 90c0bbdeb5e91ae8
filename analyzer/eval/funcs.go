package eval

import (
	"regexp"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2/ext/tryfunc"
	ctyyaml "github.com/zclconf/go-cty-yaml"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// Terraform's functions. The table is Terraform's (1.9 and later, with
// OpenTofu's additions and its core:: namespace): go-cty's stdlib where it
// has Terraform's function, go-cty-yaml (what Terraform uses) for YAML,
// and tfgate's own implementations of the rest (funcs_terraform.go,
// funcs_net.go, funcs_file.go), checked against a real OpenTofu. What
// cannot be known statically is unknown, never guessed: timestamp, uuid,
// bcrypt's salt, rsadecrypt's secret, the home directory of pathexpand, and
// every provider-defined function (provider::aws::arn_parse) — an
// unknown function makes its own value unknown, not the expression around
// it (the evaluator sees to that: see stepper.call). File functions read
// only inside the repository (funcs_file.go). Functions whose output can grow
// faster than their input are guarded by the evaluation limits (guard).

// unknowable are functions whose results cannot be known statically:
// their value is unknown of their return type.
var unknowable = map[string]cty.Type{
	"timestamp":     cty.String,
	"plantimestamp": cty.String,
	"uuid":          cty.String,
	"bcrypt":        cty.String,
	"rsadecrypt":    cty.String,
}

// libraryFuncs are the functions of the table that come from go-cty's
// stdlib, go-cty-yaml and hcl's tryfunc. A panic in one of them is what
// Terraform reports as an error too (cty turns it into one: log(1, 1) is
// NaN); a panic in one of tfgate's own is a bug, noted (stepper.call).
var libraryFuncs = map[string]bool{}

func init() {
	for _, n := range strings.Fields(`abs ceil floor log max min parseint pow signum chomp format
		formatlist indent join lower regex regexall split strrev substr title trim trimprefix
		trimsuffix trimspace upper chunklist coalescelist compact concat contains distinct element
		flatten keys merge range reverse setintersection setproduct setsubtract setunion slice sort
		values zipmap csvdecode jsondecode jsonencode yamldecode yamlencode formatdate timeadd can
		try tobool tonumber tostring tolist toset tomap`) {
		libraryFuncs[n] = true
	}
}

var (
	funcsOnce sync.Once
	funcTable map[string]function.Function
)

// functions returns the table of functions every instance shares; the
// file functions read through each evaluation's file reader and
// templatefile and templatestring are evaluated by the stepper.
func functions() map[string]function.Function {
	funcsOnce.Do(func() {
		t := map[string]function.Function{
			// Numeric.
			"abs": stdlib.AbsoluteFunc, "ceil": stdlib.CeilFunc, "floor": stdlib.FloorFunc,
			"log": stdlib.LogFunc, "max": stdlib.MaxFunc, "min": stdlib.MinFunc,
			"parseint": stdlib.ParseIntFunc, "pow": stdlib.PowFunc, "signum": stdlib.SignumFunc,
			// String.
			"chomp": stdlib.ChompFunc, "endswith": endsWithFunc, "format": stdlib.FormatFunc,
			"formatlist": stdlib.FormatListFunc, "indent": stdlib.IndentFunc, "join": stdlib.JoinFunc,
			"lower": stdlib.LowerFunc, "regex": stdlib.RegexFunc, "regexall": stdlib.RegexAllFunc,
			"replace": replaceFunc, "split": stdlib.SplitFunc, "startswith": startsWithFunc,
			"strcontains": strContainsFunc, "strrev": stdlib.ReverseFunc, "substr": stdlib.SubstrFunc,
			"title": stdlib.TitleFunc, "trim": stdlib.TrimFunc, "trimprefix": stdlib.TrimPrefixFunc,
			"trimsuffix": stdlib.TrimSuffixFunc, "trimspace": stdlib.TrimSpaceFunc, "upper": stdlib.UpperFunc,
			// Collections.
			"alltrue": allTrueFunc, "anytrue": anyTrueFunc, "chunklist": stdlib.ChunklistFunc,
			"coalesce": coalesceFunc, "coalescelist": stdlib.CoalesceListFunc, "compact": stdlib.CompactFunc,
			"concat": stdlib.ConcatFunc, "contains": stdlib.ContainsFunc, "distinct": stdlib.DistinctFunc,
			"element": stdlib.ElementFunc, "flatten": stdlib.FlattenFunc, "index": indexFunc,
			"keys": stdlib.KeysFunc, "length": lengthFunc, "lookup": lookupFunc,
			"matchkeys": matchkeysFunc, "merge": stdlib.MergeFunc, "one": oneFunc,
			"range": stdlib.RangeFunc, "reverse": stdlib.ReverseListFunc,
			"setintersection": stdlib.SetIntersectionFunc, "setproduct": stdlib.SetProductFunc,
			"setsubtract": stdlib.SetSubtractFunc, "setunion": stdlib.SetUnionFunc,
			"slice": stdlib.SliceFunc, "sort": stdlib.SortFunc, "sum": sumFunc,
			"transpose": transposeFunc, "values": stdlib.ValuesFunc, "zipmap": stdlib.ZipmapFunc,
			// Encoding.
			"base64decode": base64DecodeFunc, "base64encode": base64EncodeFunc,
			"base64gzip": base64GzipFunc, "base64gunzip": base64GunzipFunc,
			"csvdecode": stdlib.CSVDecodeFunc, "jsondecode": stdlib.JSONDecodeFunc,
			"jsonencode": stdlib.JSONEncodeFunc, "textdecodebase64": textDecodeBase64Func,
			"textencodebase64": textEncodeBase64Func, "urlencode": urlEncodeFunc,
			"urldecode": urlDecodeFunc, "yamldecode": ctyyaml.YAMLDecodeFunc,
			"yamlencode": ctyyaml.YAMLEncodeFunc,
			// File system paths (the file readers are in funcs_file.go).
			"basename": basenameFunc, "dirname": dirnameFunc, "pathexpand": pathExpandFunc,
			// Date and time.
			"formatdate": stdlib.FormatDateFunc, "timeadd": stdlib.TimeAddFunc, "timecmp": timeCmpFunc,
			// Hash and crypto.
			"base64sha256": hashFunc("sha256", true), "base64sha512": hashFunc("sha512", true),
			"md5": hashFunc("md5", false), "sha1": hashFunc("sha1", false),
			"sha256": hashFunc("sha256", false), "sha512": hashFunc("sha512", false),
			"uuidv5": uuidV5Func,
			// IP networks.
			"cidrhost": cidrHostFunc, "cidrnetmask": cidrNetmaskFunc, "cidrsubnet": cidrSubnetFunc,
			"cidrsubnets": cidrSubnetsFunc, "cidrcontains": cidrContainsFunc,
			// Type conversion.
			"can": tryfunc.CanFunc, "try": tryfunc.TryFunc,
			"tobool": stdlib.MakeToFunc(cty.Bool), "tonumber": stdlib.MakeToFunc(cty.Number),
			"tostring": stdlib.MakeToFunc(cty.String), "tolist": stdlib.MakeToFunc(cty.List(cty.DynamicPseudoType)),
			"toset": stdlib.MakeToFunc(cty.Set(cty.DynamicPseudoType)), "tomap": stdlib.MakeToFunc(cty.Map(cty.DynamicPseudoType)),
			"sensitive": sensitiveFunc, "nonsensitive": nonsensitiveFunc, "issensitive": isSensitiveFunc,
			"ephemeralasnull": ephemeralAsNullFunc,
			// Evaluated by the stepper, which gives them the evaluation's
			// budget and file readers; these entries answer only when they
			// are called some other way.
			"templatefile":   unknownFunc(cty.String),
			"templatestring": unknownFunc(cty.String),
		}
		for name, ty := range unknowable {
			t[name] = unknownFunc(ty)
		}
		// OpenTofu's core:: namespace names the same functions.
		for name, f := range t {
			t["core::"+name] = f
		}
		// The file functions read through the evaluation's file reader
		// (stepper.call binds them); these entries only name them.
		for name := range fileFuncNames {
			t[name] = unknownFunc(cty.DynamicPseudoType)
			t["core::"+name] = t[name]
		}
		funcTable = t
	})
	return funcTable
}

// unknownFunc accepts any arguments and returns an unknown value.
func unknownFunc(ty cty.Type) function.Function {
	return function.New(&function.Spec{
		VarParam: &function.Parameter{Name: "args", Type: cty.DynamicPseudoType, AllowNull: true, AllowUnknown: true, AllowDynamicType: true, AllowMarked: true},
		Type:     function.StaticReturnType(ty),
		Impl:     func([]cty.Value, cty.Type) (cty.Value, error) { return cty.UnknownVal(ty), nil },
	})
}

// guardedFuncs are the guarded functions wrapped with their checks, for
// expressions the stepper does not see into (JSON syntax).
var guardedFuncs = sync.OnceValue(func() map[string]function.Function {
	t := functions()
	out := map[string]function.Function{}
	for name, g := range guards {
		f, g := t[name], g
		if f == (function.Function{}) {
			continue
		}
		out[name] = function.New(&function.Spec{
			Description: f.Description(),
			Params:      f.Params(),
			VarParam:    f.VarParam(),
			Type:        f.ReturnTypeForValues,
			Impl: func(args []cty.Value, retType cty.Type) (cty.Value, error) {
				if err := g(args); err != nil {
					return cty.UnknownVal(retType), err
				}
				return f.Call(args)
			},
		})
		out["core::"+name] = out[name]
	}
	return out
})

// jsonFunctions are the functions of JSON expressions: the guarded ones,
// and the file functions of r.
func jsonFunctions(r *fileReader) map[string]function.Function {
	if r == nil {
		return guardedFuncs()
	}
	r.once.Do(func() { r.funcs = makeFileFuncs(r) })
	r.jsonOnce.Do(func() {
		r.jsonFuncs = map[string]function.Function{}
		for k, f := range guardedFuncs() {
			r.jsonFuncs[k] = f
		}
		for k, f := range r.funcs {
			r.jsonFuncs[k] = f
		}
	})
	return r.jsonFuncs
}

// checkCall runs the guard of a function, if it has one, on the values
// of a call's arguments before the call is made: what the call would build
// or how long it would take, against the evaluation limits. An error is a
// LimitError, which the evaluator turns into an unknown value and a note.
func checkCall(name string, args []cty.Value) error {
	g := guards[name]
	if g == nil || len(args) < guardArity[name] {
		return nil // no guard, or a call hcl will refuse
	}
	return g(args)
}

// guardArity is the number of arguments each guard reads.
var guardArity = map[string]int{"format": 1, "formatlist": 1, "join": 1, "replace": 3, "indent": 2, "distinct": 1, "jsondecode": 1, "yamldecode": 1, "csvdecode": 1}

// guards are the checks of the functions whose output or work can grow
// faster than their input, or far beyond it (see checkCall).
var guards = map[string]func(args []cty.Value) error{
	"setproduct": func(args []cty.Value) error {
		n := int64(1)
		for _, a := range args {
			n *= max(lengthOf(a), 1)
			if n > maxElements {
				return limitf("would build more than %d elements", maxElements)
			}
		}
		return nil
	},
	"format":     func(args []cty.Value) error { return checkFormat(args, 1) },
	"formatlist": checkFormatList,
	"join": func(args []cty.Value) error {
		sep := stringLen(args[0])
		var n int64
		for _, l := range args[1:] {
			n += joinedLen(l) + sep*lengthOf(l)
			if n > maxStringLen {
				return limitf("would build a string of more than %d MiB", maxStringLen>>20)
			}
		}
		return nil
	},
	"replace": func(args []cty.Value) error {
		str, ok1 := knownString(args[0])
		sub, ok2 := knownString(args[1])
		rep, ok3 := knownString(args[2])
		if !ok1 || !ok2 || !ok3 {
			return nil
		}
		var matches int
		refs := 0
		if len(sub) > 1 && sub[0] == '/' && sub[len(sub)-1] == '/' {
			re, err := regexp.Compile(sub[1 : len(sub)-1])
			if err != nil {
				return nil // replace reports it
			}
			matches = len(re.FindAllStringIndex(str, -1))
			refs = strings.Count(rep, "$") // each $n repeats at most the whole string
		} else {
			matches = strings.Count(str, sub)
		}
		if n := int64(len(str)) + int64(matches)*int64(len(rep)) + int64(refs)*int64(len(str)); n > maxStringLen {
			return limitf("would build a string of more than %d MiB", maxStringLen>>20)
		}
		return nil
	},
	"indent": func(args []cty.Value) error {
		n, _ := knownInt(args[0])
		lines := int64(1)
		if str, ok := knownString(args[1]); ok {
			lines += int64(strings.Count(str, "\n"))
		}
		if n < 0 || n*lines+stringLen(args[1]) > maxStringLen {
			return limitf("would build a string of more than %d MiB", maxStringLen>>20)
		}
		return nil
	},
	"distinct": func(args []cty.Value) error {
		if n := lengthOf(args[0]); n*n/2 > maxCallWork {
			return limitf("would compare more than %d pairs of elements", maxCallWork)
		}
		return nil
	},
	"flatten":    checkElements,
	"concat":     checkElements,
	"merge":      checkElements,
	"setunion":   checkElements,
	"jsonencode": checkSize,
	"yamlencode": checkSize,
	"jsondecode": func(args []cty.Value) error { return checkDocNesting(args[0]) },
	"yamldecode": func(args []cty.Value) error {
		if err := checkDocNesting(args[0]); err != nil {
			return err
		}
		return checkYAMLAliases(args[0])
	},
	"csvdecode": func(args []cty.Value) error {
		if stringLen(args[0]) > maxValueBytes/4 {
			return limitf("would decode more than %d MiB", maxValueBytes>>22)
		}
		return nil
	},
}

// checkElements refuses collections functions whose inputs hold more than
// maxElements elements together (a value shared many times counts each
// time: flatten builds every one).
func checkElements(args []cty.Value) error {
	var n int64
	for _, a := range args {
		_, e, why := valueSize(a)
		if why != "" {
			return limitf("would build %s", why)
		}
		n += e
		if n > maxElements {
			return limitf("would build more than %d elements", maxElements)
		}
	}
	return nil
}

// checkSize refuses encoding a value that is over the size limit as
// counted (a structure shared many times is written out each time).
func checkSize(args []cty.Value) error {
	for _, a := range args {
		if _, _, why := valueSize(a); why != "" {
			return limitf("would encode %s", why)
		}
	}
	return nil
}

// checkDocNesting refuses JSON and YAML documents nested deeper than the
// decoders can recurse safely.
func checkDocNesting(v cty.Value) error {
	v, _ = v.Unmark()
	if !v.IsKnown() || v.IsNull() || v.Type() != cty.String {
		return nil
	}
	depth, cur := 0, 0
	s := v.AsString()
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if quote != 0 {
			if c == '\\' && quote == '"' {
				i++
			} else if c == quote {
				quote = 0
			}
			continue
		}
		switch c {
		case '"', '\'':
			quote = c
		case '[', '{':
			cur++
			depth = max(depth, cur)
		case ']', '}':
			cur = max(cur-1, 0)
		case '\n':
			// YAML nests by indentation too: one level per column at most.
			j := i + 1
			for j < len(s) && s[j] == ' ' {
				j++
			}
			depth = max(depth, cur+(j-i-1))
			if quote == '\'' {
				quote = 0
			}
		}
	}
	if depth > maxNestingDoc {
		return limitf("would decode a document nested more than %d levels deep", maxNestingDoc)
	}
	return nil
}

// maxAliasExpansion bounds how much of a YAML document its aliases may
// repeat: a decoder's work is in the nodes the expansion holds, a few bytes
// each.
const maxAliasExpansion = 4 << 20

// checkYAMLAliases refuses YAML documents whose aliases repeat more than
// maxAliasExpansion of their text ("billion laughs": ten aliases of ten
// aliases of …).
// Each anchor's node is taken to span from the anchor to the end of the
// lines indented deeper than the anchor's line, an upper bound in block
// style and flow style alike; a node's expanded size is its text plus the
// expanded size of every alias in it to an earlier anchor.
func checkYAMLAliases(v cty.Value) error {
	v, _ = v.Unmark()
	if !v.IsKnown() || v.IsNull() || v.Type() != cty.String {
		return nil
	}
	s := v.AsString()
	if !strings.Contains(s, "*") || !strings.Contains(s, "&") {
		return nil
	}
	type anchor struct {
		name       string
		start, end int
		size       int64
	}
	nameEnd := func(i int) int {
		for i < len(s) && !strings.ContainsRune(" \t\r\n,[]{}", rune(s[i])) {
			i++
		}
		return i
	}
	// A token starts a node when it begins a line or follows a blank or
	// a flow indicator.
	starts := func(i int) bool {
		return i == 0 || strings.ContainsRune(" \t\n,[{:-", rune(s[i-1]))
	}
	var anchors []*anchor
	byName := map[string]*anchor{}
	var total int64 // text the aliases repeat
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '&' && starts(i):
			j := nameEnd(i + 1)
			// The node ends where a line is indented no deeper than the
			// anchor's line.
			lineStart := strings.LastIndexByte(s[:i], '\n') + 1
			indent := 0
			for lineStart+indent < len(s) && s[lineStart+indent] == ' ' {
				indent++
			}
			end := strings.IndexByte(s[i:], '\n')
			if end < 0 {
				end = len(s)
			} else {
				end += i
			}
			for end < len(s) {
				k := end + 1
				d := 0
				for k+d < len(s) && s[k+d] == ' ' {
					d++
				}
				if k+d < len(s) && s[k+d] != '\n' && d <= indent {
					break
				}
				next := strings.IndexByte(s[k:], '\n')
				if next < 0 {
					end = len(s)
					break
				}
				end = k + next
			}
			a := &anchor{name: s[i+1 : j], start: i, end: end, size: int64(end - i)}
			anchors = append(anchors, a)
			byName[a.name] = a
			i = j - 1
		case c == '*' && starts(i):
			j := nameEnd(i + 1)
			target := byName[s[i+1:j]]
			if target == nil || target.start >= i {
				continue
			}
			total += target.size
			for _, a := range anchors {
				if a != target && a.start < i && i < a.end && a.start > target.start {
					a.size += target.size
				}
			}
			if total > maxAliasExpansion {
				return limitf("would decode aliases that repeat more than %d MiB of the document", maxAliasExpansion>>20)
			}
			i = j - 1
		case c == '#' && starts(i):
			for i < len(s) && s[i] != '\n' {
				i++
			}
		}
	}
	return nil
}

// maxNestingDoc bounds the nesting of decoded JSON and YAML documents.
const maxNestingDoc = 4096

// checkFormat bounds what format would write: its literal text, every
// argument, and every width and precision the verbs ask for.
func checkFormat(args []cty.Value, times int64) error {
	f, ok := knownString(args[0])
	if !ok {
		return nil
	}
	n := int64(len(f))
	for i := 0; i < len(f); i++ {
		if f[i] != '%' {
			continue
		}
		// Digits of the width and precision of this verb.
		num := int64(0)
		for i++; i < len(f); i++ {
			c := f[i]
			if c >= '0' && c <= '9' {
				num = num*10 + int64(c-'0')
				if num > maxStringLen {
					return limitf("would build a string of more than %d MiB", maxStringLen>>20)
				}
				continue
			}
			if c == '.' || c == '-' || c == '+' || c == '#' || c == ' ' || c == '[' || c == ']' {
				n += num
				num = 0
				continue
			}
			break
		}
		n += num
	}
	for _, a := range args[1:] {
		b, _, why := valueSize(a)
		if why != "" {
			return limitf("would format %s", why)
		}
		n += b
	}
	if n*times > maxStringLen {
		return limitf("would build a string of more than %d MiB", maxStringLen>>20)
	}
	return nil
}

func checkFormatList(args []cty.Value) error {
	times := int64(1)
	for _, a := range args[1:] {
		a, _ := a.Unmark()
		if a.IsKnown() && !a.IsNull() && (a.Type().IsListType() || a.Type().IsTupleType()) {
			times = max(times, int64(a.LengthInt()))
		}
	}
	return checkFormat(args, times)
}

// knownString is a known value converted to a string, as a function's
// string parameter would take it (guards see arguments before conversion).
func knownString(v cty.Value) (string, bool) {
	v, _ = v.UnmarkDeep()
	if !v.IsWhollyKnown() || v.IsNull() {
		return "", false
	}
	sv, err := convert.Convert(v, cty.String)
	if err != nil || sv.IsNull() || !sv.IsKnown() {
		return "", false
	}
	return sv.AsString(), true
}

// knownInt is a known number as an int64.
func knownInt(v cty.Value) (int64, bool) {
	v, _ = v.Unmark()
	if !v.IsKnown() || v.IsNull() || v.Type() != cty.Number {
		return 0, false
	}
	n, acc := v.AsBigFloat().Int64()
	return n, acc == 0
}
