package report

import (
	"strings"
	"testing"
)

func TestCommandLineRedacts(t *testing.T) {
	const s = "tfgate-FAKE-cmdline-s3cr3t"
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--var", "db_password=" + s, "."}, "tfgate lint --var db_password=<redacted> ."},
		{[]string{"--var=db_password=" + s}, "tfgate lint --var=db_password=<redacted>"},
		{[]string{"-var", "region=eu-west-1"}, "tfgate lint -var region=<redacted>"},
		{[]string{"-var=x=" + s}, "tfgate lint -var=x=<redacted>"},
		{[]string{"--var", s}, "tfgate lint --var <redacted>"},
		{[]string{"--backend-config", "access_key=" + s, "--backend-config", "prod.s3.tfbackend"}, "tfgate lint --backend-config access_key=<redacted> --backend-config prod.s3.tfbackend"},
		{[]string{"--backend-config=password=" + s}, "tfgate lint --backend-config=password=<redacted>"},
		{[]string{"--var-file", "envs/prod/prod.tfvars", "--format", "sarif=out.sarif"}, "tfgate lint --var-file envs/prod/prod.tfvars --format sarif=out.sarif"},
		{[]string{"token=" + s}, "tfgate lint token=<redacted>"},
		{[]string{"AKIAIOSFODNN7EXAMPLF"}, "tfgate lint <redacted>"},
		{[]string{"dir with space"}, "tfgate lint 'dir with space'"},
		{[]string{"--var", "msg=it's " + s}, "tfgate lint --var msg=<redacted>"},
	} {
		got := CommandLine("tfgate lint", tc.args)
		if got != tc.want {
			t.Errorf("CommandLine(%q) = %q, want %q", tc.args, got, tc.want)
		}
		if strings.Contains(got, s) {
			t.Errorf("CommandLine(%q) leaks the secret: %s", tc.args, got)
		}
	}
}
