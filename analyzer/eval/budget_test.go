package eval

import (
	"fmt"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// TestEvaluationLimits: 67-byte bombs finish, their values are unknown
// and a note names the expression and the limit. The assertions are on
// completion and the notes, never on timings.
func TestEvaluationLimits(t *testing.T) {
	for _, c := range funcBombs {
		env := newExprEnv(t, "")
		v := env.eval(t, c.expr)
		if c.note == "" {
			continue
		}
		if v.IsWhollyKnown() {
			t.Errorf("%s: known, want unknown", c.expr)
		}
		if !env.noted(c.note) {
			t.Errorf("%s: no note %q in %q", c.expr, c.note, env.notes())
		}
		for _, n := range env.notes() {
			if !strings.HasPrefix(n, "evaluation limit: ") {
				t.Errorf("%s: note %q", c.expr, n)
			}
		}
	}
}

// funcBombs are small expressions that would build huge values or run
// for hours, and the note each gives.
var funcBombs = []struct{ expr, note string }{
	{`setproduct(range(1000), range(1000), range(1000))`, `setproduct(…) would build more than 1048576 elements`},
	{`format("%2000000000s", "")`, `format(…) would build a string of more than 16 MiB`},
	{`format("%.900000000f", 1)`, `format(…) would build a string of more than 16 MiB`},
	{`formatlist("%9000000s", range(1000))`, `formatlist(…) would build a string of more than 16 MiB`},
	{`[for a in range(1000): [for b in range(1000): [for c in range(1000): 1]]]`, `this expression takes more than 262144 steps`},
	{`{for a in range(1000): a => {for b in range(1000): b => [for c in range(1000): c]}}`, `this expression takes more than 262144 steps`},
	{`join(",", [for i in range(1000): format("%20000s", i)])`, `join(…) would build a string of more than 16 MiB`},
	{`replace(join("", [for i in range(1000): "aaaaaaaaaa"]), "a", join("", [for i in range(1000): "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"]))`, `replace(…) would build a string of more than 16 MiB`},
	{`replace("aaaa", "", format("%9000000s", ""))`, `replace(…) would build a string of more than 16 MiB`},
	{`indent(100000000, "a\nb\nc")`, `indent(…) would build a string of more than 16 MiB`},
	{`distinct(split("", format("%6000s", "")))`, `distinct(…) would compare more than 16777216 pairs`},
	{`jsonencode(yamldecode("a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"))`, `yamldecode(…) would decode aliases that repeat more than 4 MiB of the document`},
	{`jsondecode("${join("", [for i in range(1000): "[[[[["])}${join("", [for i in range(1000): "]]]]]"])}")`, `jsondecode(…) would decode a document nested more than 4096 levels deep`},
	{`"${join("", [for i in range(1000): format("%10000s", "")])}${join("", [for i in range(1000): format("%10000s", "")])}"`, `this builds a string of more than 16 MiB`},
}

// TestUnknownIsLocal: what cannot be known (an unknowable function, a
// value past a limit, a refused file) is unknown where it is, not the map
// around it: merge keeps the known keys and values.
func TestUnknownIsLocal(t *testing.T) {
	env := newExprEnv(t, "")
	for _, src := range []string{
		`merge({team = "x"}, {stack = provider::x::y()})`,
		`merge({team = "x"}, {stack = unknowable_function(1)})`,
		`merge({team = "x"}, {stack = timestamp()})`,
		`merge({team = "x"}, {stack = setproduct(range(1000), range(1000), range(1000))})`,
		`merge({team = "x"}, {stack = file("/etc/passwd")})`,
	} {
		v := env.eval(t, src)
		if !v.IsKnown() || !v.Type().IsObjectType() {
			t.Errorf("%s = %#v: the map is unknown", src, v)
			continue
		}
		if !v.Type().HasAttribute("team") || !v.Type().HasAttribute("stack") || len(v.Type().AttributeTypes()) != 2 {
			t.Errorf("%s: keys %v, want team and stack", src, v.Type().AttributeTypes())
			continue
		}
		if team := v.GetAttr("team"); !team.IsKnown() || team.AsString() != "x" {
			t.Errorf("%s: team = %#v", src, team)
		}
		if v.GetAttr("stack").IsKnown() {
			t.Errorf("%s: stack is known", src)
		}
	}
}

// TestLimitsInModules: the bombs in configuration, and forty locals that
// each double a string: the run finishes, the values past the limit are
// unknown, the ones before it known, one note at the local that hit it.
func TestLimitsInModules(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("locals {\n  s0 = \"xxxxxxxxxxxxxxxx\"\n")
	for i := 1; i <= 40; i++ {
		fmt.Fprintf(&b, "  s%d = \"${local.s%d}${local.s%d}\"\n", i, i-1, i-1)
	}
	b.WriteString("}\n")
	writeTree(t, dir, map[string]string{
		"double/main.tf":          b.String(),
		"tfvars/main.tf":          "variable \"x\" {}\n",
		"tfvars/terraform.tfvars": "x = [for a in [" + strings.Repeat("1,", 1000) + "1]: [for b in [" + strings.Repeat("1,", 1000) + "1]: [for c in [" + strings.Repeat("1,", 1000) + "1]: c]]]\n",
		"template/main.tf":        "locals {\n  t = templatefile(\"${path.module}/t.tpl\", {})\n}\n",
		"template/t.tpl":          "%{for a in range(1000)}%{for b in range(1000)}%{for c in range(1000)}x%{endfor}%{endfor}%{endfor}",
	})
	_, r := loadTree(t, dir)
	in := instance(t, r, "double", "")
	// 16 bytes doubled 20 times is 16 MiB: s20 is the last that fits.
	for i := 0; i <= 40; i++ {
		v, _ := in.local(fmt.Sprintf("s%d", i))
		if known := v.IsKnown(); known != (i <= 20) {
			t.Errorf("local.s%d known = %v", i, known)
		}
	}
	probs := problemsText(r)
	for _, want := range []string{
		"double/main.tf:23,9-35: evaluation limit: this builds a string of more than 16 MiB; its value is unknown",
		"tfvars/terraform.tfvars:1,5-6054: evaluation limit: this expression takes more than 262144 steps",
		"template/main.tf:2,7-47: evaluation limit: this expression takes more than 262144 steps",
	} {
		if !strings.Contains(probs, want) {
			t.Errorf("no problem %q in:\n%s", want, probs)
		}
	}
	if n := strings.Count(probs, "double/main.tf"); n != 1 {
		t.Errorf("%d notes for the doubling locals, want 1:\n%s", n, probs)
	}
	if v := instance(t, r, "tfvars", "").vars["x"].Value; v.IsKnown() {
		t.Errorf("var.x is known")
	}
}

// TestFanOut: 18 modules of a few lines that each call the next twice are
// 2^17 call chains but 18 distinct instances: calls of one parent with
// the same inputs share one instance, and findings name the chains.
func TestFanOut(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{}
	for i := 0; i < 18; i++ {
		body := "variable \"n\" {\n  default = 1\n}\n"
		if i < 17 {
			body += fmt.Sprintf("module \"a\" {\n  source = \"../m%d\"\n  n = var.n\n}\nmodule \"b\" {\n  source = \"../m%d\"\n  n = var.n\n}\n", i+1, i+1)
		}
		files[fmt.Sprintf("m%d/main.tf", i)] = body
	}
	files["root/main.tf"] = "module \"top\" {\n  source = \"../m0\"\n}\n"
	writeTree(t, dir, files)
	_, r := loadTree(t, dir, "root")
	if n := len(r.Instances); n > 40 {
		t.Fatalf("%d instances, want one per module", n)
	}
	var deepest *Instance
	for _, in := range r.Instances {
		if in.Module.Dir == "m17" {
			deepest = in
		}
	}
	if deepest == nil {
		t.Fatal("m17 has no instance")
	}
	if vias := deepest.Vias(); len(vias) != maxVias || !strings.HasPrefix(vias[0], "module.top.module.a.module.a") {
		t.Errorf("vias = %d %q", len(vias), vias[:1])
	}
}

// TestDeepButAllowedChains: chains just under the parser's limit evaluate
// without exhausting the stack.
func TestDeepButAllowedChains(t *testing.T) {
	env := newExprEnv(t, "")
	for _, src := range []string{
		strings.Repeat("true ? 1 : ", 1000) + "2",
		strings.Repeat("1 + ", 1000) + "1",
		strings.Repeat("[", 500) + strings.Repeat("]", 500),
		strings.Repeat("upper(", 400) + `"x"` + strings.Repeat(")", 400),
	} {
		if v := env.eval(t, src); !v.IsWhollyKnown() {
			t.Errorf("%.40s…: unknown (%q)", src, env.notes())
		}
	}
}

// TestInstanceAndRunBudgets: expressions each under the per-expression
// limit add up, in one module instance and in one run, to a total past
// which the rest is unknown, with one note at the expression that spent it.
func TestInstanceAndRunBudgets(t *testing.T) {
	defer func(i, r int64) { maxInstanceSteps, maxRunSteps = i, r }(maxInstanceSteps, maxRunSteps)
	maxInstanceSteps, maxRunSteps = 50000, 120000
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("locals {\n")
	for i := 0; i < 10; i++ {
		fmt.Fprintf(&b, "  l%d = length([for i in range(1000): [for j in range(10): j]])\n", i)
	}
	b.WriteString("}\n")
	files := map[string]string{"one/main.tf": b.String()}
	for _, d := range []string{"a", "b", "c", "d"} {
		files[d+"/main.tf"] = b.String()
	}
	writeTree(t, dir, files)
	_, r := loadTree(t, dir, "one")
	in := instance(t, r, "one", "")
	known := 0
	for i := 0; i < 10; i++ {
		if v, _ := in.local(fmt.Sprintf("l%d", i)); v.IsKnown() {
			known++
		}
	}
	// Each is well under the expression limit; together they pass the
	// instance's: the first are known, the rest unknown.
	if known < 1 || known >= 10 {
		t.Errorf("%d locals known, want some but not all", known)
	}
	probs := problemsText(r)
	if n := strings.Count(probs, "evaluation budget: module one has evaluated more than 50000 steps; this value and the rest of the module's are unknown"); n != 1 {
		t.Errorf("%d instance-budget notes:\n%s", n, probs)
	}
	// Four modules, each under its own budget, pass the run's.
	_, r = loadTree(t, dir, "a", "b", "c", "d")
	if !strings.Contains(problemsText(r), "evaluation budget: this run has evaluated more than 120000 steps") {
		t.Errorf("no run-budget note:\n%s", problemsText(r))
	}
}

// TestInstanceCap: past the cap of distinct instances, calls are not
// evaluated and a note says so.
func TestInstanceCap(t *testing.T) {
	defer func(n int) { maxInstances = n }(maxInstances)
	maxInstances = 5
	dir := t.TempDir()
	var b strings.Builder
	for i := 0; i < 10; i++ {
		fmt.Fprintf(&b, "module \"m%d\" {\n  source = \"../child\"\n  n = %d\n}\n", i, i)
	}
	writeTree(t, dir, map[string]string{
		"root/main.tf":  b.String(),
		"child/main.tf": "variable \"n\" {}\n",
	})
	_, r := loadTree(t, dir, "root")
	if len(r.Instances) > maxInstances {
		t.Errorf("%d instances, cap %d", len(r.Instances), maxInstances)
	}
	if !strings.Contains(problemsText(r), "more than 5 module instances in this run; this call and the rest are not evaluated") {
		t.Errorf("no cap note:\n%s", problemsText(r))
	}
}

// TestCrashIsANote: a panic inside a function is an unknown value and a
// note at the expression; evaluation goes on.
func TestCrashIsANote(t *testing.T) {
	env := newExprEnv(t, "")
	env.ctx.Functions = map[string]function.Function{"boom": function.New(&function.Spec{
		Type: function.StaticReturnType(cty.String),
		Impl: func([]cty.Value, cty.Type) (cty.Value, error) { panic("boom") },
	})}
	v := env.eval(t, `merge({a = "x"}, {b = boom()})`)
	if !v.IsKnown() || !v.GetAttr("a").IsKnown() || v.GetAttr("b").IsKnown() {
		t.Errorf("value %#v, want a known and b unknown", v)
	}
	if !env.noted("internal error evaluating this expression (boom(…) panicked: boom)") {
		t.Errorf("notes: %q", env.notes())
	}
	if v := env.eval(t, `upper("still works")`); !v.IsKnown() || v.AsString() != "STILL WORKS" {
		t.Errorf("after the crash: %#v", v)
	}
}

// TestFanOutDistinct: the same fan-out where every call gives its module
// different inputs (n*2, n*2+1: 2^17 distinct instances) stops at the
// real instance cap with one note, and finishes.
func TestFanOutDistinct(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{}
	for i := 0; i < 18; i++ {
		body := "variable \"n\" {\n  default = 1\n}\n"
		if i < 17 {
			body += fmt.Sprintf("module \"a\" {\n  source = \"../m%d\"\n  n = var.n * 2\n}\nmodule \"b\" {\n  source = \"../m%d\"\n  n = var.n * 2 + 1\n}\n", i+1, i+1)
		}
		files[fmt.Sprintf("m%d/main.tf", i)] = body
	}
	files["root/main.tf"] = "module \"top\" {\n  source = \"../m0\"\n}\n"
	writeTree(t, dir, files)
	_, r := loadTree(t, dir, "root")
	if n := len(r.Instances); n > maxInstances {
		t.Errorf("%d instances, cap %d", n, maxInstances)
	}
	// One note per call site that hit the cap, never one per chain.
	probs := problemsText(r)
	if n := strings.Count(probs, fmt.Sprintf("more than %d module instances in this run; this call and the rest are not evaluated", maxInstances)); n < 1 || n > 34 {
		t.Errorf("%d cap notes, want 1 to 34 (one per call site at most):\n%.2000s", n, probs)
	}
	if n := len(r.AllProblems()); n > 34 {
		t.Errorf("%d problems", n)
	}
}
