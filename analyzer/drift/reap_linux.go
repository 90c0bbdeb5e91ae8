//go:build linux

package drift

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// childGroups returns the process groups of this process's children that
// run in dir. terraform-exec starts each terraform command in a process
// group of its own, and the providers terraform starts inherit it, so the
// group names everything a command left running.
func childGroups(dir string) []int {
	if d, err := filepath.EvalSymlinks(dir); err == nil {
		dir = d
	}
	self := os.Getpid()
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var out []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		ppid, pgrp, ok := procStat(pid)
		if !ok || ppid != self {
			continue
		}
		if cwd, err := os.Readlink("/proc/" + e.Name() + "/cwd"); err != nil || cwd != dir {
			continue
		}
		out = append(out, pgrp)
	}
	return out
}

// procStat reads a process's parent and process group from /proc/PID/stat.
func procStat(pid int) (ppid, pgrp int, ok bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, 0, false
	}
	// "pid (comm) state ppid pgrp …": comm may hold spaces and parentheses.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, 0, false
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 3 {
		return 0, 0, false
	}
	ppid, err1 := strconv.Atoi(f[1])
	pgrp, err2 := strconv.Atoi(f[2])
	return ppid, pgrp, err1 == nil && err2 == nil
}

// killGroups kills every process left in the given process groups: the
// providers of a terraform process that was stopped (they ignore SIGINT and
// outlive their parent when it is killed).
func killGroups(groups []int) {
	own := syscall.Getpgrp()
	for _, g := range groups {
		if g > 1 && g != own {
			_ = syscall.Kill(-g, syscall.SIGKILL)
		}
	}
}
