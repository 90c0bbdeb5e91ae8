package drift

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	tfjson "github.com/hashicorp/terraform-json"

	"github.com/tfgate/tfgate/analyzer"
	"github.com/tfgate/tfgate/analyzer/load"
	"github.com/tfgate/tfgate/analyzer/report"
)

func TestParseShard(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Shard
		err  string
	}{
		{"1/4", Shard{1, 4}, ""},
		{" 4/4 ", Shard{4, 4}, ""},
		{"1/1", Shard{1, 1}, ""},
		{"0/4", Shard{}, "JOB_COMPLETION_INDEX"},
		{"5/4", Shard{}, "1 <= K <= N"},
		{"4", Shard{}, "want K/N"},
		{"a/b", Shard{}, "want K/N"},
		{"1/0", Shard{}, "1 <= K <= N"},
		{"", Shard{}, "--shard is empty"},
		{"  ", Shard{}, "--shard is empty"},
		{"1/4/8", Shard{}, "want K/N"},
		{"1/", Shard{}, "want K/N"},
		{"/4", Shard{}, "want K/N"},
		{"-1/4", Shard{}, "1 <= K <= N"},
		{"1/99999999999999999999", Shard{}, "want K/N"},
	} {
		got, err := ParseShard(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseShard(%q) error %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseShard(%q) = %v, %v", tc.in, got, err)
		}
	}
}

func TestParseShardIndex(t *testing.T) {
	if s, err := ParseShardIndex("0/8"); err != nil || s != (Shard{1, 8}) {
		t.Errorf("0/8: %v %v", s, err)
	}
	if s, err := ParseShardIndex("7/8"); err != nil || s != (Shard{8, 8}) {
		t.Errorf("7/8: %v %v", s, err)
	}
	for _, bad := range []string{"8/8", "-1/8", "x/8", "3", "", " ", "1/8/2", "/8"} {
		if _, err := ParseShardIndex(bad); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

// Every root lands in exactly one shard, the partition is stable, and it
// spreads roots over all shards.
func TestShardPartition(t *testing.T) {
	const n = 7
	counts := make([]int, n+1)
	for i := 0; i < 3000; i++ {
		root := fmt.Sprintf("accounts/%04d/network", i)
		in := 0
		for k := 1; k <= n; k++ {
			if (Shard{k, n}).has(root) {
				in++
				counts[k]++
			}
		}
		if in != 1 {
			t.Fatalf("%s is in %d shards", root, in)
		}
	}
	for k := 1; k <= n; k++ {
		if counts[k] < 300 || counts[k] > 560 {
			t.Errorf("shard %d/%d holds %d of 3000 roots: badly balanced", k, n, counts[k])
		}
	}
	// Pinned: changing the hash would move every root of every fleet.
	if got := shardOf("envs/prod", 4); got != shardOf("envs/prod", 4) || (Shard{}).has("x") != true {
		t.Fatal("unstable")
	}
	if got := shardOf("envs/prod", 1000); got != 1+int(fnv64a("envs/prod")%1000) {
		t.Errorf("shardOf is not FNV-1a 64 mod N + 1: %d", got)
	}
}

func fnv64a(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

func parseIgnores(t *testing.T, src string) ([]*Ignore, error) {
	t.Helper()
	f, diags := hclsyntax.ParseConfig([]byte(src), ".tfgate.hcl", hcl.Pos{Line: 1, Column: 1})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	content, diags := f.Body.Content(&hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "drift"}}})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	return ParseIgnores(content.Blocks)
}

