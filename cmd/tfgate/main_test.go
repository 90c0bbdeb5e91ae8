package main

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

var update = flag.Bool("u", false, "update testscript golden outputs (cmp stdout/stderr files) in fixtures/script")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"tfgate": func() { os.Exit(safeRun(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs the CLI scenarios in fixtures/script: one behaviour per
// txtar file, holding the inputs, the command, the expected output and the
// exit code.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "../../fixtures/script",
		UpdateScripts:       *update,
		RequireExplicitExec: true,
		Cmds:                scriptCmds,
		Setup: func(env *testscript.Env) error {
			env.Setenv("NO_COLOR", "1")
			// The repository's fixtures, for scenarios that read them in
			// place (fixtures/example).
			fixtures, err := filepath.Abs("../../fixtures")
			if err != nil {
				return err
			}
			env.Setenv("FIXTURES", fixtures)
			return nil
		},
	})
}
