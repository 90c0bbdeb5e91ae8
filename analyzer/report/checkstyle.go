package report

import (
	"encoding/xml"
	"strings"

	"github.com/tfgate/tfgate/analyzer"
)

// Checkstyle XML, the lint interchange format of reviewdog (-f=checkstyle),
// Jenkins' Warnings Next Generation plugin (checkStyle parser), SonarQube
// and danger: one <file> per file in finding order, one <error> per finding
// that counts (ignored and baselined ones are left out), severity error,
// warning or info, source "tfgate.RULE-ID". File names are as the text
// format prints them, relative to the working directory.

type csReport struct {
	XMLName xml.Name `xml:"checkstyle"`
	Version string   `xml:"version,attr"`
	Files   []csFile `xml:"file"`
}

type csFile struct {
	Name   string    `xml:"name,attr"`
	Errors []csError `xml:"error"`
}

type csError struct {
	Line     int    `xml:"line,attr"`
	Column   int    `xml:"column,attr,omitempty"`
	Severity string `xml:"severity,attr"`
	Message  string `xml:"message,attr"`
	Source   string `xml:"source,attr"`
}

func checkstyleSeverity(s analyzer.Severity) string {
	switch s {
	case analyzer.Error:
		return "error"
	case analyzer.Warning:
		return "warning"
	}
	return "info"
}

func renderCheckstyle(res *analyzer.Result) ([]byte, error) {
	out := csReport{Version: "4.3"}
	index := map[string]int{}
	for _, f := range res.Findings {
		if f.Suppression != nil {
			continue
		}
		name := f.Range.Filename
		if name == "" {
			name = "."
		}
		i, ok := index[name]
		if !ok {
			i = len(out.Files)
			index[name] = i
			out.Files = append(out.Files, csFile{Name: xmlText(name)})
		}
		e := csError{Severity: checkstyleSeverity(f.Severity), Message: xmlText(f.FullMessage()), Source: "tfgate." + f.RuleID}
		if hasPos(f.Range) {
			e.Line, e.Column = f.Range.Start.Line, max(f.Range.Start.Column, 1)
		}
		out.Files[i].Errors = append(out.Files[i].Errors, e)
	}
	return xmlDoc(out)
}

// xmlDoc encodes v indented after an XML declaration, with a final newline.
func xmlDoc(v any) ([]byte, error) {
	var b strings.Builder
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	enc.Indent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	b.WriteByte('\n')
	return []byte(b.String()), nil
}

// xmlText drops what XML 1.0 cannot carry at all (control characters other
// than tab, newline and carriage return; invalid UTF-8), which encoding/xml
// would otherwise replace or reject.
func xmlText(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return r
		case r < 0x20, r == 0xFFFE, r == 0xFFFF, r >= 0xD800 && r <= 0xDFFF:
			return -1
		case r == 0xFFFD:
			return r
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
}
