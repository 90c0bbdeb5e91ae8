package rules

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/tfgate/tfgate/analyzer"
	"github.com/tfgate/tfgate/analyzer/model"
)

// LayoutEnvironmentParity reports environments of one system that run
// different code: other module versions or refs, other provider
// constraints, another required_version, or a module the others all call.
var layoutEnvironmentParity = register(&analyzer.Rule{
	ID:       "layout-environment-parity",
	Family:   analyzer.FamilyLayout,
	Severity: analyzer.Warning,
	Doc: analyzer.Doc{
		Title: "Environments of one system run the same modules and versions",
		Why: "Staging exists to prove what production will run. When production pins a module at 3.1.0 while dev and " +
			"staging run 3.2.0, or constrains the AWS provider to `~> 4.0` while the others use `~> 5.0`, every test in the " +
			"lower environments exercises code that production does not run, and the next production apply carries " +
			"untested changes. Environments should differ in their inputs (tfvars, backend keys), not in their code.\n\n" +
			"Environments are found two ways:\n\n" +
			"- root modules under a directory named `environments`, `envs`, `env`, `live` or `stages`: each child of that " +
			"directory is an environment. In nested layouts (`live/prod/us-east-1/app`) the roots at the same path below " +
			"each environment are compared (`live/prod/us-east-1/app` with `live/dev/us-east-1/app`), and the environment " +
			"is named after the directory directly under `live/`;\n" +
			"- sibling root modules (same parent directory) that call the same set of at least two modules from the same " +
			"sources, such as `regions/us-east-1` and `regions/eu-west-1`.\n\n" +
			"Examples (`examples/`, `test/`) are never environments. When the environments call modules, a directory that " +
			"shares no module call with its siblings (`envs/global`, `live/_shared`) is a different system, not an " +
			"environment, and is left out.\n\n" +
			"What is compared, using only values written as literal strings:\n\n" +
			"- module calls, matched by name: the registry source and `version`, the git (or other) source and its `ref`, " +
			"or the directory a local source points to (`../../modules/x` from two environments is the same module);\n" +
			"- provider version constraints in `required_providers`, matched by provider source; constraints that differ " +
			"only in spacing or order are the same;\n" +
			"- `required_version`, when the environments set it.\n\n" +
			"For each value, the one most environments use is taken as the reference and every environment that differs " +
			"is reported at its module block, `required_providers` entry or `required_version`, naming what the others " +
			"use. When no value has a majority (two environments that differ), each is reported, naming the other. A " +
			"module that every other environment calls and one does not is reported as a note at that environment's " +
			"first `terraform` block (or the top of its first file), provided the environment calls at least half of the modules the others share and " +
			"does not call the same source under another name.",
		Fix: "Promote the same module versions, refs and provider constraints through every environment, or finish the " +
			"rollout that left one behind. Keep the differences between environments in their variables: tfvars files, " +
			"backend configuration and `-var` arguments.",
		Bad: `# envs/prod/main.tf (envs/dev and envs/staging use version 5.8.1)
module "network" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "5.1.0"
}`,
		Good: `# envs/prod/main.tf, envs/dev/main.tf and envs/staging/main.tf
module "network" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "5.8.1"
}`,
	},
	Run: runLayoutEnvironmentParity,
})

func runLayoutEnvironmentParity(pass *analyzer.Pass) error {
	for _, g := range layoutEnvGroups(pass.Project) {
		layoutCompareModules(pass, g)
		layoutCompareProviders(pass, g)
		layoutCompareRequiredVersion(pass, g)
		layoutMissingModules(pass, g)
	}
	return nil
}

