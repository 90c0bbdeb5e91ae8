package report

import (
	"strings"

	"github.com/tfgate/tfgate/analyzer/secrets"
)

// CommandLine is the command line written into reports (SARIF
// invocations[0].commandLine) with every value that may be a secret
// replaced by <redacted>:
//
//   - the value of every --var / -var (NAME=<redacted>), in any spelling:
//     `--var x=v`, `--var=x=v`, `-var x=v`, `-var=x=v`;
//   - KEY=VALUE given to --backend-config / -backend-config (a file name is
//     kept);
//   - any other argument, or flag value, that has the shape of a known
//     credential (secrets.LooksLikeCredential) or is NAME=VALUE with a
//     secret-shaped NAME (password=…, token=…).
//
// Arguments are shell-quoted when they need it, so the line can be read
// back.
func CommandLine(prog string, args []string) string {
	out := []string{prog}
	redactNext := "" // the flag whose value comes next
	for _, a := range args {
		switch {
		case redactNext != "":
			out = append(out, redactValue(redactNext, a))
			redactNext = ""
			continue
		case a == "--":
			out = append(out, a)
			continue
		}
		name, val, hasVal := strings.Cut(a, "=")
		if strings.HasPrefix(a, "-") && valueFlag(name) {
			if hasVal {
				out = append(out, quote(name+"="+redactValue(name, val)))
			} else {
				out = append(out, a)
				redactNext = name
			}
			continue
		}
		out = append(out, quote(redactArg(a)))
	}
	return strings.Join(out, " ")
}

// valueFlag: flags whose values are always treated as secrets.
func valueFlag(name string) bool {
	switch strings.TrimLeft(name, "-") {
	case "var", "backend-config":
		return true
	}
	return false
}

func redactValue(flag, v string) string {
	k, _, ok := strings.Cut(v, "=")
	switch strings.TrimLeft(flag, "-") {
	case "var":
		if ok {
			return quote(k + "=" + redacted)
		}
		return redacted
	case "backend-config":
		if ok {
			return quote(k + "=" + redacted)
		}
	}
	return quote(redactArg(v))
}

// redactArg hides an argument that looks like a credential, or the value of
// a NAME=VALUE argument whose name says secret.
func redactArg(a string) string {
	if _, ok := secrets.LooksLikeCredential(a); ok {
		return redacted
	}
	name, val, ok := strings.Cut(strings.TrimLeft(a, "-"), "=")
	if ok && val != "" {
		if _, cred := secrets.LooksLikeCredential(val); cred || secrets.SecretName(name) {
			return a[:len(a)-len(val)] + redacted
		}
	}
	return a
}

// quote shell-quotes an argument with characters the shell would split or
// expand.
func quote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\n'\"\\$`*?[]{}()<>|&;!#~") {
		return s
	}
	if s == redacted || strings.HasSuffix(s, "="+redacted) && !strings.ContainsAny(strings.TrimSuffix(s, redacted), " \t\n'\"\\$`*?[]{}()|&;!#~") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
