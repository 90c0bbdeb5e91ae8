package rules

import (
	"maps"
	"slices"

	"github.com/hashicorp/hcl/v2"
	tfjson "github.com/hashicorp/terraform-json"
	"github.com/tfgate/tfgate/analyzer"
	"github.com/tfgate/tfgate/analyzer/eval"
	"github.com/tfgate/tfgate/analyzer/model"
	"github.com/tfgate/tfgate/analyzer/secrets"
	"github.com/tfgate/tfgate/analyzer/tfplan"
)

// SecretNotSensitive reports secret variables and outputs that are not
// marked sensitive.
var secretNotSensitive = register(&analyzer.Rule{
	ID:       "secret-not-sensitive",
	Family:   analyzer.FamilySecrets,
	Severity: analyzer.Warning,
	Security: true,
	Doc: analyzer.Doc{
		Title: "Secret variables and outputs are marked sensitive",
		Why: "Terraform prints variable and output values in plans, in `terraform output` and in CI logs unless " +
			"they are marked `sensitive = true`. A password that is not marked ends up in a build log that far " +
			"more people can read than the secret store it came from.\n\n" +
			"tfgate reports:\n\n" +
			"- a variable whose name says it holds a secret (`db_password`, `api_token`, `client_secret`, " +
			"`credentials`…) without `sensitive = true`. Names are judged by what they hold: names about a secret " +
			"(`password_length`, `secret_name`, `token_ttl`, `kms_key_arn`, `*_ssm_key`, `*_path`, `*_spec`, " +
			"`*_units`, `*_validity`, `*_domains`, `*_rotation_days`), names of where it is kept (`ssm_path_password`), " +
			"public tokens (`dkim_tokens`, `verification_token`), switches (`enable_secret_rotation`), `bool` or " +
			"`number` variables, and variables whose description says they hold a name, path or ARN (\"Name of the " +
			"SSM parameter…\") or whose literal default is one are not secrets. An object-typed variable counts when one of its fields is secret-named " +
			"(`object({ username = string, password = string })`); an untyped variable with a map default " +
			"(`default = {}`), or with no default and a plural name (`service_principal_passwords`), is taken " +
			"for a map of settings;\n" +
			"- an output whose value exposes a secret without `sensitive = true`: a sensitive or secret-named " +
			"variable (`var.db_password`), a secret-named attribute (`aws_db_instance.main.password`, " +
			"`module.db.master_password`), a value providers mark sensitive (`random_password.db.result`, " +
			"`data.aws_ssm_parameter.x.value`), a sensitive output of a local module, or a local built from " +
			"any of these. Values derived without revealing the secret (`length(…)`, `sha256(…)`, comparisons, " +
			"`nonsensitive(…)`) are fine.\n\n" +
			"Variables and outputs declared `ephemeral = true` (Terraform 1.10 and later) pass: Terraform never " +
			"writes their values to state or plan files and accepts them only where they are not persisted.\n\n" +
			"With a plan (`tfgate plan`, `tfgate lint --plan`) the rule also judges real values: a secret-named " +
			"root variable whose planned value is a credential while it is not declared sensitive, and an " +
			"output whose planned value carries a credential without being marked sensitive. The finding names " +
			"the variable or output and the kind of credential, never the value.",
		Fix: "Add `sensitive = true` to the variable or output. Terraform then redacts the value in plans and " +
			"output, and requires outputs that use it to be sensitive too. If the output does not need the " +
			"secret, output the secret's ARN or name instead.",
		Bad: `variable "db_password" {
  type = string
}

output "db_password" {
  value = aws_db_instance.main.password
}`,
		Good: `variable "db_password" {
  type      = string
  sensitive = true
}

output "db_password" {
  value     = aws_db_instance.main.password
  sensitive = true
}`,
	},
	Run:  runSecretNotSensitive,
	Plan: planSecretNotSensitive,
})

func runSecretNotSensitive(pass *analyzer.Pass) error {
	for _, m := range pass.Project.Modules {
		if !m.Scanned {
			continue
		}
		for _, v := range m.Variables {
			name := v.Labels[0]
			class, kind := secrets.ClassifyName(name)
			if class != secrets.NameSecret || secretStaticTrue(v, "sensitive") || secretStaticTrue(v, "ephemeral") || !secretVarHoldsSecret(v) || secretVarHoldsReference(v) {
				continue
			}
			rng := v.DefRange
			if a := v.Attr("sensitive"); a != nil {
				rng = a.Range
			}
			pass.Report(analyzer.Finding{
				Range: rng,
				Message: "variable `" + name + "` is named like " + kind + " but is not marked `sensitive = true`, so plans, " +
					"`terraform output` and CI logs show its value; add `sensitive = true` (or `ephemeral = true`, Terraform 1.10+, when it need not be stored)",
				Module:    m.Dir,
				Address:   v.Address(),
				Attribute: "sensitive",
				Secret:    true,
			})
		}
		for _, o := range m.Outputs {
			a := o.Attr("value")
			if a == nil || secretStaticTrue(o, "sensitive") || secretStaticTrue(o, "ephemeral") {
				continue
			}
			class, _ := secrets.ClassifyName(o.Labels[0])
			ex := &secretExposure{m: m, seenLocal: map[string]bool{}, byMarkOnly: class == secrets.NameNotSecret}
			what := ex.exposes(a.Expr)
			if what == "" {
				continue
			}
			rng := o.DefRange
			if s := o.Attr("sensitive"); s != nil {
				rng = s.Range
			}
			pass.Report(analyzer.Finding{
				Range:     rng,
				Message:   "output `" + o.Labels[0] + "` exposes " + what + " but is not marked `sensitive = true`; add it, or output the secret's ARN or name instead",
				Module:    m.Dir,
				Address:   o.Address(),
				Attribute: "sensitive",
				Secret:    true,
			})
		}
	}
	return nil
}

