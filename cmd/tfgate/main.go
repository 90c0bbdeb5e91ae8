// Command tfgate gates Terraform code on production readiness: remote
// state with locking, pinned versions, module layout, secrets, cost tags
// and autoscaling bounds; it reports as text, JSON or SARIF for GitHub
// code scanning.
package main

import (
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"strings"
)

// Exit codes, as tflint and `terraform plan -detailed-exitcode`.
const (
	exitOK       = 0 // nothing at or above --fail-on
	exitError    = 1 // tool error: bad flag, unreadable path, bad config
	exitFindings = 2 // findings (or drift)
)

func main() {
	// TFGATE_CPUPROFILE=FILE writes a CPU profile, for performance work.
	if p := os.Getenv("TFGATE_CPUPROFILE"); p != "" {
		if f, err := os.Create(p); err == nil {
			pprof.StartCPUProfile(f)
			code := safeRun(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
			pprof.StopCPUProfile()
			f.Close()
			os.Exit(code)
		}
	}
	os.Exit(safeRun(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

const usage = `tfgate gates Terraform code on production readiness.

Usage:
  tfgate <command> [flags] [arguments]

Commands:
  drift     detect infrastructure changed outside Terraform (refresh-only plans; exit 2 on drift)
  lint      check Terraform modules (the default: "tfgate ." is "tfgate lint .")
  modules   show what every directory is (root, reusable, demo, wrapped…) and the evidence
  plan      check a plan (terraform show -json, or a binary planfile) on its real values
  rules     list the rules with their family, severity and docs
  version   print the version and commit (release stamp, else what the go command recorded)

Run "tfgate help <command>" (or "tfgate <command> --help") for a command's
flags and examples. "tfgate --chdir DIR <command>" runs as if started in DIR.

Exit codes: 0 nothing at or above --fail-on, 2 findings, 1 tool error.
Docs: https://github.com/tfgate/tfgate
`

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	// tfgate --chdir DIR <command> …, as terraform -chdir=DIR (also after
	// the command, as a flag of lint, plan and drift).
	for len(args) > 0 && (args[0] == "--chdir" || args[0] == "-chdir" || args[0] == "-C" || strings.HasPrefix(args[0], "--chdir=") || strings.HasPrefix(args[0], "-chdir=")) {
		dir, ok := strings.CutPrefix(strings.TrimPrefix(args[0], "-"), "-chdir=")
		if !ok {
			dir, ok = strings.CutPrefix(args[0], "-chdir=")
		}
		if !ok {
			if len(args) < 2 {
				fmt.Fprintln(stderr, "tfgate: --chdir needs a DIR")
				return exitError
			}
			dir, args = args[1], args[1:]
		}
		if err := chdir(dir); err != nil {
			fmt.Fprintf(stderr, "tfgate: %v\n", err)
			return exitError
		}
		args = args[1:]
	}
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitError
	}
	switch args[0] {
	case "drift":
		return runDrift(args[1:], stdout, stderr)
	case "lint":
		return runLint(args[1:], stdin, stdout, stderr)
	case "modules":
		return runModules(args[1:], stdout, stderr)
	case "plan":
		return runPlan(args[1:], stdin, stdout, stderr)
	case "rules":
		return runRules(args[1:], stdout, stderr)
	case "version", "--version":
		fmt.Fprintln(stdout, buildStamp())
		return exitOK
	case "help", "-h", "--help":
		if len(args) > 1 && args[0] == "help" {
			// tfgate help CMD is tfgate CMD --help.
			switch args[1] {
			case "drift", "lint", "plan", "rules":
				return run([]string{args[1], "--help"}, stdin, stdout, stderr)
			case "version", "help":
				fmt.Fprint(stdout, usage)
				return exitOK
			}
			return unknownCommand(args[1], stderr)
		}
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	if strings.HasPrefix(args[0], "-") || looksLikePath(args[0]) {
		return runLint(args, stdin, stdout, stderr)
	}
	return unknownCommand(args[0], stderr)
}

func unknownCommand(name string, stderr io.Writer) int {
	msg := fmt.Sprintf("tfgate: unknown command %q", name)
	if s := suggestCommand(name); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	fmt.Fprintf(stderr, "%s\n\n%s", msg, usage)
	return exitError
}

func looksLikePath(s string) bool {
	if s == "." || s == ".." || strings.ContainsAny(s, "/\\") {
		return true
	}
	_, err := os.Stat(s)
	return err == nil
}
