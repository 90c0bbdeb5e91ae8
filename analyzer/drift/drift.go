// Package drift detects infrastructure changed outside Terraform: for each
// root module it runs a refresh-only plan with the real terraform (or tofu)
// binary, with the arguments and environment terraform-exec would use (see
// cli.go for why the commands are not started through it), and turns the
// plan's resource_drift into drift-detected findings that point at the
// resource blocks.
//
// The check is read-only by construction: it never applies, the plan goes
// to a temporary file outside the repository that is always removed,
// `init` (only with Options.Init) never upgrades providers, a workspace is
// only ever selected (never created) and the one selected before is
// restored. State is never written, and by default not locked either
// (-lock=false): a concurrent apply or another drift run is never blocked,
// and a killed run cannot leave a stale lock.
package drift

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/terraform-exec/tfexec"
	tfjson "github.com/hashicorp/terraform-json"

	"github.com/tfgate/tfgate/analyzer"
	"github.com/tfgate/tfgate/analyzer/load"
	"github.com/tfgate/tfgate/analyzer/model"
	"github.com/tfgate/tfgate/analyzer/tfplan"
)

// RuleID is the rule drift findings are reported under.
const RuleID = "drift-detected"

// DefaultKillGrace is how long a timed-out terraform gets to stop on its
// own (releasing its state lock) before it and its providers are killed.
const DefaultKillGrace = 10 * time.Second

// minVersion is the first release with refresh-only plans.
var minVersion = version.Must(version.NewVersion("0.15.4"))

// Options configure a drift check.
type Options struct {
	Paths   []string // directories searched for root modules; default "."
	WorkDir string   // paths in output are relative to it; default: the process's
	// Select carries the --exclude globs and the .tfgate.hcl excludes and
	// module kinds: excluded roots are not checked.
	Select load.LoadOptions

	Bin         string   // terraform or tofu: path or name; "" finds one (analyzer.FindTerraform)
	Workspace   string   // workspace to select in every root; "" keeps the selected one (or TF_WORKSPACE)
	Vars        []string // NAME=VALUE, as -var
	VarFiles    []string // as -var-file, relative to WorkDir
	LockTimeout string   // as -lock-timeout ("30s"); "" is terraform's default
	Lock        bool     // -lock=true: hold the state lock during the plan (default -lock=false)
	Init        bool     // run `init -input=false -upgrade=false` first

	Parallel  int             // roots checked at a time; default the number of CPUs
	Timeout   time.Duration   // per root; 0 for none
	KillGrace time.Duration   // after a timeout or cancel, before killing; default DefaultKillGrace
	Kill      <-chan struct{} // closed: kill running commands now, without the rest of the grace
	Shard     Shard           // zero: every root

	Rule     *analyzer.Rule    // the drift-detected rule, for reports; nil: a bare one
	Severity analyzer.Severity // effective severity; 0: the rule's
	Ignores  []*Ignore         // from the drift blocks of .tfgate.hcl
	Now      time.Time         // for ignore expiry; zero: time.Now()
	Env      []string          // environment of terraform; nil: os.Environ()

	// Progress, when set, is called once per root as it finishes (from
	// one goroutine at a time).
	Progress func(RootSummary)
}

// RootSummary is the outcome of one root, for the --summary file.
type RootSummary struct {
	Root             string  `json:"root"`
	Workspace        string  `json:"workspace"`
	Status           string  `json:"status"` // "ok", "drift" or "error"
	DurationSeconds  float64 `json:"duration_seconds"`
	ResourcesChecked int     `json:"resources_checked"`
	Drifted          int     `json:"drifted"` // drift findings that count
	Ignored          int     `json:"ignored"` // drift findings suppressed by an ignore
	Error            string  `json:"error,omitempty"`
}

// Binary describes the CLI a check ran with.
type Binary struct {
	Path    string `json:"path"`
	Version string `json:"version"`
}

// Outcome is what Run returns besides the findings.
type Outcome struct {
	Binary   Binary
	Roots    []RootSummary // sorted by root
	AllRoots int           // roots found before sharding
}

