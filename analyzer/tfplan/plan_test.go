package tfplan

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"os"
	"sort"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/hashicorp/hcl/v2"

	"github.com/tfgate/tfgate/analyzer/monorepo"
)

// Real plans (terraform show -json) the tests replicate: count indexes,
// child modules and for_each keys with quotes, outputs and variables.
var fixtures = []string{
	"../../fixtures/plans/tags-required/aws-default-tags/plan.json",
	"../../fixtures/plans/tags-required/child-modules/plan.json",
	"../../fixtures/plans/secret-not-sensitive/variables-outputs/plan.json",
}

func readFixture(t testing.TB, p string) []byte {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// sectionSpans finds the top-level members' values in plan JSON with
// encoding/json, independently of the index: [start, end) by name.
func sectionSpans(t testing.TB, src []byte) map[string][2]int {
	t.Helper()
	skip := 0
	if bytes.HasPrefix(src, utf8BOM) {
		skip = len(utf8BOM)
	}
	dec := json.NewDecoder(bytes.NewReader(src[skip:]))
	if _, err := dec.Token(); err != nil {
		t.Fatal(err)
	}
	spans := map[string][2]int{}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		start := skip + int(dec.InputOffset())
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			t.Fatal(err)
		}
		spans[k.(string)] = [2]int{start, skip + int(dec.InputOffset())}
	}
	return spans
}

// newlines are the offsets of a text's line feeds.
type newlines []int

func newlinesOf(src []byte) newlines {
	var nl newlines
	for i, c := range src {
		if c == '\n' {
			nl = append(nl, i)
		}
	}
	return nl
}

// lineCol is the 1-based line and column (in bytes) of an offset.
func (nl newlines) lineCol(off int) (int, int) {
	n := sort.SearchInts(nl, off) // line feeds before off
	start := 0
	if n > 0 {
		start = nl[n-1] + 1
	}
	return n + 1, off - start + 1
}

