package eval

import (
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/tfgate/tfgate/internal/fasthcl"
	"github.com/zclconf/go-cty/cty"
)

// FuzzEval evaluates arbitrary expressions in a context like a module's
// (variables known and unknown, sensitive ones, locals, the whole
// function table, file functions over a small tree): evaluating any
// expression must never panic — a panic inside the evaluator or a
// function would be caught and reported as an internal error, which this
// target treats as a failure — nor hang past the limits. Its seeds are
// the function cases, the bombs and the syntax of every node type; `go
// test -fuzz=FuzzEval ./analyzer/eval` runs it (./test.sh, briefly).
func FuzzEval(f *testing.F) {
	for _, c := range funcCases {
		f.Add(c.expr)
	}
	for _, c := range funcBombs {
		f.Add(c.expr)
	}
	for _, s := range []string{
		`var.m["a"].b[*].c`,
		`{for k, v in var.m : k => v if v != null}`,
		`{for k, v in var.m : v => k...}`,
		`[for i, x in var.l : "${i}-${x}"]`,
		`var.unknown ? local.a : local.b`,
		`"%{ if var.b }yes%{ else }no%{ endif } ${upper(var.s)}"`,
		`<<EOT
%{ for x in var.l ~}
${x}
%{ endfor ~}
EOT`,
		`try(var.m.nope, var.unknown, "x")`,
		`can(var.m.a.b)`,
		`merge(var.m, {x = var.unknown})...`,
		`concat(var.l, [var.unknown])`,
		`sensitive(var.s)`,
		`issensitive(var.secret)`,
		`ephemeralasnull(var.secret)`,
		`nonsensitive(var.secret)`,
		`templatestring(var.s, {a = 1})`,
		`templatefile("t.tpl", {name = var.s})`,
		`fileset(".", "**/*")`,
		`file("t.tpl")`,
		`yamldecode(file("t.yaml"))`,
		`-var.n * 2 / 0`,
		`!var.b && var.b || !(var.n > 1)`,
		`local.a[0][var.n]`,
		`provider::aws::arn_parse(var.s).account_id`,
		`core::merge({}, {})`,
		`lookup(var.m, var.unknown, null)`,
		`formatdate(var.s, timestamp())`,
		`cidrsubnets(var.s, 1, 2, var.n)`,
	} {
		f.Add(s)
	}
	dir := f.TempDir()
	writeTree(f, dir, map[string]string{
		"t.tpl":  "hello ${name}",
		"t.yaml": "a: [1, 2]\nb: {c: d}\n",
	})
	f.Fuzz(func(t *testing.T, src string) {
		if _, depth := fasthcl.NestingDepth([]byte(src), false); depth > fasthcl.MaxNesting {
			return // the loader refuses such sources before they are parsed
		}
		x, diags := hclsyntax.ParseExpression([]byte(src), "fuzz.tf", hcl.Pos{Line: 1, Column: 1})
		if diags.HasErrors() {
			return
		}
		env := newExprEnv(t, dir)
		env.ctx.Variables = map[string]cty.Value{
			"var": cty.ObjectVal(map[string]cty.Value{
				"m":       cty.ObjectVal(map[string]cty.Value{"a": cty.ObjectVal(map[string]cty.Value{"b": cty.ListVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{"c": cty.StringVal("x")})})}), "n": cty.NullVal(cty.String)}),
				"l":       cty.ListVal([]cty.Value{cty.StringVal("a"), cty.StringVal("b")}),
				"s":       cty.StringVal("10.0.0.0/16"),
				"n":       cty.NumberIntVal(3),
				"b":       cty.True,
				"unknown": cty.DynamicVal,
				"secret":  cty.StringVal("hunter2").Mark(markSensitive),
			}),
			"local": cty.ObjectVal(map[string]cty.Value{
				"a": cty.TupleVal([]cty.Value{cty.ListVal([]cty.Value{cty.NumberIntVal(1)})}),
				"b": cty.UnknownVal(cty.List(cty.Number)),
			}),
			"path": cty.ObjectVal(map[string]cty.Value{"module": cty.StringVal("."), "root": cty.StringVal("."), "cwd": cty.UnknownVal(cty.String)}),
		}
		env.in.mayMark.Store(true)
		done := make(chan cty.Value, 1)
		go func() { done <- evalIn(env.in, env.ctx, x) }()
		var v cty.Value
		select {
		case v = <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("%q: evaluation did not finish", src)
		}
		for _, n := range env.notes() {
			if strings.Contains(n, "internal error") {
				t.Fatalf("%q: %s", src, n)
			}
		}
		if v.ContainsMarked() {
			t.Fatalf("%q: a marked value left the evaluator", src)
		}
	})
}
