package eval

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// terraformFunctions is Terraform's function table, from the Terraform
// documentation's function index for v1.9
// (https://developer.hashicorp.com/terraform/language/functions, v1.9.x),
// with ephemeralasnull from v1.10, and the functions OpenTofu 1.10 adds
// (`tofu metadata functions -json`): base64gunzip, cidrcontains, urldecode.
// `type` exists only in `terraform console` and is left out.
var terraformFunctions = strings.Fields(`
abs abspath alltrue anytrue base64decode base64encode base64gzip
base64sha256 base64sha512 basename bcrypt can ceil chomp chunklist cidrhost
cidrnetmask cidrsubnet cidrsubnets coalesce coalescelist compact concat
contains csvdecode dirname distinct element endswith ephemeralasnull file
filebase64 filebase64sha256 filebase64sha512 fileexists filemd5 fileset
filesha1 filesha256 filesha512 flatten floor format formatdate formatlist
indent index issensitive join jsondecode jsonencode keys length log lookup
lower matchkeys max md5 merge min nonsensitive one parseint pathexpand
plantimestamp pow range regex regexall replace reverse rsadecrypt
sensitive setintersection setproduct setsubtract setunion sha1 sha256 sha512
signum slice sort split startswith strcontains strrev substr sum
templatefile templatestring textdecodebase64 textencodebase64 timeadd
timecmp timestamp title tobool tolist tomap tonumber toset tostring
transpose trim trimprefix trimspace trimsuffix try upper urlencode uuid
uuidv5 values yamldecode yamlencode zipmap
base64gunzip cidrcontains urldecode
`)

// TestFunctionTable fails when a function of Terraform's table is missing
// (and so would make every expression that calls it unknown), in its own
// name and in OpenTofu's core:: namespace.
func TestFunctionTable(t *testing.T) {
	env := newExprEnv(t, "")
	for _, name := range terraformFunctions {
		for _, n := range []string{name, "core::" + name} {
			if !hasFunction(env.ctx, n) {
				t.Errorf("function %s is missing", n)
			}
		}
	}
	// Provider-defined functions, Terraform's own included, are unknown
	// values, never errors.
	for _, src := range []string{`provider::terraform::encode_tfvars({a = 1})`, `provider::aws::arn_parse("arn:aws:s3:::b")`} {
		if v := env.eval(t, src); v.IsKnown() {
			t.Errorf("%s = %#v, want unknown", src, v)
		}
	}
}

// TestFunctions evaluates every case of funcCases.
func TestFunctions(t *testing.T) {
	env := newExprEnv(t, "")
	for _, c := range funcCases {
		v := env.eval(t, c.expr)
		got := jsonOf(v)
		want := c.want
		if want == "error" {
			want = "unknown"
		}
		if got != want {
			t.Errorf("%s = %s, want %s", c.expr, got, want)
		}
	}
}

// jsonOf writes a value as jsonencode does, or "unknown".
func jsonOf(v cty.Value) string {
	if !v.IsWhollyKnown() {
		return "unknown"
	}
	if v.IsNull() {
		return "null"
	}
	b, err := ctyjson.Marshal(v, v.Type())
	if err != nil {
		return "error: " + err.Error()
	}
	return string(b)
}

// TestFunctionsAgainstOpenTofu checks funcCases' expectations against a real
// OpenTofu console (TFGATE_E2E_TOFU, set by ./test.sh): every value is the
// one Terraform's language computes, every error an error there.
func TestFunctionsAgainstOpenTofu(t *testing.T) {
	tofu := os.Getenv("TFGATE_E2E_TOFU")
	if tofu == "" {
		t.Skip("TFGATE_E2E_TOFU is not set (./test.sh sets it)")
	}
	dir := t.TempDir()
	var batch []string
	var wants []string
	for _, c := range funcCases {
		switch c.want {
		case "unknown":
			continue
		case "error":
			if out, err := console(t, tofu, dir, []string{c.expr}); err == nil {
				t.Errorf("%s: OpenTofu gives %s, want an error", c.expr, out)
			}
			continue
		}
		batch = append(batch, "jsonencode("+c.expr+")")
		wants = append(wants, c.want)
	}
	out, err := console(t, tofu, dir, batch)
	if err != nil {
		t.Fatalf("tofu console: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != len(batch) {
		t.Fatalf("tofu console printed %d lines for %d expressions:\n%s", len(lines), len(batch), out)
	}
	for i, l := range lines {
		// The console prints the JSON text as an HCL string.
		x, d := hclsyntax.ParseExpression([]byte(l), "console", hcl.Pos{Line: 1, Column: 1})
		if d.HasErrors() {
			t.Errorf("%s: cannot read the console's %s", batch[i], l)
			continue
		}
		v, d := x.Value(nil)
		if d.HasErrors() || v.Type() != cty.String {
			t.Errorf("%s: cannot read the console's %s", batch[i], l)
			continue
		}
		if got := v.AsString(); got != wants[i] {
			t.Errorf("%s: OpenTofu gives %s, the case says %s", batch[i], got, wants[i])
		}
	}
}

// console runs expressions, one a line, through `tofu console` in dir.
func console(t *testing.T, tofu, dir string, exprs []string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, tofu, "console")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE=/dev/null", "CHECKPOINT_DISABLE=1", "NO_COLOR=1")
	cmd.Stdin = strings.NewReader(strings.Join(exprs, "\n") + "\n")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var lines []string
	sc := bufio.NewScanner(&stdout)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if l := sc.Text(); strings.TrimSpace(l) != "" {
			lines = append(lines, l)
		}
	}
	if err != nil {
		return stdout.String() + stderr.String(), err
	}
	return strings.Join(lines, "\n"), nil
}

// TestFunctionTableMatchesOpenTofu: every function OpenTofu's table has
// (without its core:: aliases) is in terraformFunctions.
func TestFunctionTableMatchesOpenTofu(t *testing.T) {
	tofu := os.Getenv("TFGATE_E2E_TOFU")
	if tofu == "" {
		t.Skip("TFGATE_E2E_TOFU is not set (./test.sh sets it)")
	}
	cmd := exec.Command(tofu, "metadata", "functions", "-json")
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE=/dev/null", "CHECKPOINT_DISABLE=1")
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	var missing []string
	known := map[string]bool{}
	for _, n := range terraformFunctions {
		known[n] = true
	}
	var doc struct {
		Signatures map[string]any `json:"function_signatures"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	for name := range doc.Signatures {
		if !strings.Contains(name, "::") && !known[name] {
			missing = append(missing, name)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("OpenTofu has functions the table lacks: %s", strings.Join(missing, " "))
	}
}
