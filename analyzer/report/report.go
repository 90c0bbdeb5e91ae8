// Package report renders the result of a lint run for people and for
// machines.
//
// The formats:
//
//   - text (the default): one block per cause with the source lines: a
//     problem found at several locations (same rule, severity and cause,
//     see analyzer.Finding.Cause) is printed once with the count and every
//     location. A docs link the first time a rule appears, tool messages, a
//     table per rule and a summary line. Findings hidden by an ignore
//     comment or the baseline are only counted.
//   - compact: one `file:line:col: severity[rule-id] message` line per
//     finding that counts, for grep and editors.
//   - json: a stable document described by the JSON Schema in
//     tfgate-report.schema.json (embedded as JSONSchema). Suppressed findings
//     are included with their suppression.
//   - sarif: SARIF 2.1.0 shaped for GitHub code scanning (one run, stable
//     partial fingerprints, rule metadata with severities, GitHub's upload
//     limits enforced).
//   - markdown: a summary for job summaries and pull request comments,
//     one table row per cause.
//   - junit: JUnit XML for Jenkins, Azure DevOps, GitLab, CircleCI and
//     Buildkite test reports (junit.go).
//   - checkstyle: Checkstyle XML for reviewdog and Jenkins' Warnings Next
//     Generation (checkstyle.go).
//   - gitlab: GitLab Code Quality JSON with stable fingerprints (gitlab.go).
//   - github: GitHub Actions workflow commands, annotations without code
//     scanning (github.go).
//
// Source lines covered by a finding marked Secret never appear in any
// format: every snippet line that overlaps such a finding is masked.
package report

import (
	"bytes"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"

	"github.com/tfgate/tfgate/analyzer"
	"github.com/tfgate/tfgate/analyzer/model"
)

// Meta describes the run for reports.
type Meta struct {
	ToolVersion string // e.g. "0.1.0" or "dev"
	Category    string // --category; SARIF runs[0].automationDetails.id (a "/" is appended when missing); default "tfgate/lint/" when empty
	WorkDir     string // absolute; findings' filenames are already relative to it (slash paths)
	RepoRoot    string // absolute repository root: gitlab, github and sarif paths are relative to it ("" = WorkDir)
	RunDir      string // absolute directory tfgate ran in, for SARIF invocations[0].workingDirectory ("" = WorkDir)
	CommandLine string // for SARIF invocations[0].commandLine: build it with CommandLine, which redacts secrets
	// SARIFSuppressed keeps ignored and baselined findings in SARIF as
	// results with suppressions; by default they are left out, because
	// GitHub code scanning opens an alert for every result it is sent.
	SARIFSuppressed bool
	// Warn, when set, is told what a report had to leave out (GitHub's
	// SARIF limits), for a warning on stderr.
	Warn       func(msg string)
	Start, End time.Time
	Color      bool // ANSI colour in text output (only set on a TTY)
	Quiet      bool // text: only the findings and errors, no summary line, no warnings or notes
}

func (m Meta) warn(msg string) {
	if m.Warn != nil {
		m.Warn(msg)
	}
}

// defaultCategory is the SARIF automationDetails.id used when Meta.Category
// is empty. The trailing slash makes it a category without a run id.
const defaultCategory = "tfgate/lint/"

// Formats lists the output formats, the default first.
var Formats = []string{"text", "compact", "json", "sarif", "markdown", "junit", "checkstyle", "gitlab", "github"}

// Render renders res in a format; an unknown format is an error naming the
// valid ones.
func Render(format string, res *analyzer.Result, meta Meta) ([]byte, error) {
	if res == nil {
		return nil, fmt.Errorf("report: no result to render")
	}
	meta.CommandLine = res.Redact(meta.CommandLine)
	switch format {
	case "text":
		return renderText(res, meta), nil
	case "compact":
		return renderCompact(res), nil
	case "json":
		return renderJSON(res, meta)
	case "sarif":
		return renderSARIF(res, meta)
	case "markdown":
		return RenderMarkdown(res, meta)
	case "junit":
		return renderJUnit(res, meta)
	case "checkstyle":
		return renderCheckstyle(res)
	case "gitlab":
		return renderGitLab(res, meta)
	case "github":
		return renderGitHub(res, meta), nil
	}
	return nil, fmt.Errorf("unknown format %q (formats: %s)", format, strings.Join(Formats, ", "))
}

// toolVersion is the version to print, "dev" when unset.
func toolVersion(meta Meta) string {
	if meta.ToolVersion == "" {
		return "dev"
	}
	return meta.ToolVersion
}

// counts tallies findings that count by severity, and suppressed ones by kind.
type counts struct {
	errors, warnings, notes int
	inSource, external      int
}

