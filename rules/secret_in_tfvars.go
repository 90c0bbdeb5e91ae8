package rules

import (
	"github.com/tfgate/tfgate/analyzer"
	"github.com/tfgate/tfgate/analyzer/eval"
	"github.com/tfgate/tfgate/analyzer/secrets"
)

// SecretInTfvars reports credentials written in tfvars files.
var secretInTfvars = register(&analyzer.Rule{
	ID:       "secret-in-tfvars",
	Family:   analyzer.FamilySecrets,
	Severity: analyzer.Error,
	Security: true,
	Doc: analyzer.Doc{
		Title: "No credentials in tfvars files",
		Why: "A `.tfvars` file is committed with the code, copied into CI logs and artifacts, and read by " +
			"everyone with access to the repository. A credential in it is leaked for as long as the history " +
			"exists, even after the line is deleted.\n\n" +
			"tfgate recognises credentials by their shape whatever they are called (AWS access keys, GitHub, " +
			"Slack and Stripe tokens, Google API keys, PEM private keys, JWTs, URLs and connection strings with " +
			"a password, GCP service account keys), and by their name (`password`, `secret`, `token`, `api_key`, " +
			"`private_key`, `access_key`, `client_secret`, `credentials`…) when the value could be the secret " +
			"itself. Empty values, placeholders (`<…>`, `CHANGE_ME`, `TODO`, `${…}`), numbers, booleans, " +
			"durations, ARNs, paths and names of secrets (`secret_name = \"prod/db/password\"`) and names such as " +
			"`*_length`, `*_ttl`, `*_arn`, `*_id`, `*_path` and `*_name` are not credentials. Nested values count: " +
			"`db = { password = \"…\" }` is reported as `db.password`.\n\n" +
			"The finding names the variable and the kind of credential, never the value, and output formats " +
			"never show the lines it covers.",
		Fix: "Rotate the credential first: it has been exposed. Then remove it from the file and pass it at run " +
			"time instead: a `TF_VAR_<name>` environment variable set from your CI's secret store, or a data " +
			"source or ephemeral resource that reads it from a secrets manager (AWS Secrets Manager, Vault, " +
			"Azure Key Vault, GCP Secret Manager). Declare the variable with `sensitive = true`.",
		Bad: `# prod.tfvars
db_password = "Tr0ub4dor&3-horse"
aws_secret_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"`,
		Good: `# prod.tfvars: the password comes from TF_VAR_db_password in CI
db_secret_name  = "prod/db/password"
password_length = 24`,
	},
	Run: runSecretInTfvars,
})

func runSecretInTfvars(pass *analyzer.Pass) error {
	for _, f := range pass.Project.VarFiles() {
		if f.Module != nil && !f.Module.Scanned {
			continue
		}
		module := ""
		if f.Module != nil {
			module = f.Module.Dir
		}
		for _, a := range secretAttrsInOrder(eval.TFVarsAttrs(f)) {
			sensitive := false
			if f.Module != nil {
				if vb := f.Module.Variable(a.Name); vb != nil {
					sensitive = secretStaticTrue(vb, "sensitive")
				}
			}
			for _, h := range secrets.LiteralSecrets(a.Name, a.Expr, secrets.SecretOptions{Sensitive: sensitive}) {
				rng := h.Range
				if h.Path == a.Name {
					rng = a.Range
				}
				pass.Report(analyzer.Finding{
					Range:     rng,
					Message:   "`" + h.Path + "` is " + hardcoded(h, "tfvars value") + "; rotate it, then keep it out of the repository: set `TF_VAR_" + a.Name + "` from your CI's secret store",
					Module:    module,
					Address:   "file@" + f.Path,
					Attribute: h.Path,
					Secret:    true,
				})
			}
		}
	}
	return nil
}