func TestIgnoreMatching(t *testing.T) {
	igs, err := parseIgnores(t, `
drift {
  ignore "aws_autoscaling_group.*.desired_capacity" {
    reason = "the autoscaler owns it"
  }
  ignore "**.aws_s3_bucket.logs" {
    reason  = "rotated by a lambda"
    expires = "2030-01-31"
  }
  ignore "aws_instance.web" {
    reason    = "patched in place"
    root      = "envs/*"
    workspace = "prod*"
  }
}
`)
	if err != nil {
		t.Fatal(err)
	}
	asg, logs, web := igs[0], igs[1], igs[2]
	for _, tc := range []struct {
		ig         *Ignore
		addr, attr string
		want       bool
	}{
		{asg, "aws_autoscaling_group.web", "desired_capacity", true},
		{asg, `aws_autoscaling_group.web["a.b"]`, "desired_capacity", true},
		{asg, "aws_autoscaling_group.web", "max_size", false},
		{asg, "aws_autoscaling_group.web", "", false},
		{asg, "module.app.aws_autoscaling_group.web", "desired_capacity", false},
		{logs, "aws_s3_bucket.logs", "", true},
		{logs, "module.a.module.b[0].aws_s3_bucket.logs", "", true},
		{logs, "module.a.aws_s3_bucket.logs", "tags", false},
		{logs, "aws_s3_bucket.other", "", false},
		{web, "aws_instance.web[3]", "", true},
		{web, `aws_instance.web["x"]`, "", true},
		{web, "aws_instance.webserver", "", false},
	} {
		var got bool
		if tc.attr == "" {
			got = tc.ig.matchResource(tc.addr)
		} else {
			got = tc.ig.matchAttribute(tc.addr, tc.attr)
		}
		if got != tc.want {
			t.Errorf("%q on %s %s: %v, want %v", tc.ig.Pattern, tc.addr, tc.attr, got, tc.want)
		}
	}
	if !web.applies("envs/prod", "prod-eu") || web.applies("stacks/prod", "prod") || web.applies("envs/prod", "staging") || web.applies("envs/prod/x", "prod") {
		t.Error("root and workspace scoping")
	}
	day := func(s string) time.Time { d, _ := time.Parse("2006-01-02", s); return d.Add(13 * time.Hour) }
	if logs.expired(day("2030-01-31")) || !logs.expired(day("2030-02-01")) || asg.expired(day("2999-01-01")) {
		t.Error("expiry: an ignore holds through its date")
	}
	if logs.where() != ".tfgate.hcl:6" {
		t.Errorf("Where() = %s", logs.where())
	}
}

func TestIgnoreErrors(t *testing.T) {
	block := func(label, body string) string {
		return "drift {\n  ignore " + label + " {\n" + body + "  }\n}\n"
	}
	for _, tc := range []struct{ src, want string }{
		{block(`"a.b"`, ""), `.tfgate.hcl:2:3: Missing reason`},
		{block(`"a.b"`, "    reason = \"\"\n"), `.tfgate.hcl:3:5: Empty reason`},
		{block(`"a..b"`, "    reason = \"x\"\n"), `.tfgate.hcl:2:10: Invalid drift ignore pattern`},
		{block(`"a.b"`, "    reason = \"x\"\n    expires = \"31/01/2026\"\n"), `.tfgate.hcl:4:5: Invalid date: drift ignore "a.b": expires must be a date YYYY-MM-DD`},
		{block(`"a.b"`, "    reason = \"x\"\n    until = \"2026-01-01\"\n"), `has no attribute "until"`},
		{block(`"a.b"`, "    reason = 3\n"), `reason must be a string`},
		{"drift {\n  exclude \"a.b\" {\n  }\n}\n", `Unsupported block type`},
	} {
		_, err := parseIgnores(t, tc.src)
		var ce *analyzer.ConfigError
		if err == nil || !errors.As(err, &ce) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s\n  error %v, want %q", tc.src, err, tc.want)
		}
	}
}

