package model

import (
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// backendOf parses `backend "TYPE" { BODY }` (or a cloud block) as the
// backend of a module.
func backendOf(t *testing.T, src string) *Backend {
	t.Helper()
	// One line per setting: "a = 1 ; b = 2" in the table.
	src = strings.NewReplacer(" ; ", "\n", "{ ", "{\n", " }", "\n}").Replace(src)
	f, diags := hclsyntax.ParseConfig([]byte(src), "backend.tf", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	m := &Module{Dir: "."}
	file := &File{Path: "backend.tf", HCL: f, Module: m}
	hb := f.Body.(*hclsyntax.Body).Blocks[0].AsHCLBlock()
	m.Backends = []*Block{NewBlock(hb, file, m, nil)}
	return m.BackendCandidates(nil)[0]
}

// TestStateLocation checks each backend's state paths against the way
// Terraform's backends compute them (internal/backend/remote-state/*).
func TestStateLocation(t *testing.T) {
	for _, c := range []struct {
		src        string
		ok         bool
		def        string // "" with noDefault
		noDefault  bool
		named      string // path of workspace "prod"; "" when the backend has one workspace
		defaultStr string // DefaultString()
	}{
		// S3: key for the default workspace, workspace_key_prefix/W/key for W.
		{src: `backend "s3" { bucket = "b" ; key = "app.tfstate" }`, ok: true, def: "app.tfstate", named: "env:/prod/app.tfstate", defaultStr: `bucket "b", key "app.tfstate"`},
		{src: `backend "s3" { bucket = "b" ; key = "a/app.tfstate" ; workspace_key_prefix = "team" }`, ok: true, def: "a/app.tfstate", named: "team/prod/a/app.tfstate", defaultStr: `bucket "b", key "a/app.tfstate"`},
		{src: `backend "s3" { bucket = "b" ; key = "k" ; workspace_key_prefix = "" }`, ok: true, def: "k", named: "prod/k"},
		{src: `backend "s3" { bucket = "b" }`, ok: false},
		{src: `backend "s3" { bucket = "b" ; key = var.key }`, ok: false},
		// GCS: prefix/W.tfstate, the default workspace included.
		{src: `backend "gcs" { bucket = "b" ; prefix = "net" }`, ok: true, def: "net/default.tfstate", named: "net/prod.tfstate"},
		{src: `backend "gcs" { bucket = "b" }`, ok: true, def: "default.tfstate", named: "prod.tfstate"},
		// azurerm: key, key + "env:" + W.
		{src: `backend "azurerm" { storage_account_name = "s" ; container_name = "c" ; key = "app.tfstate" }`, ok: true, def: "app.tfstate", named: "app.tfstateenv:prod"},
		// consul: path, path + "-env:" + W.
		{src: `backend "consul" { address = "c:8500" ; path = "tf/app" }`, ok: true, def: "tf/app", named: "tf/app-env:prod"},
		// OSS and COS: prefix/key, prefix/W/key.
		{src: `backend "oss" { bucket = "b" }`, ok: true, def: "env:/terraform.tfstate", named: "env:/prod/terraform.tfstate"},
		{src: `backend "cos" { bucket = "b" ; prefix = "p" ; key = "k" }`, ok: true, def: "p/k", named: "p/prod/k"},
		// remote and cloud: one workspace by name; by prefix, no default.
		{src: `backend "remote" { organization = "o" ; workspaces { name = "app" } }`, ok: true, def: "app"},
		{src: `backend "remote" { organization = "o" ; workspaces { prefix = "app-" } }`, ok: true, noDefault: true, named: "app-prod"},
		{src: `backend "remote" { organization = "o" }`, ok: false},
		{src: `cloud { organization = "o" ; workspaces { name = "app" } }`, ok: true, def: "app"},
		{src: `cloud { organization = "o" ; workspaces { tags = ["app"] } }`, ok: false},
		{src: `backend "http" { address = "https://state.example.com/app" }`, ok: true, def: "https://state.example.com/app"},
		{src: `backend "local" { path = "x.tfstate" }`, ok: false},
	} {
		loc, ok := backendOf(t, c.src).StateLocation()
		if ok != c.ok {
			t.Errorf("%s: ok = %v, want %v", c.src, ok, c.ok)
			continue
		}
		if !ok {
			continue
		}
		if loc.HasDefault == c.noDefault || loc.HasDefault && loc.Default != c.def {
			t.Errorf("%s: default %q (%v), want %q (%v)", c.src, loc.Default, loc.HasDefault, c.def, !c.noDefault)
		}
		switch {
		case c.named == "" && loc.Named != nil:
			t.Errorf("%s: named workspaces at %q, want none", c.src, loc.Named.path("prod"))
		case c.named != "" && (loc.Named == nil || loc.Named.path("prod") != c.named):
			t.Errorf("%s: workspace prod at %v, want %q", c.src, loc.Named, c.named)
		}
		if c.defaultStr != "" && loc.DefaultString() != c.defaultStr {
			t.Errorf("%s: DefaultString() = %q, want %q", c.src, loc.DefaultString(), c.defaultStr)
		}
	}
}

func TestWorkspacePathMatch(t *testing.T) {
	p := &WorkspacePath{Prefix: "env:/", Suffix: "/app.tfstate"}
	for s, want := range map[string]string{
		"env:/prod/app.tfstate":    "prod",
		"env:/default/app.tfstate": "", // "default" is not a named workspace
		"env:/a/b/app.tfstate":     "", // no "/" in workspace names
		"env://app.tfstate":        "",
		"app.tfstate":              "",
	} {
		got, ok := p.Match(s)
		if got != want || ok != (want != "") {
			t.Errorf("Match(%q) = %q, %v; want %q", s, got, ok, want)
		}
	}
}
