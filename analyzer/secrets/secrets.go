// Package secrets holds the credential heuristics: what a credential looks
// like (LooksLikeCredential), which names say secret (ClassifyName), and
// walks that find literal credentials in expressions, values and blocks.
package secrets

// Detection of credentials: by the shape of a value (an AWS access key ID,
// a PEM private key…) whatever it is called, and by the name it is stored
// under (password, api_key…) when the value could be the secret itself
// rather than a placeholder, a setting or the name of where the secret lives.
//
// Nothing here ever returns or formats a secret's value: hits carry the
// name of the value, the kind of credential and where it is written.

import (
	"encoding/json"
	"math"
	"net"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/tfgate/tfgate/analyzer/model"
	"github.com/zclconf/go-cty/cty"
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

var (
	placeholderWrapped = regexp.MustCompile(`^(?:<[^<>]*>|\{\{.*\}\}|\$\{.*\}|\$[A-Za-z_][A-Za-z0-9_]*|%[sv]|\[[A-Za-z _-]*\]|\([A-Za-z _-]*\))$`)
	placeholderWords   = map[string]bool{
		"changeme": true, "changemeplease": true, "replaceme": true, "todo": true, "tbd": true, "fixme": true,
		"placeholder": true, "dummy": true, "redacted": true, "secret": true, "password": true, "passwd": true,
		"token": true, "apikey": true, "key": true, "none": true, "null": true, "nil": true, "undefined": true,
		"notset": true, "unset": true, "setme": true, "na": true, "empty": true, "default": true, "example": true,
		"sample": true, "test": true, "xxx": true, "pass": true, "secretkey": true, "accesskey": true,
		"mypassword": true, "yourpassword": true, "privatekey": true, "credentials": true, "hidden": true,
		"sensitive": true, "masked": true, "omitted": true, "foo": true, "bar": true, "foobar": true,
	}
	placeholderMarkers = []string{"changeme", "change_me", "change-me", "replace_me", "replace-me", "replaceme", "replace_with", "replace-with", "your_", "your-", "insert_", "insert-", "put_your", "put-your", "goes_here", "goes-here", "_here", "-here", "placeholder", "redacted", "xxxx", "****", "…", "..."}
)

// IsPlaceholder reports whether a value stands in for a secret rather than
// being one: empty, `<your key>`, `CHANGE_ME`, `TODO`, `${DB_PASSWORD}`,
// `$TOKEN`, `{{ secret }}`, `********`, "your-api-key-here".
func IsPlaceholder(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" || placeholderWrapped.MatchString(s) || lowVariety(s) {
		return true
	}
	lower := strings.ToLower(s)
	if placeholderWords[alnumOnly(lower)] {
		return true
	}
	if len(s) > 200 {
		return false // a document, not a stand-in
	}
	if strings.Contains(s, "TODO") || strings.Contains(s, "FIXME") {
		return true
	}
	for _, m := range placeholderMarkers {
		if strings.Contains(lower, m) {
			return true
		}
	}
	return false
}

// placeholderPart is IsPlaceholder for a part of a value (a URL's
// password): also variables and format verbs embedded in it.
func placeholderPart(s string) bool {
	return IsPlaceholder(s) || embeddedVariable.MatchString(s)
}

var embeddedVariable = regexp.MustCompile(`\$\{|\$[A-Za-z_]|%[sv]|\{[A-Za-z_]`)

