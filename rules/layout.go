package rules

// Helpers shared by the layout rules (layout-standard-files,
// layout-documented-interface, layout-provider-in-module and
// layout-environment-parity).

import (
	"fmt"
	"path"
	"strings"

	"github.com/tfgate/tfgate/analyzer/model"
)

// layoutBaseName is a file's name inside its module, with a .tf.json file
// named like its native counterpart and OpenTofu's .tofu like .tf:
// "variables.tf.json" → "variables.tf", "main.tofu" → "main.tf".
func layoutBaseName(f *model.File) string {
	base := strings.TrimSuffix(path.Base(f.Path), ".json")
	if b, ok := strings.CutSuffix(base, ".tofu"); ok {
		return b + ".tf"
	}
	return base
}

// layoutIsOverride reports whether a file is a Terraform override file
// (override.tf, *_override.tf and their JSON forms): its blocks merge into
// blocks declared elsewhere instead of declaring new ones.
func layoutIsOverride(f *model.File) bool { return model.IsOverrideFile(f.Path) }

// layoutGenerated reports whether every configuration file of a module uses
// the JSON syntax: such modules are produced by a tool (CDKTF, a script)
// and their layout is the generator's, not something a person edits.
func layoutGenerated(m *model.Module) bool {
	if len(m.Files) == 0 {
		return false
	}
	for _, f := range m.Files {
		if f.Kind != model.KindTFJSON {
			return false
		}
	}
	return true
}

// layoutReusable reports whether a scanned module is a reusable module, as
// the module model decides it.
func layoutReusable(m *model.Module) bool {
	return m.Scanned && m.IsReusable() && !m.Excluded
}

// layoutKindHint is the clause that tells how to silence a finding that
// holds only for reusable modules when the directory is in fact a root:
// its kind in .tfgate.hcl.
func layoutKindHint(m *model.Module) string {
	return fmt.Sprintf("if `%s` is a root module, set `kind = \"root\"` in a `module %q` block of .tfgate.hcl", m.Name(), m.Name())
}

// layoutJoin joins words as prose: "a", "a and b", "a, b and c".
func layoutJoin(words []string) string {
	switch len(words) {
	case 0:
		return ""
	case 1:
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}

// layoutNames back-quotes names and lists at most max of them, summing up
// the rest: "`a`, `b`, `c` and 4 more".
func layoutNames(names []string, max int) string {
	q := make([]string, 0, len(names))
	for i, n := range names {
		if i == max && len(names) > max+1 {
			q = append(q, fmt.Sprintf("%d more", len(names)-max))
			break
		}
		q = append(q, "`"+n+"`")
	}
	return layoutJoin(q)
}
