package eval

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/tfgate/tfgate/analyzer/load"
	"github.com/tfgate/tfgate/analyzer/model"
	"github.com/tfgate/tfgate/internal/fsx"
	"github.com/zclconf/go-cty/cty"
)

// exprEnv evaluates single expressions the way a root module's locals
// are evaluated: Terraform's functions, file functions reading under dir
// (the repository root), the evaluation limits, notes collected.
type exprEnv struct {
	ev  *evaluator
	in  *Instance
	ctx *hcl.EvalContext
}

func newExprEnv(t testing.TB, dir string) *exprEnv {
	if dir == "" {
		dir = t.TempDir()
	}
	real := fsx.RealPath(dir)
	ev := &evaluator{p: &model.Project{WorkDir: dir, Roots: []string{real}}, byKey: map[string]*Instance{}}
	m := &model.Module{Dir: ".", AbsDir: dir}
	in := &Instance{Module: m, budget: newBudget(ev, ".")}
	var fctx *hcl.EvalContext
	in.files, fctx = ev.fileContext(dir)
	in.funcCtx = fctx
	ctx := fctx.NewChild()
	ctx.Variables = map[string]cty.Value{"path": cty.ObjectVal(map[string]cty.Value{"module": cty.StringVal("."), "root": cty.StringVal("."), "cwd": cty.UnknownVal(cty.String)})}
	in.ctx = ctx
	return &exprEnv{ev: ev, in: in, ctx: ctx}
}

// eval parses and evaluates src.
func (e *exprEnv) eval(t testing.TB, src string) cty.Value {
	t.Helper()
	x, d := hclsyntax.ParseExpression([]byte(src), "test.tf", hcl.Pos{Line: 1, Column: 1})
	if d.HasErrors() {
		t.Fatalf("%s: %s", src, d.Error())
	}
	return evalIn(e.in, e.ctx, x)
}

// notes are the notes and problems so far.
func (e *exprEnv) notes() []string {
	e.ev.mu.Lock()
	defer e.ev.mu.Unlock()
	var out []string
	for _, p := range e.ev.problems {
		out = append(out, p.Message)
	}
	return out
}

func (e *exprEnv) noted(sub string) bool {
	for _, n := range e.notes() {
		if strings.Contains(n, sub) {
			return true
		}
	}
	return false
}

// writeTree writes files (slash paths) under dir.
func writeTree(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// loadTree loads and evaluates a tree as `tfgate lint` does from dir.
func loadTree(t testing.TB, dir string, paths ...string) (*model.Project, *Result) {
	t.Helper()
	p, err := load.Load(load.LoadOptions{WorkDir: dir, Paths: paths})
	if err != nil {
		t.Fatal(err)
	}
	return p, Instantiate(p, Options{})
}

// instance returns the instance of a module directory with a call chain.
func instance(t testing.TB, r *Result, dir, via string) *Instance {
	t.Helper()
	for _, in := range r.Instances {
		if in.Module.Dir == dir && in.Via() == via {
			return in
		}
	}
	t.Fatalf("no instance of %s via %q", dir, via)
	return nil
}

func problemsText(r *Result) string {
	var b strings.Builder
	for _, p := range r.AllProblems() {
		b.WriteString(p.Range.String() + ": " + p.Message + "\n")
	}
	return b.String()
}