// Run checks the roots under opts.Paths for drift. The error is for
// problems that stop the whole run (an unreadable path, no usable binary,
// an unreadable var file); a root that fails is reported in its summary and
// as an error notification, and the others still run.
func Run(ctx context.Context, opts Options) (*analyzer.Result, Outcome, error) {
	var out Outcome
	project, roots, wd, err := discover(opts.Paths, opts.WorkDir, opts.Select)
	if err != nil {
		return nil, out, err
	}
	out.AllRoots = len(roots)
	var selected []*model.Module
	for _, m := range roots {
		if opts.Shard.has(m.Dir) {
			selected = append(selected, m)
		}
	}

	env := buildEnv(opts.Env)
	bin, err := tfplan.FindTerraform(opts.Bin)
	if err != nil {
		return nil, out, err
	}
	ver, err := checkVersion(ctx, bin, wd, commandEnv(env, ""), opts.Kill)
	if err != nil {
		return nil, out, err
	}
	out.Binary = Binary{Path: bin, Version: ver.String()}

	x := &executor{opts: opts, project: project, bin: bin, env: env, wd: wd}
	if x.opts.KillGrace <= 0 {
		x.opts.KillGrace = DefaultKillGrace
	}
	if x.opts.Now.IsZero() {
		x.opts.Now = time.Now()
	}
	if x.opts.Workspace == "" {
		x.opts.Workspace = envValue(opts.Env, "TF_WORKSPACE")
	}
	if x.opts.Severity == 0 {
		x.opts.Severity = analyzer.Error
		if opts.Rule != nil {
			x.opts.Severity = opts.Rule.Severity
		}
	}
	if err := x.prepareVars(); err != nil {
		return nil, out, err
	}

	res := &analyzer.Result{Project: project, Files: map[string]*model.File{}}
	rule := opts.Rule
	if rule == nil {
		rule = &analyzer.Rule{ID: RuleID, Family: analyzer.FamilyDrift, Severity: analyzer.Error}
	}
	res.Rules = []analyzer.ActiveRule{{Rule: rule, Severity: x.opts.Severity}}
	for _, m := range selected {
		for _, f := range moduleFiles(project, m) {
			res.Files[f.Path] = f
		}
	}
	if !opts.Shard.IsZero() && len(selected) == 0 {
		res.Notifications = append(res.Notifications, analyzer.Notification{Level: "note",
			Message: fmt.Sprintf("shard %s holds none of the %d roots found: nothing to check", opts.Shard, len(roots))})
	}

	parallel := opts.Parallel
	if parallel <= 0 {
		parallel = runtime.NumCPU()
	}
	// Workers take the roots in path order.
	var (
		mu   sync.Mutex
		wg   sync.WaitGroup
		jobs = make(chan *model.Module)
	)
	for w := 0; w < min(parallel, len(selected)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for m := range jobs {
				var ro rootOutcome
				if ctx.Err() == nil {
					ro = x.runRoot(ctx, m)
				} else {
					ro = rootOutcome{summary: RootSummary{Root: m.Dir, Workspace: x.opts.Workspace}, err: errors.New("cancelled before it started")}
				}
				mu.Lock()
				x.finish(res, m, &ro)
				out.Roots = append(out.Roots, ro.summary)
				if opts.Progress != nil {
					opts.Progress(ro.summary)
				}
				mu.Unlock()
			}
		}()
	}
	for _, m := range selected {
		jobs <- m
	}
	close(jobs)
	wg.Wait()
	sort.Slice(out.Roots, func(i, j int) bool { return out.Roots[i].Root < out.Roots[j].Root })
	for _, ig := range x.opts.Ignores {
		if ig.expired(x.opts.Now) {
			res.Notifications = append(res.Notifications, analyzer.Notification{Level: "warning", Message: fmt.Sprintf(
				"drift ignore %q (%s) expired on %s: the drift it covered counts again; fix the drift, or extend the date if it is still expected",
				ig.Pattern, ig.where(), ig.Expires.Format("2006-01-02"))})
		}
	}
	analyzer.SortFindings(res.Findings)
	sort.SliceStable(res.Notifications, func(i, j int) bool {
		a, b := res.Notifications[i], res.Notifications[j]
		if levelRank(a.Level) != levelRank(b.Level) {
			return levelRank(a.Level) > levelRank(b.Level)
		}
		return a.Message < b.Message
	})
	return res, out, nil
}

// Roots lists the root modules under paths (slash paths relative to
// workDir) that a shard checks, and how many roots there are in all.
// sel carries the excludes and module kinds (Options.Select).
func Roots(paths []string, workDir string, shard Shard, sel load.LoadOptions) ([]string, int, error) {
	_, roots, _, err := discover(paths, workDir, sel)
	if err != nil {
		return nil, 0, err
	}
	var out []string
	for _, m := range roots {
		if shard.has(m.Dir) {
			out = append(out, m.Dir)
		}
	}
	return out, len(roots), nil
}

