package rules

import "github.com/tfgate/tfgate/analyzer"

// IgnoreDirective reports tfgate:ignore comments that cannot be used
// (no reason, unknown rule, bad expiry date), that expired, or that match
// no finding. The framework, which reads and applies ignore comments,
// produces its findings (Rule.IgnoreDirectives); the rule gives them an ID,
// docs, a severity and a switch.
var ignoreDirective = &analyzer.Rule{
	ID:       "ignore-directive",
	Family:   analyzer.FamilyTool,
	Severity: analyzer.Warning,
	Doc: analyzer.Doc{
		Title: "Ignore comments are well formed, current and used",
		Why: "An ignore comment is a decision someone made about a risk. Without a reason nobody can " +
			"review it later; an expired one (`exp:YYYY-MM-DD`) means the decision was meant to be " +
			"revisited, so the finding counts again; one that matches nothing is left over from code that " +
			"changed and would silently hide the next problem on that line.",
		Fix: "Write `# tfgate:ignore <rule-id>[,<rule-id>] <reason> [exp:YYYY-MM-DD]` on the line above " +
			"the block or attribute, or at the end of its first line. Remove ignores that match nothing; " +
			"fix or re-date expired ones.",
		Bad: `# tfgate:ignore tags-required
resource "aws_s3_bucket" "scratch" {
  bucket = "scratch"
}`,
		Good: `# tfgate:ignore tags-required throwaway bucket for the load test, deleted weekly exp:2027-01-31
resource "aws_s3_bucket" "scratch" {
  bucket = "scratch"
}`,
	},
	IgnoreDirectives: true,
}
