package analyzer

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/tfgate/tfgate/analyzer/load"
	"github.com/tfgate/tfgate/analyzer/model"
	"github.com/tfgate/tfgate/internal/fsx"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// ConfigFileName is the name tfgate looks for.
const ConfigFileName = ".tfgate.hcl"

// Config is a parsed .tfgate.hcl.
type Config struct {
	Path  string
	Rules map[string]*RuleConfig
	// Exclude are the `exclude = ["GLOB", …]` patterns and Kinds the
	// `module "GLOB" { kind = "…" }` blocks, relative to the file's
	// directory (see Apply).
	Exclude []load.Glob
	Kinds   []load.KindOverride
	// Environments blocks: the tfvars files of roots' environments
	// (config_environments.go).
	Environments []RootEnvironments
	// Blocks other than rule blocks (drift, …), for the commands that own them.
	Extra []*hcl.Block
	File  *hcl.File
}

// RuleConfig is one rule block.
type RuleConfig struct {
	Enabled  *bool
	Severity Severity // 0 when not set
	Options  map[string]cty.Value
	Range    hcl.Range
}

// ConfigError is a problem in a configuration file, with its location.
type ConfigError struct{ Diags hcl.Diagnostics }

func (e *ConfigError) Error() string {
	var parts []string
	for _, d := range e.Diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		msg := d.Summary
		if d.Detail != "" {
			msg += ": " + d.Detail
		}
		if d.Subject != nil {
			msg = fmt.Sprintf("%s:%d:%d: %s", d.Subject.Filename, d.Subject.Start.Line, d.Subject.Start.Column, msg)
		}
		parts = append(parts, msg)
	}
	return strings.Join(parts, "\n")
}

// FindConfig looks for .tfgate.hcl upward from the scanned path, then in
// the working directory. It returns "" when there is none.
func FindConfig(workDir, scanPath string) string {
	start := scanPath
	if !filepath.IsAbs(start) {
		start = filepath.Join(workDir, start)
	}
	if st, err := os.Stat(start); err == nil && !st.IsDir() {
		start = filepath.Dir(start)
	}
	for dir := filepath.Clean(start); ; dir = filepath.Dir(dir) {
		p := filepath.Join(dir, ConfigFileName)
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p
		}
		if filepath.Dir(dir) == dir {
			break
		}
	}
	p := filepath.Join(workDir, ConfigFileName)
	if st, err := os.Stat(p); err == nil && !st.IsDir() {
		return p
	}
	return ""
}

// namedFileError says why a file the repository names was not read.
func namedFileError(err error) error {
	var tl fsx.TooLargeError
	switch {
	case errors.Is(err, fsx.ErrOutside):
		return errors.New("it resolves outside the repository (a symbolic link): not read")
	case errors.Is(err, fsx.ErrNotRegular):
		return errors.New("not a regular file")
	case errors.As(err, &tl):
		return tl
	}
	return fsx.Cause(err)
}

// extraConfigBlocks are top-level blocks owned by other commands.
var extraConfigBlocks = []string{"drift"}

// ParseConfig reads a configuration file and checks it against the rules:
// unknown rules, unknown options and values of the wrong type are errors
// with their file:line.
func ParseConfig(filename string, display string, rules []*Rule) (*Config, error) {
	// Bounded, a regular file, and inside the repository that holds it.
	src, err := fsx.ReadInTree(filename, fsx.MaxFileSize)
	if err != nil {
		return nil, fmt.Errorf("cannot read config %s: %w", display, namedFileError(err))
	}
	cfg, err := parseConfigSource(src, display, rules)
	if err != nil {
		return nil, err
	}
	cfg.resolveEnvironments(filename)
	abs, _ := filepath.Abs(filename)
	dir := filepath.Dir(abs)
	for i := range cfg.Exclude {
		cfg.Exclude[i].Base = dir
	}
	for i := range cfg.Kinds {
		cfg.Kinds[i].Base = dir
	}
	return cfg, nil
}

// Apply adds the configuration's excludes and kind overrides to load
// options (after those given on the command line).
func (c *Config) Apply(lo load.LoadOptions) load.LoadOptions {
	if c == nil {
		return lo
	}
	lo.Exclude = append(append([]load.Glob(nil), lo.Exclude...), c.Exclude...)
	lo.Kinds = append(append([]load.KindOverride(nil), lo.Kinds...), c.Kinds...)
	return lo
}

