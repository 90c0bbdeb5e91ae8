package model

import (
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

func TestParseModuleSource(t *testing.T) {
	tests := []struct {
		src       string
		kind      ModuleSourceKind
		pkg, ref  string
		subdir    string
		archive   bool
		versioned bool
	}{
		{src: "./modules/vpc", kind: SourceLocal, pkg: "./modules/vpc"},
		{src: "../vpc", kind: SourceLocal, pkg: "../vpc"},
		{src: "hashicorp/consul/aws", kind: SourceRegistry, pkg: "hashicorp/consul/aws"},
		{src: "hashicorp/consul/aws//modules/consul-cluster", kind: SourceRegistry, pkg: "hashicorp/consul/aws", subdir: "modules/consul-cluster"},
		{src: "app.terraform.io/acme/network/aws", kind: SourceRegistry, pkg: "app.terraform.io/acme/network/aws"},
		{src: "localhost:8443/acme/network/aws", kind: SourceRegistry, pkg: "localhost:8443/acme/network/aws"},
		{src: "github.com/acme/repo", kind: SourceGit, pkg: "github.com/acme/repo"},
		{src: "github.com/acme/repo/modules/x", kind: SourceGit},
		{src: "github.com/acme/repo//modules/x?ref=v1.0.0", kind: SourceGit, ref: "v1.0.0", subdir: "modules/x"},
		{src: "bitbucket.org/acme/repo", kind: SourceGit},
		{src: "git::https://example.com/vpc.git?ref=v1.2.0", kind: SourceGit, ref: "v1.2.0", pkg: "https://example.com/vpc.git"},
		{src: "git::https://example.com/vpc.git//modules/vpc?ref=v1", kind: SourceGit, ref: "v1", subdir: "modules/vpc"},
		{src: "git::https://example.com/vpc.git?ref=v1//modules/vpc", kind: SourceGit, ref: "v1", subdir: "modules/vpc"},
		{src: "git::ssh://git@github.com/acme/repo.git?depth=1&ref=abc1234", kind: SourceGit, ref: "abc1234"},
		{src: "git@github.com:acme/repo.git?ref=main", kind: SourceGit, ref: "main"},
		{src: "git::git@github.com:acme/repo.git//sub?ref=v2", kind: SourceGit, ref: "v2", subdir: "sub"},
		{src: "hg::http://hg.example.com/vpc?rev=default", kind: SourceMercurial, ref: "default"},
		{src: "s3::https://s3-eu-west-1.amazonaws.com/bucket/vpc-1.2.0.zip", kind: SourceS3, archive: true, versioned: true},
		{src: "bucket.s3.amazonaws.com/vpc/vpc.zip", kind: SourceS3, archive: true},
		{src: "gcs::https://www.googleapis.com/storage/v1/bucket/vpc.zip", kind: SourceGCS, archive: true},
		{src: "gcs::https://www.googleapis.com/storage/v1/bucket/vpc/v1.4.0/vpc.zip", kind: SourceGCS, archive: true, versioned: true},
		{src: "https://example.com/vpc-module.zip?archive=zip", kind: SourceHTTP, archive: true},
		{src: "https://example.com/vpc-module.zip?archive=zip&version=3", kind: SourceHTTP, archive: true, versioned: true},
		{src: "https://example.com/modules/vpc", kind: SourceHTTP},
		{src: "https://example.com/builds/vpc-1a2b3c4d.tgz", kind: SourceHTTP, archive: true, versioned: true},
		{src: "/opt/modules/vpc", kind: SourceFile},
		{src: "acme/vpc", kind: SourceUnknown},
	}
	for _, tt := range tests {
		ms := ParseModuleSource(tt.src)
		if ms.Kind != tt.kind {
			t.Errorf("%q: kind %s, want %s", tt.src, ms.Kind, tt.kind)
			continue
		}
		if tt.pkg != "" && ms.Package != tt.pkg {
			t.Errorf("%q: package %q, want %q", tt.src, ms.Package, tt.pkg)
		}
		if ms.Ref() != tt.ref {
			t.Errorf("%q: ref %q, want %q", tt.src, ms.Ref(), tt.ref)
		}
		if ms.Subdir != tt.subdir {
			t.Errorf("%q: subdir %q, want %q", tt.src, ms.Subdir, tt.subdir)
		}
		if tt.kind == SourceHTTP || tt.kind == SourceS3 || tt.kind == SourceGCS {
			if ms.IsArchive() != tt.archive {
				t.Errorf("%q: archive %v, want %v", tt.src, ms.IsArchive(), tt.archive)
			}
			if ms.VersionedPath() != tt.versioned {
				t.Errorf("%q: versioned %v, want %v", tt.src, ms.VersionedPath(), tt.versioned)
			}
		}
	}
}

func TestIsCommitRef(t *testing.T) {
	for ref, want := range map[string]bool{
		"3f2a9c1": true, "8c1f0d3e4b5a69788f2a1b0c9d8e7f6a5b4c3d2e": true,
		"v1.2.0": false, "main": false, "abc12": false,
	} {
		if IsCommitRef(ref) != want {
			t.Errorf("IsCommitRef(%q) = %v", ref, !want)
		}
	}
}

// TestCallSourceIdentity: spellings of one module share an identity, the
// ref or version is kept apart, and local sources are known by the
// directory they reach.
func TestCallSourceIdentity(t *testing.T) {
	caller := &Module{Dir: "envs/prod"}
	call := func(src, version string) *ModuleCall {
		body := "source = \"" + src + "\"\n"
		if version != "" {
			body += "version = \"" + version + "\"\n"
		}
		f, diags := hclsyntax.ParseConfig([]byte("module \"x\" {\n"+body+"}\n"), "main.tf", hcl.Pos{Line: 1, Column: 1})
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		hb := f.Body.(*hclsyntax.Body).Blocks[0].AsHCLBlock()
		return &ModuleCall{Block: NewBlock(hb, nil, caller, nil), Name: "x", Source: src, Version: version}
	}
	same := []string{
		"git::https://github.com/acme/vpc.git?ref=v1.2.0",
		"github.com/acme/vpc?ref=v1.3.0",
		"git::ssh://git@github.com/acme/vpc.git?ref=main&depth=1",
	}
	var first CallSource
	for i, src := range same {
		s, ok := call(src, "").CallSource()
		if !ok || !s.VCS() {
			t.Fatalf("%s: %+v, %v", src, s, ok)
		}
		if i == 0 {
			first = s
		} else if s.Identity != first.Identity {
			t.Errorf("%s: identity %q, want %q", src, s.Identity, first.Identity)
		}
	}
	if first.Version != "v1.2.0" || first.Display != "git::https://github.com/acme/vpc.git" {
		t.Errorf("version %q, display %q", first.Version, first.Display)
	}
	reg, _ := call("terraform-aws-modules/vpc/aws", "~> 5.0").CallSource()
	if reg.Identity != "registry:registry.terraform.io/terraform-aws-modules/vpc/aws" || reg.Version != "~> 5.0" {
		t.Errorf("registry: %+v", reg)
	}
	if loc, _ := call("../../modules/net", "").CallSource(); loc.Identity != "local:modules/net" || loc.Display != "modules/net" {
		t.Errorf("local: %+v", loc)
	}
	if _, ok := call("", "").CallSource(); ok {
		t.Error("an empty source has no identity")
	}
}
