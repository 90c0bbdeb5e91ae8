package secrets

// What a value is when it is not a secret: a placeholder, a reference to
// where the secret is kept, a setting, a name, a public ID.

import (
	"encoding/base64"
	"net"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

var (
	placeholderWrapped = regexp.MustCompile(`^(?:<[^<>]*>|\{\{.*\}\}|\$\{.*\}|\$[A-Za-z_][A-Za-z0-9_]*|%[sv]|\[[A-Za-z _-]*\]|\([A-Za-z _-]*\))$`)
	// placeholderVocabulary are the words stand-ins are made of: "CHANGE_ME",
	// "your-api-key-here", "REPLACE_WITH_REAL_KEY", "TODO: set me",
	// "change-me-in-prod". A value is a placeholder when it is made of them
	// alone: "ChangeMe123!" is a usable password built on one.
	placeholderVocabulary = wordSet(`changeme changemeplease replaceme setme fillme todo tbd fixme placeholder dummy
		redacted secret secrets password passwords passwd pass token tokens apikey key keys none null nil undefined
		notset unset na empty default example examples sample test testing xxx secretkey accesskey mypassword
		yourpassword privatekey credentials credential hidden sensitive masked omitted foo bar baz foobar qux
		change replace set fill insert put enter edit update updated override me it this that your my our the a an
		here goes go with in to be for of on real actual proper own new value values string text api access private
		client auth id please later soon prod production dev development staging stage local demo fake mock not no
		generated provided supplied required needed must should is`)
	maskRun = regexp.MustCompile(`(?i)x{4,}|\*{4,}|…|\.\.\.`)
)

// IsPlaceholder reports whether a value stands in for a secret rather than
// being one: empty, `<your key>`, `CHANGE_ME`, `TODO`, `${DB_PASSWORD}`,
// `$TOKEN`, `{{ secret }}`, `********`, "your-api-key-here", a masked or
// elided value ("AKIAXXXXXXXXXXXXXXXX", "sk_live_..."), or any of these
// encoded in base64. The whole value must be the stand-in: a value built
// on "ChangeMe" with digits or symbols added is a usable password.
func IsPlaceholder(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" || placeholderWrapped.MatchString(s) || lowVariety(s) {
		return true
	}
	if len(s) > 200 {
		return false // a document, not a stand-in
	}
	if maskRun.MatchString(s) || placeholderWords(s) {
		return true
	}
	if d, ok := decodedBase64Text(s); ok && (IsPlaceholder(d) || plainWords.MatchString(d)) {
		// base64("changeme"), base64("stagingonly\n"): an encoded word
		// is a stand-in for an encoded secret.
		return true
	}
	return false
}

// placeholderWords reports a value made only of placeholder words and
// separators: no digits, no other symbols.
func placeholderWords(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) || strings.ContainsRune(" -_.:/!?'", r) {
			continue
		}
		return false
	}
	toks := nameTokens(s)
	if len(toks) == 0 {
		return false
	}
	for _, t := range toks {
		if !placeholderVocabulary[t] && !placeholderVocabulary[singular(t)] {
			return false
		}
	}
	return true
}

// plainWords is text of letters only (a word or a few, a trailing
// newline): what base64 of a word decodes to, unlike an encoded key.
var plainWords = regexp.MustCompile(`^[A-Za-z]+(?: [A-Za-z]+){0,3}\n?$`)

// decodedBase64Text decodes a value that is base64 (standard or URL
// alphabet) of printable UTF-8 text.
func decodedBase64Text(s string) (string, bool) {
	if len(s) < 8 || len(s) > 200 {
		return "", false
	}
	var b []byte
	var err error
	switch {
	case len(s)%4 == 0 && base64Std.MatchString(s):
		b, err = base64.StdEncoding.DecodeString(s)
	case base64URL.MatchString(s):
		b, err = base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
	default:
		return "", false
	}
	if err != nil || !utf8.Valid(b) {
		return "", false
	}
	for _, r := range string(b) {
		if !unicode.IsPrint(r) && r != '\n' && r != '\t' {
			return "", false
		}
	}
	return string(b), true
}

var (
	base64Std = regexp.MustCompile(`^[A-Za-z0-9+/]+={0,2}$`)
	base64URL = regexp.MustCompile(`^[A-Za-z0-9_-]+={0,2}$`)
)

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