// discover loads the modules under paths and returns the roots, sorted by
// directory: modules of Kind Root or of unknown kind (not Terragrunt
// units, which Terragrunt runs), and every path
// that is itself a module.
func discover(paths []string, workDir string, sel load.LoadOptions) (*model.Project, []*model.Module, string, error) {
	wd := workDir
	if wd == "" {
		var err error
		if wd, err = os.Getwd(); err != nil {
			return nil, nil, "", err
		}
	}
	wd, _ = filepath.Abs(wd)
	if len(paths) == 0 {
		paths = []string{"."}
	}
	for _, p := range paths {
		abs := p
		if !filepath.IsAbs(abs) {
			abs = filepath.Join(wd, p)
		}
		st, err := os.Stat(abs)
		if err != nil {
			return nil, nil, "", fmt.Errorf("cannot read %s: %w", p, unwrapPath(err))
		}
		if !st.IsDir() {
			return nil, nil, "", fmt.Errorf("%s is not a directory: give the directory of a root module, or one holding many", p)
		}
	}
	project, err := load.Load(load.LoadOptions{Paths: paths, WorkDir: wd, Exclude: sel.Exclude, Kinds: sel.Kinds})
	if err != nil {
		return nil, nil, "", err
	}
	// A DIR that is itself a module is checked whatever its layout says
	// (a root with a modules/ directory and no provider block looks like a
	// module repository to the loader).
	given := map[string]bool{}
	for _, p := range paths {
		abs := p
		if !filepath.IsAbs(abs) {
			abs = filepath.Join(wd, p)
		}
		given[filepath.Clean(abs)] = true
	}
	var roots []*model.Module
	for _, m := range project.Modules {
		if !m.Scanned {
			continue
		}
		if m.Excluded {
			continue
		}
		// Modules of unknown kind may be roots too: a plan that fails in
		// one is reported, a root never checked is not.
		if given[m.AbsDir] || ((m.Kind == model.Root || m.Kind == model.UnknownKind) && m.Unit == nil) {
			roots = append(roots, m)
		}
	}
	if len(roots) == 0 {
		return nil, nil, "", fmt.Errorf("no root module in %s: a root is a directory of .tf files that is not a reusable module (not under modules/, not called by another module)", strings.Join(paths, ", "))
	}
	return project, roots, wd, nil
}

func levelRank(l string) int {
	switch l {
	case "error":
		return 2
	case "warning":
		return 1
	}
	return 0
}

// moduleFiles lists the files of a root and of the local modules it calls,
// for snippets.
func moduleFiles(p *model.Project, root *model.Module) []*model.File {
	seen := map[*model.Module]bool{}
	var out []*model.File
	var walk func(m *model.Module)
	walk = func(m *model.Module) {
		if m == nil || seen[m] {
			return
		}
		seen[m] = true
		out = append(out, m.Files...)
		for _, c := range m.ModuleCalls {
			walk(c.Target)
		}
	}
	walk(root)
	return out
}

// buildEnv is the environment terraform runs with: the given one, less
// the variables terraform-exec manages itself (TF_LOG*, TF_CLI_ARGS*,
// TF_VAR_* — passed as -var instead —, TF_INPUT, TF_IN_AUTOMATION,
// TF_WORKSPACE — a workspace select instead —, TF_REATTACH_PROVIDERS…).
// Everything else, cloud credentials included, passes untouched.
func buildEnv(environ []string) map[string]string {
	if environ == nil {
		environ = os.Environ()
	}
	env := map[string]string{}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok && k != "" {
			env[k] = v
		}
	}
	env = tfexec.CleanEnv(env)
	if _, ok := env["CHECKPOINT_DISABLE"]; !ok {
		env["CHECKPOINT_DISABLE"] = "1" // no update check from a scheduled job
	}
	return env
}

func envValue(environ []string, key string) string {
	if environ == nil {
		return os.Getenv(key)
	}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok && k == key {
			return v
		}
	}
	return ""
}

