package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/pflag"

	"github.com/tfgate/tfgate/analyzer"
	"github.com/tfgate/tfgate/analyzer/drift"
	"github.com/tfgate/tfgate/analyzer/load"
	"github.com/tfgate/tfgate/analyzer/report"
	"github.com/tfgate/tfgate/internal/fsx"
	"github.com/tfgate/tfgate/rules"
)

const driftUsage = `Detect infrastructure changed outside Terraform.

Usage:
  tfgate drift [flags] [DIR...]

Each DIR (default: the current directory) is a root module or a directory
searched for root modules. In each root, tfgate runs terraform (or tofu)
as terraform-exec would: init when --init is given (never upgrading
providers), workspace select when --workspace is given, then a refresh-only
plan into a temporary file that is always removed, and reports every
resource changed (update) or deleted outside Terraform at its block's
file:line. It is read-only: it never applies, never writes state, and
does not lock it either (-lock=false: a refresh-only plan writes nothing, so
a lock would only block applies and other drift runs, and could be left
stale by a killed run; --lock opts in).

On --timeout, SIGINT or SIGTERM, terraform's whole process group (its
providers, a wrapper script's children) is interrupted, then killed after
--grace; a second signal kills at once.

The binary is --terraform-bin, else $TFGATE_TERRAFORM_BIN, else terraform
then tofu on PATH (Terraform 0.15.4 or later, or OpenTofu). The environment,
cloud credentials included, is passed through; TF_VAR_* variables reach
terraform as -var, TF_WORKSPACE is --workspace's default, TF_CLI_ARGS* and
TF_LOG* are not passed. Expected drift is ignored with drift blocks in
.tfgate.hcl (see docs/drift.md).

Examples:
  # One initialised root
  tfgate drift envs/prod

  # Nightly over a repository: init every root, 4 at a time, 20 minutes each at most
  tfgate drift --init --parallel 4 --timeout 20m --summary drift-summary.json .

  # Worker 3 of 8 of a fleet (a CI matrix numbers shards 1..8)
  tfgate drift --init --shard 3/8 --format text --format sarif=drift.sarif .

  # The same in a Kubernetes Indexed Job, whose index is 0-based (0..7)
  tfgate drift --init --shard-index "$(JOB_COMPLETION_INDEX)/8" .

  # GitHub Actions: log, job summary and code scanning in one pass
  tfgate drift --format text --format markdown=$GITHUB_STEP_SUMMARY \
    --format sarif=drift.sarif envs/prod

  # A workspace with its variables
  tfgate drift --workspace prod --var-file vars/prod.tfvars stacks/network

  # Which roots would shard 2 of 4 check?
  tfgate drift --list-roots --shard 2/4 .

Flags:
`

const driftExitCodes = `
Exit codes: 0 no drift, 2 drift, 1 error (bad flag or configuration, no
usable binary, or a root that could not be checked: the other roots still
run and their drift is still reported).
`

type driftFlags struct {
	config      string
	formats     []string
	output      string
	summary     string
	category    string
	bin         string
	workspace   string
	vars        []string
	varFiles    []string
	lockTimeout string
	lock        bool
	noLock      bool
	init        bool
	parallel    int
	timeout     time.Duration
	grace       time.Duration
	shard       string
	shardIndex  string
	listRoots   bool
	quiet       bool
	color       colorFlags
	chdir       string
	exclude     []string
}