// checkAt says what is wrong with rng as the location of `"key": value`
// in src (value nil: any), or "".
func checkAt(src []byte, nl newlines, rng hcl.Range, key string, value *string) string {
	off := rng.Start.Byte
	q, _ := json.Marshal(key)
	if off < 0 || off >= len(src) || !bytes.HasPrefix(src[off:], q) {
		return "not at the key " + string(q)
	}
	rest := bytes.TrimLeft(src[off+len(q):], " \t\r\n")
	if len(rest) == 0 || rest[0] != ':' {
		return "the key has no colon"
	}
	if value != nil {
		var got string
		if err := json.NewDecoder(bytes.NewReader(rest[1:])).Decode(&got); err != nil || got != *value {
			return "the value is " + strings.SplitN(string(bytes.TrimSpace(rest[1:])), ",", 2)[0]
		}
	}
	line, col := nl.lineCol(off)
	if rng.Start.Line != line || rng.Start.Column != col {
		return "line/column " + itoa(rng.Start.Line) + ":" + itoa(rng.Start.Column) + ", want " + itoa(line) + ":" + itoa(col)
	}
	return ""
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// assertPositions checks every resource change's AddressRange and every
// output's and variable's KeyRange of a plan.
func assertPositions(t *testing.T, p *Plan) {
	t.Helper()
	spans := sectionSpans(t, p.Src)
	rcStart, rcEnd := spans["resource_changes"][0], spans["resource_changes"][1]
	nl := newlinesOf(p.Src)
	prev := -1
	bad := 0
	for _, rc := range p.JSON.ResourceChanges {
		addr := rc.Address
		r := p.AddressRange(addr)
		if msg := checkAt(p.Src, nl, r, "address", &addr); msg != "" || r.Start.Byte < rcStart || r.Start.Byte >= rcEnd || r.Start.Byte <= prev {
			if bad++; bad <= 5 {
				t.Errorf("%s: %v: %s (resource_changes at %d-%d, previous entry at %d)", addr, r, msg, rcStart, rcEnd, prev)
			}
		}
		prev = r.Start.Byte
		if r.Filename != p.Path {
			t.Fatalf("filename %q", r.Filename)
		}
	}
	for section, keys := range map[string][]string{"output_changes": keysOf(p.JSON.OutputChanges), "variables": keysOfVars(p)} {
		start, end := spans[section][0], spans[section][1]
		for _, k := range keys {
			r := p.KeyRange(section, k)
			if msg := checkAt(p.Src, nl, r, k, nil); msg != "" || r.Start.Byte < start || r.Start.Byte >= end {
				t.Errorf("%s.%s: %v: %s", section, k, r, msg)
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d addresses misplaced", bad, len(p.JSON.ResourceChanges))
	}
}

func keysOf[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func keysOfVars(p *Plan) []string {
	var out []string
	for k := range p.JSON.Variables {
		out = append(out, k)
	}
	return out
}

// Positions on the real fixtures, indented as they are and compact as
// terraform writes them.
func TestPositions(t *testing.T) {
	for _, f := range fixtures {
		src := readFixture(t, f)
		var compact bytes.Buffer
		if err := json.Compact(&compact, src); err != nil {
			t.Fatal(err)
		}
		for name, data := range map[string][]byte{"indented": src, "compact": compact.Bytes()} {
			p, err := ParsePlanJSON(data, "plan.json")
			if err != nil {
				t.Fatalf("%s (%s): %v", f, name, err)
			}
			assertPositions(t, p)
		}
	}
}

// A 15,000-resource plan (20 MB) replicated from a real one: every
// resource and output is located where it is, and the run completes (it
// used to search the whole text with a new regular expression per
// lookup: minutes).
func TestPositionsLargePlan(t *testing.T) {
	// Compact (one line, as terraform writes it) from one fixture,
	// indented from the other.
	for i, f := range fixtures[:2] {
		for _, indent := range []bool{i == 1} {
			data, err := monorepo.ReplicatePlan(readFixture(t, f), 15000, indent)
			if err != nil {
				t.Fatal(err)
			}
			p, err := ParsePlanJSON(data, "large.json")
			if err != nil {
				t.Fatal(err)
			}
			if len(p.JSON.ResourceChanges) != 15000 {
				t.Fatalf("%d resource changes", len(p.JSON.ResourceChanges))
			}
			assertPositions(t, p)
		}
	}
}

// An address is found at its resource_changes entry even when the same
// text appears earlier in the plan (a tag value, resource_drift), and with
// escapes in its for_each key; a missing one goes to the start.
func TestAddressRangePrefersResourceChanges(t *testing.T) {
	src := []byte(`{
  "format_version": "1.2",
  "planned_values": {"root_module": {"resources": [
    {"address": "aws_s3_bucket.b[\"a\\\"b\"]", "mode": "managed", "type": "aws_s3_bucket", "name": "b", "values": {"tags": {"note": "\"address\": \"aws_s3_bucket.b[\\\"a\\\\\\\"b\\\"]\""}}},
    {"address": "aws_s3_bucket.only_planned", "mode": "managed", "type": "aws_s3_bucket", "name": "only_planned"}
  ]}},
  "resource_drift": [{"address": "aws_s3_bucket.b[\"a\\\"b\"]", "mode": "managed", "type": "aws_s3_bucket", "name": "b", "change": {"actions": ["update"], "before": {}, "after": {}}}],
  "resource_changes": [
    {"address": "aws_s3_bucket.b[\"a\\\"b\"]", "mode": "managed", "type": "aws_s3_bucket", "name": "b", "change": {"actions": ["create"], "before": null, "after": {}}}
  ],
  "output_changes": {"address": {"actions": ["create"], "before": null, "after": "x"}}
}`)
	p, err := ParsePlanJSON(src, "p.json")
	if err != nil {
		t.Fatal(err)
	}
	addr := `aws_s3_bucket.b["a\"b"]`
	r := p.AddressRange(addr)
	if r.Start.Line != 9 {
		t.Errorf("%s at line %d, want 9 (its resource_changes entry)", addr, r.Start.Line)
	}
	if msg := checkAt(src, newlinesOf(src), r, "address", &addr); msg != "" {
		t.Error(msg)
	}
	if r := p.AddressRange("aws_s3_bucket.only_planned"); r.Start.Line != 5 {
		t.Errorf("planned_values fallback at line %d, want 5", r.Start.Line)
	}
	if r := p.AddressRange("aws_s3_bucket.nowhere"); r.Start.Byte != 0 || r.Start.Line != 1 {
		t.Errorf("missing address at %v", r)
	}
	if r := p.KeyRange("output_changes", "address"); r.Start.Line != 11 {
		t.Errorf("output named address at line %d, want 11", r.Start.Line)
	}
	if r := p.KeyRange("output_changes", "missing"); r.Start.Line != 11 || !bytes.HasPrefix(src[r.Start.Byte:], []byte(`"output_changes"`)) {
		t.Errorf("missing output: %v, want the output_changes key", r)
	}
}

// A UTF-8 byte order mark (Windows editors, Out-File -Encoding utf8) is
// accepted, and positions stay those of the file; UTF-16 (Windows
// PowerShell's `terraform show -json > plan.json`) is converted.
func TestByteOrderMarks(t *testing.T) {
	src := readFixture(t, fixtures[2])
	plain, err := ParsePlanJSON(src, "plan.json")
	if err != nil {
		t.Fatal(err)
	}
	bom := append([]byte("\xef\xbb\xbf"), src...)
	p, err := ParsePlanJSON(bom, "plan.json")
	if err != nil {
		t.Fatalf("UTF-8 BOM: %v", err)
	}
	assertPositions(t, p)
	for _, rc := range plain.JSON.ResourceChanges {
		a, b := plain.AddressRange(rc.Address), p.AddressRange(rc.Address)
		if a.Start.Line != b.Start.Line || a.Start.Column != b.Start.Column || b.Start.Byte != a.Start.Byte+3 {
			t.Errorf("%s: %v with the BOM, %v without", rc.Address, b, a)
		}
	}

	for _, order := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
		units := utf16.Encode([]rune(string(src)))
		buf := make([]byte, 2+2*len(units))
		order.PutUint16(buf, 0xfeff)
		for i, u := range units {
			order.PutUint16(buf[2+2*i:], u)
		}
		p, err := ParsePlanJSON(buf, "plan.json")
		if err != nil {
			t.Fatalf("UTF-16 %v: %v", order, err)
		}
		if len(p.JSON.ResourceChanges) != len(plain.JSON.ResourceChanges) {
			t.Errorf("UTF-16 %v: %d resource changes", order, len(p.JSON.ResourceChanges))
		}
		for _, rc := range plain.JSON.ResourceChanges {
			if a, b := plain.AddressRange(rc.Address), p.AddressRange(rc.Address); a.Start.Line != b.Start.Line {
				t.Errorf("UTF-16 %v: %s on line %d, want %d", order, rc.Address, b.Start.Line, a.Start.Line)
			}
		}
	}

	// Still refused: a BOM before something that is not JSON, with the
	// error at the right line.
	if _, err := ParsePlanJSON([]byte("\xef\xbb\xbfnot json"), "x.json"); err == nil || !strings.Contains(err.Error(), "is not JSON") {
		t.Errorf("BOM + text: %v", err)
	}
	if _, err := ParsePlanJSON([]byte("\n\n{\n\"format_version\": \"1.2\",\n}"), "x.json"); err == nil || !strings.Contains(err.Error(), "at line 5") {
		t.Errorf("syntax error after blank lines: %v, want line 5", err)
	}
}

// Building the index and locating every resource of a 15,000-resource
// plan (go test -bench LargePlan ./analyzer/tfplan).
func BenchmarkLargePlan(b *testing.B) {
	data, err := monorepo.ReplicatePlan(readFixture(b, fixtures[0]), 15000, false)
	if err != nil {
		b.Fatal(err)
	}
	p0, err := ParsePlanJSON(data, "large.json")
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		p := &Plan{Path: p0.Path, JSON: p0.JSON, Src: p0.Src}
		for _, rc := range p.JSON.ResourceChanges {
			p.AddressRange(rc.Address)
		}
	}
}
