package analyzer

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/tfgate/tfgate/internal/fsx"
)

// Baseline is a set of accepted findings, matched by fingerprint.
type Baseline struct {
	Path         string
	Fingerprints map[string]bool
}

type baselineFile struct {
	Version  int             `json:"version"`
	Tool     string          `json:"tool"`
	Findings []baselineEntry `json:"findings"`
}

type baselineEntry struct {
	Fingerprint string `json:"fingerprint"`
	Rule        string `json:"rule"`
	File        string `json:"file"`
	Address     string `json:"address,omitempty"`
	Message     string `json:"message"`
}

// has reports whether the baseline accepts a finding.
func (b *Baseline) has(f *Finding) bool { return b.Fingerprints[f.Fingerprint()] }

// ReadBaseline reads a file written by WriteBaseline.
func ReadBaseline(path string) (*Baseline, error) {
	data, err := fsx.ReadInTree(path, fsx.MaxFileSize)
	if err != nil {
		return nil, fmt.Errorf("cannot read baseline %s: %w", path, namedFileError(err))
	}
	var bf baselineFile
	if err := json.Unmarshal(data, &bf); err != nil {
		return nil, fmt.Errorf("baseline %s is not a tfgate baseline: %v", path, err)
	}
	if bf.Tool != "tfgate" || bf.Version != 1 {
		return nil, fmt.Errorf("baseline %s is not a tfgate baseline (version 1)", path)
	}
	b := &Baseline{Path: path, Fingerprints: map[string]bool{}}
	for _, e := range bf.Findings {
		b.Fingerprints[e.Fingerprint] = true
	}
	return b, nil
}

// BaselineJSON renders the findings that count as a baseline file.
func BaselineJSON(findings []*Finding) ([]byte, error) {
	bf := baselineFile{Version: 1, Tool: "tfgate", Findings: []baselineEntry{}}
	seen := map[string]bool{}
	for _, f := range findings {
		if f.Suppression != nil && f.Suppression.Kind == "inSource" {
			continue
		}
		fp := f.Fingerprint()
		if seen[fp] {
			continue
		}
		seen[fp] = true
		bf.Findings = append(bf.Findings, baselineEntry{Fingerprint: fp, Rule: f.RuleID, File: f.Range.Filename, Address: f.Address, Message: f.Message})
	}
	// Not HTML-escaped: messages stay readable (`<redacted>`, `->`).
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(bf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
