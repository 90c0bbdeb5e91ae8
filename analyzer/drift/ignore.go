package drift

import (
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/tfgate/tfgate/analyzer"
	"github.com/tfgate/tfgate/analyzer/model"
)

// Ignore is one `ignore "PATTERN" { … }` inside a `drift` block of
// .tfgate.hcl: drift that is expected and does not count.
//
//	drift {
//	  ignore "aws_autoscaling_group.*.desired_capacity" {
//	    reason    = "the autoscaler owns it"
//	    expires   = "2026-06-30"   # optional: then it stops ignoring
//	    root      = "envs/*"       # optional: only in these roots
//	    workspace = "prod"         # optional: only in these workspaces
//	  }
//	}
//
// The pattern is a resource instance address, optionally followed by one
// attribute name. It is matched segment by segment (segments are separated
// by dots outside brackets): `*` matches any text within one segment, `**`
// any number of whole segments (`**.aws_instance.*` is every aws_instance in
// every module), and a segment without brackets also matches the same
// segment with any instance key (`aws_instance.web` covers web[0] and
// web["a"]). A pattern that matches the address ignores the whole resource
// (updates and deletion); one that matches address.attribute ignores that
// attribute's changes only.
type Ignore struct {
	Pattern   string
	Reason    string
	Expires   time.Time // zero: never
	Root      string    // glob on the root directory (slash path), "" for every root
	Workspace string    // glob on the workspace name, "" for every workspace
	Range     hcl.Range // the ignore block's header in the configuration file

	segs []string
}

// expired reports whether the ignore's date is before today.
func (ig *Ignore) expired(now time.Time) bool {
	if ig.Expires.IsZero() {
		return false
	}
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	return ig.Expires.Before(today)
}

// where is the ignore's location, file:line.
func (ig *Ignore) where() string {
	return fmt.Sprintf("%s:%d", ig.Range.Filename, ig.Range.Start.Line)
}

// applies reports whether the ignore is scoped to a root and workspace.
func (ig *Ignore) applies(root, workspace string) bool {
	if ig.Root != "" && !globPath(ig.Root, root) {
		return false
	}
	if ig.Workspace != "" && !globSegment(ig.Workspace, workspace) {
		return false
	}
	return true
}

// matchResource reports whether the ignore covers a whole resource instance.
func (ig *Ignore) matchResource(address string) bool {
	return matchSegs(ig.segs, model.SplitAddress(address))
}

// matchAttribute reports whether the ignore covers one attribute of a
// resource instance.
func (ig *Ignore) matchAttribute(address, attr string) bool {
	return matchSegs(ig.segs, append(model.SplitAddress(address), attr))
}

// ParseIgnores decodes the `drift` blocks of a configuration file
// (Config.Extra). Errors carry their file:line.
func ParseIgnores(blocks []*hcl.Block) ([]*Ignore, error) {
	var out []*Ignore
	var diags hcl.Diagnostics
	for _, b := range blocks {
		if b.Type != "drift" {
			continue
		}
		content, d := b.Body.Content(&hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "ignore", LabelNames: []string{"pattern"}}}})
		diags = append(diags, d...)
		if content == nil {
			continue
		}
		for _, ib := range content.Blocks {
			ig, d := decodeIgnore(ib)
			diags = append(diags, d...)
			if ig != nil {
				out = append(out, ig)
			}
		}
	}
	if diags.HasErrors() {
		return nil, &analyzer.ConfigError{Diags: diags}
	}
	return out, nil
}

