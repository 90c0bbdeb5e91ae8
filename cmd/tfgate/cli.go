package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strings"

	"github.com/spf13/pflag"

	"github.com/tfgate/tfgate/analyzer"
)

// The manners every command shares: help on stdout (so that
// `tfgate lint --help | less` works) and exit 0; a bad flag on stderr with
// the closest flag ("did you mean --format?"), the hint to --help and
// exit 1.

// parseFlags parses a command's flags. done reports that the command is
// over (help was printed, or the flags were bad), with code its exit code.
func parseFlags(cmd string, fs *pflag.FlagSet, args []string, stdout, stderr io.Writer) (done bool, code int) {
	fs.SetOutput(stdout) // pflag writes only the help there (ContinueOnError)
	if name := singleDashLong(fs, args); name != "" {
		fmt.Fprintf(stderr, "tfgate %s: -%s: long flags take two dashes (did you mean --%s?)\nRun \"tfgate %s --help\" for usage.\n", cmd, name, name, cmd)
		return true, exitError
	}
	err := fs.Parse(args)
	if err == nil {
		return false, exitOK
	}
	if errors.Is(err, pflag.ErrHelp) {
		return true, exitOK
	}
	msg := err.Error()
	if s := suggestFlag(fs, err); s != "" {
		msg += fmt.Sprintf(" (did you mean %s?)", s)
	}
	fmt.Fprintf(stderr, "tfgate %s: %s\nRun \"tfgate %s --help\" for usage.\n", cmd, msg, cmd)
	return true, exitError
}

var (
	unknownLong  = regexp.MustCompile(`^unknown flag: --([^= ]+)`)
	unknownShort = regexp.MustCompile(`^unknown shorthand flag: '(.)' in -(\S+)`)
)

// suggestFlag names the flag closest to an unknown one: a typo
// (--formt), a single dash for a long flag (-format, as terraform spells
// them), or --no-colour.
func suggestFlag(fs *pflag.FlagSet, err error) string {
	var typed string
	if m := unknownLong.FindStringSubmatch(err.Error()); m != nil {
		typed = m[1]
	} else if m := unknownShort.FindStringSubmatch(err.Error()); m != nil {
		typed, _, _ = strings.Cut(m[2], "=")
		if len(typed) < 2 {
			return ""
		}
	} else {
		return ""
	}
	var names []string
	fs.VisitAll(func(f *pflag.Flag) {
		if !f.Hidden {
			names = append(names, f.Name)
		}
	})
	sort.Strings(names)
	if fs.Lookup(typed) != nil && !fs.Lookup(typed).Hidden {
		return "--" + typed // -format: one dash too few
	}
	if s := analyzer.Suggest(typed, names); s != "" {
		return "--" + s
	}
	return ""
}

// suggestCommand names the command closest to an unknown one.
func suggestCommand(name string) string {
	return analyzer.Suggest(name, []string{"drift", "help", "lint", "plan", "rules", "version"})
}

// colorFlags are --color WHEN and --no-color, shared by lint, plan and
// drift.
type colorFlags struct {
	color   string
	noColor bool
}

func (c *colorFlags) add(fs *pflag.FlagSet) {
	fs.StringVar(&c.color, "color", "auto", "colour text output: `WHEN` is auto (on a terminal, unless $NO_COLOR is set), always or never")
	fs.BoolVar(&c.noColor, "no-color", false, "no colour, the same as --color never")
}

// mode validates --color and resolves --no-color.
func (c *colorFlags) mode() (string, error) {
	switch c.color {
	case "auto", "always", "never":
	default:
		msg := fmt.Sprintf("--color %q: want auto, always or never", c.color)
		if s := analyzer.Suggest(c.color, []string{"auto", "always", "never"}); s != "" {
			msg += fmt.Sprintf(" (did you mean %s?)", s)
		}
		return "", errors.New(msg)
	}
	if c.noColor {
		return "never", nil
	}
	return c.color, nil
}

// useColor decides whether text on w is coloured: always, never, or (auto)
// on a terminal when $NO_COLOR is unset or empty (no-color.org) and TERM
// is not dumb.
func useColor(mode string, w io.Writer) bool {
	switch mode {
	case "always":
		return true
	case "never":
		return false
	}
	if os.Getenv("NO_COLOR") != "" {
		return false
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0 && os.Getenv("TERM") != "dumb"
}

// chdir applies --chdir DIR (as terraform -chdir and tflint --chdir): the
// command runs as if started in DIR, so paths on the command line and in
// the reports are relative to it.
func chdir(dir string) error {
	if dir == "" {
		return nil
	}
	if err := os.Chdir(dir); err != nil {
		return fmt.Errorf("--chdir %s: %w", dir, errors.Unwrap(err))
	}
	return nil
}

// printFlags prints a command's flags as pflag does, without the
// "[=true|false]" it appends to every boolean flag (they are switches:
// --strict, --no-color).
func printFlags(fs *pflag.FlagSet) {
	fmt.Fprint(fs.Output(), strings.ReplaceAll(fs.FlagUsages(), "[=true|false]", strings.Repeat(" ", len("[=true|false]"))))
}

// singleDashLong finds a long flag given with one dash (-format json, as
// terraform spells its flags): pflag would read it as -f ormat.
func singleDashLong(fs *pflag.FlagSet, args []string) string {
	for _, a := range args {
		if a == "--" {
			return ""
		}
		if !strings.HasPrefix(a, "-") || strings.HasPrefix(a, "--") || len(a) < 3 {
			continue
		}
		name, _, _ := strings.Cut(a[1:], "=")
		if f := fs.Lookup(name); f != nil && !f.Hidden {
			return name
		}
	}
	return ""
}
