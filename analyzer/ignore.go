package analyzer

import (
	"bytes"
	"regexp"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/tfgate/tfgate/analyzer/model"
)

// ignoreDirective is the comment marker that suppresses findings.
const ignoreDirective = "tfgate:ignore"

// Ignore is one `# tfgate:ignore rule-a,rule-b reason [exp:YYYY-MM-DD]`
// comment. On a line of its own it covers the block or attribute that starts
// on the next line; at the end of a line, the block or attribute that starts
// on that line.
type Ignore struct {
	File    *model.File
	Rules   []string
	Reason  string
	Expires time.Time // zero when the ignore does not expire
	Range   hcl.Range // the comment
	Target  hcl.Range // what it covers
	// Malformed says what is wrong with a directive that cannot be used
	// (no reason, no rule, bad date); such a directive suppresses nothing.
	Malformed string
	used      bool // matched a finding in this run
}

var expiryPattern = regexp.MustCompile(`(^|\s)exp:(\S+)`)

// ParseIgnores reads the ignore comments of a file. Directives that cannot
// be used say why in Malformed; whether the rules they name exist is for
// the caller to check.
func ParseIgnores(f *model.File) []*Ignore {
	if !bytes.Contains(f.Src, []byte(ignoreDirective)) {
		return nil
	}
	src := bytes.TrimPrefix(f.Src, []byte("\xef\xbb\xbf"))
	tokens, _ := hclsyntax.LexConfig(src, f.Path, hcl.Pos{Line: 1, Column: 1})
	items := itemRanges(f)
	var out []*Ignore
	lastCodeLine := 0
	for i, t := range tokens {
		switch t.Type {
		case hclsyntax.TokenNewline, hclsyntax.TokenEOF:
			continue
		case hclsyntax.TokenComment:
		default:
			lastCodeLine = t.Range.End.Line
			continue
		}
		text := string(t.Bytes)
		idx := strings.Index(text, ignoreDirective)
		if idx < 0 {
			continue
		}
		// Only a comment that starts with the directive counts, so prose
		// that mentions it is left alone.
		head := strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(text[:idx]), "#/*"))
		if head != "" {
			continue
		}
		ign := &Ignore{File: f, Range: t.Range}
		body := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(text[idx+len(ignoreDirective):]), "*/"))
		parseIgnoreBody(ign, body)
		line := t.Range.Start.Line
		if lastCodeLine == line {
			ign.Target = outermostAt(items, line, hcl.Range{Filename: f.Path, Start: hcl.Pos{Line: line, Column: 1}, End: hcl.Pos{Line: line, Column: 1}})
		} else {
			next := nextCodeLine(tokens[i+1:])
			if next == 0 {
				next = line + 1
			}
			ign.Target = outermostAt(items, next, hcl.Range{Filename: f.Path, Start: hcl.Pos{Line: next, Column: 1}, End: hcl.Pos{Line: next, Column: 1}})
			// Stacked comments between the ignore and its block are covered too.
			ign.Target.Start = hcl.Pos{Line: line + 1, Column: 1}
		}
		out = append(out, ign)
	}
	return out
}

func parseIgnoreBody(ign *Ignore, body string) {
	if m := expiryPattern.FindStringSubmatch(body); m != nil {
		d, err := time.Parse("2006-01-02", m[2])
		if err != nil {
			ign.Malformed = "expiry " + m[2] + " is not a date in the form exp:YYYY-MM-DD"
		}
		ign.Expires = d
		body = strings.TrimSpace(expiryPattern.ReplaceAllString(body, " "))
	}
	fields := strings.Fields(body)
	if len(fields) == 0 {
		ign.Malformed = "no rule given: write `tfgate:ignore <rule-id> <reason>`"
		return
	}
	for _, r := range strings.Split(fields[0], ",") {
		if r = strings.TrimSpace(r); r != "" {
			ign.Rules = append(ign.Rules, r)
		}
	}
	ign.Reason = strings.TrimSpace(strings.Join(fields[1:], " "))
	ign.Reason = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(ign.Reason, "--"), ":"))
	if ign.Reason == "" && ign.Malformed == "" {
		ign.Malformed = "the reason is missing: write `tfgate:ignore " + fields[0] + " <why this is fine>`"
	}
}

func nextCodeLine(tokens hclsyntax.Tokens) int {
	for _, t := range tokens {
		switch t.Type {
		case hclsyntax.TokenNewline, hclsyntax.TokenComment:
			continue
		case hclsyntax.TokenEOF:
			return 0
		}
		return t.Range.Start.Line
	}
	return 0
}

// itemRanges lists the ranges of every block and attribute in a file.
func itemRanges(f *model.File) []hcl.Range {
	body := f.Syntax()
	if body == nil {
		return nil
	}
	var out []hcl.Range
	var walk func(b *hclsyntax.Body)
	walk = func(b *hclsyntax.Body) {
		for _, a := range b.Attributes {
			out = append(out, a.SrcRange)
		}
		for _, bl := range b.Blocks {
			out = append(out, hcl.RangeBetween(bl.TypeRange, bl.Body.SrcRange))
			walk(bl.Body)
		}
	}
	walk(body)
	return out
}

// outermostAt returns the largest item that starts on a line.
func outermostAt(items []hcl.Range, line int, fallback hcl.Range) hcl.Range {
	best := fallback
	found := false
	for _, r := range items {
		if r.Start.Line != line {
			continue
		}
		if !found || r.End.Byte-r.Start.Byte > best.End.Byte-best.Start.Byte {
			best, found = r, true
		}
	}
	return best
}

// covers reports whether the ignore applies to a finding of rule at r.
func (ign *Ignore) covers(ruleID string, r hcl.Range) bool {
	if r.Filename != ign.File.Path {
		return false
	}
	if r.Start.Line < ign.Target.Start.Line || r.Start.Line > ign.Target.End.Line {
		return false
	}
	for _, id := range ign.Rules {
		if id == ruleID {
			return true
		}
	}
	return false
}