func (c counts) suppressed() int { return c.inSource + c.external }

func countFindings(fs []*analyzer.Finding) counts {
	var c counts
	for _, f := range fs {
		if f.Suppression != nil {
			if f.Suppression.Kind == "inSource" {
				c.inSource++
			} else {
				c.external++
			}
			continue
		}
		switch f.Severity {
		case analyzer.Error:
			c.errors++
		case analyzer.Warning:
			c.warnings++
		default:
			c.notes++
		}
	}
	return c
}

// level is the SARIF-style level of a severity: error, warning or note.
func level(s analyzer.Severity) string {
	switch s {
	case analyzer.Error:
		return "error"
	case analyzer.Warning:
		return "warning"
	}
	return "note"
}

// ruleIndex maps rule IDs to the rules that ran.
func ruleIndex(res *analyzer.Result) map[string]analyzer.ActiveRule {
	m := map[string]analyzer.ActiveRule{}
	for _, ar := range res.Rules {
		if ar.Rule != nil {
			m[ar.ID] = ar
		}
	}
	return m
}

// docURL is a rule's documentation page, also for rules that did not run.
func docURL(rules map[string]analyzer.ActiveRule, id string) string {
	if ar, ok := rules[id]; ok {
		return ar.DocURL()
	}
	return (&analyzer.Rule{ID: id}).DocURL()
}

// lastLine is the last line a range touches: a multi-line range that ends
// at column 1 stops before that line.
func lastLine(r hcl.Range) int {
	if r.End.Line > r.Start.Line && r.End.Column <= 1 {
		return r.End.Line - 1
	}
	if r.End.Line < r.Start.Line {
		return r.Start.Line
	}
	return r.End.Line
}

// hasPos reports whether a range points into a file.
func hasPos(r hcl.Range) bool { return r.Filename != "" && r.Start.Line > 0 }

// mask says how much of a snippet line is hidden.
type mask int

const (
	maskNone mask = iota
	// maskValue keeps the text up to the first `=` (`:` in JSON files).
	maskValue
	// maskLine hides the whole line, keeping its indentation.
	maskLine
)

// redacted replaces hidden source text.
const redacted = "<redacted>"

// sources gives snippet lines with secrets masked.
type sources struct {
	redact  func(string) string // the run's secret values (analyzer.Result.Redact)
	files   map[string]*model.File
	secrets map[string]map[int]mask // file → line → mask
	starts  map[string][]int        // file → byte offset of each line start (BOM stripped)
}

// newSources indexes the lines that findings marked Secret cover, in any
// file, suppressed or not. It is built once per render.
func newSources(res *analyzer.Result) *sources {
	s := &sources{redact: res.Redact, files: res.Files, secrets: map[string]map[int]mask{}, starts: map[string][]int{}}
	for _, f := range res.Findings {
		if !f.Secret || f.Range.Filename == "" {
			continue
		}
		r := f.Range
		first := r.Start.Line
		if first < 1 {
			first = 1
		}
		last := lastLine(r)
		if r.Start.Line < 1 {
			// A secret without a usable position: hide the whole file.
			last = 1 << 30
		}
		if f := s.files[r.Filename]; f != nil {
			if n := bytes.Count(f.Src, []byte("\n")) + 1; last > n {
				last = n
			}
		} else if last > first+100000 {
			last = first + 100000
		}
		m := s.secrets[r.Filename]
		if m == nil {
			m = map[int]mask{}
			s.secrets[r.Filename] = m
		}
		for n := first; n <= last; n++ {
			k := maskLine
			if n == r.Start.Line {
				k = maskValue
			}
			if k > m[n] {
				m[n] = k
			}
		}
	}
	return s
}

// src is a file's source without a byte order mark: hcl positions count
// from there.
func src(f *model.File) []byte {
	return bytes.TrimPrefix(f.Src, []byte("\xef\xbb\xbf"))
}

// lineStarts returns the byte offset of each line start in a file.
func (s *sources) lineStarts(name string) []int {
	if st, ok := s.starts[name]; ok {
		return st
	}
	f := s.files[name]
	var st []int
	if f != nil && f.Src != nil { // a file listed without its source (a one-line plan) has no snippets
		st = []int{0}
		for i, c := range src(f) {
			if c == '\n' {
				st = append(st, i+1)
			}
		}
	}
	s.starts[name] = st
	return st
}

// rawLine returns line n (1-based) without its line ending, unmasked.
func (s *sources) rawLine(name string, n int) (string, bool) {
	f := s.files[name]
	st := s.lineStarts(name)
	if f == nil || n < 1 || n > len(st) {
		return "", false
	}
	b := src(f)
	end := len(b)
	if n < len(st) {
		end = st[n] - 1
	}
	return strings.TrimRight(string(b[st[n-1]:end]), "\r"), true
}

