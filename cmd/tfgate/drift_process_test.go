//go:build linux

package main

// End-to-end tests of how `tfgate drift` handles the processes it starts,
// with tfgate as a process of its own (the test binary, which
// testscript.Main puts on PATH as tfgate) and a real OpenTofu and
// provider: wrapper scripts that leave processes holding terraform's
// output, timeouts, SIGTERM in the middle of a locked plan, concurrent runs
// on one state, and a flood of stderr. Each asserts that the run completes
// and what is left afterwards (processes, locks, temporary files), never
// how long it took; the guard deadline only turns a hang into a failure.

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/terraform-exec/tfexec"
)

// hangGuard bounds every tfgate process of these tests: reaching it is a
// hang, reported as a failure.
const hangGuard = 3 * time.Minute

type procRun struct {
	code           int
	stdout, stderr string
	maxRSSKiB      int64
}

// tfgateProc is a tfgate process started in dir, with the test's
// environment plus env; mark is set in its environment so that anything it
// leaves running can be found.
type tfgateProc struct {
	cmd            *exec.Cmd
	stdout, stderr syncBuffer
	done           chan struct{}
}

// syncBuffer is a bytes.Buffer that the test reads while the process
// writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func startTfgate(t *testing.T, dir string, env []string, args ...string) *tfgateProc {
	t.Helper()
	exe, err := exec.LookPath("tfgate")
	if err != nil {
		t.Fatalf("tfgate is not on PATH (testscript.Main puts it there): %v", err)
	}
	p := &tfgateProc{cmd: exec.Command(exe, args...), done: make(chan struct{})}
	p.cmd.Dir = dir
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.cmd.Wait(); close(p.done) }()
	return p
}

// wait waits for the process, failing (and killing it) at the hang guard.
func (p *tfgateProc) wait(t *testing.T) procRun {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(hangGuard):
		syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
		t.Fatalf("tfgate %s did not return (killed after %s)\nstderr:\n%s", strings.Join(p.cmd.Args[1:], " "), hangGuard, p.stderr.String())
	}
	r := procRun{code: p.cmd.ProcessState.ExitCode(), stdout: p.stdout.String(), stderr: p.stderr.String()}
	if ru, ok := p.cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.maxRSSKiB = ru.Maxrss
	}
	return r
}

// newMark is a value to put in the environment of a run.
func newMark(t *testing.T) string {
	b := make([]byte, 8)
	rand.Read(b)
	return "TFGATE_TEST_MARK=" + hex.EncodeToString(b)
}

// marked lists the live processes (zombies aside) whose environment holds
// mark: whatever a run left behind, in its process group or not.
func marked(mark string) []string {
	var out []string
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		env, err := os.ReadFile("/proc/" + e.Name() + "/environ")
		if err != nil || !bytes.Contains(env, []byte(mark+"\x00")) {
			continue
		}
		stat, _ := os.ReadFile("/proc/" + e.Name() + "/stat")
		if i := bytes.LastIndexByte(stat, ')'); i >= 0 && len(stat) > i+2 && (stat[i+2] == 'Z' || stat[i+2] == 'X') {
			continue
		}
		cmd, _ := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		out = append(out, e.Name()+" "+strings.TrimSpace(strings.ReplaceAll(string(cmd), "\x00", " ")))
	}
	return out
}

