package rules

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
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

// boundField says where one bound lives, relative to the block that holds a
// set of bounds.
type boundField struct {
	blocks []string // nested block types below the bounds block
	attr   string
	key    string // when set, attr is a map of strings and key is the entry
}

// name is how messages call the field.
func (f boundField) name() string {
	if f.key != "" {
		return f.key
	}
	return f.attr
}

// boundsSpec describes one set of bounds of a resource type.
type boundsSpec struct {
	types []string
	// blocks is the path of nested block types from the resource body to
	// the blocks that each hold one set of bounds (empty: the resource
	// body). Every block found along the path is checked on its own.
	blocks []string
	// context names the bounds block in messages ("template.scaling");
	// label is the attribute that tells repeated blocks apart (a profile's
	// name).
	context string
	label   string
	// require is a nested block that must exist for the bounds to apply
	// (a GKE node pool without autoscaling has a fixed size).
	require []string

	min, max boundField
	desired  []boundField
	// desiredSeverity is Error where the platform rejects a desired size
	// outside [min, max], Warning where the autoscaler just moves it.
	desiredSeverity analyzer.Severity
	// minDefault is the provider's default when min is not set.
	minDefault *float64
	maxNote    string // qualifies the maximum in ceiling messages (" per zone")
	what       string // what cannot scale when min == max

	// missingMax, when set, is the platform's limit when max is not set;
	// missingWhat says what is missing and platform who applies the limit.
	missingMax  float64
	missingWhat string
	platform    string
	// maxElsewhere reports that another part of the resource caps the fleet,
	// so a missing max here is fine.
	maxElsewhere func(res eval.Scope) bool

	// disabled reports bounds that do not apply because autoscaling is known
	// to be off.
	disabled func(res, blk eval.Scope) bool
	// ceiling reports whether max_ceiling applies (the bounds count
	// instances rather than capacity units); nil: always.
	ceiling func(res eval.Scope) bool
}

func boundsDefault(v float64) *float64 { return &v }

// gkePoolSpecs are the per-zone and total autoscaling bounds of a GKE node
// pool: a google_container_node_pool body or a node_pool block of a cluster.
func gkePoolSpecs(types, blocks []string, context, label string) []*boundsSpec {
	as := []string{"autoscaling"}
	return []*boundsSpec{{
		types: types, blocks: blocks, context: context, label: label, require: as,
		min:             boundField{blocks: as, attr: "min_node_count"},
		max:             boundField{blocks: as, attr: "max_node_count"},
		desired:         []boundField{{attr: "node_count"}, {attr: "initial_node_count"}},
		desiredSeverity: analyzer.Warning,
		maxNote:         " per zone",
		what:            "the node pool",
	}, {
		types: types, blocks: blocks, context: context, label: label, require: as,
		min:  boundField{blocks: as, attr: "total_min_node_count"},
		max:  boundField{blocks: as, attr: "total_max_node_count"},
		what: "the node pool",
	}}
}

// aksAutoscalingOff reports an AKS node pool whose auto scaling is known
// to be off (provider v4 auto_scaling_enabled, v3 enable_auto_scaling; both
// default to false).
func aksAutoscalingOff(_, blk eval.Scope) bool {
	for _, name := range []string{"auto_scaling_enabled", "enable_auto_scaling"} {
		v, a := blk.Attr(name)
		if a == nil || (v.IsKnown() && v.IsNull()) {
			continue
		}
		if on, known := model.KnownBool(v); !known || on {
			return false
		}
	}
	return true
}

// boundsString returns an attribute's known string value.
func boundsString(s eval.Scope, name string) (string, bool) {
	v, a := s.Attr(name)
	if a == nil {
		return "", false
	}
	return model.KnownString(v)
}

// boundsCountDimensions are the Application Auto Scaling dimensions whose
// capacity is a number of instances, tasks, nodes or replicas.
var boundsCountDimensions = map[string]bool{
	"ecs:service:DesiredCount":                       true,
	"elasticmapreduce:instancegroup:InstanceCount":   true,
	"appstream:fleet:DesiredCapacity":                true,
	"rds:cluster:ReadReplicaCount":                   true,
	"neptune:cluster:ReadReplicaCount":               true,
	"sagemaker:variant:DesiredInstanceCount":         true,
	"sagemaker:inference-component:DesiredCopyCount": true,
	"elasticache:replication-group:NodeGroups":       true,
	"elasticache:replication-group:Replicas":         true,
	"elasticache:cache-cluster:Nodes":                true,
}

