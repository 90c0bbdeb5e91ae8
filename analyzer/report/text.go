package report

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"

	"github.com/tfgate/tfgate/analyzer"
)

// maxSnippetLines is how many source lines the text format shows per finding.
const maxSnippetLines = 3

// ANSI styles for the text format.
const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiDim    = "\x1b[2m"
	ansiRed    = "\x1b[1;31m"
	ansiYellow = "\x1b[1;33m"
	ansiCyan   = "\x1b[1;36m"
)

type painter bool

func (p painter) paint(style, s string) string {
	if !p || s == "" {
		return s
	}
	return style + s + ansiReset
}

func severityStyle(s analyzer.Severity) string {
	switch s {
	case analyzer.Error:
		return ansiRed
	case analyzer.Warning:
		return ansiYellow
	}
	return ansiCyan
}

func notificationStyle(lvl string) string {
	switch lvl {
	case "error":
		return ansiRed
	case "warning":
		return ansiYellow
	}
	return ansiCyan
}

// location is `file:line:col` (or less when the finding has no position;
// the block address when it has no file).
func location(f *analyzer.Finding) string {
	r := f.Range
	switch {
	case r.Filename == "" && f.Address != "":
		return f.Address
	case r.Filename == "":
		return "-"
	case r.Start.Line < 1:
		return r.Filename
	case r.Start.Column < 1:
		return fmt.Sprintf("%s:%d", r.Filename, r.Start.Line)
	}
	return fmt.Sprintf("%s:%d:%d", r.Filename, r.Start.Line, r.Start.Column)
}

func rangeLocation(r hcl.Range) string {
	return location(&analyzer.Finding{Range: r})
}

// headline is `file:line:col: severity[rule-id] message`.
func headline(f *analyzer.Finding, p painter) string {
	loc := sanitize(location(f), true)
	tag := fmt.Sprintf("%s[%s]", level(f.Severity), f.RuleID)
	return p.paint(ansiBold, loc+":") + " " + p.paint(severityStyle(f.Severity), tag) + " " + sanitize(f.FullMessage(), true)
}

func renderCompact(res *analyzer.Result) []byte {
	var b strings.Builder
	for _, f := range res.Findings {
		if f.Suppression != nil {
			continue
		}
		b.WriteString(headline(f, false))
		b.WriteByte('\n')
	}
	return []byte(b.String())
}

func renderText(res *analyzer.Result, meta Meta) []byte {
	p := painter(meta.Color)
	src := newSources(res)
	rules := ruleIndex(res)
	docsShown := map[string]bool{}
	cs := causes(res.Findings)
	var b strings.Builder
	for _, c := range cs {
		f := c.first()
		if len(c.fs) == 1 {
			b.WriteString(headline(f, p))
			b.WriteByte('\n')
			writeSnippet(&b, src, f, p)
			for _, rel := range f.Related {
				fmt.Fprintf(&b, "  %s %s: %s\n", p.paint(ansiDim, "related:"), sanitize(rangeLocation(rel.Range), true), sanitize(rel.Message, true))
			}
		} else {
			// One cause, many locations: the message once, then every
			// location (the first with its source lines).
			tag := fmt.Sprintf("%s[%s]", level(f.Severity), f.RuleID)
			fmt.Fprintf(&b, "%s %s %s\n", p.paint(severityStyle(f.Severity), tag), sanitize(c.text, true), p.paint(ansiDim, fmt.Sprintf("(%d locations)", len(c.fs))))
			for i, g := range c.fs {
				fmt.Fprintf(&b, "  %s\n", p.paint(ansiBold, sanitize(locationLine(g), true)))
				if i == 0 {
					writeSnippet(&b, src, g, p)
				}
			}
		}
		if !docsShown[f.RuleID] {
			docsShown[f.RuleID] = true
			fmt.Fprintf(&b, "  %s %s\n", p.paint(ansiDim, "docs:"), docURL(rules, f.RuleID))
		}
		b.WriteByte('\n')
	}
	shown := 0
	for _, n := range res.Notifications {
		if meta.Quiet && n.Level != "error" {
			continue
		}
		shown++
		msg := sanitize(n.Message, false)
		msg = strings.ReplaceAll(strings.TrimRight(msg, "\n"), "\n", "\n    ")
		fmt.Fprintf(&b, "tfgate: %s %s\n", p.paint(notificationStyle(n.Level), n.Level+":"), msg)
	}
	if meta.Quiet {
		return []byte(b.String())
	}
	if shown > 0 {
		b.WriteByte('\n')
	}
	if t := ruleSummary(cs, p); t != "" {
		b.WriteString(t)
		b.WriteByte('\n')
	}
	b.WriteString(p.paint(ansiBold, summaryLine(res)))
	b.WriteByte('\n')
	return []byte(b.String())
}

