package analyzer

import (
	"fmt"
	"runtime/debug"
	"sort"
	"sync"
	"time"

	"github.com/tfgate/tfgate/analyzer/eval"
	"github.com/tfgate/tfgate/analyzer/load"
	"github.com/tfgate/tfgate/analyzer/model"
	"github.com/tfgate/tfgate/analyzer/tfplan"
	"github.com/zclconf/go-cty/cty"
)

// Options configure one lint run.
type Options struct {
	Load           load.LoadOptions
	Eval           eval.Options
	Rules          []*Rule // the registry
	Config         *Config // nil: defaults
	Enable         []string
	Disable        []string
	OnlyFamilies   []string
	BackendConfigs []*model.File
	Baseline       *Baseline
	// Strict raises rules to their StrictSeverity (--strict).
	Strict bool
	// Plan, when set, is linted by the rules' Plan functions; PlanRoot is
	// the root module it was made from ("" when the configuration is not
	// scanned or when there is only one root).
	Plan     *tfplan.Plan
	PlanRoot string
	PlanOnly bool      // `tfgate plan`: run only the rules' Plan functions
	Now      time.Time // for ignore expiry; zero means time.Now()
}

// Notification is a message about the run itself (not a finding).
type Notification struct {
	Level   string // "error", "warning" or "note"
	Message string
	Rule    string // the rule that failed to run, when it is about one
}

// Result is the outcome of a run.
type Result struct {
	Findings      []*Finding
	Rules         []ActiveRule // the rules that ran, sorted by ID
	Project       *model.Project
	Notifications []Notification
	// Files holds every loaded file by display path, for snippets.
	Files map[string]*model.File
	// Timings of the phases of the run, in order (`TFGATE_TIMINGS=1 tfgate
	// lint` prints them).
	Timings []PhaseTiming
	// redactor hides the run's secret values (redact.go).
	redactor *redactor
}

// PhaseTiming is how long one phase of a run took.
type PhaseTiming struct {
	Phase    string
	Duration time.Duration
}

// Run loads, evaluates and lints.
func Run(opts Options) (*Result, error) {
	active, err := SelectRules(opts)
	if err != nil {
		return nil, err
	}
	if opts.PlanOnly {
		// `tfgate plan`: the configuration, when given (Load.Paths), only
		// maps the plan's findings to source lines.
		p := &model.Project{}
		if len(opts.Load.Paths) > 0 {
			if p, err = load.Load(opts.Load); err != nil {
				return nil, err
			}
		}
		return RunRules(p, &eval.Result{}, active, opts), nil
	}
	var timings []PhaseTiming
	lo := opts.Config.Apply(opts.Load)
	lo.Phase = func(name string, d time.Duration) { timings = append(timings, PhaseTiming{name, d}) }
	p, err := load.Load(lo)
	if err != nil {
		return nil, err
	}
	t := time.Now()
	ev := eval.Instantiate(p, opts.Eval)
	timings = append(timings, PhaseTiming{"evaluate", time.Since(t)})
	t = time.Now()
	res := RunRules(p, ev, active, opts)
	res.Timings = append(timings, PhaseTiming{"rules", time.Since(t)})
	return res, nil
}

