package fasthcl

import (
	"strings"
	"testing"
)

// TestNestingDepth: what counts as depth, and what does not.
func TestNestingDepth(t *testing.T) {
	for _, c := range []struct {
		name string
		src  string
		json bool
		want int
	}{
		{"flat", "a = 1\nb = \"x\"\n", false, 1},
		{"brackets", "a = [[[1]]]\n", false, 3},
		{"conditional chain", "a = x ? 1 : x ? 2 : x ? 3 : 4\n", false, 3},
		{"binary chain", "a = 1 + 2 * 3 - 4\n", false, 3},
		{"chain ends at a comma", "a = [1 + 1, 2 + 2, 3 + 3]\n", false, 2},
		{"chain ends at a newline", "a = 1 + 1\nb = 2 + 2\n", false, 1},
		{"not ended by a newline inside parentheses", "a = (1 +\n 1 +\n 1)\n", false, 3},
		{"index chain", "a = x[a][b][c]\n", false, 4},
		{"unary run", "a = !!!true\n", false, 3},
		{"string text", "a = \"]]]]((((----\"\n", false, 1},
		{"escaped quote", "a = \"\\\"((((\"\n", false, 1},
		{"interpolation", "a = \"${b + c}\"\n", false, 3},
		{"escaped interpolation", "a = \"$${(((((\"\n", false, 1},
		{"comment", "# ((((((( ------\n// [[[[[\n/* {{{{ */ a = 1\n", false, 0},
		{"dashed identifier", "a = my-long-name-here\n", false, 0},
		{"number exponent", "a = 1e-5\n", false, 0},
		{"heredoc text", "a = <<EOT\n((((((-----\nEOT\nb = 1\n", false, 1},
		{"heredoc interpolation", "a = <<-EOT\n  ${[1]}\n  EOT\n", false, 3},
		{"directives", "a = \"%{if x}%{if y}y%{endif}%{endif}\"\n", false, 4},
		{"json structure", `{"a": [[1]], "b": "((("}`, true, 3},
		{"json template", `{"a": "${[(1)]}"}`, true, 5},
	} {
		scan := scanNesting
		if c.json {
			scan = jsonNesting
		}
		if _, got := scan([]byte(c.src)); got != c.want {
			t.Errorf("%s: depth %d, want %d", c.name, got, c.want)
		}
	}
	if line, d := NestingDepth([]byte("a = 1\n\nb = "+strings.Repeat("x?1:", 2000)+"1\n"), false); line != 3 || d != 2000 {
		t.Errorf("long chain: depth %d at line %d, want 2000 at line 3", d, line)
	}
	// Few depth bytes: decided by counting them, an upper bound.
	if _, d := NestingDepth([]byte("a = [[1]]\n"), false); d < 2 || d > MaxNesting {
		t.Errorf("short source: depth %d", d)
	}
}