func newDriftFlags(stderr io.Writer) (*pflag.FlagSet, *driftFlags) {
	df := &driftFlags{}
	fs := pflag.NewFlagSet("drift", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.SortFlags = false
	fs.StringVarP(&df.config, "config", "c", "", "configuration `FILE` with drift ignores (default: .tfgate.hcl upward from the first DIR, then in the working directory)")
	fs.StringArrayVarP(&df.formats, "format", "f", nil, "output `FORMAT[=FILE]`: "+strings.Join(report.Formats, ", ")+"; =FILE writes to a file (- is stdout); repeat for several (default text)")
	fs.StringVarP(&df.output, "output", "o", "", "write the format that has no =FILE to `FILE` instead of stdout: a regular file is replaced atomically (through a symlink, its target), a device, FIFO or socket is written through")
	fs.StringVar(&df.summary, "summary", "", "write a JSON summary per root (status, duration, resources checked, drifted, error) to `FILE` (- is stdout)")
	fs.StringVar(&df.category, "category", "", "SARIF automationDetails.id `ID` (default tfgate/drift/<root> for one root, tfgate/drift/shard-K with --shard, else tfgate/drift/)")
	fs.StringVar(&df.bin, "terraform-bin", "", "terraform or tofu binary `PATH` (default $TFGATE_TERRAFORM_BIN, else terraform then tofu on PATH)")
	fs.StringVar(&df.workspace, "workspace", "", "workspace `NAME` to check in every root (default $TF_WORKSPACE, else the selected one); never created, and the previous one is selected again")
	fs.StringArrayVar(&df.varFiles, "var-file", nil, "variables `FILE` passed to every root as -var-file, relative to the current directory (repeatable)")
	fs.StringArrayVar(&df.vars, "var", nil, "variable passed to every root as -var `NAME=VALUE` (repeatable; never shown in reports)")
	fs.BoolVar(&df.lock, "lock", false, "hold the state lock during the plan (-lock=true); by default the refresh-only plan runs with -lock=false: it writes no state, never blocks an apply or another drift run, and a killed run leaves no stale lock")
	fs.StringVar(&df.lockTimeout, "lock-timeout", "", "with --lock, how long (`DURATION`) to wait for the state lock, as -lock-timeout (e.g. 60s)")
	fs.BoolVar(&df.noLock, "no-lock", false, "-lock=false, the default (kept for older command lines)")
	_ = fs.MarkHidden("no-lock")
	fs.BoolVar(&df.init, "init", false, "run init -input=false (never -upgrade) in each root first")
	fs.IntVar(&df.parallel, "parallel", 0, "`N` roots checked at a time (default: the number of CPUs)")
	fs.DurationVar(&df.timeout, "timeout", 30*time.Minute, "time limit (`DURATION`) per root; terraform is then interrupted and, after --grace, killed with every process it started (0 for none)")
	fs.DurationVar(&df.grace, "grace", drift.DefaultKillGrace, "after --timeout, SIGINT or SIGTERM, how long (`DURATION`) terraform gets to stop cleanly before it is killed (a second SIGINT or SIGTERM kills at once)")
	fs.StringVar(&df.shard, "shard", "", "check only shard `K/N` (1-based: 1/4 … 4/4): roots are split by a stable hash of their path")
	fs.StringVar(&df.shardIndex, "shard-index", "", "the same with a 0-based index (`INDEX/N`: 0/4 … 3/4), as a Kubernetes Indexed Job's $(JOB_COMPLETION_INDEX)")
	fs.StringArrayVar(&df.exclude, "exclude", nil, excludeUsage)
	fs.BoolVar(&df.listRoots, "list-roots", false, "print the roots that would be checked (after --shard) and exit")
	fs.BoolVarP(&df.quiet, "quiet", "q", false, "no per-root progress lines on stderr (errors are still printed)")
	df.color.add(fs)
	fs.StringVarP(&df.chdir, "chdir", "C", "", "run in `DIR`, as if started there (as terraform -chdir): paths are relative to it")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), driftUsage)
		printFlags(fs)
		fmt.Fprint(fs.Output(), driftExitCodes)
	}
	return fs, df
}

// driftSummary is the --summary file.
type driftSummary struct {
	Version         string              `json:"version"`
	Tool            map[string]string   `json:"tool"`
	Binary          *drift.Binary       `json:"binary,omitempty"`
	Shard           string              `json:"shard"`
	RootsFound      int                 `json:"roots_found"`
	Start           string              `json:"start"`
	DurationSeconds float64             `json:"duration_seconds"`
	Error           string              `json:"error,omitempty"`
	Roots           []drift.RootSummary `json:"roots"`
	Totals          driftTotals         `json:"totals"`
}