func decodeIgnore(b *hcl.Block) (*Ignore, hcl.Diagnostics) {
	ig := &Ignore{Pattern: b.Labels[0], Range: b.DefRange}
	var diags hcl.Diagnostics
	bad := func(rng hcl.Range, summary, detail string) {
		r := rng
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: &r})
	}
	if err := checkPattern(ig.Pattern); err != nil {
		bad(b.LabelRanges[0], "Invalid drift ignore pattern", err.Error())
	}
	ig.segs = model.SplitAddress(ig.Pattern)
	attrs, d := b.Body.JustAttributes()
	diags = append(diags, d...)
	names := model.InSourceOrder(attrs)
	for _, n := range names {
		a := attrs[n]
		v, d := a.Expr.Value(nil)
		if d.HasErrors() {
			diags = append(diags, d...)
			continue
		}
		if v.IsNull() || v.Type() != cty.String {
			bad(a.Range, "Wrong type", fmt.Sprintf("drift ignore %q: %s must be a string", ig.Pattern, n))
			continue
		}
		s := strings.TrimSpace(v.AsString())
		switch n {
		case "reason":
			ig.Reason = s
		case "expires":
			t, err := time.Parse("2006-01-02", s)
			if err != nil {
				bad(a.Range, "Invalid date", fmt.Sprintf("drift ignore %q: expires must be a date YYYY-MM-DD, not %q", ig.Pattern, s))
				continue
			}
			ig.Expires = t
		case "root":
			ig.Root = strings.TrimSuffix(s, "/")
		case "workspace":
			ig.Workspace = s
		default:
			bad(a.Range, "Unknown attribute", fmt.Sprintf("drift ignore %q has no attribute %q; its attributes are reason, expires, root and workspace", ig.Pattern, n))
		}
	}
	if ig.Reason == "" && !hasAttr(attrs, "reason") {
		bad(b.DefRange, "Missing reason", fmt.Sprintf("drift ignore %q needs a reason = \"…\" saying why this drift is expected", ig.Pattern))
	} else if ig.Reason == "" {
		bad(attrs["reason"].Range, "Empty reason", fmt.Sprintf("drift ignore %q needs a non-empty reason", ig.Pattern))
	}
	return ig, diags
}

func hasAttr(attrs hcl.Attributes, n string) bool { _, ok := attrs[n]; return ok }

func checkPattern(p string) error {
	if strings.TrimSpace(p) == "" {
		return fmt.Errorf("the pattern is empty: give a resource address such as aws_autoscaling_group.web, optionally with an attribute")
	}
	for _, s := range model.SplitAddress(p) {
		if s == "" {
			return fmt.Errorf("pattern %q has an empty segment (two dots, or a leading or trailing dot)", p)
		}
	}
	return nil
}

// matchSegs matches pattern segments against address segments; "**"
// matches any number of segments.
func matchSegs(pat, segs []string) bool {
	if len(pat) == 0 {
		return len(segs) == 0
	}
	if pat[0] == "**" {
		for i := 0; i <= len(segs); i++ {
			if matchSegs(pat[1:], segs[i:]) {
				return true
			}
		}
		return false
	}
	if len(segs) == 0 {
		return false
	}
	p, s := pat[0], segs[0]
	ok := globSegment(p, s)
	if !ok && !strings.Contains(p, "[") {
		if i := strings.IndexByte(s, '['); i >= 0 {
			ok = globSegment(p, s[:i])
		}
	}
	return ok && matchSegs(pat[1:], segs[1:])
}

// globSegment matches a string against a pattern where `*` matches any
// run of characters and everything else is literal.
func globSegment(pat, s string) bool {
	parts := strings.Split(pat, "*")
	if len(parts) == 1 {
		return pat == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for _, mid := range parts[1 : len(parts)-1] {
		i := strings.Index(s, mid)
		if i < 0 {
			return false
		}
		s = s[i+len(mid):]
	}
	return strings.HasSuffix(s, parts[len(parts)-1])
}

// globPath matches a slash path against a pattern with `*` (within one
// path element) and `**` (any number of elements).
func globPath(pat, p string) bool {
	return matchPath(strings.Split(pat, "/"), strings.Split(p, "/"))
}

func matchPath(pat, elems []string) bool {
	if len(pat) == 0 {
		return len(elems) == 0
	}
	if pat[0] == "**" {
		for i := 0; i <= len(elems); i++ {
			if matchPath(pat[1:], elems[i:]) {
				return true
			}
		}
		return false
	}
	return len(elems) > 0 && globSegment(pat[0], elems[0]) && matchPath(pat[1:], elems[1:])
}
