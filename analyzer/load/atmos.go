package load

import (
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/tfgate/tfgate/analyzer/model"
	"github.com/tfgate/tfgate/internal/fsx"
	"go.yaml.in/yaml/v3"
)

// Atmos (atmos.tools) deploys Terraform "components": root modules under
// the components base path of atmos.yaml (components.terraform.base_path,
// "components/terraform" by default), configured per stack. Atmos writes
// their backend (backend.tf.json) and their variables at run time.

// atmosInfo is what the atmos.yaml files of a run say.
type atmosInfo struct {
	bases  []string    // absolute component base directories
	origin string      // "atmos.yaml" path, for evidence
	config *model.File // the first atmos.yaml
}

// atmosInfo reads the atmos.yaml files the scan found and those above the
// scanned paths (Atmos looks in the working directory; a scan of
// components/terraform/vpc still belongs to the atmos.yaml of the
// repository), once per run. nil when there is none.
func (l *loader) atmosInfo() *atmosInfo {
	l.atmosOnce.Do(func() {
		files := map[string]bool{}
		for _, f := range l.atmosFiles {
			files[f] = true
		}
		for _, r := range l.roots {
			for _, d := range l.ancestors(r) {
				if p := filepath.Join(d, "atmos.yaml"); l.fileExists(p) {
					files[p] = true
				}
			}
		}
		if len(files) == 0 {
			return
		}
		names := make([]string, 0, len(files))
		for f := range files {
			names = append(names, f)
		}
		sort.Strings(names)
		a := &atmosInfo{}
		for _, p := range names {
			src, err := fsx.ReadRegular(p, fsx.MaxFileSize)
			if err != nil {
				continue
			}
			base, ok := atmosComponentBase(src)
			if !ok {
				l.skipNote(hcl.Range{Filename: l.display(p), Start: hcl.Pos{Line: 1, Column: 1}, End: hcl.Pos{Line: 1, Column: 1}},
					l.display(p)+" is not YAML tfgate can read; its component base path is not known")
				continue
			}
			dir := filepath.Dir(p)
			abs := base
			if !filepath.IsAbs(abs) {
				abs = filepath.Join(dir, filepath.FromSlash(base))
			}
			a.bases = append(a.bases, filepath.Clean(abs))
			if a.config == nil {
				a.config = &model.File{Path: l.display(p), Abs: p, Kind: model.KindWrapper, Src: src}
				a.origin = l.display(p)
			}
		}
		if a.config != nil {
			l.wrapperFiles = append(l.wrapperFiles, a.config)
			l.atmos = a
		}
	})
	return l.atmos
}

// atmosComponentBase reads the Terraform component directory of an
// atmos.yaml: components.terraform.base_path below the top-level base_path.
func atmosComponentBase(src []byte) (string, bool) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return "", false
	}
	if len(doc.Content) == 0 {
		return "components/terraform", true // an empty file: the defaults
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return "", false
	}
	top := yamlScalar(yamlGet(root, "base_path"))
	comp := yamlScalar(yamlGet(yamlGet(yamlGet(root, "components"), "terraform"), "base_path"))
	if comp == "" {
		comp = "components/terraform"
	}
	if filepath.IsAbs(comp) || top == "" {
		return comp, true
	}
	return filepath.ToSlash(filepath.Join(top, comp)), true
}

func yamlGet(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// yamlScalar is a plain string value; "" for anything else (a tag such as
// !env that Atmos resolves at run time included).
func yamlScalar(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode || (n.Tag != "" && n.Tag != "!!str") {
		return ""
	}
	return strings.TrimSpace(n.Value)
}

// ancestors lists a directory and its parents up to the repository root
// (the first directory holding .git) or the file-system root.
func (l *loader) ancestors(dir string) []string {
	var out []string
	for d := dir; ; d = filepath.Dir(d) {
		out = append(out, d)
		if l.fileExists(filepath.Join(d, ".git")) || filepath.Dir(d) == d {
			return out
		}
	}
}

// fileExists is a cached os.Stat, for the walks up the tree that look for
// wrapper files (atmos.yaml, terragrunt.hcl, .gitignore, .git).
func (l *loader) fileExists(p string) bool {
	l.mu.Lock()
	if v, ok := l.exists[p]; ok {
		l.mu.Unlock()
		return v
	}
	l.mu.Unlock()
	_, err := os.Stat(p)
	ok := err == nil
	l.mu.Lock()
	if l.exists == nil {
		l.exists = map[string]bool{}
	}
	l.exists[p] = ok
	l.mu.Unlock()
	return ok
}
