package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// repoRoot is the directory that report paths (SARIF URIs, GitLab Code
// Quality paths, GitHub annotations) are relative to, so that they name the
// same files whatever directory tfgate runs from:
//
//  1. --repo-root DIR, when given;
//  2. the Git work tree holding the working directory (the nearest parent
//     with a .git directory or file, as `git rev-parse --show-toplevel`);
//  3. $GITHUB_WORKSPACE, when the working directory is inside it;
//  4. the working directory.
func repoRoot(flag, wd string) (string, error) {
	if flag != "" {
		abs := absPath(wd, flag)
		st, err := os.Stat(abs)
		if err != nil || !st.IsDir() {
			return "", fmt.Errorf("--repo-root %s: not a directory", flag)
		}
		return abs, nil
	}
	for d := wd; ; {
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			break
		}
		d = parent
	}
	if ws := os.Getenv("GITHUB_WORKSPACE"); ws != "" && filepath.IsAbs(ws) {
		ws = filepath.Clean(ws)
		if rel, err := filepath.Rel(ws, wd); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return ws, nil
		}
	}
	return wd, nil
}

// driftRepoRoot: drift reports' paths, from the Git work tree (drift has
// no --repo-root).
func driftRepoRoot(wd string) string {
	root, err := repoRoot("", wd)
	if err != nil {
		return wd
	}
	return root
}

// within reports whether dir is root or below it.
func within(root, dir string) bool {
	rel, err := filepath.Rel(root, dir)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// repoRelativeOutput reports whether a format read by code scanning,
// GitLab or GitHub Actions is among the outputs.
func repoRelativeOutput(outs []output) bool {
	for _, o := range outs {
		switch o.format {
		case "sarif", "gitlab", "github":
			return true
		}
	}
	return false
}

func pathExists(p string) bool { _, err := os.Stat(p); return err == nil }