var boundsHPATypes = []string{
	"kubernetes_horizontal_pod_autoscaler", "kubernetes_horizontal_pod_autoscaler_v1",
	"kubernetes_horizontal_pod_autoscaler_v2", "kubernetes_horizontal_pod_autoscaler_v2beta2",
}

const boundsKnativeMin, boundsKnativeMax = "autoscaling.knative.dev/minScale", "autoscaling.knative.dev/maxScale"

// boundsSpecs is the table of covered resources.
var boundsSpecs = func() []*boundsSpec {
	specs := []*boundsSpec{{
		types:           []string{"aws_autoscaling_group"},
		min:             boundField{attr: "min_size"},
		max:             boundField{attr: "max_size"},
		desired:         []boundField{{attr: "desired_capacity"}},
		desiredSeverity: analyzer.Error,
		what:            "the group",
		ceiling: func(res eval.Scope) bool {
			v, a := res.Attr("desired_capacity_type")
			if a == nil {
				return true
			}
			s, ok := model.KnownString(v)
			return ok && s == "units"
		},
	}, {
		types: []string{"aws_appautoscaling_target"},
		min:   boundField{attr: "min_capacity"},
		max:   boundField{attr: "max_capacity"},
		what:  "the target",
		ceiling: func(res eval.Scope) bool {
			d, ok := boundsString(res, "scalable_dimension")
			return ok && boundsCountDimensions[d]
		},
	}, {
		types:           []string{"aws_eks_node_group"},
		blocks:          []string{"scaling_config"},
		context:         "scaling_config",
		min:             boundField{attr: "min_size"},
		max:             boundField{attr: "max_size"},
		desired:         []boundField{{attr: "desired_size"}},
		desiredSeverity: analyzer.Error,
		what:            "the node group",
	}, {
		types:   []string{"google_compute_autoscaler", "google_compute_region_autoscaler"},
		blocks:  []string{"autoscaling_policy"},
		context: "autoscaling_policy",
		min:     boundField{attr: "min_replicas"},
		max:     boundField{attr: "max_replicas"},
		what:    "the autoscaler",
		disabled: func(_, blk eval.Scope) bool {
			m, ok := boundsString(blk, "mode")
			return ok && m == "OFF"
		},
	}, {
		types:   []string{"google_container_cluster"},
		blocks:  []string{"cluster_autoscaling", "resource_limits"},
		context: "cluster_autoscaling.resource_limits",
		label:   "resource_type",
		min:     boundField{attr: "minimum"},
		max:     boundField{attr: "maximum"},
		what:    "this resource",
		ceiling: func(eval.Scope) bool { return false },
	}, {
		types:       []string{"google_cloud_run_service"},
		blocks:      []string{"template"},
		min:         boundField{blocks: []string{"metadata"}, attr: "annotations", key: boundsKnativeMin},
		max:         boundField{blocks: []string{"metadata"}, attr: "annotations", key: boundsKnativeMax},
		what:        "the service",
		missingMax:  100,
		missingWhat: "the template has no " + boundsKnativeMax + " annotation",
		platform:    "Cloud Run",
	}, {
		types:       []string{"google_cloud_run_v2_service"},
		blocks:      []string{"template"},
		context:     "template.scaling",
		min:         boundField{blocks: []string{"scaling"}, attr: "min_instance_count"},
		max:         boundField{blocks: []string{"scaling"}, attr: "max_instance_count"},
		what:        "the revision",
		missingMax:  100,
		missingWhat: "the template sets no scaling.max_instance_count",
		platform:    "Cloud Run",
		maxElsewhere: func(res eval.Scope) bool {
			for _, sc := range res.Blocks("scaling") {
				if m, ok := boundsString(sc, "scaling_mode"); ok && m == "MANUAL" {
					return true
				}
				if v, a := sc.Attr("max_instance_count"); a != nil && (!v.IsKnown() || !v.IsNull()) {
					return true
				}
			}
			return false
		},
	}, {
		types:   []string{"google_cloud_run_v2_service"},
		blocks:  []string{"scaling"},
		context: "scaling",
		min:     boundField{attr: "min_instance_count"},
		max:     boundField{attr: "max_instance_count"},
		what:    "the service",
		disabled: func(_, blk eval.Scope) bool {
			m, ok := boundsString(blk, "scaling_mode")
			return ok && m == "MANUAL"
		},
	}, {
		types:           []string{"azurerm_monitor_autoscale_setting"},
		blocks:          []string{"profile"},
		context:         "profile",
		label:           "name",
		min:             boundField{blocks: []string{"capacity"}, attr: "minimum"},
		max:             boundField{blocks: []string{"capacity"}, attr: "maximum"},
		desired:         []boundField{{blocks: []string{"capacity"}, attr: "default"}},
		desiredSeverity: analyzer.Error,
		what:            "the profile",
		disabled: func(res, _ eval.Scope) bool {
			v, a := res.Attr("enabled")
			if a == nil {
				return false
			}
			on, ok := model.KnownBool(v)
			return ok && !on
		},
	}, {
		types:           []string{"azurerm_kubernetes_cluster"},
		blocks:          []string{"default_node_pool"},
		context:         "default_node_pool",
		min:             boundField{attr: "min_count"},
		max:             boundField{attr: "max_count"},
		desired:         []boundField{{attr: "node_count"}},
		desiredSeverity: analyzer.Error,
		what:            "the node pool",
		disabled:        aksAutoscalingOff,
	}, {
		types:           []string{"azurerm_kubernetes_cluster_node_pool"},
		min:             boundField{attr: "min_count"},
		max:             boundField{attr: "max_count"},
		desired:         []boundField{{attr: "node_count"}},
		desiredSeverity: analyzer.Error,
		what:            "the node pool",
		disabled:        aksAutoscalingOff,
	}, {
		types:      boundsHPATypes,
		blocks:     []string{"spec"},
		min:        boundField{attr: "min_replicas"},
		max:        boundField{attr: "max_replicas"},
		minDefault: boundsDefault(1),
		what:       "the autoscaler",
	}}
	specs = append(specs, gkePoolSpecs([]string{"google_container_node_pool"}, nil, "", "")...)
	specs = append(specs, gkePoolSpecs([]string{"google_container_cluster"}, []string{"node_pool"}, "node_pool", "name")...)
	return specs
}()

