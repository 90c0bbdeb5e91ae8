package drift

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// The terraform commands of a check run here rather than through
// terraform-exec's command runner, with the same arguments and environment
// rules (tfexec.CleanEnv, TF_IN_AUTOMATION, no TF_LOG): terraform-exec
// reads a command's output until its pipes close before it waits for the
// command, so a process that a wrapper script leaves holding them blocks it
// for good (no timeout or signal can end the run), and it keeps all of
// stderr in memory (500 MB of output cost GBs). Here:
//
//   - every command runs in a process group of its own; an interrupt
//     (timeout, SIGINT, SIGTERM) goes to the whole group (as a terminal's
//     Ctrl-C does, so that terraform behind a wrapper script gets it), and
//     after the grace period the whole group is killed;
//   - once the command has exited, whatever still holds its output pipes
//     (a background process of a wrapper script, a provider that outlived
//     terraform) is killed after a short delay and the pipes are closed, so
//     the run goes on whatever is left behind;
//   - stderr (and stdout, when it is not wanted) is kept to a bounded
//     head and tail.

const (
	// outputKept bounds what is kept of a command's stderr (and of its
	// stdout when only errors need it): the first headKept bytes and the
	// last outputKept-headKept.
	outputKept = 64 << 10
	headKept   = 8 << 10
	// drainDelay is how long the output of a command that exited may stay
	// open (held by a process it left behind) before that process is killed.
	drainDelay = 2 * time.Second
	// killWait bounds the wait for a killed process to be reaped.
	killWait = 10 * time.Second
)

// cli runs the commands of one root with one binary.
type cli struct {
	bin   string
	dir   string
	env   []string
	grace time.Duration   // between the interrupt and the kill
	kill  <-chan struct{} // closed: do not wait for the rest of the grace

	// leftovers describes processes killed because they kept a command's
	// output open after it exited (wrapper scripts' background jobs).
	leftovers []string
	// lockFiles are local-state lock-info files removed after a kill.
	lockFiles []string
}

// stoppedError is returned when a command was interrupted or killed because
// its context ended.
type stoppedError struct {
	cause      error // the context's error
	killed     bool  // it did not stop within the grace period
	notStarted bool  // the context had ended before it could start
}

func (e *stoppedError) Error() string {
	if e.notStarted {
		return "not started (" + e.cause.Error() + ")"
	}
	if e.killed {
		return "stopped (" + e.cause.Error() + "), killed after the grace period"
	}
	return "stopped (" + e.cause.Error() + ")"
}

func (e *stoppedError) Unwrap() error { return e.cause }

// commandError is a command that ran and failed.
type commandError struct {
	status string // "exit status 1"
	output string // stderr (or stdout when stderr is empty), bounded
}

func (e *commandError) Error() string {
	if strings.TrimSpace(e.output) == "" {
		return e.status
	}
	return e.status + "\n" + e.output
}

// run runs the binary with args in the root's directory. The command's
// stdout goes to stdout; with a nil stdout a bounded part of it is kept
// for the error message. It returns a *commandError when the command
// fails, a *stoppedError when ctx ends first.
func (c *cli) run(ctx context.Context, stdout io.Writer, args ...string) error {
	if err := ctx.Err(); err != nil {
		return &stoppedError{cause: err, notStarted: true}
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		return err
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		outR.Close()
		outW.Close()
		return err
	}
	cmd := exec.Command(c.bin, args...)
	cmd.Dir = c.dir
	cmd.Env = c.env
	cmd.Stdout = outW
	cmd.Stderr = errW
	cmd.SysProcAttr = sysProcAttr()
	start := time.Now()
	err = cmd.Start()
	outW.Close()
	errW.Close()
	if err != nil {
		outR.Close()
		errR.Close()
		return err
	}
	stderr := &boundedBuffer{}
	var outKept *boundedBuffer
	if stdout == nil {
		outKept = &boundedBuffer{}
		stdout = outKept
	}
	copied := make(chan struct{}, 2)
	go func() { io.Copy(stdout, outR); copied <- struct{}{} }()
	go func() { io.Copy(stderr, errR); copied <- struct{}{} }()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	var (
		waitErr error
		stopped *stoppedError
		open    []string // the group's open files, for lock cleanup
	)
	select {
	case waitErr = <-exited:
	case <-ctx.Done():
		stopped = &stoppedError{cause: ctx.Err()}
		waitErr = c.stop(cmd.Process, exited, stopped, &open)
	}

	// The output ends when every process holding the pipes is gone.
	drain := time.NewTimer(drainDelay)
	for n := 0; n < 2; {
		select {
		case <-copied:
			n++
			continue
		case <-drain.C:
		}
		// Something the command started still holds its output.
		holders := pipeHolders(outR, errR)
		killGroup(cmd.Process)
		for _, h := range holders {
			c.leftovers = append(c.leftovers, h.String())
			h.kill()
		}
		if len(holders) == 0 {
			c.leftovers = append(c.leftovers, "a process it started")
		}
		select {
		case <-copied:
			n++
		case <-time.After(500 * time.Millisecond):
		}
		// Close the pipes whatever holds them: the reads end.
		outR.Close()
		errR.Close()
		for ; n < 2; n++ {
			<-copied
		}
	}
	drain.Stop()
	outR.Close()
	errR.Close()

	if stopped != nil {
		if stopped.killed {
			c.lockFiles = append(c.lockFiles, removeLockInfo(c.dir, open, start)...)
		}
		return stopped
	}
	if waitErr != nil {
		msg := stderr.String()
		if strings.TrimSpace(msg) == "" && outKept != nil {
			msg = outKept.String()
		}
		status := waitErr.Error()
		var ee *exec.ExitError
		if !errors.As(waitErr, &ee) {
			status = fmt.Sprintf("%s: %s", filepath.Base(c.bin), waitErr)
		}
		return &commandError{status: status, output: msg}
	}
	return nil
}

