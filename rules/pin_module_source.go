package rules

import (
	"fmt"
	"strings"

	"github.com/tfgate/tfgate/analyzer"
	"github.com/tfgate/tfgate/analyzer/model"
	"github.com/zclconf/go-cty/cty"
)

// PinModuleSource reports module calls whose source can change under the
// same configuration: registry modules without a bounded version, git and
// Mercurial sources without a ref or on a branch, and archives without a
// version in their path.
var pinModuleSource = register(&analyzer.Rule{
	ID:       "pin-module-source",
	Family:   analyzer.FamilyPinning,
	Severity: analyzer.Error,
	Doc: analyzer.Doc{
		Title: "Remote module sources are pinned to a version",
		Why: "Terraform downloads a remote module at `terraform init`, and nothing records which code it " +
			"got: unlike providers, modules have no lock file. A source that is not pinned changes under " +
			"the same commit of your configuration — the next CI run plans with whatever the module's " +
			"authors pushed since.\n\n" +
			"- **Registry modules** (`terraform-aws-modules/vpc/aws`, or `app.terraform.io/org/name/aws` " +
			"on a private registry) need a `version` with an upper bound: `~> 5.1`, `>= 5.1, < 6.0` or an " +
			"exact `5.1.2`. Module versions are read by hashicorp/go-version, where `~> 5` only means " +
			"`>= 5`.\n" +
			"- **Git sources** (`git::https://…`, `git::ssh://…`, `git@github.com:org/repo.git`, " +
			"`github.com/org/repo`, `bitbucket.org/org/repo`) need `?ref=`, and a ref that is not a " +
			"branch: `main`, `master`, `develop`, `trunk`, `HEAD` and `refs/heads/…` move with every push " +
			"(the list is the `branch_refs` option, which also matches git-flow branches such as " +
			"`feature/…`). A tag (`?ref=v1.2.0`) is a pin; a commit ID (7 to 40 " +
			"hex digits, `?ref=8c1f0d3`) is the best pin, since tags can be moved. **Mercurial** sources " +
			"(`hg::…`) need `?rev=` likewise, and not the `default` or `tip` branches.\n" +
			"- **Archives** fetched over HTTP(S), from S3 (`s3::…`, `*.amazonaws.com/…`) or GCS " +
			"(`gcs::…`, `*.googleapis.com/…`) should carry a version in their path (`vpc-1.2.0.zip`, " +
			"`/v1.2.0/`), a commit ID, or an object version (`?version=`, `?generation=`); otherwise the " +
			"file can be replaced under the same name. These are reported as warnings, because a " +
			"well-run artifact store may never overwrite a key.\n\n" +
			"Local sources (`./modules/vpc`) are versioned with the calling code and are fine. An HTTP " +
			"URL that is not an archive redirects (`X-Terraform-Get`) to a source tfgate cannot see, and " +
			"is not reported.",
		Fix: "Add `version = \"~> X.Y\"` to registry module calls. Append `?ref=<tag or commit>` to git " +
			"sources, after any `//subdirectory`: `git::https://github.com/acme/terraform-modules.git//vpc?ref=v1.4.0`. " +
			"Publish archives under versioned names and reference those.",
		Bad: `module "vpc" {
  source = "terraform-aws-modules/vpc/aws"
}

module "dns" {
  source = "git::https://github.com/acme/terraform-dns.git?ref=main"
}`,
		Good: `module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "~> 5.8"
}

module "dns" {
  source = "git::https://github.com/acme/terraform-dns.git?ref=v2.3.1"
}`,
	},
	Options: []analyzer.Option{{
		Name: "branch_refs",
		Type: cty.List(cty.String),
		Default: cty.ListVal([]cty.Value{
			cty.StringVal("main"), cty.StringVal("master"), cty.StringVal("develop"), cty.StringVal("trunk"),
			cty.StringVal("HEAD"), cty.StringVal("default"), cty.StringVal("tip"),
			cty.StringVal("/feature/.+/"), cty.StringVal("/bugfix/.+/"), cty.StringVal("/hotfix/.+/"),
		}),
		Doc: "Refs (git `ref`, Mercurial `rev`) that name a branch and so do not pin anything, compared " +
			"without case; `/regexp/` entries match the whole ref. Refs starting with `refs/heads/` are " +
			"always branches.",
	}},
	Run: runPinModuleSource,
})

