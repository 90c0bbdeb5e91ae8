package rules

import (
	"github.com/tfgate/tfgate/analyzer"
	"github.com/tfgate/tfgate/analyzer/eval"
	"github.com/tfgate/tfgate/analyzer/model"
)

// The resources autoscaling-bounds covers: for each type, where its
// minimum, maximum and desired sizes live and what the platform does with
// them.

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
