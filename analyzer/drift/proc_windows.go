package drift

import (
	"os"
	"strconv"
	"syscall"
)

// Windows has no SIGINT for another process and no process groups to
// signal: a stopped command is killed.
func sysProcAttr() *syscall.SysProcAttr { return nil }

func interruptGroup(p *os.Process) { _ = p.Kill() }

func killGroup(p *os.Process) { _ = p.Kill() }

func groupAlive(p *os.Process) bool { return false }

func openFiles(pgid int) []string { return nil }

type holder struct {
	pid  int
	comm string
}

func (h holder) String() string { return h.comm + " (pid " + strconv.Itoa(h.pid) + ")" }

func (h holder) kill() {
	if p, err := os.FindProcess(h.pid); err == nil {
		_ = p.Kill()
	}
}

func pipeHolders(pipes ...*os.File) []holder { return nil }
