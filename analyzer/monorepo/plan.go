package monorepo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// ReplicatePlan makes a large plan out of a small real one (`terraform
// show -json` output): its resources are copied until resource_changes
// has n entries, copy i renaming each resource NAME to NAME_i (so
// aws_instance.web[0] becomes aws_instance.web_3[0] and
// module.svc["api"].aws_sqs_queue.jobs module.svc["api"].aws_sqs_queue.jobs_3),
// consistently in resource_changes, resource_drift, planned_values,
// prior_state and configuration. The result is compact, as terraform
// writes it, or indented.
func ReplicatePlan(src []byte, n int, indent bool) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(src))
	dec.UseNumber()
	var plan map[string]any
	if err := dec.Decode(&plan); err != nil {
		return nil, fmt.Errorf("not plan JSON: %w", err)
	}
	changes, _ := plan["resource_changes"].([]any)
	if len(changes) == 0 {
		return nil, errors.New("the plan has no resource_changes to replicate")
	}
	copies := (n + len(changes) - 1) / len(changes)
	replicate := func(list any) any {
		items, ok := list.([]any)
		if !ok {
			return list
		}
		out := make([]any, 0, len(items)*copies)
		for i := 0; i < copies; i++ {
			for _, it := range items {
				out = append(out, renamed(it, i))
			}
		}
		return out
	}
	plan["resource_changes"] = replicate(changes).([]any)[:n]
	if d, ok := plan["resource_drift"]; ok {
		plan["resource_drift"] = replicate(d)
	}
	for _, path := range [][]string{{"planned_values", "root_module"}, {"prior_state", "values", "root_module"}, {"configuration", "root_module"}} {
		if m := dig(plan, path...); m != nil {
			replicateModule(m, replicate)
		}
	}
	if indent {
		return json.MarshalIndent(plan, "", "  ")
	}
	return json.Marshal(plan)
}

// replicateModule replicates the resources of a module of planned_values,
// prior_state or configuration, and of its child modules.
func replicateModule(m map[string]any, replicate func(any) any) {
	if r, ok := m["resources"]; ok {
		m["resources"] = replicate(r)
	}
	if children, ok := m["child_modules"].([]any); ok {
		for _, c := range children {
			if cm, ok := c.(map[string]any); ok {
				replicateModule(cm, replicate)
			}
		}
	}
	if calls, ok := m["module_calls"].(map[string]any); ok { // configuration
		for _, c := range calls {
			if cm, ok := c.(map[string]any); ok {
				if mod, ok := cm["module"].(map[string]any); ok {
					replicateModule(mod, replicate)
				}
			}
		}
	}
}

// renamed is a copy of a resource entry with its name and address made
// unique for copy i (copy 0 is the original).
func renamed(item any, i int) any {
	r, ok := item.(map[string]any)
	if !ok || i == 0 {
		return item
	}
	name, _ := r["name"].(string)
	typ, _ := r["type"].(string)
	out := make(map[string]any, len(r))
	for k, v := range r {
		out[k] = v
	}
	if name == "" || typ == "" {
		return out
	}
	newName := fmt.Sprintf("%s_%d", name, i)
	out["name"] = newName
	if addr, ok := r["address"].(string); ok {
		old := typ + "." + name
		if j := strings.LastIndex(addr, old); j >= 0 {
			out["address"] = addr[:j] + typ + "." + newName + addr[j+len(old):]
		}
	}
	return out
}

func dig(m map[string]any, path ...string) map[string]any {
	for _, k := range path {
		next, ok := m[k].(map[string]any)
		if !ok {
			return nil
		}
		m = next
	}
	return m
}
