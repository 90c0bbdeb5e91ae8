package report

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/tfgate/tfgate/analyzer"
)

// GitLab Code Quality JSON (artifacts:reports:codequality), a subset of the
// Code Climate issue format: an array of issues, each with the fields GitLab
// requires (description, check_name, fingerprint, severity, location.path,
// location.lines.begin) and the Code Climate ones it shows (type,
// categories, content); nothing outside Code Climate's issue type. Paths are relative to the repository
// root (Meta.RepoRoot), as GitLab resolves them in the merge request diff.
// The fingerprint is tfgate's stable identity of the finding (rule, module,
// address, attribute), so GitLab's comparison with the target branch sees
// a finding moved by an edit above it as the same issue. Ignored and
// baselined findings are left out: GitLab has no notion of a suppressed
// issue and would count them.

type glIssue struct {
	Type        string     `json:"type"`
	CheckName   string     `json:"check_name"`
	Description string     `json:"description"`
	Content     *glContent `json:"content,omitempty"`
	Categories  []string   `json:"categories"`
	Location    glLocation `json:"location"`
	Severity    string     `json:"severity"`
	Fingerprint string     `json:"fingerprint"`
}

type glContent struct {
	Body string `json:"body"`
}

type glLocation struct {
	Path  string  `json:"path"`
	Lines glLines `json:"lines"`
}

type glLines struct {
	Begin int `json:"begin"`
	End   int `json:"end"`
}

// gitlabSeverity maps severities to GitLab's info, minor, major, critical,
// blocker: security errors are critical.
func gitlabSeverity(f *analyzer.Finding, security bool) string {
	switch f.Severity {
	case analyzer.Error:
		if security {
			return "critical"
		}
		return "major"
	case analyzer.Warning:
		return "minor"
	}
	return "info"
}

func renderGitLab(res *analyzer.Result, meta Meta) ([]byte, error) {
	rules := ruleIndex(res)
	out := []glIssue{}
	seen := map[string]int{}
	for _, f := range res.Findings {
		if f.Suppression != nil {
			continue
		}
		ar, ok := rules[f.RuleID]
		security := ok && ar.Rule.Security
		cat := "Bug Risk"
		switch {
		case security:
			cat = "Security"
		case ok && ar.Rule.Family == analyzer.FamilyLayout:
			cat = "Style"
		}
		fp := f.Fingerprint()
		if n := seen[fp]; n > 0 {
			// Two findings with one identity (a rule reporting twice on one
			// attribute): GitLab needs distinct fingerprints.
			h := sha256.Sum256([]byte(fp + "\x00" + f.Range.String()))
			fp = hex.EncodeToString(h[:])[:32]
		}
		seen[f.Fingerprint()]++
		is := glIssue{
			Type:        "issue",
			CheckName:   f.RuleID,
			Description: sanitize(f.FullMessage(), true), // one line, as Code Climate requires
			Content:     &glContent{Body: docURL(rules, f.RuleID)},
			Categories:  []string{cat},
			Location:    glLocation{Path: orDot(repoPath(meta, f.Range.Filename)), Lines: glLines{Begin: 1, End: 1}},
			Severity:    gitlabSeverity(f, security),
			Fingerprint: fp,
		}
		if hasPos(f.Range) {
			is.Location.Lines = glLines{Begin: f.Range.Start.Line, End: max(lastLine(f.Range), f.Range.Start.Line)}
		}
		out = append(out, is)
	}
	return marshal(out)
}
