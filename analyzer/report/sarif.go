package report

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"net/url"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"

	"github.com/tfgate/tfgate/analyzer"
)

// GitHub code scanning's limits on an uploaded SARIF file ("SARIF support
// for code scanning" and "SARIF results exceed limit" in GitHub's docs).
// Files over them are rejected, so tfgate trims its output to fit and says
// what it left out.
const (
	// maxSARIFResults is the most results in one run.
	maxSARIFResults = 25000
	// maxSARIFRules is the most rules in one run.
	maxSARIFRules = 25000
	// maxLocations is the most locations on one result: the primary one
	// plus related locations.
	maxLocations = 1000
	// maxSARIFBytes is the upload size limit, gzip-compressed.
	maxSARIFBytes = 10 * 1000 * 1000
	// maxMessage bounds message texts, in bytes.
	maxMessage = 4096
	// maxSnippetRegionLines: regions longer than this carry no snippet.
	maxSnippetRegionLines = 20
	// maxFullDescription bounds rules' fullDescription, in characters:
	// GitHub rejects longer ones. The whole documentation stays in help.
	maxFullDescription = 1024
	// maxRuleName bounds rules' names, in characters.
	maxRuleName = 255
)

const (
	sarifSchemaURI = "https://json.schemastore.org/sarif-2.1.0.json"
	srcRoot        = "%SRCROOT%"
	// fingerprintKey names tfgate's partial fingerprint. Bump the version if
	// Finding.Fingerprint ever changes, so that alerts are not matched
	// across incompatible fingerprints.
	fingerprintKey = "tfgateFingerprint/v1"
	// lineHashKey is the partial fingerprint GitHub code scanning matches
	// alerts by. tfgate fills it from its own identity of the finding
	// instead of a hash of the line's text: alerts survive edits around
	// them, and two findings on one line (one per environment) stay apart.
	lineHashKey = "primaryLocationLineHash"
)

// Security severities GitHub shows for security rules: high, medium, low.
var securitySeverity = map[analyzer.Severity]string{analyzer.Error: "8.5", analyzer.Warning: "5.5", analyzer.Note: "2.0"}

// problemSeverity is properties."problem.severity" for the other rules.
var problemSeverity = map[analyzer.Severity]string{analyzer.Error: "error", analyzer.Warning: "warning", analyzer.Note: "recommendation"}

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool               sarifTool                        `json:"tool"`
	Invocations        []sarifInvocation                `json:"invocations"`
	AutomationDetails  sarifAutomation                  `json:"automationDetails"`
	OriginalURIBaseIDs map[string]sarifArtifactLocation `json:"originalUriBaseIds,omitempty"`
	ColumnKind         string                           `json:"columnKind"`
	Results            []sarifResult                    `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name            string      `json:"name"`
	Version         string      `json:"version"`
	SemanticVersion string      `json:"semanticVersion,omitempty"`
	InformationURI  string      `json:"informationUri"`
	Rules           []sarifRule `json:"rules"`
}

type sarifText struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifRule struct {
	ID                   string          `json:"id"`
	Name                 string          `json:"name"`
	ShortDescription     sarifText       `json:"shortDescription"`
	FullDescription      sarifText       `json:"fullDescription"`
	Help                 sarifText       `json:"help"`
	HelpURI              string          `json:"helpUri,omitempty"`
	DefaultConfiguration sarifRuleConfig `json:"defaultConfiguration"`
	Properties           map[string]any  `json:"properties"`
}

type sarifRuleConfig struct {
	Level string `json:"level"`
}

type sarifInvocation struct {
	ExecutionSuccessful        bool                   `json:"executionSuccessful"`
	CommandLine                string                 `json:"commandLine,omitempty"`
	WorkingDirectory           *sarifArtifactLocation `json:"workingDirectory,omitempty"`
	StartTimeUTC               string                 `json:"startTimeUtc,omitempty"`
	EndTimeUTC                 string                 `json:"endTimeUtc,omitempty"`
	ToolExecutionNotifications []sarifNotification    `json:"toolExecutionNotifications"`
}

type sarifNotification struct {
	Level   string       `json:"level"`
	Message sarifMessage `json:"message"`
}

type sarifAutomation struct {
	ID string `json:"id"`
}

type sarifMessage struct {
	Text string `json:"text"`
}

type sarifResult struct {
	RuleID              string             `json:"ruleId"`
	RuleIndex           int                `json:"ruleIndex"`
	Level               string             `json:"level"`
	Message             sarifMessage       `json:"message"`
	Locations           []sarifLocation    `json:"locations"`
	RelatedLocations    []sarifLocation    `json:"relatedLocations,omitempty"`
	PartialFingerprints map[string]string  `json:"partialFingerprints"`
	Suppressions        []sarifSuppression `json:"suppressions,omitempty"`
}

type sarifLocation struct {
	ID               int            `json:"id,omitempty"`
	PhysicalLocation *sarifPhysical `json:"physicalLocation,omitempty"`
	LogicalLocations []sarifLogical `json:"logicalLocations,omitempty"`
	Message          *sarifMessage  `json:"message,omitempty"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifactLocation `json:"artifactLocation"`
	Region           *sarifRegion          `json:"region,omitempty"`
}

