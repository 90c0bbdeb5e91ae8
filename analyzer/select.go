package analyzer

import (
	"fmt"
	"sort"
	"strings"
)

// ActiveRule is a rule as configured for a run.
type ActiveRule struct {
	*Rule
	Severity Severity
}

// SelectRules applies the config, --enable-rule, --disable-rule,
// --only-family and --strict of opts to the registry opts.Rules. Unknown
// names are errors.
func SelectRules(opts Options) ([]ActiveRule, error) {
	all, cfg, enable, disable, families := opts.Rules, opts.Config, opts.Enable, opts.Disable, opts.OnlyFamilies
	byID := map[string]*Rule{}
	var ids []string
	for _, r := range all {
		byID[r.ID] = r
		ids = append(ids, r.ID)
	}
	for _, list := range [][]string{enable, disable} {
		for _, id := range list {
			if byID[id] == nil {
				msg := fmt.Sprintf("unknown rule %q", id)
				if s := Suggest(id, ids); s != "" {
					msg += fmt.Sprintf(" (did you mean %q?)", s)
				}
				return nil, fmt.Errorf("%s; `tfgate rules` lists them", msg)
			}
		}
	}
	fams := map[Family]bool{}
	for _, f := range families {
		ok := false
		for _, known := range Families {
			if string(known) == f {
				ok = true
			}
		}
		if !ok {
			var names []string
			for _, k := range Families {
				names = append(names, string(k))
			}
			return nil, fmt.Errorf("unknown family %q (families: %s)", f, strings.Join(names, ", "))
		}
		fams[Family(f)] = true
	}
	in := func(list []string, id string) bool {
		for _, x := range list {
			if x == id {
				return true
			}
		}
		return false
	}
	var out []ActiveRule
	for _, r := range all {
		enabled := true
		sev := r.Severity
		if cfg != nil {
			if rc := cfg.Rules[r.ID]; rc != nil {
				if rc.Enabled != nil {
					enabled = *rc.Enabled
				}
				if rc.Severity != 0 {
					sev = rc.Severity
				}
			}
		}
		if opts.Strict && r.StrictSeverity != 0 {
			sev = r.StrictSeverity
		}
		if in(enable, r.ID) {
			enabled = true
		}
		if in(disable, r.ID) {
			enabled = false
		}
		if len(fams) > 0 && !fams[r.Family] && r.Family != FamilyTool {
			enabled = false
		}
		if enabled {
			out = append(out, ActiveRule{Rule: r, Severity: sev})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}
