package analyzer

import (
	"fmt"
	"strings"

	"github.com/tfgate/tfgate/analyzer/model"
)

// RuleMarkdown renders a rule's documentation page. docs/rules/<id>.md,
// `tfgate rules --format markdown` and SARIF help.markdown all use it.
func RuleMarkdown(r *Rule) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n", r.ID)
	fmt.Fprintf(&b, "%s.\n\n", r.Doc.Title)
	fmt.Fprintf(&b, "| Family | Default severity | Security |\n|---|---|---|\n| %s | %s | %s |\n\n", r.Family, r.Severity, yesNo(r.Security))
	fmt.Fprintf(&b, "## Why\n\n%s\n\n", strings.TrimSpace(r.Doc.Why))
	fmt.Fprintf(&b, "## How to fix\n\n%s\n\n", strings.TrimSpace(r.Doc.Fix))
	if r.Doc.Bad != "" {
		fmt.Fprintf(&b, "## Bad\n\n```hcl\n%s\n```\n\n", strings.TrimSpace(r.Doc.Bad))
	}
	if r.Doc.Good != "" {
		fmt.Fprintf(&b, "## Good\n\n```hcl\n%s\n```\n\n", strings.TrimSpace(r.Doc.Good))
	}
	if len(r.Options) > 0 {
		b.WriteString("## Options\n\n| Option | Type | Default | Description |\n|---|---|---|---|\n")
		for _, o := range r.Options {
			fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", o.Name, o.Type.FriendlyName(), model.DisplayValue(o.Default), strings.ReplaceAll(o.Doc, "\n", " "))
		}
		b.WriteString("\n")
	}
	b.WriteString("## Configuration\n\n```hcl\n")
	fmt.Fprintf(&b, "rule %q {\n  enabled  = true\n  severity = %q\n", r.ID, r.Severity.String())
	for _, o := range r.Options {
		if o.Default.IsNull() {
			fmt.Fprintf(&b, "  # %s = …\n", o.Name)
		} else {
			fmt.Fprintf(&b, "  %s = %s\n", o.Name, model.DisplayValue(o.Default))
		}
	}
	b.WriteString("}\n```\n\n")
	fmt.Fprintf(&b, "Suppress one occurrence with a reason:\n\n```hcl\n# tfgate:ignore %s <why this is fine> exp:2027-01-31\n```\n", r.ID)
	return b.String()
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
