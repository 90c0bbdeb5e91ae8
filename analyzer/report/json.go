package report

import (
	"bytes"
	_ "embed"
	"encoding/json"

	"github.com/hashicorp/hcl/v2"

	"github.com/tfgate/tfgate/analyzer"
)

// JSONSchema is the JSON Schema (draft 2020-12) of the json format.
//
//go:embed tfgate-report.schema.json
var JSONSchema []byte

// jsonVersion is the version of the json format. It changes only when a
// field is removed or changes meaning; new optional fields keep it.
const jsonVersion = "1"

type jsonReport struct {
	Version       string             `json:"version"`
	Tool          jsonTool           `json:"tool"`
	Findings      []jsonFinding      `json:"findings"`
	Summary       jsonSummary        `json:"summary"`
	Notifications []jsonNotification `json:"notifications"`
}

type jsonTool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

type jsonPos struct {
	Line   int `json:"line"`
	Column int `json:"column"`
	Byte   int `json:"byte"`
}

type jsonFinding struct {
	Rule        string           `json:"rule"`
	Severity    string           `json:"severity"`
	Message     string           `json:"message"`
	Cause       string           `json:"cause,omitempty"`
	File        string           `json:"file,omitempty"`
	Start       *jsonPos         `json:"start,omitempty"`
	End         *jsonPos         `json:"end,omitempty"`
	Module      string           `json:"module"`
	Address     string           `json:"address"`
	Attribute   string           `json:"attribute"`
	Fingerprint string           `json:"fingerprint"`
	Via         []string         `json:"via"`
	Related     []jsonRelated    `json:"related"`
	Secret      bool             `json:"secret"`
	Source      string           `json:"source"`
	Suppressed  *jsonSuppression `json:"suppressed,omitempty"`
}

type jsonRelated struct {
	File    string   `json:"file,omitempty"`
	Start   *jsonPos `json:"start,omitempty"`
	End     *jsonPos `json:"end,omitempty"`
	Message string   `json:"message"`
}

type jsonSuppression struct {
	Kind          string   `json:"kind"`
	Justification string   `json:"justification"`
	File          string   `json:"file,omitempty"`
	Start         *jsonPos `json:"start,omitempty"`
	End           *jsonPos `json:"end,omitempty"`
}

type jsonSummary struct {
	Errors     int `json:"errors"`
	Warnings   int `json:"warnings"`
	Notes      int `json:"notes"`
	Suppressed int `json:"suppressed"`
	Files      int `json:"files"`
}

type jsonNotification struct {
	Level   string `json:"level"`
	Message string `json:"message"`
}

// jsonRange returns a range's file, start and end; the positions are nil
// when the range has no line.
func jsonRange(r hcl.Range) (string, *jsonPos, *jsonPos) {
	if !hasPos(r) {
		return r.Filename, nil, nil
	}
	start := &jsonPos{Line: r.Start.Line, Column: max(r.Start.Column, 1), Byte: max(r.Start.Byte, 0)}
	end := &jsonPos{Line: r.End.Line, Column: max(r.End.Column, 1), Byte: max(r.End.Byte, 0)}
	if end.Line < start.Line || (end.Line == start.Line && end.Column < start.Column) {
		end = &jsonPos{Line: start.Line, Column: start.Column, Byte: start.Byte}
	}
	return r.Filename, start, end
}

func renderJSON(res *analyzer.Result, meta Meta) ([]byte, error) {
	c := countFindings(res.Findings)
	out := jsonReport{
		Version:       jsonVersion,
		Tool:          jsonTool{Name: "tfgate", Version: toolVersion(meta)},
		Findings:      []jsonFinding{},
		Summary:       jsonSummary{Errors: c.errors, Warnings: c.warnings, Notes: c.notes, Suppressed: c.suppressed(), Files: len(res.Files)},
		Notifications: []jsonNotification{},
	}
	for _, f := range res.Findings {
		jf := jsonFinding{
			Rule:        f.RuleID,
			Severity:    level(f.Severity),
			Message:     f.FullMessage(),
			Cause:       jsonCause(f),
			Module:      f.Module,
			Address:     f.Address,
			Attribute:   f.Attribute,
			Fingerprint: f.Fingerprint(),
			Via:         append([]string{}, f.Via...),
			Related:     []jsonRelated{},
			Secret:      f.Secret,
			Source:      f.Source,
		}
		if jf.Source == "" {
			jf.Source = "config"
		}
		jf.File, jf.Start, jf.End = jsonRange(f.Range)
		for _, rel := range f.Related {
			jr := jsonRelated{Message: rel.Message}
			jr.File, jr.Start, jr.End = jsonRange(rel.Range)
			jf.Related = append(jf.Related, jr)
		}
		if s := f.Suppression; s != nil {
			js := &jsonSuppression{Kind: s.Kind, Justification: s.Justification}
			if s.Range != nil {
				js.File, js.Start, js.End = jsonRange(*s.Range)
			}
			jf.Suppressed = js
		}
		out.Findings = append(out.Findings, jf)
	}
	for _, n := range res.Notifications {
		out.Notifications = append(out.Notifications, jsonNotification{Level: n.Level, Message: n.Message})
	}
	return marshal(out)
}

// marshal encodes v indented, without HTML escaping (so `<redacted>` and
// `->` stay readable), with a final newline.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// jsonCause is the finding's cause when it is not its message: findings
// with the same rule, severity and cause are one problem.
func jsonCause(f *analyzer.Finding) string {
	if f.Cause == f.Message {
		return ""
	}
	return f.Cause
}
