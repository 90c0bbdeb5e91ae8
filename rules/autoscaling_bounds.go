package rules

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/tfgate/tfgate/analyzer"
	"github.com/tfgate/tfgate/analyzer/eval"
	"github.com/tfgate/tfgate/analyzer/model"
)

// AutoscalingBounds reports autoscaling bounds that cannot work (min above
// max, a desired size outside them), a maximum above the configured
// ceiling or left to a large platform default, and groups that cannot scale
// at all, on the evaluated values of every module instance.
var autoscalingBounds = register(&analyzer.Rule{
	ID:       "autoscaling-bounds",
	Family:   analyzer.FamilyAutoscaling,
	Severity: analyzer.Error,
	Doc: analyzer.Doc{
		Title: "Autoscaling bounds are consistent and capped",
		Why: "Scaling bounds usually arrive from several places (a variable default, a tfvars file, a map of " +
			"per-environment sizes, a module argument), so nobody sees the final numbers side by side. When the " +
			"minimum ends up above the maximum, or the desired size outside them, the apply fails, often only in " +
			"the one environment whose tfvars differ. A maximum far above what the team expects (or none at all, " +
			"where the platform then allows a large fleet) turns a traffic spike or a crash loop into a large " +
			"bill or an exhausted quota; a minimum equal to the maximum means the autoscaler can never act.\n\n" +
			"The rule evaluates each module instance (each root with its tfvars, each module call with its " +
			"arguments, each `count`/`for_each` instance) and compares only values it knows: anything from a " +
			"data source, a resource attribute or a variable without a value is left alone. Every number in a " +
			"message says where it came from (the literal, the tfvars line, the variable default or the module " +
			"argument).\n\n" +
			"Severities: **error** for bounds the platform rejects (minimum above maximum; desired size outside " +
			"[min, max] for `aws_autoscaling_group`, `aws_eks_node_group`, `azurerm_monitor_autoscale_setting` and " +
			"AKS node pools); **warning** for a maximum above `max_ceiling`, a missing maximum, a GKE " +
			"`node_count`/`initial_node_count` outside the autoscaling range, and an `aws_ecs_service` " +
			"`desired_count` outside the range of the `aws_appautoscaling_target` whose `resource_id` refers to " +
			"it (auto scaling moves it back); **note** for a minimum equal to the maximum. Setting `severity` in " +
			"`.tfgate.hcl` to something other than `error` gives every finding of the rule that severity. In example " +
			"roots (under `examples/`, `test/` and the like), which are not deployed, only the errors are reported.\n\n" +
			"Covered: `aws_autoscaling_group`, `aws_appautoscaling_target` (with its ECS service), " +
			"`aws_eks_node_group` (`scaling_config`), `google_compute_autoscaler` and " +
			"`google_compute_region_autoscaler` (`autoscaling_policy`, skipped when `mode = \"OFF\"`), " +
			"`google_container_node_pool` and the `node_pool` blocks of `google_container_cluster` (`autoscaling`: " +
			"per-zone and total counts), `google_container_cluster` `cluster_autoscaling.resource_limits` (minimum " +
			"against maximum only), `google_cloud_run_service` (`autoscaling.knative.dev/minScale` and `maxScale` " +
			"annotations of the template), `google_cloud_run_v2_service` (`template.scaling` and the service-level " +
			"`scaling`, skipped in `MANUAL` mode), `azurerm_monitor_autoscale_setting` (every `profile`, dynamic " +
			"ones included; skipped when `enabled = false`), `azurerm_kubernetes_cluster` `default_node_pool` and " +
			"`azurerm_kubernetes_cluster_node_pool` (only when `auto_scaling_enabled`, or `enable_auto_scaling` in " +
			"provider v3, is true), and `kubernetes_horizontal_pod_autoscaler` with its `_v1`, `_v2` and " +
			"`_v2beta2` variants (`min_replicas` defaults to 1).\n\n" +
			"A missing maximum is reported for Cloud Run, which then allows up to 100 instances (a v2 service " +
			"with a service-level `scaling.max_instance_count` or in `MANUAL` mode is exempt); the other covered " +
			"resources require their maximum. `max_ceiling` compares instance, node, task and replica counts: it " +
			"skips an `aws_autoscaling_group` whose `desired_capacity_type` is not `units`, an " +
			"`aws_appautoscaling_target` whose `scalable_dimension` is not a count (DynamoDB capacity units, " +
			"Lambda provisioned concurrency, storage sizes), and GKE resource limits. A GKE per-zone " +
			"`max_node_count` is compared as it is, since the pool holds at least that many nodes at full scale.\n\n" +
			"With a plan (`tfgate lint DIR --plan plan.json`, or `tfgate plan plan.json` alone), the same checks run " +
			"on each resource instance's planned values, so bounds that arrive through `-var`, data sources or " +
			"remote state are compared too; values the plan does not know yet are left alone, and a plan finding " +
			"replaces the static one on the same block. The ECS service comparison needs the configuration and is " +
			"not repeated on plan values.",
		Fix: "Make the numbers agree where they are written: the message names the tfvars line, variable default, " +
			"local or module argument behind each one. Keep `min <= desired <= max`; raise `max_ceiling` in " +
			"`.tfgate.hcl` only when the larger fleet is intended, or suppress the one resource with a reason. " +
			"For Cloud Run, set `autoscaling.knative.dev/maxScale` (v1) or `template.scaling.max_instance_count` " +
			"(v2). A minimum equal to the maximum is fine for a fixed-size group; the note only points it out.",
		Bad: `variable "max_size" {
  default = 2
}

resource "aws_autoscaling_group" "web" {
  min_size         = 5
  max_size         = var.max_size
  desired_capacity = 3
}`,
		Good: `variable "max_size" {
  default = 10
}

resource "aws_autoscaling_group" "web" {
  min_size         = 2
  max_size         = var.max_size
  desired_capacity = 3
}`,
	},
	Options: []analyzer.Option{{
		Name:    "max_ceiling",
		Type:    cty.Number,
		Default: cty.NullVal(cty.Number),
		Doc: "Largest maximum (instances, nodes, tasks or replicas) allowed without a finding; unset: no " +
			"ceiling. A Cloud Run service without a maximum is compared with the platform default of 100.",
		Validate: func(v cty.Value) error {
			if v.IsNull() {
				return nil
			}
			if f, _ := v.AsBigFloat().Float64(); f < 1 {
				return errors.New("must be at least 1")
			}
			return nil
		},
	}},
	Run:  runAutoscalingBounds,
	Plan: planAutoscalingBounds,
})

