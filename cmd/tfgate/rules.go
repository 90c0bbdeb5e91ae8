package main

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/pflag"
	"github.com/tfgate/tfgate/analyzer"
	"github.com/tfgate/tfgate/analyzer/model"
	"github.com/tfgate/tfgate/rules"
)

const rulesUsage = `List tfgate's rules.

Usage:
  tfgate rules [--format text|json|markdown] [RULE-ID...]

Examples:
  tfgate rules                          # table of every rule
  tfgate rules --format markdown state-locking
  tfgate rules --format json | jq '.[] | select(.family == "secrets") | .id'

Flags:
`

type ruleJSON struct {
	ID       string    `json:"id"`
	Family   string    `json:"family"`
	Severity string    `json:"severity"`
	Security bool      `json:"security"`
	Title    string    `json:"title"`
	Why      string    `json:"why"`
	Fix      string    `json:"fix"`
	Bad      string    `json:"bad,omitempty"`
	Good     string    `json:"good,omitempty"`
	Options  []optJSON `json:"options"`
	DocURL   string    `json:"doc_url"`
}

type optJSON struct {
	Name    string `json:"name"`
	Type    string `json:"type"`
	Default string `json:"default"`
	Doc     string `json:"doc"`
}

func runRules(args []string, stdout, stderr io.Writer) int {
	fs := pflag.NewFlagSet("rules", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.StringP("format", "f", "text", "output `FORMAT`: text, json or markdown")
	fs.Usage = func() { fmt.Fprint(fs.Output(), rulesUsage); printFlags(fs) }
	if done, code := parseFlags("rules", fs, args, stdout, stderr); done {
		return code
	}
	list := rules.All()
	if fs.NArg() > 0 {
		var sel []*analyzer.Rule
		for _, id := range fs.Args() {
			r := rules.ByID(id)
			if r == nil {
				msg := fmt.Sprintf("tfgate rules: unknown rule %q", id)
				if s := analyzer.Suggest(id, ruleIDs()); s != "" {
					msg += fmt.Sprintf(" (did you mean %s?)", s)
				}
				fmt.Fprintln(stderr, msg)
				return exitError
			}
			sel = append(sel, r)
		}
		list = sel
	}
	switch *format {
	case "text":
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "RULE\tFAMILY\tSEVERITY\tDESCRIPTION")
		for _, r := range list {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.ID, r.Family, r.Severity, r.Doc.Title)
		}
		tw.Flush()
		fmt.Fprintln(stdout, "\nDocs: tfgate rules --format markdown RULE-ID, or "+analyzer.DocsBaseURL)
	case "markdown":
		for i, r := range list {
			if i > 0 {
				fmt.Fprintln(stdout)
			}
			fmt.Fprint(stdout, analyzer.RuleMarkdown(r))
		}
	case "json":
		out := []ruleJSON{}
		for _, r := range list {
			rj := ruleJSON{ID: r.ID, Family: string(r.Family), Severity: r.Severity.String(), Security: r.Security,
				Title: r.Doc.Title, Why: r.Doc.Why, Fix: r.Doc.Fix, Bad: r.Doc.Bad, Good: r.Doc.Good, DocURL: r.DocURL(), Options: []optJSON{}}
			for _, o := range r.Options {
				rj.Options = append(rj.Options, optJSON{Name: o.Name, Type: o.Type.FriendlyName(), Default: model.DisplayValue(o.Default), Doc: o.Doc})
			}
			out = append(out, rj)
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.Encode(out)
	default:
		fmt.Fprintf(stderr, "tfgate rules: unknown format %q (text, json, markdown)\n", *format)
		return exitError
	}
	return exitOK
}

func ruleIDs() []string {
	var ids []string
	for _, r := range rules.All() {
		ids = append(ids, r.ID)
	}
	return ids
}
