// Package rules holds tfgate's rules: one file per rule, each a value of
// analyzer.Rule with its documentation. Fixtures live in
// fixtures/rules/<rule-id>/ and pages are generated into docs/rules/.
package rules

//go:generate go run ./gen -out ../docs/rules

import (
	"sort"

	"github.com/tfgate/tfgate/analyzer"
)

// All returns every rule, sorted by ID. Add a new rule here.
func All() []*analyzer.Rule {
	all := []*analyzer.Rule{
		syntaxError,
		ignoreDirective,
	}
	all = append(all, extra...)
	sort.Slice(all, func(i, j int) bool { return all[i].ID < all[j].ID })
	return all
}

// extra is appended to by rule files registering themselves in init, so
// that adding a rule touches only its own file.
var extra []*analyzer.Rule

func register(r *analyzer.Rule) *analyzer.Rule {
	extra = append(extra, r)
	return r
}

// ByID returns the rule with an ID, or nil.
func ByID(id string) *analyzer.Rule {
	for _, r := range All() {
		if r.ID == id {
			return r
		}
	}
	return nil
}