var boundsByType = func() map[string][]*boundsSpec {
	m := map[string][]*boundsSpec{}
	for _, s := range boundsSpecs {
		for _, t := range s.types {
			m[t] = append(m[t], s)
		}
	}
	return m
}()

// boundValue is one evaluated bound.
type boundValue struct {
	name      string // min_size, autoscaling.knative.dev/maxScale
	path      string // attribute path from the resource, for Finding.Attribute
	set       bool   // written and not null (or a provider default)
	known     bool
	n         float64
	origin    string
	isDefault bool
	rng       hcl.Range // the attribute (or map entry) when written
	anchor    hcl.Range // the innermost existing block, for missing bounds
	sensitive bool      // marked sensitive in a plan: compared, never shown
}

func (b boundValue) String() string {
	if b.isDefault {
		return fmt.Sprintf("the default %s of %s", b.name, boundsNum(b.n))
	}
	if b.sensitive {
		return b.name + " (sensitive)"
	}
	if b.origin == "" || b.origin == planOrigin {
		return fmt.Sprintf("%s = %s", b.name, boundsNum(b.n))
	}
	return fmt.Sprintf("%s = %s (%s)", b.name, boundsNum(b.n), b.origin)
}

// planOrigin is what Origin says about a value read from a plan; the
// finding says once that its values came from the plan.
const planOrigin = "the plan"

func boundsNum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// readBound evaluates a field in a bounds block. prefix is the attribute
// path of the bounds block.
func readBound(blk eval.Scope, f boundField, prefix string) boundValue {
	b := boundValue{name: f.name(), anchor: blk.Block.DefRange}
	parts := []string{}
	if prefix != "" {
		parts = append(parts, prefix)
	}
	parts = append(parts, f.blocks...)
	parts = append(parts, f.attr)
	b.path = strings.Join(parts, ".")
	if f.key != "" {
		b.path += fmt.Sprintf("[%q]", f.key)
	}
	sc := blk
	for _, t := range f.blocks {
		bs := sc.Blocks(t)
		if len(bs) == 0 {
			return b
		}
		sc = bs[0]
		b.anchor = sc.Block.DefRange
	}
	v, a := sc.Attr(f.attr)
	if a == nil {
		return b
	}
	b.rng = a.Range
	if f.key == "" {
		if v.IsKnown() && v.IsNull() {
			return b
		}
		b.set = true
		b.n, b.known = model.KnownNumber(v)
		if b.known {
			b.origin = sc.TraceOrigin(a.Expr)
		}
		return b
	}
	// A map entry: absent only when the map and its keys are known.
	b.anchor = a.Range
	if !v.IsKnown() {
		b.set = true
		return b
	}
	if v.IsNull() {
		return b
	}
	entries, ok := model.KnownKeys(v)
	if !ok {
		b.set = true
		return b
	}
	e, ok := entries[f.key]
	if !ok || (e.IsKnown() && e.IsNull()) {
		return b
	}
	b.set = true
	b.n, b.known = model.KnownNumber(e)
	if b.known {
		b.origin = sc.TraceOrigin(a.Expr, cty.StringVal(f.key))
		if r, ok := boundsEntryRange(sc, a.Expr, f.key); ok {
			b.rng = r
		}
	}
	return b
}

