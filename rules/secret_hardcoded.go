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
			"secret itself. Placeholders such as `CHANGE_ME` or `<…>` are not reported.\n\n" +
			"Only literals count: references (`var.db_password`, `random_password.db.result`, " +
			"`data.aws_secretsmanager_secret_version.db.secret_string`, `ephemeral.vault_kv_secret_v2.db.data`) " +
			"and templates that interpolate are how secrets should flow. A credential-shaped token in the literal " +
			"text of an interpolating template (a key in a `user_data` script) is still reported. The finding " +
			"names the argument and the kind of credential, never the value, and output formats never show the " +
			"lines it covers.",
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
		blockArgs := func(b *model.Block) {
			addr := b.Address()
			for _, h := range secrets.BlockSecrets(b.Body) {
				report(h, addr, h.Path, "`"+addr+"` sets `"+h.Path+"` to a literal that looks like "+h.Kind)
			}
		}
		for _, b := range m.Providers {
			blockArgs(b)
		}
		for _, b := range m.Backends {
			blockArgs(b)
		}
		for _, c := range m.ModuleCalls {
			blockArgs(c.Block)
		}
		for _, b := range m.Resources {
			blockArgs(b)
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
					report(h, addr, "default", "default of `"+addr+"` looks like "+h.Kind)
					continue
				}
				report(h, addr, secretJoinAttr("default", sub), "default of `"+addr+"` sets `"+sub+"` to a literal that looks like "+h.Kind)
			}
		}
		for _, l := range m.Locals {
			addr := "local." + l.Name
			for _, h := range secrets.LiteralSecrets(l.Name, l.Attr.Expr, literal) {
				sub := secretSubPath(l.Name, h.Path)
				if sub == "" {
					h.Range = l.Attr.Range
					report(h, addr, "", "`"+addr+"` is a literal that looks like "+h.Kind)
					continue
				}
				report(h, addr, sub, "`"+addr+"` sets `"+sub+"` to a literal that looks like "+h.Kind)
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
					report(h, addr, "value", "`"+addr+"` value is a literal that looks like "+h.Kind)
					continue
				}
				report(h, addr, secretJoinAttr("value", sub), "`"+addr+"` sets `"+sub+"` to a literal that looks like "+h.Kind)
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
					Message:   "backend configuration `" + h.Path + "` is set to what looks like " + h.Kind,
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
