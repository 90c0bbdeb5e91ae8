package main

import (
	"bytes"
	"testing"
)

// TestFastHCLSwitch: TFGATE_FASTHCL=off parses with hclsyntax alone, and
// the findings are byte for byte the same as with the fast parser, on the
// example tree and on every Terraform file of the repository (fixtures of
// every rule and of bad input included).
func TestFastHCLSwitch(t *testing.T) {
	for _, dir := range []string{"../../fixtures/example", "../.."} {
		lint := func(mode string) []byte {
			t.Setenv("TFGATE_FASTHCL", mode)
			var out, errb bytes.Buffer
			if code := run([]string{"lint", "--format", "json", "--fail-on", "never", dir}, nil, &out, &errb); code != exitOK {
				t.Fatalf("TFGATE_FASTHCL=%s lint %s: exit %d: %s", mode, dir, code, errb.String())
			}
			return out.Bytes()
		}
		fast, off := lint("on"), lint("off")
		if !bytes.Equal(fast, off) {
			t.Errorf("lint %s: JSON differs with TFGATE_FASTHCL=off (%d vs %d bytes)", dir, len(fast), len(off))
		}
		if len(fast) < 1000 {
			t.Errorf("lint %s: only %d bytes of JSON: %s", dir, len(fast), fast)
		}
	}
	t.Setenv("TFGATE_FASTHCL", "maybe")
	var out, errb bytes.Buffer
	if code := run([]string{"lint", "../../fixtures/example"}, nil, &out, &errb); code != exitError || !bytes.Contains(errb.Bytes(), []byte(`TFGATE_FASTHCL="maybe": want on or off`)) {
		t.Errorf("TFGATE_FASTHCL=maybe: exit %d, %s", code, errb.String())
	}
}
