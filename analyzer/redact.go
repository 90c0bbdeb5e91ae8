package analyzer

import (
	"sort"
	"strings"

	"github.com/tfgate/tfgate/analyzer/eval"
	"github.com/tfgate/tfgate/analyzer/model"
	"github.com/tfgate/tfgate/analyzer/secrets"
	"github.com/zclconf/go-cty/cty"
)

// Nothing secret in output, by construction. While a run evaluates the
// project it knows which values are secret:
//
//   - the values of variables declared `sensitive = true` or named for a
//     secret (`db_password`, `api_token`: secrets.SecretName), in every
//     module instance, wherever they were set (tfvars, --var, a module
//     argument, a default), and every value the configuration derives
//     from a sensitive one (eval.Result.SensitiveValues: upper(var.pw),
//     base64encode(var.token), a local built from one), as Terraform
//     marks them;
//   - every tfvars entry that secret-in-tfvars flags (secrets.LiteralSecrets,
//     the rule's own test), in the scanned tfvars, the environments' files
//     and --var-file files, and --var values shaped like a credential;
//   - what the configuration derives from file functions
//     (eval.Result.FileValues): a file beside the code may hold a token.
//
// RunRules redacts those strings from every field of every finding (its
// message with instance keys, address, attribute, calls, related
// locations, and the justification of an ignore comment) and from the
// notifications, before any reporter
// or the baseline writer sees them; reporters pass every snippet line and
// the command line through Result.Redact. Rules need no care of their own.

// redacted replaces a secret in output.
const redacted = "<redacted>"

// Shorter strings are not redacted: they are not credentials, and hiding
// every "prod" or "true" would garble messages. File contents count from
// a longer length, since a file's ordinary values (tag names, regions)
// are far more common than its secrets.
const (
	minSecretLen    = 4
	minFileValueLen = 8
)

// redactor replaces a run's secret strings.
type redactor struct {
	r *strings.Replacer // nil: nothing to redact
}

func newRedactor(p *model.Project, ev *eval.Result, opts Options) *redactor {
	set := map[string]bool{}
	add := func(s string, min int) {
		s = strings.TrimSpace(s)
		if len(s) < min || secrets.IsPlaceholder(s) || plainWord(s) {
			return
		}
		set[s] = true
	}
	addValue := func(v cty.Value, min int) {
		collectStrings(v, func(s string) {
			add(s, min)
			// A multi-line secret (a PEM key) is quoted line by line.
			if strings.Contains(s, "\n") {
				for _, line := range strings.Split(s, "\n") {
					add(line, min)
				}
			}
		})
	}
	// Variables that hold secrets, in every instance: every value of a
	// sensitive one; of one named for a secret, the values that could be
	// the secret (not "spotinst_token", the name of where it is kept).
	for _, in := range ev.Instances {
		for _, vb := range in.Module.Variables {
			name := vb.Labels[0]
			sensitive := staticTrue(vb, "sensitive")
			if !sensitive && !secrets.SecretName(name) {
				continue
			}
			v, ok := in.VarValue(name)
			if !ok {
				continue
			}
			if sensitive {
				addValue(v, minSecretLen)
				continue
			}
			collectStrings(v, func(s string) {
				if _, ok := secrets.DetectSecret(name, s); ok {
					addValue(cty.StringVal(s), minSecretLen)
				}
			})
		}
	}
	// What the configuration derived from sensitive values: upper(var.pw),
	// "x-${var.token}", a local or module argument built from one.
	for _, s := range ev.SensitiveValues() {
		addValue(cty.StringVal(s), minSecretLen)
	}
	// tfvars entries that look like credentials.
	files := append([]*model.File{}, p.VarFiles()...)
	files = append(files, opts.Eval.VarFiles...)
	for _, m := range p.Modules {
		for _, env := range m.Environments {
			files = append(files, env.Files...)
		}
	}
	seen := map[*model.File]bool{}
	for _, f := range files {
		if seen[f] {
			continue
		}
		seen[f] = true
		for name, a := range eval.TFVarsAttrs(f) {
			sensitive := false
			if f.Module != nil {
				if vb := f.Module.Variable(name); vb != nil {
					sensitive = staticTrue(vb, "sensitive")
				}
			}
			if len(secrets.LiteralSecrets(name, a.Expr, secrets.SecretOptions{Sensitive: sensitive})) == 0 {
				continue
			}
			if v, d := a.Expr.Value(nil); !d.HasErrors() {
				addValue(v, minSecretLen)
			}
		}
	}
	for _, name := range opts.Eval.VarOrder {
		if v := opts.Eval.Vars[name]; secrets.SecretName(name) {
			add(v, minSecretLen)
		} else if _, ok := secrets.LooksLikeCredential(v); ok {
			add(v, minSecretLen)
		}
	}
	// What the configuration derived from file functions (the values
	// themselves: a file's lines used as keys, a field of a decoded file),
	// unless the configuration itself writes it: a value spelled out in
	// the .tf and .tfvars files (a region, an account name) hides nothing,
	// and hiding it would garble messages about those files.
	if fileValues := ev.FileValues(); len(fileValues) > 0 {
		written := writtenTokens(p)
		addFile := func(s string) {
			if len(strings.TrimSpace(s)) >= minFileValueLen && !written.spells(s) {
				add(s, minFileValueLen)
			}
		}
		for _, s := range fileValues {
			addFile(s)
			if strings.Contains(s, "\n") {
				for _, line := range strings.Split(s, "\n") {
					addFile(line)
				}
			}
		}
	}
	if len(set) == 0 {
		return &redactor{}
	}
	list := make([]string, 0, len(set))
	for s := range set {
		list = append(list, s)
	}
	// Longest first: a secret that contains another is hidden whole.
	sort.Slice(list, func(i, j int) bool {
		if len(list[i]) != len(list[j]) {
			return len(list[i]) > len(list[j])
		}
		return list[i] < list[j]
	})
	pairs := make([]string, 0, 2*len(list))
	for _, s := range list {
		pairs = append(pairs, s, redacted)
	}
	return &redactor{r: strings.NewReplacer(pairs...)}
}