func TestChanges(t *testing.T) {
	var plan tfjson.Plan
	src := `{
  "format_version": "1.2",
  "resource_drift": [
    {"address": "demo_object.a", "mode": "managed", "type": "demo_object", "name": "a",
     "change": {"actions": ["update"],
       "before": {"id": "a", "content": "hello", "secret": "s3cret-old", "db_password": "p4ss-old", "note": "x", "big": "` + strings.Repeat("b", 100) + `", "tags": {"env": "dev"}, "creds": {"api_token": "t-old"}, "key_id": "AKIAIOSFODNN7EXAMPLE", "n": 1},
       "after":  {"id": "a", "content": "edited", "secret": "s3cret-new", "db_password": "p4ss-new", "note": "x", "big": "c", "tags": {"env": "prod"}, "creds": {"api_token": "t-new"}, "key_id": "AKIAIOSFODNN7EXAMPLF", "n": 2},
       "before_sensitive": {"secret": true, "tags": {}}, "after_sensitive": {"secret": true, "tags": {}}}},
    {"address": "demo_object.b", "mode": "managed", "type": "demo_object", "name": "b",
     "change": {"actions": ["delete"], "before": {"id": "b"}, "after": null, "before_sensitive": {}, "after_sensitive": false}},
    {"address": "data.demo_object.c", "mode": "data", "type": "demo_object", "name": "c",
     "change": {"actions": ["update"], "before": {"x": 1}, "after": {"x": 2}}},
    {"address": "demo_object.s", "mode": "managed", "type": "demo_object", "name": "s",
     "change": {"actions": ["update"], "before": {"v": "old-v"}, "after": {"v": "new-v"}, "before_sensitive": true, "after_sensitive": true}}
  ]
}`
	if err := json.Unmarshal([]byte(src), &plan); err != nil {
		t.Fatal(err)
	}
	got := changes(&plan)
	if len(got) != 3 || got[0].Address != "demo_object.a" || got[1].Address != "demo_object.b" || got[1].Action != "delete" || got[2].Address != "demo_object.s" {
		t.Fatalf("changes: %+v", got)
	}
	var names, shown []string
	for _, a := range got[0].Attrs {
		names = append(names, a.Name)
		if a.Shown {
			shown = append(shown, a.Name+"="+a.Before+"->"+a.After)
		}
	}
	if strings.Join(names, ",") != "big,content,creds,db_password,key_id,n,secret,tags" {
		t.Errorf("changed attributes: %v", names)
	}
	if want := `content="hello"->"edited",n=1->2,tags={"env":"dev"}->{"env":"prod"}`; strings.Join(shown, ",") != want {
		t.Errorf("shown values: %v\nwant %s", shown, want)
	}
	if a := got[2].Attrs; len(a) != 1 || a[0].Shown {
		t.Errorf("a wholly sensitive object shows values: %+v", a)
	}
	dump := fmt.Sprintf("%+v", got)
	for _, secret := range []string{"s3cret", "p4ss", "t-old", "t-new", "AKIA", "old-v", "new-v"} {
		if strings.Contains(dump, secret) {
			t.Errorf("%q kept for display", secret)
		}
	}
}

func TestCleanError(t *testing.T) {
	err := errors.New("exit status 1\n\n╷\n│ Error: Unclosed configuration block\n│ \n│   on main.tf line 1, in provider \"demo\":\n│    1: provider \"demo\" {\n╵\n")
	want := "Error: Unclosed configuration block\n\n  on main.tf line 1, in provider \"demo\":\n   1: provider \"demo\" {"
	if got := cleanError(err); got != want {
		t.Errorf("cleanError:\n%s\nwant:\n%s", got, want)
	}
	if got := cleanError(errors.New("exit status 1")); got != "exit status 1" {
		t.Errorf("alone: %q", got)
	}
}

func TestBuildEnv(t *testing.T) {
	env := buildEnv([]string{"AWS_ACCESS_KEY_ID=AKIA", "TF_VAR_x=1", "TF_LOG=trace", "TF_CLI_ARGS_plan=-destroy", "TF_WORKSPACE=prod", "TF_PLUGIN_CACHE_DIR=/cache", "TF_DATA_DIR=/data", "HOME=/home/x"})
	for k, want := range map[string]string{"AWS_ACCESS_KEY_ID": "AKIA", "TF_PLUGIN_CACHE_DIR": "/cache", "TF_DATA_DIR": "/data", "HOME": "/home/x", "CHECKPOINT_DISABLE": "1"} {
		if env[k] != want {
			t.Errorf("%s = %q, want %q", k, env[k], want)
		}
	}
	for _, k := range []string{"TF_VAR_x", "TF_LOG", "TF_CLI_ARGS_plan", "TF_WORKSPACE"} {
		if _, ok := env[k]; ok {
			t.Errorf("%s passed through", k)
		}
	}
	if got := buildEnv([]string{"CHECKPOINT_DISABLE="})["CHECKPOINT_DISABLE"]; got != "" {
		t.Errorf("an explicit CHECKPOINT_DISABLE is overridden: %q", got)
	}
}

