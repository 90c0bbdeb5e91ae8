package rules

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/tfgate/tfgate/analyzer"
	"github.com/tfgate/tfgate/analyzer/model"
)

// LayoutStandardFiles reports reusable modules that do not follow the
// standard module structure: main.tf, README.md, variables in
// variables.tf, outputs in outputs.tf and provider requirements declared.
var layoutStandardFiles = register(&analyzer.Rule{
	ID:       "layout-standard-files",
	Family:   analyzer.FamilyLayout,
	Severity: analyzer.Warning,
	Doc: analyzer.Doc{
		Title: "Reusable modules follow the standard module structure",
		Why: "Terraform's [standard module structure](https://developer.hashicorp.com/terraform/language/modules/develop/structure) " +
			"is what readers, the registry and documentation generators such as terraform-docs expect: `main.tf` as the " +
			"entry point, the inputs in `variables.tf`, the outputs in `outputs.tf`, a `README.md` saying what the module " +
			"is for, and the provider requirements in `versions.tf` (or a `terraform` block with `required_providers`). " +
			"A module whose inputs are spread over its resource files has to be read in full before anyone can call it, " +
			"and one that does not declare its providers silently accepts any provider version its caller happens to use.\n\n" +
			"Only reusable modules are checked, never root modules. Each cause is reported once: one finding per missing " +
			"file, and one per file holding misplaced variables (or outputs), naming them. Files whose name starts with " +
			"`variables` or `outputs` (`variables_network.tf`) count as the standard files split by topic; override files " +
			"(`override.tf`, `*_override.tf`) are left alone. A `.tf.json` file counts as its `.tf` namesake, and modules " +
			"made only of `.tf.json` files are generated code and are skipped. A module that uses no provider (only " +
			"`terraform_data` or no resources at all) needs no `required_providers`. Following the standard, a nested " +
			"module in the `modules/` directory of another module (`<module>/modules/<name>`, such as the local modules " +
			"of a root configuration) needs no `README.md`: without one it is meant for internal use. Which modules are " +
			"reusable is the module model's answer (`tfgate modules`): one that another module calls, one under a " +
			"`modules/` directory, or the top of a module repository; a module under `modules/` that declares a backend " +
			"and that nothing calls is run as a root, and Atmos components (with the conventional `context.tf`) are " +
			"roots too: neither is checked.",
		Fix: "Move `variable` blocks to `variables.tf` and `output` blocks to `outputs.tf`, keep the resources in `main.tf` " +
			"(or files next to it), add a `README.md`, and declare the providers the module uses in `versions.tf`:\n\n" +
			"```hcl\nterraform {\n  required_version = \">= 1.5\"\n  required_providers {\n    aws = {\n      source  = \"hashicorp/aws\"\n      version = \">= 5.0\"\n    }\n  }\n}\n```",
		Bad: `# modules/bucket/main.tf, the only file of the module
variable "name" {
  type = string
}

resource "aws_s3_bucket" "this" {
  bucket = var.name
}

output "arn" {
  value = aws_s3_bucket.this.arn
}`,
		Good: `# modules/bucket/README.md, main.tf, variables.tf, outputs.tf, versions.tf
# variables.tf
variable "name" {
  description = "Name of the bucket."
  type        = string
}`,
	},
	Run: runLayoutStandardFiles,
})

func runLayoutStandardFiles(pass *analyzer.Pass) error {
	for _, m := range pass.Project.Modules {
		if !layoutReusable(m) || layoutGenerated(m) {
			continue
		}
		names := map[string]bool{}
		for _, f := range m.Files {
			names[layoutBaseName(f)] = true
		}
		at := m.FirstRange()
		if !names["main.tf"] {
			pass.Report(analyzer.Finding{Range: at, Module: m.Dir, Address: "file@main.tf",
				Message: "reusable module has no `main.tf`; the standard module structure uses it as the entry point: put the module's main resources there"})
		}
		if !layoutHasReadme(m) && !m.Internal {
			pass.Report(analyzer.Finding{Range: at, Module: m.Dir, Address: "file@README.md",
				Message: "reusable module has no `README.md` describing what it is for and how to call it; add one with a usage example (" + layoutKindHint(m) + ")"})
		}
		layoutMisplaced(pass, m, m.Variables, "variable", "variables", "variables.tf")
		layoutMisplaced(pass, m, m.Outputs, "output", "outputs", "outputs.tf")
		if !names["versions.tf"] && !layoutHasRequiredProviders(m) {
			if p := layoutUsedProvider(m); p != "" {
				pass.Report(analyzer.Finding{Range: at, Module: m.Dir, Address: "file@versions.tf",
					Message: fmt.Sprintf("reusable module has no `versions.tf` and no `required_providers` block, yet uses provider `%s`; callers cannot tell which provider versions it works with: declare it in `required_providers` with a `source` and a minimum `version`", p)})
			}
		}
	}
	return nil
}

// layoutMisplaced reports, once per file, the declarations of a kind that
// live outside the file the standard structure keeps them in.
func layoutMisplaced(pass *analyzer.Pass, m *model.Module, blocks []*model.Block, kind, prefix, want string) {
	byFile := map[*model.File][]*model.Block{}
	var files []*model.File
	for _, b := range blocks {
		if b.File == nil || layoutIsOverride(b.File) || strings.HasPrefix(layoutBaseName(b.File), prefix) {
			continue
		}
		if byFile[b.File] == nil {
			files = append(files, b.File)
		}
		byFile[b.File] = append(byFile[b.File], b)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	for _, f := range files {
		bs := byFile[f]
		sort.SliceStable(bs, func(i, j int) bool { return bs[i].DefRange.Start.Byte < bs[j].DefRange.Start.Byte })
		labels := make([]string, len(bs))
		for i, b := range bs {
			labels[i] = b.Labels[0]
		}
		what, them := kind+" "+layoutNames(labels, 5)+" is", "it"
		if len(bs) > 1 {
			what, them = kind+"s "+layoutNames(labels, 5)+" are", "them"
		}
		name := path.Base(f.Path)
		pass.Report(analyzer.Finding{Range: bs[0].DefRange, Module: m.Dir, Address: "file@" + name, Attribute: kind,
			Message: fmt.Sprintf("%s declared in `%s`; the standard module structure keeps %ss in `%s`: move %s there", what, name, kind, want, them)})
	}
}

// layoutHasReadme reports whether a module's directory holds a README (any
// case, any extension). When the directory was not listed, it says yes:
// tfgate never flags what it cannot see.
func layoutHasReadme(m *model.Module) bool {
	if m.DirFiles == nil {
		return true
	}
	for _, name := range m.DirFiles {
		if n := strings.ToLower(name); n == "readme" || strings.HasPrefix(n, "readme.") {
			return true
		}
	}
	return false
}

func layoutHasRequiredProviders(m *model.Module) bool {
	for _, tb := range m.Terraform {
		if len(tb.Blocks("required_providers")) > 0 {
			return true
		}
	}
	return false
}

// layoutUsedProvider returns the first provider (in source order) that the
// module's resources, data sources or ephemeral resources use, other than
// Terraform's built-in one; "" when there is none.
func layoutUsedProvider(m *model.Module) string {
	for _, r := range m.Resources {
		if p := r.ProviderRef(); p != "" && p != "terraform" {
			if i := strings.IndexByte(p, '.'); i > 0 {
				p = p[:i]
			}
			return p
		}
	}
	return ""
}
