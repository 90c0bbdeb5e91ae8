package tags

import "testing"

func TestNormKey(t *testing.T) {
	for in, want := range map[string]string{
		"Environment": "environment", "cost-center": "costcenter", "Cost_Center": "costcenter",
		"app.kubernetes.io": "appkubernetesio", "env": "env", "Cost Center": "cost center",
	} {
		if got := NormKey(in); got != want {
			t.Errorf("NormKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestStripInstanceKeys(t *testing.T) {
	for in, want := range map[string]string{
		`module.a`:                        `module.a`,
		`module.a[0].module.b`:            `module.a.module.b`,
		`module.svc["worker"]`:            `module.svc`,
		`module.svc["a]b"].module.c["x"]`: `module.svc.module.c`,
		`module.svc["q\"]"].module.c`:     `module.svc.module.c`,
	} {
		if got := stripInstanceKeys(in); got != want {
			t.Errorf("stripInstanceKeys(%q) = %q, want %q", in, got, want)
		}
	}
}