func alnumOnly(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// NameClass says what a name tells about the value stored under it.
type NameClass int

const (
	// NameNeutral names say nothing: "db", "value", "admin".
	NameNeutral NameClass = iota
	// NameSecret names hold a secret: "db_password", "apiKey", "client_secret".
	NameSecret
	// NameNotSecret names are about a secret without holding it:
	// "password_length", "secret_name", "token_ttl", "kms_key_arn",
	// "enable_secret_rotation", and ordinary fields such as "username".
	NameNotSecret
)

// secretWords maps a name token (or two tokens joined) to the kind of
// secret it names. Plural forms are folded to the singular before lookup.
var secretWords = map[string]string{
	"password": "a password", "passwd": "a password", "pwd": "a password", "passphrase": "a passphrase",
	"secret": "a secret", "token": "a token", "credential": "credentials", "creds": "credentials",
	"apikey": "an API key", "privatekey": "a private key", "accesskey": "an access key",
	"secretkey": "a secret key", "clientsecret": "a client secret", "connectionstring": "a connection string",
	"connstring": "a connection string", "connstr": "a connection string", "accountkey": "an account key",
	"signingkey": "a signing key", "masterkey": "a master key", "authkey": "an auth key",
	"sharedkey": "a shared key", "licensekey": "a license key", "licencekey": "a license key",
}

// kindRank orders kinds from most to least specific, for names that
// contain several keywords (aws_secret_access_key).
var kindRank = []string{
	"a private key", "a client secret", "a connection string", "an API key", "an access key", "a secret key",
	"an account key", "a signing key", "a master key", "an auth key", "a shared key", "a license key",
	"a passphrase", "a password", "a token", "credentials", "a secret",
}

// isPlural reports a plural secret word: a collection of secrets, whose
// neutral keys hold secrets too ("passwords = { admin = … }"). Credentials
// are one bundle of fields, not a collection.
func isPlural(tok, kind string) bool {
	return kind != "credentials" && singular(tok) != tok
}

// qualifiers after a secret keyword make the name about the secret, not the
// secret itself: password_length, secret_arn, token_ttl_seconds.
var qualifiers = wordSet(`length len ttl arn arns id ids path paths name names version versions count type types
	enabled enable disabled rotation rotate rotated policy policies days hours minutes seconds period interval duration
	timeout expiry expiration expires expire lifetime age size bits algorithm algo prefix suffix description desc
	region location file files filename url urls uri uris endpoint endpoints host hostname port format encoding
	encryption encrypted mode method scheme parameter param params ref refs reference store manager backend engine
	provider source header headers field fields attribute template pattern regex rule rules required min max
	minimum maximum user username usernames email owner group role scope scopes audience issuer subject claim claims
	kms hash hashed digest checksum sha fingerprint strength complexity level label labels tag tags
	secretsmanager ssm vault variable var env mount reset retention recovery window schedule metadata annotation
	annotations lambda function status state sync selector selectors option options setting settings
	generation generator public cert certificate ca permission permissions action actions operation operations
	privilege privileges capability capabilities grant grants acl acls rights keyvault`)

// leadingVerbs make a name a switch or an action: enable_secret_rotation,
// create_random_password, manage_master_user_password.
var leadingVerbs = wordSet(`enable enabled disable disabled is has use uses create manage generate rotate allow require
	requires skip ignore store should with include exclude auto force no reset`)

// protected before a keyword: encrypted_password, hashed_token.
var protected = wordSet(`encrypted hashed ciphertext`)

func wordSet(s string) map[string]bool {
	out := map[string]bool{}
	for _, w := range strings.Fields(s) {
		out[w] = true
	}
	return out
}

// nameTokens splits a name into lower-case words at non-alphanumerics and
// camelCase boundaries: "masterUserPassword" → master user password,
// "APIKey" → api key, "prod/db/password" → prod db password.
func nameTokens(name string) []string {
	var out []string
	rs := []rune(name)
	start := -1
	flush := func(end int) {
		if start >= 0 {
			out = append(out, strings.ToLower(string(rs[start:end])))
			start = -1
		}
	}
	for i, r := range rs {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r)) {
			flush(i)
			continue
		}
		if start >= 0 && unicode.IsUpper(r) {
			prev := rs[i-1]
			nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower) {
				flush(i)
			}
		}
		if start < 0 {
			start = i
		}
	}
	flush(len(rs))
	return out
}

func singular(w string) string {
	if len(w) > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") {
		return w[:len(w)-1]
	}
	return w
}

// ClassifyName says whether a name (a variable, attribute, map key or
// output) holds a secret, and which kind ("a password") when it does.
func ClassifyName(name string) (NameClass, string) {
	c, kind, _ := classifyName(name)
	return c, kind
}

