package eval

import "github.com/zclconf/go-cty/cty"

// Marks. Inside the evaluator values carry cty marks, as in Terraform:
//
//   - markSensitive: sensitive(), variables declared `sensitive = true`
//     (what issensitive and nonsensitive see);
//   - markEphemeral: variables declared `ephemeral = true` (what
//     ephemeralasnull replaces with null);
//   - markFile: values read through a file function (file, templatefile,
//     filebase64, …): a link committed to the repository can point at any
//     file, so what they read is possibly secret.
//
// Marks never leave the evaluator (a marked value panics on AsString):
// every value handed to rules is unmarked (exportValue). What reaches the
// redaction point of reports is followed separately (filevalues.go: the
// strings file functions' results become where the configuration uses
// them; the redactor's own sources for sensitive values).
const (
	markSensitive = evalMark("sensitive")
	markEphemeral = evalMark("ephemeral")
	markFile      = evalMark("file")
)

type evalMark string

// markingFuncs are the functions that mark their results: evaluations
// that call them unmark what they return.
var markingFuncs = map[string]bool{"sensitive": true, "file": true, "filebase64": true, "templatefile": true}

// exportValue unmarks a value leaving the evaluator. The strings of its
// sensitive parts are recorded with the run's sensitive values first
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
			if _, ok := pm.Marks[markSensitive]; !ok {
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
