// Command dockerfile-check checks tfgate's Dockerfile without a Docker
// daemon, with BuildKit's own Dockerfile frontend (the code `docker build`
// runs):
//
//   - the lint rules of `docker build --check` (dockerfile2llb.DockerfileLint,
//     every stage), with base images resolved offline to an empty config;
//   - the build that the file must describe: a static tfgate binary
//     compiled from this repository (CGO_ENABLED=0, -trimpath, ./cmd/tfgate)
//     or taken from GoReleaser's context (TFGATE_BINARY=context), OpenTofu
//     optional through OPENTOFU_VERSION with its checksum verified, and a
//     final stage that runs tfgate as a non-root user.
//
// Usage: go run . ../../Dockerfile (from .ci/integrations.sh).
package main

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/frontend/dockerfile/dockerfile2llb"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerui"
	digest "github.com/opencontainers/go-digest"
)

// offline resolves every base image to an empty image config.
type offline struct{}

func (offline) ResolveImageConfig(_ context.Context, ref string, _ sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	return ref, digest.FromString(ref), []byte(`{"architecture":"amd64","os":"linux","config":{}}`), nil
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: dockerfile-check DOCKERFILE")
		os.Exit(2)
	}
	name := os.Args[1]
	dt, err := os.ReadFile(name)
	if err != nil {
		fail("%v", err)
	}
	var problems []string
	seen := map[string]bool{}
	bad := func(format string, a ...any) {
		if p := fmt.Sprintf(format, a...); !seen[p] {
			seen[p] = true
			problems = append(problems, p)
		}
	}

	// 1. docker build --check, for each value of the build arguments that
	// choose stages.
	for _, args := range []map[string]string{
		{},
		{"OPENTOFU_VERSION": "1.10.7"},
		{"TFGATE_BINARY": "context", "VERSION": "0.1.0", "COMMIT": "0123456789abcdef0123456789abcdef01234567", "DATE": "2026-12-01T00:00:00Z"},
	} {
		res, err := dockerfile2llb.DockerfileLint(context.Background(), dt, dockerfile2llb.ConvertOpt{
			MetaResolver: offline{},
			SourceMap:    sourceMap(name, dt),
			Config:       dockerui.Config{BuildArgs: args},
		})
		if err != nil {
			fail("%s: lint: %v", name, err)
		}
		if res.Error != nil {
			bad("build args %v: %s", args, res.Error.Message)
		}
		for _, w := range res.Warnings {
			line := 0
			if len(w.Location.Ranges) > 0 {
				line = int(w.Location.Ranges[0].Start.Line)
			}
			bad("%s:%d: %s: %s (%s)", name, line, w.RuleName, w.Detail, w.URL)
		}
	}

	// 2. What the image must be.
	ast, err := parser.Parse(strings.NewReader(string(dt)))
	if err != nil {
		fail("%s: %v", name, err)
	}
	stages, metaArgs, err := instructions.Parse(ast.AST, nil)
	if err != nil {
		fail("%s: %v", name, err)
	}
	global := map[string]string{}
	for _, a := range metaArgs {
		for _, kv := range a.Args {
			v := ""
			if kv.Value != nil {
				v = *kv.Value
			}
			global[kv.Key] = v
		}
	}
	byName := map[string]*instructions.Stage{}
	for i := range stages {
		if stages[i].Name != "" {
			byName[stages[i].Name] = &stages[i]
		}
	}
	if global["TFGATE_BINARY"] != "source" {
		bad("ARG TFGATE_BINARY must default to source (compile from this repository), not %q", global["TFGATE_BINARY"])
	}
	for _, v := range []string{"source", "context"} {
		if byName["build-"+v] == nil {
			bad("no stage build-%s for TFGATE_BINARY=%s", v, v)
		}
	}
	if s := byName["build-source"]; s != nil {
		text := runText(s)
		for _, want := range []string{`CGO_ENABLED=0`, `-trimpath`, `./cmd/tfgate`, `-o /out/tfgate`, `-buildvcs=auto`, `main.version=`} {
			if !strings.Contains(text, want) {
				bad("stage build-source: the go build does not have %s", want)
			}
		}
	}
	if s := byName["build-context"]; s != nil && !copies(s, "$TARGETPLATFORM/tfgate", "/out/tfgate") {
		bad("stage build-context does not copy GoReleaser's $TARGETPLATFORM/tfgate to /out/tfgate")
	}
	if s := byName["opentofu"]; s == nil {
		bad("no opentofu stage")
	} else {
		text := runText(s)
		if !hasArg(s, "OPENTOFU_VERSION", "") {
			bad("stage opentofu: ARG OPENTOFU_VERSION must default to empty (OpenTofu optional)")
		}
		if !strings.Contains(text, "sha256sum -c") || !strings.Contains(text, "SHA256SUMS") {
			bad("stage opentofu: the download is not checked against the release's SHA256SUMS")
		}
	}
	final := &stages[len(stages)-1]
	if !strings.HasPrefix(final.BaseName, "alpine:") {
		bad("final stage is FROM %s, want alpine", final.BaseName)
	}
	user := ""
	var entry []string
	for _, c := range final.Commands {
		switch c := c.(type) {
		case *instructions.UserCommand:
			user = c.User
		case *instructions.EntrypointCommand:
			if c.PrependShell {
				bad("ENTRYPOINT must be the exec form")
			}
			entry = c.CmdLine
		}
	}
	if !regexp.MustCompile(`^[1-9][0-9]*(:[1-9][0-9]*)?$`).MatchString(user) {
		bad("final stage USER %q: want a numeric non-root UID (runAsNonRoot needs a number)", user)
	}
	if len(entry) != 1 || entry[0] != "/usr/local/bin/tfgate" {
		bad("ENTRYPOINT %q: want [\"/usr/local/bin/tfgate\"]", entry)
	}
	if !copies(final, "/out/tfgate", "/usr/local/bin/tfgate") || !copies(final, "/out/", "/usr/local/bin/") {
		bad("final stage must copy /out/tfgate (tfgate stage) and /out/ (opentofu stage) into /usr/local/bin")
	}
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintln(os.Stderr, p)
		}
		os.Exit(1)
	}
	fmt.Printf("%s: %d stages, docker build --check clean for 3 sets of build args; static build, optional OpenTofu, USER %s, ENTRYPOINT %v\n", name, len(stages), user, entry)
}