// commandEnv is the environment of one command, as terraform-exec builds
// it: no logging (it would pollute stderr), TF_IN_AUTOMATION, a user
// agent that names tfgate; TMPDIR is the root's temporary directory.
func commandEnv(env map[string]string, tmp string) []string {
	out := make([]string, 0, len(env)+8)
	for k, v := range env {
		switch k {
		case "TMPDIR", "TF_LOG", "TF_LOG_CORE", "TF_LOG_PATH", "TF_LOG_PROVIDER", "TF_IN_AUTOMATION", "TF_APPEND_USER_AGENT", "TF_WORKSPACE":
			continue
		}
		out = append(out, k+"="+v)
	}
	out = append(out, "TF_LOG=", "TF_LOG_CORE=", "TF_LOG_PATH=", "TF_LOG_PROVIDER=", "TF_IN_AUTOMATION=1", "TF_APPEND_USER_AGENT=tfgate-drift")
	// Plugin sockets need a short path (108 bytes on Linux).
	if tmp != "" && len(tmp) < 80 {
		out = append(out, "TMPDIR="+tmp)
	} else if v, ok := env["TMPDIR"]; ok {
		out = append(out, "TMPDIR="+v)
	}
	sort.Strings(out)
	return out
}

// checkVersion runs `version -json` once: refresh-only plans need 0.15.4.
func checkVersion(ctx context.Context, bin, dir string, env []string, kill <-chan struct{}) (*version.Version, error) {
	c := &cli{bin: bin, dir: dir, env: env, grace: time.Second, kill: kill}
	vctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	var out boundedBuffer
	err := c.run(vctx, &out, "version", "-json")
	var v *version.Version
	if err == nil {
		var info struct {
			Version string `json:"terraform_version"`
		}
		if jerr := json.Unmarshal([]byte(out.String()), &info); jerr != nil || info.Version == "" {
			err = fmt.Errorf("unable to parse version from %q", firstLine(out.String()))
		} else if v, err = version.NewVersion(info.Version); err != nil {
			err = fmt.Errorf("unable to parse version %q: %w", info.Version, err)
		}
	}
	if err != nil {
		msg := cleanError(err)
		if strings.Contains(msg, "unable to parse version") {
			msg += " (is TF_CLI_CONFIG_FILE set to a file that does not exist? some releases then print a warning where the version should be)"
		}
		return nil, fmt.Errorf("cannot get the version of %s: %s", bin, msg)
	}
	core := v.Core()
	if core.LessThan(minVersion) {
		return nil, fmt.Errorf("%s is version %s: drift detection runs refresh-only plans, which need Terraform 0.15.4 or later (or any OpenTofu); give a newer binary with --terraform-bin", bin, v)
	}
	return v, nil
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// executor runs the roots of one check.
type executor struct {
	opts    Options
	project *model.Project
	bin     string
	env     map[string]string
	wd      string

	varFiles []string        // absolute
	userVars map[string]bool // variables set by --var and --var-file
	envVars  []envVar        // TF_VAR_* of the environment
}

type envVar struct{ name, value string }

// prepareVars resolves --var-file paths and reads which variables the user
// sets, so that TF_VAR_* from the environment keep their place in
// Terraform's precedence when they are passed as -var.
func (x *executor) prepareVars() error {
	x.userVars = map[string]bool{}
	for _, v := range x.opts.Vars {
		k, _, ok := strings.Cut(v, "=")
		if !ok || k == "" {
			return fmt.Errorf("--var %q: want NAME=VALUE", v)
		}
		x.userVars[k] = true
	}
	for _, vf := range x.opts.VarFiles {
		abs := vf
		if !filepath.IsAbs(abs) {
			abs = filepath.Join(x.wd, vf)
		}
		f, err := load.LoadFile(abs, x.wd)
		if err != nil {
			return fmt.Errorf("--var-file: %w", err)
		}
		for n := range fileAttrs(f) {
			x.userVars[n] = true
		}
		x.varFiles = append(x.varFiles, abs)
	}
	environ := x.opts.Env
	if environ == nil {
		environ = os.Environ()
	}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(k, "TF_VAR_") && len(k) > len("TF_VAR_") {
			x.envVars = append(x.envVars, envVar{strings.TrimPrefix(k, "TF_VAR_"), v})
		}
	}
	sort.Slice(x.envVars, func(i, j int) bool { return x.envVars[i].name < x.envVars[j].name })
	return nil
}

// fileAttrs lists the top-level names a tfvars file sets.
func fileAttrs(f *model.File) map[string]bool {
	out := map[string]bool{}
	if f == nil || f.HCL == nil {
		return out
	}
	attrs, _ := f.HCL.Body.JustAttributes()
	for n := range attrs {
		out[n] = true
	}
	return out
}

// autoLoaded reports whether Terraform loads a tfvars file by itself.
func autoLoaded(name string) bool {
	return name == "terraform.tfvars" || name == "terraform.tfvars.json" ||
		strings.HasSuffix(name, ".auto.tfvars") || strings.HasSuffix(name, ".auto.tfvars.json")
}

