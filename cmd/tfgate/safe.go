package main

import (
	"fmt"
	"io"
	"runtime/debug"
)

// safeRun is run, with a crash turned into a tool error: exit code 1 and
// the stack on stderr, never Go's exit code 2, which means "findings".
// (Goroutines of the analysis recover on their own: see analyzer.RunRules,
// load's parse workers and eval.Instantiate.)
func safeRun(args []string, stdin io.Reader, stdout, stderr io.Writer) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "tfgate: internal error: %v\nPlease report it with this trace:\n%s", r, debug.Stack())
			code = exitError
		}
	}()
	return run(args, stdin, stdout, stderr)
}
