package report

import (
	"fmt"
	"sort"
	"strings"

	"github.com/tfgate/tfgate/analyzer"
)

// A cause is one problem found at one or more locations: the findings
// that count of one rule and severity with the same cause text (the
// message, or the rule's Cause when the message names the location), in
// the order of their first finding. Text and markdown show a cause once,
// with its locations; the machine formats keep one result per location.
type cause struct {
	text string
	fs   []*analyzer.Finding
}

func (c *cause) first() *analyzer.Finding { return c.fs[0] }

// causes groups the findings that count.
func causes(fs []*analyzer.Finding) []*cause {
	type key struct {
		rule string
		sev  analyzer.Severity
		text string
	}
	idx := map[key]*cause{}
	var out []*cause
	for _, f := range fs {
		if f.Suppression != nil {
			continue
		}
		k := key{f.RuleID, f.Severity, f.CauseText()}
		c := idx[k]
		if c == nil {
			c = &cause{text: k.text}
			idx[k] = c
			out = append(out, c)
		}
		c.fs = append(c.fs, f)
	}
	return out
}

// locationLine describes one location of a cause: `file:line:col`, the
// address and the module calls it arrived through.
func locationLine(f *analyzer.Finding) string {
	s := location(f)
	if f.Address != "" && f.Range.Filename != "" {
		s += " " + f.Address
	}
	switch len(f.Via) {
	case 0:
	case 1:
		s += " (via " + f.Via[0] + ")"
	default:
		s += fmt.Sprintf(" (via %s and %d more)", f.Via[0], len(f.Via)-1)
	}
	return s
}

// ruleSummary is the per-rule table at the end of the text format: the
// findings that count by severity, and the causes they come from.
func ruleSummary(cs []*cause, p painter) string {
	type row struct {
		rule                    string
		errors, warnings, notes int
		causes                  int
	}
	rows := map[string]*row{}
	for _, c := range cs {
		id := c.first().RuleID
		r := rows[id]
		if r == nil {
			r = &row{rule: id}
			rows[id] = r
		}
		r.causes++
		for _, f := range c.fs {
			switch f.Severity {
			case analyzer.Error:
				r.errors++
			case analyzer.Warning:
				r.warnings++
			default:
				r.notes++
			}
		}
	}
	if len(rows) == 0 {
		return ""
	}
	list := make([]*row, 0, len(rows))
	width := len("rule")
	for _, r := range rows {
		list = append(list, r)
		width = max(width, len(r.rule))
	}
	sort.Slice(list, func(i, j int) bool {
		a, b := list[i], list[j]
		if a.errors+a.warnings+a.notes != b.errors+b.warnings+b.notes {
			return a.errors+a.warnings+a.notes > b.errors+b.warnings+b.notes
		}
		return a.rule < b.rule
	})
	num := func(n int) string {
		if n == 0 {
			return "-"
		}
		return fmt.Sprint(n)
	}
	var b strings.Builder
	b.WriteString(p.paint(ansiBold, fmt.Sprintf("%-*s %7s %9s %6s %7s", width, "rule", "errors", "warnings", "notes", "causes")))
	b.WriteByte('\n')
	for _, r := range list {
		fmt.Fprintf(&b, "%-*s %7s %9s %6s %7s\n", width, sanitize(r.rule, true), num(r.errors), num(r.warnings), num(r.notes), num(r.causes))
	}
	return b.String()
}
