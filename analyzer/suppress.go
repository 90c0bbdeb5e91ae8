package analyzer

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/tfgate/tfgate/analyzer/model"
)

// The framework owns ignore comments: it reads them, applies them to the
// findings and reports the ones that cannot be used (malformed, naming a
// rule that does not exist), that expired or that match nothing, under the
// rule marked IgnoreDirectives. No rule reads or writes them.

// fileIgnores are the ignore comments of one file.
type fileIgnores struct {
	file *model.File
	list []*Ignore
}

// readIgnores reads the ignore comments of every file that may hold them,
// sorted by path. An ignore naming a rule the registry does not have is
// malformed: it suppresses nothing, whether or not its rule is enabled.
func readIgnores(files map[string]*model.File, registry []*Rule) []*fileIgnores {
	known := make(map[string]bool, len(registry))
	for _, r := range registry {
		known[r.ID] = true
	}
	var out []*fileIgnores
	for _, f := range files {
		switch f.Kind {
		case model.KindTF, model.KindTFVars, model.KindBackend, model.KindLock:
		default:
			continue // JSON has no comments
		}
		list := ParseIgnores(f)
		if len(list) == 0 {
			continue
		}
		for _, ign := range list {
			if ign.Malformed != "" {
				continue
			}
			var unknown []string
			for _, id := range ign.Rules {
				if !known[id] {
					unknown = append(unknown, fmt.Sprintf("%q", id))
				}
			}
			if len(unknown) > 0 {
				ign.Malformed = "unknown rule " + strings.Join(unknown, ", ") + "; `tfgate rules` lists them"
			}
		}
		out = append(out, &fileIgnores{f, list})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].file.Path < out[j].file.Path })
	return out
}

// applyIgnores suppresses the findings that usable ignores cover, and adds
// the findings about ignore comments when the IgnoreDirectives rule is
// among the rules that ran: malformed ones first, so that an ignore of
// that rule can suppress them, then, after suppression, expired ones and
// ones that matched no finding of a rule that ran.
func applyIgnores(ignores []*fileIgnores, findings []*Finding, ran []ActiveRule, now time.Time) []*Finding {
	ranIDs := map[string]bool{}
	var ignRule *ActiveRule
	for i, ar := range ran {
		ranIDs[ar.ID] = true
		if ar.IgnoreDirectives && ignRule == nil {
			ignRule = &ran[i]
		}
	}
	report := func(fi *fileIgnores) bool {
		return ignRule != nil && (fi.file.Module == nil || fi.file.Module.Scanned)
	}
	for _, fi := range ignores {
		if !report(fi) || fi.file.Module == nil {
			continue // files outside modules (--var-file, --backend-config): not reported as malformed
		}
		for _, ign := range fi.list {
			if ign.Malformed != "" {
				findings = append(findings, &Finding{RuleID: ignRule.ID, Severity: ignRule.Severity, Range: ign.Range, Module: fi.file.Module.Dir,
					Address: fmt.Sprintf("ignore@%d", ign.Range.Start.Line), Source: "config", Message: "malformed ignore: " + ign.Malformed})
			}
		}
	}
	today := now.Truncate(24 * time.Hour)
	for _, fi := range ignores {
		for _, ign := range fi.list {
			if ign.Malformed != "" {
				continue
			}
			expired := !ign.Expires.IsZero() && ign.Expires.Before(today)
			for _, f := range findings {
				if f.Suppression != nil || !ign.covers(f.RuleID, f.Range) {
					continue
				}
				ign.used = true
				if expired {
					continue
				}
				r := ign.Range
				f.Suppression = &Suppression{Kind: "inSource", Justification: ign.Reason, Range: &r}
			}
		}
	}
	for _, fi := range ignores {
		if !report(fi) {
			continue
		}
		for _, ign := range fi.list {
			if ign.Malformed != "" {
				continue
			}
			ids := strings.Join(ign.Rules, ",")
			switch {
			case !ign.Expires.IsZero() && ign.Expires.Before(today):
				findings = append(findings, &Finding{RuleID: ignRule.ID, Severity: ignRule.Severity, Range: ign.Range, Module: moduleDir(fi.file), Address: fmt.Sprintf("ignore@%s", ids), Source: "config",
					Message: fmt.Sprintf("ignore for %s expired on %s: the findings it covered count again; fix them or extend the date", ids, ign.Expires.Format("2006-01-02"))})
			case !ign.used:
				allRan := true
				for _, id := range ign.Rules {
					allRan = allRan && ranIDs[id]
				}
				if allRan {
					findings = append(findings, &Finding{RuleID: ignRule.ID, Severity: ignRule.Severity, Range: ign.Range, Module: moduleDir(fi.file), Address: fmt.Sprintf("ignore@%s", ids), Source: "config",
						Message: fmt.Sprintf("ignore for %s matches no finding; remove it", ids)})
				}
			}
		}
	}
	return findings
}

func moduleDir(f *model.File) string {
	if f.Module != nil {
		return f.Module.Dir
	}
	return filepath.ToSlash(filepath.Dir(f.Path))
}

// applyBaseline marks the findings the baseline accepts.
func applyBaseline(b *Baseline, findings []*Finding) {
	if b == nil {
		return
	}
	for _, f := range findings {
		if f.Suppression == nil && b.has(f) {
			f.Suppression = &Suppression{Kind: "external", Justification: "in baseline " + b.Path}
		}
	}
}
