package load

import (
	"bytes"
	"regexp"
)

// OpaqueReason says why a tfvars file's bytes are not the values they are
// named as — "encrypted with git-crypt", "encrypted with SOPS", "a
// template (…)" — or "" when they are plain source. An encrypted file is
// opaque whatever it parses as (SOPS JSON parses, with ENC[…] values); a
// template only when it does not parse (parses is false): a valid tfvars
// file may well hold "{{ .Labels.x }}" in a string. This is the one place
// that tells encrypted and templated files from broken ones (issue 14's
// "what Terraform would not load is not a syntax error" should use it too).
func OpaqueReason(src []byte, parses bool) string {
	switch {
	case bytes.HasPrefix(src, []byte("\x00GITCRYPT\x00")):
		return "encrypted with git-crypt"
	case sopsMarker.Match(src):
		return "encrypted with SOPS"
	case parses:
		return ""
	case bytes.Contains(src, []byte("{{")) && bytes.Contains(src, []byte("}}")),
		bytes.Contains(src, []byte("{%")) && bytes.Contains(src, []byte("%}")),
		bytes.Contains(src, []byte("<%")) && bytes.Contains(src, []byte("%>")):
		return "a template (it holds {{ }}, {% %} or <% %> markers)"
	}
	return ""
}

// SOPS writes its metadata under a top-level "sops" key, and every value
// as ENC[AES256_GCM,data:…].
var sopsMarker = regexp.MustCompile(`ENC\[AES256_GCM,data:|(?m)^\s*"?sops"?\s*[:=]\s*\{`)
