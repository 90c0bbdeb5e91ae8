package rules

import "github.com/tfgate/tfgate/analyzer"

// SyntaxError reports input that tfgate could not load: files that do not
// parse, unreadable or binary files, files over the size limit, local
// module sources that do not exist, modules that call themselves and
// locals that refer to each other in a cycle.
var syntaxError = &analyzer.Rule{
	ID:       "syntax-error",
	Family:   analyzer.FamilyTool,
	Severity: analyzer.Error,
	// It reports the notes of every rule's evaluations too: last.
	ReportsProblems: true,
	Doc: analyzer.Doc{
		Title: "Configuration that cannot be loaded",
		Why: "A file that does not parse cannot be checked, and Terraform would refuse it too. " +
			"tfgate reports it at its location and still analyzes every other module, so one bad file " +
			"never hides the findings of the rest of the tree. The same rule reports unreadable, binary " +
			"and oversized (over 16 MiB) files, local module sources that do not exist, modules that call " +
			"themselves, and locals that refer to each other in a cycle. As notes it reports what tfgate analyzed only " +
			"in part: an expression past an evaluation limit (a value of more than 16 MiB or 1,048,576 elements, an " +
			"expression of more than a million steps; its value is unknown, never guessed), a file that a file " +
			"function may not read (outside the repository, every symbolic link resolved; not a regular file; over " +
			"16 MiB), and a crash inside tfgate while evaluating an expression.\n\n" +
			"What Terraform would not load is not an error: a file encrypted with git-crypt or SOPS, a template " +
			"(`{{ … }}`, `{% … %}`) named like a tfvars file, a tfvars file beside no configuration that does not " +
			"parse (Terraform reads it only with -var-file), a module source under `.terraform/` that `terraform " +
			"init` has not installed, one in a directory `.gitignore` keeps out of the repository, one a demo's " +
			"harness provides and a Terragrunt source in another repository are each left out with a note saying " +
			"why (`tfgate modules` lists them too). A module whose call cannot be resolved keeps its other findings.",
		Fix: "Fix the syntax at the reported line (`terraform fmt` and `terraform validate` give the same " +
			"location), or remove the file from the tree if it is not Terraform.",
		Bad: `resource "aws_s3_bucket" "logs" {
  bucket = "logs"
  tags = {
    team = "platform"
}`,
		Good: `resource "aws_s3_bucket" "logs" {
  bucket = "logs"
  tags = {
    team = "platform"
  }
}`,
	},
	Run: func(pass *analyzer.Pass) error {
		for _, pr := range pass.Problems() {
			f := analyzer.Finding{Range: pr.Range, Message: pr.Message, Module: pr.Module, Address: "file@" + pr.Range.Filename}
			if pr.Note {
				// Analyzed in part (a limit hit, a file not read): a note.
				f.Severity = analyzer.Note
			}
			pass.Report(f)
		}
		return nil
	},
}