// assertNothingLeft fails for every process left running with mark, and
// for temporary files left in tmp (plan directories, plugin sockets).
func assertNothingLeft(t *testing.T, mark, tmp string) {
	t.Helper()
	// Killed processes take a moment to be reaped by init.
	var left []string
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if left = marked(mark); len(left) == 0 || time.Now().After(deadline) {
			break
		}
	}
	for _, l := range left {
		t.Errorf("left running: %s", l)
		if pid, err := strconv.Atoi(strings.Fields(l)[0]); err == nil {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	if tmp != "" {
		ents, _ := os.ReadDir(tmp)
		for _, e := range ents {
			t.Errorf("left in TMPDIR: %s", e.Name())
		}
	}
}

// wrapper writes an executable wrapper script around the real binary
// (given to it as $REAL_TF) into a directory of its own.
func wrapper(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "tofu")
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestDriftWrapperTimeout: terraform behind a wrapper script that does not
// exec it and leaves a sleeping process (and, where setsid exists, one in
// a session of its own) holding terraform's stdout and stderr, with a
// provider that hangs: --timeout 3s returns, reports the timeout, and
// leaves no process, no plan file and no plugin socket behind.
func TestDriftWrapperTimeout(t *testing.T) {
	bin := e2eBinaries(t)[0].path
	dir, tmp := t.TempDir(), t.TempDir()
	applyBasic(t, bin, dir)
	state := readFile(t, filepath.Join(dir, "terraform.tfstate"))
	wrap := wrapper(t, `case "$1" in plan)
  sleep 300 &
  if command -v setsid >/dev/null; then setsid sleep 301 & fi ;;
esac
"$REAL_TF" "$@"
`)
	mark := newMark(t)
	p := startTfgate(t, dir, []string{mark, "REAL_TF=" + bin, "TF_VAR_content=hello", "DEMO_READ_SLEEP=300s", "TMPDIR=" + tmp},
		"drift", "--terraform-bin", wrap, "--timeout", "3s", "--grace", "1s", "--summary", "s.json", ".")
	r := p.wait(t)
	if r.code != exitError || !strings.Contains(r.stderr, "timed out after 3s (during plan -refresh-only)") {
		t.Fatalf("exit %d, want 1 and the timeout reported; stderr:\n%s", r.code, r.stderr)
	}
	if s := readSummary(t, filepath.Join(dir, "s.json")); len(s.Roots) != 1 || s.Roots[0].Status != "error" {
		t.Errorf("summary: %+v", s.Roots)
	}
	assertNothingLeft(t, mark, tmp)
	if got := readFile(t, filepath.Join(dir, "terraform.tfstate")); got != state {
		t.Error("terraform.tfstate changed")
	}
}

// TestDriftWrapperLeftovers: a wrapper that leaves a process holding the
// output of every command it runs does not stop the check: each command's
// result is used, the drift is found, the processes are killed and a
// warning names them.
func TestDriftWrapperLeftovers(t *testing.T) {
	bin := e2eBinaries(t)[0].path
	dir, tmp := t.TempDir(), t.TempDir()
	applyBasic(t, bin, dir)
	editObject(t, filepath.Join(dir, "objects", "app.json"), func(d map[string]any) { d["content"] = "edited" })
	wrap := wrapper(t, `sleep 300 &
"$REAL_TF" "$@"
`)
	mark := newMark(t)
	r := startTfgate(t, dir, []string{mark, "REAL_TF=" + bin, "TF_VAR_content=hello", "TMPDIR=" + tmp},
		"drift", "--terraform-bin", wrap, "--format", "compact", ".").wait(t)
	if r.code != exitFindings || !strings.Contains(r.stdout, "`demo_object.app` changed outside Terraform") {
		t.Fatalf("exit %d, want 2 with the drift of demo_object.app; stdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "tfgate: warning: in ., sleep (pid ") || !strings.Contains(r.stderr, "kept the output of tofu open after it exited and were killed") {
		t.Errorf("no warning naming the leftover process:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	}
	assertNothingLeft(t, mark, tmp)
}

// TestDriftSignalMidPlan: SIGTERM while a plan with --lock holds the local
// state lock and a provider hangs. tfgate stops terraform (interrupt, then
// a kill after --grace) and returns; no process, no lock-info file and no
// lock are left: a locking plan right after succeeds. A second SIGTERM
// kills at once, without the rest of a long --grace. Behind a wrapper
// script that leaves processes holding terraform's output, the same.
func TestDriftSignalMidPlan(t *testing.T) {
	bin := e2eBinaries(t)[0].path
	// The wrapper leaves processes holding terraform's output, one of them
	// in a session of its own, as TestDriftWrapperTimeout's.
	wrap := wrapper(t, `case "$1" in plan)
  sleep 300 &
  if command -v setsid >/dev/null; then setsid sleep 301 & fi ;;
esac
"$REAL_TF" "$@"
`)
	for _, tc := range []struct {
		name    string
		grace   string
		signals int
		bin     string
	}{
		{"grace", "1s", 1, bin},
		{"second-signal", "30m", 2, bin},
		{"wrapper", "1s", 1, wrap},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, tmp := t.TempDir(), t.TempDir()
			tf := applyBasic(t, bin, dir)
			lockInfo := filepath.Join(dir, ".terraform.tfstate.lock.info")
			mark := newMark(t)
			p := startTfgate(t, dir, []string{mark, "REAL_TF=" + bin, "TF_VAR_content=hello", "DEMO_READ_SLEEP=300s", "TMPDIR=" + tmp},
				"drift", "--terraform-bin", tc.bin, "--lock", "--timeout", "0", "--grace", tc.grace, ".")
			// Mid-plan: terraform holds the lock, the provider hangs in Read.
			for deadline := time.Now().Add(hangGuard); !fileExists(lockInfo); time.Sleep(50 * time.Millisecond) {
				select {
				case <-p.done:
					t.Fatalf("tfgate ended before the plan took the lock:\n%s", p.stderr.String())
				default:
				}
				if time.Now().After(deadline) {
					t.Fatal("the plan never took the state lock")
				}
			}
			time.Sleep(500 * time.Millisecond) // into the provider's Read
			p.cmd.Process.Signal(syscall.SIGTERM)
			if tc.signals == 2 {
				for deadline := time.Now().Add(30 * time.Second); !strings.Contains(p.stderr.String(), "stopping terraform") && time.Now().Before(deadline); {
					time.Sleep(50 * time.Millisecond)
				}
				p.cmd.Process.Signal(syscall.SIGTERM)
			}
			r := p.wait(t)
			if r.code != exitError || !strings.Contains(r.stderr, "cancelled") || !strings.Contains(r.stderr, "killed") {
				t.Fatalf("exit %d, want 1 with the root cancelled and terraform killed; stderr:\n%s", r.code, r.stderr)
			}
			assertNothingLeft(t, mark, tmp)
			if fileExists(lockInfo) {
				t.Errorf("%s left behind", filepath.Base(lockInfo))
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			if _, err := tf.Plan(ctx, tfexec.Lock(true), tfexec.LockTimeout("0s"), tfexec.RefreshOnly(true), tfexec.Var("content=hello")); err != nil {
				t.Errorf("a locking plan after the kill: %v", err)
			}
		})
	}
}

// TestDriftConcurrentRuns: four drift runs at once on one root and one
// local state all succeed (drift plans do not lock) and all report the
// drift; the state is untouched.
func TestDriftConcurrentRuns(t *testing.T) {
	bin := e2eBinaries(t)[0].path
	dir, tmp := t.TempDir(), t.TempDir()
	applyBasic(t, bin, dir)
	editObject(t, filepath.Join(dir, "objects", "app.json"), func(d map[string]any) { d["content"] = "edited" })
	state := readFile(t, filepath.Join(dir, "terraform.tfstate"))
	mark := newMark(t)
	var procs []*tfgateProc
	for range 4 {
		procs = append(procs, startTfgate(t, dir, []string{mark, "TF_VAR_content=hello", "TMPDIR=" + tmp},
			"drift", "--terraform-bin", bin, "--format", "compact", "."))
	}
	var wg sync.WaitGroup
	results := make([]procRun, len(procs))
	for i, p := range procs {
		wg.Add(1)
		go func() { defer wg.Done(); results[i] = p.wait(t) }()
	}
	wg.Wait()
	for i, r := range results {
		if r.code != exitFindings || !strings.Contains(r.stdout, "`demo_object.app` changed outside Terraform") {
			t.Errorf("run %d: exit %d, want 2 with the drift; stdout:\n%s\nstderr:\n%s", i+1, r.code, r.stdout, r.stderr)
		}
	}
	if got := readFile(t, filepath.Join(dir, "terraform.tfstate")); got != state {
		t.Error("terraform.tfstate changed")
	}
	if fileExists(filepath.Join(dir, ".terraform.tfstate.lock.info")) {
		t.Error("a lock-info file was left")
	}
	assertNothingLeft(t, mark, tmp)
}

// TestDriftStderrFlood: 500 MB on stderr, with no newline, before
// terraform's error: the root fails with the end of the output (the
// error) in its message, and tfgate's memory stays bounded.
func TestDriftStderrFlood(t *testing.T) {
	bin := e2eBinaries(t)[0].path
	dir := t.TempDir()
	applyBasic(t, bin, dir)
	wrap := wrapper(t, `case "$1" in plan)
  head -c 524288000 /dev/zero | tr '\0' x >&2
  printf '\nError: the real problem is at the end\n' >&2
  exit 1 ;;
esac
exec "$REAL_TF" "$@"
`)
	mark := newMark(t)
	r := startTfgate(t, dir, []string{mark, "REAL_TF=" + bin, "TF_VAR_content=hello"},
		"drift", "--terraform-bin", wrap, "--summary", "s.json", ".").wait(t)
	if r.code != exitError || !strings.Contains(r.stderr, "Error: the real problem is at the end") {
		t.Fatalf("exit %d, want 1 with the end of stderr; stderr (%d bytes):\n%.2000s", r.code, len(r.stderr), r.stderr)
	}
	if len(r.stderr) > 64<<10 {
		t.Errorf("tfgate printed %d bytes of terraform's stderr", len(r.stderr))
	}
	// The terraform-exec runner held all of it: 2.5 GB of RSS for 500 MB.
	t.Logf("max RSS of tfgate: %d MiB", r.maxRSSKiB>>10)
	if r.maxRSSKiB == 0 || r.maxRSSKiB > 200<<10 {
		t.Errorf("max RSS %d MiB, want under 200 MiB", r.maxRSSKiB>>10)
	}
	assertNothingLeft(t, mark, "")
}

// TestDriftDoesNotLock: while another terraform holds the state lock (a
// locking plan whose provider hangs, as an apply in progress would), a
// drift run succeeds (it passes -lock=false: a read-only check neither
// waits for the lock nor blocks the apply), and it reports no drift. With
// --lock the same run fails on the lock: the lock is really held, so the
// first result is the default's, not luck. The holder is untouched.
func TestDriftDoesNotLock(t *testing.T) {
	bin := e2eBinaries(t)[0].path
	dir, tmp := t.TempDir(), t.TempDir()
	applyBasic(t, bin, dir)
	lockInfo := filepath.Join(dir, ".terraform.tfstate.lock.info")
	mark := newMark(t)
	holder := exec.Command(bin, "plan", "-refresh-only", "-lock=true", "-input=false", "-var", "content=hello")
	holder.Dir = dir
	holder.Env = append(os.Environ(), mark, "DEMO_READ_SLEEP=300s", "TMPDIR="+tmp)
	holder.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	held := make(chan struct{})
	go func() { holder.Wait(); close(held) }()
	defer syscall.Kill(-holder.Process.Pid, syscall.SIGKILL)
	for deadline := time.Now().Add(hangGuard); !fileExists(lockInfo); time.Sleep(50 * time.Millisecond) {
		select {
		case <-held:
			t.Fatal("the holder ended before it took the lock")
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("the holder never took the state lock")
		}
	}
	// A wrapper records the command lines drift runs.
	args := filepath.Join(t.TempDir(), "args")
	wrap := wrapper(t, `echo "$@" >> "$ARGS_LOG"
exec "$REAL_TF" "$@"
`)
	env := []string{mark, "REAL_TF=" + bin, "ARGS_LOG=" + args, "TF_VAR_content=hello", "TMPDIR=" + tmp}
	r := startTfgate(t, dir, env, "drift", "--terraform-bin", wrap, "--format", "compact", ".").wait(t)
	if r.code != exitOK {
		t.Fatalf("drift beside a held lock: exit %d, want 0; stdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	var plan string
	for _, l := range strings.Split(readFile(t, args), "\n") {
		if strings.HasPrefix(l, "plan ") {
			plan = l
		}
	}
	if !strings.Contains(plan, "-lock=false") || !strings.Contains(plan, "-refresh-only") {
		t.Errorf("plan command line %q, want -refresh-only -lock=false", plan)
	}
	r = startTfgate(t, dir, env, "drift", "--terraform-bin", wrap, "--lock", "--lock-timeout", "0s", ".").wait(t)
	if r.code != exitError || !strings.Contains(r.stderr, "state lock") {
		t.Errorf("drift --lock beside a held lock: exit %d, want 1 with the lock error; stderr:\n%s", r.code, r.stderr)
	}
	select {
	case <-held:
		t.Error("the holder ended during the drift runs")
	default:
	}
	syscall.Kill(-holder.Process.Pid, syscall.SIGKILL)
	<-held
	assertNothingLeft(t, mark, "")
}
