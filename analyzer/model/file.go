package model

import (
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// FileKind says what a file is, by its name.
type FileKind int

const (
	KindTF         FileKind = iota + 1 // *.tf
	KindTFJSON                         // *.tf.json
	KindTFVars                         // *.tfvars
	KindTFVarsJSON                     // *.tfvars.json
	KindBackend                        // *.tfbackend
	KindLock                           // .terraform.lock.hcl
	// KindWrapper is a wrapper's configuration: terragrunt.hcl, an HCL
	// file it includes, atmos.yaml. KindOf never returns it.
	KindWrapper
)

// KindOf classifies a file name; ok is false for files tfgate does not read.
func KindOf(name string) (FileKind, bool) {
	switch {
	case name == ".terraform.lock.hcl":
		return KindLock, true
	case strings.HasSuffix(name, ".tf.json"), strings.HasSuffix(name, ".tofu.json"):
		return KindTFJSON, true
	case strings.HasSuffix(name, ".tf"), strings.HasSuffix(name, ".tofu"):
		// OpenTofu's .tofu files are the same language; one shadows the .tf
		// file of the same name (load drops the shadowed one).
		return KindTF, true
	case strings.HasSuffix(name, ".tfvars.json"):
		return KindTFVarsJSON, true
	case strings.HasSuffix(name, ".tfvars"):
		return KindTFVars, true
	case strings.HasSuffix(name, ".tfbackend"):
		return KindBackend, true
	}
	return 0, false
}

// TofuShadowed reports, for each name, whether OpenTofu ignores the file
// because a .tofu file of the same name is beside it: main.tofu shadows
// main.tf, main.tofu.json shadows main.tf.json.
func TofuShadowed(names []string) map[string]bool {
	var out map[string]bool
	have := map[string]bool{}
	for _, n := range names {
		have[n] = true
	}
	for _, n := range names {
		var twin string
		switch {
		case strings.HasSuffix(n, ".tf.json"):
			twin = strings.TrimSuffix(n, ".tf.json") + ".tofu.json"
		case strings.HasSuffix(n, ".tf"):
			twin = strings.TrimSuffix(n, ".tf") + ".tofu"
		default:
			continue
		}
		if have[twin] {
			if out == nil {
				out = map[string]bool{}
			}
			out[n] = true
		}
	}
	return out
}

// IsJSON reports whether the file uses HCL's JSON syntax.
func (k FileKind) IsJSON() bool { return k == KindTFJSON || k == KindTFVarsJSON }

// File is one parsed file.
type File struct {
	Path   string // slash path relative to the working directory (or absolute outside it)
	Abs    string
	Kind   FileKind
	Src    []byte
	HCL    *hcl.File // nil when the file could not be parsed at all
	Module *Module   // nil for files given on the command line outside modules
	// Generated marks what a wrapper writes at run time (a Terragrunt
	// generate block): Path and Src are those of the configuration that
	// holds it, and its blocks keep their lines there.
	Generated bool
}

// Syntax returns the native-syntax body, or nil for JSON files.
func (f *File) Syntax() *hclsyntax.Body {
	if f.HCL == nil {
		return nil
	}
	b, _ := f.HCL.Body.(*hclsyntax.Body)
	return b
}
