package secrets

// What a credential looks like: the shapes of known kinds, whatever the
// value is called.

import (
	"math"
	"regexp"
	"strings"
	"unicode"
)

// credentialPattern is a kind of credential recognised by its shape.
type credentialPattern struct {
	kind  string
	re    *regexp.Regexp
	group int // submatch holding the secret part; 0 for the whole match
	// check, when set, must accept the secret part.
	check func(secret string, m []string) bool
	// hints are substrings a match cannot do without (one of them must be
	// in the value; hintsFold compared in lower case): most values hold
	// none, and looking for them is much cheaper than running the pattern.
	hints, hintsFold []string
}

// The patterns search anywhere in a value (a heredoc script, a JSON
// document) unless anchored. Boundaries are spelled out because Go's
// regexp has no look-around.
var credentialPatterns = []credentialPattern{
	{kind: "an AWS access key ID", re: regexp.MustCompile(`(?:^|[^A-Za-z0-9])((?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16})(?:[^A-Za-z0-9]|$)`), group: 1, hints: []string{"AKIA", "ASIA", "ABIA", "ACCA"}},
	{kind: "an AWS secret access key", re: regexp.MustCompile(`(?i)aws_?secret_?access_?key["']?\s*[:=]\s*["']?([A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+]|$)`), group: 1, hintsFold: []string{"secret"}},
	{kind: "a GitHub token", re: regexp.MustCompile(`(?:^|[^A-Za-z0-9_])((?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36})(?:[^A-Za-z0-9_]|$)`), group: 1, hints: []string{"ghp_", "gho_", "ghu_", "ghs_", "ghr_"}},
	{kind: "a GitHub token", re: regexp.MustCompile(`(?:^|[^A-Za-z0-9_])(github_pat_[A-Za-z0-9_]{60,})`), group: 1, hints: []string{"github_pat_"}},
	{kind: "a Slack webhook URL", re: regexp.MustCompile(`https://hooks\.slack\.com/(?:services|workflows)/T[A-Z0-9]{6,}/[A-Z0-9/]{6,}/([A-Za-z0-9]{16,})`), group: 1, hints: []string{"https://hooks.slack.com/"}},
	{kind: "a Slack token", re: regexp.MustCompile(`(?:^|[^A-Za-z0-9])(xox[abposre]-[A-Za-z0-9-]{10,})`), group: 1, hints: []string{"xox"}},
	{kind: "a Stripe live secret key", re: regexp.MustCompile(`(?:^|[^A-Za-z0-9_])([sr]k_live_[A-Za-z0-9]{20,})`), group: 1, hints: []string{"k_live_"}},
	{kind: "a Google API key", re: regexp.MustCompile(`(?:^|[^A-Za-z0-9_-])(AIza[0-9A-Za-z_-]{35})(?:[^0-9A-Za-z_-]|$)`), group: 1, hints: []string{"AIza"}},
	{kind: "a JWT", re: regexp.MustCompile(`(?:^|[^A-Za-z0-9_-])(eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,})`), group: 1, hints: []string{"eyJ"}},
	{
		kind:  "a URL with a password",
		re:    regexp.MustCompile(`(?:^|[^A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{1,30}://([^\s:/?#@"'<>]+):([^\s/?#@"'<>]+)@([^\s/?#:@"'<>]+)`),
		group: 2,
		hints: []string{"://"},
		check: func(pw string, m []string) bool {
			user, host := m[1], strings.ToLower(m[3])
			if pw == user || placeholderPart(pw) {
				return false
			}
			// Local development defaults are not deployed credentials.
			return host != "localhost" && host != "127.0.0.1" && host != "[::1]"
		},
	},
	{
		kind:      "a connection string with a password",
		re:        regexp.MustCompile(`(?i)(?:^|;)\s*(?:password|pwd)\s*=\s*([^;]*)`),
		group:     1,
		hintsFold: []string{"password", "pwd"},
		check:     func(pw string, _ []string) bool { return !placeholderPart(pw) },
	},
	{
		kind:      "a connection string with an access key",
		re:        regexp.MustCompile(`(?i)(?:^|;)\s*(?:accountkey|sharedaccesskey)\s*=\s*([A-Za-z0-9+/=]{20,})`),
		group:     1,
		hintsFold: []string{"accountkey", "sharedaccesskey"},
	},
}

