package load

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/tfgate/tfgate/analyzer/model"
	"github.com/tfgate/tfgate/internal/fsx"
)

// localSourcePattern finds local module sources in native and JSON syntax
// without parsing: source = "../modules/x", "source": "./x".
var localSourcePattern = regexp.MustCompile(`^source"?\s*[=:]\s*"(\.{1,2}(?:[/\\][^"]*)?)"`)

// localSources returns the local module sources written in a file.
func localSources(src []byte) []string {
	var out []string
	for i := 0; ; {
		j := bytes.Index(src[i:], []byte("source"))
		if j < 0 {
			return out
		}
		at := i + j
		i = at + len("source")
		if at > 0 {
			if c := src[at-1]; c != '"' && c != ' ' && c != '\t' && c != '\n' && c != '{' && c != ',' {
				continue
			}
		}
		if m := localSourcePattern.FindSubmatch(src[at:]); m != nil {
			out = append(out, string(m[1]))
		}
	}
}

// changedFiles resolves pre-commit's changed files: the files of their
// modules and of every module that calls them (transitively), found by a
// quick textual scan of the tree under the working directory.
func (l *loader) changedFiles(changed []string) (files, restrictDirs, contextDirs []string, err error) {
	want := map[string]bool{}
	var wrappers []string // changed Terragrunt configurations
	for _, c := range changed {
		abs := c
		if !filepath.IsAbs(abs) {
			abs = filepath.Join(l.workDir, c)
		}
		abs = filepath.Clean(abs)
		st, err := os.Stat(abs)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("cannot read %s: %w", c, fsx.Cause(err))
		}
		if st.IsDir() {
			want[abs] = true
			continue
		}
		if IsWrapperConfig(abs) {
			wrappers = append(wrappers, abs)
			want[filepath.Dir(abs)] = true
			continue
		}
		if _, ok := model.KindOf(filepath.Base(abs)); !ok {
			return nil, nil, nil, fmt.Errorf("%s is not a Terraform file (.tf, .tf.json, .tofu, .tofu.json, .tfvars, .tfvars.json, .tfbackend or .terraform.lock.hcl) nor a Terragrunt configuration (.hcl)", c)
		}
		want[filepath.Dir(abs)] = true
	}
	l.roots = []string{l.workDir}
	byDir, err := l.scan(l.workDir, true)
	if err != nil {
		return nil, nil, nil, err
	}
	l.allDirs = map[string]bool{}
	var sources []scannedFile
	for dir, fs := range byDir {
		for _, f := range fs {
			if isTFSource(f.path) {
				l.allDirs[l.display(dir)] = true
				sources = append(sources, f)
			} else if strings.HasSuffix(f.path, ".tfbackend") {
				sources = append(sources, f) // for the backend summaries
			}
		}
	}
	// Terragrunt units are callers of the code their source names: their
	// terragrunt.hcl goes into the index too (stat'ed here: the scan
	// stats only Terraform files).
	for _, p := range l.tgFiles {
		if st, err := os.Stat(p); err == nil {
			sources = append(sources, scannedFile{path: p, modTime: st.ModTime().UnixNano(), size: st.Size()})
		}
	}
	// A changed configuration that units include (root.hcl,
	// _envcommon/app.hcl) stands for those units: the units below it, and
	// those that name it.
	for _, w := range wrappers {
		if filepath.Base(w) == "terragrunt.hcl" && l.tgDirs[filepath.Dir(w)] {
			continue
		}
		for _, p := range l.tgFiles {
			d := filepath.Dir(p)
			if strings.HasPrefix(d+string(filepath.Separator), filepath.Dir(w)+string(filepath.Separator)) {
				want[d] = true
			} else if src, err := fsx.ReadRegular(p, fsx.MaxFileSize); err == nil && bytes.Contains(src, []byte(filepath.Base(w))) {
				want[d] = true
			}
		}
	}
	// The scan has the files' times and sizes: an index of local sources
	// cached by them spares reading the files that did not change since
	// the last run; the others are read concurrently.
	idx := loadSourceIndex(l.workDir)
	callers := map[string][]string{}   // target dir → caller dirs
	summaries := map[string][]string{} // dir → backend summaries of its files
	var mu sync.Mutex
	var wg sync.WaitGroup
	next := make(chan scannedFile)
	for w := 0; w < 2*runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range next {
				e, ok := idx.sources(f)
				if !ok {
					continue
				}
				dir := filepath.Dir(f.path)
				if e.Backend != "" {
					mu.Lock()
					summaries[dir] = append(summaries[dir], e.Backend)
					mu.Unlock()
				}
				for _, m := range e.Sources {
					target := filepath.Clean(filepath.Join(dir, filepath.FromSlash(strings.ReplaceAll(m, "\\", "/"))))
					mu.Lock()
					callers[target] = append(callers[target], dir)
					mu.Unlock()
				}
			}
		}()
	}
	for _, f := range sources {
		next <- f
	}
	close(next)
	wg.Wait()
	idx.save()
	hasSource := func(d string) bool { return l.allDirs[l.display(d)] }
	for _, d := range sortedKeys(want) {
		// A changed environment file (env/prod.tfvars) stands for its root.
		if !hasSource(d) {
			if r := envRoot(d, hasSource); r != "" {
				want[r] = true
			}
		}
	}
	closure := map[string]bool{}
	var up func(d string)
	up = func(d string) {
		if closure[d] {
			return
		}
		closure[d] = true
		for _, c := range callers[d] {
			up(c)
		}
	}
	for d := range want {
		up(d)
	}
	for d := range closure {
		for _, f := range byDir[d] {
			files = append(files, f.path)
		}
		// The root's environment files (environments.go).
		files = append(files, envVarFiles(byDir, d, hasSource)...)
		restrictDirs = append(restrictDirs, d)
	}
	// Only the roots whose own files changed can change their backend or
	// their code against their peers: callers reached through a changed
	// child module are compared with nobody new.
	contextDirs = crossRootContext(want, closure, summaries)
	for _, d := range contextDirs {
		for _, f := range byDir[d] {
			files = append(files, f.path)
		}
	}
	sort.Strings(files)
	files = slices.Compact(files)
	sort.Strings(restrictDirs)
	return files, restrictDirs, contextDirs, nil
}

