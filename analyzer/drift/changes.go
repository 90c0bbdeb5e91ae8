package drift

import (
	"bytes"
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"unicode/utf8"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/tfgate/tfgate/analyzer/eval"
	"github.com/tfgate/tfgate/analyzer/secrets"
)

// change is one drifted resource instance of a refresh-only plan.
type change struct {
	Address string // resource instance address: module.app.aws_s3_bucket.logs["a"]
	Action  string // "update" (changed outside Terraform) or "delete" (removed outside Terraform)
	Attrs   []attrChange
}

// attrChange is one top-level attribute that changed.
type attrChange struct {
	Name string
	// Before and After are the values rendered as compact JSON, set only
	// when they may be shown: not sensitive, not under a secret-like name,
	// not shaped like a credential, and short.
	Before, After string
	Shown         bool
}

// maxValueLen bounds a value shown in a message, in characters.
const maxValueLen = 64

// changes extracts the drifted managed resource instances of a plan.
// Terraform puts refresh-only drift in resource_drift only.
func changes(plan *tfjson.Plan) []change {
	var out []change
	for _, rc := range plan.ResourceDrift {
		if rc == nil || rc.Change == nil || rc.Mode == tfjson.DataResourceMode || rc.DeposedKey != "" {
			continue
		}
		a := rc.Change.Actions
		switch {
		case a.Delete():
			out = append(out, change{Address: rc.Address, Action: "delete"})
		case a.Update():
			c := change{Address: rc.Address, Action: "update", Attrs: attrChanges(rc.Change)}
			out = append(out, c)
		case a.NoOp() || a.Read():
		default:
			out = append(out, change{Address: rc.Address, Action: strings.Join(actionStrings(a), "-")})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Address < out[j].Address })
	return out
}

func actionStrings(a tfjson.Actions) []string {
	var s []string
	for _, x := range a {
		s = append(s, string(x))
	}
	return s
}

// attrChanges lists the top-level attributes whose values differ.
func attrChanges(c *tfjson.Change) []attrChange {
	before, _ := c.Before.(map[string]any)
	after, _ := c.After.(map[string]any)
	names := map[string]bool{}
	for k := range before {
		names[k] = true
	}
	for k := range after {
		names[k] = true
	}
	var out []attrChange
	for _, n := range sortedKeys(names) {
		b, a := before[n], after[n]
		if equalValues(b, a) {
			continue
		}
		ac := attrChange{Name: n}
		if !eval.PlanAnySensitive(c.BeforeSensitive, n) && !eval.PlanAnySensitive(c.AfterSensitive, n) && !secretish(n) && showable(b) && showable(a) {
			bs, as := render(b), render(a)
			if utf8.RuneCountInString(bs) <= maxValueLen && utf8.RuneCountInString(as) <= maxValueLen {
				ac.Before, ac.After, ac.Shown = bs, as, true
			}
		}
		out = append(out, ac)
	}
	return out
}

func equalValues(a, b any) bool {
	if reflect.DeepEqual(a, b) {
		return true
	}
	// json.Number("1") and json.Number("1.0"), or numbers decoded
	// differently: compare their canonical encodings.
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(ja, jb)
}

// secretWords are name parts whose values are never shown, even when the
// provider does not mark them sensitive.
var secretWords = []string{"password", "passwd", "passphrase", "secret", "token", "key", "credential", "private", "cert", "auth", "signature", "salt", "cookie", "session"}

// secretish reports whether an attribute or map key name suggests a secret.
// It is deliberately broader than the lint rules' heuristics: showing a
// value is optional, leaking one is not.
func secretish(name string) bool {
	if secrets.SecretName(name) {
		return true
	}
	n := strings.ToLower(name)
	for _, w := range secretWords {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// showable reports whether a value may appear in a message: no secret-like
// key inside it and no string shaped like a credential.
func showable(v any) bool {
	switch x := v.(type) {
	case string:
		_, cred := secrets.LooksLikeCredential(x)
		return !cred
	case map[string]any:
		for k, e := range x {
			if secretish(k) || !showable(e) {
				return false
			}
		}
	case []any:
		for _, e := range x {
			if !showable(e) {
				return false
			}
		}
	}
	return true
}

// render is a value as compact JSON ("null" for an absent one).
func render(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "?"
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// countInstances counts the managed resource instances of a state module
// tree.
func countInstances(m *tfjson.StateModule) int {
	if m == nil {
		return 0
	}
	n := 0
	for _, r := range m.Resources {
		if r.Mode == tfjson.ManagedResourceMode {
			n++
		}
	}
	for _, c := range m.ChildModules {
		n += countInstances(c)
	}
	return n
}
