package analyzer

import (
	"sort"
	"sync"
	"time"
)

// Project is everything loaded from the scanned paths.
type Project struct {
	WorkDir    string
	Modules    []*Module // sorted by Dir
	LooseFiles []*File   // tfvars and backend files in directories without .tf files
	Problems   []Problem // input that could not be loaded
	Instances  []*Instance
	// Timings of the phases that built and checked the project, in order
	// (`TFGATE_TIMINGS=1 tfgate lint` prints them).
	Timings []PhaseTiming

	byDir map[string]*Module
	mu    sync.Mutex
}

// PhaseTiming is how long one phase of a run took.
type PhaseTiming struct {
	Phase    string
	Duration time.Duration
}

// Module returns the module of a directory (slash path relative to the
// working directory).
func (p *Project) Module(dir string) *Module { return p.byDir[dir] }

// VarFiles lists every tfvars file loaded, in modules and outside them.
func (p *Project) VarFiles() []*File {
	var out []*File
	for _, m := range p.Modules {
		out = append(out, m.VarFiles...)
	}
	for _, f := range p.LooseFiles {
		if f.Kind == KindTFVars || f.Kind == KindTFVarsJSON {
			out = append(out, f)
		}
	}
	return out
}

// AllFiles lists every loaded file: module sources, tfvars, backend and
// lock files, and loose files, sorted by path.
func (p *Project) AllFiles() []*File {
	var out []*File
	for _, m := range p.Modules {
		out = append(out, m.Files...)
		out = append(out, m.VarFiles...)
		out = append(out, m.BackendFile...)
		if m.LockFile != nil {
			out = append(out, m.LockFile)
		}
	}
	out = append(out, p.LooseFiles...)
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}
