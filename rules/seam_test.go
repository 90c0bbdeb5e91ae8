package rules

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestRulesReadThroughTheModel fails when a rule file reads the file system
// or takes the native syntax tree apart itself: rules see the files of a
// module and its blocks through package model (Module.DirFiles,
// Block.Native, Block.References…) and expressions through package eval
// (Scope, Flow…), so that what a rule sees is what the loader loaded and
// the evaluator evaluated, for every rule alike. No rule file imports
// hclsyntax.
func TestRulesReadThroughTheModel(t *testing.T) {
	forbidden := map[string]map[string]bool{
		"os":                                    {"Stat": true, "Lstat": true, "ReadDir": true, "Open": true, "OpenFile": true, "ReadFile": true, "DirFS": true, "Getwd": true},
		"path/filepath":                         {"Walk": true, "WalkDir": true, "Glob": true},
		"io/fs":                                 {"WalkDir": true, "ReadDir": true, "ReadFile": true, "Stat": true, "Glob": true},
		"github.com/hashicorp/hcl/v2/hclsyntax": {"Body": true},
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		local := map[string]string{} // import name → path
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if p == "github.com/hashicorp/hcl/v2/hclsyntax" {
				t.Errorf("%s imports hclsyntax: read syntax through package model or eval", name)
			}
			n := p[strings.LastIndex(p, "/")+1:]
			if imp.Name != nil {
				n = imp.Name.Name
			}
			local[n] = p
		}
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			x, ok := sel.X.(*ast.Ident)
			if !ok || x.Obj != nil { // a local variable, not a package
				return true
			}
			if names := forbidden[local[x.Name]]; names[sel.Sel.Name] {
				t.Errorf("%s: %s.%s: rules read files and syntax trees through package model", fset.Position(sel.Pos()), x.Name, sel.Sel.Name)
			}
			return true
		})
	}
	if checked < 10 {
		t.Fatalf("checked only %d rule files", checked)
	}
}

// TestRulesDoNotClassify fails when a rule file decides on its own what a
// directory is: rules read the module model (Module.Kind, Deployed,
// OwnsState, IsReusable, IsDemo, Internal, BackendElsewhere…), decided once
// by the loader from evidence (analyzer/load/classify.go). Looking for a
// modules/ or examples/ path component, a terragrunt.hcl or an atmos.yaml,
// or at who calls a module, is the classifier's job.
func TestRulesDoNotClassify(t *testing.T) {
	// Path components and file names that are evidence of a kind.
	vocabulary := map[string]bool{}
	for _, w := range []string{"modules", "wrappers", "examples", "example", "samples", "sample", "demo", "demos",
		"test", "tests", "testdata", "fixtures", "fixture", "e2e", "mixins", "snippets", "components",
		"terragrunt.hcl", "terragrunt.hcl.json", "root.hcl", "atmos.yaml", "context.tf", "stacks", ".gitignore"} {
		vocabulary[w] = true
		vocabulary[w+"/"] = true
		vocabulary["/"+w] = true
		vocabulary["/"+w+"/"] = true
	}
	// Module fields that are the classifier's inputs, not its answer.
	inputs := map[string]bool{"Callers": true}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.BasicLit:
				if n.Kind != token.STRING {
					return true
				}
				if s, err := strconv.Unquote(n.Value); err == nil && vocabulary[s] {
					t.Errorf("%s: %q: rules ask the module model what a directory is (Module.Kind…), they do not look at paths or wrapper files", fset.Position(n.Pos()), s)
				}
			case *ast.SelectorExpr:
				if inputs[n.Sel.Name] {
					t.Errorf("%s: .%s: who calls a module is evidence for the classifier; rules read Module.Kind", fset.Position(n.Pos()), n.Sel.Name)
				}
			}
			return true
		})
	}
	if checked < 10 {
		t.Fatalf("checked only %d rule files", checked)
	}
}
