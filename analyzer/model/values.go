package model

import (
	"math/big"
	"regexp"
	"strings"

	"github.com/zclconf/go-cty/cty"
)

// Helpers that read cty values. The Known* helpers return ok=false for
// unknown or null values, so that a rule cannot flag what is not known.

// StringList converts a known list/set/tuple of strings to a Go slice.
func StringList(v cty.Value) []string {
	if v.IsNull() || !v.IsKnown() || !v.CanIterateElements() {
		return nil
	}
	var out []string
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		if e.IsKnown() && !e.IsNull() && e.Type() == cty.String {
			out = append(out, e.AsString())
		}
	}
	return out
}

// KnownString returns a known string (numbers and bools are converted as
// Terraform would).
func KnownString(v cty.Value) (string, bool) {
	if v == cty.NilVal || v.IsNull() || !v.IsKnown() {
		return "", false
	}
	switch v.Type() {
	case cty.String:
		return v.AsString(), true
	case cty.Number:
		return v.AsBigFloat().Text('f', -1), true
	case cty.Bool:
		if v.True() {
			return "true", true
		}
		return "false", true
	}
	return "", false
}

// KnownNumber returns a known number, converting numeric strings.
func KnownNumber(v cty.Value) (float64, bool) {
	if v == cty.NilVal || v.IsNull() || !v.IsKnown() {
		return 0, false
	}
	switch v.Type() {
	case cty.Number:
		f, _ := v.AsBigFloat().Float64()
		return f, true
	case cty.String:
		bf, _, err := big.ParseFloat(strings.TrimSpace(v.AsString()), 10, 64, big.ToNearestEven)
		if err != nil {
			return 0, false
		}
		f, _ := bf.Float64()
		return f, true
	}
	return 0, false
}

// KnownBool returns a known bool, converting "true"/"false" strings.
func KnownBool(v cty.Value) (bool, bool) {
	if v == cty.NilVal || v.IsNull() || !v.IsKnown() {
		return false, false
	}
	switch v.Type() {
	case cty.Bool:
		return v.True(), true
	case cty.String:
		switch v.AsString() {
		case "true":
			return true, true
		case "false":
			return false, true
		}
	}
	return false, false
}

// KnownKeys returns the keys of a map or object whose key set is known
// (values may still be unknown). ok is false when the keys are unknown.
func KnownKeys(v cty.Value) (map[string]cty.Value, bool) {
	if v == cty.NilVal || v.IsNull() {
		return map[string]cty.Value{}, v != cty.NilVal
	}
	if !v.IsKnown() {
		return nil, false
	}
	t := v.Type()
	if !(t.IsMapType() || t.IsObjectType()) {
		return nil, false
	}
	out := map[string]cty.Value{}
	for it := v.ElementIterator(); it.Next(); {
		k, e := it.Element()
		out[k.AsString()] = e
	}
	return out, true
}

// MatchAny reports whether s matches one of the patterns; a pattern in
// slashes (/re/) is a regexp, anything else a literal.
func MatchAny(s string, patterns []string, ignoreCase bool) bool {
	for _, p := range patterns {
		if len(p) > 1 && p[0] == '/' && p[len(p)-1] == '/' {
			expr := p[1 : len(p)-1]
			if ignoreCase {
				expr = "(?i)" + expr
			}
			if re, err := regexp.Compile("^(?:" + expr + ")$"); err == nil && re.MatchString(s) {
				return true
			}
			continue
		}
		if s == p || (ignoreCase && strings.EqualFold(s, p)) {
			return true
		}
	}
	return false
}
