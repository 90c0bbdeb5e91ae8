package load

import (
	"fmt"
	"path"
	"path/filepath"
	"strings"
)

// Glob is a path pattern relative to a base directory: `--exclude GLOB`
// (relative to the working directory) or `exclude = ["GLOB"]` and
// `module "GLOB" {}` in .tfgate.hcl (relative to the file). Components
// match as path.Match does (`*`, `?`, `[…]`), and `**` matches any number
// of components, none included. A pattern matches a path and everything
// below it: `modules/legacy` excludes modules/legacy/main.tf.
type Glob struct {
	Pattern string
	Base    string // absolute directory the pattern is relative to
	Origin  string // "--exclude", ".tfgate.hcl:3": for messages
}

// KindOverride is a `module "GLOB" { kind = "…" }` block of .tfgate.hcl.
type KindOverride struct {
	Glob
	Kind string // root, reusable, demo or ignore
}

// OverrideKinds are the kinds a .tfgate.hcl module block may set.
var OverrideKinds = []string{"root", "reusable", "demo", "ignore"}

// CheckGlob reports a pattern that cannot match anything.
func CheckGlob(pattern string) error {
	if strings.TrimSpace(pattern) == "" {
		return fmt.Errorf("empty pattern")
	}
	if strings.Contains(pattern, "\\") {
		return fmt.Errorf("pattern %q: use / to separate directories", pattern)
	}
	for _, part := range strings.Split(strings.Trim(pattern, "/"), "/") {
		if part == "**" {
			continue
		}
		if _, err := path.Match(part, ""); err != nil {
			return fmt.Errorf("pattern %q: %v", pattern, err)
		}
	}
	return nil
}

// Match reports whether the pattern matches an absolute path or one of its
// parent directories below Base.
func (g Glob) Match(abs string) bool {
	rel := relSlash(g.Base, abs)
	if rel == "" {
		return false
	}
	if rel == "." {
		return strings.Trim(g.Pattern, "/") == "." || g.Pattern == "**"
	}
	pat := strings.Split(strings.Trim(path.Clean(g.Pattern), "/"), "/")
	parts := strings.Split(rel, "/")
	for i := range parts {
		if globMatch(pat, parts[:i+1]) {
			return true
		}
	}
	return false
}

// MatchDir is Match for a module directory.
func (g Glob) MatchDir(abs string) bool { return g.Match(abs) }

// globMatch matches pattern components against path components.
func globMatch(pat, parts []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			for len(pat) > 0 && pat[0] == "**" {
				pat = pat[1:]
			}
			if len(pat) == 0 {
				return true
			}
			for i := 0; i <= len(parts); i++ {
				if globMatch(pat, parts[i:]) {
					return true
				}
			}
			return false
		}
		if len(parts) == 0 {
			return false
		}
		if ok, _ := path.Match(pat[0], parts[0]); !ok {
			return false
		}
		pat, parts = pat[1:], parts[1:]
	}
	return len(parts) == 0
}

// excluded reports whether a path is excluded from the run.
func (l *loader) excluded(abs string) bool {
	for _, g := range l.opts.Exclude {
		if g.Match(abs) {
			return true
		}
	}
	return false
}

// absGlobBase makes a base directory absolute.
func absGlobBase(base, wd string) string {
	if base == "" {
		return wd
	}
	if !filepath.IsAbs(base) {
		return filepath.Join(wd, base)
	}
	return filepath.Clean(base)
}