// classifyName also reports whether the name is a plural collection of
// secrets ("passwords"), whose neutral keys hold secrets too.
func classifyName(name string) (class NameClass, kind string, plural bool) {
	toks := nameTokens(name)
	if len(toks) == 0 {
		return NameNeutral, "", false
	}
	best, last := -1, -1
	for i := 0; i < len(toks); i++ {
		w := singular(toks[i])
		if i+1 < len(toks) {
			if k, ok := secretWords[w+singular(toks[i+1])]; ok {
				best = betterKind(best, k)
				last = i + 1
				plural = isPlural(toks[i+1], k)
				i++
				continue
			}
		}
		if k, ok := secretWords[w]; ok {
			best = betterKind(best, k)
			last = i
			plural = isPlural(toks[i], k)
		}
	}
	if last < 0 {
		// Ordinary fields that sit next to secrets are not secrets either.
		if qualifiers[toks[len(toks)-1]] || leadingVerbs[toks[0]] {
			return NameNotSecret, "", false
		}
		return NameNeutral, "", false
	}
	if leadingVerbs[toks[0]] && last > 0 {
		return NameNotSecret, "", false
	}
	for _, t := range toks[:last] {
		if protected[t] {
			return NameNotSecret, "", false // ciphertext or a digest, not the secret
		}
	}
	for _, t := range toks[last+1:] {
		if qualifiers[t] || qualifiers[singular(t)] {
			return NameNotSecret, "", false
		}
	}
	return NameSecret, kindRank[best], plural
}

func betterKind(cur int, kind string) int {
	for i, k := range kindRank {
		if k == kind && (cur < 0 || i < cur) {
			return i
		}
	}
	return cur
}

// SecretCollectionName reports whether a name is the plural of a secret
// word (secrets, passwords, api_tokens): a collection, which may hold
// secrets or only things about them.
func SecretCollectionName(name string) bool {
	c, _, plural := classifyName(name)
	return c == NameSecret && plural
}

// SecretName reports whether a name says that its value is a secret:
// password, db_password, passwd, secret, client_secret, token, api_key,
// private_key, access_key, credentials, connection_string. Names about a
// secret (password_length, secret_name, token_ttl, *_arn, *_id, *_path) and
// switches (enable_secret_rotation) are not.
func SecretName(name string) bool {
	c, _ := ClassifyName(name)
	return c == NameSecret
}