// restrict marks as scanned only the given module directories and the
// modules that call them, directly or not, plus the context roots (see
// crossRootContext), which are marked Context.
func restrict(mods []*model.Module, dirs, context []string) {
	keep := map[*model.Module]bool{}
	want := map[string]bool{}
	for _, d := range dirs {
		want[filepath.Clean(d)] = true
	}
	var up func(m *model.Module)
	up = func(m *model.Module) {
		if keep[m] {
			return
		}
		keep[m] = true
		for _, c := range m.Callers {
			up(c.Block.Module)
		}
	}
	for _, m := range mods {
		if want[m.AbsDir] {
			up(m)
		}
	}
	ctx := map[string]bool{}
	for _, d := range context {
		ctx[filepath.Clean(d)] = true
	}
	for _, m := range mods {
		switch {
		case keep[m]:
		case ctx[m.AbsDir] && m.Scanned:
			m.Context = true
		default:
			m.Scanned = false
		}
	}
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// IsWrapperConfig reports whether a file is a Terragrunt configuration:
// terragrunt.hcl, or another .hcl file (root.hcl, an included
// _envcommon/x.hcl) that is not a Terraform lock file or tfgate's own.
func IsWrapperConfig(p string) bool {
	base := filepath.Base(p)
	return strings.HasSuffix(base, ".hcl") && base != ".terraform.lock.hcl" && base != ".tfgate.hcl"
}

// tgSourceString finds the local paths in a terraform.source line:
// `source = "../../modules//vpc"`, or either branch of a conditional.
var tgSourceString = regexp.MustCompile(`"(\.{1,2}/[^"$]*)"`)

// terragruntSources returns the local sources a terragrunt.hcl names,
// without parsing it: every local path on a `source =` line.
func terragruntSources(src []byte) []string {
	var out []string
	for _, line := range bytes.Split(src, []byte("\n")) {
		t := bytes.TrimSpace(line)
		if !bytes.HasPrefix(t, []byte("source")) {
			continue
		}
		rest := bytes.TrimSpace(t[len("source"):])
		if !bytes.HasPrefix(rest, []byte("=")) {
			continue
		}
		for _, m := range tgSourceString.FindAllSubmatch(rest, -1) {
			s := string(m[1])
			if i := strings.Index(s, "?"); i >= 0 {
				s = s[:i]
			}
			out = append(out, strings.Replace(s, "//", "/", 1))
		}
	}
	return out
}