func layoutCall(m *model.Module, name string) *model.ModuleCall {
	for _, c := range m.ModuleCalls {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// layoutObs is what one environment uses for one compared value.
type layoutObs struct {
	env  *layoutEnv
	key  string // equal keys mean the same value
	desc string // the value as other environments' messages name it
	self string // the environment's own clause: "prod pins module `x` at `1.0`"
	f    analyzer.Finding
}

// layoutReportDrift reports the environments whose value differs from the
// majority, or every environment when no value has a majority.
func layoutReportDrift(pass *analyzer.Pass, obs []*layoutObs) {
	if len(obs) < 2 {
		return
	}
	count := map[string]int{}
	for _, o := range obs {
		count[o.key]++
	}
	if len(count) < 2 {
		return
	}
	best, top := "", 0
	for k, n := range count {
		switch {
		case n > top:
			best, top = k, n
		case n == top:
			best = "" // tie
		}
	}
	for _, o := range obs {
		if best != "" && o.key == best {
			continue
		}
		// Name what the others use, most common first.
		byKey := map[string][]*layoutObs{}
		var keys []string
		for _, x := range obs {
			if x.key == o.key {
				continue
			}
			if byKey[x.key] == nil {
				keys = append(keys, x.key)
			}
			byKey[x.key] = append(byKey[x.key], x)
		}
		sort.SliceStable(keys, func(i, j int) bool { return len(byKey[keys[i]]) > len(byKey[keys[j]]) })
		var parts []string
		for _, k := range keys {
			xs := byKey[k]
			names := make([]string, len(xs))
			for i, x := range xs {
				names[i] = x.env.name
			}
			verb := "uses"
			if len(xs) > 1 {
				verb = "use"
			}
			parts = append(parts, layoutJoin(names)+" "+verb+" "+xs[0].desc)
		}
		f := o.f
		f.Message = o.self + "; " + strings.Join(parts, "; ") + "; align it with the others once the rollout is done"
		pass.Report(f)
	}
}

// layoutCompareModules compares the module calls of the same name.
func layoutCompareModules(pass *analyzer.Pass, envs []*layoutEnv) {
	names := map[string]bool{}
	for _, e := range envs {
		for _, n := range layoutCallNames(e.m) {
			names[n] = true
		}
	}
	for _, name := range layoutSorted(names) {
		type use struct {
			env  *layoutEnv
			call *model.ModuleCall
			src  model.CallSource
		}
		var uses []use
		ids := map[string]bool{}
		for _, e := range envs {
			c := layoutCall(e.m, name)
			if c == nil {
				continue
			}
			src, ok := c.CallSource()
			if !ok {
				continue
			}
			uses = append(uses, use{e, c, src})
			ids[src.Identity] = true
		}
		same := len(ids) == 1
		var obs []*layoutObs
		for _, u := range uses {
			desc, self := layoutSourceDesc(u.src, same), ""
			switch {
			case !same:
				self = fmt.Sprintf("%s calls module `%s` from %s", u.env.name, name, desc)
			case u.src.Version != "":
				self = fmt.Sprintf("%s pins module `%s` at %s", u.env.name, name, desc)
			default:
				self = fmt.Sprintf("%s calls module `%s` with %s", u.env.name, name, desc)
			}
			obs = append(obs, &layoutObs{env: u.env, key: callKey(u.src), desc: desc, self: self,
				f: analyzer.Finding{Range: u.call.Block.DefRange, Module: u.env.m.Dir, Address: u.call.Block.Address(), Attribute: "source"}})
		}
		layoutReportDrift(pass, obs)
	}
}

// callKey is what must be equal for two calls to run the same code.
func callKey(s model.CallSource) string {
	v := s.Version
	if s.Kind == model.SourceRegistry {
		v = model.NormalizeConstraint(v)
	}
	return s.Identity + "\x00" + v
}

// layoutSourceDesc names a module source for messages: only its version
// when every environment uses the same source, else source and version.
func layoutSourceDesc(s model.CallSource, sameIdentity bool) string {
	ver := ""
	switch {
	case s.Version == "":
	case s.VCS():
		ver = "ref `" + s.Version + "`"
	default:
		ver = "`" + s.Version + "`"
	}
	if sameIdentity {
		if ver != "" {
			return ver
		}
		switch {
		case s.Kind == model.SourceRegistry:
			return "no version"
		case s.VCS():
			return "no ref"
		}
		return "`" + s.Display + "`"
	}
	if ver != "" {
		return "`" + s.Display + "` at " + ver
	}
	return "`" + s.Display + "`"
}

// layoutCompareProviders compares the version constraints of each provider
// (by source address) that the environments declare in required_providers.
func layoutCompareProviders(pass *analyzer.Pass, envs []*layoutEnv) {
	type decl struct {
		first       *model.RequiredProvider
		constraints []string
		unknown     bool
	}
	per := make([]map[string]*decl, len(envs))
	all := map[string]bool{}
	for i, e := range envs {
		per[i] = map[string]*decl{}
		for _, rp := range e.m.RequiredProviders() {
			addr := model.SourceAddress(rp.Source, rp.Name)
			d := per[i][addr]
			if d == nil {
				d = &decl{first: rp}
				per[i][addr] = d
			}
			all[addr] = true
			switch v, ok := layoutProviderVersion(rp); {
			case !ok:
				d.unknown = true
			case v != "":
				d.constraints = append(d.constraints, v)
			}
		}
	}
	for _, addr := range layoutSorted(all) {
		var obs []*layoutObs
		for i, e := range envs {
			d := per[i][addr]
			if d == nil || d.unknown {
				continue
			}
			name := d.first.Name
			o := &layoutObs{env: e, f: analyzer.Finding{Range: d.first.Attr.Range, Module: e.m.Dir, Address: "terraform.required_providers", Attribute: name}}
			if len(d.constraints) == 0 {
				o.key, o.desc = "\x00none", "no version constraint"
				o.self = fmt.Sprintf("%s sets no version constraint for provider `%s`", e.name, name)
			} else {
				c := strings.Join(d.constraints, ", ")
				o.key, o.desc = model.NormalizeConstraint(c), "`"+c+"`"
				o.self = fmt.Sprintf("%s constrains provider `%s` to `%s`", e.name, name, c)
			}
			obs = append(obs, o)
		}
		layoutReportDrift(pass, obs)
	}
}

// layoutProviderVersion returns a required_providers entry's version
// constraint ("" when it has none); ok is false when the constraint is not
// a static string.
func layoutProviderVersion(rp *model.RequiredProvider) (string, bool) {
	if !rp.HasVersion || rp.Version != "" {
		return strings.TrimSpace(rp.Version), true
	}
	// HasVersion with an empty Version: `version = ""`, or an expression.
	pairs, d := hcl.ExprMap(rp.Attr.Expr)
	if d.HasErrors() {
		return "", true // JSON entries only record static strings
	}
	for _, kv := range pairs {
		if k, ok := model.StaticString(kv.Key); (ok && k == "version") || hcl.ExprAsKeyword(kv.Key) == "version" {
			s, ok := model.StaticString(kv.Value)
			return strings.TrimSpace(s), ok
		}
	}
	return "", true
}

// layoutCompareRequiredVersion compares required_version where the
// environments set it.
func layoutCompareRequiredVersion(pass *analyzer.Pass, envs []*layoutEnv) {
	var obs []*layoutObs
	for _, e := range envs {
		for _, tb := range e.m.Terraform {
			a := tb.Attr("required_version")
			if a == nil {
				continue
			}
			v, ok := model.StaticString(a.Expr)
			v = strings.TrimSpace(v)
			if !ok || v == "" {
				break
			}
			obs = append(obs, &layoutObs{env: e, key: model.NormalizeConstraint(v), desc: "`" + v + "`",
				self: fmt.Sprintf("%s requires Terraform `%s`", e.name, v),
				f:    analyzer.Finding{Range: a.Range, Module: e.m.Dir, Address: "terraform", Attribute: "required_version"}})
			break
		}
	}
	layoutReportDrift(pass, obs)
}

// layoutMissingModules notes, for each environment, the modules that every
// other environment calls and it does not.
func layoutMissingModules(pass *analyzer.Pass, envs []*layoutEnv) {
	for i, e := range envs {
		var common map[string]bool
		var others []string
		for j, o := range envs {
			if j == i {
				continue
			}
			others = append(others, o.name)
			names := map[string]bool{}
			for _, n := range layoutCallNames(o.m) {
				names[n] = true
			}
			if common == nil {
				common = names
				continue
			}
			for n := range common {
				if !names[n] {
					delete(common, n)
				}
			}
		}
		if len(common) == 0 {
			continue
		}
		// Sources this environment calls, to recognize a renamed call.
		own := map[string]bool{}
		for _, c := range e.m.ModuleCalls {
			if src, ok := c.CallSource(); ok {
				own[src.Identity] = true
			}
		}
		var missing []string
		for _, n := range layoutSorted(common) {
			if layoutCall(e.m, n) != nil {
				continue
			}
			renamed := false
			for j, o := range envs {
				if j == i {
					continue
				}
				if c := layoutCall(o.m, n); c != nil {
					if src, ok := c.CallSource(); ok && own[src.Identity] {
						renamed = true
					}
				}
			}
			if !renamed {
				missing = append(missing, n)
			}
		}
		// An environment that lacks most of what the others share is a
		// different kind of root, not one that fell behind.
		if len(missing) == 0 || 2*len(missing) > len(common) {
			continue
		}
		verb := "calls"
		if len(others) > 1 {
			verb = "call"
		}
		for _, n := range missing {
			pass.Report(analyzer.Finding{Range: e.m.FirstRange(), Module: e.m.Dir, Address: "module." + n, Severity: analyzer.Note,
				Message: fmt.Sprintf("%s does not call module `%s`, which %s %s; add the call if %s should have it too", e.name, n, layoutJoin(others), verb, e.name)})
		}
	}
}

func layoutSorted(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
