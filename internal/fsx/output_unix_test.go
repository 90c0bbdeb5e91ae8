//go:build unix

package fsx

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// readAll reads what a writer sends to r, in the background.
func readAll(r io.Reader) <-chan string {
	ch := make(chan string, 1)
	go func() {
		b, _ := io.ReadAll(r)
		ch <- string(b)
	}()
	return ch
}

func recv(t *testing.T, ch <-chan string) string {
	t.Helper()
	select {
	case s := <-ch:
		return s
	case <-time.After(10 * time.Second):
		t.Fatal("the reader got nothing")
		return ""
	}
}

func mustWrite(t *testing.T, p, data string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(p, []byte(data), mode); err != nil {
		t.Fatal(err)
	}
}

// A regular file is replaced, keeping its permissions; a new one is
// created.
func TestWriteOutputRegular(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "report.json")
	mustWrite(t, p, "old", 0o600)
	if err := WriteOutput(p, []byte("new")); err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(p)
	if got, _ := os.ReadFile(p); string(got) != "new" || st.Mode().Perm() != 0o600 {
		t.Errorf("got %q mode %v, want \"new\" 0600", got, st.Mode().Perm())
	}
	fresh := filepath.Join(dir, "fresh.sarif")
	if err := WriteOutput(fresh, []byte("x")); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(fresh); string(got) != "x" {
		t.Errorf("new file: %q", got)
	}
}

// A FIFO is written through (to a reader), and stays a FIFO.
func TestWriteOutputFIFO(t *testing.T) {
	p := filepath.Join(t.TempDir(), "out.fifo")
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	ch := make(chan string, 1)
	go func() {
		f, err := os.Open(p) // blocks until the writer opens
		if err != nil {
			ch <- "open: " + err.Error()
			return
		}
		defer f.Close()
		b, _ := io.ReadAll(f)
		ch <- string(b)
	}()
	if err := WriteOutput(p, []byte("through the fifo")); err != nil {
		t.Fatal(err)
	}
	if got := recv(t, ch); got != "through the fifo" {
		t.Errorf("reader got %q", got)
	}
	if st, err := os.Lstat(p); err != nil || st.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the FIFO was replaced: %v %v", st.Mode(), err)
	}
	assertOnly(t, filepath.Dir(p), "out.fifo")
}

// A character device is written through and stays a device. The test
// makes its own null device (never the machine's /dev/null); without the
// right to, the FIFO test covers the non-regular path.
func TestWriteOutputDevice(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "null")
	if err := syscall.Mknod(p, syscall.S_IFCHR|0o666, int(mkdev(1, 3))); err != nil {
		t.Skipf("cannot make a device node here (%v); TestWriteOutputFIFO covers non-regular files", err)
	}
	if err := WriteOutput(p, []byte("discarded")); err != nil {
		t.Fatal(err)
	}
	// Through a symlink too, as /dev/stderr-style names are.
	link := filepath.Join(dir, "link")
	os.Symlink(p, link)
	if err := WriteOutput(link, []byte("discarded")); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Lstat(p); err != nil || st.Mode()&os.ModeCharDevice == 0 {
		t.Errorf("the device was replaced: %v %v", st.Mode(), err)
	}
	assertOnly(t, dir, "link", "null")
}

func mkdev(major, minor uint64) uint64 {
	return (major&0xfff)<<8 | (minor & 0xff) | (minor&0xfff00)<<12 | (major&^0xfff)<<32
}

// A Unix socket gets the data through a connection.
func TestWriteOutputSocket(t *testing.T) {
	p := filepath.Join(t.TempDir(), "s.sock")
	l, err := net.Listen("unix", p)
	if err != nil {
		t.Skipf("unix socket: %v", err)
	}
	defer l.Close()
	ch := make(chan string, 1)
	go func() {
		c, err := l.Accept()
		if err != nil {
			ch <- err.Error()
			return
		}
		defer c.Close()
		b, _ := io.ReadAll(c)
		ch <- string(b)
	}()
	if err := WriteOutput(p, []byte("to the socket")); err != nil {
		t.Fatal(err)
	}
	if got := recv(t, ch); got != "to the socket" {
		t.Errorf("socket got %q", got)
	}
}