type driftTotals struct {
	Roots            int `json:"roots"`
	OK               int `json:"ok"`
	Drift            int `json:"drift"`
	Errors           int `json:"error"`
	ResourcesChecked int `json:"resources_checked"`
	Drifted          int `json:"drifted"`
	Ignored          int `json:"ignored"`
}

func totals(roots []drift.RootSummary) driftTotals {
	t := driftTotals{Roots: len(roots)}
	for _, r := range roots {
		switch r.Status {
		case "ok":
			t.OK++
		case "drift":
			t.Drift++
		default:
			t.Errors++
		}
		t.ResourcesChecked += r.ResourcesChecked
		t.Drifted += r.Drifted
		t.Ignored += r.Ignored
	}
	return t
}

func runDrift(args []string, stdout, stderr io.Writer) int {
	fs, df := newDriftFlags(stderr)
	if done, code := parseFlags("drift", fs, args, stdout, stderr); done {
		return code
	}
	start := time.Now()
	fail := func(err error) int {
		fmt.Fprintf(stderr, "tfgate drift: %v\n", err)
		return exitError
	}
	if err := chdir(df.chdir); err != nil {
		return fail(err)
	}
	colorMode, err := df.color.mode()
	if err != nil {
		return fail(err)
	}
	outs, err := parseOutputs(df.formats, df.output)
	if err != nil {
		return fail(err)
	}
	if df.summary == "-" {
		for _, o := range outs {
			if o.file == "" {
				return fail(fmt.Errorf("--summary - and the %s report both go to stdout: give one of them a file (--format %s=FILE, or --output FILE)", o.format, o.format))
			}
		}
	}
	if df.parallel < 0 {
		return fail(fmt.Errorf("--parallel %d: want 1 or more (0: the number of CPUs)", df.parallel))
	}
	if df.parallel == 0 {
		df.parallel = runtime.NumCPU()
	}
	if df.grace <= 0 {
		return fail(fmt.Errorf("--grace %s: want a positive duration", df.grace))
	}
	if df.timeout < 0 {
		return fail(fmt.Errorf("--timeout %s: want a positive duration, or 0 for none", df.timeout))
	}
	if df.lock && df.noLock {
		return fail(errors.New("give --lock or --no-lock, not both (without either, the state is not locked)"))
	}
	if df.lockTimeout != "" {
		if d, err := time.ParseDuration(df.lockTimeout); err != nil || d < 0 {
			return fail(fmt.Errorf("--lock-timeout %q: want a duration such as 60s or 5m", df.lockTimeout))
		}
		if !df.lock {
			// Older command lines had locking on by default: keep them
			// running, without the lock.
			fmt.Fprintf(stderr, "tfgate drift: warning: --lock-timeout %s has no effect: the state is not locked without --lock\n", df.lockTimeout)
			df.lockTimeout = ""
		}
	}
	// A flag given with an empty value (an unset variable in a CI matrix:
	// --shard "$SHARD") is an error, never "every root".
	var shard drift.Shard
	shardSet, indexSet := fs.Changed("shard"), fs.Changed("shard-index")
	switch {
	case shardSet && indexSet:
		return fail(errors.New("give --shard K/N (1-based) or --shard-index INDEX/N (0-based), not both"))
	case shardSet:
		if shard, err = drift.ParseShard(df.shard); err != nil {
			return fail(err)
		}
	case indexSet:
		if shard, err = drift.ParseShardIndex(df.shardIndex); err != nil {
			return fail(err)
		}
	}
	for _, v := range df.vars {
		if k, _, ok := strings.Cut(v, "="); !ok || k == "" {
			return fail(errors.New("--var: want NAME=VALUE (the value given has no NAME=; it is not shown, in case it is a secret)"))
		}
	}
	wd, err := os.Getwd()
	if err != nil {
		return fail(err)
	}
	paths := fs.Args()
	if len(paths) == 0 {
		paths = []string{"."}
	}

	sel, err := excludeOptions(df.exclude, wd)
	if err != nil {
		return fail(err)
	}
	all := rules.All()
	rule := rules.ByID(drift.RuleID)
	opts := drift.Options{
		Paths:       paths,
		WorkDir:     wd,
		Bin:         df.bin,
		Workspace:   df.workspace,
		Vars:        df.vars,
		VarFiles:    df.varFiles,
		LockTimeout: df.lockTimeout,
		Lock:        df.lock,
		Init:        df.init,
		Parallel:    df.parallel,
		Timeout:     df.timeout,
		KillGrace:   df.grace,
		Shard:       shard,
		Rule:        rule,
		Select:      sel,
	}
	cfgPath := df.config
	if cfgPath == "" {
		cfgPath = analyzer.FindConfig(wd, paths[0])
	} else if _, err := os.Stat(cfgPath); err != nil {
		return fail(fmt.Errorf("cannot read config %s: %w", cfgPath, errors.Unwrap(err)))
	}
	var notes []analyzer.Notification
	if cfgPath != "" {
		display := cfgPath
		if rel, err := filepath.Rel(wd, cfgPath); err == nil && !strings.HasPrefix(rel, "..") {
			display = filepath.ToSlash(rel)
		}
		cfg, err := analyzer.ParseConfig(cfgPath, display, all)
		if err != nil {
			return fail(err)
		}
		opts.Select = cfg.Apply(opts.Select)
		if opts.Ignores, err = drift.ParseIgnores(cfg.Extra); err != nil {
			return fail(err)
		}
		if rc := cfg.Rules[drift.RuleID]; rc != nil {
			if rc.Severity != 0 {
				opts.Severity = rc.Severity
			}
			if rc.Enabled != nil && !*rc.Enabled {
				notes = append(notes, analyzer.Notification{Level: "warning", Message: fmt.Sprintf(
					"rule %s is disabled in %s, but `tfgate drift` exists to report it: drift is reported anyway (use drift ignores for expected drift)", drift.RuleID, display)})
			}
		}
	}
	if df.listRoots {
		return listDriftRoots(paths, wd, shard, opts.Select, stdout, stderr)
	}
	if !df.quiet {
		opts.Progress = func(s drift.RootSummary) { fmt.Fprintln(stderr, "tfgate: "+rootLine(s)) }
	}

	// The first SIGINT or SIGTERM interrupts the running commands (they get
	// --grace to stop); a second one kills them at once.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	kill := make(chan struct{})
	opts.Kill = kill
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	runDone := make(chan struct{})
	defer close(runDone)
	go func() {
		for n := 0; ; n++ {
			select {
			case sig := <-sigs:
				if n == 0 {
					fmt.Fprintf(stderr, "tfgate: %s: stopping terraform (up to --grace %s; again to kill it now)\n", sig, df.grace)
					cancel()
				} else {
					fmt.Fprintf(stderr, "tfgate: %s: killing terraform\n", sig)
					close(kill)
					return
				}
			case <-runDone:
				return
			}
		}
	}()
	res, outcome, err := drift.Run(ctx, opts)
	summary := driftSummary{
		Version:    "1",
		Tool:       map[string]string{"name": "tfgate", "version": buildStamp().version},
		Shard:      shard.String(),
		RootsFound: outcome.AllRoots,
		Start:      start.UTC().Format(time.RFC3339),
		Roots:      outcome.Roots,
	}
	if summary.Roots == nil {
		summary.Roots = []drift.RootSummary{}
	}
	if outcome.Binary.Path != "" {
		b := outcome.Binary
		summary.Binary = &b
	}
	writeSummary := func() error {
		if df.summary == "" {
			return nil
		}
		summary.DurationSeconds = float64(time.Since(start).Round(time.Millisecond)) / float64(time.Second)
		summary.Totals = totals(summary.Roots)
		data, err := json.MarshalIndent(summary, "", "  ")
		if err != nil {
			return err
		}
		return writeOutput(df.summary, append(data, '\n'), stdout)
	}
	if err != nil {
		summary.Error = err.Error()
		if werr := writeSummary(); werr != nil {
			fmt.Fprintf(stderr, "tfgate drift: %v\n", werr)
		}
		return fail(err)
	}
	res.Notifications = append(notes, res.Notifications...)

	category := df.category
	if category == "" {
		switch {
		case !shard.IsZero():
			category = fmt.Sprintf("tfgate/drift/shard-%d", shard.K)
		case outcome.AllRoots == 1 && len(outcome.Roots) == 1 && outcome.Roots[0].Root != ".":
			category = "tfgate/drift/" + outcome.Roots[0].Root
		default:
			category = "tfgate/drift/"
		}
	}
	meta := report.Meta{
		ToolVersion: buildStamp().version,
		Category:    category,
		WorkDir:     wd,
		RepoRoot:    driftRepoRoot(wd),
		CommandLine: report.CommandLine("tfgate drift", args),
		Start:       start,
		End:         time.Now(),
		Warn:        func(m string) { fmt.Fprintf(stderr, "tfgate: warning: %s\n", m) },
	}
	for _, o := range outs {
		m := meta
		if o.format == "text" && o.file == "" {
			m.Color = useColor(colorMode, stdout)
		} else {
			m.Color = colorMode == "always"
		}
		var data []byte
		if o.format == "markdown" {
			data, err = report.RenderMarkdown(res, m)
			if err == nil {
				data = withRootsTable(data, rootsMarkdown(outcome, shard))
			}
		} else {
			data, err = report.Render(o.format, res, m)
		}
		if err != nil {
			return fail(err)
		}
		if o.file == "" {
			stdout.Write(data)
			continue
		}
		if err := fsx.WriteOutput(o.file, data); err != nil {
			return fail(err)
		}
	}
	if err := writeSummary(); err != nil {
		return fail(err)
	}
	t := totals(outcome.Roots)
	if !df.quiet {
		fmt.Fprintf(stderr, "tfgate: drift: %s\n", totalsLine(t, shard))
	}
	code := exitOK
	for _, f := range res.Findings {
		if f.Counts() {
			code = exitFindings
		}
	}
	textOnStdout := false
	for _, o := range outs {
		textOnStdout = textOnStdout || (o.format == "text" && o.file == "")
	}
	for _, n := range res.Notifications {
		msg := strings.ReplaceAll(strings.TrimRight(n.Message, "\n"), "\n", "\n    ")
		switch {
		case n.Level == "error":
			// Always on stderr, whatever the formats: a cron log must show it.
			fmt.Fprintf(stderr, "tfgate: error: %s\n", msg)
			code = exitError
		case n.Level == "warning" && !textOnStdout:
			// The text report shows warnings; otherwise stderr does.
			fmt.Fprintf(stderr, "tfgate: warning: %s\n", msg)
		}
	}
	return code
}

