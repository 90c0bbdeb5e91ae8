package load

import (
	"path/filepath"
	"strings"

	"github.com/tfgate/tfgate/analyzer/model"
)

// The module-kind model: which loaded modules are roots (where `terraform
// apply` runs: they own state, backends and lock files), which are reusable
// children, and which roots are examples. Rules read the result from
// Module.Kind and Module.Example.

// classify decides which modules are roots and which are reusable children.
// scanRel is a module's directory relative to the scanned path that holds
// it, so that `tfgate lint fixtures/example` judges envs/prod, not
// fixtures/example/envs/prod.
func scanRel(m *model.Module, roots []string) string {
	best := ""
	for _, r := range roots {
		if rel, err := filepath.Rel(r, m.AbsDir); err == nil && !strings.HasPrefix(rel, "..") {
			if best == "" || len(rel) < len(best) {
				best = filepath.ToSlash(rel)
			}
		}
	}
	if best == "" {
		return m.Dir
	}
	return best
}

func classify(mods []*model.Module, roots []string, allDirs map[string]bool) {
	dirs := map[string]bool{}
	for d := range allDirs {
		dirs[d] = true
	}
	for _, m := range mods {
		dirs[m.Dir] = true
	}
	for _, m := range mods {
		m.Kind = model.Root
		called := false
		for _, c := range m.Callers {
			if c.Block.Module != m && c.Block.Module.Scanned {
				called = true
			}
		}
		parts := strings.Split(scanRel(m, roots), "/")
		underModules := false
		example := false
		for _, p := range parts {
			switch p {
			case "modules", "wrappers":
				underModules = true
			}
			if demoDir(p) {
				example = true
			}
		}
		// terraform-aws-modules' wrappers/ hold for_each wrappers of the
		// module: reusable too. The part after the last "modules" component decides: envs/prod is a
		// root even when it lives under examples/.
		if underModules {
			last := -1
			for i, p := range parts {
				if p == "modules" || p == "wrappers" {
					last = i
				}
			}
			underModules = last < len(parts)-1 || parts[len(parts)-1] == "wrappers"
		}
		switch {
		case called, underModules, !m.Scanned:
			m.Kind = model.Child
		case len(m.Backends) == 0 && len(m.Providers) == 0 && hasModuleTree(m.Dir, dirs):
			m.Kind = model.Child
		}
		m.Example = m.Kind == model.Root && example
	}
}

// demoWords name directories of demos and tests: examples/, samples/,
// demo/, tests/, testdata/, fixtures/, and names built from them such as
// unit-test-fixture/ or e2e_tests/.
var demoWords = map[string]bool{
	"example": true, "examples": true, "sample": true, "samples": true, "demo": true, "demos": true,
	"test": true, "tests": true, "testdata": true, "fixture": true, "fixtures": true, "e2e": true,
}

func demoDir(name string) bool {
	for _, w := range strings.FieldsFunc(strings.ToLower(name), func(r rune) bool { return r == '-' || r == '_' || r == '.' }) {
		if demoWords[w] {
			return true
		}
	}
	return false
}

// hasModuleTree reports whether a module has examples/ or modules/ with
// Terraform below it: the standard module structure.
func hasModuleTree(dir string, dirs map[string]bool) bool {
	prefix := dir + "/"
	if dir == "." {
		prefix = ""
	}
	for d := range dirs {
		if strings.HasPrefix(d, prefix+"examples/") || strings.HasPrefix(d, prefix+"modules/") {
			return true
		}
	}
	return false
}
