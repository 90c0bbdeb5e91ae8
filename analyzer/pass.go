package analyzer

import (
	"fmt"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/tfgate/tfgate/analyzer/eval"
	"github.com/tfgate/tfgate/analyzer/model"
	"github.com/tfgate/tfgate/analyzer/tfplan"
	"github.com/zclconf/go-cty/cty"
)

// Pass is what a rule's Run receives: the project, the rule's options and
// a way to report.
type Pass struct {
	Rule    *Rule
	Project *model.Project
	// Instances are the project's modules evaluated (eval.Result.Instances).
	Instances []*eval.Instance
	Severity  Severity // effective severity (config may override the default)
	Options   map[string]cty.Value
	// BackendConfigs are --backend-config files, merged into every backend.
	BackendConfigs []*model.File
	// Plan is set for Rule.Plan runs; PlanRoot is the root module it was
	// made from, when the configuration is known.
	Plan     *tfplan.Plan
	PlanRoot *model.Module
	report   func(*Finding)
	problems []model.Problem
	shared   *shared
}

// shared holds what the passes of one run compute once for all rules.
type shared struct {
	reqs map[*model.Module]*onceReqs // one per module of the project, made before the rules run

	planOnce      sync.Once // the plan's resources, for every plan rule
	planResources []*eval.PlanResource
}

type onceReqs struct {
	once sync.Once
	reqs []*model.ProviderRequirement
}

func newShared(p *model.Project) *shared {
	s := &shared{reqs: make(map[*model.Module]*onceReqs, len(p.Modules))}
	for _, m := range p.Modules {
		s.reqs[m] = &onceReqs{}
	}
	return s
}

// ProviderRequirements is m.ProviderRequirements, computed once per module
// and run and shared by the rules: callers must not modify it.
func (p *Pass) ProviderRequirements(m *model.Module) []*model.ProviderRequirement {
	o := p.shared.reqs[m]
	if o == nil {
		return m.ProviderRequirements()
	}
	o.once.Do(func() { o.reqs = m.ProviderRequirements() })
	return o.reqs
}

// Problems lists the input that could not be loaded or evaluated: files
// that do not parse, modules that call themselves, cyclic locals.
func (p *Pass) Problems() []model.Problem { return p.problems }

// Report records a finding. Rule, severity and module are filled in when
// left empty. When f.Instance is a module reached through calls, the call
// chain is named; when it lives outside the repository or in a vendored
// tree, the finding moves to the module block that calls it.
func (p *Pass) Report(f Finding) {
	if f.RuleID == "" {
		f.RuleID = p.Rule.ID
	}
	if f.Severity == 0 {
		f.Severity = p.Severity
	}
	if f.Source == "" {
		f.Source = "config"
	}
	if in := f.Instance; in != nil {
		if f.Module == "" {
			f.Module = in.Module.Dir
		}
		// Every call chain that reaches the instance: calls that give a
		// module the same inputs share one instance.
		if vias := in.Vias(); len(vias) > 0 {
			f.Via = vias
		}
		if root := in.Root(); root.Env != nil {
			f.Environments = []Environment{environmentOf(root)}
		}
		anchorExternal(&f, in)
	}
	p.report(&f)
}

// Reportf reports a message at a block (and optionally an attribute of it).
func (p *Pass) Reportf(in *eval.Instance, b *model.Block, attr *hcl.Attribute, format string, args ...any) {
	f := Finding{Message: fmt.Sprintf(format, args...), Instance: in, Range: b.DefRange, Address: b.Address(), Module: b.Module.Dir}
	if attr != nil {
		f.Range = attr.Range
		f.Attribute = attr.Name
	}
	p.Report(f)
}