// varArgs are the -var-file and -var values for a root. terraform-exec
// passes every -var-file before every -var, so a TF_VAR_x of the
// environment becomes `-var x=…` only where nothing of higher precedence
// sets x (an auto-loaded tfvars file of the root, --var-file or --var) and
// the root declares x (terraform rejects -var for undeclared variables,
// while it ignores such TF_VAR_ variables).
func (x *executor) varArgs(m *model.Module) (files, vars []string) {
	files = append(files, x.varFiles...)
	declared := map[string]bool{}
	for _, v := range m.Variables {
		declared[v.Labels[0]] = true
	}
	auto := map[string]bool{}
	for _, f := range m.VarFiles {
		if autoLoaded(filepath.Base(f.Path)) {
			for n := range fileAttrs(f) {
				auto[n] = true
			}
		}
	}
	for _, ev := range x.envVars {
		if declared[ev.name] && !auto[ev.name] && !x.userVars[ev.name] {
			vars = append(vars, ev.name+"="+ev.value)
		}
	}
	return files, append(vars, x.opts.Vars...)
}

// rootOutcome is what one root produced.
type rootOutcome struct {
	summary RootSummary
	changes []change
	err     error
	notes   []string // warnings about the root
}

// crashHook, when set (by tests), runs as each root's check starts: a
// panic in it stands for a bug in checking that root.
var crashHook func(root string)

// runRoot runs init (optionally), workspace selection, the refresh-only
// plan and show in one root, within the per-root timeout.
func (x *executor) runRoot(parent context.Context, m *model.Module) (ro rootOutcome) {
	// A crash checking one root (a bug) fails that root, after the
	// deferred clean-up below ran (its commands stopped, its temporary
	// directory removed), and the other roots are still checked: never
	// Go's exit code 2, which means drift.
	defer func() {
		if r := recover(); r != nil {
			ro.changes = nil
			ro.err = fmt.Errorf("internal error checking this root (%v); it was not checked. Please report it", r)
		}
	}()
	start := time.Now()
	ro.summary = RootSummary{Root: m.Dir, Workspace: x.opts.Workspace}
	if crashHook != nil {
		crashHook(m.Dir)
	}
	defer func() { ro.summary.DurationSeconds = roundSeconds(time.Since(start)) }()

	ctx, cancel := parent, context.CancelFunc(func() {})
	if x.opts.Timeout > 0 {
		ctx, cancel = context.WithTimeout(parent, x.opts.Timeout)
	}
	defer cancel()

	// Everything temporary goes to a fresh directory that is removed at
	// the end: the plan file, and (through TMPDIR) the providers' plugin
	// sockets, which a killed provider would leave behind.
	tmp, err := os.MkdirTemp("", "tfgate-drift-")
	if err != nil {
		ro.err = fmt.Errorf("setup: %w", err)
		return ro
	}
	defer os.RemoveAll(tmp)
	c := &cli{bin: x.bin, dir: m.AbsDir, env: commandEnv(x.env, tmp), grace: x.opts.KillGrace, kill: x.opts.Kill}
	defer func() {
		if l := dedupe(c.leftovers); len(l) > 0 {
			ro.notes = append(ro.notes, fmt.Sprintf("in %s, %s kept the output of %s open after it exited and %s killed (a wrapper script should not leave background processes running)",
				m.Dir, strings.Join(l, ", "), filepath.Base(x.bin), map[bool]string{true: "was", false: "were"}[len(l) == 1]))
		}
		for _, f := range c.lockFiles {
			ro.notes = append(ro.notes, fmt.Sprintf("removed %s, left by the killed %s", x.display(f), filepath.Base(x.bin)))
		}
	}()

	fail := func(step string, err error) rootOutcome {
		var stopped *stoppedError
		switch {
		case errors.As(err, &stopped) && errors.Is(parent.Err(), context.Canceled):
			ro.err = fmt.Errorf("%s: cancelled; %s", step, stoppedHow(stopped, x.opts.Lock && step == "plan -refresh-only"))
		case errors.As(err, &stopped) && errors.Is(ctx.Err(), context.DeadlineExceeded):
			ro.err = fmt.Errorf("timed out after %s (during %s); %s", x.opts.Timeout, step, stoppedHow(stopped, x.opts.Lock && step == "plan -refresh-only"))
		default:
			ro.err = fmt.Errorf("%s: %s", step, cleanError(err))
		}
		return ro
	}

	if x.opts.Init {
		if err := c.run(ctx, nil, "init", "-no-color", "-input=false", "-backend=true", "-get=true", "-upgrade=false"); err != nil {
			return fail("init", err)
		}
	}

	var out boundedBuffer
	if err := c.run(ctx, &out, "workspace", "show", "-no-color"); err != nil {
		return fail("workspace show", err)
	}
	current := strings.TrimSpace(out.String())
	ro.summary.Workspace = current
	if want := x.opts.Workspace; want != "" && want != current {
		if err := c.run(ctx, nil, "workspace", "select", "-no-color", want); err != nil {
			return fail("workspace select "+want, err)
		}
		ro.summary.Workspace = want
		defer func() {
			// Put back the workspace that was selected, even after a timeout.
			rctx, rcancel := context.WithTimeout(context.Background(), time.Minute)
			defer rcancel()
			if err := c.run(rctx, nil, "workspace", "select", "-no-color", current); err != nil {
				ro.notes = append(ro.notes, fmt.Sprintf("could not select workspace %q again in %s: %s", current, m.Dir, cleanError(err)))
			}
		}()
	}

	planFile := filepath.Join(tmp, "drift.tfplan")
	args := []string{"plan", "-no-color", "-input=false", "-refresh-only", "-out=" + planFile, "-lock=" + strconv.FormatBool(x.opts.Lock)}
	if x.opts.LockTimeout != "" {
		args = append(args, "-lock-timeout="+x.opts.LockTimeout)
	}
	files, vars := x.varArgs(m)
	for _, f := range files {
		args = append(args, "-var-file="+f)
	}
	for _, v := range vars {
		args = append(args, "-var", v)
	}
	if err := c.run(ctx, nil, args...); err != nil {
		return fail("plan -refresh-only", err)
	}
	var js bytes.Buffer
	if err := c.run(ctx, &js, "show", "-json", "-no-color", planFile); err != nil {
		return fail("show", err)
	}
	var plan tfjson.Plan
	if err := json.Unmarshal(js.Bytes(), &plan); err != nil {
		return fail("show", fmt.Errorf("reading the plan JSON: %w", err))
	}
	if err := plan.Validate(); err != nil {
		return fail("show", err)
	}
	ro.changes = changes(&plan)
	if plan.PriorState != nil && plan.PriorState.Values != nil {
		ro.summary.ResourcesChecked = countInstances(plan.PriorState.Values.RootModule)
	}
	for _, c := range ro.changes {
		if c.Action == "delete" {
			ro.summary.ResourcesChecked++ // refreshed away: not in the prior state any more
		}
	}
	return ro
}