// boundsAddress is a resource address with its count or for_each key.
func boundsAddress(b *model.Block, key cty.Value) string {
	addr := b.Address()
	if key == cty.NilVal || !key.IsKnown() || key.IsNull() {
		return addr
	}
	switch key.Type() {
	case cty.String:
		return fmt.Sprintf("%s[%q]", addr, key.AsString())
	case cty.Number:
		return addr + "[" + boundsNum(boundsFloat(key)) + "]"
	}
	return addr
}

func boundsFloat(v cty.Value) float64 { f, _ := v.AsBigFloat().Float64(); return f }

type boundsChecker struct {
	pass        *analyzer.Pass
	ceiling     float64
	haveCeiling bool
	// plan is the plan resource instance being checked, in Plan runs.
	plan *eval.PlanResource
}

// severity applies the configured severity: when the user overrides the
// rule's default, every finding gets it.
func (c *boundsChecker) severity(s analyzer.Severity) analyzer.Severity {
	if c.pass.Severity != c.pass.Rule.Severity {
		return c.pass.Severity
	}
	return s
}

func (c *boundsChecker) report(in *eval.Instance, addr string, b boundValue, sev analyzer.Severity, msg string) {
	// Examples are not deployed: only bounds that cannot work matter there,
	// not fleet-size policy, drift or notes.
	if sev != analyzer.Error && in.Root().Module.IsDemo() {
		return
	}
	if c.plan != nil {
		c.pass.ReportPlan(c.plan, b.path, analyzer.Finding{Message: msg, Severity: c.severity(sev)})
		return
	}
	rng := b.rng
	if rng.Filename == "" {
		rng = b.anchor
	}
	c.pass.Report(analyzer.Finding{
		Range: rng, Message: msg, Address: addr, Attribute: b.path, Instance: in, Severity: c.severity(sev),
	})
}

func runAutoscalingBounds(pass *analyzer.Pass) error {
	c := &boundsChecker{pass: pass}
	c.ceiling, c.haveCeiling = pass.NumberOption("max_ceiling")
	for _, in := range pass.Instances {
		for _, b := range in.Module.Resources {
			if b.Type != "resource" || len(b.Labels) < 2 {
				continue
			}
			specs := boundsByType[b.Labels[0]]
			isTarget := b.Labels[0] == "aws_appautoscaling_target"
			if len(specs) == 0 && !isTarget {
				continue
			}
			for _, res := range in.Scopes(b) {
				addr := boundsAddress(b, res.Key)
				for _, sp := range specs {
					c.check(in, res, addr, sp)
				}
				if isTarget {
					c.checkECSService(in, res, addr)
				}
			}
		}
	}
	return nil
}

