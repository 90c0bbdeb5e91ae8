package analyzer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// Options configure one lint run.
type Options struct {
	Load           LoadOptions
	Eval           EvalOptions
	Rules          []*Rule // the registry
	Config         *Config // nil: defaults
	Enable         []string
	Disable        []string
	OnlyFamilies   []string
	BackendConfigs []*File
	Baseline       *Baseline
	// Plan, when set, is linted by the rules' Plan functions; PlanRoot is
	// the root module it was made from ("" when the configuration is not
	// scanned or when there is only one root).
	Plan     *Plan
	PlanRoot string
	PlanOnly bool      // `tfgate plan`: run only the rules' Plan functions
	Now      time.Time // for ignore expiry; zero means time.Now()
}

// Notification is a message about the run itself (not a finding).
type Notification struct {
	Level   string // "error", "warning" or "note"
	Message string
}

// ActiveRule is a rule as configured for a run.
type ActiveRule struct {
	*Rule
	Severity Severity
}

// Result is the outcome of a run.
type Result struct {
	Findings      []*Finding
	Rules         []ActiveRule // the rules that ran, sorted by ID
	Project       *Project
	Notifications []Notification
	// Files holds every loaded file by display path, for snippets.
	Files map[string]*File
}

// SelectRules applies config, --enable-rule, --disable-rule and
// --only-family to the registry. Unknown names are errors.
func SelectRules(all []*Rule, cfg *Config, enable, disable, families []string) ([]ActiveRule, error) {
	byID := map[string]*Rule{}
	var ids []string
	for _, r := range all {
		byID[r.ID] = r
		ids = append(ids, r.ID)
	}
	for _, list := range [][]string{enable, disable} {
		for _, id := range list {
			if byID[id] == nil {
				msg := fmt.Sprintf("unknown rule %q", id)
				if s := suggest(id, ids); s != "" {
					msg += fmt.Sprintf(" (did you mean %q?)", s)
				}
				return nil, fmt.Errorf("%s; `tfgate rules` lists them", msg)
			}
		}
	}
	fams := map[Family]bool{}
	for _, f := range families {
		ok := false
		for _, known := range Families {
			if string(known) == f {
				ok = true
			}
		}
		if !ok {
			var names []string
			for _, k := range Families {
				names = append(names, string(k))
			}
			return nil, fmt.Errorf("unknown family %q (families: %s)", f, strings.Join(names, ", "))
		}
		fams[Family(f)] = true
	}
	in := func(list []string, id string) bool {
		for _, x := range list {
			if x == id {
				return true
			}
		}
		return false
	}
	var out []ActiveRule
	for _, r := range all {
		enabled := true
		sev := r.Severity
		if cfg != nil {
			if rc := cfg.Rules[r.ID]; rc != nil {
				if rc.Enabled != nil {
					enabled = *rc.Enabled
				}
				if rc.Severity != 0 {
					sev = rc.Severity
				}
			}
		}
		if in(enable, r.ID) {
			enabled = true
		}
		if in(disable, r.ID) {
			enabled = false
		}
		if len(fams) > 0 && !fams[r.Family] && r.Family != FamilyTool {
			enabled = false
		}
		if enabled {
			out = append(out, ActiveRule{Rule: r, Severity: sev})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// Run loads, evaluates and lints.
func Run(opts Options) (*Result, error) {
	active, err := SelectRules(opts.Rules, opts.Config, opts.Enable, opts.Disable, opts.OnlyFamilies)
	if err != nil {
		return nil, err
	}
	if opts.PlanOnly {
		p := &Project{byDir: map[string]*Module{}}
		return RunRules(p, active, opts), nil
	}
	p, err := Load(opts.Load)
	if err != nil {
		return nil, err
	}
	t := time.Now()
	p.Instantiate(opts.Eval)
	p.Timings = append(p.Timings, PhaseTiming{"evaluate", time.Since(t)})
	t = time.Now()
	res := RunRules(p, active, opts)
	p.Timings = append(p.Timings, PhaseTiming{"rules", time.Since(t)})
	return res, nil
}

// RunRules runs the active rules on a loaded project and applies ignores
// and the baseline.
func RunRules(p *Project, active []ActiveRule, opts Options) *Result {
	res := &Result{Project: p, Rules: active, Files: map[string]*File{}}
	for _, m := range p.Modules {
		for _, group := range [][]*File{m.Files, m.VarFiles, m.BackendFile} {
			for _, f := range group {
				res.Files[f.Path] = f
			}
		}
		if m.LockFile != nil {
			res.Files[m.LockFile.Path] = m.LockFile
		}
	}
	for _, f := range p.LooseFiles {
		res.Files[f.Path] = f
	}
	for _, f := range opts.BackendConfigs {
		res.Files[f.Path] = f
	}
	for _, f := range opts.Eval.VarFiles {
		res.Files[f.Path] = f
	}
	if opts.Plan != nil {
		f := &File{Path: opts.Plan.Path, Kind: KindTFJSON}
		if planSnippetSafe(opts.Plan.Src) {
			f.Src = opts.Plan.Src
		}
		res.Files[opts.Plan.Path] = f
	}
	var (
		mu       sync.Mutex
		findings []*Finding
		wg       sync.WaitGroup
	)
	var planRoot *Module
	if opts.Plan != nil {
		if opts.Plan.Errored {
			res.Notifications = append(res.Notifications, Notification{Level: "warning", Message: fmt.Sprintf("plan %s errored: linting the resources it has", opts.Plan.Path)})
		}
		if len(p.Modules) > 0 {
			var err error
			if planRoot, err = p.PlanRoot(opts.PlanRoot); err != nil {
				res.Notifications = append(res.Notifications, Notification{Level: "warning", Message: fmt.Sprintf("plan findings point into %s, not at source lines: %v", opts.Plan.Path, err)})
			}
		}
	}
	type job struct {
		ar   ActiveRule
		plan bool
	}
	var jobs []job
	for _, ar := range active {
		if ar.Run != nil && !opts.PlanOnly {
			jobs = append(jobs, job{ar, false})
		}
		if ar.Plan != nil && opts.Plan != nil {
			jobs = append(jobs, job{ar, true})
		}
	}
	for _, j := range jobs {
		ar, isPlan := j.ar, j.plan
		wg.Add(1)
		go func() {
			defer wg.Done()
			pass := &Pass{Rule: ar.Rule, Project: p, Severity: ar.Severity, Options: map[string]cty.Value{}, BackendConfigs: opts.BackendConfigs, AllRules: opts.Rules}
			if isPlan {
				pass.Plan, pass.PlanRoot = opts.Plan, planRoot
			}
			if opts.Config != nil {
				if rc := opts.Config.Rules[ar.ID]; rc != nil {
					for k, v := range rc.Options {
						pass.Options[k] = v
					}
				}
			}
			var local []*Finding
			pass.report = func(f *Finding) { local = append(local, f) }
			err := func() (err error) {
				defer func() {
					if r := recover(); r != nil {
						err = fmt.Errorf("panic: %v\n%s", r, debug.Stack())
					}
				}()
				if isPlan {
					return ar.Plan(pass)
				}
				return ar.Run(pass)
			}()
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				res.Notifications = append(res.Notifications, Notification{Level: "error", Message: fmt.Sprintf("rule %s failed: %v", ar.ID, err)})
			}
			findings = append(findings, local...)
		}()
	}
	wg.Wait()
	findings = preferPlan(findings)
	findings = mergeFindings(findings)
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	// An ignore for a rule that did not run (a plan rule without a plan,
	// say) is not reported as unused: only the rules that ran count.
	var ran []ActiveRule
	for _, ar := range active {
		if (ar.Run != nil && !opts.PlanOnly) || (ar.Plan != nil && opts.Plan != nil) || ar.ID == ignoreRuleID {
			ran = append(ran, ar)
		}
	}
	findings = applyIgnores(res, findings, ran, now)
	if opts.Baseline != nil {
		for _, f := range findings {
			if f.Suppression == nil && opts.Baseline.Has(f) {
				f.Suppression = &Suppression{Kind: "external", Justification: "in baseline " + opts.Baseline.Path}
			}
		}
	}
	SortFindings(findings)
	sort.SliceStable(res.Notifications, func(i, j int) bool { return res.Notifications[i].Message < res.Notifications[j].Message })
	res.Findings = findings
	return res
}

// planSnippetSafe reports whether reporters may quote lines of the plan
// JSON in snippets. A plan holds every value in clear, sensitive ones
// included; in an indented plan the line a finding points at is its
// "address" or key line, but `terraform show -json` writes the whole plan
// on one line, which must never be printed: such a plan is listed without
// its source.
func planSnippetSafe(src []byte) bool {
	for len(src) > 0 {
		i := bytes.IndexByte(src, '\n')
		if i < 0 {
			i = len(src)
		}
		if i > 300 {
			return false
		}
		src = src[min(i+1, len(src)):]
	}
	return true
}

// preferPlan drops a static finding when a plan finding of the same rule
// covers the same block: the plan's values are the real ones.
func preferPlan(in []*Finding) []*Finding {
	type span struct {
		rule string
		rng  hcl.Range
	}
	var plan []span
	for _, f := range in {
		if f.Source == "plan" && f.planBlock != nil {
			plan = append(plan, span{f.RuleID, f.planBlock.Range})
		}
	}
	if len(plan) == 0 {
		return in
	}
	out := in[:0]
	for _, f := range in {
		drop := false
		if f.Source != "plan" {
			for _, s := range plan {
				if s.rule == f.RuleID && s.rng.Filename == f.Range.Filename &&
					f.Range.Start.Byte >= s.rng.Start.Byte && f.Range.Start.Byte <= s.rng.End.Byte {
					drop = true
					break
				}
			}
		}
		if !drop {
			out = append(out, f)
		}
	}
	return out
}

// mergeFindings folds the same finding reached through several module calls
// into one that names every call.
func mergeFindings(in []*Finding) []*Finding {
	type key struct {
		rule, msg string
		rng       hcl.Range
	}
	idx := map[key]*Finding{}
	standalone := map[key]bool{}
	var out []*Finding
	for _, f := range in {
		k := key{f.RuleID, f.Message, f.Range}
		if prev, ok := idx[k]; ok {
			// A finding that holds on its own (no call) needs no "via".
			if standalone[k] || len(f.Via) == 0 {
				standalone[k] = true
				prev.Via = nil
				continue
			}
			for _, v := range f.Via {
				dup := false
				for _, pv := range prev.Via {
					dup = dup || pv == v
				}
				if !dup {
					prev.Via = append(prev.Via, v)
				}
			}
			continue
		}
		idx[k] = f
		standalone[k] = len(f.Via) == 0
		out = append(out, f)
	}
	for _, f := range out {
		sort.Strings(f.Via)
	}
	// The same block reached through different calls can give different
	// messages (each caller's values): keep them apart in fingerprints by
	// naming the calls, so that code scanning tracks each one.
	byFP := map[string][]*Finding{}
	for _, f := range out {
		fp := f.Fingerprint()
		byFP[fp] = append(byFP[fp], f)
	}
	for _, group := range byFP {
		if len(group) < 2 {
			continue
		}
		for _, f := range group {
			if len(f.Via) > 0 {
				f.fpExtra = strings.Join(f.Via, ";")
			}
		}
	}
	return out
}

// ignoreRuleID is the rule under which ignore directives are reported.
const ignoreRuleID = "ignore-directive"

func applyIgnores(res *Result, findings []*Finding, active []ActiveRule, now time.Time) []*Finding {
	activeIDs := map[string]bool{}
	var ignRule *ActiveRule
	for i, ar := range active {
		activeIDs[ar.ID] = true
		if ar.ID == ignoreRuleID {
			ignRule = &active[i]
		}
	}
	var files []*File
	for _, f := range res.Files {
		if len(f.Ignores) > 0 {
			files = append(files, f)
		}
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	today := now.Truncate(24 * time.Hour)
	for _, file := range files {
		for _, ign := range file.Ignores {
			if ign.Malformed != "" {
				continue
			}
			expired := !ign.Expires.IsZero() && ign.Expires.Before(today)
			for _, f := range findings {
				if f.Suppression != nil || !ign.covers(f.RuleID, f.Range) {
					continue
				}
				ign.Used = true
				if expired {
					continue
				}
				r := ign.Range
				f.Suppression = &Suppression{Kind: "inSource", Justification: ign.Reason, Range: &r}
			}
		}
	}
	if ignRule == nil {
		return findings
	}
	for _, file := range files {
		if file.Module != nil && !file.Module.Scanned {
			continue
		}
		for _, ign := range file.Ignores {
			if ign.Malformed != "" {
				continue // reported by the ignore-directive rule itself
			}
			ids := strings.Join(ign.Rules, ",")
			switch {
			case !ign.Expires.IsZero() && ign.Expires.Before(today):
				findings = append(findings, &Finding{RuleID: ignoreRuleID, Severity: ignRule.Severity, Range: ign.Range, Module: moduleDir(file), Address: fmt.Sprintf("ignore@%s", ids), Source: "config",
					Message: fmt.Sprintf("ignore for %s expired on %s: the findings it covered count again; fix them or extend the date", ids, ign.Expires.Format("2006-01-02"))})
			case !ign.Used:
				allActive := true
				for _, id := range ign.Rules {
					allActive = allActive && activeIDs[id]
				}
				if allActive {
					findings = append(findings, &Finding{RuleID: ignoreRuleID, Severity: ignRule.Severity, Range: ign.Range, Module: moduleDir(file), Address: fmt.Sprintf("ignore@%s", ids), Source: "config",
						Message: fmt.Sprintf("ignore for %s matches no finding; remove it", ids)})
				}
			}
		}
	}
	return findings
}

func moduleDir(f *File) string {
	if f.Module != nil {
		return f.Module.Dir
	}
	return filepath.ToSlash(filepath.Dir(f.Path))
}

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

// Has reports whether the baseline accepts a finding.
func (b *Baseline) Has(f *Finding) bool { return b.Fingerprints[f.Fingerprint()] }

// ReadBaseline reads a file written by WriteBaseline.
func ReadBaseline(path string) (*Baseline, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read baseline %s: %w", path, unwrapPathErr(err))
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
	out, err := json.MarshalIndent(bf, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}

// WriteFileAtomic writes data to path through a temporary file in the same
// directory and a rename, so readers never see a half-written file.
func WriteFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, unwrapPathErr(err))
	}
	name := tmp.Name()
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(name, 0o644)
	}
	if err == nil {
		err = os.Rename(name, path)
	}
	if err != nil {
		os.Remove(name)
		return fmt.Errorf("cannot write %s: %w", path, unwrapPathErr(err))
	}
	return nil
}
