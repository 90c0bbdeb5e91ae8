package rules

import (
	"path"
	"sort"
	"strings"

	"github.com/tfgate/tfgate/analyzer/model"
)

// Which roots layout-environment-parity compares: the environments of one
// system, found by directory (envs/<env>/<component>) or as sibling roots
// that call the same modules.

// layoutEnvDirs are directory names whose children are environments.
var layoutEnvDirs = map[string]bool{"environments": true, "envs": true, "env": true, "live": true, "stages": true}

// layoutEnv is one environment: a root module and the name it goes by in
// messages.
type layoutEnv struct {
	name string
	m    *model.Module
}

// layoutEnvGroups finds the groups of root modules that are environments
// of one system, each sorted by environment name.
func layoutEnvGroups(p *model.Project) [][]*layoutEnv {
	byKey := map[string][]*layoutEnv{}
	var keys []string
	var rest []*model.Module
	for _, m := range p.Modules {
		if !m.Scanned || m.Kind != model.Root || m.Dir == "." {
			continue
		}
		parts := strings.Split(m.Dir, "/")
		envAt := -1
		for i := 0; i < len(parts)-1; i++ {
			if layoutEnvDirs[parts[i]] {
				envAt = i + 1
				break
			}
		}
		if envAt < 0 {
			rest = append(rest, m)
			continue
		}
		// Environments are compared component by component: the path of the
		// root below its environment directory.
		key := strings.Join(parts[:envAt], "/") + "\x00" + strings.Join(parts[envAt+1:], "/")
		if byKey[key] == nil {
			keys = append(keys, key)
		}
		byKey[key] = append(byKey[key], &layoutEnv{name: parts[envAt], m: m})
	}
	// Sibling roots calling the same modules.
	for _, m := range rest {
		sig, ok := layoutCallSignature(m)
		if !ok {
			continue
		}
		key := "siblings\x00" + path.Dir(m.Dir) + "\x00" + sig
		if byKey[key] == nil {
			keys = append(keys, key)
		}
		byKey[key] = append(byKey[key], &layoutEnv{name: path.Base(m.Dir), m: m})
	}
	sort.Strings(keys)
	var out [][]*layoutEnv
	for _, k := range keys {
		g := layoutSameSystem(byKey[k])
		if len(g) < 2 {
			continue
		}
		sort.Slice(g, func(i, j int) bool { return g[i].name < g[j].name })
		out = append(out, g)
	}
	return out
}

// layoutCallSignature describes the set of modules a root calls: names and
// sources without versions. ok is false when the root calls fewer than two
// modules or a source is not static.
func layoutCallSignature(m *model.Module) (string, bool) {
	if len(m.ModuleCalls) < 2 {
		return "", false
	}
	var sig []string
	for _, c := range m.ModuleCalls {
		src, ok := c.CallSource()
		if !ok {
			return "", false
		}
		sig = append(sig, c.Name+"="+src.Identity)
	}
	sort.Strings(sig)
	return strings.Join(sig, "\n"), true
}

// layoutSameSystem drops, from a group whose environments call modules, the
// directories that share no module call name with any other: envs/global
// or live/_shared hold something else than an environment.
func layoutSameSystem(envs []*layoutEnv) []*layoutEnv {
	callers := 0
	uses := map[string]int{}
	for _, e := range envs {
		if len(e.m.ModuleCalls) > 0 {
			callers++
		}
		for _, n := range layoutCallNames(e.m) {
			uses[n]++
		}
	}
	if callers < 2 {
		return envs
	}
	var out []*layoutEnv
	for _, e := range envs {
		for _, n := range layoutCallNames(e.m) {
			if uses[n] > 1 {
				out = append(out, e)
				break
			}
		}
	}
	return out
}

// layoutCallNames lists the distinct module call names of a module.
func layoutCallNames(m *model.Module) []string {
	seen := map[string]bool{}
	var out []string
	for _, c := range m.ModuleCalls {
		if !seen[c.Name] {
			seen[c.Name] = true
			out = append(out, c.Name)
		}
	}
	return out
}
