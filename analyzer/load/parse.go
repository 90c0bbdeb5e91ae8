package load

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	hcljson "github.com/hashicorp/hcl/v2/json"
	"github.com/tfgate/tfgate/analyzer/model"
	"github.com/tfgate/tfgate/internal/fasthcl"
	"github.com/tfgate/tfgate/internal/fsx"
)

// parseAll reads and parses files concurrently, keeping their order, and
// extracts the top-level blocks of each (nil for files outside a module).
func (l *loader) parseAll(paths []string) ([]*model.File, []*fileTop) {
	out := make([]*model.File, len(paths))
	tops := make([]*fileTop, len(paths))
	workers := runtime.GOMAXPROCS(0)
	if workers > len(paths) {
		workers = len(paths)
	}
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				out[i], tops[i] = l.parseAndExtract(paths[i])
			}
		}()
	}
	for i := range paths {
		next <- i
	}
	close(next)
	wg.Wait()
	return out, tops
}

// crashHook, when set (by tests), runs before each file is parsed: a
// panic in it stands for a bug in the analysis of that file.
var crashHook func(abs string)

// parseAndExtract parses a file and extracts its top-level blocks. A crash
// doing so (a bug) becomes a problem at the file, which is then left out,
// and the run goes on.
func (l *loader) parseAndExtract(abs string) (f *model.File, top *fileTop) {
	defer func() {
		if r := recover(); r != nil {
			kind, _ := model.KindOf(filepath.Base(abs))
			f, top = &model.File{Path: l.display(abs), Abs: abs, Kind: kind}, nil
			at := hcl.Range{Filename: f.Path, Start: hcl.Pos{Line: 1, Column: 1}, End: hcl.Pos{Line: 1, Column: 1}}
			l.problem(at, fmt.Sprintf("internal error analyzing %s (%v); not analyzed. Please report it", f.Path, r), "")
		}
	}()
	if crashHook != nil {
		crashHook(abs)
	}
	f = l.parseFile(abs)
	if m := l.modules[filepath.Dir(f.Abs)]; m != nil {
		top = extractTop(f, m)
	}
	return f, top
}

// parseFile reads and parses one file, recording problems instead of failing.
func (l *loader) parseFile(abs string) *model.File {
	kind, _ := model.KindOf(filepath.Base(abs))
	return l.parseFileAs(abs, kind)
}

func (l *loader) parseFileAs(abs string, kind model.FileKind) *model.File {
	f := &model.File{Path: l.display(abs), Abs: abs, Kind: kind}
	start := hcl.Range{Filename: f.Path, Start: hcl.Pos{Line: 1, Column: 1, Byte: 0}, End: hcl.Pos{Line: 1, Column: 1, Byte: 0}}
	src, err := fsx.ReadLinked(abs, fsx.MaxFileSize, l.linkAllowed(abs))
	var tooLarge fsx.TooLargeError
	switch {
	case errors.Is(err, fsx.ErrOutside):
		l.unread(start, fmt.Sprintf("%s resolves outside the repository (a symbolic link); not read", f.Path))
		return f
	case errors.Is(err, fsx.ErrNotRegular):
		l.unread(start, fmt.Sprintf("%s is not a regular file", f.Path))
		return f
	case errors.As(err, &tooLarge):
		l.unread(start, fmt.Sprintf("%s is %v; not analyzed", f.Path, err))
		return f
	case err != nil:
		l.unread(start, fmt.Sprintf("cannot read %s: %v", f.Path, fsx.Cause(err)))
		return f
	}
	if bytes.HasPrefix(src, gitCryptHeader) {
		// Encrypted, whatever its name: the bytes are not its content.
		l.note(fmt.Sprintf("%s skipped: it is encrypted with git-crypt", f.Path))
		return f
	}
	f.Src = src
	hf, diags := parseSource(src, f.Path, kind, l.fast)
	f.HCL = hf
	// What Terraform would not load is not a syntax error: it is left
	// out, with a note saying why (opaque.go, notloaded.go).
	if why := skipReason(kind, src, diags.HasErrors(), l.tfDirs[filepath.Dir(abs)]); why != "" {
		f.HCL = nil
		l.note(fmt.Sprintf("%s skipped: it is %s", f.Path, why))
		return f
	}
	for _, d := range diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		r := start
		if d.Subject != nil {
			r = *d.Subject
		}
		msg := d.Summary
		if d.Detail != "" {
			msg += ": " + d.Detail
		}
		l.unread(r, msg)
	}
	return f
}