// parseConfigSource is ParseConfig on bytes.
func parseConfigSource(src []byte, display string, rules []*Rule) (*Config, error) {
	f, diags := hclsyntax.ParseConfig(src, display, hcl.Pos{Line: 1, Column: 1})
	if diags.HasErrors() {
		return nil, &ConfigError{diags}
	}
	schema := &hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{{Name: "exclude"}},
		Blocks: []hcl.BlockHeaderSchema{{Type: "rule", LabelNames: []string{"id"}}, {Type: "module", LabelNames: []string{"path"}},
			{Type: "environments", LabelNames: []string{"root"}}},
	}
	for _, b := range extraConfigBlocks {
		schema.Blocks = append(schema.Blocks, hcl.BlockHeaderSchema{Type: b})
	}
	content, diags := f.Body.Content(schema)
	if diags.HasErrors() {
		return nil, &ConfigError{diags}
	}
	byID := map[string]*Rule{}
	var ids []string
	for _, r := range rules {
		byID[r.ID] = r
		ids = append(ids, r.ID)
	}
	sort.Strings(ids)
	cfg := &Config{Path: display, Rules: map[string]*RuleConfig{}, File: f}
	var errs hcl.Diagnostics
	if a := content.Attributes["exclude"]; a != nil {
		globs, d := configGlobs(a, display)
		errs = append(errs, d...)
		cfg.Exclude = globs
	}
	for _, b := range content.Blocks {
		if b.Type == "module" {
			ko, d := configModuleBlock(b, display)
			errs = append(errs, d...)
			if ko != nil {
				cfg.Kinds = append(cfg.Kinds, *ko)
			}
			continue
		}
		if b.Type == "environments" {
			re, d := parseEnvironments(b)
			errs = append(errs, d...)
			cfg.Environments = append(cfg.Environments, re)
			continue
		}
		if b.Type != "rule" {
			cfg.Extra = append(cfg.Extra, b)
			continue
		}
		id := b.Labels[0]
		r := byID[id]
		if r == nil {
			rng := b.LabelRanges[0]
			detail := "tfgate has no rule " + fmt.Sprintf("%q", id)
			if s := Suggest(id, ids); s != "" {
				detail += fmt.Sprintf("; did you mean %q?", s)
			}
			detail += "; `tfgate rules` lists them"
			errs = append(errs, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Unknown rule", Detail: detail, Subject: &rng})
			continue
		}
		if _, dup := cfg.Rules[id]; dup {
			rng := b.DefRange
			errs = append(errs, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Duplicate rule block", Detail: fmt.Sprintf("rule %q is configured twice", id), Subject: &rng})
			continue
		}
		rc := &RuleConfig{Options: map[string]cty.Value{}, Range: b.DefRange}
		attrs, d := b.Body.JustAttributes()
		if d.HasErrors() {
			errs = append(errs, d...)
			continue
		}
		opts := map[string]Option{}
		var optNames []string
		for _, o := range r.Options {
			opts[o.Name] = o
			optNames = append(optNames, o.Name)
		}
		names := model.InSourceOrder(attrs)
		for _, n := range names {
			a := attrs[n]
			rng := a.Range
			v, d := a.Expr.Value(nil)
			if d.HasErrors() {
				errs = append(errs, d...)
				continue
			}
			bad := func(summary, detail string) {
				errs = append(errs, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: &rng})
			}
			switch n {
			case "enabled":
				if v.Type() != cty.Bool || v.IsNull() {
					bad("Wrong type", fmt.Sprintf("rule %q: enabled must be true or false", id))
					continue
				}
				e := v.True()
				rc.Enabled = &e
			case "severity":
				if v.Type() != cty.String || v.IsNull() {
					bad("Wrong type", fmt.Sprintf("rule %q: severity must be \"error\", \"warning\" or \"note\"", id))
					continue
				}
				s, err := ParseSeverity(v.AsString())
				if err != nil {
					bad("Invalid severity", fmt.Sprintf("rule %q: %v", id, err))
					continue
				}
				rc.Severity = s
			default:
				o, ok := opts[n]
				if !ok {
					detail := fmt.Sprintf("rule %q has no option %q", id, n)
					if len(optNames) == 0 {
						detail += "; it takes only enabled and severity"
					} else {
						detail += "; its options are enabled, severity, " + strings.Join(optNames, ", ")
					}
					bad("Unknown option", detail)
					continue
				}
				cv, err := convert.Convert(v, o.Type)
				if err != nil {
					bad("Wrong type", fmt.Sprintf("rule %q: option %s must be %s: %v", id, n, o.Type.FriendlyName(), err))
					continue
				}
				if o.Validate != nil {
					if err := o.Validate(cv); err != nil {
						bad("Invalid value", fmt.Sprintf("rule %q: option %s: %v", id, n, err))
						continue
					}
				}
				rc.Options[n] = cv
			}
		}
		cfg.Rules[id] = rc
	}
	if errs.HasErrors() {
		return nil, &ConfigError{errs}
	}
	return cfg, nil
}