// boundsEntryRange is the range of a literal map's entry.
func boundsEntryRange(s eval.Scope, e hcl.Expression, key string) (hcl.Range, bool) {
	oc, ok := hcl.UnwrapExpression(e).(*hclsyntax.ObjectConsExpr)
	if !ok {
		return hcl.Range{}, false
	}
	for i := len(oc.Items) - 1; i >= 0; i-- {
		it := oc.Items[i]
		if k, ok := model.KnownString(s.Eval(it.KeyExpr)); ok && k == key {
			return hcl.RangeBetween(it.KeyExpr.Range(), it.ValueExpr.Range()), true
		}
	}
	return hcl.Range{}, false
}

// boundsHasBlocks reports whether a nested block path exists.
func boundsHasBlocks(s eval.Scope, path []string) bool {
	for _, t := range path {
		bs := s.Blocks(t)
		if len(bs) == 0 {
			return false
		}
		s = bs[0]
	}
	return true
}

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
	b.sensitive = planAnySensitive(planSensitivePart(c.plan.Change.Change.AfterSensitive, top))
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
			c.report(in, addr, at, analyzer.Error, fmt.Sprintf("%s%s is greater than %s", prefix, lo, hi))
		case lo.n == hi.n:
			c.report(in, addr, at, analyzer.Note, fmt.Sprintf("%s%s equals %s: %s cannot scale", prefix, lo, hi, sp.what))
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
				c.report(in, addr, d, sp.desiredSeverity, fmt.Sprintf("%s%s is less than %s", prefix, d, lo))
			case hi.known && d.n > hi.n:
				c.report(in, addr, d, sp.desiredSeverity, fmt.Sprintf("%s%s is greater than %s", prefix, d, hi))
			}
		}
	}
	ceilingApplies := c.haveCeiling && (sp.ceiling == nil || sp.ceiling(res))
	if hi.known && ceilingApplies && hi.n > c.ceiling {
		c.report(in, addr, hi, analyzer.Warning, fmt.Sprintf("%s%s%s exceeds max_ceiling %s", prefix, hi, sp.maxNote, boundsNum(c.ceiling)))
	}
	if !hi.set && sp.missingMax > 0 && (sp.maxElsewhere == nil || !sp.maxElsewhere(res)) {
		msg := fmt.Sprintf("%s: %s allows up to %s instances by default", sp.missingWhat, sp.platform, boundsNum(sp.missingMax))
		switch {
		case !c.haveCeiling:
			c.report(in, addr, hi, analyzer.Warning, msg)
		case ceilingApplies && sp.missingMax > c.ceiling:
			c.report(in, addr, hi, analyzer.Warning, msg+", above max_ceiling "+boundsNum(c.ceiling))
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
		if se, ok := hcl.UnwrapExpression(rid.Expr).(hclsyntax.Expression); ok {
			hclsyntax.VisitAll(se, func(n hclsyntax.Node) hcl.Diagnostics {
				ix, ok := n.(*hclsyntax.IndexExpr)
				if !ok {
					return nil
				}
				st, ok := ix.Collection.(*hclsyntax.ScopeTraversalExpr)
				if ok && len(st.Traversal) == 2 && st.Traversal.RootName() == "aws_ecs_service" {
					if k := target.Eval(ix.Key); k.IsKnown() && !k.IsNull() {
						svcKey = k
					}
				}
				return nil
			})
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
		c.report(in, svcAddr, d, analyzer.Warning, fmt.Sprintf("%s is less than %s of %s: auto scaling will raise it", d, lo, targetAddr))
	case hi.known && d.n > hi.n:
		c.report(in, svcAddr, d, analyzer.Warning, fmt.Sprintf("%s is greater than %s of %s: auto scaling will lower it", d, hi, targetAddr))
	}
}