// The markdown report escapes what comes from the infrastructure.
func TestMarkdown(t *testing.T) {
	res := &analyzer.Result{
		Findings: []*analyzer.Finding{
			{RuleID: RuleID, Severity: analyzer.Error, Range: hcl.Range{Filename: "envs/prod/main.tf", Start: hcl.Pos{Line: 3, Column: 1}},
				Message: "`demo_object.a` changed outside Terraform in workspace \"default\": content (\"<img src=x> @admins | **x**\" → \"y\")"},
			{RuleID: RuleID, Severity: analyzer.Error, Range: hcl.Range{Filename: "envs/prod/main.tf", Start: hcl.Pos{Line: 9, Column: 1}},
				Message: "`demo_object.b` was deleted outside Terraform", Suppression: &analyzer.Suppression{Kind: "external", Justification: "expected"}},
		},
		Notifications: []analyzer.Notification{{Level: "error", Message: "drift check of envs/broken failed: init: Error: bad\n\n  on main.tf line 1"}},
	}
	out, err := report.RenderMarkdown(res, report.Meta{ToolVersion: "1.0.0"})
	if err != nil {
		t.Fatal(err)
	}
	md := string(out)
	for _, want := range []string{
		"| error | `envs/prod/main.tf:3:1` | [drift-detected](",
		"`demo_object.a` changed outside Terraform",
		`\<img src=x\> @` + "\u200b" + `admins \| \*\*x\*\*`,
		"<details><summary>1 suppressed finding not counted</summary>",
		"- **error**: drift check of envs/broken failed: init: Error: bad\n\n  ```text\n    on main.tf line 1\n  ```",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	if regexp.MustCompile(`[^\\]<img`).MatchString(md) || strings.Contains(md, "@admins") {
		t.Errorf("markup from the input got through:\n%s", md)
	}
}

// TF_VAR_* keep Terraform's precedence when they become -var: below the
// root's auto-loaded tfvars and the user's --var / --var-file, and only
// for declared variables.
func TestVarArgs(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("main.tf", "variable \"a\" {}\nvariable \"b\" {}\nvariable \"c\" {}\nvariable \"d\" {}\nvariable \"e\" {}\n")
	write("terraform.tfvars", "b = \"from tfvars\"\n")
	write("x.auto.tfvars.json", `{"e": "from auto json"}`)
	write("prod.tfvars", "d = \"from --var-file\"\n")
	write("other.tfvars", "a = \"not auto-loaded\"\n")
	p, err := load.Load(load.LoadOptions{Paths: []string{dir}, WorkDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	x := &executor{wd: dir, opts: Options{
		Vars:     []string{"c=from --var"},
		VarFiles: []string{"prod.tfvars"},
		Env:      []string{"TF_VAR_a=env a", "TF_VAR_b=env b", "TF_VAR_c=env c", "TF_VAR_d=env d", "TF_VAR_e=env e", "TF_VAR_zz=undeclared", "TF_VAR_=x"},
	}}
	if err := x.prepareVars(); err != nil {
		t.Fatal(err)
	}
	files, vars := x.varArgs(p.Modules[0])
	if len(files) != 1 || files[0] != filepath.Join(dir, "prod.tfvars") {
		t.Errorf("var files: %v", files)
	}
	if got, want := strings.Join(vars, "|"), "a=env a|c=from --var"; got != want {
		t.Errorf("vars: %s, want %s", got, want)
	}
	x.opts.VarFiles = []string{"missing.tfvars"}
	if err := x.prepareVars(); err == nil || !strings.Contains(err.Error(), "--var-file") {
		t.Errorf("missing var file: %v", err)
	}
}
