// Package tfplan reads Terraform plans: `terraform show -json` output,
// validated, or binary planfiles converted through terraform-exec with a
// real terraform or tofu binary, and maps plan addresses back to positions
// in the plan JSON.
package tfplan

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf16"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/terraform-exec/tfexec"
	tfjson "github.com/hashicorp/terraform-json"
	"github.com/tfgate/tfgate/internal/fsx"
)

// Plan is a `terraform show -json` plan with what tfgate needs to map its
// resources back to source lines.
type Plan struct {
	Path    string // display path of the JSON (or of the planfile it was converted from)
	JSON    *tfjson.Plan
	Src     []byte // the JSON text, for line-accurate locations
	Errored bool   // the plan failed part-way: it is linted for what it has
	// Binary marks a planfile converted with terraform show -json: Path
	// names the planfile, Src is the converted JSON (locate.go).
	Binary bool
	readableState

	linesOnce sync.Once // rules locate resources concurrently
	lines     []int
	indexOnce sync.Once
	idx       *posIndex
}

// PlanReadOptions configure ReadPlan.
type PlanReadOptions struct {
	// TerraformBin converts binary planfiles (`plan -out`); found from
	// TFGATE_TERRAFORM_BIN, then terraform and tofu on PATH, when empty.
	TerraformBin string
	// WorkDir is where a binary planfile is shown (its configuration and
	// .terraform directory).
	WorkDir string
	Display string // name used in messages; default the path
}

// ReadPlan reads a plan: JSON from `terraform show -json`, "-" for stdin, or
// a binary planfile converted through terraform-exec. Every error says what
// the input is and what to give instead.
func ReadPlan(ctx context.Context, path string, stdin io.Reader, opts PlanReadOptions) (*Plan, error) {
	display := opts.Display
	if display == "" {
		display = path
		if path == "-" {
			display = "<stdin>"
		}
	}
	var data []byte
	var err error
	if path == "-" {
		data, err = io.ReadAll(stdin)
	} else {
		data, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read plan %s: %w", display, fsx.Cause(err))
	}
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		if path == "-" {
			return nil, fmt.Errorf("plan %s is a binary planfile: give it as a file so that it can be converted, or pipe `terraform show -json` instead", display)
		}
		data, err = showPlanFile(ctx, path, opts)
		if err != nil {
			return nil, fmt.Errorf("cannot convert binary planfile %s: %w", display, err)
		}
		p, err := ParsePlanJSON(data, display)
		if p != nil {
			p.Binary = true
		}
		return p, err
	}
	return ParsePlanJSON(data, display)
}

// utf8BOM starts files written by some Windows tools.
var utf8BOM = []byte("\xef\xbb\xbf")