var (
	pemHeader      = regexp.MustCompile(`-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----`)
	gcpServiceAcct = regexp.MustCompile(`"type"\s*:\s*"service_account"`)
	gcpPrivateKey  = regexp.MustCompile(`"private_key"\s*:\s*"-----BEGIN`)
	awsSecretShape = regexp.MustCompile(`^[A-Za-z0-9/+]{40}$`)
)

// LooksLikeCredential reports whether a value has the shape of a known kind
// of credential, whatever it is called. kind describes it for messages
// ("an AWS secret access key") and never includes any of the value.
func LooksLikeCredential(value string) (kind string, ok bool) {
	s := strings.TrimSpace(value)
	if s == "" {
		return "", false
	}
	if strings.Contains(s, "service_account") && gcpServiceAcct.MatchString(s) && gcpPrivateKey.MatchString(s) {
		return "a GCP service account key", true
	}
	if strings.Contains(s, "-----BEGIN ") {
		if loc := pemHeader.FindStringIndex(s); loc != nil && pemBody(s[loc[1]:]) {
			return "a PEM private key", true
		}
	}
	lower := ""
	for _, p := range credentialPatterns {
		if !p.mayMatch(s, &lower) {
			continue
		}
		for _, m := range p.re.FindAllStringSubmatch(s, -1) {
			secret := m[p.group]
			if placeholderPart(secret) {
				continue
			}
			if p.check != nil && !p.check(secret, m) {
				continue
			}
			return p.kind, true
		}
	}
	if awsSecretKeyShape(s) && !placeholderPart(s) {
		return "an AWS secret access key", true
	}
	return "", false
}

// mayMatch reports whether s holds one of the pattern's hints; lower is
// s in lower case, computed on first use and shared between patterns.
func (p *credentialPattern) mayMatch(s string, lower *string) bool {
	for _, h := range p.hints {
		if strings.Contains(s, h) {
			return true
		}
	}
	if len(p.hintsFold) > 0 && *lower == "" {
		*lower = strings.ToLower(s)
	}
	for _, h := range p.hintsFold {
		if strings.Contains(*lower, h) {
			return true
		}
	}
	return len(p.hints) == 0 && len(p.hintsFold) == 0
}

// pemBody reports whether the text after a PEM header holds key material
// rather than "..." or a placeholder.
func pemBody(rest string) bool {
	if i := strings.Index(rest, "-----END"); i >= 0 {
		rest = rest[:i]
	}
	rest = strings.ReplaceAll(rest, `\n`, "\n")
	n := 0
	for _, line := range strings.Split(rest, "\n") {
		line = strings.TrimSpace(line)
		if strings.Contains(line, ":") { // Proc-Type:, DEK-Info: headers
			continue
		}
		for _, r := range line {
			if r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '+' || r == '/' || r == '=') {
				n++
			}
		}
	}
	return n >= 40 && !lowVariety(rest)
}

// awsSecretKeyShape matches a whole value of 40 base64 characters that
// mixes cases and digits (so neither a hex digest nor a word) and is random
// enough to be a key rather than a path or a name.
func awsSecretKeyShape(s string) bool {
	if len(s) != 40 || !awsSecretShape.MatchString(s) || strings.Count(s, "/") >= 4 {
		return false
	}
	var upper, lower, digit bool
	for _, r := range s {
		switch {
		case r >= 'A' && r <= 'Z':
			upper = true
		case r >= 'a' && r <= 'z':
			lower = true
		case r >= '0' && r <= '9':
			digit = true
		}
	}
	// CamelCase words ("LongIdentifierName") are names, not keys.
	if !upper || !lower || !digit || entropy(s) < 4.0 {
		return false
	}
	words := 0
	for _, w := range camelWord.FindAllString(s, -1) {
		words += len(w)
	}
	return words*10 < len(s)*7
}

var camelWord = regexp.MustCompile(`[A-Z][a-z]{2,}`)

// entropy is the Shannon entropy of s in bits per character.
func entropy(s string) float64 {
	counts := map[rune]int{}
	n := 0
	for _, r := range s {
		counts[r]++
		n++
	}
	h := 0.0
	for _, c := range counts {
		p := float64(c) / float64(n)
		h -= p * math.Log2(p)
	}
	return h
}

// lowVariety reports strings like "xxxxxxxx" or "0000…": stand-ins with
// the right length but no content.
func lowVariety(s string) bool {
	seen := map[rune]bool{}
	for _, r := range s {
		seen[r] = true
	}
	return len(s) >= 8 && len(seen) < 4
}
