package secrets

// What a value is when it is not a secret: a placeholder, a reference to
// where the secret is kept, a setting, a name, a public ID.

import (
	"net"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

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
