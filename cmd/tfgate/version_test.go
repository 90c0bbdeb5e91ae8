package main

import (
	"runtime/debug"
	"testing"
)

// TestStampOf reads build information as the go command records it (the
// shapes printed by `go version -m` for each way of building tfgate).
func TestStampOf(t *testing.T) {
	vcs := func(rev, tm, mod string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev}, {Key: "vcs.time", Value: tm}, {Key: "vcs.modified", Value: mod}}
	}
	const rev = "de299315cc6930a91e357e8ee5f4176ecb29b0a2"
	for _, tc := range []struct {
		name     string
		version  string
		settings []debug.BuildSetting
		want     string
	}{
		{"go build in a checkout (Go 1.24+)", "v0.0.0-20261126015514-de299315cc69", vcs(rev, "2026-11-26T01:55:14Z", "false"),
			"tfgate v0.0.0-20261126015514-de299315cc69 (commit " + rev + ", committed 2026-11-26T01:55:14Z)"},
		{"go build of a modified checkout", "v0.0.0-20261126015514-de299315cc69+dirty", vcs(rev, "2026-11-26T01:55:14Z", "true"),
			"tfgate v0.0.0-20261126015514-de299315cc69+dirty (commit " + rev + ", committed 2026-11-26T01:55:14Z)"},
		{"go build on a tag", "v0.2.0", vcs(rev, "2026-11-26T01:55:14Z", "false"),
			"tfgate v0.2.0 (commit " + rev + ", committed 2026-11-26T01:55:14Z)"},
		{"go install MODULE@COMMIT", "v0.0.0-20261126015514-de299315cc69", nil,
			"tfgate v0.0.0-20261126015514-de299315cc69 (commit de299315cc69, committed 2026-11-26T01:55:14Z)"},
		{"go install MODULE@COMMIT after a tag", "v0.2.1-0.20261126015514-de299315cc69", nil,
			"tfgate v0.2.1-0.20261126015514-de299315cc69 (commit de299315cc69, committed 2026-11-26T01:55:14Z)"},
		{"go install MODULE@TAG", "v0.2.0", nil, "tfgate v0.2.0 (commit unknown: go install of a tag records none)"},
		{"older go build without a version", "(devel)", vcs(rev, "2026-11-26T01:55:14Z", "true"),
			"tfgate dev (commit " + rev + ", modified, committed 2026-11-26T01:55:14Z)"},
		{"nothing recorded (go test, -buildvcs=false)", "(devel)", nil, "tfgate dev (commit none, built unknown)"},
	} {
		bi := &debug.BuildInfo{Main: debug.Module{Path: "github.com/tfgate/tfgate", Version: tc.version}, Settings: tc.settings}
		if got := stampOf(bi).String(); got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, got, tc.want)
		}
	}
}

// TestStampLdflags: a release build's ldflags win over build information.
func TestStampLdflags(t *testing.T) {
	defer func(v, c, d string) { version, commit, date = v, c, d }(version, commit, date)
	version, commit, date = "0.3.0", "de299315cc6930a91e357e8ee5f4176ecb29b0a2", "2026-11-26T02:00:00Z"
	want := "tfgate 0.3.0 (commit de299315cc6930a91e357e8ee5f4176ecb29b0a2, built 2026-11-26T02:00:00Z)"
	if got := buildStamp().String(); got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}
