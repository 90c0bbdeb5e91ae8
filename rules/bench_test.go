package rules

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/tfgate/tfgate/analyzer"
	"github.com/tfgate/tfgate/analyzer/eval"
	"github.com/tfgate/tfgate/analyzer/load"
	"github.com/tfgate/tfgate/analyzer/model"
	"github.com/tfgate/tfgate/analyzer/monorepo"
)

// BenchmarkLint lints generated monorepos of growing size in one run, so
// that per-file cost can be compared side by side as the tree doubles:
//
//	go test ./rules -run '^$' -bench Lint -benchtime 5x
//
// ns/file should stay flat from 500 to 2,000 modules (linear cost).
func BenchmarkLint(b *testing.B) {
	for _, n := range []int{500, 1000, 2000} {
		l := monorepo.Layout{Modules: n}
		dir := b.TempDir()
		if err := monorepo.Generate(dir, l); err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("modules=%d/files=%d", n, l.Files()), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				res, err := analyzer.Run(analyzer.Options{Load: load.LoadOptions{WorkDir: dir}, Rules: All()})
				if err != nil {
					b.Fatal(err)
				}
				if len(res.Project.Modules) != n {
					b.Fatalf("loaded %d modules, want %d", len(res.Project.Modules), n)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(l.Files()), "ns/file")
		})
	}
}

// BenchmarkLintChangedModule is the pre-commit path: one changed module in
// a 2,000-module tree, restricted to it and the roots that call it.
func BenchmarkLintChangedModule(b *testing.B) {
	l := monorepo.Layout{Modules: 2000}
	dir := b.TempDir()
	if err := monorepo.Generate(dir, l); err != nil {
		b.Fatal(err)
	}
	changed := filepath.Join(dir, "modules", "svc0007")
	if _, err := os.Stat(changed); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_, err := analyzer.Run(analyzer.Options{Load: load.LoadOptions{WorkDir: dir, Changed: []string{filepath.Join(changed, "main.tf")}}, Rules: All()})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPhases splits a lint of the 2,000-module tree into its phases,
// each measured on its own in the same run: loading (walk, read, parse),
// instantiation (variables, locals, module calls) and the rules.
//
//	go test ./rules -run '^$' -bench Phases -benchtime 5x
func BenchmarkPhases(b *testing.B) {
	l := monorepo.Layout{Modules: 2000}
	dir := b.TempDir()
	if err := monorepo.Generate(dir, l); err != nil {
		b.Fatal(err)
	}
	load := func(b *testing.B) *model.Project {
		p, err := load.Load(load.LoadOptions{WorkDir: dir})
		if err != nil {
			b.Fatal(err)
		}
		return p
	}
	perFile := func(b *testing.B) {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(l.Files()), "ns/file")
	}
	b.Run("load", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			load(b)
		}
		perFile(b)
	})
	b.Run("instantiate", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			p := load(b)
			b.StartTimer()
			eval.Instantiate(p, eval.Options{})
		}
		perFile(b)
	})
	b.Run("rules", func(b *testing.B) {
		p := load(b)
		ev := eval.Instantiate(p, eval.Options{})
		active, err := analyzer.SelectRules(analyzer.Options{Rules: All()})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			res := analyzer.RunRules(p, ev, active, analyzer.Options{Rules: All()})
			if len(res.Findings) == 0 {
				b.Fatal("no findings: the generated tree has some by design")
			}
		}
		perFile(b)
	})
}

// BenchmarkTagsRequired times tags-required alone on an evaluated tree:
// the generated 2,000-module monorepo, or the tree TFGATE_BENCH_DIR names
// (a real repository, e.g. a live-environments repo of many roots):
//
//	TFGATE_BENCH_DIR=/path/to/repo go test ./rules -run '^$' -bench TagsRequired -benchtime 20x
func BenchmarkTagsRequired(b *testing.B) {
	dir := os.Getenv("TFGATE_BENCH_DIR")
	if dir == "" {
		dir = b.TempDir()
		if err := monorepo.Generate(dir, monorepo.Layout{Modules: 2000}); err != nil {
			b.Fatal(err)
		}
	}
	p, err := load.Load(load.LoadOptions{WorkDir: dir})
	if err != nil {
		b.Fatal(err)
	}
	ev := eval.Instantiate(p, eval.Options{})
	var rule *analyzer.Rule
	for _, r := range All() {
		if r.ID == "tags-required" {
			rule = r
		}
	}
	active := []analyzer.ActiveRule{{Rule: rule, Severity: rule.Severity}}
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i++ {
		n = len(analyzer.RunRules(p, ev, active, analyzer.Options{Rules: All()}).Findings)
	}
	b.ReportMetric(float64(n), "findings")
}