type sarifArtifactLocation struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

type sarifRegion struct {
	StartLine   int           `json:"startLine"`
	StartColumn int           `json:"startColumn,omitempty"`
	EndLine     int           `json:"endLine,omitempty"`
	EndColumn   int           `json:"endColumn,omitempty"`
	Snippet     *sarifSnippet `json:"snippet,omitempty"`
}

type sarifSnippet struct {
	Text string `json:"text"`
}

type sarifLogical struct {
	FullyQualifiedName string `json:"fullyQualifiedName"`
}

type sarifSuppression struct {
	Kind          string         `json:"kind"`
	Justification string         `json:"justification,omitempty"`
	Location      *sarifLocation `json:"location,omitempty"`
}

func renderSARIF(res *analyzer.Result, meta Meta) ([]byte, error) {
	out, err := marshal(buildSARIF(res, meta, true, nil))
	if err != nil || len(out) <= maxSARIFBytes {
		return out, err
	}
	// Only a file over the limit uncompressed can be over it compressed.
	size := gzipSize(out)
	if size <= maxSARIFBytes {
		return out, nil
	}
	extra := []sarifNotification{{Level: "warning", Message: sarifMessage{Text: fmt.Sprintf(
		"the SARIF file was %.1f MB gzip-compressed, over GitHub's %d MB upload limit: source snippets were left out", float64(size)/1e6, maxSARIFBytes/1000000)}}}
	meta.warn(extra[0].Message.Text)
	out, err = marshal(buildSARIF(res, meta, false, extra))
	if err != nil {
		return nil, err
	}
	if size = gzipSize(out); size > maxSARIFBytes {
		extra = append(extra, sarifNotification{Level: "warning", Message: sarifMessage{Text: fmt.Sprintf(
			"the SARIF file is still %.1f MB gzip-compressed: GitHub code scanning will reject it; lint fewer paths per upload, each with its own --category", float64(size)/1e6)}})
		meta.warn(extra[len(extra)-1].Message.Text)
		out, err = marshal(buildSARIF(res, meta, false, extra))
	}
	return out, err
}

func gzipSize(b []byte) int {
	var buf bytes.Buffer
	w, _ := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
	w.Write(b)
	w.Close()
	return buf.Len()
}

