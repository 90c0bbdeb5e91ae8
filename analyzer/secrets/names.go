package secrets

// What a name says about the value stored under it.

import (
	"strings"
	"unicode"
)

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
	privilege privileges capability capabilities grant grants acl acls rights keyvault spec specs unit units validity
	domain domains special charset chars characters alphabet symbols digits upper lower numeric namespace namespaces
	metric metrics alarm alarms topic queue table directory dir dirs folder configuration config configs mapping`)

// keyQualified keywords take "key" as a qualifier: password_key and
// token_key name the key a password is stored under; secret_key and
// client_secret_key are keys themselves.
var keyQualified = map[string]bool{"a password": true, "a passphrase": true, "a token": true, "credentials": true}

// standInWords in a name say that what it holds are stand-ins:
// servicenow_credentials_placeholder, dummy_secrets, example_tokens.
var standInWords = wordSet(`placeholder placeholders dummy dummies fake fakes mock mocks sample samples example examples`)

// StandInName reports whether a name says its value is a stand-in.
func StandInName(name string) bool {
	for _, t := range nameTokens(name) {
		if standInWords[t] {
			return true
		}
	}
	return false
}

// holders before a keyword make the name about where or what the secret
// is, not the secret: ssm_path_password (an SSM parameter name),
// ssm_path_format_api_key, dkim_tokens and verification_token (public DNS
// records), creation_token (an idempotency token), image_pull_secrets
// (names of Kubernetes secrets), op_vault_item_github_token (the 1Password
// item that holds it).
var holders = wordSet(`ssm parameter param format secretsmanager path arn location ref reference dkim verification
	validation verify confirmation creation pull item entry`)

// holdersNext, right before a keyword: chamber_name_token (the name the
// token is stored under).
var holdersNext = wordSet(`name`)

// leadingVerbs make a name a switch or an action: enable_secret_rotation,
// create_random_password, manage_master_user_password.
var leadingVerbs = wordSet(`enable enabled disable disabled is has use uses create manage generate rotate allow require
	requires skip ignore store should with include exclude auto force no reset`)

// protected before a keyword: encrypted_password, hashed_token.
var protected = wordSet(`encrypted hashed ciphertext sops sealed`)

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
	best, last, first := -1, -1, -1
	for i := 0; i < len(toks); i++ {
		w := singular(toks[i])
		if i+1 < len(toks) {
			if k, ok := secretWords[w+singular(toks[i+1])]; ok {
				if first < 0 {
					first = i
				}
				best = betterKind(best, k)
				last = i + 1
				plural = isPlural(toks[i+1], k)
				i++
				continue
			}
		}
		if k, ok := secretWords[w]; ok {
			if first < 0 {
				first = i
			}
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
	for i, t := range toks[:last] {
		if protected[t] {
			return NameNotSecret, "", false // ciphertext or a digest, not the secret
		}
		if holders[t] || i == first-1 && holdersNext[t] {
			return NameNotSecret, "", false // where the secret is, or a public value
		}
	}
	for _, t := range toks[last+1:] {
		if qualifiers[t] || qualifiers[singular(t)] || keyQualified[kindRank[best]] && singular(t) == "key" {
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
