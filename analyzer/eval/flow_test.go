package eval

import (
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

func parseExpr(t *testing.T, src string) hcl.Expression {
	t.Helper()
	e, d := hclsyntax.ParseExpression([]byte(src), "x.tf", hcl.Pos{Line: 1, Column: 1})
	if d.HasErrors() {
		t.Fatal(d)
	}
	return e
}

func refStrings(trs []hcl.Traversal) []string {
	var out []string
	for _, tr := range trs {
		var b strings.Builder
		b.WriteString(tr.RootName())
		for _, s := range tr[1:] {
			switch s := s.(type) {
			case hcl.TraverseAttr:
				b.WriteString("." + s.Name)
			case hcl.TraverseIndex:
				if s.Key.IsKnown() && s.Key.Type() == cty.String {
					b.WriteString("[" + s.Key.AsString() + "]")
				} else {
					b.WriteString("[?]")
				}
			case hcl.TraverseSplat:
				b.WriteString("[*]")
			}
		}
		out = append(out, b.String())
	}
	slices.Sort(out)
	return out
}

// TestFlow: values flow through templates, conditionals' results,
// collections and function arguments; not through comparisons, logical
// operators or opaque functions; a for expression's collection flows only
// through its value variable when Carries says so.
func TestFlow(t *testing.T) {
	opts := FlowOptions{
		Opaque:  map[string]bool{"length": true, "sha256": true},
		Carries: func(field hcl.Traversal) bool { return len(field) == 0 || field[0].(hcl.TraverseAttr).Name != "id" },
	}
	for _, tc := range []struct {
		src  string
		want []string
	}{
		{`"postgres://${var.user}:${var.password}@host"`, []string{"var.password", "var.user"}},
		{`var.on ? var.a : local.b`, []string{"local.b", "var.a"}},
		{`var.a == var.b`, nil},
		{`!var.flag`, nil},
		{`length(var.secret) + sha256(var.key)`, nil},
		{`jsonencode({ pw = var.pw, n = 1 })`, []string{"var.pw"}},
		{`[for s in aws_secret.x : s.id]`, nil},
		{`[for s in aws_secret.x : s.value]`, []string{"aws_secret.x"}},
		{`{ for k, s in var.m : k => "x" }`, nil},
		{`aws_db.x[local.k].password`, []string{"aws_db.x[?].password"}},
		{`aws_db.x["a"].password`, []string{"aws_db.x[a].password"}},
		{`aws_db.x[*].password`, []string{"aws_db.x[*].password"}},
	} {
		got := refStrings(Flow(parseExpr(t, tc.src), opts))
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: flows %v, want %v", tc.src, got, tc.want)
		}
	}
}

func TestPlanAnySensitive(t *testing.T) {
	after := map[string]any{"tags": map[string]any{"team": true}, "name": false, "tag": []any{}}
	for _, tc := range []struct {
		path []string
		want bool
	}{{nil, true}, {[]string{"tags"}, true}, {[]string{"name"}, false}, {[]string{"tag"}, false}, {[]string{"absent"}, false}} {
		if got := PlanAnySensitive(after, tc.path...); got != tc.want {
			t.Errorf("%v: %v, want %v", tc.path, got, tc.want)
		}
	}
	if !PlanAnySensitive(true, "tags") {
		t.Error("a wholly sensitive value is sensitive below every path")
	}
}

// TestEntryRangeAndIndexKeys: the helpers that point into expressions
// evaluate keys in the scope.
func TestEntryRangeAndIndexKeys(t *testing.T) {
	ctx := &hcl.EvalContext{Variables: map[string]cty.Value{"each": cty.ObjectVal(map[string]cty.Value{"key": cty.StringVal("api")})}}
	s := Scope{ctx: ctx}
	e := parseExpr(t, `{ "a" = 1, (each.key) = 2, "a" = 3 }`)
	if r, ok := s.EntryRange(e, "api"); !ok || r.Start.Column != 12 {
		t.Errorf("api: %v %v", r, ok)
	}
	if r, ok := s.EntryRange(e, "a"); !ok || r.Start.Column != 28 {
		t.Errorf("a (the last entry wins): %v %v", r, ok)
	}
	if _, ok := s.EntryRange(parseExpr(t, `var.m`), "a"); ok {
		t.Error("not a literal object")
	}
	keys := s.IndexKeys(parseExpr(t, `"service/${aws_ecs_service.x[each.key].name}/${aws_ecs_service.y[var.k].id}"`), "aws_ecs_service")
	if len(keys) != 1 || keys[0].AsString() != "api" {
		t.Errorf("index keys %v, want [api] (var.k is unknown here)", keys)
	}
}
