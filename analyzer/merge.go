package analyzer

import (
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// preferPlan drops a static finding when the plan has the real values of
// what it is about (supersede.go): when a plan finding of the same rule
// covers the same block (the plan confirms it), or when the plan knows the
// value and reports nothing (the plan disproves it). A finding not tied to
// an instance is compared by block alone.
func preferPlan(in []*Finding, cov *planCoverage) []*Finding {
	type span struct {
		rule string
		rng  hcl.Range
	}
	var plan []span
	for _, f := range in {
		if f.Source == "plan" && f.planBlock != nil {
			plan = append(plan, span{f.RuleID, f.planBlock.Range})
		}
	}
	if len(plan) == 0 && cov == nil {
		return in
	}
	confirmed := func(f *Finding) bool {
		for _, s := range plan {
			if s.rule == f.RuleID && s.rng.Filename == f.Range.Filename &&
				f.Range.Start.Byte >= s.rng.Start.Byte && f.Range.Start.Byte <= s.rng.End.Byte {
				return true
			}
		}
		return false
	}
	out := in[:0]
	for _, f := range in {
		drop := false
		switch {
		case f.Source == "plan":
		case f.Instance != nil && cov != nil:
			covered, known := cov.supersedes(f)
			drop = covered && (known || confirmed(f))
		default:
			drop = confirmed(f)
		}
		if !drop {
			out = append(out, f)
		}
	}
	return out
}

// mergeFindings folds the same finding reached through several module calls
// into one that names every call.
func mergeFindings(in []*Finding) []*Finding {
	type key struct {
		rule, msg string
		rng       hcl.Range
	}
	idx := map[key]*Finding{}
	standalone := map[key]bool{}
	var out []*Finding
	for _, f := range in {
		k := key{f.RuleID, f.Message, f.Range}
		if prev, ok := idx[k]; ok {
			if (len(prev.Environments) == 0) != (len(f.Environments) == 0) {
				prev.envPartial = true
			}
			prev.Environments = mergeEnvironments(prev.Environments, f.Environments)
			// A finding that holds on its own (no call) needs no "via".
			if standalone[k] || len(f.Via) == 0 {
				standalone[k] = true
				prev.Via = nil
				continue
			}
			for _, v := range f.Via {
				dup := false
				for _, pv := range prev.Via {
					dup = dup || pv == v
				}
				if !dup {
					prev.Via = append(prev.Via, v)
				}
			}
			continue
		}
		idx[k] = f
		standalone[k] = len(f.Via) == 0
		out = append(out, f)
	}
	for _, f := range out {
		sort.Strings(f.Via)
	}
	// The same block reached through different calls can give different
	// messages (each caller's values): keep them apart in fingerprints by
	// naming the calls, so that code scanning tracks each one.
	byFP := map[string][]*Finding{}
	for _, f := range out {
		fp := f.Fingerprint()
		byFP[fp] = append(byFP[fp], f)
	}
	for _, group := range byFP {
		if len(group) < 2 {
			continue
		}
		for _, f := range group {
			if len(f.Via) > 0 {
				f.fpExtra = strings.Join(f.Via, ";")
			}
			if len(f.Environments) > 0 {
				// Different findings in different environments of a root.
				f.fpExtra += "|" + environmentKey(f.Environments)
			}
		}
	}
	// Each environment's tfvars files are related locations: code
	// scanning shows one result that links them.
	for _, f := range out {
		f.Related = append(f.Related, environmentFiles(f.Environments)...)
	}
	return out
}

// environmentFiles lists each tfvars file of the environments once, with
// the environments it belongs to: "environments dev and prod of stacks/api".
func environmentFiles(envs []Environment) []Related {
	type use struct {
		root  string
		names []string
	}
	var order []string
	uses := map[string]*use{}
	for _, e := range envs {
		for _, file := range e.Files {
			u := uses[file]
			if u == nil {
				u = &use{root: e.Root}
				uses[file] = u
				order = append(order, file)
			}
			u.names = append(u.names, e.Name)
		}
	}
	out := make([]Related, 0, len(order))
	for _, file := range order {
		u := uses[file]
		label := (&Finding{Environments: namesOnly(u.root, u.names)}).EnvironmentNames()
		out = append(out, Related{Range: hcl.Range{Filename: file}, Message: label + " of " + u.root})
	}
	return out
}

func namesOnly(root string, names []string) []Environment {
	out := make([]Environment, len(names))
	for i, n := range names {
		out[i] = Environment{Root: root, Name: n}
	}
	return out
}

// mergeEnvironments adds the environments of b missing from a, in order
// (by root, then name).
func mergeEnvironments(a, b []Environment) []Environment {
	for _, e := range b {
		dup := false
		for _, x := range a {
			dup = dup || (x.Root == e.Root && x.Name == e.Name)
		}
		if !dup {
			a = append(a, e)
		}
	}
	sort.SliceStable(a, func(i, j int) bool {
		if a[i].Root != a[j].Root {
			return a[i].Root < a[j].Root
		}
		return a[i].Name < a[j].Name
	})
	return a
}

func environmentKey(envs []Environment) string {
	var parts []string
	for _, e := range envs {
		parts = append(parts, e.Root+":"+e.Name)
	}
	return strings.Join(parts, ",")
}
