package load

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/tfgate/tfgate/analyzer/model"
)

// Files tfgate does not read as Terraform, and says why instead of
// reporting a syntax error: encrypted files (git-crypt, SOPS), templates
// that only become Terraform once rendered, and tfvars files that
// Terraform never loads by itself and that do not parse. Package load's
// environment discovery uses the same tests.

var gitCryptHeader = []byte("\x00GITCRYPT\x00")

// Encrypted names the tool that encrypted a file, or "": git-crypt (its
// header, `\0GITCRYPT\0`), SOPS (its metadata block, or its ENC[…] values).
func Encrypted(src []byte) string {
	switch {
	case bytes.HasPrefix(src, gitCryptHeader):
		return "git-crypt"
	case bytes.Contains(src, []byte("ENC[AES256_GCM,")):
		return "SOPS"
	case bytes.Contains(src, []byte("sops")) && bytes.Contains(src, []byte("lastmodified")) && bytes.Contains(src, []byte("mac")):
		return "SOPS"
	}
	return ""
}

// templateMarks are the delimiters of the template languages found in
// files named like Terraform: Jinja ({{ }}, {% %}, {# #}), Go templates
// ({{ }}), ERB (<% %>), cookiecutter ({{cookiecutter.x}}).
var templateMarks = regexp.MustCompile(`\{\{[^\n]*\}\}|\{%[^\n]*%\}|\{#[^\n]*#\}|<%[^\n]*%>`)

// Templated reports whether a file holds template syntax. Only a file that
// does not parse is treated as a template: `"{{ .Values }}"` inside a
// string is valid HCL.
func Templated(src []byte) bool { return templateMarks.Match(src) }

// AutoLoadedVarFile reports whether Terraform loads a tfvars file by itself:
// terraform.tfvars(.json) and *.auto.tfvars(.json).
func AutoLoadedVarFile(name string) bool {
	base := filepath.Base(name)
	base = strings.TrimSuffix(base, ".json")
	return base == "terraform.tfvars" || strings.HasSuffix(base, ".auto.tfvars")
}

// skipReason says why a file that was read is not loaded, or "" to load it.
// parseFailed tells whether it failed to parse (templates and unloaded
// tfvars are recognised only then).
func skipReason(f *model.File, src []byte, parseFailed bool, moduleDir bool) string {
	// Before parsing, only the cheap tests: git-crypt's header, SOPS in
	// tfvars (SOPS keeps JSON valid, so an encrypted .tfvars.json parses).
	isVars := f.Kind == model.KindTFVars || f.Kind == model.KindTFVarsJSON
	if bytes.HasPrefix(src, gitCryptHeader) {
		return "encrypted with git-crypt; not analyzed"
	}
	if parseFailed || isVars {
		if tool := Encrypted(src); tool != "" {
			return "encrypted with " + tool + "; not analyzed"
		}
	}
	if !parseFailed {
		return ""
	}
	if Templated(src) {
		return "a template (it holds template syntax such as {{ … }}), not Terraform until rendered; not analyzed"
	}
	if (f.Kind == model.KindTFVars || f.Kind == model.KindTFVarsJSON) && !moduleDir {
		return "does not parse, and Terraform never loads it by itself (no configuration beside it; it would take -var-file); not analyzed"
	}
	return ""
}

// readPrefix reads up to n bytes of a regular file.
func readPrefix(p string, n int64) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		return nil, os.ErrInvalid
	}
	return io.ReadAll(io.LimitReader(f, n))
}
