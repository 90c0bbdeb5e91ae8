package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/spf13/pflag"
	"github.com/tfgate/tfgate/analyzer"
	"github.com/tfgate/tfgate/analyzer/load"
	"github.com/tfgate/tfgate/analyzer/report"
	"github.com/tfgate/tfgate/analyzer/tfplan"
	"github.com/tfgate/tfgate/internal/fsx"
	"github.com/tfgate/tfgate/rules"
)

const lintUsage = `Check Terraform modules for production readiness.

Usage:
  tfgate lint [flags] [PATH...]

PATH is a directory, searched recursively for modules; the default is the
current directory. .terraform/, .git/ and other hidden or vendored trees are
skipped. When every PATH is a file (as pre-commit passes changed files),
tfgate lints the modules of those files plus the modules that call them,
found under the current directory, and leaves the rest of the tree alone
(an index of local module sources in the user cache directory spares
re-reading unchanged files; TFGATE_CACHE_DIR=off disables it).
TFGATE_TIMINGS=1 prints how long each phase took on stderr.

Examples:
  # Lint the current tree; findings at warning or above fail (exit 2)
  tfgate lint

  # pre-commit: the changed files' modules and the roots that call them
  tfgate lint modules/network/main.tf envs/prod/terraform.tfvars

  # Each root is evaluated once per environment found beside it (prod.tfvars,
  # env/prod.tfvars, environments/prod/terraform.tfvars…); --var-file
  # replaces them with the files given
  tfgate lint envs/prod --var-file envs/prod/prod.tfvars --var region=eu-west-1

  # A monorepo whose tfvars live apart: one environment per flag
  tfgate lint --var-file-for stacks/api=config/api/prod.tfvars --var-file-for stacks/api=config/api/dev.tfvars

  # CI: text for the log and SARIF for GitHub code scanning, in one pass
  tfgate lint --format text --format sarif=tfgate.sarif --category tfgate/lint/

  # Adopt tfgate on a legacy repository: accept today's findings, gate new ones
  tfgate lint --write-baseline .tfgate-baseline.json
  tfgate lint --baseline .tfgate-baseline.json

  # Only the state and pinning rules, failing on errors only
  tfgate lint --only-family state,pinning --fail-on error

Flags:
`

type lintFlags struct {
	config         string
	formats        []string
	output         string
	failOn         string
	enable         []string
	disable        []string
	families       []string
	varFiles       []string
	varFilesFor    []string
	vars           []string
	backendConfigs []string
	baseline       string
	writeBaseline  string
	category       string
	repoRoot       string
	sarifSuppr     bool
	color          colorFlags
	chdir          string
	quiet          bool
	plan           string
	terraformBin   string
	strict         bool
	exclude        []string
}

