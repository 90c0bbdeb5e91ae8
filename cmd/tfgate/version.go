package main

import (
	"fmt"
	"regexp"
	"runtime/debug"
	"strings"
)

// Set by the release build (-ldflags "-X main.version=… -X main.commit=… -X main.date=…").
var (
	version = "dev"
	commit  = "none"
	date    = "unknown"
)

// stamp is what tfgate knows about its own build.
type stamp struct {
	version  string // "0.1.0" (ldflags), "v0.1.0" or a pseudo-version (go install / go build), else "dev"
	commit   string // full or 12-character revision; "" when unknown
	modified bool   // built from a working tree with uncommitted changes
	date     string // build date (ldflags) or commit time (VCS stamp); "" when unknown
	fromVCS  bool   // date is the commit time recorded by the go command
}

// buildStamp reads the release build's ldflags and, when they are absent
// (go install, go build, the pre-commit hook, a Dockerfile build), the
// module version and VCS stamp the go command records in the binary.
func buildStamp() stamp {
	if version != "dev" {
		return stamp{version: version, commit: orEmpty(commit, "none"), date: orEmpty(date, "unknown")}
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return stamp{version: "dev"}
	}
	return stampOf(bi)
}

func orEmpty(s, unset string) string {
	if s == unset {
		return ""
	}
	return s
}

// pseudoVersion matches a Go pseudo-version's timestamp and revision
// (v0.0.0-20261201120000-0123456789ab, v1.2.4-0.20261201120000-0123456789ab,
// v1.2.3-pre.0.20261201120000-0123456789ab), with an optional +dirty.
var pseudoVersion = regexp.MustCompile(`[-.](\d{14})-([0-9a-f]{12})(\+dirty)?$`)

// stampOf reads a binary's build information:
//
//   - Main.Version is the module version: the tag or pseudo-version given
//     to `go install MODULE@VERSION`, or, since Go 1.24, the one `go build`
//     derives from the checkout's tags ("+dirty" when modified); "(devel)"
//     when unknown.
//   - vcs.revision, vcs.time and vcs.modified are set by `go build` and
//     `go install` inside a Git checkout (-buildvcs, on by default); a
//     module downloaded by `go install MODULE@VERSION` has none, but a
//     pseudo-version names its commit and time.
func stampOf(bi *debug.BuildInfo) stamp {
	s := stamp{version: "dev"}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		s.version = v
	}
	for _, kv := range bi.Settings {
		switch kv.Key {
		case "vcs.revision":
			s.commit = kv.Value
		case "vcs.time":
			s.date, s.fromVCS = kv.Value, true
		case "vcs.modified":
			s.modified = kv.Value == "true"
		}
	}
	if m := pseudoVersion.FindStringSubmatch(s.version); m != nil {
		if s.commit == "" {
			s.commit = m[2]
		}
		if s.date == "" {
			t := m[1]
			s.date, s.fromVCS = fmt.Sprintf("%s-%s-%sT%s:%s:%sZ", t[0:4], t[4:6], t[6:8], t[8:10], t[10:12], t[12:14]), true
		}
		s.modified = s.modified || m[3] != ""
	}
	return s
}

// String is the line `tfgate version` prints:
//
//	tfgate 0.1.0 (commit 0123…, built 2026-12-01T12:00:00Z)              release (ldflags)
//	tfgate v0.0.0-20261201120000-0123456789ab (commit 0123456789ab, committed 2026-12-01T12:00:00Z)
//	tfgate v0.1.0 (commit unknown: go install of a tag records none)
//	tfgate dev (commit none, built unknown)                              nothing recorded
func (s stamp) String() string {
	if s.commit == "" && s.date == "" {
		if s.version == "dev" {
			return "tfgate dev (commit none, built unknown)"
		}
		return fmt.Sprintf("tfgate %s (commit unknown: go install of a tag records none)", s.version)
	}
	var parts []string
	c := s.commit
	if c == "" {
		c = "unknown"
	}
	if s.modified && !strings.HasSuffix(s.version, "+dirty") {
		c += ", modified"
	}
	parts = append(parts, "commit "+c)
	switch {
	case s.date == "":
		parts = append(parts, "built unknown")
	case s.fromVCS:
		parts = append(parts, "committed "+s.date)
	default:
		parts = append(parts, "built "+s.date)
	}
	return fmt.Sprintf("tfgate %s (%s)", s.version, strings.Join(parts, ", "))
}
