package rules

import "github.com/tfgate/tfgate/analyzer"

// DriftDetected is the rule under which `tfgate drift` reports resources
// changed or deleted outside Terraform. Its findings come from a
// refresh-only plan (package analyzer/drift), not from the source: `tfgate
// lint` never reports it.
var driftDetected = register(&analyzer.Rule{
	ID:       "drift-detected",
	Family:   analyzer.FamilyDrift,
	Severity: analyzer.Error,
	Command:  "tfgate drift",
	Doc: analyzer.Doc{
		Title: "Infrastructure matches its Terraform state",
		Why: "Drift is a change made outside Terraform: a console edit, a script, another tool, or an object " +
			"deleted by hand. The next `terraform apply` silently reverts the change (or recreates the object), " +
			"and until then the code no longer describes what runs in production.\n\n" +
			"`tfgate drift` runs a refresh-only plan (`terraform plan -refresh-only`, read-only: it never " +
			"applies and never writes state) in each root module and reports every resource instance whose real " +
			"object differs from the state: `update` names the attributes that changed (values are shown only " +
			"when they are short, not sensitive and not under a secret-like name), `delete` means the object was " +
			"removed outside Terraform. Each finding points at the resource block (through local module calls) " +
			"and names the address and the workspace.\n\n" +
			"Attributes listed in the block's `lifecycle { ignore_changes = [...] }` are expected to drift and do " +
			"not count. See [docs/drift.md](../drift.md) for scheduling, sharding and ignores.",
		Fix: "Decide which side is right. If the change outside Terraform was wanted, put it in the code " +
			"(or import the new object) so that the next plan is empty; if it was not, run `terraform apply` to " +
			"revert it. An attribute that legitimately changes on its own (an autoscaling group's " +
			"`desired_capacity`) belongs in `lifecycle { ignore_changes }` or in a `drift` ignore in " +
			"`.tfgate.hcl`, with a reason and an expiry date.",
		Bad: `resource "aws_autoscaling_group" "web" {
  min_size         = 2
  max_size         = 10
  desired_capacity = 2 # the autoscaler changes it: drift on every check
}`,
		Good: `resource "aws_autoscaling_group" "web" {
  min_size         = 2
  max_size         = 10
  desired_capacity = 2

  lifecycle {
    # The autoscaler owns it: its drift is expected.
    ignore_changes = [desired_capacity]
  }
}`,
	},
})