// stop interrupts a command's process group, gives it the grace period
// to end (the command and whatever it started: terraform behind a wrapper
// script still shuts down after the wrapper is gone), then kills what is
// left. It returns the command's Wait error.
func (c *cli) stop(p *os.Process, exited <-chan error, st *stoppedError, open *[]string) error {
	interruptGroup(p)
	grace := time.NewTimer(c.grace)
	defer grace.Stop()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	var waitErr error
	done := false
	for !st.killed {
		select {
		case waitErr = <-exited:
			done = true
			exited = nil
		case <-tick.C:
			if done && !groupAlive(p) {
				return waitErr
			}
		case <-grace.C:
			st.killed = true
		case <-c.kill:
			st.killed = true
		}
	}
	*open = openFiles(p.Pid)
	killGroup(p)
	if !done {
		select {
		case waitErr = <-exited:
		case <-time.After(killWait):
		}
	}
	killGroup(p) // what the command started while it was being killed
	return waitErr
}

// boundedBuffer keeps the first headKept bytes written to it and the last
// outputKept-headKept, and counts the rest.
type boundedBuffer struct {
	head    []byte
	tail    []byte // ring of tailCap bytes once full
	pos     int    // next write position in tail, once full
	full    bool
	dropped int64
}

const tailCap = outputKept - headKept

func (b *boundedBuffer) Write(p []byte) (int, error) {
	n := len(p)
	if room := headKept - len(b.head); room > 0 {
		k := min(room, len(p))
		b.head = append(b.head, p[:k]...)
		p = p[k:]
	}
	if len(p) == 0 {
		return n, nil
	}
	if !b.full {
		k := min(tailCap-len(b.tail), len(p))
		b.tail = append(b.tail, p[:k]...)
		p = p[k:]
		if len(b.tail) < tailCap {
			return n, nil
		}
		b.full, b.pos = true, 0
	}
	// The ring is full: the oldest bytes give way.
	if len(p) >= tailCap {
		b.dropped += int64(len(p))
		copy(b.tail, p[len(p)-tailCap:])
		b.pos = 0
		return n, nil
	}
	b.dropped += int64(len(p))
	k := copy(b.tail[b.pos:], p)
	copy(b.tail, p[k:])
	b.pos = (b.pos + len(p)) % tailCap
	return n, nil
}

// String is what was kept, with a marker where bytes were dropped.
func (b *boundedBuffer) String() string {
	var s strings.Builder
	s.Write(b.head)
	if b.dropped > 0 {
		fmt.Fprintf(&s, "\n[… %d bytes not kept …]\n", b.dropped)
		// Start at a line boundary when one is near.
		tail := append(append([]byte{}, b.tail[b.pos:]...), b.tail[:b.pos]...)
		if i := strings.IndexByte(string(tail[:min(len(tail), 4096)]), '\n'); i >= 0 {
			tail = tail[i+1:]
		}
		s.Write(tail)
	} else {
		s.Write(b.tail)
	}
	return s.String()
}

// removeLockInfo removes the lock-info files of local state that a killed
// command left: `.NAME.lock.info` beside the state files it had open, and
// in the root and its terraform.tfstate.d workspaces, written since the
// command started. (A local state lock itself is released when the process
// dies; only this file stays behind. A remote backend's lock cannot be
// cleaned from here, which is why drift does not lock by default.)
func removeLockInfo(dir string, open []string, since time.Time) []string {
	cands := map[string]bool{}
	for _, f := range open {
		cands[filepath.Join(filepath.Dir(f), "."+filepath.Base(f)+".lock.info")] = true
	}
	for _, pat := range []string{filepath.Join(dir, ".*.lock.info"), filepath.Join(dir, "terraform.tfstate.d", "*", ".*.lock.info")} {
		m, _ := filepath.Glob(pat)
		for _, f := range m {
			cands[f] = true
		}
	}
	var removed []string
	for f := range cands {
		st, err := os.Lstat(f)
		if err != nil || !st.Mode().IsRegular() || st.ModTime().Before(since.Add(-time.Second)) || st.Size() > 1<<20 {
			continue
		}
		// Only terraform's own lock-info JSON.
		var info struct{ ID, Operation string }
		if data, err := os.ReadFile(f); err != nil || json.Unmarshal(data, &info) != nil || info.ID == "" {
			continue
		}
		if os.Remove(f) == nil {
			removed = append(removed, f)
		}
	}
	return removed
}