func newLintFlags(stderr io.Writer) (*pflag.FlagSet, *lintFlags) {
	lf := &lintFlags{}
	fs := pflag.NewFlagSet("lint", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.SortFlags = false
	// A word in backquotes names the flag's argument in the help
	// (pflag.UnquoteUsage): --config FILE, not --config string.
	fs.StringVarP(&lf.config, "config", "c", "", "configuration `FILE` (default: .tfgate.hcl upward from the first PATH, then in the working directory)")
	fs.StringVarP(&lf.chdir, "chdir", "C", "", "run in `DIR`, as if started there (as terraform -chdir): paths are relative to it")
	fs.StringArrayVarP(&lf.formats, "format", "f", nil, "output `FORMAT[=FILE]`: "+strings.Join(report.Formats, ", ")+"; =FILE writes to a file (- is stdout); repeat for several (default text)")
	fs.StringVarP(&lf.output, "output", "o", "", "write the format that has no =FILE to `FILE` instead of stdout: a regular file is replaced atomically (through a symlink, its target), a device, FIFO or socket is written through")
	fs.StringVar(&lf.failOn, "fail-on", "warning", "lowest `SEVERITY` that makes the exit code 2: error, warning, note or never")
	fs.StringSliceVar(&lf.enable, "enable-rule", nil, "enable `RULE`s (repeatable, comma-separated)")
	fs.StringSliceVar(&lf.disable, "disable-rule", nil, "disable `RULE`s (repeatable, comma-separated)")
	fs.StringSliceVar(&lf.families, "only-family", nil, "run only these `FAMILY`s: state, pinning, layout, secrets, tags, autoscaling")
	fs.StringArrayVar(&lf.varFiles, "var-file", nil, "variables `FILE` for root modules, as terraform -var-file (repeatable); replaces the environments tfvars discovery finds")
	fs.StringArrayVar(&lf.varFilesFor, "var-file-for", nil, "an environment of one root: `DIR=FILE` evaluates the root in DIR with the tfvars FILE, named after it (repeatable: one environment each); replaces discovery for DIR")
	fs.StringArrayVar(&lf.vars, "var", nil, "variable for root modules, as terraform -var `NAME=VALUE` (repeatable; never shown in reports)")
	fs.StringArrayVar(&lf.backendConfigs, "backend-config", nil, "partial backend configuration `FILE` merged into every backend, as terraform init -backend-config (repeatable)")
	fs.StringVar(&lf.baseline, "baseline", "", "JSON baseline `FILE`: findings recorded in it do not count (matched by fingerprint, not line)")
	fs.StringVar(&lf.writeBaseline, "write-baseline", "", "write the current findings to `FILE` as a baseline and exit 0 (- is stdout)")
	fs.StringVar(&lf.category, "category", "tfgate/lint/", "SARIF automationDetails.id: one category `ID` per upload to GitHub code scanning")
	fs.StringVar(&lf.repoRoot, "repo-root", "", "`DIR` that sarif, gitlab and github paths are relative to (default: the Git work tree, else $GITHUB_WORKSPACE, else the working directory)")
	fs.BoolVar(&lf.sarifSuppr, "sarif-suppressed", false, "keep ignored and baselined findings in SARIF as suppressed results (GitHub code scanning shows them as open alerts: off by default)")
	lf.color.add(fs)
	fs.BoolVarP(&lf.quiet, "quiet", "q", false, "only the findings: no summary line, no tool warnings (errors are still printed)")
	fs.StringVar(&lf.plan, "plan", "", "also lint this `PLAN` (terraform show -json output, a binary planfile, or - for stdin) on its real values")
	fs.BoolVar(&lf.strict, "strict", false, strictUsage(rules.All()))
	fs.StringArrayVar(&lf.exclude, "exclude", nil, excludeUsage)
	fs.StringVar(&lf.terraformBin, "terraform-bin", "", "terraform or tofu binary (`PATH`) that converts binary planfiles (default: $TFGATE_TERRAFORM_BIN, then terraform, then tofu on PATH)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), lintUsage)
		printFlags(fs)
		fmt.Fprint(fs.Output(), "\nExit codes: 0 nothing at or above --fail-on, 2 findings, 1 tool error.\n")
	}
	return fs, lf
}

type output struct {
	format string
	file   string // "" = stdout or --output
}

func parseOutputs(formats []string, outFile string) ([]output, error) {
	if len(formats) == 0 {
		formats = []string{"text"}
	}
	var outs []output
	toStdout := 0
	for _, f := range formats {
		name, file, _ := strings.Cut(f, "=")
		valid := false
		for _, k := range report.Formats {
			valid = valid || k == name
		}
		if !valid {
			return nil, fmt.Errorf("unknown format %q (formats: %s)", name, strings.Join(report.Formats, ", "))
		}
		if strings.Contains(f, "=") && file == "" {
			return nil, fmt.Errorf("--format %s: empty file name", f)
		}
		if file == "" {
			file = outFile
		}
		if file == "-" { // - is stdout, as everywhere
			file = ""
		}
		if file == "" {
			toStdout++
		}
		outs = append(outs, output{format: name, file: file})
	}
	if toStdout > 1 {
		return nil, errors.New("only one --format can go to stdout (or --output); give the others a file: --format sarif=results.sarif")
	}
	return outs, nil
}

// writeOutput writes data to a file a user named (see fsx.WriteOutput:
// devices, FIFOs and sockets are written through, symlinks followed,
// regular files replaced atomically), or to stdout for "-".
func writeOutput(path string, data []byte, stdout io.Writer) error {
	if path == "-" {
		_, err := stdout.Write(data)
		return err
	}
	return fsx.WriteOutput(path, data)
}

func runLint(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs, lf := newLintFlags(stderr)
	if done, code := parseFlags("lint", fs, args, stdout, stderr); done {
		return code
	}
	return execLint("lint", lf, fs.Args(), args, stdin, stdout, stderr)
}

// execLint runs lint (cmd "lint") or a plan-only lint (cmd "plan").
func execLint(cmd string, lf *lintFlags, paths, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fail := func(err error) int {
		fmt.Fprintf(stderr, "tfgate %s: %v\n", cmd, err)
		return exitError
	}
	start := time.Now()
	if err := chdir(lf.chdir); err != nil {
		return fail(err)
	}
	colorMode, err := lf.color.mode()
	if err != nil {
		return fail(err)
	}
	failOn, err := parseFailOn(lf.failOn)
	if err != nil {
		return fail(err)
	}
	outs, err := parseOutputs(lf.formats, lf.output)
	if err != nil {
		return fail(err)
	}
	wd, err := os.Getwd()
	if err != nil {
		return fail(err)
	}
	if len(paths) == 0 {
		paths = []string{"."}
	}
	all := rules.All()
	cfgPath := lf.config
	if cfgPath == "" {
		cfgPath = analyzer.FindConfig(wd, paths[0])
	} else if _, err := os.Stat(cfgPath); err != nil {
		return fail(fmt.Errorf("cannot read config %s: %w", cfgPath, errors.Unwrap(err)))
	}
	var cfg *analyzer.Config
	if cfgPath != "" {
		display := cfgPath
		if rel, err := filepath.Rel(wd, cfgPath); err == nil && !strings.HasPrefix(rel, "..") {
			display = filepath.ToSlash(rel)
		}
		cfg, err = analyzer.ParseConfig(cfgPath, display, all)
		if err != nil {
			return fail(err)
		}
	}
	// The reports that code scanning, GitLab and GitHub read name files
	// relative to the repository root. When one is written (or --repo-root
	// is given), every path of the run is relative to the root, whatever
	// directory tfgate runs from: the same files get the same names, the
	// messages the same text and findings the same fingerprints from the
	// root, a subdirectory or with absolute paths. Otherwise paths stay
	// relative to the working directory, as people read them.
	root, err := repoRoot(lf.repoRoot, wd)
	if err != nil {
		return fail(err)
	}
	base := wd
	if root != wd && within(root, wd) && (lf.repoRoot != "" || repoRelativeOutput(outs)) {
		base = root
		for i, p := range paths {
			paths[i] = absPath(wd, p)
		}
	}
	lo, err := excludeOptions(lf.exclude, wd)
	if err != nil {
		return fail(err)
	}
	lo.Paths, lo.WorkDir = paths, base
	if allFiles(paths) {
		// pre-commit passes changed files: lint their modules and the
		// modules that call them, found under the repository root (the
		// working directory outside a repository).
		lo.Paths, lo.Changed = nil, paths
	}
	gc := newGCTuner()
	defer gc.stop()
	lo.Discovered = gc.discovered
	opts := analyzer.Options{
		Load:         lo,
		Rules:        all,
		Config:       cfg,
		Enable:       lf.enable,
		Disable:      lf.disable,
		OnlyFamilies: lf.families,
		Strict:       lf.strict,
	}
	for _, vf := range lf.varFiles {
		f, err := load.LoadFile(vf, base)
		if err != nil {
			return fail(fmt.Errorf("--var-file: %w", err))
		}
		opts.Eval.VarFiles = append(opts.Eval.VarFiles, f)
	}
	if opts.Load.Environments, err = explicitEnvironments(lf.varFilesFor, cfg, wd, base, len(lo.Changed) > 0); err != nil {
		return fail(err)
	}
	for _, v := range lf.vars {
		k, val, ok := strings.Cut(v, "=")
		if !ok || k == "" {
			return fail(errors.New("--var: want NAME=VALUE (the value given has no NAME=; it is not shown, in case it is a secret)"))
		}
		if opts.Eval.Vars == nil {
			opts.Eval.Vars = map[string]string{}
		}
		opts.Eval.Vars[k] = val
		opts.Eval.VarOrder = append(opts.Eval.VarOrder, k)
	}
	for _, bc := range lf.backendConfigs {
		if k, _, ok := strings.Cut(bc, "="); ok && !pathExists(bc) {
			// terraform init -backend-config also takes KEY=VALUE; tfgate
			// reads files only, and never echoes the value.
			return fail(fmt.Errorf("--backend-config %s=%s: tfgate reads backend configuration files only (a .tfbackend FILE); KEY=VALUE pairs are not supported", k, "<redacted>"))
		}
		f, err := load.LoadFile(bc, base)
		if err != nil {
			return fail(fmt.Errorf("--backend-config: %w", err))
		}
		opts.BackendConfigs = append(opts.BackendConfigs, f)
	}
	if lf.baseline != "" {
		b, err := analyzer.ReadBaseline(lf.baseline)
		if err != nil {
			return fail(err)
		}
		opts.Baseline = b
	}
	if lf.plan != "" {
		planDir := wd
		if cmd == "lint" {
			if st, err := os.Stat(paths[0]); err == nil && st.IsDir() {
				planDir = paths[0]
			}
			if rel, err := filepath.Rel(base, absPath(wd, paths[0])); err == nil && len(paths) == 1 {
				opts.PlanRoot = filepath.ToSlash(rel)
			}
		}
		plan, err := tfplan.ReadPlan(context.Background(), lf.plan, stdin, tfplan.PlanReadOptions{TerraformBin: lf.terraformBin, WorkDir: planDir})
		if err != nil {
			return fail(err)
		}
		opts.Plan = plan
		opts.PlanOnly = cmd == "plan"
		if cmd == "plan" {
			opts.Load, opts.PlanRoot = planConfig(wd, base)
		}
	}
	res, err := analyzer.Run(opts)
	if err != nil {
		return fail(err)
	}
	if lf.writeBaseline != "" {
		data, err := analyzer.BaselineJSON(res.Findings)
		if err != nil {
			return fail(err)
		}
		if err := writeOutput(lf.writeBaseline, data, stdout); err != nil {
			return fail(err)
		}
		n := 0
		for _, f := range res.Findings {
			if f.Suppression == nil || f.Suppression.Kind != "inSource" {
				n++
			}
		}
		fmt.Fprintf(stderr, "tfgate: wrote %d findings to baseline %s\n", n, lf.writeBaseline)
		return exitOK
	}
	if os.Getenv("TFGATE_TIMINGS") != "" {
		// For performance reports: where a run's time went.
		reportStart := time.Now()
		defer func() {
			var parts []string
			for _, t := range append(res.Timings, analyzer.PhaseTiming{Phase: "report", Duration: time.Since(reportStart)}) {
				parts = append(parts, fmt.Sprintf("%s %.1f ms", t.Phase, float64(t.Duration.Microseconds())/1000))
			}
			fmt.Fprintf(stderr, "tfgate: timings: %s\n", strings.Join(parts, ", "))
		}()
	}
	meta := report.Meta{
		ToolVersion:     buildStamp().version,
		Category:        lf.category,
		WorkDir:         base,
		RepoRoot:        root,
		RunDir:          wd,
		SARIFSuppressed: lf.sarifSuppr,
		CommandLine:     report.CommandLine("tfgate "+cmd, args),
		Start:           start,
		End:             time.Now(),
		Warn:            func(m string) { fmt.Fprintf(stderr, "tfgate: warning: %s\n", m) },
	}
	for _, o := range outs {
		m := meta
		if o.format == "text" && o.file == "" {
			m.Color = useColor(colorMode, stdout)
		} else {
			m.Color = colorMode == "always"
		}
		m.Quiet = lf.quiet
		data, err := report.Render(o.format, res, m)
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
	for _, n := range res.Notifications {
		if n.Level == "warning" && !lf.quiet && !(len(outs) == 1 && outs[0].format == "text" && outs[0].file == "") {
			fmt.Fprintf(stderr, "tfgate: warning: %s\n", n.Message)
		}
		if n.Level == "error" {
			fmt.Fprintf(stderr, "tfgate: %s\n", n.Message)
			return exitError
		}
	}
	if failOn == 0 {
		return exitOK
	}
	for _, f := range res.Findings {
		if f.Counts() && f.Severity >= failOn {
			return exitFindings
		}
	}
	return exitOK
}

// gcTuner replaces the garbage collector's proportional pacing (GOGC) with
// a memory limit sized to the tree, until the heap reaches it: tfgate
// keeps every syntax tree until the reports are written, so the heap only
// grows, and collecting at every doubling (GOGC=100) re-marks that growing
// heap again and again. With GOGC off the collector does not run at all
// below the limit: none for a few thousand files, one for 10,000
// (measured in docs/performance.md). The limit is ~26 KB per discovered
// file, at least 256 MiB.
//
// The first collection means the estimate was reached; from then on the
// collector paces itself as with GOGC=100, with no limit. A limit kept
// beyond that point makes the collector run back to back as the live heap
// nears it — a 15 MB file's syntax trees outgrow 256 MiB while it is still
// being parsed — which made such inputs 2 to 7 times slower than GOGC=100.
// So tfgate never collects more often than GOGC=100 would: not at all up
// to the estimate, and at GOGC=100's pace after it. GOGC or GOMEMLIMIT in
// the environment win.
type gcTuner struct {
	mu           sync.Mutex
	limit        int64
	fromEnv      bool // GOGC or GOMEMLIMIT set: leave the runtime alone
	proportional bool // the estimate was reached: GOGC=100 from now on
}

// newGCTuner turns proportional collection off from the start, under the
// minimum limit: the walk of a large repository on the pre-commit path
// otherwise collects a few-megabyte heap several times while it lists
// thousands of files (measured: 0.20 s median instead of 0.145 s on the
// 2,000-module tree).
func newGCTuner() *gcTuner {
	g := &gcTuner{fromEnv: os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != ""}
	if !g.fromEnv {
		g.raise(256 << 20)
		debug.SetGCPercent(-1)
		// Garbage from the start: its finalizer runs after the first
		// collection.
		runtime.SetFinalizer(&gcSentinel{g}, func(s *gcSentinel) { s.g.proportionalPacing() })
	}
	return g
}

type gcSentinel struct{ g *gcTuner }

func (g *gcTuner) discovered(files int) {
	g.raise(int64(files) * 26 << 10)
}

// raise lifts the memory limit to need; it never lowers it.
func (g *gcTuner) raise(need int64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.fromEnv && !g.proportional && need > g.limit {
		g.limit = need
		debug.SetMemoryLimit(need)
	}
}

// proportionalPacing gives the collector back to GOGC=100, with no limit.
func (g *gcTuner) proportionalPacing() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.fromEnv && !g.proportional {
		g.proportional = true
		debug.SetGCPercent(100)
		debug.SetMemoryLimit(math.MaxInt64)
	}
}

// stop ends the tuning (for in-process runs, as in the tests).
func (g *gcTuner) stop() { g.proportionalPacing() }

// allFiles reports whether every path names a file (not a directory).
func allFiles(paths []string) bool {
	if len(paths) == 0 {
		return false
	}
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil || st.IsDir() {
			return false
		}
	}
	return true
}