func buildSARIF(res *analyzer.Result, meta Meta, snippets bool, extra []sarifNotification) sarifLog {
	src := newSources(res)
	category := meta.Category
	if category == "" {
		category = defaultCategory
	}
	if !strings.HasSuffix(category, "/") {
		// As GitHub's upload action does: without the slash, code scanning
		// would read the last segment as a run id, not part of the category.
		category += "/"
	}
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{
			Name:            "tfgate",
			Version:         toolVersion(meta),
			SemanticVersion: semanticVersion(meta.ToolVersion),
			InformationURI:  analyzer.InformationURI,
			Rules:           []sarifRule{},
		}},
		AutomationDetails: sarifAutomation{ID: category},
		ColumnKind:        "utf16CodeUnits",
		Results:           []sarifResult{},
	}
	root := meta.RepoRoot
	if root == "" {
		root = meta.WorkDir
	}
	if u := dirURI(root); u != "" {
		run.OriginalURIBaseIDs = map[string]sarifArtifactLocation{srcRoot: {URI: u}}
	}

	// Ignored and baselined findings: GitHub code scanning opens an alert
	// for every result, suppressions or not, so they are left out unless
	// asked for.
	all := res.Findings
	left := 0
	if !meta.SARIFSuppressed {
		all = nil
		for _, f := range res.Findings {
			if f.Suppression == nil {
				all = append(all, f)
			} else {
				left++
			}
		}
	}
	findings, dropped := capResults(all)
	if dropped != "" {
		meta.warn(dropped)
	}
	var notes []sarifNotification
	ok := true
	for _, n := range res.Notifications {
		if n.Level == "error" {
			ok = false
		}
		notes = append(notes, sarifNotification{Level: notificationLevel(n.Level), Message: sarifMessage{Text: clip(n.Message)}})
	}
	if dropped != "" {
		notes = append(notes, sarifNotification{Level: "warning", Message: sarifMessage{Text: dropped}})
	}
	if left > 0 {
		notes = append(notes, sarifNotification{Level: "note", Message: sarifMessage{Text: fmt.Sprintf(
			"%s hidden by ignore comments or the baseline left out: GitHub code scanning would show them as open alerts (--sarif-suppressed keeps them as suppressed results)", plural(left, "finding"))}})
	}

	// Rules: every rule that ran, plus any rule a finding names that did
	// not (so that each result has a descriptor).
	index := map[string]int{}
	used := map[string]bool{}
	for _, f := range findings {
		used[f.RuleID] = true
	}
	var rules []analyzer.ActiveRule
	for _, ar := range res.Rules {
		if ar.Rule != nil && !hasKey(index, ar.ID) {
			index[ar.ID] = len(rules)
			rules = append(rules, ar)
		}
	}
	for _, f := range findings {
		if !hasKey(index, f.RuleID) {
			index[f.RuleID] = len(rules)
			rules = append(rules, analyzer.ActiveRule{Rule: &analyzer.Rule{ID: f.RuleID, Severity: f.Severity}, Severity: f.Severity})
		}
	}
	if len(rules) > maxSARIFRules {
		// Keep the rules with results, then the others in order. Results
		// never exceed maxSARIFRules, so every result keeps its rule.
		var keep []analyzer.ActiveRule
		for _, ar := range rules {
			if used[ar.ID] {
				keep = append(keep, ar)
			}
		}
		for _, ar := range rules {
			if !used[ar.ID] && len(keep) < maxSARIFRules {
				keep = append(keep, ar)
			}
		}
		sort.SliceStable(keep, func(i, j int) bool { return index[keep[i].ID] < index[keep[j].ID] })
		notes = append(notes, sarifNotification{Level: "note", Message: sarifMessage{Text: fmt.Sprintf(
			"%d rules without results were left out of the SARIF file: GitHub accepts at most %d rules per run", len(rules)-len(keep), maxSARIFRules)}})
		rules = keep
		index = map[string]int{}
		for i, ar := range rules {
			index[ar.ID] = i
		}
	}
	for _, ar := range rules {
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRuleOf(ar))
	}

	loc := &sarifLocator{src: src, snippets: snippets, meta: meta}
	occurrences := map[string]int{}
	for _, f := range findings {
		r := sarifResultOf(f, index[f.RuleID], loc)
		h := r.PartialFingerprints[lineHashKey]
		occurrences[h]++
		r.PartialFingerprints[lineHashKey] = fmt.Sprintf("%s:%d", h, occurrences[h])
		run.Results = append(run.Results, r)
	}

	notes = append(notes, extra...)
	if notes == nil {
		notes = []sarifNotification{}
	}
	inv := sarifInvocation{ExecutionSuccessful: ok, CommandLine: meta.CommandLine, ToolExecutionNotifications: notes}
	runDir := meta.RunDir
	if runDir == "" {
		runDir = meta.WorkDir
	}
	if u := dirURI(runDir); u != "" {
		inv.WorkingDirectory = &sarifArtifactLocation{URI: u}
	}
	if !meta.Start.IsZero() {
		inv.StartTimeUTC = sarifTime(meta.Start)
	}
	if !meta.End.IsZero() {
		inv.EndTimeUTC = sarifTime(meta.End)
	}
	run.Invocations = []sarifInvocation{inv}
	return sarifLog{Schema: sarifSchemaURI, Version: "2.1.0", Runs: []sarifRun{run}}
}

func hasKey(m map[string]int, k string) bool { _, ok := m[k]; return ok }

func sarifTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func notificationLevel(l string) string {
	switch l {
	case "error", "warning", "note":
		return l
	}
	return "note"
}

