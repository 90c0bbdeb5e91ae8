package load

import (
	"bytes"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// The pre-commit path lints the changed modules and their callers, but two
// rules compare roots with each other: state-key-unique (a root copied
// with its backend key) and layout-environment-parity (environments of one
// system). So that a commit cannot copy envs/dev to envs/prod unnoticed,
// the changed roots are compared with every root of the tree through the
// same cheap textual index that finds callers (no parse of the tree): each
// file's backend settings are summarised there, and the few roots that may
// clash or are peers of a changed root are loaded as context. Rules see
// context roots; their own findings are not reported (model.Module.Context).

// backendSummary is the backend of a file in a few words, found without
// parsing: the type of its first backend (or "cloud") block and the
// attributes in it set to literal strings, "s3\x1ebucket=b\x1ekey=k"; for a
// .tfbackend file, "tfbackend" and its literal attributes. "" when there is
// none (JSON files are not summarised).
func backendSummary(name string, src []byte) string {
	var body []byte
	typ := ""
	if strings.HasSuffix(name, ".tfbackend") {
		typ, body = "tfbackend", src
	} else if strings.HasSuffix(name, ".tf") || strings.HasSuffix(name, ".tofu") {
		loc := backendHeader.FindSubmatchIndex(src)
		if loc == nil {
			return ""
		}
		typ = "cloud"
		if loc[2] >= 0 {
			typ = string(src[loc[2]:loc[3]])
		}
		body = blockBody(src[loc[1]:])
	} else {
		return ""
	}
	parts := []string{typ}
	for _, m := range literalAttr.FindAllSubmatch(body, -1) {
		if !bytes.ContainsAny(m[2], "\t\n\x1e\x1f") {
			parts = append(parts, string(m[1])+"="+string(m[2]))
		}
	}
	return strings.Join(parts, "\x1e")
}

var (
	backendHeader = regexp.MustCompile(`(?m)^[ \t]*(?:backend[ \t]+"([A-Za-z0-9_-]+)"|cloud)[ \t]*\{`)
	literalAttr   = regexp.MustCompile(`(?m)^[ \t]*([A-Za-z_][A-Za-z0-9_]*)[ \t]*=[ \t]*"([^"$%\\]*)"[ \t]*(?:#.*|//.*)?$`)
)

// blockBody is the text up to the brace that closes the block just opened
// (braces inside strings are rare enough in backend blocks to ignore).
func blockBody(src []byte) []byte {
	depth := 1
	for i, c := range src {
		switch c {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return src[:i]
			}
		}
	}
	return src
}

// dirBackend is what a directory's summaries say about its state.
type dirBackend struct {
	typ      string          // the backend block's type; "" when the directory has none
	specific map[string]bool // literal values of the settings that tell states apart
}

// specificSettings are the settings whose values distinguish one state
// from another (the key or prefix, a cloud workspace name).
var specificSettings = map[string]bool{"key": true, "prefix": true, "name": true, "workspace_key_prefix": true}

func dirBackends(summaries map[string][]string) map[string]dirBackend {
	out := map[string]dirBackend{}
	for dir, ss := range summaries {
		db := dirBackend{specific: map[string]bool{}}
		for _, s := range ss {
			parts := strings.Split(s, "\x1e")
			if parts[0] != "tfbackend" && db.typ == "" {
				db.typ = parts[0]
			}
			for _, kv := range parts[1:] {
				if k, v, ok := strings.Cut(kv, "="); ok && specificSettings[k] && v != "" {
					db.specific[v] = true
				}
			}
		}
		if db.typ != "" {
			out[dir] = db
		}
	}
	return out
}

// crossRootContext picks, among the directories outside the linted set,
// the roots that the roots with changed files must be compared with: a root with a backend
// of the same type sharing a literal key, prefix or workspace name (a
// possible copy), and the peers of a changed root (roots at the same depth
// whose path differs in one component: envs/dev for envs/prod,
// live/dev/us-east-1/app for live/prod/us-east-1/app).
func crossRootContext(changed, linted map[string]bool, summaries map[string][]string) []string {
	backends := dirBackends(summaries)
	var changedRoots []string
	for d := range changed {
		if _, ok := backends[d]; ok {
			changedRoots = append(changedRoots, d)
		}
	}
	var out []string
	for o, ob := range backends {
		if linted[o] {
			continue
		}
		for _, d := range changedRoots {
			db := backends[d]
			if (db.typ == ob.typ && intersects(db.specific, ob.specific)) || peers(d, o) {
				out = append(out, o)
				break
			}
		}
	}
	sort.Strings(out)
	return out
}

func intersects(a, b map[string]bool) bool {
	for k := range a {
		if b[k] {
			return true
		}
	}
	return false
}

// peers reports whether two directories are at the same depth and differ
// in exactly one path component.
func peers(a, b string) bool {
	pa := strings.Split(filepath.ToSlash(a), "/")
	pb := strings.Split(filepath.ToSlash(b), "/")
	if len(pa) != len(pb) {
		return false
	}
	diff := 0
	for i := range pa {
		if pa[i] != pb[i] {
			diff++
		}
	}
	return diff == 1
}
