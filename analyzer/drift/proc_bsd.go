//go:build unix && !linux

package drift

import (
	"os"
	"syscall"
)

// sysProcAttr starts a command in a process group of its own.
func sysProcAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }

// openFiles and pipeHolders need /proc: elsewhere the process group is
// all that is killed, and held pipes are closed.
func openFiles(pgid int) []string { return nil }

func pipeHolders(pipes ...*os.File) []holder { return nil }
