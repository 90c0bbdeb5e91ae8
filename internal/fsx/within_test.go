package fsx

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// TestReadInTreeMissing: a file that is not there reads as missing, also
// when its directory is missing (.terraform/modules/modules.json before
// `terraform init`), never as outside the repository.
func TestReadInTreeMissing(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"modules.json", ".terraform/modules/modules.json"} {
		_, err := ReadInTree(filepath.Join(dir, p), MaxFileSize)
		if !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s: %v, want not exist", p, err)
		}
	}
	// Without a Git work tree too (the file's own directory is the root).
	plain := t.TempDir()
	if _, err := ReadInTree(filepath.Join(plain, "a", "b", "modules.json"), MaxFileSize); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("no work tree: %v, want not exist", err)
	}
	// A dangling link out of the repository is still outside.
	if err := os.Symlink("../../nowhere/x.json", filepath.Join(dir, "dangling.json")); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadInTree(filepath.Join(dir, "dangling.json"), MaxFileSize); !errors.Is(err, ErrOutside) {
		t.Errorf("dangling link: %v, want outside", err)
	}
}
