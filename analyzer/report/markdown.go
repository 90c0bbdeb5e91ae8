package report

import (
	"fmt"
	"strings"

	"github.com/tfgate/tfgate/analyzer"
)

// maxMarkdownBytes bounds the markdown format so that it fits a GitHub
// issue body (65,536 characters) and a job summary (1 MiB) with room to
// spare; findings past it are counted, not listed.
const maxMarkdownBytes = 60000

// maxMarkdownLocations is how many locations of one cause a row lists.
const maxMarkdownLocations = 10

// RenderMarkdown renders res as GitHub-flavoured markdown, for a job
// summary ($GITHUB_STEP_SUMMARY) or an issue body: a heading with the
// counts, a table of the findings that count, the suppressed ones folded
// in a <details>, and the tool messages. Text from the input (messages,
// drifted values) is escaped so that it cannot add markup, links, HTML or
// @-mentions; source lines are never shown, so secrets cannot leak.
func RenderMarkdown(res *analyzer.Result, meta Meta) ([]byte, error) {
	if res == nil {
		return nil, fmt.Errorf("report: no result to render")
	}
	rules := ruleIndex(res)
	var b strings.Builder
	c := countFindings(res.Findings)
	icon := "✅"
	switch {
	case c.errors > 0:
		icon = "❌"
	case c.warnings > 0 || c.notes > 0:
		icon = "⚠️"
	}
	for _, n := range res.Notifications {
		if n.Level == "error" {
			icon = "❌"
		}
	}
	fmt.Fprintf(&b, "### %s tfgate: %s\n\n", icon, mdEscape(summaryLine(res)))

	var counted, suppressed []*analyzer.Finding
	for _, f := range res.Findings {
		if f.Suppression == nil {
			counted = append(counted, f)
		} else {
			suppressed = append(suppressed, f)
		}
	}
	// Tool messages first: an error there means the findings are incomplete.
	if len(res.Notifications) > 0 {
		for _, n := range res.Notifications {
			first, rest, _ := strings.Cut(strings.TrimRight(sanitize(n.Message, false), "\n"), "\n")
			fmt.Fprintf(&b, "- **%s**: %s\n", mdEscape(n.Level), mdEscape(first))
			if rest = strings.Trim(rest, "\n"); rest != "" {
				fence := codeFence(rest)
				fmt.Fprintf(&b, "\n  %stext\n", fence)
				for _, l := range strings.Split(rest, "\n") {
					fmt.Fprintf(&b, "  %s\n", l)
				}
				fmt.Fprintf(&b, "  %s\n\n", fence)
			}
		}
		b.WriteString("\n")
	}
	left := 0
	if len(counted) > 0 {
		// One row per cause: a cause found at several locations lists
		// them in its Location cell.
		b.WriteString("| Severity | Location | Rule | Message |\n|---|---|---|---|\n")
		done := 0
		for _, c := range causes(counted) {
			f := c.first()
			loc, msg := mdCode(location(f)), mdCell(f.FullMessage())
			if len(c.fs) > 1 {
				var locs []string
				for i, g := range c.fs {
					if i == maxMarkdownLocations {
						locs = append(locs, fmt.Sprintf("… and %d more", len(c.fs)-i))
						break
					}
					locs = append(locs, mdCode(locationLine(g)))
				}
				loc = strings.Join(locs, "<br>")
				msg = mdCell(c.text) + fmt.Sprintf(" (%d locations)", len(c.fs))
			}
			row := fmt.Sprintf("| %s | %s | [%s](%s) | %s |\n", level(f.Severity), loc, mdEscape(f.RuleID), docURL(rules, f.RuleID), msg)
			if b.Len()+len(row) > maxMarkdownBytes {
				left = len(counted) - done
				break
			}
			b.WriteString(row)
			done += len(c.fs)
		}
		if left > 0 {
			fmt.Fprintf(&b, "\n… and %s not listed here (the markdown report is kept small enough for an issue body): see the json or sarif report.\n", plural(left, "more finding"))
		}
		b.WriteString("\n")
	}
	if len(suppressed) > 0 && left == 0 {
		fmt.Fprintf(&b, "<details><summary>%s not counted</summary>\n\n", plural(len(suppressed), "suppressed finding"))
		b.WriteString("| Location | Rule | Message | Why not counted |\n|---|---|---|---|\n")
		for i, f := range suppressed {
			row := fmt.Sprintf("| %s | %s | %s | %s |\n", mdCode(location(f)), mdEscape(f.RuleID), mdCell(f.FullMessage()), mdCell(f.Suppression.Justification))
			if b.Len()+len(row) > maxMarkdownBytes {
				fmt.Fprintf(&b, "\n… and %s.\n", plural(len(suppressed)-i, "more"))
				break
			}
			b.WriteString(row)
		}
		b.WriteString("\n</details>\n\n")
	}
	fmt.Fprintf(&b, "<sub>tfgate %s", mdEscape(toolVersion(meta)))
	if !meta.End.IsZero() {
		fmt.Fprintf(&b, " · %s", meta.End.UTC().Format("2006-01-02 15:04 UTC"))
	}
	b.WriteString("</sub>\n")
	return []byte(b.String()), nil
}

// mdCell escapes text for a table cell; `code spans` written by tfgate in
// messages stay code spans.
func mdCell(s string) string {
	s = sanitize(s, true)
	parts := strings.Split(s, "`")
	if len(parts)%2 == 0 {
		// Unbalanced backticks: treat everything as text.
		return mdEscape(s)
	}
	var b strings.Builder
	for i, p := range parts {
		if i%2 == 1 {
			b.WriteString(mdCode(p))
			continue
		}
		b.WriteString(mdEscape(p))
	}
	return b.String()
}

// mdCode is a code span safe in a table cell.
func mdCode(s string) string {
	s = strings.ReplaceAll(sanitize(s, true), "|", `\|`)
	if s == "" {
		return ""
	}
	ticks := "`"
	for strings.Contains(s, ticks) {
		ticks += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return ticks + s + ticks
}

// mdEscape makes text literal in markdown: punctuation that could start
// markup is backslash-escaped, and an @ cannot start a mention.
func mdEscape(s string) string {
	var b strings.Builder
	for _, r := range sanitize(s, true) {
		switch r {
		case '\\', '`', '*', '_', '[', ']', '<', '>', '&', '|', '~', '#', '!', '{', '}':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '@':
			b.WriteString("@\u200b")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// codeFence returns a backtick fence longer than any run in s.
func codeFence(s string) string {
	fence := "```"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	return fence
}
