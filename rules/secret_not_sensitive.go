package rules

import (
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	tfjson "github.com/hashicorp/terraform-json"
	"github.com/tfgate/tfgate/analyzer"
	"github.com/tfgate/tfgate/analyzer/eval"
	"github.com/tfgate/tfgate/analyzer/model"
	"github.com/tfgate/tfgate/analyzer/secrets"
	"github.com/tfgate/tfgate/analyzer/tfplan"
	"github.com/zclconf/go-cty/cty"
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

// secretSensitiveAttrs lists attributes that providers mark sensitive but
// whose names do not say so; "" stands for the whole object.
var secretSensitiveAttrs = map[string][]string{
	"random_password":                 {"result", "bcrypt_hash"},
	"aws_ssm_parameter":               {"value", "insecure_value"},
	"data.aws_ssm_parameter":          {"value"},
	"data.aws_ssm_parameters_by_path": {"values"},
	"data.aws_kms_secrets":            {"plaintext"},
	"data.aws_kms_secret":             {"plaintext"},
	"azurerm_key_vault_secret":        {"value"},
	"data.azurerm_key_vault_secret":   {"value"},
	"vault_generic_secret":            {"data", "data_json"},
	"data.vault_generic_secret":       {"data", "data_json"},
	"data.vault_kv_secret_v2":         {"data", "data_json"},
	"kubernetes_secret":               {"data", "binary_data"},
	"kubernetes_secret_v1":            {"data", "binary_data"},
	"data.kubernetes_secret":          {"data", "binary_data"},
	"data.kubernetes_secret_v1":       {"data", "binary_data"},
	"google_service_account_key":      {"private_key"},
}

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
			ex := &secretExposure{m: m, seenLocal: map[string]bool{}}
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
				Message:   "output `" + o.Labels[0] + "` exposes " + what + " but is not marked `sensitive = true`",
				Module:    m.Dir,
				Address:   o.Address(),
				Attribute: "sensitive",
				Secret:    true,
			})
		}
	}
	return nil
}