// tokenSet holds the words written in the configuration's sources.
type tokenSet map[string]struct{}

// tokenByte reports whether a byte belongs to a word: what names,
// regions, paths and versions are made of.
func tokenByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.' || c >= 0x80
}

func tokens(s []byte, f func([]byte)) {
	start := -1
	for i := 0; i <= len(s); i++ {
		if i < len(s) && tokenByte(s[i]) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			f(s[start:i])
			start = -1
		}
	}
}

// writtenTokens indexes the words of every loaded .tf and .tfvars file.
func writtenTokens(p *model.Project) tokenSet {
	set := tokenSet{}
	add := func(f *model.File) {
		tokens(f.Src, func(w []byte) {
			if _, ok := set[string(w)]; !ok {
				set[string(w)] = struct{}{}
			}
		})
	}
	for _, m := range p.Modules {
		for _, f := range m.Files {
			add(f)
		}
		for _, f := range m.VarFiles {
			add(f)
		}
	}
	for _, f := range p.LooseFiles {
		add(f)
	}
	return set
}

// spells reports whether every word of s is written in the sources.
func (t tokenSet) spells(s string) bool {
	all, any := true, false
	tokens([]byte(s), func(w []byte) {
		any = true
		if _, ok := t[string(w)]; !ok {
			all = false
		}
	})
	return any && all
}

// plainWord reports whether a string is a number or a boolean: never a
// credential on its own, and too common to hide.
func plainWord(s string) bool {
	if s == "true" || s == "false" || s == "null" {
		return true
	}
	for _, r := range s {
		if (r < '0' || r > '9') && r != '.' && r != '-' {
			return false
		}
	}
	return true
}

func staticTrue(b *model.Block, name string) bool {
	a := b.Attr(name)
	if a == nil {
		return false
	}
	v, d := a.Expr.Value(nil)
	if d.HasErrors() {
		return false
	}
	t, ok := model.KnownBool(v)
	return ok && t
}

// collectStrings calls f for every string in a known value.
func collectStrings(v cty.Value, f func(string)) {
	if v == cty.NilVal {
		return
	}
	v, _ = v.UnmarkDeep()
	if !v.IsKnown() || v.IsNull() {
		return
	}
	switch {
	case v.Type() == cty.String:
		f(v.AsString())
	case v.CanIterateElements():
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			collectStrings(e, f)
		}
	}
}

// redact hides the run's secrets in s.
func (rd *redactor) redact(s string) string {
	if rd == nil || rd.r == nil || s == "" {
		return s
	}
	return rd.r.Replace(s)
}

// finding redacts every text field of a finding.
func (rd *redactor) finding(f *Finding) {
	if rd == nil || rd.r == nil {
		return
	}
	f.Message = rd.redact(f.Message)
	f.Address = rd.redact(f.Address)
	f.Attribute = rd.redact(f.Attribute)
	for i := range f.Via {
		f.Via[i] = rd.redact(f.Via[i])
	}
	for i := range f.Related {
		f.Related[i].Message = rd.redact(f.Related[i].Message)
	}
	for i := range f.Environments {
		f.Environments[i].Name = rd.redact(f.Environments[i].Name)
	}
}

// Redact hides the run's secret values in s (see redact.go): reporters
// pass every source line they quote, and the command line, through it.
func (res *Result) Redact(s string) string { return res.redactor.redact(s) }