// stoppedHow says how a command was stopped.
func stoppedHow(s *stoppedError, locked bool) string {
	if s.notStarted {
		return "it was not started"
	}
	msg := "terraform was interrupted and stopped within the grace period, with the providers it started"
	if s.killed {
		msg = "terraform did not stop within the grace period and was killed, with the providers it started"
		if locked {
			msg += "; with --lock, a remote backend may still hold its state lock (see `force-unlock`)"
		}
	}
	return msg
}

// display is a path as reports show it: relative to the working directory
// when inside it.
func (x *executor) display(p string) string {
	if rel, err := filepath.Rel(x.wd, p); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(rel)
	}
	return p
}

func roundSeconds(d time.Duration) float64 {
	return float64(d.Round(time.Millisecond)) / float64(time.Second)
}

// cleanError turns terraform's boxed diagnostics into plain lines.
func cleanError(err error) string {
	if err == nil {
		return ""
	}
	var lines []string
	blank := false
	for _, l := range strings.Split(err.Error(), "\n") {
		l = strings.TrimRight(l, " \t\r")
		for _, p := range []string{"╷", "╵", "│ ", "│"} {
			l = strings.TrimPrefix(l, p)
		}
		if strings.TrimSpace(l) == "" {
			blank = len(lines) > 0
			continue
		}
		if blank {
			lines = append(lines, "")
			blank = false
		}
		lines = append(lines, l)
	}
	// terraform-exec starts with "exit status 1": keep it only when alone.
	if len(lines) > 1 && strings.HasPrefix(lines[0], "exit status ") {
		lines = lines[1:]
		for len(lines) > 0 && lines[0] == "" {
			lines = lines[1:]
		}
	}
	// Bounded, keeping both ends: the first error and the last lines
	// (where a flood of output ends with the real problem).
	for i, l := range lines {
		if len(l) > maxErrorLine {
			lines[i] = truncUTF8(l, maxErrorLine) + fmt.Sprintf("… (%d more bytes)", len(l)-len(truncUTF8(l, maxErrorLine)))
		}
	}
	s := strings.Join(lines, "\n")
	if len(s) > maxError {
		head := truncUTF8(s, maxError/4)
		tail := s[len(s)-maxError*3/4:]
		for len(tail) > 0 && !utf8.RuneStart(tail[0]) {
			tail = tail[1:]
		}
		if i := strings.IndexByte(tail, '\n'); i >= 0 && i < 200 {
			tail = tail[i+1:]
		}
		s = head + "\n…\n" + tail
	}
	return s
}