var (
	numberLike   = regexp.MustCompile(`^[+-]?(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?$`)
	durationLike = regexp.MustCompile(`^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h|d|w|y|mo|sec|secs|min|mins|hour|hours|day|days))+$`)
	pathLike     = regexp.MustCompile(`^(?:[a-z][a-z0-9+.-]*:)?/*(?:[a-z0-9._@{}*-]+|[A-Z][a-z]+)(?:/+(?:[a-z0-9._@{}*-]+|[A-Z][a-z]+))+/*$`)
	fileNameLike = regexp.MustCompile(`(?i)^[~./\\]*[\w./\\-]*\.(?:json|pem|key|crt|cer|der|p12|pfx|jks|keystore|ppk|pub|txt|ya?ml|env|enc|gpg|asc|age|tfvars)$`)
	identLike    = regexp.MustCompile(`^[a-z][a-z0-9]*(?:[-_.][a-z0-9]+)+$|^[a-z]{1,9}[0-9]?$`)
	envNameLike  = regexp.MustCompile(`^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$`)
	hostLike     = regexp.MustCompile(`^[a-z0-9-]+(?:\.[a-z0-9-]+)+(?::\d+)?$`)
	emailLike    = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[a-z]{2,}$`)
	settingWords = wordSet(`true false yes no on off enabled disabled enable disable default auto automatic managed
		generated generate random none internal external inherit inherited required optional vault kms ssm env file
		static dynamic bearer basic oauth oauth2 jwt hmac plaintext plain securestring string iam aws_iam custom
		service_account serviceaccount local remote header query cookie body seconds minutes hours days weeks months
		years milliseconds`)
)

// plausibleSecret reports whether a string stored under a secret name could
// be the secret itself. It is not when it is a placeholder, a number, a
// boolean, a duration, an ARN, a URL, a path or file name, a host name or
// e-mail address, an environment variable name, a setting keyword, prose,
// or an identifier: the name of where the secret lives ("prod-db-password")
// or a short lower-case word that keys another object ("level0").
func plausibleSecret(s string) bool {
	s = strings.TrimSpace(s)
	if len(s) < 6 || IsPlaceholder(s) {
		return false
	}
	if strings.ContainsAny(s, " \t\n\r") || strings.Contains(s, "${") || strings.Contains(s, "{{") {
		return false
	}
	lower := strings.ToLower(s)
	switch {
	case numberLike.MatchString(s), durationLike.MatchString(lower), settingWords[lower]:
		return false
	case strings.HasPrefix(s, "arn:"):
		return false
	case pathLike.MatchString(s), fileNameLike.MatchString(s), hostLike.MatchString(s), emailLike.MatchString(s):
		return false
	case envNameLike.MatchString(s) || identLike.MatchString(s):
		return false
	case net.ParseIP(s) != nil:
		return false
	}
	if _, _, err := net.ParseCIDR(s); err == nil {
		return false
	}
	if i := strings.Index(s, "://"); i > 0 && !strings.Contains(s[i+3:], "@") {
		return false // a URL without credentials: where the secret is, not the secret
	}
	if _, err := strconv.ParseBool(s); err == nil {
		return false
	}
	return true
}

// DetectSecret decides whether a string is a credential: by its shape
// whatever the name, else by the name it is stored under when the value is
// plausible. name is the key the value sits under (its last path element).
func DetectSecret(name, value string) (kind string, ok bool) {
	c := secretCtx{}.child(name)
	return c.detect(value)
}

// secretCtx is what the names on the way to a value say about it.
type secretCtx struct {
	secret bool   // the value is named as a secret
	kind   string // "a password"
	plural bool   // a collection of secrets: neutral keys below inherit
}

// child is the context of the value under key.
func (c secretCtx) child(key string) secretCtx {
	class, kind, plural := classifyName(key)
	switch class {
	case NameSecret:
		return secretCtx{secret: true, kind: kind, plural: plural}
	case NameNotSecret:
		return secretCtx{}
	}
	if c.secret && c.plural {
		return secretCtx{secret: true, kind: c.kind}
	}
	return secretCtx{}
}

func (c secretCtx) detect(s string) (string, bool) {
	if kind, ok := LooksLikeCredential(s); ok {
		return kind, true
	}
	if !c.secret {
		return "", false
	}
	switch {
	case c.kind == "a connection string":
		return "", false // only the embedded password or key makes it a secret
	case machineSecretKinds[c.kind] && len(strings.TrimSpace(s)) < 16:
		return "", false // keys and tokens are long; short values name them
	case plausibleSecret(s):
		return c.kind, true
	}
	return "", false
}

// machineSecretKinds are generated by a system, never typed by a person:
// they are at least 16 characters long. A shorter value under such a name
// refers to one (CAF's `storage_account_key = "diags1"` is a map key).
var machineSecretKinds = map[string]bool{
	"a token": true, "an API key": true, "an access key": true, "a secret key": true, "a client secret": true,
	"an account key": true, "a signing key": true, "a master key": true, "an auth key": true, "a license key": true,
	"a private key": true,
}

// SecretHit is a credential found in an expression or value. It holds the
// value's name and location, never the value.
type SecretHit struct {
	Path  string    // "password", "db.password", "users[0].token"
	Kind  string    // "a password", "an AWS secret access key"
	Range hcl.Range // the item where it is written
}

// SecretOptions tune a search.
type SecretOptions struct {
	// Sensitive says the top-level value is declared sensitive (a variable
	// with sensitive = true), so it is a secret even when its name is neutral.
	Sensitive bool
	// Literal requires values to be written literally: expressions with
	// variable references, interpolating templates and function calls other
	// than value-preserving ones (jsonencode, sensitive, base64encode…) are
	// skipped. Off for tfvars, where every value is a literal anyway.
	Literal bool
}

// passThrough are functions whose result still contains their arguments'
// literal values.
var passThrough = wordSet(`jsonencode yamlencode tomap tolist toset tostring sensitive merge concat trimspace chomp
	base64encode coalesce try`)

// LiteralSecrets searches the expression assigned to name for credentials:
// nested objects, maps and lists are followed with their keys naming the
// values ("db.password"), as are the arguments of value-preserving
// functions. Unknown values are never reported.
func LiteralSecrets(name string, e hcl.Expression, opts SecretOptions) []SecretHit {
	c := secretCtx{}.child(name)
	if opts.Sensitive && !c.secret {
		if class, _, _ := classifyName(name); class != NameNotSecret {
			// The value itself is the secret; the fields of an object
			// still decide by their own names.
			c = secretCtx{secret: true, kind: "a secret"}
		}
	}
	w := &secretWalker{opts: opts}
	w.expr(c, name, e, e.Range())
	return w.hits
}

// ValueSecrets searches a value (from a plan, or evaluated) for
// credentials, naming nested values by their path. All hits carry rng.
func ValueSecrets(name string, v cty.Value, rng hcl.Range) []SecretHit {
	w := &secretWalker{}
	w.value(secretCtx{}.child(name), name, v, rng)
	return w.hits
}

type secretWalker struct {
	opts SecretOptions
	hits []SecretHit
	seen map[string]bool
}

func (w *secretWalker) add(path, kind string, rng hcl.Range) {
	if w.seen == nil {
		w.seen = map[string]bool{}
	}
	if w.seen[path] {
		return
	}
	w.seen[path] = true
	w.hits = append(w.hits, SecretHit{Path: path, Kind: kind, Range: rng})
}

// literalCtx evaluates literals; for JSON syntax, a non-nil context makes
// strings templates, so "${var.x}" is not taken for a literal.
var literalCtx = &hcl.EvalContext{}

func (w *secretWalker) expr(c secretCtx, path string, e hcl.Expression, rng hcl.Range) {
	// Fast paths for the common native-syntax shapes, which would otherwise
	// go through failed ExprMap/ExprList conversions (each building
	// diagnostics) before being evaluated.
	switch x := e.(type) {
	case *hclsyntax.ScopeTraversalExpr:
		// A reference: not a literal, and no literal text in it.
		return
	case *hclsyntax.LiteralValueExpr:
		w.value(c, path, x.Val, rng)
		return
	case *hclsyntax.TemplateExpr:
		if len(x.Parts) == 1 {
			if lit, ok := x.Parts[0].(*hclsyntax.LiteralValueExpr); ok && lit.Val.Type() == cty.String {
				w.value(c, path, lit.Val, rng)
				return
			}
		}
	}
	if pairs, d := hcl.ExprMap(e); !d.HasErrors() {
		keys := map[string]hcl.Expression{}
		type item struct {
			key string
			kv  hcl.KeyValuePair
		}
		var items []item
		for _, kv := range pairs {
			kval, d := kv.Key.Value(nil)
			if d.HasErrors() || !kval.IsKnown() || kval.IsNull() || kval.Type() != cty.String {
				continue
			}
			k := kval.AsString()
			if k == "//" { // a comment in JSON syntax
				continue
			}
			keys[strings.ToLower(k)] = kv.Value
			items = append(items, item{k, kv})
		}
		pairName := w.pairName(keys)
		for _, it := range items {
			cc := c.child(it.key)
			if pairName != "" && strings.EqualFold(it.key, "value") {
				cc = pairCtx(pairName, cc)
			}
			w.expr(cc, joinPath(path, it.key), it.kv.Value, hcl.RangeBetween(it.kv.Key.Range(), it.kv.Value.Range()))
		}
		return
	}
	if list, d := hcl.ExprList(e); !d.HasErrors() {
		for i, el := range list {
			w.expr(c, path+"["+strconv.Itoa(i)+"]", el, el.Range())
		}
		return
	}
	if call, ok := e.(*hclsyntax.FunctionCallExpr); ok {
		// Only value-preserving functions, and only in configuration:
		// tfvars cannot call functions.
		if !w.opts.Literal || !passThrough[call.Name] {
			return
		}
		for _, a := range call.Args {
			w.expr(c, path, a, rng)
		}
		return
	}
	if w.opts.Literal && len(e.Variables()) > 0 {
		// Not a literal; but a credential in the literal text of a template
		// (a key pasted into a user_data script) is still written in the code.
		if t, ok := e.(*hclsyntax.TemplateExpr); ok {
			var text strings.Builder
			for _, part := range t.Parts {
				if lit, ok := part.(*hclsyntax.LiteralValueExpr); ok && lit.Val.Type() == cty.String {
					text.WriteString(lit.Val.AsString())
					continue
				}
				text.WriteString("\n") // an interpolation separates the literal parts
			}
			if kind, ok := LooksLikeCredential(text.String()); ok {
				w.add(path, kind, rng)
			}
		}
		return
	}
	ctx := literalCtx
	if !w.opts.Literal {
		ctx = nil // tfvars: strings are never templates
	}
	v, d := e.Value(ctx)
	if d.HasErrors() {
		return
	}
	w.value(c, path, v, rng)
}

// pairName returns the secret name of a name/value pair object
// ({ name = "DB_PASSWORD", value = "…" }: container environments, Helm
// `set` blocks, parameters), or "".
func (w *secretWalker) pairName(keys map[string]hcl.Expression) string {
	if _, ok := keys["value"]; !ok {
		return ""
	}
	for _, k := range []string{"name", "key"} {
		if e, ok := keys[k]; ok {
			if s, ok := model.StaticString(e); ok && SecretName(s) {
				return s
			}
		}
	}
	return ""
}

func pairCtx(name string, c secretCtx) secretCtx {
	if class, kind, _ := classifyName(name); class == NameSecret {
		return secretCtx{secret: true, kind: kind}
	}
	return c
}

func (w *secretWalker) value(c secretCtx, path string, v cty.Value, rng hcl.Range) {
	if v == cty.NilVal {
		return
	}
	v, _ = v.Unmark()
	if !v.IsKnown() || v.IsNull() {
		return
	}
	t := v.Type()
	switch {
	case t == cty.String:
		s := v.AsString()
		if doc, ok := jsonDocument(s); ok && !gcpServiceAcct.MatchString(s) {
			// Keys inside a string are part of the value: report the
			// string as a whole.
			inner := &secretWalker{}
			inner.value(c, path, doc, rng)
			if len(inner.hits) > 0 {
				w.add(path, inner.hits[0].Kind, rng)
			}
			return
		}
		if kind, ok := c.detect(s); ok {
			w.add(path, kind, rng)
		}
	case t.IsObjectType() || t.IsMapType():
		keys := map[string]hcl.Expression{}
		m := map[string]cty.Value{}
		var names []string
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			names = append(names, k.AsString())
			m[k.AsString()] = e
			if e.IsKnown() && !e.IsNull() && e.Type() == cty.String {
				keys[strings.ToLower(k.AsString())] = hcl.StaticExpr(e, rng)
			}
		}
		sort.Strings(names)
		pairName := w.pairName(keys)
		for _, k := range names {
			cc := c.child(k)
			if pairName != "" && strings.EqualFold(k, "value") {
				cc = pairCtx(pairName, cc)
			}
			w.value(cc, joinPath(path, k), m[k], rng)
		}
	case t.IsListType() || t.IsTupleType() || t.IsSetType():
		i := 0
		for it := v.ElementIterator(); it.Next(); i++ {
			_, e := it.Element()
			w.value(c, path+"["+strconv.Itoa(i)+"]", e, rng)
		}
	}
}

// jsonDocument decodes a string holding a JSON object or array.
func jsonDocument(s string) (cty.Value, bool) {
	t := strings.TrimSpace(s)
	if len(t) < 2 || !(t[0] == '{' && t[len(t)-1] == '}' || t[0] == '[' && t[len(t)-1] == ']') {
		return cty.NilVal, false
	}
	var doc any
	if err := json.Unmarshal([]byte(t), &doc); err != nil {
		return cty.NilVal, false
	}
	return JSONToCty(doc), true
}

// JSONToCty converts decoded JSON (encoding/json's any) to a cty value, so
// that plan JSON can be searched with ValueSecrets.
func JSONToCty(v any) cty.Value {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 0 {
			return cty.EmptyObjectVal
		}
		m := make(map[string]cty.Value, len(x))
		for k, e := range x {
			m[k] = JSONToCty(e)
		}
		return cty.ObjectVal(m)
	case []any:
		if len(x) == 0 {
			return cty.EmptyTupleVal
		}
		l := make([]cty.Value, len(x))
		for i, e := range x {
			l[i] = JSONToCty(e)
		}
		return cty.TupleVal(l)
	case string:
		return cty.StringVal(x)
	case float64:
		return cty.NumberFloatVal(x)
	case json.Number:
		if f, err := cty.ParseNumberVal(x.String()); err == nil {
			return f
		}
	case bool:
		return cty.BoolVal(x)
	}
	return cty.NullVal(cty.DynamicPseudoType)
}

// isIdentKey reports whether a key can follow a dot in a path: it matches
// [A-Za-z_][A-Za-z0-9_-]*.
func isIdentKey(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_':
		case i > 0 && (c >= '0' && c <= '9' || c == '-'):
		default:
			return false
		}
	}
	return true
}

// joinPath names a nested value: db.password, tags["team name"]. A key that
// itself looks like a credential is not shown.
func joinPath(path, key string) string {
	if _, secret := LooksLikeCredential(key); secret {
		return path + "[…]"
	}
	if isIdentKey(key) {
		if path == "" {
			return key
		}
		return path + "." + key
	}
	return path + "[" + strconv.Quote(key) + "]"
}

// BlockSecrets searches a block's arguments and nested blocks for literal
// credentials; paths name nested blocks by type (dynamic blocks by label):
// "master_user_options.master_user_password". Blocks with a name and a value
// argument (Helm `set`, container `env`) name their value by the name.
func BlockSecrets(body hcl.Body) []SecretHit {
	var out []SecretHit
	seen := map[string]bool{}
	var walk func(prefix string, body hcl.Body)
	walk = func(prefix string, body hcl.Body) {
		attrs := model.BodyAttrs(body)
		names := model.InSourceOrder(attrs)
		pair := ""
		if _, ok := attrs["value"]; ok {
			for _, k := range []string{"name", "key"} {
				if a, ok := attrs[k]; ok {
					if s, ok := model.StaticString(a.Expr); ok && SecretName(s) {
						pair = s
					}
				}
			}
		}
		for _, n := range names {
			a := attrs[n]
			path := joinPath(prefix, n)
			var hits []SecretHit
			if pair != "" && n == "value" {
				hits = LiteralSecrets(pair, a.Expr, SecretOptions{Literal: true})
				for i := range hits {
					hits[i].Path = path + strings.TrimPrefix(hits[i].Path, pair)
				}
			} else {
				hits = LiteralSecrets(n, a.Expr, SecretOptions{Literal: true})
				for i := range hits {
					hits[i].Path = joinPrefix(prefix, hits[i].Path)
				}
			}
			for _, h := range hits {
				if h.Path == path {
					h.Range = a.Range
				}
				if !seen[h.Path] {
					seen[h.Path] = true
					out = append(out, h)
				}
			}
		}
		if sb, ok := body.(*hclsyntax.Body); ok {
			for _, nb := range sb.Blocks {
				name := nb.Type
				if nb.Type == "dynamic" && len(nb.Labels) > 0 {
					name = nb.Labels[0]
					for _, cb := range nb.Body.Blocks {
						if cb.Type == "content" {
							walk(joinPath(prefix, name), cb.Body)
						}
					}
					continue
				}
				walk(joinPath(prefix, name), nb.Body)
			}
		}
	}
	walk("", body)
	return out
}

func joinPrefix(prefix, path string) string {
	if prefix == "" {
		return path
	}
	return prefix + "." + path
}
