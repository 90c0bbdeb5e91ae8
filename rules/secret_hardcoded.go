package rules

import (
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/tfgate/tfgate/analyzer"
	"github.com/tfgate/tfgate/analyzer/eval"
	"github.com/tfgate/tfgate/analyzer/model"
	"github.com/tfgate/tfgate/analyzer/secrets"
)

// SecretHardcoded reports credentials written literally in Terraform
// configuration.
var secretHardcoded = register(&analyzer.Rule{
	ID:       "secret-hardcoded",
	Family:   analyzer.FamilySecrets,
	Severity: analyzer.Error,
	Security: true,
	Doc: analyzer.Doc{
		Title: "No credentials written literally in configuration",
		Why: "A credential written in a `.tf` file is shared with everyone who can read the repository, stays in " +
			"its history after it is removed, and is copied into state and plan files in clear text. It also " +
			"cannot be rotated without a code change.\n\n" +
			"tfgate looks at every literal value: provider, backend and module arguments, resource, data source " +
			"and ephemeral resource arguments (nested blocks included), variable defaults, locals and outputs. " +
			"A value is reported when it has the shape of a credential whatever it is called (AWS access keys, " +
			"GitHub, Slack and Stripe tokens, Google API keys, PEM private keys in heredocs, JWTs, URLs and " +
			"connection strings with a password, GCP service account keys), or when it sits under a secret name " +
			"(`password`, `secret_key`, `token`, `client_secret`…) or a sensitive variable and could be the " +
			"secret itself. A value is not a candidate when it is a placeholder (`CHANGE_ME`, `example`, `dummy`, " +
			"`TODO`, `xxxx`, `<…>`, or one of these in base64) — the whole value, not a prefix: `ChangeMe123!` is a " +
			"usable password; a reference or template in another tool's syntax (`${…}`, `{{ … }}`, `$name:key`, " +
			"`%s`, `vault:`, `op://`, `sm://` URIs, Key Vault and CloudFormation references); a path or name in a " +
			"secret store (an ARN, `/prod/db/PASSWORD`, `projects/…/secrets/…`); an ID of a public shape (a " +
			"CloudFront distribution, a subnet); a character set; an identifier. Names count by what they hold: " +
			"`*_ssm_key`, `*_path`, `*_arn`, `*_spec`, `*_domains`, `dkim_tokens`, `random_password_override_special` " +
			"hold no secret, and below a name that says placeholder, dummy or example only the shape of a credential " +
			"counts. A literal, non-placeholder default of a variable named like a password is hard-coded whether or " +
			"not the variable is sensitive.\n\n" +
			"Only literals count: references (`var.db_password`, `random_password.db.result`, " +
			"`data.aws_secretsmanager_secret_version.db.secret_string`, `ephemeral.vault_kv_secret_v2.db.data`) " +
			"and templates that interpolate are how secrets should flow. A credential-shaped token in the literal " +
			"text of an interpolating template (a key in a `user_data` script) is still reported. The finding " +
			"names the argument, the kind of credential and the signal that matched (its shape, the name it sits " +
			"under, a sensitive variable; \"high-entropy\" when the value is random-looking), never the value, and " +
			"output formats never show the lines it covers.",
		Fix: "Rotate the credential first: it has been exposed. Then read it at run time: from a variable declared " +
			"with `sensitive = true` and set from your CI's secret store, from a data source or (Terraform 1.10 " +
			"and later) an ephemeral resource of a secrets manager, or generate it with `random_password`. " +
			"Providers read their credentials from the environment (`AWS_ACCESS_KEY_ID`, `GITHUB_TOKEN`…) when " +
			"the arguments are left out. Prefer write-only arguments (`password_wo`) where the provider has them.",
		Bad: `provider "aws" {
  region     = "eu-west-1"
  access_key = "AKIAIOSFODNN7EXAMPLE"
  secret_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
}

resource "aws_db_instance" "main" {
  engine   = "postgres"
  username = "app"
  password = "Tr0ub4dor&3-horse"
}`,
		Good: `provider "aws" {
  region = "eu-west-1" # credentials from the environment or an assumed role
}

resource "aws_db_instance" "main" {
  engine                      = "postgres"
  username                    = "app"
  manage_master_user_password = true
}`,
	},
	Run: runSecretHardcoded,
})

