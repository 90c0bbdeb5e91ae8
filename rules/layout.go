package rules

// Helpers shared by the layout rules (layout-standard-files,
// layout-documented-interface, layout-provider-in-module and
// layout-environment-parity).

import (
	"fmt"
	"net/url"
	"path"
	"sort"
	"strings"

	"github.com/tfgate/tfgate/analyzer/model"
)

// layoutBaseName is a file's name inside its module, with a .tf.json file
// named like its native counterpart: "variables.tf.json" → "variables.tf".
func layoutBaseName(f *model.File) string {
	return strings.TrimSuffix(path.Base(f.Path), ".json")
}

// layoutIsOverride reports whether a file is a Terraform override file
// (override.tf, *_override.tf and their JSON forms): its blocks merge into
// blocks declared elsewhere instead of declaring new ones.
func layoutIsOverride(f *model.File) bool { return model.IsOverrideFile(f.Path) }

// layoutGenerated reports whether every configuration file of a module uses
// the JSON syntax: such modules are produced by a tool (CDKTF, a script)
// and their layout is the generator's, not something a person edits.
func layoutGenerated(m *model.Module) bool {
	if len(m.Files) == 0 {
		return false
	}
	for _, f := range m.Files {
		if f.Kind != model.KindTFJSON {
			return false
		}
	}
	return true
}

// layoutReusable reports whether a scanned module is a reusable module. A
// module that tfgate places among the reusable ones only by its directory
// (under modules/) but that declares a backend and that no module calls is
// run on its own: it is treated as a root.
func layoutReusable(m *model.Module) bool {
	if !m.Scanned || m.Kind != model.Child {
		return false
	}
	return len(m.Backends) == 0 || len(m.Callers) > 0
}

// layoutJoin joins words as prose: "a", "a and b", "a, b and c".
func layoutJoin(words []string) string {
	switch len(words) {
	case 0:
		return ""
	case 1:
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}

// layoutNames back-quotes names and lists at most max of them, summing up
// the rest: "`a`, `b`, `c` and 4 more".
func layoutNames(names []string, max int) string {
	q := make([]string, 0, len(names))
	for i, n := range names {
		if i == max && len(names) > max+1 {
			q = append(q, fmt.Sprintf("%d more", len(names)-max))
			break
		}
		q = append(q, "`"+n+"`")
	}
	return layoutJoin(q)
}

// layoutNormConstraint normalizes a version constraint for comparison, so
// that constraints meaning the same thing compare equal: "~>5.0" and
// "~> 5.0", ">= 1.0, < 2" and "< 2.0.0,>=1", "= 1.2.0" and "1.2". The
// number of segments after `~>` matters and is kept.
func layoutNormConstraint(s string) string {
	c, err := model.ParseVersionConstraint(s, model.CoreSyntax)
	if err != nil {
		// Not a constraint Terraform accepts: compare the text without spaces.
		return strings.Join(strings.Fields(s), "")
	}
	parts := make([]string, 0, len(c.Clauses))
	for _, cl := range c.Clauses {
		v := cl.Version.String()
		if cl.Op == "~>" {
			v = cl.Version.Original()
		}
		parts = append(parts, cl.Op+v)
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

// Kinds of module sources.
const (
	layoutLocal = iota + 1
	layoutRegistry
	layoutRemote // git and Mercurial, versioned by a ref
	layoutOther  // archives, buckets: the address names the version
)

// layoutSource is a module call's source split into what it is (identity)
// and which version of it (registry version or VCS ref).
type layoutSource struct {
	kind     int
	identity string // normalized, without version or ref
	display  string // the source as written, without the ref; the target directory for local sources
	version  string // registry version constraint or ref as written; "" when none
}

// key is what must be equal for two calls to run the same code.
func (s layoutSource) key() string {
	v := s.version
	if s.kind == layoutRegistry {
		v = layoutNormConstraint(v)
	}
	return s.identity + "\x00" + v
}

// layoutModuleSource reads a module call's source; ok is false when the
// source (or a registry version) is not a static string.
func layoutModuleSource(c *model.ModuleCall) (layoutSource, bool) {
	raw := strings.TrimSpace(c.Source)
	if raw == "" {
		return layoutSource{}, false
	}
	ms := model.ParseModuleSource(raw)
	switch ms.Kind {
	case model.SourceLocal:
		dir := ""
		if c.Target != nil {
			dir = c.Target.Dir
		} else {
			dir = path.Clean(path.Join(c.Block.Module.Dir, strings.ReplaceAll(raw, "\\", "/")))
		}
		return layoutSource{kind: layoutLocal, identity: "local:" + dir, display: dir}, true
	case model.SourceRegistry:
		if c.Block.Attr("version") != nil && c.Version == "" {
			return layoutSource{}, false
		}
		id := strings.ToLower(ms.Host + "/" + ms.Package)
		if ms.Subdir != "" {
			id += "//" + strings.Trim(ms.Subdir, "/")
		}
		return layoutSource{kind: layoutRegistry, identity: "registry:" + id, display: raw, version: strings.TrimSpace(c.Version)}, true
	case model.SourceGit, model.SourceMercurial:
		// The same repository however it is spelled: git::https://github.com/a/b.git,
		// github.com/a/b and git@github.com:a/b.git are one.
		id := strings.ToLower(ms.Host + strings.TrimSuffix(strings.TrimSuffix(ms.Path, "/"), ".git"))
		if ms.Subdir != "" {
			id += "//" + strings.Trim(ms.Subdir, "/")
		}
		q := url.Values{}
		for k, v := range ms.Query {
			q[k] = v
		}
		q.Del(ms.RefParam())
		q.Del("depth")
		if rest := q.Encode(); rest != "" {
			id += "?" + rest
		}
		display, query, _ := strings.Cut(raw, "?")
		if query != "" {
			if dq, err := url.ParseQuery(query); err == nil {
				dq.Del(ms.RefParam())
				dq.Del("depth")
				if rest := dq.Encode(); rest != "" {
					display += "?" + rest
				}
			}
		}
		return layoutSource{kind: layoutRemote, identity: "vcs:" + id, display: display, version: ms.Ref()}, true
	}
	// Archives, buckets and unknown forms: the address is the version.
	return layoutSource{kind: layoutOther, identity: "other:" + raw, display: raw}, true
}
