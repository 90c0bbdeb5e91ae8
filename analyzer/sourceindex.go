package analyzer

import (
	"bytes"
	"crypto/sha256"
	"encoding/gob"
	"encoding/hex"
	"os"
	"path/filepath"
	"sync"
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
}

type sourceIndexFile struct {
	Version int
	Root    string
	Files   map[string]sourceEntry // by path relative to Root
}

const sourceIndexVersion = 1

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
	idx.path = filepath.Join(dir, "sources-"+hex.EncodeToString(sum[:8])+".gob")
	data, err := os.ReadFile(idx.path)
	if err != nil {
		return idx
	}
	var f sourceIndexFile
	if gob.NewDecoder(bytes.NewReader(data)).Decode(&f) == nil && f.Version == sourceIndexVersion && f.Root == root && f.Files != nil {
		idx.entries = f.Files
	}
	return idx
}

// sources returns the local module sources of a file, from the index when
// its modification time and size are unchanged, else by reading it.
func (idx *sourceIndex) sources(path string) ([]string, bool) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, false
	}
	key := path
	if rel, err := filepath.Rel(idx.root, path); err == nil {
		key = rel
	}
	mt, size := st.ModTime().UnixNano(), st.Size()
	idx.mu.Lock()
	e, ok := idx.entries[key]
	idx.seen[key] = true
	idx.mu.Unlock()
	if ok && e.ModTime == mt && e.Size == size {
		return e.Sources, true
	}
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, false
	}
	e = sourceEntry{ModTime: mt, Size: size, Sources: localSources(src)}
	idx.mu.Lock()
	idx.entries[key] = e
	idx.dirty = true
	idx.mu.Unlock()
	return e.Sources, true
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
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(sourceIndexFile{Version: sourceIndexVersion, Root: idx.root, Files: idx.entries}); err != nil {
		return
	}
	data := buf.Bytes()
	if err := os.MkdirAll(filepath.Dir(idx.path), 0o755); err != nil {
		return
	}
	_ = WriteFileAtomic(idx.path, data)
}
