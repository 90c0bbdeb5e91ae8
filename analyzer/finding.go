package analyzer

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/tfgate/tfgate/analyzer/eval"
	"github.com/tfgate/tfgate/analyzer/model"
)

// Finding is one problem a rule reports.
type Finding struct {
	RuleID   string
	Severity Severity
	Message  string
	// Cause is the message without what is particular to this location
	// (the resource's name, the other roots of a clash): findings of one
	// rule and severity with the same cause are one problem with one fix,
	// shown once with their locations in the text and markdown formats.
	// Empty: the message is the cause.
	Cause     string
	Range     hcl.Range
	Module    string   // module directory the finding belongs to
	Address   string   // block address: aws_s3_bucket.logs, module.app, terraform.backend.s3
	Attribute string   // attribute the finding is about, when there is one
	Via       []string // module calls through which the value arrived
	// Environments are the environments of a root (its tfvars files) the
	// finding holds in; none when the root was evaluated without one.
	Environments []Environment
	Related      []Related
	// Secret marks findings about a credential: output never shows the
	// source lines they cover, in any format.
	Secret bool
	// Source is "config" for static findings and "plan" for plan findings.
	Source string

	Suppression *Suppression   // set when an ignore comment or the baseline hides the finding
	Instance    *eval.Instance `json:"-"`
	planBlock   *model.Block   // the block a plan finding maps to, for deduplication
	fpExtra     string         // disambiguates findings that would share a fingerprint
	// envPartial: merged from roots with environments and roots without
	// (judged on their defaults), so the names say whose they are.
	envPartial bool
}

// Environment names one environment of a root module.
type Environment struct {
	Root  string   // the root module's directory
	Name  string   // "prod"
	Files []string // its tfvars files, as displayed
}

// Related is a secondary location, such as the other backend of a clash.
type Related struct {
	Range   hcl.Range
	Message string
}

// Suppression records why a finding does not count.
type Suppression struct {
	Kind          string // "inSource" (ignore comment) or "external" (baseline)
	Justification string
	Range         *hcl.Range // the ignore comment
}

// Fingerprint identifies a finding across edits: rule, module, block address
// and attribute, not the line, so unrelated changes above it keep it stable.
func (f *Finding) Fingerprint() string {
	h := sha256.New()
	for _, s := range []string{f.RuleID, f.Module, f.Address, f.Attribute} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	if f.fpExtra != "" {
		h.Write([]byte(f.fpExtra))
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// FullMessage is the message with the module calls it arrived through and
// the environments it holds in.
func (f *Finding) FullMessage() string {
	var parts []string
	switch len(f.Via) {
	case 0:
	case 1:
		parts = append(parts, "via "+f.Via[0])
	case 2:
		parts = append(parts, "via "+f.Via[0]+" and "+f.Via[1])
	default:
		parts = append(parts, fmt.Sprintf("via %s and %d more", f.Via[0], len(f.Via)-1))
	}
	if e := f.EnvironmentNames(); e != "" {
		parts = append(parts, e)
	}
	if len(parts) == 0 {
		return f.Message
	}
	return f.Message + " (" + strings.Join(parts, "; ") + ")"
}

// EnvironmentNames says which environments a finding holds in:
// "environment prod", "environments dev and prod", "environments dev,
// prod and stage"; names are qualified by their root ("stacks/api prod")
// when they belong to several roots, or when the finding also holds in a
// root without environments. "" when there are none.
func (f *Finding) EnvironmentNames() string {
	if len(f.Environments) == 0 {
		return ""
	}
	oneRoot := !f.envPartial
	for _, e := range f.Environments {
		oneRoot = oneRoot && e.Root == f.Environments[0].Root
	}
	names := make([]string, len(f.Environments))
	for i, e := range f.Environments {
		names[i] = e.Name
		if !oneRoot {
			names[i] = e.Root + " " + e.Name
		}
	}
	switch len(names) {
	case 1:
		return "environment " + names[0]
	case 2:
		return "environments " + names[0] + " and " + names[1]
	}
	return "environments " + strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// CauseText is the finding's cause: Cause, else Message.
func (f *Finding) CauseText() string {
	if f.Cause != "" {
		return f.Cause
	}
	return f.Message
}

// Counts returns whether the finding counts towards the exit code.
func (f *Finding) Counts() bool { return f.Suppression == nil }

// SortFindings orders findings by file, position, rule and message.
func SortFindings(fs []*Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Range.Filename != b.Range.Filename {
			return a.Range.Filename < b.Range.Filename
		}
		if a.Range.Start.Line != b.Range.Start.Line {
			return a.Range.Start.Line < b.Range.Start.Line
		}
		if a.Range.Start.Column != b.Range.Start.Column {
			return a.Range.Start.Column < b.Range.Start.Column
		}
		if a.RuleID != b.RuleID {
			return a.RuleID < b.RuleID
		}
		return a.Message < b.Message
	})
}
