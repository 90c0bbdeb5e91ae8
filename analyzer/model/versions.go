package model

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	version "github.com/hashicorp/go-version"
)

// ConstraintSyntax says which of Terraform's two version-constraint parsers
// reads a constraint. They agree on almost everything except `~>` with a
// single number and pre-releases.
type ConstraintSyntax int

const (
	// CoreSyntax is hashicorp/go-version, which Terraform uses for
	// `required_version` and module `version` arguments. There `~> 1` only
	// lets the last written number grow, so it means `>= 1` (no upper bound).
	CoreSyntax ConstraintSyntax = iota + 1
	// ProviderSyntax is apparentlymart/go-versions, which Terraform uses for
	// provider `version` constraints and lock files. There `~> 1` means
	// `>= 1.0.0, < 2.0.0`, a "v" prefix is an error, and a pre-release
	// version is ordered like any other.
	ProviderSyntax
)

// VersionClause is one comma-separated part of a constraint.
type VersionClause struct {
	Op       string           // "=", "!=", ">", ">=", "<", "<=" or "~>"; a bare version is "="
	Version  *version.Version // the version written
	Segments int              // how many numbers were written: 1 for "~> 5", 2 for "~> 5.0"
	Raw      string
}

// VersionConstraint is a parsed version constraint.
type VersionConstraint struct {
	Raw     string
	Syntax  ConstraintSyntax
	Clauses []VersionClause // none for an empty constraint, which allows every version
	core    version.Constraints
}

var clausePattern = regexp.MustCompile(`^(=|!=|>=|<=|>|<|~>)?\s*(v?)([0-9][0-9A-Za-z.+\-]*)$`)

// Parsed constraints and versions are kept for the whole run: a monorepo
// repeats the same few strings in every module, and go-version parses with
// regular expressions. Both are read-only once made.
var (
	constraintCache sync.Map // constraintKey → parsedConstraint
	versionCache    sync.Map // string → parsedVersion
)

type constraintKey struct {
	s   string
	syn ConstraintSyntax
}

type parsedConstraint struct {
	c   *VersionConstraint
	err error
}

type parsedVersion struct {
	v   *version.Version
	err error
}

// ParseVersion parses a version number as hashicorp/go-version does. The
// result is shared: callers must not modify it.
func ParseVersion(s string) (*version.Version, error) {
	if p, ok := versionCache.Load(s); ok {
		return p.(parsedVersion).v, p.(parsedVersion).err
	}
	v, err := version.NewVersion(s)
	versionCache.Store(s, parsedVersion{v, err})
	return v, err
}

// ParseVersionConstraint parses a constraint as Terraform would with the
// given syntax. An empty or blank string is a constraint without clauses.
// The result is shared: callers must not modify it.
func ParseVersionConstraint(s string, syn ConstraintSyntax) (*VersionConstraint, error) {
	k := constraintKey{s, syn}
	if p, ok := constraintCache.Load(k); ok {
		return p.(parsedConstraint).c, p.(parsedConstraint).err
	}
	c, err := parseVersionConstraint(s, syn)
	constraintCache.Store(k, parsedConstraint{c, err})
	return c, err
}

func parseVersionConstraint(s string, syn ConstraintSyntax) (*VersionConstraint, error) {
	c := &VersionConstraint{Raw: s, Syntax: syn}
	if strings.TrimSpace(s) == "" {
		return c, nil
	}
	if syn == CoreSyntax {
		cs, err := version.NewConstraint(s)
		if err != nil {
			return nil, err
		}
		c.core = cs
	}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		m := clausePattern.FindStringSubmatch(part)
		if m == nil {
			return nil, fmt.Errorf("malformed constraint %q", part)
		}
		if m[2] != "" && syn == ProviderSyntax {
			return nil, fmt.Errorf("a \"v\" prefix is not allowed in provider versions (%q)", part)
		}
		v, err := ParseVersion(m[3])
		if err != nil {
			return nil, fmt.Errorf("malformed version %q: %v", m[3], err)
		}
		op := m[1]
		if op == "" {
			op = "="
		}
		c.Clauses = append(c.Clauses, VersionClause{Op: op, Version: v, Segments: writtenSegments(m[3]), Raw: part})
	}
	return c, nil
}

// writtenSegments counts the dot-separated numbers before any pre-release or
// metadata suffix: "5" → 1, "5.0" → 2, "5.0.1-beta" → 3.
func writtenSegments(s string) int {
	if i := strings.IndexAny(s, "-+"); i >= 0 {
		s = s[:i]
	}
	return strings.Count(s, ".") + 1
}

// clauseUpper returns the upper bound a clause sets, if it sets one, and
// whether that bound is itself allowed.
func (c *VersionConstraint) clauseUpper(cl VersionClause) (v *version.Version, inclusive, ok bool) {
	switch cl.Op {
	case "<":
		return cl.Version, false, true
	case "<=", "=":
		return cl.Version, true, true
	case "~>":
		segs := cl.Version.Segments()
		if c.Syntax == CoreSyntax {
			// go-version lets the last written number grow: "~> 1" has no
			// bound, "~> 1.2" stops before 2.0, "~> 1.2.3" before 1.3.0.
			if cl.Segments < 2 {
				return nil, false, false
			}
			n := cl.Segments - 1
			return bumpSegment(segs, n-1), false, true
		}
		// go-versions: one or two numbers bump the major, three the minor.
		if cl.Segments >= 3 {
			return bumpSegment(segs, 1), false, true
		}
		return bumpSegment(segs, 0), false, true
	}
	return nil, false, false
}