// capResults keeps at most maxSARIFResults findings: errors before
// warnings before notes, findings that count before suppressed ones, then
// file order. The findings kept stay in file order; the message says what
// was dropped ("" when nothing was).
func capResults(fs []*analyzer.Finding) ([]*analyzer.Finding, string) {
	if len(fs) <= maxSARIFResults {
		return fs, ""
	}
	order := make([]int, len(fs))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		fa, fb := fs[order[a]], fs[order[b]]
		if fa.Severity != fb.Severity {
			return fa.Severity > fb.Severity
		}
		return fa.Suppression == nil && fb.Suppression != nil
	})
	keep := make([]bool, len(fs))
	for _, i := range order[:maxSARIFResults] {
		keep[i] = true
	}
	var kept []*analyzer.Finding
	drop := map[analyzer.Severity]int{}
	for i, f := range fs {
		if keep[i] {
			kept = append(kept, f)
		} else {
			drop[f.Severity]++
		}
	}
	var parts []string
	for _, s := range []analyzer.Severity{analyzer.Error, analyzer.Warning, analyzer.Note} {
		if drop[s] > 0 {
			parts = append(parts, plural(drop[s], level(s)))
		}
	}
	n := len(fs) - maxSARIFResults
	msg := fmt.Sprintf("%d findings exceed GitHub code scanning's limit of %d results per run: the %d of lowest severity were left out of the SARIF file (%s); the text and json formats list them all",
		len(fs), maxSARIFResults, n, strings.Join(parts, ", "))
	return kept, msg
}

func sarifRuleOf(ar analyzer.ActiveRule) sarifRule {
	r := ar.Rule
	sev := ar.Severity
	if sev == 0 {
		sev = r.Severity
	}
	title := r.Doc.Title
	if title == "" {
		title = r.ID
	}
	why := strings.TrimSpace(r.Doc.Why)
	full := sarifText{Text: shorten(plainText(why), maxFullDescription), Markdown: shorten(why, maxFullDescription)}
	if why == "" {
		full = sarifText{Text: shorten(title, maxFullDescription)}
	}
	help := sarifText{Text: title}
	if r.Doc.Why != "" {
		md := analyzer.RuleMarkdown(r)
		help = sarifText{Text: md, Markdown: md}
	}
	tags := []string{}
	if r.Family != "" {
		tags = append(tags, string(r.Family))
	}
	props := map[string]any{"precision": "high"}
	if r.Security {
		tags = append(tags, "security")
		props["security-severity"] = securitySeverity[sev]
	} else {
		props["problem.severity"] = problemSeverity[sev]
	}
	props["tags"] = tags
	out := sarifRule{
		ID:                   r.ID,
		Name:                 shorten(pascalCase(r.ID), maxRuleName),
		ShortDescription:     sarifText{Text: title},
		FullDescription:      full,
		Help:                 help,
		DefaultConfiguration: sarifRuleConfig{Level: level(sev)},
		Properties:           props,
	}
	if r.Doc.Why != "" {
		out.HelpURI = r.DocURL()
	}
	return out
}

// sarifLocator turns ranges into SARIF locations.
type sarifLocator struct {
	src      *sources
	snippets bool
	meta     Meta
}

func sarifResultOf(f *analyzer.Finding, ruleIndex int, l *sarifLocator) sarifResult {
	fp := f.Fingerprint()
	res := sarifResult{
		RuleID:    f.RuleID,
		RuleIndex: ruleIndex,
		Level:     level(f.Severity),
		Message:   sarifMessage{Text: clip(f.FullMessage())},
		// The line hash: tfgate's identity (rule, module, address,
		// attribute, and the calls that told apart findings that would
		// share it), 16 hex digits as GitHub writes its own; the caller adds
		// the ":occurrence" suffix.
		PartialFingerprints: map[string]string{fingerprintKey: fp, lineHashKey: fp[:16]},
	}
	loc := sarifLocation{PhysicalLocation: l.physical(f.Range, true)}
	if f.Address != "" {
		loc.LogicalLocations = []sarifLogical{{FullyQualifiedName: f.Address}}
	}
	res.Locations = []sarifLocation{loc}
	for i, rel := range f.Related {
		if i+1 >= maxLocations {
			break
		}
		res.RelatedLocations = append(res.RelatedLocations, sarifLocation{
			ID:               i + 1,
			PhysicalLocation: l.physical(rel.Range, true),
			Message:          &sarifMessage{Text: clip(rel.Message)},
		})
	}
	if s := f.Suppression; s != nil {
		sup := sarifSuppression{Kind: s.Kind, Justification: clip(s.Justification)}
		if sup.Kind != "inSource" {
			sup.Kind = "external"
		}
		if s.Range != nil && s.Range.Filename != "" {
			sup.Location = &sarifLocation{PhysicalLocation: l.physical(*s.Range, false)}
		}
		res.Suppressions = []sarifSuppression{sup}
	}
	return res
}

