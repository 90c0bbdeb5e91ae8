package rules

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/zclconf/go-cty/cty"

	"github.com/tfgate/tfgate/analyzer"
	"github.com/tfgate/tfgate/analyzer/model"
)

// statefulTypes is the default list of resource types whose deletion loses
// data or identity that a new resource does not bring back: databases,
// buckets, disks and volumes, file systems, keys and secrets, DNS zones.
// Grouped for the docs; a `/regexp/` must match the whole type.
var statefulTypes = []struct {
	group string
	types []string
}{
	{"AWS databases and caches", []string{
		"aws_db_instance", "aws_rds_cluster", "aws_rds_global_cluster", "aws_dynamodb_table", "aws_dynamodb_global_table",
		"aws_docdb_cluster", "aws_neptune_cluster", "aws_redshift_cluster", "aws_redshiftserverless_namespace",
		"aws_elasticache_cluster", "aws_elasticache_replication_group", "aws_memorydb_cluster",
		"aws_opensearch_domain", "aws_elasticsearch_domain", "aws_timestreamwrite_table", "aws_keyspaces_table",
		"aws_qldb_ledger",
	}},
	{"AWS buckets, volumes, file systems and streams", []string{
		"aws_s3_bucket", "aws_ebs_volume", "aws_ebs_snapshot", "aws_efs_file_system", "/aws_fsx_.*_file_system/",
		"aws_backup_vault", "aws_glacier_vault", "aws_ecr_repository", "aws_kinesis_stream", "aws_msk_cluster",
	}},
	{"AWS keys, secrets and DNS", []string{
		"aws_kms_key", "aws_kms_external_key", "aws_kms_replica_key", "aws_secretsmanager_secret",
		"aws_route53_zone", "aws_acmpca_certificate_authority", "aws_cognito_user_pool",
	}},
	{"Google Cloud", []string{
		"google_sql_database_instance", "google_sql_database", "google_alloydb_cluster", "google_spanner_instance",
		"google_spanner_database", "google_bigtable_instance", "google_bigtable_table", "google_bigquery_dataset",
		"google_bigquery_table", "google_firestore_database", "google_redis_instance", "google_storage_bucket",
		"google_compute_disk", "google_compute_region_disk", "google_compute_snapshot", "google_filestore_instance",
		"google_artifact_registry_repository", "google_kms_key_ring", "google_kms_crypto_key",
		"google_secret_manager_secret", "google_dns_managed_zone", "google_pubsub_topic",
	}},
	{"Azure", []string{
		"azurerm_storage_account", "azurerm_storage_container", "azurerm_storage_share", "azurerm_managed_disk",
		"azurerm_snapshot", "azurerm_mssql_server", "azurerm_mssql_database", "azurerm_mssql_managed_instance",
		"azurerm_postgresql_server", "azurerm_postgresql_flexible_server", "azurerm_postgresql_flexible_server_database",
		"azurerm_mysql_flexible_server", "azurerm_mysql_flexible_database", "azurerm_cosmosdb_account",
		"azurerm_redis_cache", "azurerm_netapp_volume", "azurerm_data_lake_gen2_filesystem", "azurerm_key_vault",
		"azurerm_key_vault_key", "azurerm_key_vault_secret", "azurerm_dns_zone", "azurerm_private_dns_zone",
		"azurerm_container_registry", "azurerm_recovery_services_vault",
	}},
}

func defaultStatefulTypes() []string {
	var out []string
	for _, g := range statefulTypes {
		out = append(out, g.types...)
	}
	return out
}

func statefulTypesDoc() string {
	var b strings.Builder
	for _, g := range statefulTypes {
		fmt.Fprintf(&b, "- %s: ", g.group)
		for i, t := range g.types {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("`" + t + "`")
		}
		b.WriteString(";\n")
	}
	return strings.TrimSuffix(b.String(), ";\n") + ".\n"
}

