package main

// Checks that keep the integration files in step with the tool: the option
// tables of docs/configuration.md (generated from the rule definitions and
// the flag sets) and the file patterns of .pre-commit-hooks.yaml (against
// analyzer.KindOf). The integrations themselves run with the real tools in
// .ci/integrations.sh.

import (
	"fmt"
	goversion "go/version"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/pflag"
	"github.com/zclconf/go-cty/cty"

	"github.com/tfgate/tfgate/analyzer"
	"github.com/tfgate/tfgate/analyzer/load"
	"github.com/tfgate/tfgate/analyzer/model"
	"github.com/tfgate/tfgate/rules"
)

const configurationDoc = "../../docs/configuration.md"

// TestConfigurationDocUpToDate fails when a generated section of
// docs/configuration.md differs from what the code says; -u rewrites them:
//
//	go test ./cmd/tfgate -run TestConfigurationDocUpToDate -u
func TestConfigurationDocUpToDate(t *testing.T) {
	src, err := os.ReadFile(configurationDoc)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(src)
	sections := map[string]string{
		"rule-options": ruleOptionsMarkdown(rules.All()),
		"lint-flags":   flagsMarkdown(lintFlagSet()),
		"drift-flags":  flagsMarkdown(driftFlagSet()),
	}
	updated := doc
	for name, body := range sections {
		begin := fmt.Sprintf("<!-- BEGIN GENERATED %s: go test ./cmd/tfgate -run TestConfigurationDocUpToDate -u -->\n", name)
		end := fmt.Sprintf("<!-- END GENERATED %s -->", name)
		i := strings.Index(updated, begin)
		j := strings.Index(updated, end)
		if i < 0 || j < i {
			t.Fatalf("%s: no %q ... %q markers", configurationDoc, strings.TrimSpace(begin), end)
		}
		updated = updated[:i+len(begin)] + body + updated[j:]
	}
	if updated == doc {
		return
	}
	if *update {
		if err := os.WriteFile(configurationDoc, []byte(updated), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("%s is stale: run go test ./cmd/tfgate -run TestConfigurationDocUpToDate -u", configurationDoc)
}

func lintFlagSet() *pflag.FlagSet {
	fs, _ := newLintFlags(io.Discard)
	return fs
}

func driftFlagSet() *pflag.FlagSet {
	fs, _ := newDriftFlags(io.Discard)
	return fs
}

// mdCell makes text safe for one Markdown table cell.
func mdCell(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	return strings.ReplaceAll(s, "|", `\|`)
}

func ruleOptionsMarkdown(all []*analyzer.Rule) string {
	var b strings.Builder
	b.WriteString("\n| Rule | Family | Default severity | Options besides `enabled` and `severity` |\n|---|---|---|---|\n")
	for _, r := range all {
		var opts []string
		for _, o := range r.Options {
			opts = append(opts, fmt.Sprintf("[`%s`](#%s)", o.Name, r.ID))
		}
		list := strings.Join(opts, ", ")
		if list == "" {
			list = "none"
		}
		fmt.Fprintf(&b, "| [`%s`](rules/%s.md) | %s | %s | %s |\n", r.ID, r.ID, r.Family, r.Severity, list)
	}
	for _, r := range all {
		if len(r.Options) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n### %s\n\n%s ([rule docs](rules/%s.md)). Defaults in `.tfgate.hcl` syntax:\n\n```hcl\nrule %q {\n", r.ID, r.Doc.Title, r.ID, r.ID)
		width := 0
		for _, o := range r.Options {
			width = max(width, len(o.Name))
		}
		for _, o := range r.Options {
			v := model.DisplayValue(o.Default)
			if o.Default == cty.NilVal || o.Default.IsNull() {
				fmt.Fprintf(&b, "  # %-*s = (unset)\n", width, o.Name)
				continue
			}
			fmt.Fprintf(&b, "  %-*s = %s\n", width, o.Name, v)
		}
		b.WriteString("}\n```\n\n| Option | Type | Meaning |\n|---|---|---|\n")
		for _, o := range r.Options {
			fmt.Fprintf(&b, "| `%s` | %s | %s |\n", o.Name, o.Type.FriendlyName(), mdCell(o.Doc))
		}
	}
	b.WriteString("\n")
	return b.String()
}

// flagArgs names the argument of a flag in the tables; other flags get
// their name in capitals.
var flagArgs = map[string]string{
	"config": "FILE", "output": "FILE", "baseline": "FILE", "write-baseline": "FILE",
	"var-file": "FILE", "backend-config": "FILE", "summary": "FILE",
	"format": "FORMAT[=FILE]", "var": "NAME=VALUE", "fail-on": "SEVERITY",
	"enable-rule": "RULE[,RULE]", "disable-rule": "RULE[,RULE]", "only-family": "FAMILY[,FAMILY]",
	"category": "ID", "color": "WHEN", "plan": "PLAN", "terraform-bin": "PATH", "workspace": "NAME",
	"lock-timeout": "DURATION", "timeout": "DURATION", "grace": "DURATION", "parallel": "N",
	"shard": "K/N", "shard-index": "I/N",
}

func flagsMarkdown(fs *pflag.FlagSet) string {
	var b strings.Builder
	b.WriteString("\n| Flag | Default | Meaning |\n|---|---|---|\n")
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		name := "--" + f.Name
		if f.Value.Type() != "bool" {
			arg := flagArgs[f.Name]
			if strings.Contains(f.Usage, "`") {
				arg, _ = pflag.UnquoteUsage(f) // the help's own name for it
			}
			if arg == "" {
				arg = strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
			}
			name += " " + arg
		}
		name = "`" + name + "`"
		if f.Shorthand != "" {
			name = "`-" + f.Shorthand + "`, " + name
		}
		if t := f.Value.Type(); (t == "stringArray" || t == "stringSlice") && !strings.Contains(f.Usage, "repeat") {
			name += " (repeatable)"
		}
		def := f.DefValue
		switch def {
		case "", "[]", "false", "0":
			def = ""
		default:
			def = "`" + def + "`"
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", name, def, mdCell(f.Usage))
	})
	b.WriteString("\n")
	return b.String()
}

// TestPreCommitHookFiles checks the `files` and `exclude` patterns of
// .pre-commit-hooks.yaml against the files tfgate reads (analyzer.KindOf)
// and the directories it skips. pre-commit matches them with Python's re
// (search, not full match) on slash paths from the repository root; these
// patterns mean the same in Go's regexp.
func TestPreCommitHookFiles(t *testing.T) {
	src, err := os.ReadFile("../../.pre-commit-hooks.yaml")
	if err != nil {
		t.Fatal(err)
	}
	get := func(key string) []*regexp.Regexp {
		var out []*regexp.Regexp
		for _, m := range regexp.MustCompile(`(?m)^  `+key+`: (.+)$`).FindAllStringSubmatch(string(src), -1) {
			out = append(out, regexp.MustCompile(m[1]))
		}
		if len(out) == 0 {
			t.Fatalf("no %s: lines in .pre-commit-hooks.yaml", key)
		}
		return out
	}
	files, excludes := get("files"), get("exclude")
	paths := []string{
		"main.tf", "envs/prod/main.tf", "m/x.tf.json", "envs/prod/prod.tfvars", "a/b.tfvars.json",
		"backends/prod.tfbackend", "envs/prod/.terraform.lock.hcl", ".terraform.lock.hcl",
		"README.md", "main.tf.bak", "x.hcl", ".tfgate.hcl", "terraform.lock.hcl", "a/x.terraform.lock.hcl",
		"main.tftpl", "x.tfstate", "x.tfvars.example", "go.mod",
		"main.tofu", "envs/prod/main.tofu.json", "main.tofu.bak", "x.tofuvars",
		"live/prod/api/terragrunt.hcl", "root.hcl", "_envcommon/mysql.hcl", "x.hcl.bak",
	}
	for _, p := range paths {
		base := p[strings.LastIndex(p, "/")+1:]
		_, want := model.KindOf(base)
		want = want || load.IsWrapperConfig(p) // terragrunt.hcl, root.hcl, _envcommon/x.hcl
		for _, re := range files {
			if got := re.MatchString(p); got != want {
				t.Errorf("files %q on %q: match = %v, want %v (as analyzer.KindOf)", re, p, got, want)
			}
		}
	}
	skipped := map[string]bool{
		".terraform/modules/vpc/main.tf": true, "envs/prod/.terraform/modules/x/main.tf": true,
		"vendor/mod/main.tf": true, "a/node_modules/b/main.tf": true, ".external_modules/m/main.tf": true,
		"envs/prod/main.tf": false, "envs/prod/.terraform.lock.hcl": false, "vendors/main.tf": false,
		"my.vendor/main.tf": false,
	}
	for p, want := range skipped {
		for _, re := range excludes {
			if got := re.MatchString(p); got != want {
				t.Errorf("exclude %q on %q: match = %v, want %v", re, p, got, want)
			}
		}
	}
}

// TestGoDirectiveMinimal keeps go.mod's go line no newer than the code
// needs: the newest go line among the modules tfgate builds with (go mod
// tidy raises it when a dependency needs more). The language_version and
// stdversion checks of go vet then hold the code itself to it. A newer line
// would shut out developers, and the language: golang pre-commit hook, on
// an older Go.
func TestGoDirectiveMinimal(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Path}} {{.GoVersion}} {{.Main}}", "all").Output()
	if err != nil {
		t.Fatalf("go list -m all: %v", err)
	}
	var main, need, who string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 || f[1] == "" {
			continue
		}
		if f[2] == "true" {
			main = f[1]
		} else if need == "" || goversion.Compare("go"+f[1], "go"+need) > 0 {
			need, who = f[1], f[0]
		}
	}
	if main == "" {
		t.Fatal("no main module in go list -m all")
	}
	if goversion.Compare("go"+main, "go"+need) > 0 {
		t.Errorf("go.mod says go %s, but the newest dependency go line is %s (%s): go mod edit -go=%s", main, need, who, need)
	}
}