// linkAllowed says where a Terraform file that is a symbolic link may
// point: inside the repository that holds its directory (the Git work
// tree, else the directory itself) or inside a scanned one. A committed
// link to /proc/self/environ, or out of the checkout, is not read: its
// content would be quoted in the snippets of the syntax errors it makes.
func (l *loader) linkAllowed(abs string) func(string) bool {
	return func(real string) bool {
		dir := fsx.RealPath(filepath.Dir(abs))
		if fsx.Within(dir, real) {
			return true
		}
		if r := fsx.RepoRoot(dir); r != "" && fsx.Within(r, real) {
			return true
		}
		for _, r := range repoRoots(l.roots) {
			if fsx.Within(r, real) {
				return true
			}
		}
		return false
	}
}

// maxNesting bounds how deep the syntax tree of an expression can be:
// brackets, template interpolations and directives, and operator chains
// (`a ? 1 : a ? 1 : …`, `1 + 1 + …`, `!!…`, `x[a][b]…`), whose trees are
// as deep as the chain is long. Deeper files are reported, not parsed, so
// that hostile input cannot exhaust the stack of the parser, of the
// evaluator or of the walks over the tree (see internal/fasthcl.NestingDepth).
const maxNesting = fasthcl.MaxNesting

// parseSource parses one file's bytes without touching the file system. It
// never panics: binary data, invalid UTF-8 and pathological nesting come
// back as diagnostics with a nil file. With fast (the default;
// TFGATE_FASTHCL=off clears it), native syntax goes through fasthcl first,
// which builds hclsyntax's own tree for the error-free common case without
// hclsyntax's per-token garbage; anything else, and every diagnostic,
// comes from hclsyntax.
func parseSource(src []byte, filename string, kind model.FileKind, fast bool) (*hcl.File, hcl.Diagnostics) {
	start := hcl.Range{Filename: filename, Start: hcl.Pos{Line: 1, Column: 1}, End: hcl.Pos{Line: 1, Column: 1}}
	if bytes.IndexByte(src, 0) >= 0 {
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Binary file", Detail: "the file contains NUL bytes and is not Terraform source; not analyzed", Subject: &start}}
	}
	if !utf8.Valid(src) {
		r := invalidUTF8Range(src, filename)
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid UTF-8", Detail: "the file is not valid UTF-8 text; not analyzed", Subject: &r}}
	}
	if line, depth := fasthcl.NestingDepth(src, kind.IsJSON()); depth > maxNesting {
		r := hcl.Range{Filename: filename, Start: hcl.Pos{Line: line, Column: 1}, End: hcl.Pos{Line: line, Column: 1}}
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Expression nested too deeply", Detail: fmt.Sprintf("nesting exceeds %d levels; not analyzed", maxNesting), Subject: &r}}
	}
	// Strip a UTF-8 byte order mark, which editors on Windows add.
	src = bytes.TrimPrefix(src, []byte("\xef\xbb\xbf"))
	var (
		f     *hcl.File
		diags hcl.Diagnostics
	)
	func() {
		defer func() {
			if r := recover(); r != nil {
				f = nil
				diags = hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Parser failure", Detail: fmt.Sprintf("the HCL parser failed on this file (%v); not analyzed", r), Subject: &start}}
			}
		}()
		if kind.IsJSON() {
			f, diags = hcljson.Parse(src, filename)
			return
		}
		if fast {
			var ok bool
			if f, ok = fastParse(src, filename); ok {
				return // the same tree hclsyntax builds, without its per-token garbage
			}
		}
		f, diags = hclsyntax.ParseConfig(src, filename, hcl.Pos{Line: 1, Column: 1})
	}()
	return f, diags
}

// fastHCLEnv turns the fast parser off: TFGATE_FASTHCL=off parses every
// file with hclsyntax alone (the same trees, slower), to rule fasthcl out
// when a parse looks wrong.
const fastHCLEnv = "TFGATE_FASTHCL"

func fastHCL() (bool, error) {
	switch v := os.Getenv(fastHCLEnv); v {
	case "", "on":
		return true, nil
	case "off":
		return false, nil
	default:
		return false, fmt.Errorf("%s=%q: want on or off", fastHCLEnv, v)
	}
}

// fastParse is fasthcl.Parse, except that a panic in it (a bug: its tests
// and fuzz target hold it to hclsyntax) hands the file to hclsyntax instead
// of losing it.
func fastParse(src []byte, filename string) (f *hcl.File, ok bool) {
	defer func() {
		if recover() != nil {
			f, ok = nil, false
		}
	}()
	return fasthcl.Parse(src, filename)
}

func invalidUTF8Range(src []byte, filename string) hcl.Range {
	line, col := 1, 1
	for i := 0; i < len(src); {
		r, size := utf8.DecodeRune(src[i:])
		if r == utf8.RuneError && size <= 1 {
			break
		}
		if r == '\n' {
			line++
			col = 1
		} else {
			col++
		}
		i += size
	}
	p := hcl.Pos{Line: line, Column: col}
	return hcl.Range{Filename: filename, Start: p, End: p}
}
