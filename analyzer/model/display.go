package model

import (
	"sort"
	"strings"

	"github.com/zclconf/go-cty/cty"
)

// DisplayValue renders a value in HCL syntax for messages and docs. Never
// use it on a value that may be a secret.
func DisplayValue(v cty.Value) string {
	if v == cty.NilVal {
		return "(unset)"
	}
	if !v.IsKnown() {
		return "(known after apply)"
	}
	if v.IsNull() {
		return "null"
	}
	t := v.Type()
	switch {
	case t == cty.String:
		return quoteHCL(v.AsString())
	case t == cty.Number:
		return v.AsBigFloat().Text('f', -1)
	case t == cty.Bool:
		if v.True() {
			return "true"
		}
		return "false"
	case t.IsListType() || t.IsSetType() || t.IsTupleType():
		var parts []string
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			parts = append(parts, DisplayValue(e))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case t.IsMapType() || t.IsObjectType():
		var keys []string
		m := map[string]cty.Value{}
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			keys = append(keys, k.AsString())
			m[k.AsString()] = e
		}
		sort.Strings(keys)
		var parts []string
		for _, k := range keys {
			parts = append(parts, k+" = "+DisplayValue(m[k]))
		}
		return "{ " + strings.Join(parts, ", ") + " }"
	}
	return t.FriendlyName()
}

func quoteHCL(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "${", "$${")
	return `"` + r.Replace(s) + `"`
}
