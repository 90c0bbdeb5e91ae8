//go:build unix

package drift

import (
	"bytes"
	"context"
	"errors"
	"math/rand"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The process handling of cli.run, with shell scripts standing in for a
// terraform behind a wrapper script. The same behaviours with a real
// OpenTofu and provider are tested end to end in cmd/tfgate.

// script writes an executable shell script into dir.
func script(t *testing.T, dir, body string) string {
	t.Helper()
	p := filepath.Join(dir, "tf.sh")
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// pidsIn reads the process IDs a script wrote into a file, one a line.
func pidsIn(t *testing.T, file string) []int {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("the script wrote no pid file: %v", err)
	}
	var out []int
	for _, f := range strings.Fields(string(data)) {
		pid, err := strconv.Atoi(f)
		if err != nil {
			t.Fatalf("pid file: %q", data)
		}
		out = append(out, pid)
	}
	return out
}

// alive reports whether a process still runs (a zombie does not count).
func alive(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return syscall.Kill(pid, 0) == nil // no procfs: ask the kernel
	}
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 && len(s) > i+2 {
		return s[i+2] != 'Z' && s[i+2] != 'X'
	}
	return true
}

// assertGone waits a little for processes to be reaped, then fails for
// each one still running.
func assertGone(t *testing.T, pids []int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for _, pid := range pids {
		for alive(pid) && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if alive(pid) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Errorf("process %d was left running", pid)
		}
	}
}

func newCLI(t *testing.T, body string) (*cli, string) {
	t.Helper()
	dir := t.TempDir()
	return &cli{bin: script(t, dir, body), dir: dir, env: os.Environ(), grace: 300 * time.Millisecond}, dir
}

// A wrapper that leaves a background process holding stdout and stderr:
// the command's result is still returned, the process is killed and named.
func TestRunLeftoverHoldsPipes(t *testing.T) {
	c, dir := newCLI(t, `sleep 300 & echo $! > pids
echo out
echo err >&2
exit 0
`)
	var out bytes.Buffer
	if err := c.run(context.Background(), &out, "plan"); err != nil {
		t.Fatalf("run: %v", err)
	}
	if out.String() != "out\n" {
		t.Errorf("stdout %q", out.String())
	}
	if len(c.leftovers) == 0 || !strings.Contains(strings.Join(c.leftovers, " "), "sleep") {
		t.Errorf("leftovers %q, want the sleep named", c.leftovers)
	}
	assertGone(t, pidsIn(t, filepath.Join(dir, "pids")))
}

// A process that left the process group (setsid) and holds the pipes is
// found through them and killed too.
func TestRunEscapedHolder(t *testing.T) {
	if _, err := exec.LookPath("setsid"); err != nil {
		t.Skip("no setsid")
	}
	if _, err := os.Stat("/proc/self/fd"); err != nil {
		t.Skip("no procfs")
	}
	c, dir := newCLI(t, `setsid sh -c 'echo $$ > pids; exec sleep 300' &
while [ ! -s pids ]; do sleep 0.05; done
echo done
`)
	var out bytes.Buffer
	if err := c.run(context.Background(), &out, "plan"); err != nil {
		t.Fatalf("run: %v", err)
	}
	if !strings.Contains(out.String(), "done") {
		t.Errorf("stdout %q", out.String())
	}
	pids := pidsIn(t, filepath.Join(dir, "pids"))
	if len(pids) == 0 {
		t.Fatal("could not find the escaped sleep")
	}
	assertGone(t, pids)
}

// A command that ignores SIGINT and outlives the grace period is killed,
// with everything in its group; the call returns a stoppedError.
func TestRunKilledAfterGrace(t *testing.T) {
	c, dir := newCLI(t, `trap '' INT
sleep 300 & echo $! >> pids
echo $$ >> pids
wait
`)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	err := c.run(ctx, nil, "plan")
	var st *stoppedError
	if !errors.As(err, &st) || !st.killed || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want a kill after the grace period", err)
	}
	assertGone(t, pidsIn(t, filepath.Join(dir, "pids")))
}

// A command that stops on SIGINT is not killed. The interrupt reaches the
// whole group, and the group gets its grace period even when the wrapper
// exits at once: terraform (here a Go helper that, as terraform does,
// takes a moment to shut down on SIGINT) behind a wrapper script.
func TestRunInterrupted(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	c, dir := newCLI(t, `trap 'exit 0' INT
DRIFT_TEST_HELPER=graceful "$HELPER" -test.run='^TestHelperProcess$' &
echo $! > pids
wait
`)
	c.env = append(c.env, "HELPER="+exe)
	c.grace = 20 * time.Second
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if _, err := os.Stat(filepath.Join(dir, "ready")); err == nil {
				break
			}
		}
		cancel()
	}()
	err = c.run(ctx, nil, "plan")
	var st *stoppedError
	if !errors.As(err, &st) || st.killed || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want an interrupt that stopped it", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "stopped")); err != nil {
		t.Error("the wrapper's child was killed before it finished stopping")
	}
	assertGone(t, pidsIn(t, filepath.Join(dir, "pids")))
}