func runPinModuleSource(pass *analyzer.Pass) error {
	branches := pass.StringsOption("branch_refs")
	archiveSeverity := analyzer.Warning
	if pass.Severity < archiveSeverity {
		archiveSeverity = pass.Severity
	}
	for _, m := range pass.Project.Modules {
		if !m.Scanned {
			continue
		}
		for _, c := range m.ModuleCalls {
			if c.Source == "" {
				continue // absent or not a static string
			}
			b := c.Block
			report := func(attr, msg string) {
				pass.Report(analyzer.Finding{Range: b.DefRange, Module: m.Dir, Address: b.Address(), Attribute: attr, Message: msg})
			}
			ms := model.ParseModuleSource(c.Source)
			switch ms.Kind {
			case model.SourceRegistry:
				va := b.Attr("version")
				if va == nil {
					report("version", fmt.Sprintf("registry module %q has no `version`: each `terraform init` on a fresh checkout takes its latest release; add e.g. `version = \"~> X.Y\"`", ms.Package))
					continue
				}
				s, ok := model.StaticString(va.Expr)
				if !ok {
					continue
				}
				vc, err := model.ParseVersionConstraint(s, model.CoreSyntax)
				switch {
				case err != nil:
					report("version", fmt.Sprintf("`version` %q of registry module %q is not a valid version constraint: %v; write one such as `\"~> 1.2\"`", s, ms.Package, err))
				case len(vc.Clauses) == 0:
					report("version", fmt.Sprintf("registry module %q has an empty `version`: each `terraform init` on a fresh checkout takes its latest release; set e.g. `version = \"~> X.Y\"`", ms.Package))
				case !vc.HasUpperBound():
					report("version", fmt.Sprintf("`version` %q of registry module %q has no upper bound, so a new major release is picked up without a code change; %s", s, ms.Package, upperBoundHint(vc)))
				}
			case model.SourceGit, model.SourceMercurial:
				kind, param := "git", ms.RefParam()
				if ms.Kind == model.SourceMercurial {
					kind = "Mercurial"
				}
				ref := strings.TrimSpace(ms.Ref())
				switch {
				case ref == "":
					report("source", fmt.Sprintf("%s source %q has no `?%s=`, so it follows the default branch; pin a tag or a commit", kind, c.Source, param))
				case strings.HasPrefix(ref, "refs/heads/"):
					report("source", fmt.Sprintf("%s source %q is pinned to branch %q, which moves with every push; pin a tag or a commit", kind, c.Source, strings.TrimPrefix(ref, "refs/heads/")))
				case !model.IsCommitRef(ref) && model.MatchAny(ref, branches, true):
					report("source", fmt.Sprintf("%s source %q is pinned to branch %q, which moves with every push; pin a tag or a commit (if %q is a tag, leave it out of `branch_refs` in .tfgate.hcl)", kind, c.Source, ref, ref))
				}
			case model.SourceHTTP, model.SourceS3, model.SourceGCS:
				if ms.Kind == model.SourceHTTP && !ms.IsArchive() {
					continue // an X-Terraform-Get redirect to a source we cannot see
				}
				if ms.VersionedPath() {
					continue
				}
				pass.Report(analyzer.Finding{Range: b.DefRange, Module: m.Dir, Address: b.Address(), Attribute: "source", Severity: archiveSeverity,
					Message: fmt.Sprintf("%s archive source %q has no version in its path, so the file can be replaced under the same name; publish versioned archives (e.g. `vpc-1.2.0.zip`)", archiveKind(ms.Kind), c.Source)})
			}
		}
	}
	return nil
}

func archiveKind(k model.ModuleSourceKind) string {
	switch k {
	case model.SourceS3:
		return "S3"
	case model.SourceGCS:
		return "GCS"
	}
	return "HTTP"
}
