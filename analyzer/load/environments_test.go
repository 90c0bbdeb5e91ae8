package load

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDiscoverEnvironments loads layouts of live repositories and checks
// the environments found for each root: "name=file+file" in name order.
func TestDiscoverEnvironments(t *testing.T) {
	// A module that declares only variables is not a module (shared
	// variable files): the roots here have a resource too.
	const vars = "variable \"min_size\" {}\nvariable \"env\" {}\nresource \"null_resource\" \"x\" {}\n"
	const set = "min_size = 1\n"
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  map[string]string // root → environments
	}{
		{"beside the root", map[string]string{
			"main.tf": vars, "prod.tfvars": set, "dev.tfvars.json": `{"min_size": 1}`,
			"terraform.tfvars": set, "x.auto.tfvars": set, // always loaded: no environment
		}, map[string]string{".": "dev=dev.tfvars.json prod=prod.tfvars"}},
		{"an env directory of files", map[string]string{
			"stacks/api/main.tf": vars, "stacks/api/env/dev.tfvars": set, "stacks/api/env/prod.tfvars": set,
			"stacks/api/env/state.tfvars": "bucket = \"b\"\nkey = \"k\"\n", // a backend configuration: sets no variable
		}, map[string]string{"stacks/api": "dev=stacks/api/env/dev.tfvars prod=stacks/api/env/prod.tfvars"}},
		{"config/<env>.tfvars.json (DFE-Digital)", map[string]string{
			"cluster/aks/main.tf": vars, "cluster/aks/config/development.tfvars.json": `{"env": "d"}`,
			"cluster/aks/config/production.tfvars.json": `{"env": "p"}`,
		}, map[string]string{"cluster/aks": "development=cluster/aks/config/development.tfvars.json production=cluster/aks/config/production.tfvars.json"}},
		{"environments/<env>/ with shared files", map[string]string{
			"main.tf": vars, "common.tfvars": set, "environments/common.tfvars": set,
			"environments/dev/terraform.tfvars": set, "environments/prod/terraform.tfvars": set, "environments/prod/sizes.tfvars": set,
		}, map[string]string{".": "dev=common.tfvars+environments/common.tfvars+environments/dev/terraform.tfvars " +
			"prod=common.tfvars+environments/common.tfvars+environments/prod/sizes.tfvars+environments/prod/terraform.tfvars"}},
		{"variables/<env>/*.tfvars", map[string]string{
			"infra/main.tf": vars, "infra/variables/prod/a.tfvars": set, "infra/variables/prod/b.tfvars": set,
			"infra/variables/dev/a.tfvars": set,
		}, map[string]string{"infra": "dev=infra/variables/dev/a.tfvars prod=infra/variables/prod/a.tfvars+infra/variables/prod/b.tfvars"}},
		{"env-<name>/ directories (vjsmit/roboshop)", map[string]string{
			"main.tf": vars, "env-dev/main.tfvars": set, "env-dev/state.tfvars": "bucket = \"b\"\n",
			"env-prod/main.tfvars": set, "env-prod/state.tfvars": "bucket = \"b\"\n",
		}, map[string]string{".": "env-dev=env-dev/main.tfvars env-prod=env-prod/main.tfvars"}},
		{"only a shared file: it is the environment", map[string]string{
			"main.tf": vars, "vars/common.tfvars": set,
		}, map[string]string{".": "common=vars/common.tfvars"}},
		{"environments/ of roots (modernisation-platform): no environments", map[string]string{
			"terraform/environments/app/main.tf": vars, "terraform/environments/app/networking.auto.tfvars.json": `{"env": "x"}`,
			"terraform/environments/db/main.tf": vars,
		}, map[string]string{"terraform/environments/app": "", "terraform/environments/db": ""}},
		{"examples/ and tests/ hold no environments; child modules none", map[string]string{
			"main.tf": vars + "provider \"aws\" {}\nmodule \"m\" {\n  source = \"./modules/m\"\n}\n", "examples/basic.tfvars": set, "tests/unit/x.tfvars": set,
			"modules/m/main.tf": vars, "modules/m/prod.tfvars": set,
		}, map[string]string{".": ""}},
		{"a root without variables has none", map[string]string{
			"main.tf": "resource \"null_resource\" \"x\" {}\n", "env/prod.tfvars": set,
		}, map[string]string{".": ""}},
		{"deeper than two levels is not looked at", map[string]string{
			"main.tf": vars, "env/eu/prod/terraform.tfvars": set,
		}, map[string]string{".": ""}},
		{"a nested root takes its own", map[string]string{
			"main.tf": vars, "prod.tfvars": set, "sub/main.tf": vars, "sub/env/prod.tfvars": set,
		}, map[string]string{".": "prod=prod.tfvars", "sub": "prod=sub/env/prod.tfvars"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, src := range tc.files {
				p := filepath.Join(dir, filepath.FromSlash(name))
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			p, err := Load(LoadOptions{WorkDir: dir})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, m := range p.Modules {
				if !mayHaveEnvironments(m) {
					if len(m.Environments) > 0 {
						t.Errorf("child module %s has environments", m.Dir)
					}
					continue
				}
				var envs []string
				for _, e := range m.Environments {
					var files []string
					for _, f := range e.Files {
						files = append(files, f.Path)
					}
					envs = append(envs, e.Name+"="+strings.Join(files, "+"))
				}
				got[m.Dir] = strings.Join(envs, " ")
			}
			for root, want := range tc.want {
				if got[root] != want {
					t.Errorf("root %s: environments\n got %q\nwant %q", root, got[root], want)
				}
			}
			if len(got) != len(tc.want) {
				t.Errorf("roots %v, want %v", got, tc.want)
			}
		})
	}
}