// Bounds of a command's error in messages.
const (
	maxError     = 4000
	maxErrorLine = 500
)

// truncUTF8 cuts s to at most n bytes on a rune boundary.
func truncUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// finish turns a root's changes into findings and fills in its summary.
func (x *executor) finish(res *analyzer.Result, m *model.Module, ro *rootOutcome) {
	if ro.err != nil {
		ro.summary.Status = "error"
		ro.summary.Error = ro.err.Error()
		res.Notifications = append(res.Notifications, analyzer.Notification{Level: "error",
			Message: fmt.Sprintf("drift check of %s failed: %s", m.Dir, ro.summary.Error)})
	}
	for _, n := range ro.notes {
		res.Notifications = append(res.Notifications, analyzer.Notification{Level: "warning", Message: n})
	}
	for _, c := range ro.changes {
		f := x.finding(m, ro.summary.Workspace, c)
		if f.Suppression != nil {
			ro.summary.Ignored++
		} else {
			ro.summary.Drifted++
		}
		res.Findings = append(res.Findings, f)
	}
	if ro.err == nil {
		ro.summary.Status = "ok"
		if ro.summary.Drifted > 0 {
			ro.summary.Status = "drift"
		}
	}
}

// finding builds the drift-detected finding of one change.
func (x *executor) finding(root *model.Module, workspace string, c change) *analyzer.Finding {
	f := &analyzer.Finding{
		RuleID:   RuleID,
		Severity: x.opts.Severity,
		Module:   root.Dir,
		Address:  workspace + ":" + c.Address,
		Source:   "plan",
	}
	loc, ok := x.project.Locate(root, c.Address)
	var suffix string
	if ok {
		f.Range = loc.Range
		if loc.Via != "" {
			f.Via = []string{loc.Via}
		}
		if loc.Note != "" {
			suffix = " (" + loc.Note + ")"
		}
	} else {
		f.Range = root.FirstRange()
		suffix = " (no block in the configuration declares it: it is in the state only)"
	}

	// Attributes whose drift is expected: lifecycle ignore_changes, then
	// .tfgate.hcl ignores.
	var expected []string
	var lastSup *analyzer.Suppression
	remaining := c.Attrs
	if c.Action == "update" && len(c.Attrs) > 0 {
		if ic, rng, all := ignoreChanges(loc.Block); ic != nil || all {
			var keep []attrChange
			for _, a := range remaining {
				if all || ic[a.Name] {
					expected = append(expected, a.Name)
				} else {
					keep = append(keep, a)
				}
			}
			if len(keep) < len(remaining) {
				r := rng
				lastSup = &analyzer.Suppression{Kind: "inSource", Justification: "listed in lifecycle.ignore_changes", Range: &r}
			}
			remaining = keep
		}
	}
	var expiredNotes []string
	wholeSup := (*analyzer.Suppression)(nil)
	for _, ig := range x.opts.Ignores {
		if !ig.applies(root.Dir, workspace) {
			continue
		}
		expired := ig.expired(x.opts.Now)
		if ig.matchResource(c.Address) {
			if expired {
				expiredNotes = append(expiredNotes, expiredNote(ig))
				continue
			}
			if wholeSup == nil {
				wholeSup = ignoreSuppression(ig)
			}
			continue
		}
		if c.Action != "update" {
			continue
		}
		var keep []attrChange
		for _, a := range remaining {
			if ig.matchAttribute(c.Address, a.Name) {
				if expired {
					expiredNotes = append(expiredNotes, expiredNote(ig))
					keep = append(keep, a)
					continue
				}
				expected = append(expected, a.Name)
				lastSup = ignoreSuppression(ig)
			} else {
				keep = append(keep, a)
			}
		}
		remaining = keep
	}
	sort.Strings(expected)

	q := fmt.Sprintf("`%s`", c.Address)
	ws := fmt.Sprintf("in workspace %q", workspace)
	switch {
	case c.Action == "delete":
		f.Message = fmt.Sprintf("%s was deleted outside Terraform %s", q, ws)
	case c.Action != "update":
		f.Message = fmt.Sprintf("%s changed outside Terraform %s (%s)", q, ws, c.Action)
	case len(c.Attrs) == 0:
		f.Message = fmt.Sprintf("%s changed outside Terraform %s", q, ws)
	default:
		shown := remaining
		if len(remaining) == 0 {
			shown = c.Attrs // everything expected: say what changed anyway
		}
		var parts, names []string
		for _, a := range shown {
			names = append(names, a.Name)
			if a.Shown {
				parts = append(parts, fmt.Sprintf("%s (%s → %s)", a.Name, a.Before, a.After))
			} else {
				parts = append(parts, a.Name)
			}
		}
		f.Attribute = strings.Join(names, ",")
		f.Message = fmt.Sprintf("%s changed outside Terraform %s: %s", q, ws, strings.Join(parts, ", "))
		if len(remaining) > 0 && len(expected) > 0 {
			f.Message += "; expected drift not counted: " + strings.Join(expected, ", ")
		}
		if len(remaining) == 0 {
			f.Suppression = lastSup
		}
	}
	if c.Action == "delete" {
		f.Message += driftFixDeleted
	} else {
		f.Message += driftFixChanged
	}
	f.Message += suffix
	if wholeSup != nil {
		f.Suppression = wholeSup
	}
	if f.Suppression == nil {
		if ign := inlineIgnore(x.project, f.Range, x.opts.Now); ign != nil {
			r := ign.Range
			f.Suppression = &analyzer.Suppression{Kind: "inSource", Justification: ign.Reason, Range: &r}
		}
	}
	if f.Suppression == nil && len(expiredNotes) > 0 {
		f.Message += " (" + strings.Join(dedupe(expiredNotes), "; ") + ")"
	}
	return f
}

