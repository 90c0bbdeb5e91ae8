package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/tfgate/tfgate/analyzer/eval"
	"github.com/tfgate/tfgate/analyzer/load"
	"github.com/tfgate/tfgate/analyzer/model"
	"github.com/zclconf/go-cty/cty"
)

var old = map[string]bool{}

func init() {
	for _, n := range strings.Fields(`abs ceil floor log max min pow signum parseint chomp format formatlist indent join lower upper regex regexall split strrev substr title trim trimprefix trimsuffix trimspace replace coalesce coalescelist compact concat contains distinct element chunklist flatten index keys length lookup merge range reverse setintersection setproduct setsubtract setunion slice sort values zipmap csvdecode jsondecode jsonencode formatdate timeadd tobool tonumber tostring tolist toset tomap try can one sum alltrue anytrue startswith endswith strcontains base64encode base64decode urlencode md5 sha1 sha256 sha512 basename dirname sensitive nonsensitive file fileexists`) {
		old[n] = true
	}
}

// newFuncs lists the functions an expression calls that the old table lacked, following locals.
func newFuncs(m *model.Module, e hcl.Expression, seen map[string]bool) []string {
	var out []string
	se, ok := e.(hclsyntax.Expression)
	if !ok {
		return nil
	}
	hclsyntax.VisitAll(se, func(n hclsyntax.Node) hcl.Diagnostics {
		if c, ok := n.(*hclsyntax.FunctionCallExpr); ok && !old[c.Name] {
			out = append(out, c.Name)
		}
		return nil
	})
	for _, tr := range e.Variables() {
		if tr.RootName() == "local" && len(tr) > 1 {
			if ga, ok := tr[1].(hcl.TraverseAttr); ok && !seen[ga.Name] {
				seen[ga.Name] = true
				for _, l := range m.Locals {
					if l.Name == ga.Name {
						out = append(out, newFuncs(m, l.Attr.Expr, seen)...)
					}
				}
			}
		}
	}
	return out
}

func keysKnown(v cty.Value) bool {
	return v != cty.NilVal && v.IsKnown() && !v.IsNull() && (v.Type().IsObjectType() || v.Type().IsMapType() && v.IsWhollyKnown())
}

func main() {
	for _, repo := range os.Args[1:] {
		p, err := load.Load(load.LoadOptions{WorkDir: repo})
		if err != nil {
			fmt.Println(repo, err)
			continue
		}
		r := eval.Instantiate(p, eval.Options{})
		roots := map[string]bool{}
		allRoots := map[string]bool{}
		exprs := map[string]bool{}
		funcs := map[string]int{}
		for _, in := range r.Instances {
			root := in.Root()
			if root.Standalone {
				continue
			}
			allRoots[root.Module.Dir] = true
			check := func(s eval.Scope, a *hcl.Attribute, v cty.Value) {
				if a == nil || !keysKnown(v) {
					return
				}
				nf := newFuncs(in.Module, a.Expr, map[string]bool{})
				if len(nf) == 0 {
					return
				}
				roots[root.Module.Dir] = true
				exprs[a.Range.String()] = true
				for _, f := range nf {
					funcs[f]++
				}
			}
			for _, b := range in.Module.Resources {
				for _, s := range in.Scopes(b) {
					v, a := s.Attr("tags")
					check(s, a, v)
				}
			}
			for _, b := range in.Module.Providers {
				for _, s := range in.Scopes(b) {
					for _, dt := range s.Blocks("default_tags") {
						v, a := dt.Attr("tags")
						check(dt, a, v)
					}
				}
			}
		}
		var fl []string
		for f, n := range funcs {
			fl = append(fl, fmt.Sprintf("%s×%d", f, n))
		}
		sort.Strings(fl)
		fmt.Printf("%s\troots %d/%d\texprs %d\t%s\n", filepath.Base(repo), len(roots), len(allRoots), len(exprs), strings.Join(fl, " "))
	}
}