func runSecretHardcoded(pass *analyzer.Pass) error {
	literal := secrets.SecretOptions{Literal: true}
	for _, m := range pass.Project.Modules {
		if !m.Scanned {
			continue
		}
		report := func(h secrets.SecretHit, addr, attr, msg string) {
			pass.Report(analyzer.Finding{Range: h.Range, Message: msg, Module: m.Dir, Address: addr, Attribute: attr, Secret: true})
		}
		blockArgs := func(b *model.Block, fix string) {
			addr := b.Address()
			for _, h := range secrets.BlockSecrets(b.Body) {
				report(h, addr, h.Path, "`"+addr+"` sets `"+h.Path+"` to "+hardcoded(h, "in an argument")+"; "+fix)
			}
		}
		for _, b := range m.Providers {
			blockArgs(b, fixProviderSecret)
		}
		for _, b := range m.Backends {
			blockArgs(b, fixBackendSecret)
		}
		for _, c := range m.ModuleCalls {
			if c.Wrapper {
				// A Terragrunt unit's inputs: the block is its terraform
				// block, its attributes the inputs.
				for _, h := range secrets.BlockSecrets(c.Block.Body) {
					report(h, c.Block.Address(), h.Path, "Terragrunt input `"+h.Path+"` is "+hardcoded(h, "Terragrunt input")+"; "+fixTerragruntSecret)
				}
				continue
			}
			blockArgs(c.Block, fixRuntimeSecret)
		}
		for _, b := range m.Resources {
			blockArgs(b, fixRuntimeSecret)
		}
		for _, v := range m.Variables {
			a := v.Attr("default")
			if a == nil {
				continue
			}
			name, addr := v.Labels[0], v.Address()
			opts := literal
			opts.Sensitive = secretStaticTrue(v, "sensitive")
			for _, h := range secrets.LiteralSecrets(name, a.Expr, opts) {
				sub := secretSubPath(name, h.Path)
				if sub == "" {
					h.Range = a.Range
					report(h, addr, "default", "default of `"+addr+"` is "+hardcoded(h, "default of a variable")+"; "+fixDefaultSecret)
					continue
				}
				report(h, addr, secretJoinAttr("default", sub), "default of `"+addr+"` sets `"+sub+"` to "+hardcoded(h, "in a variable default")+"; "+fixDefaultSecret)
			}
		}
		for _, l := range m.Locals {
			addr := "local." + l.Name
			for _, h := range secrets.LiteralSecrets(l.Name, l.Attr.Expr, literal) {
				sub := secretSubPath(l.Name, h.Path)
				if sub == "" {
					h.Range = l.Attr.Range
					report(h, addr, "", "`"+addr+"` is "+hardcoded(h, "local value")+"; "+fixRuntimeSecret)
					continue
				}
				report(h, addr, sub, "`"+addr+"` sets `"+sub+"` to "+hardcoded(h, "in a local value")+"; "+fixRuntimeSecret)
			}
		}
		for _, o := range m.Outputs {
			a := o.Attr("value")
			if a == nil {
				continue
			}
			name, addr := o.Labels[0], o.Address()
			for _, h := range secrets.LiteralSecrets(name, a.Expr, literal) {
				sub := secretSubPath(name, h.Path)
				if sub == "" {
					h.Range = a.Range
					report(h, addr, "value", "value of `"+addr+"` is "+hardcoded(h, "output value")+"; "+fixRuntimeSecret)
					continue
				}
				report(h, addr, secretJoinAttr("value", sub), "`"+addr+"` sets `"+sub+"` to "+hardcoded(h, "in an output value")+"; "+fixRuntimeSecret)
			}
		}
	}
	// Partial backend configuration files (-backend-config=FILE) are
	// configuration too.
	var backendFiles []*model.File
	for _, m := range pass.Project.Modules {
		if m.Scanned {
			backendFiles = append(backendFiles, m.BackendFile...)
		}
	}
	for _, f := range pass.Project.LooseFiles {
		if f.Kind == model.KindBackend && (f.Module == nil || f.Module.Scanned) {
			backendFiles = append(backendFiles, f)
		}
	}
	for _, f := range backendFiles {
		module := ""
		if f.Module != nil {
			module = f.Module.Dir
		}
		for _, a := range secretAttrsInOrder(eval.TFVarsAttrs(f)) {
			for _, h := range secrets.LiteralSecrets(a.Name, a.Expr, secrets.SecretOptions{}) {
				if h.Path == a.Name {
					h.Range = a.Range
				}
				pass.Report(analyzer.Finding{
					Range:     h.Range,
					Message:   "backend setting `" + h.Path + "` is " + hardcoded(h, "backend setting") + "; " + fixBackendSecret,
					Module:    module,
					Address:   "file@" + f.Path,
					Attribute: h.Path,
					Secret:    true,
				})
			}
		}
	}
	return nil
}

