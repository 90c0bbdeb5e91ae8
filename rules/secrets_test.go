package rules

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/tfgate/tfgate/analyzer/secrets"
)

// Test credentials are assembled from parts so that no scanner mistakes
// this file for a leak; every one is fake, and most say so.
var (
	fakeAWSKeyID    = "AKIA" + "IOSFODNN7EXAMPLE"                     // AWS documentation's example
	fakeAWSSecret   = "wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCYEXAMPLEKEY" // AWS documentation's example
	fakeGitHub      = "ghp" + "_TESTtestTESTtestTESTtestTESTtest0000"
	fakeGitHubOAuth = "gho" + "_TESTtestTESTtestTESTtestTESTtest0000"
	fakeGitHubPAT   = "github" + "_pat_" + strings.Repeat("Test0fake1", 8) + "ab"
	fakeSlack       = "xox" + "b-000000000000-000000000000-TESTfakeTESTfakeTESTfake"
	fakeSlackHook   = "https://hooks.slack.com/services/" + "T0TESTFAKE/B0TESTFAKE/TESTfakeTESTfakeTESTfake"
	fakeStripe      = "sk" + "_live_TESTfakeTESTfake00000000"
	fakeGoogle      = "AI" + "zaSyTESTfakeTESTfakeTESTfakeTESTfake0"
	fakeJWT         = "eyJhbGciOiJIUzI1NiJ9" + ".eyJzdWIiOiJ0ZXN0In0.c2lnbmF0dXJldGVzdA"
	fakePEM         = "-----BEGIN RSA " + "PRIVATE KEY-----\nMIIEfakeTESTkeyNOTrealMIIEfakeTESTkeyNOTrealMIIEfake\nTESTkeyNOTreal0123456789abcdefTESTkeyNOTreal==\n-----END RSA PRIVATE KEY-----\n"
	fakeGCP         = `{"type": "service_account", "project_id": "demo", "private_key_id": "0123", "private_key": "-----BEGIN ` + `PRIVATE KEY-----\nMIIEfakeTESTkeyNOTreal\n-----END PRIVATE KEY-----\n", "client_email": "ci@demo.iam.gserviceaccount.com"}`
)

func TestLooksLikeCredential(t *testing.T) {
	for _, tc := range []struct {
		value string
		kind  string // "" when not a credential
	}{
		{fakeAWSKeyID, "an AWS access key ID"},
		{"export AWS_ACCESS_KEY_ID=" + fakeAWSKeyID + "\n", "an AWS access key ID"},
		{fakeAWSSecret, "an AWS secret access key"},
		{"[default]\naws_secret_access_key = " + fakeAWSSecret + "\n", "an AWS secret access key"},
		{fakeGitHub, "a GitHub token"},
		{fakeGitHubOAuth, "a GitHub token"},
		{fakeGitHubPAT, "a GitHub token"},
		{"curl -H 'Authorization: token " + fakeGitHub + "' https://api.github.com", "a GitHub token"},
		{fakeSlack, "a Slack token"},
		{fakeSlackHook, "a Slack webhook URL"},
		{fakeStripe, "a Stripe live secret key"},
		{fakeGoogle, "a Google API key"},
		{fakeJWT, "a JWT"},
		{"Bearer " + fakeJWT, "a JWT"},
		{fakePEM, "a PEM private key"},
		{strings.ReplaceAll(fakePEM, "\n", `\n`), "a PEM private key"},
		{fakeGCP, "a GCP service account key"},
		{"postgres://app:S3cr3tPassw0rd@db.prod.internal:5432/app", "a URL with a password"},
		{"https://deploy:Tr0ub4dor3@git.example.com/infra.git", "a URL with a password"},
		{"Server=tcp:db.example.net;Database=app;User Id=app;Password=Tr0ub4dor3;", "a connection string with a password"},
		{"DefaultEndpointsProtocol=https;AccountName=logs;AccountKey=Zq8rT2vN5xK0bL7mW3yH9cJ4D6sG1aP0eU2iO8k+Vw==;", "a connection string with an access key"},

		// Not credentials.
		{"", ""},
		{"8f0f8c7a3b2e1d0c9f8e7d6c5b4a39281706f5e4", ""},     // a git commit
		{"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", ""}, // base64 sha256
		{"arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab", ""},
		{"prod/db/password", ""},
		{"1h", ""},
		{"<your key>", ""},
		{"https://vault.example.com/v1/secret/data/app", ""},
		{"postgres://app:${DB_PASSWORD}@db.example.com/app", ""},
		{"postgres://app:$DB_PASSWORD@db.example.com/app", ""},
		{"postgres://postgres:postgres@db.example.com/app", ""}, // password = user: a default
		{"postgres://app:Tr0ub4dor3@localhost:5432/app", ""},    // local development
		{"https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX", ""},
		{"ghp_" + strings.Repeat("x", 36), ""},
		{"AKIA" + strings.Repeat("X", 16), ""},
		{"-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----", ""},
		{"-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAfakeTESTkeyNOTreal\n-----END PUBLIC KEY-----", ""},
		{"Server=tcp:db.example.net;Database=app;Password={your_password};", ""},
		{"The database password is rotated every 30 days", ""},
		{"Prod/Application/Database/MasterPassword", ""},
		{"ThisIsAVeryLongCamelCaseIdentifierName01", ""}, // 40 characters, but words
	} {
		kind, ok := secrets.LooksLikeCredential(tc.value)
		if ok != (tc.kind != "") || kind != tc.kind {
			t.Errorf("LooksLikeCredential(%.40q) = %q, %v; want %q", tc.value, kind, ok, tc.kind)
		}
	}
}

