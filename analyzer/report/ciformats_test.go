package report

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tfgate/tfgate/analyzer"
	"github.com/tfgate/tfgate/analyzer/model"
	"github.com/tfgate/tfgate/rules"
)

// The CI formats read back as their consumers read them. Schema and
// consumer checks with the real tools (xmllint and a JUnit XSD's rules,
// reviewdog, GitLab's Code Climate types, @actions/core) run in
// .ci/integrations.sh (step formats); these hold the invariants on every
// go test, for the fixture, a large generated result and the edge cases.

func ciResults(t *testing.T) map[string]*analyzer.Result {
	return map[string]*analyzer.Result{"fixture": fixtureResult(t), "generated": generated(40, 30, 30, 2), "edge cases": edgeCases()}
}

func counted(res *analyzer.Result) (n int, bySev map[analyzer.Severity]int) {
	bySev = map[analyzer.Severity]int{}
	for _, f := range res.Findings {
		if f.Suppression == nil {
			n++
			bySev[f.Severity]++
		}
	}
	return n, bySev
}

func TestJUnitReadsBack(t *testing.T) {
	for name, res := range ciResults(t) {
		var doc junitReport
		if err := xml.Unmarshal(render(t, "junit", res, fixedMeta), &doc); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		n, _ := counted(res)
		suppressed := len(res.Findings) - n
		if doc.Failures != n || doc.Skipped != suppressed {
			t.Errorf("%s: failures %d skipped %d, want %d and %d", name, doc.Failures, doc.Skipped, n, suppressed)
		}
		tests, failures := 0, 0
		for _, s := range doc.Suites {
			if s.Tests != len(s.Cases) {
				t.Errorf("%s: suite %s says tests=%d for %d cases", name, s.Name, s.Tests, len(s.Cases))
			}
			for _, c := range s.Cases {
				if c.Failure != nil {
					failures++
					if c.Failure.Message == "" || c.Failure.Type == "" {
						t.Errorf("%s: failure without message or type in %s", name, c.Name)
					}
				}
			}
			tests += s.Tests
		}
		if tests != doc.Tests || failures != doc.Failures {
			t.Errorf("%s: totals tests=%d failures=%d, cases say %d and %d", name, doc.Tests, doc.Failures, tests, failures)
		}
	}
}

func TestCheckstyleReadsBack(t *testing.T) {
	for name, res := range ciResults(t) {
		var doc csReport
		if err := xml.Unmarshal(render(t, "checkstyle", res, fixedMeta), &doc); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		n, bySev := counted(res)
		got := map[string]int{}
		total := 0
		for _, f := range doc.Files {
			for _, e := range f.Errors {
				got[e.Severity]++
				total++
				if !strings.HasPrefix(e.Source, "tfgate.") || e.Message == "" {
					t.Errorf("%s: %s: error without source or message: %+v", name, f.Name, e)
				}
			}
		}
		if total != n || got["error"] != bySev[analyzer.Error] || got["warning"] != bySev[analyzer.Warning] || got["info"] != bySev[analyzer.Note] {
			t.Errorf("%s: %d errors by severity %v, want %d (%v)", name, total, got, n, bySev)
		}
	}
}

// GitLab's documented required fields, value sets and fingerprint
// uniqueness (GitLab drops issues that lack them, or merges duplicates).
func TestGitLabCodeQuality(t *testing.T) {
	sev := map[string]bool{"info": true, "minor": true, "major": true, "critical": true, "blocker": true}
	for name, res := range ciResults(t) {
		var issues []map[string]any
		if err := json.Unmarshal(render(t, "gitlab", res, fixedMeta), &issues); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if n, _ := counted(res); len(issues) != n {
			t.Errorf("%s: %d issues for %d findings that count", name, len(issues), n)
		}
		fps := map[string]bool{}
		for i, is := range issues {
			for _, k := range []string{"description", "check_name", "fingerprint", "severity"} {
				if s, _ := is[k].(string); s == "" {
					t.Errorf("%s: issue %d has no %s", name, i, k)
				}
			}
			if !sev[is["severity"].(string)] {
				t.Errorf("%s: issue %d: severity %q", name, i, is["severity"])
			}
			fp := is["fingerprint"].(string)
			if fps[fp] {
				t.Errorf("%s: fingerprint %s twice", name, fp)
			}
			fps[fp] = true
			loc, _ := is["location"].(map[string]any)
			lines, _ := loc["lines"].(map[string]any)
			if p, _ := loc["path"].(string); p == "" || strings.HasPrefix(p, "/") || strings.HasPrefix(p, "../") {
				t.Errorf("%s: issue %d: path %q is not relative to the repository", name, i, loc["path"])
			}
			if b, _ := lines["begin"].(float64); b < 1 {
				t.Errorf("%s: issue %d: lines.begin %v", name, i, lines["begin"])
			}
		}
	}
}