// Fixes named in secret-hardcoded's messages, by where the secret is.
const (
	fixRuntimeSecret  = "rotate it, then pass it in at run time (a sensitive variable, a secrets manager data source, `random_password`)"
	fixProviderSecret = "rotate it, then leave the argument out: the provider reads credentials from the environment or an assumed role"
	fixBackendSecret  = "rotate it, then pass it at init time from your secret store (the backend's environment variables)"
	fixDefaultSecret  = "rotate it, then remove the default and set the variable from your secret store (`TF_VAR_…` in CI)"
	// A unit's inputs are read by Terragrunt, which has functions for it.
	fixTerragruntSecret = "rotate it, then read it at run time: `get_env(\"…\")` set from your CI's secret store, `sops_decrypt_file()`, or a data source in the module"
)

// hardcoded describes a hit for a message: "a hard-coded password: a
// literal in an argument named like a password (`password`), not a
// placeholder or a reference", never with the value. where is what holds
// the value ("in an argument").
func hardcoded(h secrets.SecretHit, where string) string {
	what := "a hard-coded " + strings.TrimPrefix(strings.TrimPrefix(h.Kind, "an "), "a ")
	if !strings.HasPrefix(h.Kind, "a") {
		what = "hard-coded " + h.Kind // credentials
	}
	return what + ": " + h.Why(where)
}

// secretSubPath is the part of a hit's path below the top-level name:
// "" for the value itself, "password" for "db.password", "[0]" for "db[0]".
func secretSubPath(name, path string) string {
	rest := strings.TrimPrefix(path, name)
	return strings.TrimPrefix(rest, ".")
}

// secretJoinAttr appends a sub-path to an argument name: default.password,
// default[0].
func secretJoinAttr(attr, sub string) string {
	if strings.HasPrefix(sub, "[") {
		return attr + sub
	}
	return attr + "." + sub
}

// secretAttrsInOrder returns attributes in source order.
func secretAttrsInOrder(attrs hcl.Attributes) []*hcl.Attribute {
	out := make([]*hcl.Attribute, 0, len(attrs))
	for _, a := range attrs {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Range.Filename != out[j].Range.Filename {
			return out[i].Range.Filename < out[j].Range.Filename
		}
		return out[i].Range.Start.Byte < out[j].Range.Start.Byte
	})
	return out
}

// secretStaticTrue reports whether a block sets a boolean argument to a
// literal true (sensitive = true, ephemeral = true).
func secretStaticTrue(b *model.Block, name string) bool {
	a := b.Attr(name)
	if a == nil {
		return false
	}
	v, d := a.Expr.Value(nil)
	if d.HasErrors() {
		return false
	}
	t, ok := model.KnownBool(v)
	return ok && t
}