func TestSecretName(t *testing.T) {
	for _, tc := range []struct {
		name   string
		secret bool
		kind   string
	}{
		{"password", true, "a password"},
		{"db_password", true, "a password"},
		{"master_password", true, "a password"},
		{"masterUserPassword", true, "a password"},
		{"passwd", true, "a password"},
		{"admin_pwd", true, "a password"},
		{"passphrase", true, "a passphrase"},
		{"secret", true, "a secret"},
		{"client_secret", true, "a client secret"},
		{"clientSecret", true, "a client secret"},
		{"secret_key", true, "a secret key"},
		{"secret_string", true, "a secret"},
		{"token", true, "a token"},
		{"github_token", true, "a token"},
		{"auth_token", true, "a token"},
		{"api_key", true, "an API key"},
		{"APIKey", true, "an API key"},
		{"datadog_api_keys", true, "an API key"},
		{"private_key", true, "a private key"},
		{"ssh_private_key_pem", true, "a private key"},
		{"access_key", true, "an access key"},
		{"aws_secret_access_key", true, "an access key"},
		{"primary_access_key", true, "an access key"},
		{"credentials", true, "credentials"},
		{"db_credentials", true, "credentials"},
		{"connection_string", true, "a connection string"},
		{"primary_connection_string", true, "a connection string"},
		{"password_wo", true, "a password"},
		{"DB_PASSWORD", true, "a password"},
		{"postgresql.auth.password", true, "a password"},
		{"/prod/db/password", true, "a password"},

		// About a secret, not the secret.
		{"password_length", false, ""},
		{"min_password_length", false, ""},
		{"secret_name", false, ""},
		{"token_ttl", false, ""},
		{"token_ttl_seconds", false, ""},
		{"kms_key_arn", false, ""},
		{"secret_arn", false, ""},
		{"access_key_id", false, ""},
		{"client_secret_id", false, ""},
		{"ssh_private_key_path", false, ""},
		{"credentials_file", false, ""},
		{"secret_version", false, ""},
		{"password_wo_version", false, ""},
		{"password_policy", false, ""},
		{"password_reset_required", false, ""},
		{"password_encryption", false, ""},
		{"token_endpoint_auth_method", false, ""},
		{"secret_rotation_lambda_arn", false, ""},
		{"enable_secret_rotation", false, ""},
		{"create_random_password", false, ""},
		{"manage_master_user_password", false, ""},
		{"generate_secret", false, ""},
		{"api_key_source", false, ""},
		{"api_key_required", false, ""},
		{"public_key", false, ""},
		{"description", false, ""},
		{"username", false, ""},
		{"key", false, ""},
		{"passwordless", false, ""},
		{"secretsmanager_arn", false, ""},
		// Names judged by what they hold (issue 16).
		{"db_password_ssm_key", false, ""},
		{"db_password_key", false, ""},
		{"ssm_path_password", false, ""},
		{"ssm_path_format_api_key", false, ""},
		{"customer_master_key_spec", false, ""},
		{"client_token_validity_units", false, ""},
		{"token_domains", false, ""},
		{"random_password_override_special", false, ""},
		{"secret_access_metric_namespace", false, ""},
		{"software_token_mfa_configuration", false, ""},
		{"sops_secrets_directory", false, ""},
		{"sops_secrets", false, ""},
		{"dkim_tokens", false, ""},
		{"verification_token", false, ""},
		{"creation_token", false, ""},
		{"image_pull_secrets", false, ""},
		{"chamber_name_token", false, ""},
		{"client_secret_key", true, "a client secret"},
		{"mq_admin_password", true, "a password"},
		{"github_token_override", true, "a token"},
		{"id_token", true, "a token"},
		{"vault_token", true, "a token"},
	} {
		if got := secrets.SecretName(tc.name); got != tc.secret {
			t.Errorf("SecretName(%q) = %v, want %v", tc.name, got, tc.secret)
		}
		if _, kind := secrets.ClassifyName(tc.name); tc.secret && kind != tc.kind {
			t.Errorf("ClassifyName(%q) kind = %q, want %q", tc.name, kind, tc.kind)
		}
	}
}

