package load

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"

	"github.com/tfgate/tfgate/analyzer/model"
	"github.com/tfgate/tfgate/internal/fsx"
)

// Module calls: local sources, and registry or git sources that
// `terraform init` installed.

// resolveCalls links local module calls to their target modules, loading
// targets that were not part of the scan.
func (l *loader) resolveCalls() {
	queue := make([]*model.Module, 0, len(l.modules))
	for _, m := range l.modules {
		queue = append(queue, m)
	}
	sort.Slice(queue, func(i, j int) bool { return queue[i].AbsDir < queue[j].AbsDir })
	for len(queue) > 0 {
		m := queue[0]
		queue = queue[1:]
		for _, c := range m.ModuleCalls {
			if c.Wrapper {
				continue // a Terragrunt unit's code: linked by addUnit
			}
			var target string
			var inst *installedModule
			switch {
			case c.IsLocal():
				target = filepath.Clean(filepath.Join(m.AbsDir, filepath.FromSlash(strings.ReplaceAll(c.Source, "\\", "/"))))
			default:
				// A registry or git module: follow it when `terraform init`
				// installed it (.terraform/modules/modules.json of the root).
				if inst = l.installed(m, c); inst == nil {
					continue
				}
				target = inst.dir
			}
			t := l.modules[target]
			if t == nil {
				if inst == nil && l.leavesRepo(m.AbsDir, target) {
					l.skipNote(c.Block.DefRange, fmt.Sprintf("module %q: source %q resolves outside the repository; not followed", c.Name, c.Source))
					continue
				}
				paths, err := l.listDir(target)
				if err != nil {
					if inst == nil {
						l.unresolved = append(l.unresolved, unresolvedCall{c, m, target, fmt.Sprintf("cannot be read: %v", fsx.Cause(err))})
					}
					continue
				}
				files, tops := l.parseAll(paths)
				for i, f := range files {
					l.addFile(f, tops[i], false)
				}
				t = l.modules[target]
				if t != nil {
					l.mergeOverrides(t)
				}
				if t == nil || len(t.Files) == 0 {
					if inst == nil {
						l.unresolved = append(l.unresolved, unresolvedCall{c, m, target, "holds no Terraform files"})
					}
					continue
				}
				queue = append(queue, t)
			}
			if len(t.Files) == 0 {
				continue
			}
			if mi := l.installs[m]; l.installs[t].key == "" && (inst != nil || mi.key != "") {
				// Keep the key path so that calls inside an installed
				// module find their own installed modules.
				ti := install{key: joinKey(mi.key, c.Name), root: mi.root}
				if inst != nil {
					ti.root = inst.root
				}
				l.installs[t] = ti
			}
			c.Target = t
			t.Callers = append(t.Callers, c)
		}
	}
}

// leavesRepo reports whether a local module source leaves the Git work
// tree of the module that calls it, by its real path (a committed link to
// a directory elsewhere, or "../" past the top): a sibling checkout on a
// CI runner is not the repository's to show in snippets. Without a work
// tree there is nothing to leave (a source tarball, a scanned subtree).
func (l *loader) leavesRepo(from, target string) bool {
	top := fsx.RepoRoot(fsx.RealPath(from))
	if top == "" {
		return false
	}
	real, err := filepath.EvalSymlinks(target)
	if err != nil {
		return false // missing: reported as unresolved, with the reason
	}
	return !fsx.Within(top, real)
}

func joinKey(parent, name string) string {
	if parent == "" {
		return name
	}
	return parent + "." + name
}

// installedModule is an entry of .terraform/modules/modules.json.
type installedModule struct {
	dir  string // absolute
	root string // the root module directory whose .terraform holds it
}

type modulesManifest struct {
	// refused is why a modules.json that exists was not read (not a
	// regular file, too large, outside the repository); nil otherwise.
	refused error
	path    string
	Modules []struct {
		Key    string `json:"Key"`
		Source string `json:"Source"`
		Dir    string `json:"Dir"`
	} `json:"Modules"`
}

// installed finds the directory `terraform init` installed a non-local
// module call into, when the root it belongs to has been initialized and
// the manifest still records the same source.
func (l *loader) installed(m *model.Module, c *model.ModuleCall) *installedModule {
	root := m.AbsDir
	mi := l.installs[m]
	if mi.root != "" {
		root = mi.root
	} else if m.External {
		return nil
	}
	man := l.manifest(root)
	if man == nil || c.Source == "" {
		return nil
	}
	if man.refused != nil {
		l.skipNote(c.Block.DefRange, fmt.Sprintf("module %q: %s: %v; not read, the installed module is not followed", c.Name, l.display(man.path), fsx.Cause(man.refused)))
		return nil
	}
	key := joinKey(mi.key, c.Name)
	for _, e := range man.Modules {
		if e.Key != key {
			continue
		}
		if !sameSource(e.Source, c.Source) {
			return nil // initialized before the source changed: stale
		}
		dir := filepath.Clean(filepath.Join(root, filepath.FromSlash(e.Dir)))
		// Installed modules are under the root's .terraform: a manifest
		// that names a directory outside the repository is not followed.
		repo := fsx.RepoRoot(fsx.RealPath(root))
		if repo == "" {
			repo = fsx.RealPath(root)
		}
		if _, err := fsx.Confined(repo, dir); err != nil {
			l.skipNote(c.Block.DefRange, fmt.Sprintf("module %q: %s names %q, which resolves outside the repository; not followed", c.Name, l.display(filepath.Join(root, ".terraform", "modules", "modules.json")), e.Dir))
			return nil
		}
		return &installedModule{dir: dir, root: root}
	}
	return nil
}

