package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// panicWriter stands for a bug reached while the report is written.
type panicWriter struct{}

func (panicWriter) Write([]byte) (int, error) { panic("reporter bug") }

// TestCrashExitsOne: a crash that reaches the top of tfgate (here, in
// writing the report) is a tool error, exit 1 with the trace on stderr;
// never Go's exit 2, which CI reads as "findings".
func TestCrashExitsOne(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte("resource \"aws_s3_bucket\" \"a\" {\n  bucket = \"a\"\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	code := safeRun([]string{"lint", "--format", "compact", dir}, strings.NewReader(""), panicWriter{}, &stderr)
	if code != exitError {
		t.Errorf("exit %d, want %d", code, exitError)
	}
	if !strings.Contains(stderr.String(), "tfgate: internal error: reporter bug") || !strings.Contains(stderr.String(), "Please report it with this trace") {
		t.Errorf("stderr:\n%s", stderr.String())
	}
	// The same run without the crash has findings: exit 2 is theirs.
	var out bytes.Buffer
	if code := safeRun([]string{"lint", "--format", "compact", dir}, strings.NewReader(""), &out, &stderr); code != exitFindings || out.Len() == 0 {
		t.Errorf("without the crash: exit %d, want %d with findings", code, exitFindings)
	}
}