func TestIsPlaceholder(t *testing.T) {
	for _, s := range []string{
		"", "  ", "<your key>", "<password>", "CHANGE_ME", "changeme", "change-me-in-prod", "TODO", "TODO: set me",
		"${DB_PASSWORD}", "$DB_PASSWORD", "{{ db_password }}", "********", "xxxxxxxxxx", "REPLACE_WITH_REAL_KEY",
		"your-api-key-here", "password", "secret", "none", "null", "[REDACTED]", "%s", "dummy", "placeholder",
		"example", "test", "xxx", "<db password>", "AKIAXXXXXXXXXXXXXXXX", "sk_live_...", "Y2hhbmdlbWU=", // base64 "changeme"
		"ZHVtbXktcGFzc3dvcmQ=", "c3RhZ2luZ29ubHkK", // base64 "dummy-password", "stagingonly\n"
	} {
		if !secrets.IsPlaceholder(s) {
			t.Errorf("IsPlaceholder(%q) = false, want true", s)
		}
	}
	for _, s := range []string{
		"Tr0ub4dor&3", "hunter2hunter2", fakeAWSSecret, fakeAWSKeyID, "S3cr3tPassw0rd", "correcthorsebatterystaple",
		// Built on a placeholder word, with digits and symbols: usable passwords.
		"ChangeMe123!", "changeme2024", "Example#1", "test-Passw0rd",
		"VHIwdWI0ZG9yJjM=", // base64 of a password is not a placeholder
	} {
		if secrets.IsPlaceholder(s) {
			t.Errorf("IsPlaceholder(%q) = true, want false", s)
		}
	}
}