var (
	numberLike   = regexp.MustCompile(`^[+-]?(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?$`)
	durationLike = regexp.MustCompile(`^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h|d|w|y|mo|sec|secs|min|mins|hour|hours|day|days))+$`)
	pathLike     = regexp.MustCompile(`^(?:[a-z][a-z0-9+.-]*:)?/*(?:[a-z0-9._@{}*-]+|[A-Z][a-z]+)(?:/+(?:[a-z0-9._@{}*-]+|[A-Z][a-z]+))+/*$`)
	fileNameLike = regexp.MustCompile(`(?i)^[~./\\]*[\w./\\-]*\.(?:json|pem|key|crt|cer|der|p12|pfx|jks|keystore|ppk|pub|txt|ya?ml|env|enc|gpg|asc|age|tfvars)$`)
	identLike    = regexp.MustCompile(`^[a-z][a-z0-9]*(?:[-_.][a-z0-9]+)+$|^[a-z]{1,9}[0-9]?$`)
	envNameLike  = regexp.MustCompile(`^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$`)
	hostLike     = regexp.MustCompile(`^[a-z0-9-]+(?:\.[a-z0-9-]+)+(?::\d+)?$`)
	emailLike    = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$`)
	settingWords = wordSet(`true false yes no on off enabled disabled enable disable default auto automatic managed
		generated generate random none internal external inherit inherited required optional vault kms ssm env file
		static dynamic bearer basic oauth oauth2 jwt hmac plaintext plain securestring string iam aws_iam custom
		service_account serviceaccount local remote header query cookie body seconds minutes hours days weeks months
		years milliseconds`)
)

// plausibleSecret reports whether a string stored under a secret name could
// be the secret itself (see notSecret).
func plausibleSecret(s string) bool { return notSecret(s) == "" }

var (
	// referenceSyntax: where a secret is kept, in the syntax of the tool
	// that will fetch it: `$name:key`, `$(name)`, `#{name}`,
	// `@Microsoft.KeyVault(…)`, `{{resolve:secretsmanager:…}}`, and the
	// URIs of secret stores (vault:, op://, sm://, ref+awsssm://…).
	referenceSyntax = regexp.MustCompile(`^(?:\$[A-Za-z_][\w.-]*(?::[\w./-]+)+|\$\([^()]+\)|#\{[^{}]+\}|@Microsoft\.KeyVault\(.*\))$|` +
		`(?i)^(?:vault|ssm|secretsmanager|secretmanager|sm|gsm|gcpsm|gcsm|awssm|awsssm|asm|op|bws|doppler|infisical|akv|azkv|keyvault|azurekeyvault|sops|sealed|k8s|kubernetes|secret|env|file|ref\+[a-z0-9]+)://?[^\s]+$|` +
		`(?i)^(?:vault|ssm|secretsmanager|env|file):[^\s:/][^\s]*$`)
	// formatVerb: a fmt/printf template ("/grafana/%s/api_key").
	formatVerb = regexp.MustCompile(`%(?:\[\d+\])?[-+# 0]*\d*(?:\.\d+)?[svdqxXtTfgo]`)
	// gcpSecretName: a Secret Manager resource name.
	gcpSecretName = regexp.MustCompile(`^projects/[^/\s]+/secrets/[^/\s]+(?:/versions/[^/\s]+)?$`)
	// pathSegment is one part of a secret's path or name in a store:
	// lower-case words, UPPER_SNAKE, CamelCase words, templates.
	pathSegment = regexp.MustCompile(`^(?:[a-z0-9]+(?:[-_.@][a-z0-9]+)*|[A-Z0-9]+(?:[-_.][A-Z0-9]+)*|(?:[A-Z][a-z0-9]+)+(?:[-_.](?:[A-Z][a-z0-9]+|[a-z0-9]+))*|\{[^{}]*\}|%[sv]|\*)$`)
	// camelWords: an identifier made of two or more capitalised words and
	// nothing else ("SecretsManager", "OracleEnterpriseManagementSecrets").
	camelWords = regexp.MustCompile(`^(?:[A-Z][a-z]+){2,}$`)
	// publicID: IDs of known public shapes: AWS resource IDs (subnet-…,
	// sg-…, ami-…), CloudFront distributions (E…), Route 53 zones (Z…),
	// Cognito user pools.
	publicID = regexp.MustCompile(`^(?:[a-z]{1,10}(?:-[a-z]{1,10})?-(?:[0-9a-f]{8}|[0-9a-f]{17})|E[0-9A-Z]{12,13}|Z[0-9A-Z]{12,31}|[a-z]{2}(?:-gov)?-[a-z]+-\d_[0-9A-Za-z]{9})$`)
)

