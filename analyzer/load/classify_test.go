package load

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/tfgate/tfgate/analyzer/model"
)

func TestGlobMatch(t *testing.T) {
	base := filepath.FromSlash("/repo")
	for _, tc := range []struct {
		pattern, path string
		want          bool
	}{
		{"modules/legacy", "modules/legacy", true},
		{"modules/legacy", "modules/legacy/main.tf", true}, // and everything below
		{"modules/legacy", "modules/legacy-2", false},
		{"modules/*", "modules/vpc/main.tf", true},
		{"**/examples", "modules/vpc/examples/basic", true},
		{"**/examples", "examples", true}, // ** matches no directory too
		{"**/examples/**", "a/examples/b/c.tf", true},
		{"live/legacy-*", "live/legacy-poc", true},
		{"live/legacy-*", "live/prod", false},
		{"sandbox", "live/sandbox", false}, // relative to the base, not anywhere
		{"envs/?ev", "envs/dev/main.tf", true},
		{"envs/[dp]*", "envs/staging", false},
		{"**", "anything/at/all", true},
	} {
		g := Glob{Pattern: tc.pattern, Base: base}
		if got := g.Match(filepath.Join(base, filepath.FromSlash(tc.path))); got != tc.want {
			t.Errorf("%q on %q: %v, want %v", tc.pattern, tc.path, got, tc.want)
		}
	}
	if (Glob{Pattern: "x", Base: base}).Match(filepath.FromSlash("/elsewhere/x")) {
		t.Error("a pattern matched outside its base")
	}
	for _, bad := range []string{"", "a/[b", "a\\b"} {
		if CheckGlob(bad) == nil {
			t.Errorf("CheckGlob(%q) accepted it", bad)
		}
	}
}

func TestTerragruntSources(t *testing.T) {
	src := []byte(`terraform {
  source = "../../../aws//rds"
}
dependency "x" {
  config_path = "../common"
}
terraform {
  source = "${get_env("E") == "prod" ? "git::https://github.com/x/y//aws/eks?ref=v1" : "../../../aws//eks"}"
}
`)
	got := strings.Join(terragruntSources(src), " ")
	if want := "../../../aws/rds ../../../aws/eks"; got != want {
		t.Errorf("terragruntSources: %q, want %q", got, want)
	}
}

func TestLocalSourceDir(t *testing.T) {
	unit := filepath.FromSlash("/r/live/prod/api")
	for src, want := range map[string]string{
		"../../../modules//api":        "/r/modules/api",
		"../../../modules/api":         "/r/modules/api",
		"./code":                       "/r/live/prod/api/code",
		"../../../modules//api?ref=v1": "/r/modules/api",
	} {
		if got := localSourceDir(unit, src); got != filepath.FromSlash(want) {
			t.Errorf("%s: %s, want %s", src, got, want)
		}
	}
}

// TestPlaceholders holds the generate-block renderer to its promise: the
// text keeps every byte offset and every line, interpolations become
// identifiers and directives spaces.
func TestPlaceholders(t *testing.T) {
	in := "provider \"aws\" {\n  region = \"${local.region}\"\n%{ if local.x }\n  ids = [${jsonencode(\n  local.ids)}]\n%{ endif }\n  esc = \"$${var.x}\"\n}\n"
	out, holes := placeholders([]byte(in))
	if len(out) != len(in) || strings.Count(string(out), "\n") != strings.Count(in, "\n") {
		t.Fatalf("lengths or lines changed:\n%s", out)
	}
	if len(holes) != 3 {
		t.Errorf("%d holes, want 3 (two interpolations, one escape)", len(holes))
	}
	if strings.Contains(string(out), "${") || strings.Contains(string(out), "%{") {
		t.Errorf("template sequences left:\n%s", out)
	}
	f, diags := hclsyntax.ParseConfig(out, "g.tf", hcl.Pos{Line: 1, Column: 1})
	if diags.HasErrors() {
		t.Fatalf("rendered text does not parse: %v\n%s", diags, out)
	}
	body := f.Body.(*hclsyntax.Body)
	unknownHoles(body, holes)
	region := body.Blocks[0].Body.Attributes["region"]
	if v, _ := region.Expr.Value(nil); v.IsKnown() {
		t.Errorf("region = %#v, want unknown: it came from an interpolation", v)
	}
}