// RunRules runs the active rules on a loaded and evaluated project and
// applies ignore comments and the baseline.
func RunRules(p *model.Project, ev *eval.Result, active []ActiveRule, opts Options) *Result {
	res := &Result{Project: p, Rules: active, Files: map[string]*model.File{}}
	for _, m := range p.Modules {
		for _, group := range [][]*model.File{m.Files, m.VarFiles, m.BackendFile} {
			for _, f := range group {
				res.Files[f.Path] = f
			}
		}
		if m.LockFile != nil {
			res.Files[m.LockFile.Path] = m.LockFile
		}
		for _, env := range m.Environments {
			for _, f := range env.Files {
				res.Files[f.Path] = f
			}
		}
	}
	for _, n := range p.Notes {
		res.Notifications = append(res.Notifications, Notification{Level: "note", Message: n})
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
		if !opts.Plan.Binary {
			// Snippets quote a readable plan JSON (tfplan/locate.go).
			f := &model.File{Path: opts.Plan.Path, Kind: model.KindTFJSON}
			if opts.Plan.Readable() {
				f.Src = opts.Plan.Src
			}
			res.Files[opts.Plan.Path] = f
		}
	}
	// Ignore comments are read while the rules run.
	var ignores []*fileIgnores
	ignoresRead := make(chan struct{})
	var ignoreErr any
	go func() {
		defer close(ignoresRead)
		defer func() { ignoreErr = recover() }()
		ignores = readIgnores(res.Files, opts.Rules)
	}()
	problems := append(append([]model.Problem(nil), p.Problems...), ev.Problems...)
	instances := lintedInstances(ev.Instances)
	sh := newShared(p)
	var (
		mu       sync.Mutex
		findings []*Finding
		wg       sync.WaitGroup
	)
	var planRoot *model.Module
	if opts.Plan != nil {
		if opts.Plan.Errored {
			res.Notifications = append(res.Notifications, Notification{Level: "warning", Message: fmt.Sprintf("plan %s errored: linting the resources it has", opts.Plan.Path)})
		}
		if len(p.Modules) > 0 {
			var err error
			if planRoot, err = p.PlanRoot(opts.PlanRoot); err != nil {
				res.Notifications = append(res.Notifications, Notification{Level: "warning", Message: fmt.Sprintf("plan findings name resource addresses, not source lines: %v", err)})
			}
		}
	}
	type job struct {
		ar   ActiveRule
		plan bool
	}
	// Rules that report problems run last, once every other rule's
	// evaluations are done, so that they see the notes those made.
	var first, last []job
	for _, ar := range active {
		var js []job
		if ar.Run != nil && !opts.PlanOnly {
			js = append(js, job{ar, false})
		}
		if ar.Plan != nil && opts.Plan != nil {
			js = append(js, job{ar, true})
		}
		if ar.ReportsProblems {
			last = append(last, js...)
		} else {
			first = append(first, js...)
		}
	}
	runJob := func(ar ActiveRule, isPlan bool, problems []model.Problem) {
		pass := &Pass{Rule: ar.Rule, Project: p, Instances: instances, Severity: ar.Severity, Options: map[string]cty.Value{}, BackendConfigs: opts.BackendConfigs, problems: problems, shared: sh}
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
			res.Notifications = append(res.Notifications, Notification{Level: "error", Rule: ar.ID, Message: fmt.Sprintf("rule %s failed: %v", ar.ID, err)})
		}
		findings = append(findings, local...)
	}
	runJobs := func(jobs []job, problems []model.Problem) {
		for _, j := range jobs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				runJob(j.ar, j.plan, problems)
			}()
		}
		wg.Wait()
	}
	runJobs(first, problems)
	runJobs(last, append(append([]model.Problem(nil), p.Problems...), ev.AllProblems()...))
	findings = preferPlan(findings, newPlanCoverage(p, opts.Plan, planRoot, active))
	findings = mergeFindings(findings)
	// The one redaction point (redact.go): before fingerprints are used
	// for ignores and the baseline, and before any reporter.
	res.redactor = newRedactor(p, ev, opts)
	for _, f := range findings {
		res.redactor.finding(f)
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	// An ignore for a rule that did not run (a plan rule without a plan,
	// say) is not reported as unused: only the rules that ran count.
	var ran []ActiveRule
	for _, ar := range active {
		if (ar.Run != nil && !opts.PlanOnly) || (ar.Plan != nil && opts.Plan != nil) || ar.IgnoreDirectives {
			ran = append(ran, ar)
		}
	}
	<-ignoresRead
	if ignoreErr != nil {
		res.Notifications = append(res.Notifications, Notification{Level: "error", Message: fmt.Sprintf("reading ignore comments failed: %v", ignoreErr)})
	}
	findings = applyIgnores(ignores, findings, ran, now)
	findings = dropContext(p, findings)
	applyBaseline(opts.Baseline, findings)
	SortFindings(findings)
	for _, f := range findings {
		if f.Suppression != nil {
			f.Suppression.Justification = res.redactor.redact(f.Suppression.Justification)
		}
	}
	for i := range res.Notifications {
		res.Notifications[i].Message = res.redactor.redact(res.Notifications[i].Message)
	}
	sort.SliceStable(res.Notifications, func(i, j int) bool { return res.Notifications[i].Message < res.Notifications[j].Message })
	res.Findings = findings
	return res
}

// lintedInstances leaves out the instances rules do not see: those of
// directories that are not modules (snippets, shared variables; evaluated
// only so that their problems are reported) and of excluded modules.
func lintedInstances(all []*eval.Instance) []*eval.Instance {
	out := make([]*eval.Instance, 0, len(all))
	for _, in := range all {
		if m := in.Module; m.Kind == model.NotModule || m.Excluded {
			continue
		}
		out = append(out, in)
	}
	return out
}

// dropContext removes the findings of context roots: the pre-commit path
// loads them only so that rules comparing roots see them beside the
// changed ones (model.Module.Context); their own problems are not what the
// commit changed.
func dropContext(p *model.Project, findings []*Finding) []*Finding {
	ctx := map[string]bool{}
	for _, m := range p.Modules {
		if m.Context {
			ctx[m.Dir] = true
		}
	}
	if len(ctx) == 0 {
		return findings
	}
	out := findings[:0]
	for _, f := range findings {
		if !ctx[f.Module] {
			out = append(out, f)
		}
	}
	return out
}
