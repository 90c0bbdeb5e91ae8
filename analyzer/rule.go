// Package analyzer is tfgate's rule framework: a rule is a value (Rule) with
// an ID, a doc, options and a Run or Plan function that reports findings
// through a Pass. The framework selects rules (config, flags), runs them over
// a project that package load loaded and package eval evaluated, merges
// plan and static findings, and owns suppression: ignore comments (read,
// applied and reported here, never by a rule) and baselines. See
// docs/architecture.md for the package map.
package analyzer

import (
	"fmt"
	"regexp"

	"github.com/zclconf/go-cty/cty"
)

// Severity is how serious a finding is. The zero value is invalid.
type Severity int

const (
	Note Severity = iota + 1
	Warning
	Error
)

func (s Severity) String() string {
	switch s {
	case Note:
		return "note"
	case Warning:
		return "warning"
	case Error:
		return "error"
	}
	return "invalid"
}

// ParseSeverity turns "error", "warning" or "note" into a Severity.
func ParseSeverity(s string) (Severity, error) {
	switch s {
	case "error":
		return Error, nil
	case "warning":
		return Warning, nil
	case "note":
		return Note, nil
	}
	return 0, fmt.Errorf("unknown severity %q (want error, warning or note)", s)
}

// Family groups rules; --only-family selects by it.
type Family string

const (
	FamilyState       Family = "state"
	FamilyPinning     Family = "pinning"
	FamilyLayout      Family = "layout"
	FamilySecrets     Family = "secrets"
	FamilyTags        Family = "tags"
	FamilyAutoscaling Family = "autoscaling"
	FamilyPlan        Family = "plan"
	FamilyDrift       Family = "drift"
	FamilyTool        Family = "tool" // findings about the input itself: syntax errors, ignore directives
)

// Families lists every family in display order.
var Families = []Family{FamilyState, FamilyPinning, FamilyLayout, FamilySecrets, FamilyTags, FamilyAutoscaling, FamilyPlan, FamilyDrift, FamilyTool}

// Doc is a rule's documentation. The docs pages in docs/rules, `tfgate rules`
// and the SARIF rule metadata are all generated from it.
type Doc struct {
	Title string // short sentence, no period: "Root modules use a remote backend"
	Why   string // why it matters (markdown)
	Fix   string // how to fix (markdown)
	Bad   string // HCL that the rule flags
	Good  string // HCL that passes
}

// Option is a rule setting that users give in .tfgate.hcl.
type Option struct {
	Name    string
	Type    cty.Type
	Default cty.Value // cty.NullVal(Type) when unset by default
	Doc     string
	// Validate, when set, checks a converted value; its error is shown with
	// the attribute's location.
	Validate func(cty.Value) error
}

// Rule is one check. It is a value, not a type: the registry in package
// rules is a slice of these.
type Rule struct {
	ID       string // kebab-case, unique: used in config, ignore comments, docs and SARIF
	Family   Family
	Severity Severity // default severity
	// Security marks rules whose findings are security problems: SARIF gives
	// them properties.security-severity and the "security" tag.
	Security bool
	Doc      Doc
	Options  []Option
	// Run reports findings through the pass. A non-nil error means the rule
	// itself broke; it never means "found something".
	Run func(*Pass) error
	// Plan, when set, checks a `terraform show -json` plan (Pass.Plan) on
	// its real values; the engine maps its findings to source lines.
	Plan func(*Pass) error
	// Command names the command that produces this rule's findings when
	// the rule has neither Run nor Plan (drift-detected comes from `tfgate
	// drift`).
	Command string
	// IgnoreDirectives marks the rule under which the framework reports
	// ignore comments that are malformed, name an unknown rule, expired or
	// match nothing. Such a rule has no Run or Plan: the framework, which
	// reads and applies ignore comments, produces its findings. At most one
	// rule of a registry has it.
	IgnoreDirectives bool
	// StrictSeverity, when set, is the rule's severity under --strict.
	StrictSeverity Severity
	// ReportsProblems marks a rule that reports Pass.Problems: it runs
	// after every other rule, so that it also sees the notes those rules'
	// evaluations made (limits hit, files refused).
	ReportsProblems bool
}

var ruleIDPattern = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)

// Validate checks that a rule is well formed.
func (r *Rule) Validate() error {
	if !ruleIDPattern.MatchString(r.ID) {
		return fmt.Errorf("rule ID %q is not kebab-case", r.ID)
	}
	if r.Severity < Note || r.Severity > Error {
		return fmt.Errorf("rule %s: invalid default severity", r.ID)
	}
	if r.Family == "" {
		return fmt.Errorf("rule %s: no family", r.ID)
	}
	if r.Doc.Title == "" || r.Doc.Why == "" || r.Doc.Fix == "" {
		return fmt.Errorf("rule %s: docs need a title, a why and a fix", r.ID)
	}
	if r.Run == nil && r.Plan == nil && r.Command == "" && !r.IgnoreDirectives {
		return fmt.Errorf("rule %s: no Run or Plan function and no Command", r.ID)
	}
	if r.IgnoreDirectives && (r.Run != nil || r.Plan != nil) {
		return fmt.Errorf("rule %s: the framework reports ignore directives; the rule has no Run or Plan of its own", r.ID)
	}
	if r.StrictSeverity != 0 && (r.StrictSeverity < Note || r.StrictSeverity > Error) {
		return fmt.Errorf("rule %s: invalid strict severity", r.ID)
	}
	seen := map[string]bool{"enabled": true, "severity": true}
	for _, o := range r.Options {
		if seen[o.Name] {
			return fmt.Errorf("rule %s: option %q defined twice or reserved", r.ID, o.Name)
		}
		seen[o.Name] = true
		if o.Type == cty.NilType {
			return fmt.Errorf("rule %s: option %q has no type", r.ID, o.Name)
		}
	}
	return nil
}

// DocURL is the rule's documentation page.
func (r *Rule) DocURL() string {
	return DocsBaseURL + r.ID + ".md"
}

// DocsBaseURL is where the generated rule pages live.
const DocsBaseURL = "https://github.com/tfgate/tfgate/blob/main/docs/rules/"

// InformationURI is the project's home page.
const InformationURI = "https://github.com/tfgate/tfgate"
