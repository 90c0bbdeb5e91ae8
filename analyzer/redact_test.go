package analyzer_test

import (
	"strings"
	"testing"

	"github.com/tfgate/tfgate/analyzer"
)

// TestRedaction runs the bucket rule (it prints the evaluated bucket
// argument) on values that are secret by where they come from, and on
// values that are not: the one redaction point hides the first kind in
// every field of the findings, and leaves the second alone.
func TestRedaction(t *testing.T) {
	dir := write(t, map[string]string{
		"main.tf": `
variable "label" {
  type      = string
  sensitive = true
}
variable "db_password" {
  type = string
}
variable "vault_path_token" {
  default = "prod-db-token-name" # the name of where a secret lives
}
variable "config" {}

locals {
  lines  = split("\n", trimspace(file("${path.module}/ci.env")))
  region = jsondecode(file("${path.module}/settings.json")).region
}

resource "aws_s3_bucket" "sensitive" {
  bucket = "b-${var.label}"
}
resource "aws_s3_bucket" "named" {
  bucket = var.db_password
}
resource "aws_s3_bucket" "shaped" {
  bucket = var.config
}
resource "aws_s3_bucket" "keyed" {
  for_each = toset(local.lines)
  bucket   = "k-${each.key}"
}
resource "aws_s3_bucket" "child" {
  bucket = module.m.out
}
module "m" {
  source = "./m"
  value  = local.lines[0]
}
resource "aws_s3_bucket" "public" {
  bucket = local.region
}
resource "aws_s3_bucket" "secret_name" {
  bucket = var.vault_path_token
}
resource "aws_s3_bucket" "direct" {
  bucket = upper(trimspace(file("${path.module}/ci.env")))
}
resource "aws_s3_bucket" "derived" {
  bucket = lower(base64encode(var.label))
}
`,
		"m/main.tf": `
variable "value" {}
resource "aws_s3_bucket" "from_call" {
  bucket = "c-${var.value}"
}
`,
		"terraform.tfvars": `label = "Qm9xV7tL2pZ8"
db_password = "Hx3!kP9#wQ2m"
config = "AKIAQ3EGRXMPL7TFGATE"
`,
		"ci.env":        "MY_CI_TOKEN=ghs_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1x\n",
		"settings.json": `{"region": "eu-west-1"}`,
		"use.tf":        "locals {\n  where = \"eu-west-1\"\n}\n",
	})
	res := lint(t, dir, analyzer.Options{})
	out := strings.Join(lines(res), "\n")
	// A file's value read in a rule's attribute, derived there (upper):
	// the evaluations rules make count too.
	for _, leak := range []string{"Qm9xV7tL2pZ8", "Hx3!kP9#wQ2m", "AKIAQ3EGRXMPL7TFGATE", "MY_CI_TOKEN", "ghs_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1x", "GHS_AB3DE5FG7HJ9KL1MN3PQ5RS7TU9VW1X", "uw05efy3dewycfo4"} {
		if strings.Contains(out, leak) {
			t.Errorf("findings show %q:\n%s", leak, out)
		}
	}
	for _, want := range []string{
		"main.tf:19 error test-bucket bucket <redacted>", // derived from a sensitive variable: all of "b-${var.label}", as Terraform marks it
		"main.tf:48 error test-bucket bucket <redacted>", // lower(base64encode(var.label)): derived too
		"bucket <redacted>",               // a secret-named variable's, and a tfvars credential
		"bucket k-<redacted>",             // file() lines as for_each keys
		"bucket <redacted> (via module.m", // ... passed to a module (the whole value derives from the file)
		"bucket eu-west-1",                // spelled in the configuration
		"bucket prod-db-token-name",       // the name of a secret
	} {
		if !strings.Contains(out, want) {
			t.Errorf("findings lack %q:\n%s", want, out)
		}
	}
	// Reporters redact what they quote through Result.Redact.
	if got := res.Redact("x Qm9xV7tL2pZ8 y"); got != "x <redacted> y" {
		t.Errorf("Redact = %q", got)
	}
}
