package report

import (
	"path"
	"path/filepath"
	"strings"
)

// repoPath is a finding's file name relative to the repository root
// (Meta.RepoRoot), as GitHub, GitLab and code scanning resolve paths.
// Findings' file names are slash paths relative to Meta.WorkDir (or
// absolute); without a RepoRoot, or for a file outside it, the name is
// returned unchanged.
func repoPath(meta Meta, name string) string {
	if meta.RepoRoot == "" || meta.WorkDir == "" || name == "" {
		return name
	}
	abs := name
	if !isAbs(name) {
		abs = filepath.Join(meta.WorkDir, filepath.FromSlash(name))
	}
	rel, err := filepath.Rel(meta.RepoRoot, abs)
	if err != nil {
		return name
	}
	rel = filepath.ToSlash(rel)
	if rel == ".." || strings.HasPrefix(rel, "../") {
		return name
	}
	return path.Clean(rel)
}
