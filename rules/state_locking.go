package rules

import (
	"fmt"

	"github.com/tfgate/tfgate/analyzer"
	"github.com/tfgate/tfgate/analyzer/model"
)

// StateLocking reports remote backends that do not lock the state.
var stateLocking = register(&analyzer.Rule{
	ID:       "state-locking",
	Family:   analyzer.FamilyState,
	Severity: analyzer.Error,
	Doc: analyzer.Doc{
		Title: "Remote state is locked while Terraform writes it",
		Why: "Without a lock, two `apply` runs on the same state (two engineers, or CI and a laptop) both read " +
			"the old state and the last one to finish overwrites the other's changes: resources are orphaned, " +
			"duplicated or destroyed on the next plan.\n\n" +
			"A Terragrunt unit is a root whose backend is its `remote_state` block (read with the path functions Terragrunt " +
			"computes, such as `path_relative_to_include()`; anything else is unknown): a problem is reported at its line " +
			"in the `.hcl` file, once for every unit that includes it. Which directories are roots is the module " +
			"model's answer (`tfgate modules`).\n\n" +
			"What the rule knows about each backend:\n\n" +
			"- `s3` locks only with `use_lockfile = true` (an S3 lock file, Terraform 1.11+) or `dynamodb_table`. " +
			"Terraform 1.11 deprecates `dynamodb_table`: where the module admits Terraform 1.11 or later, a " +
			"backend that locks only through DynamoDB gets a **note** (not an error) suggesting `use_lockfile`. " +
			"Setting both, as the migration guide recommends, is fine.\n" +
			"- `gcs`, `azurerm`, `remote`, the `cloud` block, `kubernetes`, `pg` and `cos` always lock.\n" +
			"- `consul` and `etcdv3` lock unless `lock = false`.\n" +
			"- `http` locks only with `lock_address`; `oss` only with `tablestore_table`.\n" +
			"- `artifactory`, `etcd`, `swift` and `manta` cannot lock at all (Terraform 1.3 removed them): " +
			"they are flagged whatever their settings, even when those are left to init time.\n\n" +
			"Partial configuration is merged first, as `terraform init` does: each `*.tfbackend` file in the " +
			"root's directory is taken as one way to initialise it (one file per environment), and the files " +
			"given with `--backend-config` are merged into every root (a file kept in a root's directory, only into " +
			"that root). When a setting the backend requires " +
			"(`bucket` or `key` for `s3`, `address` for `http`, `bucket` for `oss`) is left to init time and no " +
			"file supplies it, the rule stays silent rather than guess: pass the file with `--backend-config` to " +
			"have it checked. Values that are not literals (OpenTofu evaluates variables in backend blocks) are " +
			"unknown and never flagged.\n\n" +
			"The DynamoDB note keeps its note severity when the rule's severity is changed in `.tfgate.hcl`.",
		Fix: "For `s3`, set `use_lockfile = true` (Terraform 1.11+; the role needs `s3:PutObject` and " +
			"`s3:DeleteObject` on `<key>.tflock`), or `dynamodb_table` on older releases. For `http`, set " +
			"`lock_address` (and `unlock_address` when it differs); for `oss`, `tablestore_table` and " +
			"`tablestore_endpoint`; for `consul` and `etcdv3`, remove `lock = false`. Move state off backends " +
			"that cannot lock with `terraform init -migrate-state`.",
		Bad: `terraform {
  backend "s3" {
    bucket = "acme-terraform-state"
    key    = "network/prod.tfstate"
    region = "eu-west-1"
  }
}`,
		Good: `terraform {
  backend "s3" {
    bucket       = "acme-terraform-state"
    key          = "network/prod.tfstate"
    region       = "eu-west-1"
    use_lockfile = true
  }
}`,
	},
	Run: runStateLocking,
})

// s3LockfileRelease is the Terraform release in which S3 lock files are
// generally available and dynamodb_table is deprecated.
const s3LockfileRelease = "1.11.0"

func runStateLocking(pass *analyzer.Pass) error {
	for _, m := range stateRoots(pass) {
		lockfileOK := allowsTerraform(m, s3LockfileRelease)
		reportCandidates(pass, m, m.BackendCandidates(backendConfigs(pass, m)), func(b *model.Backend) []backendProblem {
			return judgeLocking(b, lockfileOK)
		})
	}
	return nil
}

