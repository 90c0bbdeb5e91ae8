package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/rogpeppe/go-internal/testscript"
)

// scriptCmds are testscript commands for reading reports back:
//
//	sarif results IN OUT   runs[0].results and tool.driver.rules of IN, as indented JSON
//	sarif hashes IN OUT    one line per result: ruleId uri:startLine primaryLocationLineHash
//	sarif check IN         GitHub's limits: 25,000 results, fullDescription <= 1,024
//	                       characters, names <= 255, a primaryLocationLineHash on every
//	                       result, all of them distinct
var scriptCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){
	"sarif": cmdSARIF,
}

type scriptSARIF struct {
	Runs []struct {
		Tool struct {
			Driver struct {
				Rules []struct {
					ID              string `json:"id"`
					Name            string `json:"name"`
					FullDescription struct {
						Text     string `json:"text"`
						Markdown string `json:"markdown"`
					} `json:"fullDescription"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		Results []struct {
			RuleID    string `json:"ruleId"`
			Locations []struct {
				PhysicalLocation *struct {
					ArtifactLocation struct {
						URI string `json:"uri"`
					} `json:"artifactLocation"`
					Region *struct {
						StartLine int `json:"startLine"`
					} `json:"region"`
				} `json:"physicalLocation"`
			} `json:"locations"`
			PartialFingerprints map[string]string `json:"partialFingerprints"`
		} `json:"results"`
	} `json:"runs"`
}

func cmdSARIF(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: sarif results|hashes IN OUT, sarif check IN")
	}
	data := []byte(ts.ReadFile(args[1]))
	var doc scriptSARIF
	if err := json.Unmarshal(data, &doc); err != nil || len(doc.Runs) != 1 {
		ts.Fatalf("%s: not a one-run SARIF file: %v", args[1], err)
	}
	run := doc.Runs[0]
	switch args[0] {
	case "results":
		var raw struct {
			Runs []struct {
				Tool struct {
					Driver struct{ Rules json.RawMessage }
				}
				Results json.RawMessage
			}
		}
		ts.Check(json.Unmarshal(data, &raw))
		out, err := json.MarshalIndent(map[string]json.RawMessage{"rules": raw.Runs[0].Tool.Driver.Rules, "results": raw.Runs[0].Results}, "", "  ")
		ts.Check(err)
		ts.Check(os.WriteFile(ts.MkAbs(args[2]), append(out, '\n'), 0o644))
	case "hashes":
		var b strings.Builder
		for _, r := range run.Results {
			loc := "-"
			if len(r.Locations) > 0 && r.Locations[0].PhysicalLocation != nil {
				p := r.Locations[0].PhysicalLocation
				loc = p.ArtifactLocation.URI
				if p.Region != nil {
					loc += fmt.Sprintf(":%d", p.Region.StartLine)
				}
			}
			fmt.Fprintf(&b, "%s %s %s\n", r.RuleID, loc, r.PartialFingerprints["primaryLocationLineHash"])
		}
		ts.Check(os.WriteFile(ts.MkAbs(args[2]), []byte(b.String()), 0o644))
	case "check":
		var problems []string
		if len(run.Results) > 25000 {
			problems = append(problems, fmt.Sprintf("%d results", len(run.Results)))
		}
		for _, r := range run.Tool.Driver.Rules {
			if n := utf8.RuneCountInString(r.FullDescription.Text); n > 1024 {
				problems = append(problems, fmt.Sprintf("%s: fullDescription.text is %d characters", r.ID, n))
			}
			if n := utf8.RuneCountInString(r.FullDescription.Markdown); n > 1024 {
				problems = append(problems, fmt.Sprintf("%s: fullDescription.markdown is %d characters", r.ID, n))
			}
			if n := utf8.RuneCountInString(r.Name); n > 255 {
				problems = append(problems, fmt.Sprintf("%s: name is %d characters", r.ID, n))
			}
		}
		seen := map[string]bool{}
		for i, r := range run.Results {
			h := r.PartialFingerprints["primaryLocationLineHash"]
			if h == "" {
				problems = append(problems, fmt.Sprintf("result %d (%s) has no primaryLocationLineHash", i, r.RuleID))
			} else if seen[h] {
				problems = append(problems, fmt.Sprintf("result %d (%s): primaryLocationLineHash %s twice", i, r.RuleID, h))
			}
			seen[h] = true
		}
		if (len(problems) > 0) != neg {
			if neg {
				ts.Fatalf("%s is within GitHub's limits", args[1])
			}
			ts.Fatalf("%s:\n%s", args[1], strings.Join(problems, "\n"))
		}
		ts.Logf("%s: %d rules, %d results within GitHub's limits", args[1], len(run.Tool.Driver.Rules), len(run.Results))
	default:
		ts.Fatalf("sarif %s: unknown", args[0])
	}
}
