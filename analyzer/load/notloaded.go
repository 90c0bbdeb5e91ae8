package load

import (
	"github.com/tfgate/tfgate/analyzer/model"
	"github.com/tfgate/tfgate/internal/fsx"
)

// Files tfgate does not read as Terraform, and says why in a note instead
// of reporting a syntax error: encrypted files (git-crypt, SOPS) and
// templates, recognised by OpaqueReason, and tfvars files that Terraform
// never loads by itself and that do not parse.

var gitCryptHeader = []byte("\x00GITCRYPT\x00")

// skipReason says why a parsed file is left out, or "" to keep it.
// Configuration files (.tf) are only tested when they do not parse (the
// tests read the whole file); tfvars files always, since SOPS keeps JSON
// valid. moduleDir tells whether the file sits beside configuration.
func skipReason(kind model.FileKind, src []byte, parseFailed, moduleDir bool) string {
	isVars := kind == model.KindTFVars || kind == model.KindTFVarsJSON
	if !isVars && !parseFailed {
		return ""
	}
	if why := OpaqueReason(src, !parseFailed); why != "" {
		return why
	}
	if isVars && parseFailed && !moduleDir {
		return "a tfvars file beside no configuration that does not parse: Terraform reads it only when given with -var-file"
	}
	return ""
}

// readPrefix reads up to n bytes of a regular file (never blocking on a
// FIFO).
func readPrefix(p string, n int64) ([]byte, error) { return fsx.ReadPrefix(p, n) }
