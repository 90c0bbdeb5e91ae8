package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
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

  # Lint two environments with production's variables
  tfgate lint envs/prod --var-file envs/prod/prod.tfvars --var region=eu-west-1

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
	vars           []string
	backendConfigs []string
	baseline       string
	writeBaseline  string
	category       string
	repoRoot       string
	sarifSuppr     bool
	color          string
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
	fs.StringVarP(&lf.config, "config", "c", "", "configuration file (default: .tfgate.hcl upward from the first PATH, then in the working directory)")
	fs.StringArrayVarP(&lf.formats, "format", "f", nil, "output format: "+strings.Join(report.Formats, ", ")+"; FORMAT=FILE writes to a file; repeat for several (default text)")
	fs.StringVarP(&lf.output, "output", "o", "", "write the format that has no =FILE here instead of stdout (atomically)")
	fs.StringVar(&lf.failOn, "fail-on", "warning", "lowest severity that makes the exit code 2: error, warning, note or never")
	fs.StringSliceVar(&lf.enable, "enable-rule", nil, "enable a rule (repeatable, comma-separated)")
	fs.StringSliceVar(&lf.disable, "disable-rule", nil, "disable a rule (repeatable, comma-separated)")
	fs.StringSliceVar(&lf.families, "only-family", nil, "run only these families: state, pinning, layout, secrets, tags, autoscaling")
	fs.StringArrayVar(&lf.varFiles, "var-file", nil, "variables file for root modules, as terraform -var-file (repeatable)")
	fs.StringArrayVar(&lf.vars, "var", nil, "variable for root modules, NAME=VALUE, as terraform -var (repeatable)")
	fs.StringArrayVar(&lf.backendConfigs, "backend-config", nil, "partial backend configuration FILE merged into every backend, as terraform init -backend-config (repeatable)")
	fs.StringVar(&lf.baseline, "baseline", "", "JSON baseline: findings recorded in it do not count (matched by fingerprint, not line)")
	fs.StringVar(&lf.writeBaseline, "write-baseline", "", "write the current findings to FILE as a baseline and exit 0")
	fs.StringVar(&lf.category, "category", "tfgate/lint/", "SARIF automationDetails.id: one category per upload to GitHub code scanning")
	fs.StringVar(&lf.repoRoot, "repo-root", "", "directory that sarif, gitlab and github paths are relative to (default: the Git work tree, else $GITHUB_WORKSPACE, else the working directory)")
	fs.BoolVar(&lf.sarifSuppr, "sarif-suppressed", false, "keep ignored and baselined findings in SARIF as suppressed results (GitHub code scanning shows them as open alerts: off by default)")
	fs.StringVar(&lf.color, "color", "auto", "colour text output: auto (on a terminal), always or never")
	fs.StringVar(&lf.plan, "plan", "", "also lint this plan (`terraform show -json` output, a binary planfile, or - for stdin) on its real values")
	fs.BoolVar(&lf.strict, "strict", false, strictUsage(rules.All()))
	fs.StringArrayVar(&lf.exclude, "exclude", nil, excludeUsage)
	fs.StringVar(&lf.terraformBin, "terraform-bin", "", "terraform or tofu binary that converts binary planfiles (default: $TFGATE_TERRAFORM_BIN, then terraform, then tofu on PATH)")
	fs.Usage = func() {
		fmt.Fprint(stderr, lintUsage)
		fs.PrintDefaults()
		fmt.Fprint(stderr, "\nExit codes: 0 nothing at or above --fail-on, 2 findings, 1 tool error.\n")
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
			toStdout++
			file = outFile
		}
		outs = append(outs, output{format: name, file: file})
	}
	if toStdout > 1 {
		return nil, errors.New("only one --format can go to stdout (or --output); give the others a file: --format sarif=results.sarif")
	}
	return outs, nil
}

func runLint(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs, lf := newLintFlags(stderr)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return exitOK
		}
		fmt.Fprintf(stderr, "tfgate lint: %v\nRun \"tfgate lint --help\" for usage.\n", err)
		return exitError
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
	lo.Discovered, lo.Parsed = gc.discovered, gc.parsed
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
		if err := fsx.WriteFileAtomic(lf.writeBaseline, data); err != nil {
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
			m.Color = useColor(lf.color, stdout)
		} else {
			m.Color = lf.color == "always"
		}
		data, err := report.Render(o.format, res, m)
		if err != nil {
			return fail(err)
		}
		if o.file == "" {
			stdout.Write(data)
			continue
		}
		if err := fsx.WriteFileAtomic(o.file, data); err != nil {
			return fail(err)
		}
	}
	for _, n := range res.Notifications {
		if n.Level == "warning" && !(len(outs) == 1 && outs[0].format == "text" && outs[0].file == "") {
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
// a memory limit sized to the tree: tfgate keeps every syntax tree until
// the reports are written, so the heap only grows, and collecting at every
// doubling (GOGC=100) re-marks that growing heap again and again. With
// GOGC off the collector runs only as the heap nears the limit: none at
// all for a few thousand files, once for 10,000 (measured in
// docs/performance.md: a limit of 220 MiB instead of 260 costs 10% more
// time there, 180 MiB 40% more). The limit is ~26 KB per
// discovered file, at least 256 MiB, raised after parsing to 80 times the
// source read (syntax trees and evaluated values hold ~50 times the source
// at their peak), so a tree of a few huge files is not starved. GOGC or
// GOMEMLIMIT in the environment win.
type gcTuner struct {
	limit   int64
	fromEnv bool // GOGC or GOMEMLIMIT set: leave the runtime alone
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
	}
	return g
}

func (g *gcTuner) discovered(files int) {
	g.raise(int64(files) * 26 << 10)
}

func (g *gcTuner) parsed(bytes int64) {
	g.raise(bytes * 80)
}

// raise lifts the memory limit to need; it never lowers it.
func (g *gcTuner) raise(need int64) {
	if !g.fromEnv && need > g.limit {
		g.limit = need
		debug.SetMemoryLimit(need)
	}
}

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

func useColor(mode string, w io.Writer) bool {
	switch mode {
	case "always":
		return true
	case "never":
		return false
	}
	if os.Getenv("NO_COLOR") != "" {
		return false
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0 && os.Getenv("TERM") != "dumb"
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

const excludeUsage = "do not lint paths matching `GLOB`, relative to the working directory (`**` matches any directories; repeatable; adds to `exclude` in .tfgate.hcl)"

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
