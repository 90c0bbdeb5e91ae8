package load

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/tfgate/tfgate/internal/fsx"
)

// sourceIndex caches, per file, the local module sources it writes, keyed
// by modification time and size, so that the pre-commit path finds the
// callers of a changed module without reading every file of a large
// repository on each commit. It lives in the user's cache directory
// (TFGATE_CACHE_DIR overrides it; TFGATE_CACHE_DIR=off disables it) and
// is only a shortcut: a file whose time or size changed is read again.
type sourceIndex struct {
	path    string
	root    string
	mu      sync.Mutex
	entries map[string]sourceEntry
	seen    map[string]bool
	dirty   bool
}

type sourceEntry struct {
	ModTime int64
	Size    int64
	Sources []string
	// Backend summarises the file's backend settings for the pre-commit
	// path's cross-root check (see backendSummary); "" when it has none.
	Backend string
}

// The index file is text, one file per line, because decoding it is on the
// pre-commit path (gob took 10-30 ms for 7,000 files; this takes a few):
//
//	tfgate-sources 3
//	<root>
//	<path relative to root> TAB <mtime ns> TAB <size> TAB <source> US <source>... TAB <backend summary>
//
// Files whose path, sources or summary hold a tab, a newline or a unit
// separator (US, 0x1f) are left out and read on every run.
const sourceIndexHeader = "tfgate-sources 3"

func loadSourceIndex(root string) *sourceIndex {
	idx := &sourceIndex{root: root, entries: map[string]sourceEntry{}, seen: map[string]bool{}}
	dir := os.Getenv("TFGATE_CACHE_DIR")
	if dir == "off" {
		return idx
	}
	if dir == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			return idx
		}
		dir = filepath.Join(base, "tfgate")
	}
	sum := sha256.Sum256([]byte(root))
	idx.path = filepath.Join(dir, "sources-"+hex.EncodeToString(sum[:8])+".txt")
	data, err := os.ReadFile(idx.path)
	if err != nil {
		return idx
	}
	if entries, ok := decodeSourceIndex(data, root); ok {
		idx.entries = entries
	}
	return idx
}

func decodeSourceIndex(data []byte, root string) (map[string]sourceEntry, bool) {
	head, rest, _ := strings.Cut(string(data), "\n")
	gotRoot, rest, _ := strings.Cut(rest, "\n")
	if head != sourceIndexHeader || gotRoot != root {
		return nil, false
	}
	entries := make(map[string]sourceEntry, strings.Count(rest, "\n"))
	for rest != "" {
		var line string
		line, rest, _ = strings.Cut(rest, "\n")
		path, line, ok1 := strings.Cut(line, "\t")
		mt, line, ok2 := strings.Cut(line, "\t")
		size, line, ok3 := strings.Cut(line, "\t")
		srcs, backend, ok4 := strings.Cut(line, "\t")
		if !ok1 || !ok2 || !ok3 || !ok4 {
			return nil, false
		}
		var e sourceEntry
		var err error
		if e.ModTime, err = strconv.ParseInt(mt, 10, 64); err != nil {
			return nil, false
		}
		if e.Size, err = strconv.ParseInt(size, 10, 64); err != nil {
			return nil, false
		}
		if srcs != "" {
			e.Sources = strings.Split(srcs, "\x1f")
		}
		e.Backend = backend
		entries[path] = e
	}
	return entries, true
}

func encodeSourceIndex(root string, entries map[string]sourceEntry) []byte {
	keys := make([]string, 0, len(entries))
	for k := range entries {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(sourceIndexHeader + "\n" + root + "\n")
	for _, k := range keys {
		e := entries[k]
		if strings.ContainsAny(k, "\t\n\x1f") {
			continue
		}
		srcs := strings.Join(e.Sources, "\x1f")
		if strings.ContainsAny(srcs, "\t\n") || strings.Count(srcs, "\x1f") != max(len(e.Sources)-1, 0) || strings.ContainsAny(e.Backend, "\t\n\x1f") {
			continue
		}
		b.WriteString(k)
		b.WriteByte('\t')
		b.WriteString(strconv.FormatInt(e.ModTime, 10))
		b.WriteByte('\t')
		b.WriteString(strconv.FormatInt(e.Size, 10))
		b.WriteByte('\t')
		b.WriteString(srcs)
		b.WriteByte('\t')
		b.WriteString(e.Backend)
		b.WriteByte('\n')
	}
	return []byte(b.String())
}

// sources returns the local module sources and backend summary of a file,
// from the index when its modification time and size (from the scan) are
// unchanged, else by reading it.
func (idx *sourceIndex) sources(f scannedFile) (sourceEntry, bool) {
	key := f.path
	if rel, err := filepath.Rel(idx.root, f.path); err == nil {
		key = rel
	}
	idx.mu.Lock()
	e, ok := idx.entries[key]
	idx.seen[key] = true
	idx.mu.Unlock()
	if ok && e.ModTime == f.modTime && e.Size == f.size {
		return e, true
	}
	src, err := fsx.ReadRegular(f.path, fsx.MaxFileSize)
	if err != nil {
		return sourceEntry{}, false
	}
	e = sourceEntry{ModTime: f.modTime, Size: f.size, Backend: backendSummary(filepath.Base(f.path), src)}
	if isTFSource(f.path) {
		e.Sources = localSources(src)
	} else if IsWrapperConfig(f.path) {
		e.Sources = terragruntSources(src)
	}
	idx.mu.Lock()
	idx.entries[key] = e
	idx.dirty = true
	idx.mu.Unlock()
	return e, true
}

// save writes the index back when it changed, without the files that are
// gone; failures only cost speed.
func (idx *sourceIndex) save() {
	if idx.path == "" {
		return
	}
	for p := range idx.entries {
		if !idx.seen[p] {
			delete(idx.entries, p)
			idx.dirty = true
		}
	}
	if !idx.dirty {
		return
	}
	if strings.ContainsAny(idx.root, "\n") {
		return
	}
	data := encodeSourceIndex(idx.root, idx.entries)
	// The gob index of tfgate before format 2 is not read any more.
	_ = os.Remove(strings.TrimSuffix(idx.path, ".txt") + ".gob")
	if err := os.MkdirAll(filepath.Dir(idx.path), 0o755); err != nil {
		return
	}
	_ = fsx.WriteFileAtomic(idx.path, data)
}