// physical is a range as a SARIF physical location; nil when the range has
// no file.
func (l *sarifLocator) physical(r hcl.Range, snippets bool) *sarifPhysical {
	if r.Filename == "" {
		return nil
	}
	src := l.src
	snippets = snippets && l.snippets
	p := &sarifPhysical{ArtifactLocation: l.artifact(r.Filename)}
	if r.Start.Line < 1 {
		return p
	}
	reg := &sarifRegion{StartLine: r.Start.Line, StartColumn: src.utf16Column(r.Filename, r.Start)}
	endLine, endCol := r.End.Line, src.utf16Column(r.Filename, r.End)
	if endLine < reg.StartLine || (endLine == reg.StartLine && endCol <= reg.StartColumn) {
		// An empty range: mark the character at the start.
		endLine, endCol = reg.StartLine, reg.StartColumn+1
	}
	reg.EndLine, reg.EndColumn = endLine, endCol
	if snippets {
		if text, ok := src.snippet(r, maxSnippetRegionLines); ok {
			reg.Snippet = &sarifSnippet{Text: text}
		}
	}
	p.Region = reg
	return p
}

// artifact locates a file: relative to the repository root against
// %SRCROOT%; files outside it (and absolute names) as file URIs.
func (l *sarifLocator) artifact(name string) sarifArtifactLocation {
	rel := repoPath(l.meta, name)
	if !isAbs(rel) && (rel == ".." || strings.HasPrefix(rel, "../")) && l.meta.WorkDir != "" {
		rel = filepath.Join(l.meta.WorkDir, filepath.FromSlash(rel))
	}
	if isAbs(rel) {
		return sarifArtifactLocation{URI: fileURI(rel)}
	}
	return sarifArtifactLocation{URI: (&url.URL{Path: rel}).String(), URIBaseID: srcRoot}
}

func isAbs(name string) bool {
	return strings.HasPrefix(name, "/") || filepath.IsAbs(name) || (len(name) > 2 && name[1] == ':' && (name[2] == '/' || name[2] == '\\'))
}

// fileURI turns an absolute path (Unix or Windows) into a file URI.
func fileURI(p string) string {
	p = filepath.ToSlash(strings.ReplaceAll(p, `\`, "/"))
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // C:/x → /C:/x
	}
	return (&url.URL{Scheme: "file", Path: p}).String()
}

// dirURI is the file URI of a directory, with the trailing slash SARIF
// requires of a base URI.
func dirURI(dir string) string {
	if dir == "" {
		return ""
	}
	u := fileURI(dir)
	if !strings.HasSuffix(u, "/") {
		u += "/"
	}
	return u
}

var semverPattern = regexp.MustCompile(`^v?((0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?)$`)

// semanticVersion is the version without a leading v when it is a
// semantic version, else "".
func semanticVersion(v string) string {
	if m := semverPattern.FindStringSubmatch(v); m != nil {
		return m[1]
	}
	return ""
}

// pascalCase turns a rule ID into a SARIF rule name: state-remote-backend
// → StateRemoteBackend.
func pascalCase(id string) string {
	var b strings.Builder
	for _, part := range strings.Split(id, "-") {
		if part == "" {
			continue
		}
		r, size := utf8.DecodeRuneInString(part)
		b.WriteString(strings.ToUpper(string(r)))
		b.WriteString(part[size:])
	}
	return b.String()
}

var (
	mdLink   = regexp.MustCompile(`\[([^\]]+)\]\(([^)\s]+)\)`)
	mdMarker = strings.NewReplacer("`", "", "**", "", "__", "")
)

// plainText strips the little markdown rule docs use: code spans, bold and
// links (kept as "text (url)").
func plainText(md string) string {
	return mdMarker.Replace(mdLink.ReplaceAllString(md, "$1 ($2)"))
}

// shorten bounds a text to max characters: at the end of a paragraph, else
// of a sentence, else of a word that fits, with "…" when anything was cut.
func shorten(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	runes := []rune(s)
	cut := string(runes[:max-1])
	for _, sep := range []string{"\n\n", ". ", " "} {
		if i := strings.LastIndex(cut, sep); i > max/2 {
			end := i
			if sep == ". " {
				end++ // keep the full stop
			}
			return strings.TrimRight(cut[:end], " \n") + " …"
		}
	}
	return cut + "…"
}

// clip bounds a message's length, cutting at a rune boundary.
func clip(s string) string {
	if len(s) <= maxMessage {
		return s
	}
	cut := maxMessage - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
