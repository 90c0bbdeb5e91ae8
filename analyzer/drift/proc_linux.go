package drift

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// sysProcAttr starts a command in a process group of its own (the
// providers terraform starts, and a wrapper script's children, inherit
// it), killed if tfgate dies.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// procs lists the process IDs in /proc.
func procs() []int {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var out []int
	for _, e := range ents {
		if pid, err := strconv.Atoi(e.Name()); err == nil {
			out = append(out, pid)
		}
	}
	return out
}

// procStat reads a process's name and process group from /proc/PID/stat.
func procStat(pid int) (comm string, pgrp int, ok bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return "", 0, false
	}
	// "pid (comm) state ppid pgrp …": comm may hold spaces and parentheses.
	s := string(b)
	i, j := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if i < 0 || j < i {
		return "", 0, false
	}
	f := strings.Fields(s[j+1:])
	if len(f) < 3 {
		return "", 0, false
	}
	pgrp, err = strconv.Atoi(f[2])
	return s[i+1 : j], pgrp, err == nil
}

// fdTargets lists what a process's file descriptors point at.
func fdTargets(pid int) []string {
	dir := "/proc/" + strconv.Itoa(pid) + "/fd"
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range ents {
		if t, err := os.Readlink(filepath.Join(dir, e.Name())); err == nil {
			out = append(out, t)
		}
	}
	return out
}

// openFiles lists the regular files the processes of a group have open
// (a local backend holds its state file open while it holds the lock).
func openFiles(pgid int) []string {
	var out []string
	for _, pid := range procs() {
		if _, g, ok := procStat(pid); !ok || g != pgid {
			continue
		}
		for _, t := range fdTargets(pid) {
			if filepath.IsAbs(t) && !strings.HasPrefix(t, "/dev/") && !strings.HasPrefix(t, "/proc/") {
				if st, err := os.Stat(t); err == nil && st.Mode().IsRegular() {
					out = append(out, t)
				}
			}
		}
	}
	return out
}

// pipeHolders lists the other processes that hold the write end of the
// given pipes (tfgate holds the read ends): processes a command left
// behind, in its process group or not.
func pipeHolders(pipes ...*os.File) []holder {
	want := map[string]bool{}
	for _, f := range pipes {
		if st, err := f.Stat(); err == nil {
			if s, ok := st.Sys().(*syscall.Stat_t); ok {
				want["pipe:["+strconv.FormatUint(s.Ino, 10)+"]"] = true
			}
		}
	}
	self := os.Getpid()
	var out []holder
	for _, pid := range procs() {
		if pid == self {
			continue
		}
		for _, t := range fdTargets(pid) {
			if want[t] {
				comm, _, _ := procStat(pid)
				out = append(out, holder{pid, comm})
				break
			}
		}
	}
	return out
}