// sourceMap is what the frontend is told about the Dockerfile: its name,
// text and a definition (lint results name their source by it).
func sourceMap(name string, dt []byte) *llb.SourceMap {
	st := llb.Local("dockerfile")
	def, err := st.Marshal(context.Background())
	if err != nil {
		fail("%v", err)
	}
	sm := llb.NewSourceMap(&st, name, "Dockerfile", dt)
	sm.Definition = def
	return sm
}

func runText(s *instructions.Stage) string {
	var b strings.Builder
	for _, c := range s.Commands {
		if r, ok := c.(*instructions.RunCommand); ok {
			b.WriteString(strings.Join(r.CmdLine, " "))
			for _, f := range r.Files {
				b.WriteString("\n" + f.Data)
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}

func hasArg(s *instructions.Stage, key, def string) bool {
	for _, c := range s.Commands {
		if a, ok := c.(*instructions.ArgCommand); ok {
			for _, kv := range a.Args {
				v := ""
				if kv.Value != nil {
					v = strings.Trim(*kv.Value, `"'`)
				}
				if kv.Key == key && v == def {
					return true
				}
			}
		}
	}
	return false
}

func copies(s *instructions.Stage, src, dst string) bool {
	for _, c := range s.Commands {
		if cp, ok := c.(*instructions.CopyCommand); ok && cp.DestPath == dst {
			for _, p := range cp.SourcePaths {
				if p == src {
					return true
				}
			}
		}
	}
	return false
}

func fail(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "dockerfile-check: "+format+"\n", a...)
	os.Exit(1)
}
