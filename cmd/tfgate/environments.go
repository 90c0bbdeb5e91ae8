package main

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/tfgate/tfgate/analyzer"
	"github.com/tfgate/tfgate/analyzer/load"
	"github.com/tfgate/tfgate/analyzer/model"
)

// explicitEnvironments reads the environments the user maps to roots:
// --var-file-for DIR=FILE (one environment per flag, named after FILE,
// paths relative to the working directory) and the environments blocks of
// .tfgate.hcl (paths relative to the file). A flag naming a root replaces
// the configuration's environments for it.
func explicitEnvironments(flags []string, cfg *analyzer.Config, wd, base string, preCommit bool) ([]load.ExplicitEnvironments, error) {
	var out []load.ExplicitEnvironments
	index := map[string]int{} // root directory → position in out
	for _, v := range flags {
		dir, file, ok := strings.Cut(v, "=")
		if !ok || dir == "" || file == "" {
			return nil, fmt.Errorf("--var-file-for %s: want DIR=FILE (the root module's directory and a tfvars file)", v)
		}
		f, err := load.LoadFile(file, base)
		if err != nil {
			return nil, fmt.Errorf("--var-file-for %s: %w", dir, err)
		}
		abs := absPath(wd, dir)
		i, seen := index[abs]
		if !seen {
			i = len(out)
			index[abs] = i
			out = append(out, load.ExplicitEnvironments{Dir: abs, Origin: "--var-file-for", Required: !preCommit})
		}
		out[i].Envs = append(out[i].Envs, &model.Environment{Name: model.EnvironmentName(file), Files: []*model.File{f}})
	}
	if cfg == nil {
		return out, nil
	}
	for _, re := range cfg.Environments {
		if _, byFlag := index[filepath.Clean(re.Dir)]; byFlag {
			continue
		}
		ee := load.ExplicitEnvironments{Dir: re.Dir, Origin: fmt.Sprintf("%s:%d: environments", re.Range.Filename, re.Range.Start.Line)}
		for _, ce := range re.Envs {
			env := &model.Environment{Name: ce.Name}
			for _, p := range ce.Files {
				f, err := load.LoadFile(p, base)
				if err != nil {
					return nil, fmt.Errorf("%s:%d: environments %q, %s: %w", ce.Range.Filename, ce.Range.Start.Line, re.Root, ce.Name, err)
				}
				env.Files = append(env.Files, f)
			}
			ee.Envs = append(ee.Envs, env)
		}
		out = append(out, ee)
	}
	return out, nil
}
