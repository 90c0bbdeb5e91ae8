package report

import (
	"encoding/xml"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/tfgate/tfgate/analyzer"
)

// JUnit XML, the test report that Jenkins (junit step), Azure DevOps
// (PublishTestResults), GitLab (artifacts:reports:junit), CircleCI and
// Buildkite read. Every rule that ran is a <testsuite>; a rule without
// findings is one passing <testcase>, a rule with findings has one failing
// <testcase> per finding (classname: the file, name: rule and location, so
// CI pages group failures by file), and ignored or baselined findings are
// <skipped> test cases with their justification. A rule that failed to run
// and other tool errors are <error> test cases in a "tfgate" suite. File
// names are as the text format prints them.

type junitReport struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name      string      `xml:"name,attr"`
	Tests     int         `xml:"tests,attr"`
	Failures  int         `xml:"failures,attr"`
	Errors    int         `xml:"errors,attr"`
	Skipped   int         `xml:"skipped,attr"`
	Time      string      `xml:"time,attr"`
	Timestamp string      `xml:"timestamp,attr,omitempty"`
	Cases     []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr,omitempty"`
}

func renderJUnit(res *analyzer.Result, meta Meta) ([]byte, error) {
	elapsed := "0"
	if !meta.Start.IsZero() && meta.End.After(meta.Start) {
		elapsed = fmt.Sprintf("%.3f", meta.End.Sub(meta.Start).Seconds())
	}
	stamp := ""
	if !meta.Start.IsZero() {
		stamp = meta.Start.UTC().Format("2006-01-02T15:04:05")
	}
	rules := ruleIndex(res)
	byRule := map[string][]*analyzer.Finding{}
	var order []string
	for _, ar := range res.Rules {
		if ar.Rule != nil && byRule[ar.ID] == nil {
			byRule[ar.ID] = []*analyzer.Finding{}
			order = append(order, ar.ID)
		}
	}
	for _, f := range res.Findings {
		if _, ok := byRule[f.RuleID]; !ok {
			order = append(order, f.RuleID)
		}
		byRule[f.RuleID] = append(byRule[f.RuleID], f)
	}
	failed := map[string][]string{} // rule → why it failed to run
	for _, n := range res.Notifications {
		if n.Level == "error" && n.Rule != "" {
			failed[n.Rule] = append(failed[n.Rule], n.Message)
		}
	}
	out := junitReport{Name: "tfgate", Time: elapsed}
	for _, id := range order {
		s := junitSuite{Name: id, Time: "0", Timestamp: stamp}
		fs := byRule[id]
		for _, msg := range failed[id] {
			s.Cases = append(s.Cases, junitCase{Name: id, Classname: id, Time: "0",
				Error: &junitProblem{Message: xmlText(firstLine(msg)), Type: "rule error", Text: xmlText(msg)}})
			s.Errors++
		}
		if len(fs) == 0 && len(failed[id]) == 0 {
			s.Cases = append(s.Cases, junitCase{Name: id, Classname: id, Time: "0"})
		}
		for _, f := range fs {
			loc := f.Range.Filename
			if hasPos(f.Range) {
				loc = fmt.Sprintf("%s:%d:%d", f.Range.Filename, f.Range.Start.Line, max(f.Range.Start.Column, 1))
			}
			name := id + " at " + loc
			if f.Address != "" {
				name += " (" + f.Address + ")"
			}
			c := junitCase{Name: xmlText(name), Classname: xmlText(orDot(f.Range.Filename)), Time: "0"}
			if f.Suppression != nil {
				why := "ignored"
				if f.Suppression.Kind != "inSource" {
					why = "in the baseline"
				}
				if j := f.Suppression.Justification; j != "" {
					why += ": " + j
				}
				c.Skipped = &junitSkipped{Message: xmlText(why)}
				s.Skipped++
			} else {
				var body strings.Builder
				fmt.Fprintf(&body, "%s: %s[%s] %s\n", loc, level(f.Severity), id, f.FullMessage())
				for _, rel := range f.Related {
					fmt.Fprintf(&body, "related: %s: %s\n", rangeLocation(rel.Range), rel.Message)
				}
				fmt.Fprintf(&body, "docs: %s\n", docURL(rules, id))
				c.Failure = &junitProblem{Message: xmlText(f.FullMessage()), Type: level(f.Severity), Text: xmlText(body.String())}
				s.Failures++
			}
			s.Cases = append(s.Cases, c)
		}
		s.Tests = len(s.Cases)
		out.Suites = append(out.Suites, s)
	}
	var errs []junitCase
	for _, n := range res.Notifications {
		if n.Level == "error" && (n.Rule == "" || byRule[n.Rule] == nil) {
			errs = append(errs, junitCase{Name: xmlText(firstLine(n.Message)), Classname: "tfgate", Time: "0",
				Error: &junitProblem{Message: xmlText(n.Message), Type: "tool error", Text: xmlText(n.Message)}})
		}
	}
	if len(errs) > 0 {
		out.Suites = append(out.Suites, junitSuite{Name: "tfgate", Tests: len(errs), Errors: len(errs), Time: "0", Timestamp: stamp, Cases: errs})
	}
	for _, s := range out.Suites {
		out.Tests += s.Tests
		out.Failures += s.Failures
		out.Errors += s.Errors
		out.Skipped += s.Skipped
	}
	return xmlDoc(out)
}

func orDot(s string) string {
	if s == "" {
		return "."
	}
	return s
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) <= 200 {
		return s
	}
	cut := 200
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