// line returns line n of a file with secrets masked. keep is how many
// leading bytes of the line are shown as written, -1 when nothing is masked.
func (s *sources) line(name string, n int) (text string, keep int, ok bool) {
	text, ok = s.rawLine(name, n)
	if !ok {
		return "", -1, false
	}
	keep = -1
	if k := s.secrets[name][n]; k != maskNone {
		text, keep = maskText(text, k, s.isJSON(name))
	}
	// A secret value of the run, wherever it is written (a sensitive
	// value used in another file, a file() content pasted in a local).
	if red := s.redact(text); red != text {
		same := 0
		for same < len(text) && same < len(red) && text[same] == red[same] {
			same++
		}
		if keep < 0 || same < keep {
			keep = same
		}
		text = red
	}
	return text, keep, true
}

func (s *sources) isJSON(name string) bool {
	if f := s.files[name]; f != nil {
		return f.Kind.IsJSON()
	}
	return strings.HasSuffix(name, ".json")
}

// maskText hides a secret line: maskValue keeps everything up to and
// including the first `=` (or `:` in JSON) when what comes before it is a
// plain key (`password =`, `"token":`); maskLine, and lines where the
// separator may sit inside a value (`"postgres://u:p@h?sslmode=…"`), keep
// only their indentation. keep is the number of bytes of the line kept.
func maskText(line string, k mask, json bool) (text string, keep int) {
	if k == maskValue {
		sep := "="
		if json {
			sep = ":"
		}
		if i := strings.Index(line, sep); i >= 0 && keyPrefix.MatchString(line[:i]) {
			return line[:i+1] + " " + redacted, i + 1
		}
	}
	indent := line[:len(line)-len(strings.TrimLeft(line, " \t"))]
	return indent + redacted, len(indent)
}

// keyPrefix matches what may come before an assignment's separator: an
// identifier or a quoted key, optionally after an opening brace or comma.
var keyPrefix = regexp.MustCompile(`^[\s{,]*([A-Za-z_][A-Za-z0-9_-]*|"[^"\\]*")\s*$`)

// snippet returns the masked source of the lines a range covers; ok is
// false when the file is unknown or the region is longer than max lines.
func (s *sources) snippet(r hcl.Range, max int) (string, bool) {
	if !hasPos(r) {
		return "", false
	}
	last := lastLine(r)
	if last-r.Start.Line+1 > max {
		return "", false
	}
	var b strings.Builder
	for n := r.Start.Line; n <= last; n++ {
		text, _, ok := s.line(r.Filename, n)
		if !ok {
			return "", false
		}
		b.WriteString(text)
		b.WriteByte('\n')
	}
	return b.String(), true
}

// byteInLine converts a position to a byte offset within its line; ok is
// false when the position's byte offset does not fall on its line (ranges
// made up by rules, or files not loaded).
func (s *sources) byteInLine(name string, p hcl.Pos) (int, bool) {
	st := s.lineStarts(name)
	if p.Line < 1 || p.Line > len(st) {
		return 0, false
	}
	start := st[p.Line-1]
	end := len(src(s.files[name]))
	if p.Line < len(st) {
		end = st[p.Line] - 1
	}
	if p.Byte < start || p.Byte > end {
		return 0, false
	}
	return p.Byte - start, true
}

// utf16Column is a position's 1-based column in UTF-16 code units, which is
// how SARIF counts by default; hcl counts grapheme clusters.
func (s *sources) utf16Column(name string, p hcl.Pos) int {
	off, ok := s.byteInLine(name, p)
	if !ok {
		if p.Column < 1 {
			return 1
		}
		return p.Column
	}
	line, _ := s.rawLine(name, p.Line)
	if off > len(line) {
		off = len(line)
	}
	n := 0
	for _, r := range line[:off] {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n + 1
}

// sanitize makes text safe for a terminal: control characters other than
// tab are shown escaped so that a file cannot drive the terminal. Newlines
// become spaces when oneLine is set.
func sanitize(s string, oneLine bool) string {
	clean := true
	for _, r := range s {
		if isControl(r) && r != '\t' {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i, w := 0, 0; i < len(s); i += w {
		r, size := utf8.DecodeRuneInString(s[i:])
		w = size
		switch {
		case r == '\n' && oneLine:
			b.WriteByte(' ')
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case r == '\r' && oneLine:
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case isControl(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isControl(r rune) bool {
	return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == utf8.RuneError
}

// sortedKeys returns a map's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