// PlanResources lists the plan's resource changes with after-values
// readable through Scope, mapped to their source blocks. They are built
// once per run and shared by the plan rules (each resource's values are
// re-encoded for evaluation, most of the cost of a large plan): callers
// must not modify them.
func (p *Pass) PlanResources() []*eval.PlanResource {
	if p.shared == nil {
		return eval.PlanResources(p.Project, p.Plan, p.PlanRoot)
	}
	p.shared.planOnce.Do(func() { p.shared.planResources = eval.PlanResources(p.Project, p.Plan, p.PlanRoot) })
	return p.shared.planResources
}

// ReportPlan reports a finding about a plan resource instance: at its
// resource block (naming the module call it is reached through) when the
// configuration is known, at the module call for resources in modules
// tfgate cannot read, else at the resource's entry in the plan JSON. The
// message names the instance address and says the values came from the
// plan.
func (p *Pass) ReportPlan(r *eval.PlanResource, attr string, f Finding) {
	f.Source = "plan"
	f.Range = r.Loc.Range
	f.Address = r.Address
	f.Attribute = attr
	if f.Module == "" {
		if r.Loc.Module != nil {
			f.Module = r.Loc.Module.Dir
		} else {
			f.Module = p.Plan.Path
		}
	}
	prefix := "`" + r.Address + "`"
	if r.Loc.Note != "" {
		prefix += " " + r.Loc.Note
	}
	f.Message = prefix + ": " + f.Message + " (values from the plan)"
	if r.Loc.Via != "" {
		f.Via = []string{r.Loc.Via}
	}
	f.planBlock = r.Loc.Block
	if f.RuleID == "" {
		f.RuleID = p.Rule.ID
	}
	if f.Severity == 0 {
		f.Severity = p.Severity
	}
	p.report(&f)
}

func environmentOf(root *eval.Instance) Environment {
	e := Environment{Root: root.Module.Dir, Name: root.Env.Name}
	for _, f := range root.Env.Files {
		e.Files = append(e.Files, f.Path)
	}
	return e
}

func anchorExternal(f *Finding, in *eval.Instance) {
	if !in.Module.External || in.Parent == nil {
		return
	}
	// The first external module on the path from the root: its call is the
	// last place inside the repository.
	var call *model.ModuleCall
	for i := in; i.Parent != nil; i = i.Parent {
		if i.Module.External && !i.Parent.Module.External {
			call = i.Call
		}
	}
	if call == nil {
		return
	}
	f.Message = fmt.Sprintf("in module %q (%s:%d): %s", call.Name, f.Range.Filename, f.Range.Start.Line, f.Message)
	f.Range = call.Block.DefRange
	f.Module = call.Block.Module.Dir
	f.Address = call.Block.Address() + "/" + f.Address
}

// Option returns an option's value (its default when not configured).
func (p *Pass) Option(name string) cty.Value {
	if v, ok := p.Options[name]; ok {
		return v
	}
	for _, o := range p.Rule.Options {
		if o.Name == name {
			return o.Default
		}
	}
	panic("rule " + p.Rule.ID + " has no option " + name)
}

// OptionSet reports whether the user's configuration sets an option (a
// rule block of .tfgate.hcl gives it), as opposed to its default applying:
// a rule whose default is a policy of its own, not a value, tells the two
// apart.
func (p *Pass) OptionSet(name string) bool {
	_, ok := p.Options[name]
	if !ok {
		p.Option(name) // panics on a name the rule does not have
	}
	return ok
}

// StringsOption returns a list-of-strings option.
func (p *Pass) StringsOption(name string) []string {
	return model.StringList(p.Option(name))
}

// NumberOption returns a number option; ok is false when it is unset.
func (p *Pass) NumberOption(name string) (float64, bool) {
	v := p.Option(name)
	if v.IsNull() || !v.IsKnown() {
		return 0, false
	}
	f, _ := v.AsBigFloat().Float64()
	return f, true
}

// BoolOption returns a bool option.
func (p *Pass) BoolOption(name string) bool {
	v := p.Option(name)
	return !v.IsNull() && v.IsKnown() && v.True()
}
