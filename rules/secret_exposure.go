package rules

import (
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/tfgate/tfgate/analyzer/eval"
	"github.com/tfgate/tfgate/analyzer/model"
	"github.com/tfgate/tfgate/analyzer/secrets"
	"github.com/zclconf/go-cty/cty"
)

// What secret-not-sensitive judges a secret: variables whose name and type
// say they hold one, and the references an output's value is built from
// (followed through locals and local module outputs with eval.Flow).

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
	// byMarkOnly: the output's own name says it holds where a secret is
	// kept (master_password_ssm_key, datadog_api_key_location), so names
	// on the way do not make its value a secret; only what Terraform marks
	// sensitive (a sensitive variable or output, a sensitive provider
	// attribute) does, as Terraform itself refuses to output those.
	byMarkOnly bool
}

// secretHidingFuncs return something about their argument without
// revealing it (a length, a digest, a test), or declassify it explicitly.
var secretHidingFuncs = map[string]bool{
	"length": true, "sha1": true, "sha256": true, "sha512": true, "md5": true, "bcrypt": true,
	"base64sha256": true, "base64sha512": true, "can": true, "nonsensitive": true, "ephemeralasnull": true,
	"issensitive": true, "keys": true, "contains": true, "startswith": true, "endswith": true, "strcontains": true,
	"type": true,
}

// secretFlow follows values the way a secret travels: not through the
// functions of secretHidingFuncs, and through a `for` expression's value
// variable unless only a field that is not the secret is used (v.id, v.arn).
var secretFlow = eval.FlowOptions{
	Opaque: secretHidingFuncs,
	Carries: func(field hcl.Traversal) bool {
		return secretLastNameClass(secretSteps(field)) != secrets.NameNotSecret
	},
}

// exposes returns the first secret the expression reveals, as "`ref`", or "".
func (x *secretExposure) exposes(e hcl.Expression) string {
	for _, tr := range eval.Flow(e, secretFlow) {
		if what := x.traversal(tr); what != "" {
			return what
		}
	}
	return ""
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
		if x.byMarkOnly {
			return ""
		}
		// The variable as a whole is a secret when secret-not-sensitive
		// would say so of its declaration: not when its type, description
		// or default say it holds where the secret is kept.
		if secretLastNameSecret(steps) && (len(steps) > 1 || secretVarHoldsSecret(v) && !secretVarHoldsReference(v)) {
			return ref
		}
	case "local":
		if len(steps) == 0 {
			return ""
		}
		// A singular secret name (local.db_password) is the author's word;
		// a plural one (local.secrets) may be a collection of secret
		// resources, so what it is built from decides.
		// A plural key (local.iam_statements.ReadDbSecrets, a list of
		// policy statements) is judged by what it is built from.
		if len(steps) > 1 {
			switch secretLastNameClass(steps[1:]) {
			case secrets.NameSecret:
				if !x.byMarkOnly && !secrets.SecretCollectionName(secretLastNamed(steps[1:])) {
					return ref
				}
			case secrets.NameNotSecret:
				return "" // local.db.username
			}
		}
		if !x.byMarkOnly && secrets.SecretName(steps[0]) && !secrets.SecretCollectionName(steps[0]) {
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
				if len(steps) > 2 && !x.byMarkOnly && secretLastNameSecret(steps[2:]) {
					return ref
				}
				child := &secretExposure{m: c.Target, seenLocal: map[string]bool{}, byMarkOnly: x.byMarkOnly}
				if a := o.Attr("value"); a != nil && child.exposes(a.Expr) != "" {
					return ref
				}
				return ""
			}
			return ""
		}
		if !x.byMarkOnly && secretLastNameSecret(steps[1:]) {
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
		if secretResourceAttr(typ, steps[2:], x.byMarkOnly) {
			return ref
		}
	default:
		if !x.isResourceType(root) || len(steps) < 1 {
			return ""
		}
		if secretResourceAttr(root, steps[1:], x.byMarkOnly) {
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
// what the provider marks sensitive; byMarkOnly, only by the latter.
func secretResourceAttr(typ string, attrs []string, byMarkOnly bool) bool {
	if d, ok := secretDescriptorAttrs[typ]; ok && len(attrs) > 0 && attrs[len(attrs)-1] == d {
		return false
	}
	switch secretLastNameClass(attrs) {
	case secrets.NameSecret:
		if !byMarkOnly {
			return true
		}
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

// secretLastNamed is the name secretLastNameClass decides by, or "".
func secretLastNamed(names []string) string {
	for i := len(names) - 1; i >= 0; i-- {
		if c, _ := secrets.ClassifyName(names[i]); c != secrets.NameNeutral {
			return names[i]
		}
	}
	return ""
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