// bumpSegment returns the version with segment i incremented and every
// later segment zeroed (always at least major.minor.patch).
func bumpSegment(segs []int, i int) *version.Version {
	out := make([]string, 0, len(segs))
	for j, s := range segs {
		switch {
		case j < i:
			out = append(out, strconv.Itoa(s))
		case j == i:
			out = append(out, strconv.Itoa(s+1))
		default:
			out = append(out, "0")
		}
	}
	for len(out) < 3 {
		out = append(out, "0")
	}
	v, _ := version.NewVersion(strings.Join(out, "."))
	return v
}

// HasUpperBound reports whether some clause caps the versions allowed:
// `<`, `<=`, an exact version, or `~>` where it implies a cap.
func (c *VersionConstraint) HasUpperBound() bool {
	_, _, ok := c.upperBound()
	return ok
}

// upperBound returns the tightest upper bound of the constraint and whether
// it is inclusive.
func (c *VersionConstraint) upperBound() (v *version.Version, inclusive, ok bool) {
	for _, cl := range c.Clauses {
		u, inc, has := c.clauseUpper(cl)
		if !has {
			continue
		}
		if !ok || u.LessThan(v) || (u.Equal(v) && !inc) {
			v, inclusive, ok = u, inc, true
		}
	}
	return v, inclusive, ok
}

// LowerBound returns the highest lower bound of the constraint: from `>`,
// `>=`, `~>` or an exact version.
func (c *VersionConstraint) LowerBound() (*version.Version, bool) {
	var v *version.Version
	for _, cl := range c.Clauses {
		switch cl.Op {
		case ">", ">=", "~>", "=":
			if v == nil || cl.Version.GreaterThan(v) {
				v = cl.Version
			}
		}
	}
	return v, v != nil
}

// HasLowerBound reports whether the constraint excludes old versions.
func (c *VersionConstraint) HasLowerBound() bool {
	_, ok := c.LowerBound()
	return ok
}

// Allows reports whether a version meets the constraint, with the
// semantics of the constraint's syntax.
func (c *VersionConstraint) Allows(v *version.Version) bool {
	if c.Syntax == CoreSyntax {
		if c.core == nil {
			return true
		}
		return c.core.Check(v)
	}
	for _, cl := range c.Clauses {
		cmp := v.Compare(cl.Version)
		var ok bool
		switch cl.Op {
		case "=":
			ok = cmp == 0
		case "!=":
			ok = cmp != 0
		case ">":
			ok = cmp > 0
		case ">=":
			ok = cmp >= 0
		case "<":
			ok = cmp < 0
		case "<=":
			ok = cmp <= 0
		case "~>":
			u, _, _ := c.clauseUpper(cl)
			ok = cmp >= 0 && v.LessThan(u)
		}
		if !ok {
			return false
		}
	}
	return true
}

// SuggestBounded proposes a constraint with an upper bound that keeps the
// lower bound of c and stops before the next major version: ">= 5.0" →
// "~> 5.0", ">= 5.12.1" → ">= 5.12.1, < 6.0.0". It returns "" when c has no
// lower bound to start from.
func (c *VersionConstraint) SuggestBounded() string {
	lo, ok := c.LowerBound()
	if !ok {
		return ""
	}
	segs := lo.Segments()
	op := ">="
	for _, cl := range c.Clauses {
		if cl.Op == ">" && cl.Version.Equal(lo) {
			op = ">"
		}
	}
	if op == ">=" && lo.Prerelease() == "" && len(segs) >= 3 && segs[2] == 0 {
		return fmt.Sprintf("~> %d.%d", segs[0], segs[1])
	}
	return fmt.Sprintf("%s %s, < %d.0.0", op, lo.Original(), segs[0]+1)
}

// versionSatisfies reports whether version v meets constraint c in the given
// syntax. Either failing to parse is an error.
func versionSatisfies(v, c string, syn ConstraintSyntax) (bool, error) {
	vc, err := ParseVersionConstraint(c, syn)
	if err != nil {
		return false, err
	}
	vv, err := ParseVersion(v)
	if err != nil {
		return false, err
	}
	return vc.Allows(vv), nil
}

// NormalizeConstraint rewrites a version constraint so that constraints
// meaning the same thing compare equal: "~>5.0" and "~> 5.0", ">= 1.0, < 2"
// and "< 2.0.0,>=1", "= 1.2.0" and "1.2". The number of segments after `~>`
// matters and is kept. Text that is not a constraint Terraform accepts is
// compared without its spaces.
func NormalizeConstraint(s string) string {
	c, err := ParseVersionConstraint(s, CoreSyntax)
	if err != nil {
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