// rootLine is the one-line summary of a root on stderr.
func rootLine(s drift.RootSummary) string {
	ws := ""
	if s.Workspace != "" && s.Workspace != "default" {
		ws = " [" + s.Workspace + "]"
	}
	switch s.Status {
	case "error":
		first, _, _ := strings.Cut(s.Error, "\n")
		return fmt.Sprintf("%s%s: error after %.1fs: %s", s.Root, ws, s.DurationSeconds, first)
	case "drift":
		return fmt.Sprintf("%s%s: %d drifted of %d resources (%.1fs)", s.Root, ws, s.Drifted, s.ResourcesChecked, s.DurationSeconds)
	}
	ign := ""
	if s.Ignored > 0 {
		ign = fmt.Sprintf(", %d expected drift ignored", s.Ignored)
	}
	return fmt.Sprintf("%s%s: no drift in %d resources%s (%.1fs)", s.Root, ws, s.ResourcesChecked, ign, s.DurationSeconds)
}

func totalsLine(t driftTotals, shard drift.Shard) string {
	s := fmt.Sprintf("%d %s checked", t.Roots, pluralS(t.Roots, "root"))
	if !shard.IsZero() {
		s += " (shard " + shard.String() + ")"
	}
	s += fmt.Sprintf(", %d resources, %d drifted", t.ResourcesChecked, t.Drifted)
	if t.Ignored > 0 {
		s += fmt.Sprintf(", %d ignored", t.Ignored)
	}
	if t.Errors > 0 {
		s += fmt.Sprintf(", %d %s failed", t.Errors, pluralS(t.Errors, "root"))
	}
	return s
}