// Suggest returns the closest name (edit distance under 4), or "": for
// "did you mean" in errors about rule IDs, flags and commands.
func Suggest(s string, names []string) string {
	best, bestD := "", 4
	for _, n := range names {
		if d := levenshtein(s, n); d < bestD {
			best, bestD = n, d
		}
	}
	return best
}

func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := 1
			if a[i-1] == b[j-1] {
				c = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+c)
		}
		prev = cur
	}
	return prev[len(b)]
}

// configGlobs reads `exclude = ["GLOB", …]`.
func configGlobs(a *hcl.Attribute, display string) ([]load.Glob, hcl.Diagnostics) {
	rng := a.Range
	bad := func(detail string) hcl.Diagnostics {
		return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid exclude", Detail: detail, Subject: &rng}}
	}
	v, d := a.Expr.Value(nil)
	if d.HasErrors() {
		return nil, d
	}
	if v.IsNull() || !(v.Type().IsListType() || v.Type().IsTupleType() || v.Type().IsSetType()) {
		return nil, bad(`exclude must be a list of path patterns, e.g. exclude = ["modules/legacy", "**/examples/**"]`)
	}
	var out []load.Glob
	for it := v.ElementIterator(); it.Next(); {
		_, ev := it.Element()
		if ev.IsNull() || ev.Type() != cty.String {
			return nil, bad("exclude: every pattern must be a string")
		}
		p := ev.AsString()
		if err := load.CheckGlob(p); err != nil {
			return nil, bad("exclude: " + err.Error())
		}
		out = append(out, load.Glob{Pattern: p, Origin: fmt.Sprintf("%s:%d", display, rng.Start.Line)})
	}
	return out, nil
}

// configModuleBlock reads `module "GLOB" { kind = "root" }`.
func configModuleBlock(b *hcl.Block, display string) (*load.KindOverride, hcl.Diagnostics) {
	pattern := b.Labels[0]
	lrng := b.LabelRanges[0]
	if err := load.CheckGlob(pattern); err != nil {
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid module pattern", Detail: err.Error(), Subject: &lrng}}
	}
	content, d := b.Body.Content(&hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "kind", Required: true}}})
	if d.HasErrors() {
		return nil, d
	}
	a := content.Attributes["kind"]
	rng := a.Range
	v, d := a.Expr.Value(nil)
	if d.HasErrors() {
		return nil, d
	}
	kinds := strings.Join(load.OverrideKinds, `", "`)
	if v.IsNull() || v.Type() != cty.String {
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Wrong type", Detail: fmt.Sprintf(`module %q: kind must be one of "%s"`, pattern, kinds), Subject: &rng}}
	}
	k := v.AsString()
	for _, ok := range load.OverrideKinds {
		if k == ok {
			return &load.KindOverride{Glob: load.Glob{Pattern: pattern, Origin: fmt.Sprintf("%s:%d", display, b.DefRange.Start.Line)}, Kind: k}, nil
		}
	}
	detail := fmt.Sprintf(`module %q: kind %q is not one of "%s"`, pattern, k, kinds)
	if s := Suggest(k, load.OverrideKinds); s != "" {
		detail += fmt.Sprintf("; did you mean %q?", s)
	}
	return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid kind", Detail: detail, Subject: &rng}}
}
