package rules

import (
	"fmt"

	"github.com/tfgate/tfgate/analyzer"
	"github.com/tfgate/tfgate/analyzer/model"
	"github.com/zclconf/go-cty/cty"
)

// StateEncryption reports backends that do not ask the store to encrypt
// the state where the backend has a setting for it.
var stateEncryption = register(&analyzer.Rule{
	ID:       "state-encryption",
	Family:   analyzer.FamilyState,
	Severity: analyzer.Warning,
	Security: true,
	Doc: analyzer.Doc{
		Title: "State is encrypted at rest where the backend leaves it to the configuration",
		Why: "State files hold every attribute of every resource, including database passwords, private keys " +
			"and tokens, in plain text. Some backends encrypt only when asked:\n\n" +
			"- `s3` sends server-side encryption headers only with `encrypt = true`; `kms_key_id` and " +
			"`sse_customer_key` are ignored without it. AWS has applied SSE-S3 to new objects by default since " +
			"2023, but older buckets, bucket policies that require the header, and audits all expect the " +
			"backend to ask. Backends with a custom S3 endpoint (MinIO, R2, Ceph…) are not judged, as their " +
			"encryption support varies.\n" +
			"- `oss` encrypts only with `encrypt = true` (its default is false).\n" +
			"- `cos` encrypts by default; only `encrypt = false` is flagged.\n\n" +
			"A Terragrunt unit is a root whose backend is its `remote_state` block (read with the path functions Terragrunt " +
			"computes, such as `path_relative_to_include()`; anything else is unknown): a problem is reported at its line " +
			"in the `.hcl` file, once for every unit that includes it. Which directories are roots is the module " +
			"model's answer (`tfgate modules`).\n\n" +
			"Backends that always encrypt at rest are never flagged: `gcs` (Google-managed keys; " +
			"`encryption_key` and `kms_encryption_key` are optional customer keys), `azurerm` (Storage Service " +
			"Encryption), `remote` and `cloud` (HCP Terraform encrypts state). Backends without an encryption " +
			"setting (`consul`, `pg`, `http`, `kubernetes`) are out of scope, as is a module that encrypts its " +
			"state on the client with an OpenTofu `terraform { encryption { … } }` block. Settings left to init " +
			"time are merged from `*.tfbackend` and `--backend-config` files first; when they cannot be, the " +
			"rule stays silent.",
		Fix: "Set `encrypt = true`, and `kms_key_id` to use a customer-managed KMS key whose policy limits who " +
			"can read the state. Existing state objects are re-encrypted on the next write.",
		Bad: `terraform {
  backend "s3" {
    bucket       = "acme-terraform-state"
    key          = "network/prod.tfstate"
    region       = "eu-west-1"
    use_lockfile = true
  }
}`,
		Good: `terraform {
  backend "s3" {
    bucket       = "acme-terraform-state"
    key          = "network/prod.tfstate"
    region       = "eu-west-1"
    use_lockfile = true
    encrypt      = true
    kms_key_id   = "alias/terraform-state"
  }
}`,
	},
	Run: runStateEncryption,
})

func runStateEncryption(pass *analyzer.Pass) error {
	for _, m := range stateRoots(pass) {
		if clientSideEncryption(m) {
			continue
		}
		reportCandidates(pass, m, m.BackendCandidates(backendConfigs(pass, m)), judgeEncryption)
	}
	return nil
}

// clientSideEncryption reports whether the module configures OpenTofu's
// state encryption, which encrypts state before any backend sees it.
func clientSideEncryption(m *model.Module) bool {
	for _, tb := range m.Terraform {
		if len(tb.Blocks("encryption")) > 0 || tb.Attr("encryption") != nil {
			return true
		}
	}
	return false
}

func judgeEncryption(b *model.Backend) []backendProblem {
	switch b.Type {
	case "s3":
		return judgeS3Encryption(b)
	case "oss":
		if !b.Has("bucket") {
			return nil
		}
		if on, isBool := model.KnownBool(b.Value("encrypt")); on || b.Has("encrypt") && !isBool {
			return nil
		}
		return []backendProblem{{
			Range: b.AttrRange("encrypt"), Attribute: "encrypt",
			Message: fmt.Sprintf("%s does not set `encrypt = true`: OSS stores the state, and every secret in it, without server-side encryption; set `encrypt = true`", b.Name()),
		}}
	case "cos":
		if on, ok := model.KnownBool(b.Value("encrypt")); ok && !on {
			return []backendProblem{{
				Range: b.AttrRange("encrypt"), Attribute: "encrypt",
				Message: fmt.Sprintf("%s turns server-side encryption off with `encrypt = false`: COS stores the state, and every secret in it, unencrypted; remove it or set `encrypt = true`", b.Name()),
			}}
		}
	}
	return nil
}

func judgeS3Encryption(b *model.Backend) []backendProblem {
	if !b.Has("bucket") || !b.Has("key") {
		return nil // completed at init time: cannot be judged
	}
	if b.Has("endpoint") || b.Value("endpoints", "s3") != cty.NilVal {
		return nil // an S3-compatible store: encryption support varies
	}
	on, isBool := model.KnownBool(b.Value("encrypt"))
	if on || b.Has("encrypt") && !isBool {
		return nil // encrypted, unknown, or not a bool (Terraform rejects it)
	}
	for _, key := range []string{"kms_key_id", "sse_customer_key"} {
		if b.Has(key) {
			return []backendProblem{{
				Range: b.AttrRange(key), Attribute: "encrypt",
				Message: fmt.Sprintf("%s sets `%s` but not `encrypt = true`: Terraform uses the key only when `encrypt = true`, so the state is written without requesting that encryption; add `encrypt = true`", b.Name(), key),
			}}
		}
	}
	if b.Has("encrypt") {
		return []backendProblem{{
			Range: b.AttrRange("encrypt"), Attribute: "encrypt",
			Message: fmt.Sprintf("%s sets `encrypt = false`: Terraform does not request server-side encryption for the state, which holds every secret the resources return; set `encrypt = true`", b.Name()),
		}}
	}
	return []backendProblem{{
		Range: b.Range(), Attribute: "encrypt",
		Message: fmt.Sprintf("%s does not set `encrypt = true`: Terraform does not request server-side encryption for the state, which holds every secret the resources return, and relies on the bucket's default; set `encrypt = true`", b.Name()),
	}}
}