// storePath reports a path or name in a secret store or file system:
// "/prod/DB_PASSWORD", "prod/db/password", "/grafana/%s/api_key",
// "projects/p/secrets/db/versions/latest". Every segment must be made of
// words; random text with slashes (a base64 key) is not a path.
func storePath(s string) bool {
	if gcpSecretName.MatchString(s) {
		return true
	}
	segs := strings.Split(strings.Trim(s, "/"), "/")
	if len(segs) < 2 {
		return false
	}
	for _, seg := range segs {
		if !pathSegment.MatchString(seg) {
			return false
		}
	}
	return true
}

// notSecret says why a string stored under a secret name is not the secret
// itself, or "" when it could be. It is not when it is a placeholder, a
// reference or template (`${…}`, `{{ … }}`, `%s`, `$name:key`, a secret
// store URI), a number, a boolean, a duration, an ARN, a URL, a path or a
// file name, a host name or e-mail address, an environment variable name,
// a setting keyword, prose, an identifier (the name of where the secret
// lives, "prod-db-password", or a short lower-case word that keys another
// object, "level0"), a character set (random_password's override_special)
// or an ID of a known public shape.
func notSecret(s string) string {
	s = strings.TrimSpace(s)
	switch {
	case IsPlaceholder(s):
		return "a placeholder"
	case len(s) < 6:
		return "too short"
	case strings.ContainsAny(s, " \t\n\r"):
		return "prose"
	case strings.Contains(s, "${") || strings.Contains(s, "{{") || formatVerb.MatchString(s) || referenceSyntax.MatchString(s):
		return "a reference or template"
	}
	lower := strings.ToLower(s)
	switch {
	case numberLike.MatchString(s), durationLike.MatchString(lower), settingWords[lower]:
		return "a setting"
	case strings.HasPrefix(s, "arn:"):
		return "an ARN"
	case pathLike.MatchString(s), fileNameLike.MatchString(s), storePath(s):
		return "a path"
	case hostLike.MatchString(s), emailLike.MatchString(s):
		return "an address"
	case envNameLike.MatchString(s) || identLike.MatchString(s) || camelWords.MatchString(s):
		return "an identifier"
	case publicID.MatchString(s):
		return "a public ID"
	case net.ParseIP(s) != nil:
		return "an address"
	case !strings.ContainsFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }):
		return "a character set"
	}
	if _, _, err := net.ParseCIDR(s); err == nil {
		return "an address"
	}
	if i := strings.Index(s, "://"); i > 0 && !strings.Contains(s[i+3:], "@") {
		return "a URL" // where the secret is, not the secret
	}
	if _, err := strconv.ParseBool(s); err == nil {
		return "a setting"
	}
	return ""
}

// HoldsReference says what a value under a secret name is when it tells
// that the name holds something other than the secret: a path, an ARN, a
// reference or template, an identifier (the name the secret is stored
// under), a URL, an address, a public ID, a character set or a setting.
// Placeholders, short and empty values say nothing: a variable whose
// default is "" or "CHANGE_ME" may well be set to the secret.
func HoldsReference(value string) (what string, ok bool) {
	switch why := notSecret(value); why {
	case "", "a placeholder", "too short", "prose":
		return "", false
	default:
		return why, true
	}
}

// referenceDescription: a description that says the value is where a
// secret is kept, or its name: "Kube Secret Name for tailscale", "The
// path in AWS SSM to the Grafana API Key", "Chamber parameter name store
// Spotinst token", "ARN or Id of the KMS key", "Parameter store secret name
// containing the client secret", "Map of secret names to ARNs", "1Password
// item containing the GitHub token".
var referenceDescription = regexp.MustCompile(`(?i)\b(?:(?:secret|parameter|key|token|password)(?:'s)? (?:name|path|arn|id)s?\b|` +
	`\b(?:item|entry) (?:containing|holding|with|that (?:holds|contains))\b|` +
	`(?:name|path|arn|id|location) (?:of|for|in|to|under|where)\b(?: [\w/-]+){0,5}? (?:secret|password|token|key|credential|parameter|ssm|vault)s?\b|` +
	`ssm (?:parameter|path|key)|(?:secrets? manager|ssm|vault|key vault) (?:secret |parameter )?(?:name|path|key)\b)`)

// DescribesReference reports whether a variable's description says that
// it holds the name, path or ARN of a secret rather than the secret.
// Only the first sentence counts: a longer description may describe the
// fields of a map ("- name: The name of the secret").
func DescribesReference(description string) bool {
	first := strings.TrimSpace(description)
	if i := strings.IndexAny(first, ".\n:"); i >= 0 {
		first = first[:i]
	}
	return referenceDescription.MatchString(first)
}