func pluralS(n int, w string) string {
	if n == 1 {
		return w
	}
	return w + "s"
}

// rootsMarkdown is the per-root table appended to the markdown report.
func rootsMarkdown(o drift.Outcome, shard drift.Shard) string {
	var b strings.Builder
	b.WriteString("#### Roots")
	if !shard.IsZero() {
		fmt.Fprintf(&b, " (shard %s, %d of %d)", shard, len(o.Roots), o.AllRoots)
	}
	b.WriteString("\n\n| Root | Workspace | Status | Resources | Drifted | Ignored | Duration |\n|---|---|---|---|---|---|---|\n")
	// Errors and drift first; a big shard's clean roots are only counted,
	// so that the report still fits an issue body.
	rank := map[string]int{"error": 0, "drift": 1, "ok": 2}
	roots := append([]drift.RootSummary{}, o.Roots...)
	sort.SliceStable(roots, func(i, j int) bool { return rank[roots[i].Status] < rank[roots[j].Status] })
	for i, r := range roots {
		if i == maxRootRows {
			fmt.Fprintf(&b, "\n… and %d more roots (%d with no drift); the --summary file lists them all.\n", len(roots)-i, countStatus(roots[i:], "ok"))
			break
		}
		status := map[string]string{"ok": "✅ no drift", "drift": "❌ drift", "error": "⚠️ error"}[r.Status]
		fmt.Fprintf(&b, "| `%s` | `%s` | %s | %d | %d | %d | %.1fs |\n", mdTick(r.Root), mdTick(r.Workspace), status, r.ResourcesChecked, r.Drifted, r.Ignored, r.DurationSeconds)
	}
	return b.String()
}