// TestHelperProcess is the child of TestRunInterrupted: it stops on SIGINT
// after a moment, as terraform does.
func TestHelperProcess(t *testing.T) {
	if os.Getenv("DRIFT_TEST_HELPER") != "graceful" {
		t.Skip("helper process for TestRunInterrupted")
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt)
	os.WriteFile("ready", nil, 0o644)
	select {
	case <-sig:
	case <-time.After(time.Minute):
		os.Exit(3)
	}
	time.Sleep(300 * time.Millisecond)
	os.WriteFile("stopped", nil, 0o644)
	os.Exit(0)
}

// A second signal (the kill channel) does not wait for the grace period.
func TestRunKillNow(t *testing.T) {
	c, _ := newCLI(t, "trap '' INT\nsleep 300\n")
	c.grace = time.Hour
	kill := make(chan struct{})
	c.kill = kill
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(200 * time.Millisecond); cancel(); time.Sleep(200 * time.Millisecond); close(kill) }()
	err := c.run(ctx, nil, "plan")
	var st *stoppedError
	if !errors.As(err, &st) || !st.killed {
		t.Fatalf("err = %v, want a kill", err)
	}
}

// 50 MB of stderr without a newline, then the error: the message keeps
// the start and the end, and what is held stays bounded.
func TestRunStderrBounded(t *testing.T) {
	c, _ := newCLI(t, `echo "Error: first line" >&2
head -c 52428800 /dev/zero | tr '\0' x >&2
printf '\nError: the real problem\n' >&2
exit 1
`)
	err := c.run(context.Background(), nil, "plan")
	var ce *commandError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want a commandError", err)
	}
	if ce.status != "exit status 1" {
		t.Errorf("status %q", ce.status)
	}
	for _, want := range []string{"Error: first line", "Error: the real problem", "bytes not kept"} {
		if !strings.Contains(ce.output, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if len(ce.output) > outputKept+100 {
		t.Errorf("output is %d bytes, want at most %d", len(ce.output), outputKept+100)
	}
}

// boundedBuffer keeps exactly the head and the tail, whatever the writes.
func TestBoundedBuffer(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for _, total := range []int{0, 10, headKept, headKept + 1, outputKept, outputKept + 1, 3*outputKept + 17, 1 << 20} {
		data := make([]byte, total)
		for i := range data {
			data[i] = 'a' + byte(rng.Intn(26)) // no newlines: the tail is not trimmed
		}
		var b boundedBuffer
		for rest := data; len(rest) > 0; {
			n := min(len(rest), 1+rng.Intn(3*tailCap/2))
			b.Write(rest[:n])
			rest = rest[n:]
		}
		got := b.String()
		if total <= outputKept {
			if got != string(data) {
				t.Errorf("%d bytes: not kept whole", total)
			}
			continue
		}
		want := string(data[:headKept]) + "\n[… " + strconv.Itoa(total-outputKept) + " bytes not kept …]\n" + string(data[total-tailCap:])
		if got != want {
			t.Errorf("%d bytes: head/tail wrong (got %d bytes, want %d)", total, len(got), len(want))
		}
	}
}

// Lock-info files written by a killed terraform are removed; older ones
// and files that are not terraform's are kept.
func TestRemoveLockInfo(t *testing.T) {
	dir := t.TempDir()
	start := time.Now()
	info := []byte(`{"ID":"5c1f","Operation":"OperationTypePlan","Who":"ci@runner","Created":"2024-01-01T00:00:00Z"}`)
	write := func(p string, data []byte, age time.Duration) string {
		p = filepath.Join(dir, p)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		mt := time.Now().Add(-age)
		os.Chtimes(p, mt, mt)
		return p
	}
	fresh := write(".terraform.tfstate.lock.info", info, 0)
	ws := write("terraform.tfstate.d/prod/.terraform.tfstate.lock.info", info, 0)
	custom := write("state/.live.tfstate.lock.info", info, 0)
	old := write("terraform.tfstate.d/old/.terraform.tfstate.lock.info", info, time.Hour)
	other := write(".notes.lock.info", []byte("not json"), 0)
	removed := removeLockInfo(dir, []string{filepath.Join(dir, "state", "live.tfstate")}, start)
	if len(removed) != 3 {
		t.Errorf("removed %v, want the 3 fresh lock-info files", removed)
	}
	for _, p := range []string{fresh, ws, custom} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s kept", p)
		}
	}
	for _, p := range []string{old, other} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s removed", p)
		}
	}
}