func judgeLocking(b *model.Backend, lockfileOK bool) []backendProblem {
	if b.Cloud {
		return nil
	}
	switch b.Type {
	case "s3":
		return judgeS3Locking(b, lockfileOK)
	case "consul", "etcdv3":
		if on, ok := model.KnownBool(b.Value("lock")); ok && !on {
			return []backendProblem{{
				Range: b.AttrRange("lock"), Attribute: "lock",
				Message: fmt.Sprintf("%s does not lock state: `lock = false` turns locking off, so concurrent runs can overwrite each other's state; remove `lock = false`", b.Name()),
			}}
		}
	case "http":
		if !b.Has("address") || b.Has("lock_address") && !emptyString(b, "lock_address") {
			return nil
		}
		return []backendProblem{{
			Range: b.Range(), Attribute: "lock_address",
			Message: fmt.Sprintf("%s does not lock state: `lock_address` is not set, so Terraform writes without taking a lock and concurrent runs can overwrite each other's state; set `lock_address` (and `unlock_address`) to the server's lock endpoint", b.Name()),
		}}
	case "oss":
		if !b.Has("bucket") || unknownSetting(b, "tablestore_table") {
			return nil
		}
		if t, ok := knownString(b, "tablestore_table"); ok && t != "" {
			return nil
		}
		return []backendProblem{{
			Range: b.AttrRange("tablestore_table"), Attribute: "tablestore_table",
			Message: fmt.Sprintf("%s does not lock state: `tablestore_table` is not set, so concurrent runs can overwrite each other's state; set `tablestore_table` to a TableStore table for the locks", b.Name()),
		}}
	case "artifactory", "etcd", "swift", "manta":
		return []backendProblem{{
			Range:   b.Range(),
			Message: fmt.Sprintf("%s cannot lock state, so concurrent runs can overwrite each other's state (Terraform 1.3 also removed it): move the state to a backend that locks", b.Name()),
		}}
	}
	// gcs, azurerm, remote, kubernetes, pg and cos always lock; local is the
	// concern of state-remote-backend; other types are not judged.
	return nil
}

func judgeS3Locking(b *model.Backend, lockfileOK bool) []backendProblem {
	if !b.Has("bucket") || !b.Has("key") {
		return nil // completed at init time: cannot be judged
	}
	if unknownSetting(b, "use_lockfile") || unknownSetting(b, "dynamodb_table") {
		return nil
	}
	lockfile, isBool := model.KnownBool(b.Value("use_lockfile"))
	if b.Has("use_lockfile") && !isBool {
		return nil // not a bool: Terraform rejects it before any run
	}
	table, _ := knownString(b, "dynamodb_table")
	switch {
	case lockfile:
		return nil
	case table != "":
		if !lockfileOK {
			return nil
		}
		return []backendProblem{{
			Range: b.AttrRange("dynamodb_table"), Attribute: "dynamodb_table", Severity: analyzer.Note,
			Message: fmt.Sprintf("%s locks through `dynamodb_table`, which Terraform 1.11 deprecates: add `use_lockfile = true` to lock with an S3 lock file, then remove `dynamodb_table` once every run uses it", b.Name()),
		}}
	}
	const risk = "so concurrent runs can overwrite each other's state"
	advice := "; set `use_lockfile = true` (Terraform 1.11+ locks with a lock file beside the state)"
	if !lockfileOK {
		advice = "; `required_version` excludes Terraform 1.11 and its S3 lock files, so set `dynamodb_table`"
	}
	if b.Has("use_lockfile") {
		return []backendProblem{{
			Range: b.AttrRange("use_lockfile"), Attribute: "use_lockfile",
			Message: fmt.Sprintf("%s does not lock state: `use_lockfile` is false and no `dynamodb_table` is set, %s%s", b.Name(), risk, advice),
		}}
	}
	return []backendProblem{{
		Range: b.Range(), Attribute: "use_lockfile",
		Message: fmt.Sprintf("%s does not lock state: neither `use_lockfile = true` nor `dynamodb_table` is set, %s%s", b.Name(), risk, advice),
	}}
}
