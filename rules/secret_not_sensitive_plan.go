package rules

import (
	"github.com/hashicorp/hcl/v2"
	tfjson "github.com/hashicorp/terraform-json"

	"github.com/tfgate/tfgate/analyzer"
)

// The plan side of secret-not-sensitive: a plan holds the real values of
// root variables and outputs (from -var, tfvars, data sources), so it shows
// which secret-named variables really carry a credential and which outputs
// really carry one, whatever their expressions look like.
func init() {
	SecretNotSensitive.Plan = planSecretNotSensitive
}

func planSecretNotSensitive(pass *analyzer.Pass) error {
	plan := pass.Plan
	var cfg *tfjson.ConfigModule
	if plan.JSON.Config != nil {
		cfg = plan.JSON.Config.RootModule
	}
	for _, name := range analyzer.SortedKeys(plan.JSON.Variables) {
		pv := plan.JSON.Variables[name]
		if pv == nil || pv.Value == nil {
			continue
		}
		// Only a name that says "secret" makes a variable one: a plain
		// value that merely looks random is left to secret-hardcoded.
		if class, _ := analyzer.ClassifyName(name); class != analyzer.NameSecret {
			continue
		}
		if cfg != nil && cfg.Variables[name] != nil && cfg.Variables[name].Sensitive {
			continue
		}
		var block *analyzer.Block
		if pass.PlanRoot != nil {
			block = pass.PlanRoot.Variable(name)
		}
		if block != nil && (planStaticTrue(block, "sensitive") || planStaticTrue(block, "ephemeral")) {
			continue
		}
		hits := analyzer.ValueSecrets(name, analyzer.JSONToCty(pv.Value), hcl.Range{})
		if len(hits) == 0 {
			continue
		}
		loc := planConfigLoc(pass, block, "variables", name)
		pass.ReportPlan(&analyzer.PlanResource{Address: "var." + name, Loc: loc}, "sensitive", analyzer.Finding{
			Message: "its value is " + secretHitWhat(name, hits[0]) + " but the variable is not marked `sensitive = true`",
			Secret:  true,
		})
	}
	for _, name := range analyzer.SortedKeys(plan.JSON.OutputChanges) {
		ch := plan.JSON.OutputChanges[name]
		if ch == nil || ch.After == nil || planOutputSensitive(plan, cfg, name, ch) {
			continue
		}
		if u, ok := ch.AfterUnknown.(bool); ok && u {
			continue
		}
		var block *analyzer.Block
		if pass.PlanRoot != nil {
			for _, o := range pass.PlanRoot.Outputs {
				if o.Labels[0] == name {
					block = o
				}
			}
		}
		if block != nil && (planStaticTrue(block, "sensitive") || planStaticTrue(block, "ephemeral")) {
			continue
		}
		hits := analyzer.ValueSecrets(name, analyzer.JSONToCty(ch.After), hcl.Range{})
		if len(hits) == 0 {
			continue
		}
		loc := planConfigLoc(pass, block, "output_changes", name)
		pass.ReportPlan(&analyzer.PlanResource{Address: "output." + name, Loc: loc}, "sensitive", analyzer.Finding{
			Message: "its value is " + secretHitWhat(name, hits[0]) + " but the output is not marked `sensitive = true`",
			Secret:  true,
		})
	}
	return nil
}

// secretHitWhat says what was found, and where inside the value when it is
// nested ("a password at `db.password`"). It never includes the value.
func secretHitWhat(name string, h analyzer.SecretHit) string {
	if h.Path == "" || h.Path == name {
		return h.Kind
	}
	return h.Kind + " at `" + h.Path + "`"
}

// planConfigLoc is where a finding about a root variable or output goes:
// its block (the `sensitive` argument when there is one) when the
// configuration is known, else its entry in the plan JSON.
func planConfigLoc(pass *analyzer.Pass, block *analyzer.Block, section, name string) analyzer.Located {
	if block == nil {
		return analyzer.Located{Range: pass.Plan.KeyRange(section, name)}
	}
	rng := block.DefRange
	if a := block.Attr("sensitive"); a != nil {
		rng = a.Range
	}
	return analyzer.Located{Range: rng, Module: block.Module, Block: block}
}

// planOutputSensitive reports an output the plan marks sensitive: by
// after_sensitive (format 0.2 and later; any sensitive part counts), the
// planned output, or its configuration.
func planOutputSensitive(plan *analyzer.Plan, cfg *tfjson.ConfigModule, name string, ch *tfjson.Change) bool {
	if planAnySensitive(ch.AfterSensitive) {
		return true
	}
	if pv := plan.JSON.PlannedValues; pv != nil && pv.Outputs[name] != nil && pv.Outputs[name].Sensitive {
		return true
	}
	return cfg != nil && cfg.Outputs[name] != nil && cfg.Outputs[name].Sensitive
}

func planAnySensitive(v any) bool {
	switch t := v.(type) {
	case bool:
		return t
	case map[string]any:
		for _, e := range t {
			if planAnySensitive(e) {
				return true
			}
		}
	case []any:
		for _, e := range t {
			if planAnySensitive(e) {
				return true
			}
		}
	}
	return false
}

// planStaticTrue reports an argument set to a literal true.
func planStaticTrue(b *analyzer.Block, name string) bool {
	a := b.Attr(name)
	if a == nil {
		return false
	}
	v, d := a.Expr.Value(nil)
	if d.HasErrors() {
		return false
	}
	t, ok := analyzer.KnownBool(v)
	return ok && t
}
