package main

import (
	"go/build"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestArchitectureDocMatchesImports holds docs/architecture.md to the code:
// the list of each package's imports of tfgate packages is exactly what the
// packages import (tests excluded), so the page a newcomer reads first is
// never stale and an import against the layering shows up in review.
func TestArchitectureDocMatchesImports(t *testing.T) {
	const module = "github.com/tfgate/tfgate/"
	root, _ := filepath.Abs("../..")
	doc, err := os.ReadFile(filepath.Join(root, "docs", "architecture.md"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(doc)
	begin, end := strings.Index(text, "<!-- BEGIN imports -->"), strings.Index(text, "<!-- END imports -->")
	if begin < 0 || end < begin {
		t.Fatal("docs/architecture.md has no imports list")
	}
	documented := map[string][]string{}
	item := regexp.MustCompile("`([^`]+)`")
	for _, line := range strings.Split(text[begin:end], "\n") {
		if !strings.HasPrefix(line, "- ") {
			continue
		}
		left, right, ok := strings.Cut(line, " → ")
		if !ok {
			t.Fatalf("docs/architecture.md: %q is not `pkg` → `imports`", line)
		}
		pkg := item.FindStringSubmatch(left)[1]
		deps := []string{}
		if !strings.HasPrefix(right, "nothing") {
			for _, m := range item.FindAllStringSubmatch(right, -1) {
				deps = append(deps, m[1])
			}
		} else if paren := strings.Index(right, "("); paren >= 0 {
			// "nothing (…; `a` → `b`)": a second entry in the note.
			if sub := item.FindAllStringSubmatch(right[paren:], -1); len(sub) == 2 {
				documented[sub[0][1]] = []string{sub[1][1]}
			}
		}
		documented[pkg] = deps
	}
	actual := map[string][]string{}
	err = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		if rel != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "fixtures" || d.Name() == "testdata" || d.Name() == "docs") {
			return filepath.SkipDir
		}
		bp, err := build.ImportDir(p, 0)
		if err != nil {
			return nil // no Go files
		}
		deps := []string{}
		for _, imp := range bp.Imports {
			if strings.HasPrefix(imp, module) {
				deps = append(deps, strings.TrimPrefix(imp, module))
			}
		}
		slices.Sort(deps)
		actual[filepath.ToSlash(rel)] = deps
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(actual) < 10 {
		t.Fatalf("found only %d packages", len(actual))
	}
	for pkg, deps := range actual {
		want, ok := documented[pkg]
		if !ok {
			t.Errorf("docs/architecture.md does not list package %s (it imports %v)", pkg, deps)
			continue
		}
		slices.Sort(want)
		if !slices.Equal(want, deps) {
			t.Errorf("docs/architecture.md: %s imports %v, the code imports %v", pkg, want, deps)
		}
	}
	for pkg := range documented {
		if _, ok := actual[pkg]; !ok {
			t.Errorf("docs/architecture.md lists %s, which is not a package", pkg)
		}
	}
}