// summaryLine is "3 errors, 2 warnings, 1 note in 12 files (4 suppressed:
// 3 by ignore comments, 1 by baseline)" or "no findings in 12 files".
func summaryLine(res *analyzer.Result) string {
	c := countFindings(res.Findings)
	var parts []string
	for _, x := range []struct {
		n    int
		word string
	}{{c.errors, "error"}, {c.warnings, "warning"}, {c.notes, "note"}} {
		if x.n > 0 {
			parts = append(parts, plural(x.n, x.word))
		}
	}
	s := "no findings"
	if len(parts) > 0 {
		s = strings.Join(parts, ", ")
	}
	s += " in " + plural(len(res.Files), "file")
	if c.suppressed() > 0 {
		var how []string
		if c.inSource > 0 {
			how = append(how, fmt.Sprintf("%d by %s", c.inSource, pluralWord(c.inSource, "ignore comment")))
		}
		if c.external > 0 {
			how = append(how, fmt.Sprintf("%d by baseline", c.external))
		}
		s += fmt.Sprintf(" (%d suppressed: %s)", c.suppressed(), strings.Join(how, ", "))
	}
	return s
}

func plural(n int, word string) string {
	return strconv.Itoa(n) + " " + pluralWord(n, word)
}

func pluralWord(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// writeSnippet prints up to maxSnippetLines lines of the finding's range
// with a line-number gutter; a single-line range gets a caret underline.
func writeSnippet(b *strings.Builder, src *sources, f *analyzer.Finding, p painter) {
	r := f.Range
	if !hasPos(r) {
		return
	}
	last := lastLine(r)
	shown := last
	if shown-r.Start.Line+1 > maxSnippetLines {
		shown = r.Start.Line + maxSnippetLines - 1
	}
	width := len(strconv.Itoa(shown))
	if width < 3 {
		width = 3
	}
	gutter := func(label string) string {
		return "  " + p.paint(ansiDim, fmt.Sprintf("%*s |", width, label))
	}
	for n := r.Start.Line; n <= shown; n++ {
		text, keep, ok := src.line(r.Filename, n)
		if !ok {
			return
		}
		fmt.Fprintf(b, "%s %s\n", gutter(strconv.Itoa(n)), sanitize(text, true))
		if r.Start.Line == last {
			if u := underline(src, r, text, keep); u != "" {
				fmt.Fprintf(b, "%s %s\n", gutter(""), p.paint(severityStyle(f.Severity), u))
			}
		}
	}
	if shown < last {
		fmt.Fprintf(b, "%s %s\n", gutter(""), p.paint(ansiDim, fmt.Sprintf("... %d more %s", last-shown, pluralWord(last-shown, "line"))))
	}
}

// underline returns the padding and carets under a single-line range.
// Tabs in the padding are kept so that the carets line up. On a masked
// line (keep >= 0 bytes shown as written) a range reaching into the hidden
// part is underlined to the end of the line, so that the carets do not
// give away the secret's length.
func underline(src *sources, r hcl.Range, text string, keep int) string {
	start, ok1 := src.byteInLine(r.Filename, r.Start)
	end, ok2 := src.byteInLine(r.Filename, r.End)
	if !ok1 || !ok2 {
		// Fall back to columns, counted in runes.
		start = runeOffset(text, r.Start.Column-1)
		end = runeOffset(text, r.End.Column-1)
	}
	if keep >= 0 {
		if start > keep {
			start = len(text) - len(redacted)
		}
		if end > keep {
			end = len(text)
		}
	}
	start = min(start, len(text))
	end = min(max(end, start), len(text))
	var pad strings.Builder
	for _, c := range text[:start] {
		if c == '\t' {
			pad.WriteByte('\t')
		} else {
			pad.WriteByte(' ')
		}
	}
	n := utf8.RuneCountInString(text[start:end])
	if n < 1 {
		n = 1
	}
	return pad.String() + strings.Repeat("^", n)
}

// runeOffset is the byte offset of the n-th rune of s (len(s) past the end).
func runeOffset(s string, n int) int {
	if n <= 0 {
		return 0
	}
	i := 0
	for off := range s {
		if i == n {
			return off
		}
		i++
	}
	return len(s)
}