func FuzzPlaceholders(f *testing.F) {
	for _, s := range []string{"", "${", "${}", "a = \"${x}\"\n", "%{ if a }b%{ endif }", "$${x}", "${\"}\"}", "${{{}}}", "\"\\\"${x}\""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		out, holes := placeholders(in)
		if len(out) != len(in) {
			t.Fatalf("length %d, want %d", len(out), len(in))
		}
		for _, h := range holes {
			if h[0] < 0 || h[1] > len(in) || h[0] >= h[1] {
				t.Fatalf("hole %v outside the text", h)
			}
		}
		if f, d := hclsyntax.ParseConfig(out, "g.tf", hcl.Pos{Line: 1, Column: 1}); !d.HasErrors() {
			unknownHoles(f.Body.(*hclsyntax.Body), holes)
		}
	})
}

// TestTerragruntUnit loads a unit with an include, path functions, a
// read_terragrunt_config, a generate block and remote_state, and checks the
// model: the unit is a root with the remote_state backend (keyed by the
// unit's path), the code is its wrapped root with the generated provider.
func TestTerragruntUnit(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("live/root.hcl", `locals {
  env = read_terragrunt_config(find_in_parent_folders("env.hcl"))
}
generate "provider" {
  path     = "provider.tf"
  contents = <<EOF
provider "aws" {
  region = "${local.env.locals.region}"
}
EOF
}
remote_state {
  backend = "s3"
  config = {
    bucket       = "state-${local.env.locals.name}"
    key          = "${path_relative_to_include()}/terraform.tfstate"
    use_lockfile = true
    role_arn     = get_env("ROLE")
  }
}
`)
	write("live/prod/env.hcl", "locals {\n  name   = \"prod\"\n  region = \"eu-west-1\"\n}\n")
	write("live/prod/app/terragrunt.hcl", `include "root" {
  path = find_in_parent_folders("root.hcl")
}
terraform {
  source = "${get_repo_root()}/code//app"
}
inputs = {
  size = 3
  name = get_env("NAME")
}
`)
	write(".git/HEAD", "ref: refs/heads/main\n")
	write("code/app/main.tf", "variable \"size\" {}\nvariable \"name\" {}\nresource \"aws_s3_bucket\" \"b\" {\n  bucket = var.name\n}\n")
	p, err := Load(LoadOptions{WorkDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	unit, code := p.Module("live/prod/app"), p.Module("code/app")
	if unit == nil || code == nil {
		t.Fatalf("modules: %v", p.Modules)
	}
	if unit.Kind != model.Root || unit.Unit == nil || unit.Unit.Code != code {
		t.Fatalf("unit: kind %s, unit %+v", unit.Kind, unit.Unit)
	}
	if code.Kind != model.WrapperRoot || !code.IsTerragruntCode() || len(code.Wrapper.Units) != 1 {
		t.Fatalf("code: kind %s, wrapper %+v", code.Kind, code.Wrapper)
	}
	cands := unit.BackendCandidates(nil)
	if len(cands) != 1 || cands[0].Type != "s3" {
		t.Fatalf("unit backend: %+v", cands)
	}
	b := cands[0]
	if s, _ := model.KnownString(b.Value("key")); s != "prod/app/terraform.tfstate" {
		t.Errorf("key = %q, want prod/app/terraform.tfstate (path_relative_to_include)", s)
	}
	if s, _ := model.KnownString(b.Value("bucket")); s != "state-prod" {
		t.Errorf("bucket = %q, want state-prod (read_terragrunt_config)", s)
	}
	if v := b.Value("role_arn"); v.IsKnown() {
		t.Errorf("role_arn = %#v, want unknown (get_env)", v)
	}
	if r := b.Range(); r.Filename != "live/root.hcl" || r.Start.Line != 12 {
		t.Errorf("backend at %s:%d, want live/root.hcl:12", r.Filename, r.Start.Line)
	}
	if len(code.Providers) != 1 || code.Providers[0].DefRange.Start.Line != 7 || code.Providers[0].File.Path != "live/root.hcl" {
		t.Errorf("generated provider: %+v", code.Providers)
	}
	if len(unit.ModuleCalls) != 1 || !unit.ModuleCalls[0].Wrapper {
		t.Fatalf("unit calls: %+v", unit.ModuleCalls)
	}
	call := unit.ModuleCalls[0]
	if a := call.Block.Attr("size"); a == nil {
		t.Error("input size is not an argument of the call")
	} else if v, _ := a.Expr.Value(nil); !v.IsKnown() || v.AsBigFloat().String() != "3" {
		t.Errorf("size = %#v", v)
	}
	if a := call.Block.Attr("name"); a == nil {
		t.Error("input name is missing")
	} else if v, _ := a.Expr.Value(nil); v.IsKnown() {
		t.Errorf("name = %#v, want unknown (get_env)", v)
	}
}