// maxRootRows bounds the roots table of the markdown report.
const maxRootRows = 100

func countStatus(roots []drift.RootSummary, status string) int {
	n := 0
	for _, r := range roots {
		if r.Status == status {
			n++
		}
	}
	return n
}

// withRootsTable inserts the roots table before the report's footer line.
func withRootsTable(md []byte, table string) []byte {
	s := string(md)
	if i := strings.LastIndex(s, "\n<sub>"); i >= 0 {
		return []byte(s[:i+1] + table + "\n" + s[i+1:])
	}
	return []byte(s + "\n" + table)
}

// mdTick keeps a path inside a table code span.
func mdTick(s string) string {
	return strings.NewReplacer("`", "'", "|", `\|`, "\n", " ").Replace(s)
}

// listDriftRoots prints the roots a run would check, one per line.
func listDriftRoots(paths []string, wd string, shard drift.Shard, sel load.LoadOptions, stdout, stderr io.Writer) int {
	roots, total, err := drift.Roots(paths, wd, shard, sel)
	if err != nil {
		fmt.Fprintf(stderr, "tfgate drift: %v\n", err)
		return exitError
	}
	for _, r := range roots {
		fmt.Fprintln(stdout, r)
	}
	if !shard.IsZero() {
		fmt.Fprintf(stderr, "tfgate: shard %s: %d of %d roots\n", shard, len(roots), total)
	}
	return exitOK
}
