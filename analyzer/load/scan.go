package load

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/tfgate/tfgate/analyzer/model"
	"github.com/tfgate/tfgate/internal/fsx"
)

// scannedFile is a Terraform file found by scan.
type scannedFile struct {
	path string // absolute
	// modTime (Unix nanoseconds) and size of a .tf or .tf.json file, when
	// scan was asked for them.
	modTime, size int64
}

// scan lists the Terraform files under root by directory, reading
// directories concurrently: on a monorepo of thousands of directories the
// walk is system calls, which a sequential filepath.WalkDir makes one at a
// time. Directories that skipDir names are not entered, symbolic links to
// directories are not followed (as WalkDir), dangling links to files are
// skipped (Terraform skips them too) and other unreadable entries are
// recorded as problems. withStat adds the modification time and size of
// each .tf and .tf.json file (the pre-commit path's source index is keyed
// by them; it reads no other kind). Only an unreadable root is an error.
func (l *loader) scan(root string, withStat bool) (map[string][]scannedFile, error) {
	ents, err := os.ReadDir(root)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", l.display(root), fsx.Cause(err))
	}
	var (
		mu  sync.Mutex
		out = map[string][]scannedFile{}
		wg  sync.WaitGroup
		// Bounds the directories read at once; reading is mostly waiting
		// on the kernel, so a few per CPU.
		sem = make(chan struct{}, 4*runtime.GOMAXPROCS(0))
	)
	var visit func(dir string, ents []fs.DirEntry)
	visit = func(dir string, ents []fs.DirEntry) {
		var files []scannedFile
		var names []string
		for _, e := range ents {
			name := e.Name()
			p := filepath.Join(dir, name)
			if !e.IsDir() {
				names = append(names, name)
			}
			if e.IsDir() {
				if skipDir(name) || (len(l.opts.Exclude) > 0 && l.excluded(p)) {
					continue
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					sem <- struct{}{}
					sub, err := os.ReadDir(p)
					if err != nil {
						<-sem
						l.unread(hcl.Range{Filename: l.display(p)}, fmt.Sprintf("cannot read %s: %v", l.display(p), fsx.Cause(err)))
						return
					}
					visit(p, sub)
					<-sem
				}()
				continue
			}
			kind, ok := model.KindOf(name)
			if !ok {
				switch name {
				case "terragrunt.hcl", "atmos.yaml":
					if len(l.opts.Exclude) == 0 || !l.excluded(p) {
						l.foundWrapperFile(p, name)
					}
				}
				continue
			}
			if len(l.opts.Exclude) > 0 && l.excluded(p) {
				continue
			}
			stat := withStat && (kind == model.KindTF || kind == model.KindTFJSON)
			f := scannedFile{path: p}
			var st fs.FileInfo
			var err error
			switch {
			case e.Type()&fs.ModeSymlink != 0:
				st, err = os.Stat(p)
				if errors.Is(err, fs.ErrNotExist) {
					continue // a dangling link: Terraform skips it too
				}
				if err != nil {
					l.unread(hcl.Range{Filename: l.display(p), Start: hcl.Pos{Line: 1, Column: 1}, End: hcl.Pos{Line: 1, Column: 1}},
						fmt.Sprintf("cannot read %s: %v", l.display(p), fsx.Cause(err)))
					continue
				}
			case stat:
				if st, err = e.Info(); err != nil {
					continue // gone since the directory was read
				}
			}
			if stat {
				f.modTime, f.size = st.ModTime().UnixNano(), st.Size()
			}
			files = append(files, f)
		}
		if shadowed := model.TofuShadowed(names); shadowed != nil {
			files = slices.DeleteFunc(files, func(f scannedFile) bool { return shadowed[filepath.Base(f.path)] })
		}
		if len(files) > 0 || l.isWrapperDir(dir) {
			mu.Lock()
			if len(files) > 0 {
				out[dir] = files
			}
			mu.Unlock()
			l.listed(dir, names)
		}
	}
	visit(root, ents)
	wg.Wait()
	return out, nil
}

// scannedPaths flattens a scan in a stable order: by directory, then by
// name.
func scannedPaths(byDir map[string][]scannedFile) []string {
	var out []string
	for _, d := range slices.Sorted(maps.Keys(byDir)) {
		for _, f := range byDir[d] {
			out = append(out, f.path)
		}
	}
	return out
}

// isTFSource reports whether a file holds configuration (.tf, .tf.json,
// .tofu, .tofu.json).
func isTFSource(path string) bool {
	k, _ := model.KindOf(filepath.Base(path))
	return k == model.KindTF || k == model.KindTFJSON
}

// foundWrapperFile records a terragrunt.hcl or atmos.yaml seen by the scan.
func (l *loader) foundWrapperFile(p, name string) {
	l.mu.Lock()
	if name == "atmos.yaml" {
		l.atmosFiles = append(l.atmosFiles, p)
	} else {
		l.tgFiles = append(l.tgFiles, p)
		if l.tgDirs == nil {
			l.tgDirs = map[string]bool{}
		}
		l.tgDirs[filepath.Dir(p)] = true
	}
	l.mu.Unlock()
}

// isWrapperDir reports whether the scan saw a terragrunt.hcl in dir.
func (l *loader) isWrapperDir(dir string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.tgDirs[dir]
}