// PlanDestructiveChange reports plans that delete or replace a stateful
// resource.
var planDestructiveChange = register(&analyzer.Rule{
	ID:       "plan-destructive-change",
	Family:   analyzer.FamilyPlan,
	Severity: analyzer.Warning,
	// --strict: every intended replacement needs a suppression with a reason.
	StrictSeverity: analyzer.Error,
	Doc: analyzer.Doc{
		Title: "Plans do not destroy or replace stateful resources",
		Why: "A replacement looks like an ordinary change in a long plan: one attribute that cannot be updated in " +
			"place (storage encryption, a bucket name, an availability zone) and Terraform deletes the database and " +
			"creates an empty one. Deleting a bucket, a disk or a KMS key loses data that no re-apply brings back; " +
			"deleting a DNS zone gives it new name servers that every registrar delegation still has to learn.\n\n" +
			"The rule reads a plan (`tfgate plan plan.json`, or `tfgate lint DIR --plan plan.json`) and reports " +
			"each resource instance of a stateful type that the plan deletes (`[\"delete\"]`) or replaces " +
			"(`[\"delete\", \"create\"]` or `[\"create\", \"delete\"]`), naming its address, the action, the " +
			"attributes that force a replacement (`replace_paths`) and the reason Terraform gives (the block was " +
			"removed, a `count` index or `for_each` key went away, the resource is tainted, `-replace` was " +
			"asked for). Removing a resource from state without destroying it (`removed { lifecycle { destroy = " +
			"false } }`, action `forget`) and cleaning up deposed objects are not reported. With the configuration " +
			"known, the finding points at the `resource` block (in a child module, naming the module call); without " +
			"it, at the resource's entry in the plan JSON.\n\n" +
			"The severity is a warning, so that the finding shows in review without blocking; `--strict` (or " +
			"`severity = \"error\"` in `.tfgate.hcl`) makes it an error, to require a suppression with a reason " +
			"for every intended replacement.\n\n" +
			"Stateful types by default (`types` replaces this list, `extra_types` adds to it):\n\n" +
			statefulTypesDoc(),
		Fix: "Find what forces the replacement in the message and avoid it: revert the attribute, use the " +
			"provider's in-place upgrade path (e.g. `allow_major_version_upgrade`), or move the resource with a " +
			"`moved` block instead of renaming it. Protect data that must survive with `lifecycle { " +
			"prevent_destroy = true }` and deletion protection. When the deletion is intended, suppress it with a " +
			"reason on the resource block (`# tfgate:ignore plan-destructive-change <why>`).",
		Bad: `# -var storage_encrypted=true on an unencrypted instance:
# "actions": ["delete", "create"], "replace_paths": [["storage_encrypted"]]
resource "aws_db_instance" "main" {
  identifier        = "orders"
  engine            = "postgres"
  storage_encrypted = var.storage_encrypted
}`,
		Good: `# Encrypt through a snapshot copy and restore you control, then point
# the configuration at the new instance; never let a plan replace it.
resource "aws_db_instance" "main" {
  identifier        = "orders"
  engine            = "postgres"
  storage_encrypted = true

  lifecycle {
    prevent_destroy = true
  }
}`,
	},
	Options: []analyzer.Option{
		{
			Name:     "types",
			Type:     cty.List(cty.String),
			Default:  cty.NullVal(cty.List(cty.String)),
			Doc:      "Resource types considered stateful, names or `/regexp/` patterns matching the whole type; unset: the built-in list of databases, buckets, disks, volumes, file systems, KMS keys and DNS zones in the rule's documentation.",
			Validate: validatePatterns,
		},
		{
			Name:     "extra_types",
			Type:     cty.List(cty.String),
			Default:  cty.ListValEmpty(cty.String),
			Doc:      "More stateful types, added to `types`, e.g. `[\"aws_ecs_cluster\", \"/mycorp_.*_store/\"]`.",
			Validate: validatePatterns,
		},
	},
	Plan: destructiveChanges,
})

// destroyReasons explains Terraform's action_reason for a deletion or a
// replacement.
var destroyReasons = map[tfjson.ActionReason]string{
	tfjson.ActionReasonDeleteBecauseNoResourceConfig: "its block is no longer in the configuration",
	tfjson.ActionReasonDeleteBecauseWrongRepetition:  "it switched between count, for_each and a single instance",
	tfjson.ActionReasonDeleteBecauseCountIndex:       "its count index is beyond the new count",
	tfjson.ActionReasonDeleteBecauseEachKey:          "its for_each key is gone",
	tfjson.ActionReasonDeleteBecauseNoModule:         "its module call is no longer in the configuration",
	tfjson.ActionReasonDeleteBecauseNoMoveTarget:     "the target of its moved block does not exist",
	tfjson.ActionReasonReplaceBecauseTainted:         "it is tainted",
	tfjson.ActionReasonReplaceByRequest:              "-replace asked for it",
	tfjson.ActionReasonReplaceByTriggers:             "replace_triggered_by fired",
}

func destructiveChanges(pass *analyzer.Pass) error {
	types := pass.StringsOption("types")
	if pass.Option("types").IsNull() {
		types = defaultStatefulTypes()
	}
	types = append(types, pass.StringsOption("extra_types")...)
	for _, r := range pass.PlanResources() {
		rc := r.Change
		if rc.Mode != tfjson.ManagedResourceMode || rc.DeposedKey != "" || rc.Change == nil {
			continue
		}
		if !model.MatchAny(rc.Type, types, false) {
			continue
		}
		acts := rc.Change.Actions
		var msg, attr string
		var why []string
		switch {
		case acts.Delete():
			msg = "would be destroyed"
		case acts.Replace():
			msg = "would be replaced"
			if paths := replacePaths(rc.Change.ReplacePaths); len(paths) > 0 {
				why = append(why, "forced by "+strings.Join(paths, ", "))
				attr = strings.Trim(paths[0], "`")
			}
		default:
			continue
		}
		if reason, ok := destroyReasons[rc.ActionReason]; ok {
			why = append(why, reason)
		}
		if len(why) > 0 {
			msg += " (" + strings.Join(why, "; ") + ")"
		}
		if acts.Delete() {
			msg += ", and its data with it; add a `moved` block if it was renamed, or `lifecycle { prevent_destroy = true }` to guard it"
		} else {
			msg += ": the new one starts without the old one's data; undo what forces it or migrate the data first"
		}
		msg += " (list the types that keep data in `types` in .tfgate.hcl if `" + rc.Type + "` does not)"
		pass.ReportPlan(r, attr, analyzer.Finding{Message: msg})
	}
	return nil
}

// replacePaths renders replace_paths as attribute paths: `engine_version`,
// `settings[0].tier`, `tags["team"]`.
func replacePaths(raw []interface{}) []string {
	var out []string
	seen := map[string]bool{}
	for _, p := range raw {
		steps, ok := p.([]interface{})
		if !ok || len(steps) == 0 {
			continue
		}
		var b strings.Builder
		for i, s := range steps {
			switch x := s.(type) {
			case string:
				if i == 0 {
					b.WriteString(x)
				} else if identKeyPattern(x) {
					b.WriteString("." + x)
				} else {
					b.WriteString("[" + strconv.Quote(x) + "]")
				}
			case float64:
				b.WriteString("[" + strconv.FormatFloat(x, 'f', -1, 64) + "]")
			case json.Number:
				b.WriteString("[" + x.String() + "]")
			default:
				b.WriteString("[…]")
			}
		}
		s := "`" + b.String() + "`"
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func identKeyPattern(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && (r >= '0' && r <= '9' || r == '-')) {
			return false
		}
	}
	return true
}
