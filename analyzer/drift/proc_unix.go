//go:build unix

package drift

import (
	"os"
	"strconv"
	"syscall"
)

// interruptGroup sends SIGINT to the command's process group, as Ctrl-C
// in a terminal does: terraform, even behind a wrapper script, stops
// cleanly.
func interruptGroup(p *os.Process) {
	if p.Pid <= 1 || syscall.Kill(-p.Pid, syscall.SIGINT) != nil {
		_ = p.Signal(os.Interrupt)
	}
}

// groupAlive reports whether a process of the command's group is left.
func groupAlive(p *os.Process) bool {
	return p.Pid > 1 && syscall.Kill(-p.Pid, 0) == nil
}

// killGroup kills every process left in the command's process group.
func killGroup(p *os.Process) {
	if p.Pid > 1 && p.Pid != syscall.Getpgrp() {
		_ = syscall.Kill(-p.Pid, syscall.SIGKILL)
	}
}

// holder is a process that holds one of a command's output pipes.
type holder struct {
	pid  int
	comm string
}

func (h holder) String() string { return h.comm + " (pid " + strconv.Itoa(h.pid) + ")" }

func (h holder) kill() { _ = syscall.Kill(h.pid, syscall.SIGKILL) }