func TestGitLabPathsFromRepoRoot(t *testing.T) {
	meta := fixedMeta
	meta.WorkDir, meta.RepoRoot = "/src/infra/envs", "/src/infra"
	var issues []glIssue
	if err := json.Unmarshal(render(t, "gitlab", fixtureResult(t), meta), &issues); err != nil {
		t.Fatal(err)
	}
	if got := issues[0].Location.Path; got != "envs/main.tf" {
		t.Errorf("path = %q, want envs/main.tf (relative to the repository root)", got)
	}
}

var ghLine = regexp.MustCompile(`^::(error|warning|notice) ((?:[a-zA-Z]+=[^,:]*)(?:,[a-zA-Z]+=[^,:]*)*)::(.*)$`)

func TestGitHubAnnotations(t *testing.T) {
	for name, res := range ciResults(t) {
		out := string(render(t, "github", res, fixedMeta))
		kinds := map[string]int{}
		for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
			if line == "" {
				continue
			}
			m := ghLine.FindStringSubmatch(line)
			if m == nil {
				if !strings.HasPrefix(line, "tfgate: ") || !strings.Contains(line, "not annotated") {
					t.Errorf("%s: not a workflow command: %q", name, line)
				}
				continue
			}
			kinds[m[1]]++
			if strings.ContainsAny(m[3], "\r\n") {
				t.Errorf("%s: unescaped line break in %q", name, line)
			}
		}
		for k, n := range kinds {
			if n > maxGitHubAnnotations+1 { // + a tool error
				t.Errorf("%s: %d %s annotations, GitHub keeps %d", name, n, k, maxGitHubAnnotations)
			}
		}
	}
	gen := generated(40, 30, 30, 2)
	n, _ := counted(gen)
	out := string(render(t, "github", gen, fixedMeta))
	if want := fmt.Sprintf("tfgate: %d findings not annotated", n-3*maxGitHubAnnotations); !strings.Contains(out, want) {
		t.Errorf("no summary of the findings left out:\n%s", out)
	}
}

// GitHub's limits on rule metadata hold for every rule tfgate ships: a
// fullDescription of at most 1,024 characters (the whole documentation is
// in help), names of at most 255.
func TestSARIFRuleLimits(t *testing.T) {
	res := &analyzer.Result{Files: map[string]*model.File{}}
	for _, r := range rules.All() {
		res.Rules = append(res.Rules, analyzer.ActiveRule{Rule: r, Severity: r.Severity})
	}
	var log sarifLog
	if err := json.Unmarshal(render(t, "sarif", res, Meta{}), &log); err != nil {
		t.Fatal(err)
	}
	long := 0
	for _, r := range log.Runs[0].Tool.Driver.Rules {
		for what, s := range map[string]string{"fullDescription.text": r.FullDescription.Text, "fullDescription.markdown": r.FullDescription.Markdown} {
			if n := utf8.RuneCountInString(s); n > maxFullDescription {
				t.Errorf("%s: %s is %d characters, GitHub accepts %d", r.ID, what, n, maxFullDescription)
			}
		}
		if n := utf8.RuneCountInString(r.Name); n > maxRuleName {
			t.Errorf("%s: name is %d characters", r.ID, n)
		}
		if strings.HasSuffix(r.FullDescription.Text, "…") {
			long++
			if !strings.Contains(r.Help.Markdown, strings.TrimSuffix(strings.TrimSuffix(r.FullDescription.Markdown, "…"), " ")) {
				t.Errorf("%s: the shortened description is not the start of help", r.ID)
			}
		}
	}
	if long == 0 {
		t.Error("no rule needed shortening: the check is not exercised")
	}
	t.Logf("%d of %d rules' descriptions shortened to %d characters", long, len(log.Runs[0].Tool.Driver.Rules), maxFullDescription)
	if got := shorten(strings.Repeat("word ", 300), 1024); utf8.RuneCountInString(got) > 1024 {
		t.Errorf("shorten gave %d characters", utf8.RuneCountInString(got))
	}
	if got := shorten(strings.Repeat("x", 2000), 1024); utf8.RuneCountInString(got) != 1024 {
		t.Errorf("shorten of one long word gave %d characters", utf8.RuneCountInString(got))
	}
}
