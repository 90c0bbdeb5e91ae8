package report

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/tfgate/tfgate/analyzer"
)

// GitHub Actions workflow commands (::error, ::warning, ::notice), for
// repositories without code scanning: the runner turns each line on a
// step's output into an annotation on the file and line, shown in the
// job's summary and in the pull request's Files changed tab. File paths are
// relative to the repository root (Meta.RepoRoot), as GitHub resolves them.
//
// GitHub keeps at most 10 annotations of each kind (error, warning, notice)
// per step and drops the rest silently, so tfgate emits the first 10
// findings of each kind in file order and then a plain line saying how
// many were not annotated. The escaping is @actions/core's (% CR LF in the
// message; also : and , in properties), and the properties come in its
// order (title, file, line, endLine, col, endColumn).

// maxGitHubAnnotations is how many annotations of one kind GitHub keeps per step.
const maxGitHubAnnotations = 10

func githubCommand(s analyzer.Severity) string {
	switch s {
	case analyzer.Error:
		return "error"
	case analyzer.Warning:
		return "warning"
	}
	return "notice"
}

var (
	ghData     = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	ghProperty = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
)

func renderGitHub(res *analyzer.Result, meta Meta) []byte {
	rules := ruleIndex(res)
	var b strings.Builder
	emitted := map[string]int{}
	left := 0
	for _, f := range res.Findings {
		if f.Suppression != nil {
			continue
		}
		cmd := githubCommand(f.Severity)
		if emitted[cmd] >= maxGitHubAnnotations {
			left++
			continue
		}
		emitted[cmd]++
		title := f.RuleID
		if ar, ok := rules[f.RuleID]; ok && ar.Rule.Doc.Title != "" {
			title = ar.Rule.Doc.Title + " (" + f.RuleID + ")"
		}
		props := [][2]string{{"title", "tfgate: " + title}}
		if name := repoPath(meta, f.Range.Filename); name != "" {
			props = append(props, [2]string{"file", name})
			if hasPos(f.Range) {
				end := max(lastLine(f.Range), f.Range.Start.Line)
				props = append(props, [2]string{"line", strconv.Itoa(f.Range.Start.Line)}, [2]string{"endLine", strconv.Itoa(end)})
				if end == f.Range.Start.Line {
					// Columns only on one line, as GitHub requires.
					col := max(f.Range.Start.Column, 1)
					endCol := max(f.Range.End.Column, col)
					props = append(props, [2]string{"col", strconv.Itoa(col)}, [2]string{"endColumn", strconv.Itoa(endCol)})
				}
			}
		}
		b.WriteString("::" + cmd + " ")
		for i, p := range props {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(p[0] + "=" + ghProperty.Replace(sanitize(p[1], true)))
		}
		msg := f.FullMessage() + "\n" + docURL(rules, f.RuleID)
		b.WriteString("::" + ghData.Replace(sanitize(msg, false)) + "\n")
	}
	for _, n := range res.Notifications {
		if n.Level == "error" {
			b.WriteString("::error title=tfgate::" + ghData.Replace(sanitize(n.Message, false)) + "\n")
		}
	}
	if left > 0 {
		// Not a workflow command: it would be dropped like the others.
		fmt.Fprintf(&b, "tfgate: %s not annotated: GitHub shows at most %d errors, %d warnings and %d notices per step; the text report lists them all\n",
			plural(left, "finding"), maxGitHubAnnotations, maxGitHubAnnotations, maxGitHubAnnotations)
	}
	return []byte(b.String())
}