// ParsePlanJSON decodes and validates plan JSON. A UTF-8 byte order mark
// is skipped; UTF-16 (what Windows PowerShell's `>` writes, with its byte
// order mark) is converted to UTF-8 first.
func ParsePlanJSON(data []byte, display string) (*Plan, error) {
	if d, ok := fromUTF16(data); ok {
		data = d
	}
	trimmed := bytes.TrimSpace(bytes.TrimPrefix(data, utf8BOM))
	if len(trimmed) == 0 {
		return nil, fmt.Errorf("plan %s is empty: want the output of `terraform show -json PLANFILE`", display)
	}
	if trimmed[0] != '{' {
		return nil, fmt.Errorf("plan %s is not JSON: want the output of `terraform show -json PLANFILE` (or the binary planfile itself)", display)
	}
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &probe); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) || errors.Is(err, io.ErrUnexpectedEOF) || strings.Contains(err.Error(), "unexpected end") {
			line, col := lineCol(data, len(data)-len(bytes.TrimLeft(data, " \t\r\n\xef\xbb\xbf"))+offsetOf(err, len(trimmed)))
			if strings.Contains(err.Error(), "unexpected end") {
				return nil, fmt.Errorf("plan %s is truncated: the JSON ends at line %d before the plan is complete; write it again with `terraform show -json PLANFILE > %s`", display, line, filepath.Base(display))
			}
			return nil, fmt.Errorf("plan %s is not valid JSON at line %d, column %d: %v", display, line, col, err)
		}
		return nil, fmt.Errorf("plan %s is not a plan: %v", display, err)
	}
	switch {
	case probe["provider_schemas"] != nil:
		return nil, fmt.Errorf("%s is `terraform providers schema -json` output, not a plan: run `terraform show -json PLANFILE`", display)
	case probe["lineage"] != nil && probe["serial"] != nil:
		return nil, fmt.Errorf("%s is a state file (terraform.tfstate), not a plan: run `terraform plan -out plan.bin && terraform show -json plan.bin`", display)
	case probe["format_version"] != nil && probe["values"] != nil && probe["planned_values"] == nil && probe["resource_changes"] == nil:
		return nil, fmt.Errorf("%s is `terraform show -json` of a state, not of a plan: give the planfile to `terraform show -json PLANFILE`", display)
	case probe["format_version"] == nil:
		return nil, fmt.Errorf("%s has no format_version: it is not `terraform show -json` plan output", display)
	case probe["planned_values"] == nil && probe["resource_changes"] == nil && probe["output_changes"] == nil && probe["configuration"] == nil:
		return nil, fmt.Errorf("%s is JSON but not a plan (no planned_values, resource_changes or configuration)", display)
	}
	// terraform-json refuses other format versions while decoding; say
	// which version the plan has and which ones tfgate reads.
	var fv string
	if json.Unmarshal(probe["format_version"], &fv) == nil {
		if err := checkPlanFormatVersion(fv); err != nil {
			return nil, fmt.Errorf("plan %s %v", display, err)
		}
	}
	var p tfjson.Plan
	if err := json.Unmarshal(trimmed, &p); err != nil {
		return nil, fmt.Errorf("plan %s cannot be decoded: %v", display, err)
	}
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("plan %s: %v (tfgate reads plan format versions %s)", display, err, tfjson.PlanFormatVersionConstraints)
	}
	out := &Plan{Path: display, JSON: &p, Src: data}
	if raw := probe["errored"]; raw != nil {
		var b bool
		if json.Unmarshal(raw, &b) == nil {
			out.Errored = b
		}
	}
	return out, nil
}

// checkPlanFormatVersion checks a plan's format_version against the
// versions terraform-json reads.
func checkPlanFormatVersion(fv string) error {
	c, err := version.NewConstraint(tfjson.PlanFormatVersionConstraints)
	if err != nil {
		return err
	}
	v, err := version.NewVersion(fv)
	if err != nil {
		return fmt.Errorf("has format_version %q, which is not a version: it is not `terraform show -json` plan output", fv)
	}
	if !c.Check(v) {
		return fmt.Errorf("has format_version %q, which tfgate cannot read (it reads plan format versions %s, written by Terraform 0.12 to 1.x and OpenTofu): upgrade tfgate, or make the plan with a release it supports", fv, tfjson.PlanFormatVersionConstraints)
	}
	return nil
}

var offsetPattern = regexp.MustCompile(`offset (\d+)`)

func offsetOf(err error, def int) int {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return int(se.Offset)
	}
	if m := offsetPattern.FindStringSubmatch(err.Error()); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return def
}

// fromUTF16 converts UTF-16 text that starts with a byte order mark.
func fromUTF16(data []byte) ([]byte, bool) {
	if len(data) < 2 {
		return nil, false
	}
	var order binary.ByteOrder
	switch {
	case data[0] == 0xff && data[1] == 0xfe:
		order = binary.LittleEndian
	case data[0] == 0xfe && data[1] == 0xff:
		order = binary.BigEndian
	default:
		return nil, false
	}
	units := make([]uint16, 0, len(data)/2-1)
	for i := 2; i+1 < len(data); i += 2 {
		units = append(units, order.Uint16(data[i:]))
	}
	return []byte(string(utf16.Decode(units))), true
}