// sensitive marks a bound of a plan resource that the plan marks
// sensitive (any sensitive value under the same top-level attribute or
// block counts, as paths inside nested blocks are not tracked).
func (c *boundsChecker) sensitive(b boundValue) boundValue {
	if c.plan == nil || c.plan.Change == nil || c.plan.Change.Change == nil {
		return b
	}
	top := b.path
	if i := strings.IndexAny(top, ".["); i >= 0 {
		top = top[:i]
	}
	b.sensitive = eval.PlanAnySensitive(c.plan.Change.Change.AfterSensitive, top)
	return b
}

// planAutoscalingBounds runs the checks on the planned values of each
// resource instance of a plan.
func planAutoscalingBounds(pass *analyzer.Pass) error {
	c := &boundsChecker{pass: pass}
	c.ceiling, c.haveCeiling = pass.NumberOption("max_ceiling")
	for _, r := range pass.PlanResources() {
		if r.Mode != "managed" || r.Scope == nil || r.Change.DeposedKey != "" {
			continue
		}
		c.plan = r
		for _, sp := range boundsByType[r.Type] {
			c.check(r.Scope.Inst, *r.Scope, r.Address, sp)
		}
	}
	return nil
}

// check evaluates one set of bounds in every block that holds it.
func (c *boundsChecker) check(in *eval.Instance, res eval.Scope, addr string, sp *boundsSpec) {
	type located struct {
		s      eval.Scope
		prefix string // attribute path
		ctx    string // message prefix
	}
	blocks := []located{{s: res}}
	for depth, t := range sp.blocks {
		var next []located
		for _, l := range blocks {
			for i, nb := range l.s.Blocks(t) {
				p := t
				if l.prefix != "" {
					p = l.prefix + "." + t
				}
				ctx := l.ctx
				if depth == len(sp.blocks)-1 && sp.label != "" {
					if name, ok := boundsString(nb, sp.label); ok {
						p += fmt.Sprintf("[%q]", name)
						ctx = fmt.Sprintf("%s %q", sp.context, name)
					} else {
						p += fmt.Sprintf("[%d]", i)
						ctx = fmt.Sprintf("%s %d", sp.context, i)
					}
				}
				next = append(next, located{s: nb, prefix: p, ctx: ctx})
			}
		}
		blocks = next
	}
	for _, l := range blocks {
		if sp.label == "" {
			l.ctx = sp.context
		}
		if sp.disabled != nil && sp.disabled(res, l.s) {
			continue
		}
		if len(sp.require) > 0 && !boundsHasBlocks(l.s, sp.require) {
			continue
		}
		prefix := ""
		if l.ctx != "" {
			prefix = l.ctx + ": "
		}
		c.checkBlock(in, res, addr, sp, l.s, l.prefix, prefix)
	}
}

func (c *boundsChecker) checkBlock(in *eval.Instance, res eval.Scope, addr string, sp *boundsSpec, blk eval.Scope, path, prefix string) {
	lo := c.sensitive(readBound(blk, sp.min, path))
	hi := c.sensitive(readBound(blk, sp.max, path))
	if !lo.set && sp.minDefault != nil {
		lo.set, lo.known, lo.n, lo.isDefault = true, true, *sp.minDefault, true
	}
	// Findings about min go on min when it is written, else on max.
	at := lo
	if lo.rng.Filename == "" {
		at = hi
	}
	impossible := false
	if lo.known && hi.known {
		switch {
		case lo.n > hi.n:
			impossible = true
			c.report(in, addr, at, analyzer.Error, fmt.Sprintf("%s%s is greater than %s, so the provider rejects it; lower `%s` or raise `%s`", prefix, lo, hi, lo.name, hi.name))
		case lo.n == hi.n:
			c.report(in, addr, at, analyzer.Note, fmt.Sprintf("%s%s equals %s: %s cannot scale; raise `%s` if it should", prefix, lo, hi, sp.what, hi.name))
		}
	}
	if !impossible {
		for _, f := range sp.desired {
			d := c.sensitive(readBound(blk, f, path))
			if !d.known {
				continue
			}
			switch {
			case lo.known && d.n < lo.n:
				c.report(in, addr, d, sp.desiredSeverity, fmt.Sprintf("%s%s is less than %s; set `%s` within the bounds", prefix, d, lo, d.name))
			case hi.known && d.n > hi.n:
				c.report(in, addr, d, sp.desiredSeverity, fmt.Sprintf("%s%s is greater than %s; set `%s` within the bounds", prefix, d, hi, d.name))
			}
		}
	}
	ceilingApplies := c.haveCeiling && (sp.ceiling == nil || sp.ceiling(res))
	if hi.known && ceilingApplies && hi.n > c.ceiling {
		c.report(in, addr, hi, analyzer.Warning, fmt.Sprintf("%s%s%s exceeds max_ceiling %s; lower it, or raise `max_ceiling` in the rule's block of .tfgate.hcl if this size is intended", prefix, hi, sp.maxNote, boundsNum(c.ceiling)))
	}
	if !hi.set && sp.missingMax > 0 && (sp.maxElsewhere == nil || !sp.maxElsewhere(res)) {
		msg := fmt.Sprintf("%s: %s allows up to %s instances by default", sp.missingWhat, sp.platform, boundsNum(sp.missingMax))
		fix := "; set `" + hi.name + "` to the most instances you mean to pay for"
		switch {
		case !c.haveCeiling:
			c.report(in, addr, hi, analyzer.Warning, msg+fix)
		case ceilingApplies && sp.missingMax > c.ceiling:
			c.report(in, addr, hi, analyzer.Warning, msg+", above max_ceiling "+boundsNum(c.ceiling)+fix)
		}
	}
}