// secretVarHoldsSecret decides whether a secret-named variable holds secret
// values, by its type: not a bool or number; an object (or collection of
// objects) only when one of its fields is secret-named (db_credentials =
// object({ username, password })), not when it configures something about
// secrets. A plural name (azuread_service_principal_passwords) may be a map
// of settings: without a type or default that says strings or secret
// fields, it is not reported.
func secretVarHoldsSecret(v *model.Block) bool {
	if a := v.Attr("default"); a != nil {
		if dv, d := a.Expr.Value(nil); !d.HasErrors() && dv.IsKnown() && !dv.IsNull() && (dv.Type() == cty.Bool || dv.Type() == cty.Number) {
			return false
		}
	}
	t := cty.DynamicPseudoType
	if a := v.Attr("type"); a != nil {
		if tc, d := typeexpr.TypeConstraint(a.Expr); !d.HasErrors() {
			t = tc
		}
	} else if a := v.Attr("default"); a != nil {
		// Without a type, the default's shape tells: "" is a string,
		// {} a map of settings.
		if dv, d := a.Expr.Value(nil); !d.HasErrors() && dv.IsWhollyKnown() && !dv.IsNull() {
			t = dv.Type()
		}
	}
	holds, decided := secretTypeHoldsSecret(t)
	if decided {
		return holds
	}
	return !secrets.SecretCollectionName(v.Labels[0])
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

// secretTypeHoldsSecret says whether values of a type can be secrets;
// decided is false for `any`.
func secretTypeHoldsSecret(t cty.Type) (holds, decided bool) {
	switch {
	case t == cty.DynamicPseudoType:
		return false, false
	case t == cty.String:
		return true, true
	case t.IsPrimitiveType():
		return false, true
	case t.IsMapType() || t.IsListType() || t.IsSetType():
		return secretTypeHoldsSecret(t.ElementType())
	case t.IsTupleType():
		for _, et := range t.TupleElementTypes() {
			if h, d := secretTypeHoldsSecret(et); h || !d {
				return h, d
			}
		}
		return false, len(t.TupleElementTypes()) > 0
	case t.IsObjectType():
		attrs := t.AttributeTypes()
		// { secret = string, version = string } refers to a secret kept in
		// a secret manager.
		_, ref := attrs["version"]
		if _, ok := attrs["versions"]; ok {
			ref = true
		}
		for name, at := range attrs {
			if secrets.SecretName(name) && !ref {
				if h, d := secretTypeHoldsSecret(at); h || !d {
					return true, true
				}
			}
			// Nested objects decide by their own fields.
			for at.IsMapType() || at.IsListType() || at.IsSetType() {
				at = at.ElementType()
			}
			if at.IsObjectType() {
				if h, _ := secretTypeHoldsSecret(at); h {
					return true, true
				}
			}
		}
		return false, true
	}
	return false, false
}

// secretExposure finds what an output value reveals.
type secretExposure struct {
	m         *model.Module
	seenLocal map[string]bool
}

// secretHidingFuncs return something about their argument without
// revealing it (a length, a digest, a test), or declassify it explicitly.
var secretHidingFuncs = map[string]bool{
	"length": true, "sha1": true, "sha256": true, "sha512": true, "md5": true, "bcrypt": true,
	"base64sha256": true, "base64sha512": true, "can": true, "nonsensitive": true, "ephemeralasnull": true,
	"issensitive": true, "keys": true, "contains": true, "startswith": true, "endswith": true, "strcontains": true,
	"type": true,
}

// exposes returns the first secret the expression reveals, as "`ref`", or "".
func (x *secretExposure) exposes(e hcl.Expression) string {
	for _, tr := range secretRefs(e) {
		if what := x.traversal(tr); what != "" {
			return what
		}
	}
	return ""
}

// secretRefs returns the references whose values flow into the result of
// an expression: not those only measured, hashed or compared.
func secretRefs(e hcl.Expression) []hcl.Traversal {
	if tr, ok := secretPath(e); ok {
		return []hcl.Traversal{tr}
	}
	switch x := e.(type) {
	case *hclsyntax.RelativeTraversalExpr:
		return secretRefs(x.Source)
	case *hclsyntax.SplatExpr:
		return secretRefs(x.Source)
	case *hclsyntax.FunctionCallExpr:
		if secretHidingFuncs[x.Name] {
			return nil
		}
		var out []hcl.Traversal
		for _, a := range x.Args {
			out = append(out, secretRefs(a)...)
		}
		return out
	case *hclsyntax.BinaryOpExpr:
		switch x.Op {
		case hclsyntax.OpEqual, hclsyntax.OpNotEqual, hclsyntax.OpLessThan, hclsyntax.OpLessThanOrEqual,
			hclsyntax.OpGreaterThan, hclsyntax.OpGreaterThanOrEqual, hclsyntax.OpLogicalAnd, hclsyntax.OpLogicalOr:
			return nil
		}
		return append(secretRefs(x.LHS), secretRefs(x.RHS)...)
	case *hclsyntax.UnaryOpExpr:
		if x.Op == hclsyntax.OpLogicalNot {
			return nil
		}
		return secretRefs(x.Val)
	case *hclsyntax.ConditionalExpr:
		return append(secretRefs(x.TrueResult), secretRefs(x.FalseResult)...)
	case *hclsyntax.ParenthesesExpr:
		return secretRefs(x.Expression)
	case *hclsyntax.TemplateExpr:
		var out []hcl.Traversal
		for _, p := range x.Parts {
			out = append(out, secretRefs(p)...)
		}
		return out
	case *hclsyntax.TemplateWrapExpr:
		return secretRefs(x.Wrapped)
	case *hclsyntax.TemplateJoinExpr:
		return secretRefs(x.Tuple)
	case *hclsyntax.TupleConsExpr:
		var out []hcl.Traversal
		for _, el := range x.Exprs {
			out = append(out, secretRefs(el)...)
		}
		return out
	case *hclsyntax.ObjectConsExpr:
		var out []hcl.Traversal
		for _, it := range x.Items {
			out = append(out, secretRefs(it.ValueExpr)...)
		}
		return out
	case *hclsyntax.IndexExpr:
		return secretRefs(x.Collection)
	case *hclsyntax.ForExpr:
		// The collection's values flow out only through the value
		// variable; its keys (names, indexes) are not secrets.
		out := secretRefs(x.ValExpr)
		if x.KeyExpr != nil {
			out = append(out, secretRefs(x.KeyExpr)...)
		}
		var rest []hcl.Traversal
		iter := false
		for _, tr := range out {
			switch tr.RootName() {
			case x.ValVar:
				// v.id, v.arn: a field that is not the secret.
				if secretLastNameClass(secretSteps(tr[1:])) != secrets.NameNotSecret {
					iter = true
				}
				continue
			case x.KeyVar:
				continue
			}
			rest = append(rest, tr)
		}
		if iter {
			rest = append(rest, secretRefs(x.CollExpr)...)
		}
		return rest
	case *hclsyntax.LiteralValueExpr:
		return nil
	}
	// JSON syntax and anything else: every reference counts.
	return e.Variables()
}

// secretPath turns a reference written with dynamic indexes or splats
// (aws_key_vault_secret.x[local.k].id, aws_db_instance.x[*].password) into
// one traversal; index keys that are not literals become unknown.
func secretPath(e hcl.Expression) (hcl.Traversal, bool) {
	switch x := e.(type) {
	case *hclsyntax.ScopeTraversalExpr:
		return x.Traversal, true
	case *hclsyntax.RelativeTraversalExpr:
		if src, ok := secretPath(x.Source); ok {
			return append(append(hcl.Traversal{}, src...), x.Traversal...), true
		}
	case *hclsyntax.IndexExpr:
		if src, ok := secretPath(x.Collection); ok {
			key := cty.DynamicVal
			if v, d := x.Key.Value(nil); !d.HasErrors() {
				key = v
			}
			return append(append(hcl.Traversal{}, src...), hcl.TraverseIndex{Key: key}), true
		}
	case *hclsyntax.SplatExpr:
		if src, ok := secretPath(x.Source); ok {
			out := append(append(hcl.Traversal{}, src...), hcl.TraverseSplat{})
			if each, ok := x.Each.(*hclsyntax.RelativeTraversalExpr); ok {
				if _, anon := each.Source.(*hclsyntax.AnonSymbolExpr); anon {
					out = append(out, each.Traversal...)
				}
			}
			return out, true
		}
	}
	return nil, false
}

// traversal returns "`ref`" when the reference is a secret.
func (x *secretExposure) traversal(tr hcl.Traversal) string {
	root := tr.RootName()
	steps := secretSteps(tr[1:])
	ref := "`" + secretRefString(tr) + "`"
	switch root {
	case "var":
		if len(steps) == 0 {
			return ""
		}
		v := x.m.Variable(steps[0])
		if v == nil {
			return ""
		}
		if secretStaticTrue(v, "sensitive") {
			return "sensitive " + ref
		}
		if secretLastNameSecret(steps) {
			return ref
		}
	case "local":
		if len(steps) == 0 {
			return ""
		}
		// A singular secret name (local.db_password) is the author's word;
		// a plural one (local.secrets) may be a collection of secret
		// resources, so what it is built from decides.
		if len(steps) > 1 {
			switch secretLastNameClass(steps[1:]) {
			case secrets.NameSecret:
				return ref
			case secrets.NameNotSecret:
				return "" // local.db.username
			}
		}
		if secrets.SecretName(steps[0]) && !secrets.SecretCollectionName(steps[0]) {
			return ref
		}
		// Otherwise what the local is built from decides, whatever its
		// name: local.db_url may embed var.db_password.
		if x.seenLocal[steps[0]] {
			return ""
		}
		x.seenLocal[steps[0]] = true
		for _, l := range x.m.Locals {
			if l.Name == steps[0] {
				if what := x.exposes(l.Attr.Expr); what != "" {
					return what + " through " + ref
				}
			}
		}
	case "module":
		if len(steps) < 2 {
			return ""
		}
		// A local module's output is judged by its declaration and value;
		// a remote one by its name.
		for _, c := range x.m.ModuleCalls {
			if c.Name != steps[0] || c.Target == nil {
				continue
			}
			for _, o := range c.Target.Outputs {
				if o.Labels[0] != steps[1] {
					continue
				}
				if secretStaticTrue(o, "sensitive") {
					return "sensitive " + ref
				}
				if len(steps) > 2 && secretLastNameClass(steps[2:]) == secrets.NameNotSecret {
					return ""
				}
				if len(steps) > 2 && secretLastNameSecret(steps[2:]) {
					return ref
				}
				child := &secretExposure{m: c.Target, seenLocal: map[string]bool{}}
				if a := o.Attr("value"); a != nil && child.exposes(a.Expr) != "" {
					return ref
				}
				return ""
			}
			return ""
		}
		if secretLastNameSecret(steps[1:]) {
			return ref
		}
	case "data", "ephemeral":
		if len(steps) < 2 {
			return ""
		}
		typ := steps[0]
		if root == "data" {
			typ = "data." + typ
		}
		if secretResourceAttr(typ, steps[2:]) {
			return ref
		}
	default:
		if !x.isResourceType(root) || len(steps) < 1 {
			return ""
		}
		if secretResourceAttr(root, steps[1:]) {
			return ref
		}
	}
	return ""
}

func (x *secretExposure) isResourceType(t string) bool {
	for _, r := range x.m.Resources {
		if r.Type == "resource" && r.Labels[0] == t {
			return true
		}
	}
	return false
}

// secretDescriptorAttrs are secret-named attributes that describe where a
// secret is kept (its ARN, KMS key and status), not the secret.
var secretDescriptorAttrs = map[string]string{
	"aws_db_instance":      "master_user_secret",
	"aws_rds_cluster":      "master_user_secret",
	"aws_docdb_cluster":    "master_user_secret",
	"aws_redshift_cluster": "master_password_secret",
}

// secretResourceAttr reports whether an attribute path of a resource or
// data source is a secret: by the most specific name on the path, else by
// what the provider marks sensitive.
func secretResourceAttr(typ string, attrs []string) bool {
	if d, ok := secretDescriptorAttrs[typ]; ok && len(attrs) > 0 && attrs[len(attrs)-1] == d {
		return false
	}
	switch secretLastNameClass(attrs) {
	case secrets.NameSecret:
		return true
	case secrets.NameNotSecret:
		return false
	}
	sens, ok := secretSensitiveAttrs[typ]
	if !ok {
		return false
	}
	if len(attrs) == 0 {
		return true // the whole object, sensitive attributes included
	}
	for _, s := range sens {
		if attrs[0] == s {
			return true
		}
	}
	return false
}

// secretLastNameClass classifies a path by its most specific name that says
// something: data.password is secret, master_user_secret.secret_arn is not.
func secretLastNameClass(names []string) secrets.NameClass {
	for i := len(names) - 1; i >= 0; i-- {
		if c, _ := secrets.ClassifyName(names[i]); c != secrets.NameNeutral {
			return c
		}
	}
	return secrets.NameNeutral
}

func secretLastNameSecret(names []string) bool {
	return secretLastNameClass(names) == secrets.NameSecret
}

// secretSteps returns the names on a traversal: attributes and string keys.
func secretSteps(tr hcl.Traversal) []string {
	var out []string
	for _, s := range tr {
		switch t := s.(type) {
		case hcl.TraverseAttr:
			out = append(out, t.Name)
		case hcl.TraverseIndex:
			if t.Key.IsKnown() && !t.Key.IsNull() && t.Key.Type() == cty.String {
				out = append(out, t.Key.AsString())
			}
		}
	}
	return out
}

// secretRefString renders a reference for messages: aws_db_instance.main.password,
// var.passwords["admin"], aws_instance.web[0].password_data.
func secretRefString(tr hcl.Traversal) string {
	var b strings.Builder
	for _, s := range tr {
		switch t := s.(type) {
		case hcl.TraverseRoot:
			b.WriteString(t.Name)
		case hcl.TraverseAttr:
			b.WriteString("." + t.Name)
		case hcl.TraverseIndex:
			switch {
			case !t.Key.IsKnown() || t.Key.IsNull():
				b.WriteString("[…]")
			case t.Key.Type() == cty.String:
				b.WriteString("[" + strconv.Quote(t.Key.AsString()) + "]")
			case t.Key.Type() == cty.Number:
				b.WriteString("[" + t.Key.AsBigFloat().Text('f', -1) + "]")
			default:
				b.WriteString("[…]")
			}
		case hcl.TraverseSplat:
			b.WriteString("[*]")
		}
	}
	return b.String()
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
			Message: "its value is " + secretHitWhat(name, hits[0]) + " but the variable is not marked `sensitive = true`",
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
			Message: "its value is " + secretHitWhat(name, hits[0]) + " but the output is not marked `sensitive = true`",
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
		return model.Located{Range: pass.Plan.KeyRange(section, name)}
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