func TestDetectSecret(t *testing.T) {
	for _, tc := range []struct {
		name, value string
		kind        string
	}{
		// By name, with a value that could be the secret.
		{"db_password", "Tr0ub4dor&3", "a password"},
		{"password", "hunter2hunter2", "a password"},
		{"api_key", "0123456789abcdef0123456789abcdef", "an API key"},
		{"token", "s.TESTfakeVaultToken000", "a token"},
		{"client_secret", "5b0c9d8e-7f6a-4b3c-9d2e-1f0a9b8c7d6e", "a client secret"},
		// By value, whatever the name.
		{"description", fakeAWSKeyID, "an AWS access key ID"},
		{"aws_access_key_id", fakeAWSKeyID, "an AWS access key ID"},
		{"user_data", "#!/bin/sh\nexport GITHUB_TOKEN=" + fakeGitHub + "\n", "a GitHub token"},
		{"database_url", "mysql://app:Tr0ub4dor3@db.internal/app", "a URL with a password"},

		// Traps: the name is a secret's, the value is not one.
		{"db_password", "", ""},
		{"password", "CHANGE_ME", ""},
		{"api_key", "<your key>", ""},
		{"password", "${DB_PASSWORD}", ""},
		{"token", "1h", ""},
		{"password", "16", ""},
		{"password", "true", ""},
		{"secret", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf", ""},
		{"secret", "prod/db/password", ""},
		{"password", "projects/demo/secrets/db-password/versions/latest", ""},
		{"password", "db-password", ""},
		{"password", "DB_PASSWORD", ""},
		{"credentials", "account.json", ""},
		{"credentials", "~/.config/gcloud/application_default_credentials.json", ""},
		{"credentials", "default", ""},
		{"token", "https://vault.example.com", ""},
		{"secret", "vault.example.com", ""},
		{"password", "The master password", ""},
		{"connection_string", "Server=tcp:db.example.net;Database=app;", ""},
		{"password", "abc", ""},
		{"password_encryption", "scram-sha-256", ""},
		// Traps: the name is about a secret.
		{"secret_name", "prod/db/password", ""},
		{"password_length", "16", ""},
		{"token_ttl", "1h", ""},
		{"kms_key_arn", "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab", ""},
		{"secret_id", "Tr0ub4dor3XY", ""},
		{"description", "Rotate the password every 30 days", ""},
		// Traps: references, formats, store paths, public IDs, charsets (issue 16).
		{"password", "$db:password", ""},
		{"password", "/grafana/%s/api_key", ""},
		{"api_key", "/prod/app/DB_PASSWORD", ""},
		{"token", "vault:secret/data/ci#token", ""},
		{"client_secret", "sm://acme-prod/oauth-client-secret", ""},
		{"password", "op://Infrastructure/Postgres/password", ""},
		{"secret", "ref+awsssm://prod/service/token", ""},
		{"password", "{{resolve:secretsmanager:prod/db:SecretString:password}}", ""},
		{"password", "@Microsoft.KeyVault(SecretUri=https://acme.vault.azure.net/secrets/db/)", ""},
		{"secret", "SecretsManager", ""},
		{"secret", "OracleEnterpriseManagementSecrets", ""},
		{"password", "!#$%&*()-_=+[]{}<>:?", ""},
		{"secret", "E1234567890ABC", ""},
		{"secret", "subnet-0a1b2c3d4e5f67890", ""},
		{"password", "ChangeMe123!", "a password"},
		{"password", "Admin123!", "a password"},
	} {
		kind, ok := secrets.DetectSecret(tc.name, tc.value)
		if ok != (tc.kind != "") || kind != tc.kind {
			t.Errorf("DetectSecret(%q, %.30q) = %q, %v; want %q", tc.name, tc.value, kind, ok, tc.kind)
		}
	}
}

func TestLiteralSecrets(t *testing.T) {
	for _, tc := range []struct {
		src  string // an attribute `x = …`
		opts secrets.SecretOptions
		want []string // "path: kind"
	}{
		{`x = { password = "Tr0ub4dor&3", username = "admin", host = "db.internal", port = 5432 }`, secrets.SecretOptions{}, []string{"x.password: a password"}},
		{`passwords = { admin = "Tr0ub4dor&3", app = "CHANGE_ME" }`, secrets.SecretOptions{}, []string{"passwords.admin: a password"}},
		{`tokens = ["` + fakeGitHub + `", "<token>"]`, secrets.SecretOptions{}, []string{"tokens[0]: a GitHub token"}},
		{`db = { engine = "postgres", name = "app" }`, secrets.SecretOptions{Sensitive: true}, nil},
		{`db = "Tr0ub4dor&3"`, secrets.SecretOptions{Sensitive: true}, []string{"db: a secret"}},
		{`env = [{ name = "DB_PASSWORD", value = "Tr0ub4dor&3" }, { name = "LOG_LEVEL", value = "debug-verbose" }]`, secrets.SecretOptions{}, []string{"env[0].value: a password"}},
		{`secret_string = "{\"username\":\"app\",\"password\":\"Tr0ub4dor&3\"}"`, secrets.SecretOptions{}, []string{"secret_string: a password"}},
		{`secret_string = jsonencode({ username = "app", password = "Tr0ub4dor&3" })`, secrets.SecretOptions{Literal: true}, []string{"secret_string.password: a password"}},
		{`secret_string = jsonencode({ username = "app", password = var.db_password })`, secrets.SecretOptions{Literal: true}, nil},
		{`password = var.db_password`, secrets.SecretOptions{Literal: true}, nil},
		{`password = "${var.prefix}Tr0ub4dor&3"`, secrets.SecretOptions{Literal: true}, nil},
		{`password = random_password.db.result`, secrets.SecretOptions{Literal: true}, nil},
		{`password = file("secret.txt")`, secrets.SecretOptions{Literal: true}, nil},
		{"user_data = <<-EOT\n  export HOME=${var.home}\n  export AWS_ACCESS_KEY_ID=" + fakeAWSKeyID + "\nEOT\n", secrets.SecretOptions{Literal: true}, []string{"user_data: an AWS access key ID"}},
	} {
		f, d := hclsyntax.ParseConfig([]byte(tc.src), "test.tf", hcl.Pos{Line: 1, Column: 1})
		if d.HasErrors() {
			t.Fatalf("%s: %v", tc.src, d)
		}
		var got []string
		for name, a := range f.Body.(*hclsyntax.Body).Attributes {
			for _, h := range secrets.LiteralSecrets(name, a.Expr, tc.opts) {
				got = append(got, h.Path+": "+h.Kind)
			}
		}
		if strings.Join(got, "; ") != strings.Join(tc.want, "; ") {
			t.Errorf("%.60s: got %q, want %q", tc.src, got, tc.want)
		}
	}
}

// TestValueSecrets searches values as the plan linter will: decoded plan
// JSON, nested, with names from the keys.
func TestValueSecrets(t *testing.T) {
	var doc any
	src := `{
		"engine": "postgres",
		"username": "app",
		"password": "Tr0ub4dor&3-horse",
		"password_length": 16,
		"tags": {"team": "data", "description": "password rotated monthly"},
		"parameters": [{"name": "DB_PASSWORD", "value": "Tr0ub4dor&3-horse"}, {"name": "region", "value": "eu-west-1"}],
		"user_data": "export AWS_ACCESS_KEY_ID=` + fakeAWSKeyID + `",
		"secret_arn": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf"
	}`
	if err := json.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range secrets.ValueSecrets("aws_db_instance.main", secrets.JSONToCty(doc), hcl.Range{}) {
		got = append(got, h.Path+": "+h.Kind)
	}
	want := []string{
		"aws_db_instance.main.parameters[0].value: a password",
		"aws_db_instance.main.password: a password",
		"aws_db_instance.main.user_data: an AWS access key ID",
	}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestDescribesReference(t *testing.T) {
	for desc, want := range map[string]bool{
		"Kube Secret Name for tailscale":                                                    true,
		"The path in AWS SSM to the Grafana API Key":                                        true,
		"Chamber parameter name store Spotinst token":                                       true,
		"ARN of the Secrets Manager secret holding the password":                            true,
		"Name of the SSM parameter with the token":                                          true,
		"Password of the database admin user":                                               false,
		"The API key for Datadog":                                                           false,
		"Secret used to sign each webhook request":                                          false,
		"Use the value of this variable as the GitHub token instead of reading it from SSM": false,
		"Master password of the database; set TF_VAR_db_password from the CI secret store":  false,
	} {
		if got := secrets.DescribesReference(desc); got != want {
			t.Errorf("DescribesReference(%q) = %v, want %v", desc, got, want)
		}
	}
}

func TestDescribesReferenceFirstSentence(t *testing.T) {
	for desc, want := range map[string]bool{
		"The name of the Datadog API secret":                                                             true,
		"ARN or Id of the AWS KMS key to be used to encrypt the secret values":                           true,
		"Parameter store secret name containing the InfoX client secret":                                 true,
		"A map of the catalog name to Athena Federated Query connection strings":                         false,
		"Map of secrets to be created. Each secret can have:\n  - name: The name of the secret (a path)": false,
	} {
		if got := secrets.DescribesReference(desc); got != want {
			t.Errorf("DescribesReference(%q) = %v, want %v", desc, got, want)
		}
	}
}