func lineCol(src []byte, off int) (int, int) {
	if off > len(src) {
		off = len(src)
	}
	line, col := 1, 1
	for _, c := range src[:off] {
		if c == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}

// FindTerraform returns the Terraform-compatible binary to run: the
// explicit one, TFGATE_TERRAFORM_BIN, then terraform and tofu on PATH.
func FindTerraform(explicit string) (string, error) {
	if explicit == "" {
		explicit = os.Getenv("TFGATE_TERRAFORM_BIN")
	}
	if explicit != "" {
		p, err := exec.LookPath(explicit)
		if err != nil {
			return "", fmt.Errorf("terraform binary %q not found: %v", explicit, fsx.Cause(err))
		}
		return p, nil
	}
	for _, name := range []string{"terraform", "tofu"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", errors.New("no Terraform-compatible binary: install terraform or tofu, or give --terraform-bin (or TFGATE_TERRAFORM_BIN)")
}

func showPlanFile(ctx context.Context, path string, opts PlanReadOptions) ([]byte, error) {
	bin, err := FindTerraform(opts.TerraformBin)
	if err != nil {
		return nil, err
	}
	wd := opts.WorkDir
	if wd == "" {
		wd = filepath.Dir(path)
	}
	tf, err := tfexec.NewTerraform(wd, bin)
	if err != nil {
		return nil, err
	}
	abs, _ := filepath.Abs(path)
	env := map[string]string{}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok && !blockedEnv(k) {
			env[k] = v
		}
	}
	env["CHECKPOINT_DISABLE"] = "1"
	if err := tf.SetEnv(env); err != nil {
		return nil, err
	}
	plan, err := tf.ShowPlanFile(ctx, abs)
	if err != nil {
		// The CLI reads a binary planfile only with the providers of the
		// initialized directory it was planned in.
		return nil, fmt.Errorf("%s show -json (in %s): %v\nA binary planfile is read in the initialized directory it was planned in: run tfgate there or give --chdir DIR, or give `%s show -json PLANFILE` output instead", filepath.Base(bin), wd, strings.TrimSpace(err.Error()), filepath.Base(bin))
	}
	// Indented, so that findings without configuration point at a line.
	return json.MarshalIndent(plan, "", "  ")
}

// blockedEnv lists variables terraform-exec refuses to pass through
// (it sets them itself or they would change its behaviour).
func blockedEnv(k string) bool {
	return strings.HasPrefix(k, "TF_LOG") || strings.HasPrefix(k, "TF_CLI_ARGS") || strings.HasPrefix(k, "TF_VAR_") ||
		k == "TF_INPUT" || k == "TF_IN_AUTOMATION" || k == "TF_WORKSPACE" || k == "TF_REATTACH_PROVIDERS" ||
		k == "TF_APPEND_USER_AGENT" || k == "TF_DISABLE_PLUGIN_TLS" || k == "TF_SKIP_PROVIDER_VERIFY" || k == "TF_PLUGIN_CACHE_DIR"
}

// line returns the line of a byte offset in the plan JSON.
func (p *Plan) line(off int) int {
	p.linesOnce.Do(func() {
		p.lines = []int{0}
		for i, c := range p.Src {
			if c == '\n' {
				p.lines = append(p.lines, i+1)
			}
		}
	})
	return sort.Search(len(p.lines), func(i int) bool { return p.lines[i] > off })
}

// pos is the position of a byte offset in the plan JSON.
func (p *Plan) pos(off int) hcl.Range {
	ln := p.line(off)
	pos := hcl.Pos{Line: ln, Column: off - p.lines[ln-1] + 1, Byte: off}
	return hcl.Range{Filename: p.Path, Start: pos, End: pos}
}

// AddressRange is the location of a resource instance's entry in the plan
// JSON: its "address" in resource_changes, else in planned_values, else
// anywhere in the plan, else the start of the plan.
func (p *Plan) AddressRange(address string) hcl.Range {
	x := p.index()
	for _, m := range []map[string]int{x.changes, x.planned, x.anywhere} {
		if off, ok := m[address]; ok {
			return p.pos(off)
		}
	}
	return p.pos(0)
}

// KeyRange is the location of a key of a top-level object of the plan
// JSON (e.g. an output in output_changes); the section's own key when the
// key is not in it; the start of the plan when there is no section.
func (p *Plan) KeyRange(section, key string) hcl.Range {
	x := p.index()
	if off, ok := x.members[section][key]; ok {
		return p.pos(off)
	}
	if off, ok := x.top[section]; ok {
		return p.pos(off)
	}
	return p.pos(0)
}