// A symlink is followed: its target is replaced, the link stays a link.
// Relative links resolve against the link's real directory, through a
// symlinked directory and a chain of links; a dangling link's target is
// created.
func TestWriteOutputSymlink(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real")
	os.MkdirAll(filepath.Join(real, "reports"), 0o755)
	target := filepath.Join(real, "reports", "tfgate.sarif")
	mustWrite(t, target, "old", 0o640)
	// dir/alias -> real; real/reports/latest -> tfgate.sarif; dir/out -> alias/reports/latest
	os.Symlink("real", filepath.Join(dir, "alias"))
	os.Symlink("tfgate.sarif", filepath.Join(real, "reports", "latest"))
	out := filepath.Join(dir, "out")
	os.Symlink("alias/reports/latest", out)
	if err := WriteOutput(out, []byte("new")); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(target); string(got) != "new" {
		t.Errorf("target holds %q", got)
	}
	if st, _ := os.Stat(target); st.Mode().Perm() != 0o640 {
		t.Errorf("target mode %v, want 0640", st.Mode().Perm())
	}
	for _, l := range []string{out, filepath.Join(real, "reports", "latest"), filepath.Join(dir, "alias")} {
		if st, err := os.Lstat(l); err != nil || st.Mode()&os.ModeSymlink == 0 {
			t.Errorf("%s is no longer a symlink", l)
		}
	}
	// A relative link inside a symlinked directory: "../x" is against the
	// real parent, not the lexical one.
	os.Symlink("../up.txt", filepath.Join(real, "reports", "up"))
	if err := WriteOutput(filepath.Join(dir, "alias", "reports", "up"), []byte("up")); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(real, "up.txt")); string(got) != "up" {
		t.Errorf("relative link through a symlinked directory: %q", got)
	}
	// Dangling.
	os.Symlink("made.json", filepath.Join(dir, "dangling"))
	if err := WriteOutput(filepath.Join(dir, "dangling"), []byte("made")); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "made.json")); string(got) != "made" {
		t.Errorf("dangling link's target: %q", got)
	}
	// A loop is an error, not a hang.
	os.Symlink("loop2", filepath.Join(dir, "loop1"))
	os.Symlink("loop1", filepath.Join(dir, "loop2"))
	if err := WriteOutput(filepath.Join(dir, "loop1"), []byte("x")); err == nil || !strings.Contains(err.Error(), "too many levels of symbolic links") {
		t.Errorf("loop: %v", err)
	}
}