// sameSource compares a configured source with the one modules.json
// records (registry sources gain their host there).
func sameSource(recorded, configured string) bool {
	r := strings.TrimSuffix(strings.ToLower(recorded), "/")
	c := strings.TrimSuffix(strings.ToLower(configured), "/")
	return r == c || strings.HasSuffix(r, "/"+c) || strings.TrimPrefix(r, "git::") == strings.TrimPrefix(c, "git::")
}

func (l *loader) manifest(root string) *modulesManifest {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.manifests == nil {
		l.manifests = map[string]*modulesManifest{}
	}
	if man, ok := l.manifests[root]; ok {
		return man
	}
	var man *modulesManifest
	// Bounded, a regular file, inside the repository: a FIFO or a link to
	// /dev/zero named modules.json cannot hang or flood the loader.
	path := filepath.Join(root, ".terraform", "modules", "modules.json")
	if data, err := fsx.ReadInTree(path, fsx.MaxFileSize); err == nil {
		var mm modulesManifest
		if json.Unmarshal(data, &mm) == nil {
			man = &mm
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		// Refused: the calls it would resolve say why (installed).
		man = &modulesManifest{refused: err, path: path}
	}
	l.manifests[root] = man
	return man
}

// unresolvedCall is a local module call whose source could not be loaded.
// Whether that is an error depends on what the calling module is and where
// the source points, known after classification (reportUnresolved).
type unresolvedCall struct {
	call   *model.ModuleCall
	from   *model.Module
	target string // absolute
	why    string // "cannot be read: no such file or directory"
}

// reportUnresolved reports the local module calls that could not be
// followed. A source that `terraform init` installs (under .terraform/), one
// in a directory the repository ignores (vendor/modules/… that a build
// step fills), one that a test or example harness provides, and one in a
// directory that is not a module are notes; any other is an error. Either
// way the calling module keeps its other findings.
func (l *loader) reportUnresolved() {
	for _, u := range l.unresolved {
		c, m := u.call, u.from
		if m.Excluded {
			continue
		}
		head := fmt.Sprintf("module %q: source %q ", c.Name, c.Source)
		if c.Wrapper {
			head = fmt.Sprintf("Terragrunt unit %s: terraform.source %q ", m.Name(), c.Source)
		}
		switch {
		case c.Wrapper && !l.inRepo(m.AbsDir, u.target):
			l.skipNote(c.Block.DefRange, head+"points outside the repository (a checkout of another repository beside it): not followed")
		case strings.Contains(filepath.ToSlash(u.target)+"/", "/.terraform/"):
			l.skipNote(c.Block.DefRange, head+"is not installed: `terraform init`, which installs it, has not run here; not followed")
		case l.gitIgnoredSource(u.target):
			l.skipNote(c.Block.DefRange, head+"is not in the repository ("+l.ignoredBy(u.target)+" in .gitignore): a build step provides it; not followed")
		case vendoredPath(relSlash(m.AbsDir, u.target)):
			l.skipNote(c.Block.DefRange, head+"is in a vendored directory that a build step fills, missing here; not followed")
		case m.Kind == model.Demo:
			l.skipNote(c.Block.DefRange, head+u.why+"; in a demo or test, the harness that runs it provides the source; not followed")
		case m.Kind == model.NotModule:
			l.skipNote(c.Block.DefRange, head+u.why+"; "+m.Name()+" is not a module on its own ("+m.EvidenceText()+"); not followed")
		default:
			l.problem(c.Block.DefRange, head+u.why, m.Dir)
		}
	}
}

// gitIgnoredSource reports whether a missing source directory, or one of
// its parents, is ignored by the repository.
func (l *loader) gitIgnoredSource(target string) bool {
	_, ok := l.gitignores().ignored(target, true)
	return ok
}

func (l *loader) ignoredBy(target string) string {
	by, _ := l.gitignores().ignored(target, true)
	return by
}

// inRepo reports whether target is inside the repository (the directory
// holding .git above from) that holds from; true when there is none.
func (l *loader) inRepo(from, target string) bool {
	anc := l.ancestors(from)
	top := anc[len(anc)-1]
	if !l.fileExists(filepath.Join(top, ".git")) {
		return true
	}
	return target == top || strings.HasPrefix(target, top+string(filepath.Separator))
}