func absPath(wd, p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(wd, p)
}

// parseFailOn returns the lowest failing severity, 0 for never.
func parseFailOn(s string) (analyzer.Severity, error) {
	if s == "never" {
		return 0, nil
	}
	sev, err := analyzer.ParseSeverity(s)
	if err != nil {
		return 0, fmt.Errorf("--fail-on %q: want error, warning, note or never", s)
	}
	return sev, nil
}

// strictUsage describes --strict from the rules that have a strict
// severity ("<rule> is an error, not a warning").
func strictUsage(all []*analyzer.Rule) string {
	var parts []string
	for _, r := range all {
		if r.StrictSeverity != 0 && r.StrictSeverity != r.Severity {
			parts = append(parts, fmt.Sprintf("%s is %s, not %s", r.ID, withArticle(r.StrictSeverity), withArticle(r.Severity)))
		}
	}
	if len(parts) == 0 {
		return "stricter severities (no rule has one)"
	}
	return "stricter severities: " + strings.Join(parts, "; ")
}

func withArticle(s analyzer.Severity) string {
	if s == analyzer.Error {
		return "an error"
	}
	return "a " + s.String()
}

const excludeUsage = "do not lint paths matching `GLOB`, relative to the working directory (** matches any number of directories; repeatable; adds to exclude in .tfgate.hcl)"

// excludeOptions turns --exclude patterns into load options.
func excludeOptions(patterns []string, wd string) (load.LoadOptions, error) {
	var lo load.LoadOptions
	for _, p := range patterns {
		if err := load.CheckGlob(p); err != nil {
			return lo, fmt.Errorf("--exclude: %v", err)
		}
		lo.Exclude = append(lo.Exclude, load.Glob{Pattern: p, Base: wd, Origin: "--exclude"})
	}
	return lo, nil
}