// A descriptor path writes to the descriptor: a pipe gets the data, a
// regular file behind a descriptor (a shell redirection) is appended to,
// not replaced.
func TestWriteOutputDescriptor(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ch := readAll(r)
	fd := strconv.Itoa(int(w.Fd()))
	if err := WriteOutput("/dev/fd/"+fd, []byte("one,")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat("/proc/self/fd"); err == nil {
		if err := WriteOutput("/proc/self/fd/"+fd, []byte("two")); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	if got := recv(t, ch); got != "one,two" && got != "one," {
		t.Errorf("pipe got %q", got)
	}

	p := filepath.Join(t.TempDir(), "redirected.log")
	f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	f.WriteString("before\n")
	st1, _ := os.Stat(p)
	if err := WriteOutput("/dev/fd/"+strconv.Itoa(int(f.Fd())), []byte("report\n")); err != nil {
		t.Fatal(err)
	}
	f.WriteString("after\n")
	st2, _ := os.Stat(p)
	if got, _ := os.ReadFile(p); string(got) != "before\nreport\nafter\n" {
		t.Errorf("redirected file holds %q", got)
	}
	if !os.SameFile(st1, st2) {
		t.Error("the redirected file was replaced: its descriptor no longer points at it")
	}
	// The descriptor stays open.
	if _, err := f.WriteString(""); err != nil {
		t.Errorf("descriptor closed: %v", err)
	}
}

// A directory that cannot take the temporary file: a clear error, the
// existing report untouched, nothing left behind. And a directory as the
// target.
func TestWriteOutputFailures(t *testing.T) {
	dir := t.TempDir()
	if err := WriteOutput(dir, []byte("x")); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("a directory as the target: %v", err)
	}
	if err := WriteOutput(filepath.Join(dir, "missing", "out.json"), []byte("x")); err == nil || !strings.Contains(err.Error(), "no such file or directory") {
		t.Errorf("a missing directory: %v", err)
	}

}

// A directory that cannot take the temporary file: a clear error, the
// existing report untouched (although the file itself is writable),
// nothing left behind. Root may write anywhere, so as root the check runs
// in a copy of this test binary as the unprivileged user 65534.
func TestWriteOutputReadOnlyDir(t *testing.T) {
	if dir := os.Getenv("FSX_TEST_READONLY_DIR"); dir != "" {
		if msg := readOnlyCheck(dir); msg != "" {
			t.Fatal(msg)
		}
		return
	}
	base, err := os.MkdirTemp("", "fsx-ro-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(base)
	os.Chmod(base, 0o755)
	ro := filepath.Join(base, "ro")
	os.Mkdir(ro, 0o755)
	mustWrite(t, filepath.Join(ro, "report.sarif"), "previous report", 0o666)
	os.Chmod(filepath.Join(ro, "report.sarif"), 0o666)
	os.Chmod(ro, 0o555)
	defer os.Chmod(ro, 0o755)
	if os.Geteuid() != 0 {
		if msg := readOnlyCheck(ro); msg != "" {
			t.Fatal(msg)
		}
		return
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(base, "fsx.test")
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-test.run=^TestWriteOutputReadOnlyDir$", "-test.count=1")
	cmd.Env = append(os.Environ(), "FSX_TEST_READONLY_DIR="+ro)
	cmd.Dir = base
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	if errors.Is(err, syscall.EPERM) {
		t.Skipf("cannot run as user 65534 here: %v", err)
	}
	if err != nil {
		t.Fatalf("as user 65534: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "PASS") {
		t.Fatalf("as user 65534, the check did not run:\n%s", out)
	}
	if got, _ := os.ReadFile(filepath.Join(ro, "report.sarif")); string(got) != "previous report" {
		t.Errorf("the report was touched: %q", got)
	}
	assertOnly(t, ro, "report.sarif")
}

// readOnlyCheck writes over report.sarif in the read-only dir and says
// what went wrong, if anything.
func readOnlyCheck(ro string) string {
	p := filepath.Join(ro, "report.sarif")
	err := WriteOutput(p, []byte("new report"))
	if err == nil || !strings.Contains(err.Error(), "is not writable") || !strings.Contains(err.Error(), "never half-written") {
		return fmt.Sprintf("read-only directory: error %v, want one saying the directory is not writable", err)
	}
	if got, _ := os.ReadFile(p); string(got) != "previous report" {
		return fmt.Sprintf("the report was touched: %q", got)
	}
	if ents, _ := os.ReadDir(ro); len(ents) != 1 {
		return fmt.Sprintf("%d files left in the directory, want 1", len(ents))
	}
	return ""
}

// assertOnly fails unless dir holds exactly names.
func assertOnly(t *testing.T, dir string, names ...string) {
	t.Helper()
	ents, _ := os.ReadDir(dir)
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	if strings.Join(got, ",") != strings.Join(names, ",") {
		t.Errorf("%s holds %v, want %v", dir, got, names)
	}
}
