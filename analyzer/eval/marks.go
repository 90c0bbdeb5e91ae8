package eval

import (
	"github.com/tfgate/tfgate/analyzer/secrets"
	"github.com/zclconf/go-cty/cty"
)

// Marks. Inside the evaluator values carry cty marks, as in Terraform:
//
//   - markSensitive: sensitive(), variables declared `sensitive = true`
//     (what issensitive and nonsensitive see);
//   - markEphemeral: variables declared `ephemeral = true` (what
//     ephemeralasnull replaces with null);
//   - markFile: values read through a file function (file, templatefile,
//     filebase64, …): a link committed to the repository can point at any
//     file, so what they read is possibly secret;
//   - markSecret (tfgate's own): variables named for a secret whose value
//     could be one (db_password = "…", not "prod/db/password").
//
// Marks never leave the evaluator (a marked value panics on AsString):
// every value handed to rules is unmarked (exportValue), which records the
// strings of its sensitive and secret parts first (Result.SensitiveValues)
// for the redaction point of reports. What file functions read is
// followed separately (filevalues.go: the strings their results become
// where the configuration uses them).
const (
	markSensitive = evalMark("sensitive")
	markEphemeral = evalMark("ephemeral")
	markFile      = evalMark("file")
	// markSecret: variables named for a secret (secrets.SecretName) whose
	// value could be one; tfgate's own, for redaction only.
	markSecret = evalMark("secret")
)

// secretValue reports whether a value of the variable name holds a
// string that could be the secret its name says (secrets.DetectSecret:
// not "prod/db/password", the name of where one is kept).
func secretValue(name string, v cty.Value) bool {
	found := false
	collectStrings(v, func(s string) {
		if !found {
			_, found = secrets.DetectSecret(name, s)
		}
	})
	return found
}

type evalMark string

// markingFuncs are the functions that mark their results: evaluations
// that call them unmark what they return.
var markingFuncs = map[string]bool{"sensitive": true, "file": true, "filebase64": true, "templatefile": true}

// exportValue unmarks a value leaving the evaluator. The strings of its
// sensitive parts (and of secret-named variables' values) are recorded
// with the run's sensitive values first
// (Result.SensitiveValues): what a configuration derives from a sensitive
// variable (upper(var.password), "x-${var.token}", base64encode(…)) is as
// secret as the variable, as in Terraform, and the redaction point hides
// it in every report.
func exportValue(in *Instance, v cty.Value) cty.Value {
	if in == nil || !in.mayMark.Load() && !v.IsMarked() {
		return v
	}
	if !v.ContainsMarked() {
		return v
	}
	uv, pvm := v.UnmarkDeepWithPaths()
	if in.budget != nil && in.budget.ev != nil {
		for _, pm := range pvm {
			_, sensitive := pm.Marks[markSensitive]
			_, secret := pm.Marks[markSecret]
			if !sensitive && !secret {
				continue
			}
			if part, err := pm.Path.Apply(uv); err == nil {
				in.budget.ev.sensitive.add(part)
			}
		}
	}
	return uv
}

// unmarked splits a value into its unmarked form and the marks to put
// back on it.
func unmarked(v cty.Value) (cty.Value, []cty.PathValueMarks) {
	if !v.ContainsMarked() {
		return v, nil
	}
	return v.UnmarkDeepWithPaths()
}