// secretVarHoldsReference reports whether a secret-named variable says
// that it holds where the secret is, not the secret: its description
// ("Name of the SSM parameter that holds the token") or a literal default
// that is a path, an identifier, an ARN or a reference ("spotinst_token",
// "/grafana/%s/api_key").
func secretVarHoldsReference(v *model.Block) bool {
	if d, ok := v.StaticString("description"); ok && secrets.DescribesReference(d) {
		return true
	}
	if a := v.Attr("default"); a != nil {
		if s, ok := model.StaticString(a.Expr); ok {
			if _, ref := secrets.HoldsReference(s); ref {
				return true
			}
		}
	}
	return false
}

func planSecretNotSensitive(pass *analyzer.Pass) error {
	plan := pass.Plan
	var cfg *tfjson.ConfigModule
	if plan.JSON.Config != nil {
		cfg = plan.JSON.Config.RootModule
	}
	for _, name := range slices.Sorted(maps.Keys(plan.JSON.Variables)) {
		pv := plan.JSON.Variables[name]
		if pv == nil || pv.Value == nil {
			continue
		}
		// Only a name that says "secret" makes a variable one: a plain
		// value that merely looks random is left to secret-hardcoded.
		if class, _ := secrets.ClassifyName(name); class != secrets.NameSecret {
			continue
		}
		if cfg != nil && cfg.Variables[name] != nil && cfg.Variables[name].Sensitive {
			continue
		}
		var block *model.Block
		if pass.PlanRoot != nil {
			block = pass.PlanRoot.Variable(name)
		}
		if block != nil && (secretStaticTrue(block, "sensitive") || secretStaticTrue(block, "ephemeral")) {
			continue
		}
		hits := secrets.ValueSecrets(name, secrets.JSONToCty(pv.Value), hcl.Range{})
		if len(hits) == 0 {
			continue
		}
		loc := planConfigLoc(pass, block, "variables", name)
		pass.ReportPlan(&eval.PlanResource{Address: "var." + name, Loc: loc}, "sensitive", analyzer.Finding{
			Message: "its value is " + secretHitWhat(name, hits[0]) + " but the variable is not marked `sensitive = true`; add `sensitive = true` to it",
			Secret:  true,
		})
	}
	for _, name := range slices.Sorted(maps.Keys(plan.JSON.OutputChanges)) {
		ch := plan.JSON.OutputChanges[name]
		if ch == nil || ch.After == nil || planOutputSensitive(plan, cfg, name, ch) {
			continue
		}
		if u, ok := ch.AfterUnknown.(bool); ok && u {
			continue
		}
		var block *model.Block
		if pass.PlanRoot != nil {
			for _, o := range pass.PlanRoot.Outputs {
				if o.Labels[0] == name {
					block = o
				}
			}
		}
		if block != nil && (secretStaticTrue(block, "sensitive") || secretStaticTrue(block, "ephemeral")) {
			continue
		}
		hits := secrets.ValueSecrets(name, secrets.JSONToCty(ch.After), hcl.Range{})
		if len(hits) == 0 {
			continue
		}
		loc := planConfigLoc(pass, block, "output_changes", name)
		pass.ReportPlan(&eval.PlanResource{Address: "output." + name, Loc: loc}, "sensitive", analyzer.Finding{
			Message: "its value is " + secretHitWhat(name, hits[0]) + " but the output is not marked `sensitive = true`; add `sensitive = true` to it",
			Secret:  true,
		})
	}
	return nil
}

// secretHitWhat says what was found, and where inside the value when it is
// nested ("a password at `db.password`"). It never includes the value.
func secretHitWhat(name string, h secrets.SecretHit) string {
	what := h.Kind
	if h.Path != "" && h.Path != name {
		what += " at `" + h.Path + "`"
	}
	if h.Signal == secrets.ByShape {
		return what + " (recognised by its shape)"
	}
	return what + " (under the name `" + h.Name + "`, not a placeholder or a reference)"
}

// planConfigLoc is where a finding about a root variable or output goes:
// its block (the `sensitive` argument when there is one) when the
// configuration is known, else its entry in the plan JSON.
func planConfigLoc(pass *analyzer.Pass, block *model.Block, section, name string) model.Located {
	if block == nil {
		return model.Located{Range: pass.Plan.KeyLocation(section, name)}
	}
	rng := block.DefRange
	if a := block.Attr("sensitive"); a != nil {
		rng = a.Range
	}
	return model.Located{Range: rng, Module: block.Module, Block: block}
}

// planOutputSensitive reports an output the plan marks sensitive: by
// after_sensitive (format 0.2 and later; any sensitive part counts), the
// planned output, or its configuration.
func planOutputSensitive(plan *tfplan.Plan, cfg *tfjson.ConfigModule, name string, ch *tfjson.Change) bool {
	if eval.PlanAnySensitive(ch.AfterSensitive) {
		return true
	}
	if pv := plan.JSON.PlannedValues; pv != nil && pv.Outputs[name] != nil && pv.Outputs[name].Sensitive {
		return true
	}
	return cfg != nil && cfg.Outputs[name] != nil && cfg.Outputs[name].Sensitive
}