// checkECSService compares the desired_count of the ECS service an
// aws_appautoscaling_target scales with the target's bounds, when the
// target's resource_id refers to one service instance of the same module.
func (c *boundsChecker) checkECSService(in *eval.Instance, target eval.Scope, targetAddr string) {
	if d, ok := boundsString(target, "scalable_dimension"); ok && d != "ecs:service:DesiredCount" {
		return
	}
	_, rid := target.Attr("resource_id")
	if rid == nil {
		return
	}
	var svcName string
	var svcKey cty.Value
	for _, tr := range rid.Expr.Variables() {
		if tr.RootName() != "aws_ecs_service" || len(tr) < 2 {
			continue
		}
		ga, ok := tr[1].(hcl.TraverseAttr)
		if !ok {
			continue
		}
		if svcName != "" && svcName != ga.Name {
			return // two services: not a resolvable link
		}
		svcName = ga.Name
		if len(tr) >= 3 {
			if ix, ok := tr[2].(hcl.TraverseIndex); ok {
				svcKey = ix.Key
			}
		}
	}
	if svcName == "" {
		return
	}
	// aws_ecs_service.x[each.key].name: the index is an expression, known
	// in the target's own instance.
	if svcKey == cty.NilVal {
		if keys := target.IndexKeys(rid.Expr, "aws_ecs_service"); len(keys) > 0 {
			svcKey = keys[len(keys)-1]
		}
	}
	var svc *model.Block
	for _, rb := range in.Module.Resources {
		if rb.Type == "resource" && len(rb.Labels) == 2 && rb.Labels[0] == "aws_ecs_service" && rb.Labels[1] == svcName {
			svc = rb
		}
	}
	if svc == nil {
		return
	}
	multi := svc.Attr("count") != nil || svc.Attr("for_each") != nil
	var scope *eval.Scope
	for _, s := range in.Scopes(svc) {
		s := s
		switch {
		case !multi:
			scope = &s
		case svcKey != cty.NilVal && s.Key != cty.NilVal && s.Key.IsKnown() && svcKey.Type().Equals(s.Key.Type()) && s.Key.Equals(svcKey).True():
			scope = &s
		}
	}
	if scope == nil {
		return
	}
	d := readBound(*scope, boundField{attr: "desired_count"}, "")
	if !d.known {
		return
	}
	lo := readBound(target, boundField{attr: "min_capacity"}, "")
	hi := readBound(target, boundField{attr: "max_capacity"}, "")
	if lo.known && hi.known && lo.n > hi.n {
		return // reported on the target
	}
	svcAddr := boundsAddress(svc, scope.Key)
	switch {
	case lo.known && d.n < lo.n:
		c.report(in, svcAddr, d, analyzer.Warning, fmt.Sprintf("%s is less than %s of %s: auto scaling will raise it; set `%s` within the target's bounds, or leave it out and let the target own it", d, lo, targetAddr, d.name))
	case hi.known && d.n > hi.n:
		c.report(in, svcAddr, d, analyzer.Warning, fmt.Sprintf("%s is greater than %s of %s: auto scaling will lower it; set `%s` within the target's bounds, or leave it out and let the target own it", d, hi, targetAddr, d.name))
	}
}
