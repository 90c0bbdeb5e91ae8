package eval

import (
	"strings"
	"testing"
)

// TestSensitiveValues: what the configuration derives from a sensitive
// variable, or from a secret-named one that holds a secret, is recorded
// for redaction where it leaves the evaluator (a local here); a
// secret-named variable that holds the name of a secret is not; and
// issensitive() sees only Terraform's own sensitivity.
func TestSensitiveValues(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"r/main.tf": `variable "label" {
  sensitive = true
}
variable "db_password" {}
variable "vault_path_token" {}

locals {
  derived   = "b-${var.label}"
  upper     = upper(var.db_password)
  name      = upper(var.vault_path_token)
  plain     = "public-value"
  sens      = issensitive(var.label)
  named     = issensitive(var.db_password)
}
`,
		"r/terraform.tfvars": `label            = "Qm9xV7tL2pZ8"
db_password      = "Hx3kP9wQ2mZt7"
vault_path_token = "prod-db-token-name"
`,
	})
	_, r := loadTree(t, dir, "r")
	in := instance(t, r, "r", "")
	for name, want := range map[string]string{"sens": "true", "named": "false"} {
		if v, _ := in.local(name); jsonOf(v) != want {
			t.Errorf("local.%s = %s, want %s", name, jsonOf(v), want)
		}
	}
	got := strings.Join(r.SensitiveValues(), "\n")
	for _, want := range []string{"b-Qm9xV7tL2pZ8", "HX3KP9WQ2MZT7"} {
		if !strings.Contains(got, want) {
			t.Errorf("%q not recorded in:\n%s", want, got)
		}
	}
	for _, not := range []string{"PROD-DB-TOKEN-NAME", "public-value"} {
		if strings.Contains(got, not) {
			t.Errorf("%q recorded:\n%s", not, got)
		}
	}
}
