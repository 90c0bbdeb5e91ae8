package analyzer

import (
	"fmt"
	"path/filepath"

	"github.com/hashicorp/hcl/v2"
	"github.com/tfgate/tfgate/analyzer/model"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// RootEnvironments is an environments block of .tfgate.hcl: the tfvars
// files of each environment of one root module, for monorepos whose
// tfvars live where discovery does not look (docs/configuration.md).
//
//	environments "stacks/api" {
//	  dev  = ["config/common.tfvars", "config/api/dev.tfvars"]
//	  prod = ["config/common.tfvars", "config/api/prod.tfvars"]
//	}
//
// The root and the files are relative to the configuration file's
// directory; ParseConfig makes them absolute.
type RootEnvironments struct {
	Root  string // as written
	Dir   string // absolute (after ParseConfig)
	Envs  []ConfigEnvironment
	Range hcl.Range
}

// ConfigEnvironment is one environment of an environments block.
type ConfigEnvironment struct {
	Name  string
	Files []string // absolute (after ParseConfig)
	Range hcl.Range
}

// parseEnvironments reads one environments block.
func parseEnvironments(b *hcl.Block) (RootEnvironments, hcl.Diagnostics) {
	re := RootEnvironments{Root: b.Labels[0], Range: b.DefRange}
	attrs, diags := b.Body.JustAttributes()
	if diags.HasErrors() {
		return re, diags
	}
	var errs hcl.Diagnostics
	for _, name := range model.InSourceOrder(attrs) {
		a := attrs[name]
		rng := a.Range
		v, d := a.Expr.Value(nil)
		if d.HasErrors() {
			errs = append(errs, d...)
			continue
		}
		lv, err := convert.Convert(v, cty.List(cty.String))
		if err != nil || lv.IsNull() || !lv.IsWhollyKnown() || lv.LengthInt() == 0 || hasNullOrEmpty(lv) {
			errs = append(errs, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Wrong type",
				Detail: fmt.Sprintf("environments %q: %s must be a non-empty list of tfvars file paths", re.Root, name), Subject: &rng})
			continue
		}
		env := ConfigEnvironment{Name: name, Range: rng}
		for _, f := range lv.AsValueSlice() {
			env.Files = append(env.Files, f.AsString())
		}
		re.Envs = append(re.Envs, env)
	}
	if len(re.Envs) == 0 && !errs.HasErrors() {
		rng := b.DefRange
		errs = append(errs, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Empty environments block",
			Detail: fmt.Sprintf("environments %q names no environment: write NAME = [\"FILE.tfvars\", …]", re.Root), Subject: &rng})
	}
	return re, errs
}

// hasNullOrEmpty reports whether a known list of strings holds null or ""
// (`dev = [null]`, `dev = [""]`): no file to read.
func hasNullOrEmpty(l cty.Value) bool {
	for _, e := range l.AsValueSlice() {
		if e.IsNull() || e.AsString() == "" {
			return true
		}
	}
	return false
}

// resolveEnvironments makes the paths of environments blocks absolute,
// relative to the configuration file's directory.
func (c *Config) resolveEnvironments(configPath string) {
	abs, err := filepath.Abs(configPath)
	if err != nil {
		abs = configPath
	}
	dir := filepath.Dir(abs)
	at := func(p string) string {
		if filepath.IsAbs(p) {
			return filepath.Clean(p)
		}
		return filepath.Join(dir, filepath.FromSlash(p))
	}
	for i := range c.Environments {
		re := &c.Environments[i]
		re.Dir = at(re.Root)
		for j := range re.Envs {
			for k, f := range re.Envs[j].Files {
				re.Envs[j].Files[k] = at(f)
			}
		}
	}
}