// The fixes drift findings name: what the next apply does, and how to say
// deliberately that the drift is expected.
const (
	driftFixDeleted = "; the next apply recreates it: remove its block if it should stay deleted"
	driftFixChanged = "; the next apply reverts it: put the change in the code, or, if another system owns it, add an `ignore` entry to the `drift` block of .tfgate.hcl"
)

func expiredNote(ig *Ignore) string {
	return fmt.Sprintf("the drift ignore %q at %s expired on %s", ig.Pattern, ig.where(), ig.Expires.Format("2006-01-02"))
}

func ignoreSuppression(ig *Ignore) *analyzer.Suppression {
	r := ig.Range
	return &analyzer.Suppression{Kind: "external", Justification: ig.Reason, Range: &r}
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// ignoreChanges reads `lifecycle { ignore_changes = [...] }` of a resource
// block: the top-level attribute names, or all.
func ignoreChanges(b *model.Block) (names map[string]bool, rng hcl.Range, all bool) {
	if b == nil {
		return nil, rng, false
	}
	for _, lc := range b.Blocks("lifecycle") {
		a := lc.Attr("ignore_changes")
		if a == nil {
			continue
		}
		rng = a.Range
		if hcl.ExprAsKeyword(a.Expr) == "all" {
			return nil, rng, true
		}
		exprs, diags := hcl.ExprList(a.Expr)
		if diags.HasErrors() {
			continue
		}
		for _, e := range exprs {
			name := ""
			if tr, d := hcl.AbsTraversalForExpr(e); !d.HasErrors() {
				name = tr.RootName()
			} else if s, ok := model.StaticString(e); ok { // ignore_changes = ["tags"] (0.11 style)
				name = strings.SplitN(s, ".", 2)[0]
			}
			if name != "" {
				if names == nil {
					names = map[string]bool{}
				}
				names[name] = true
			}
		}
	}
	return names, rng, false
}

// inlineIgnore finds a `# tfgate:ignore drift-detected reason` comment
// covering a range, as lint honours them; an expired one does not count.
func inlineIgnore(p *model.Project, r hcl.Range, now time.Time) *analyzer.Ignore {
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	for _, m := range p.Modules {
		for _, f := range m.Files {
			if f.Path != r.Filename {
				continue
			}
			for _, ign := range analyzer.ParseIgnores(f) {
				if ign.Malformed != "" || (!ign.Expires.IsZero() && ign.Expires.Before(today)) {
					continue
				}
				if r.Start.Line < ign.Target.Start.Line || r.Start.Line > ign.Target.End.Line {
					continue
				}
				for _, id := range ign.Rules {
					if id == RuleID {
						return ign
					}
				}
			}
		}
	}
	return nil
}
