package fasthcl

// MaxNesting is how deep an expression's syntax tree may be before tfgate
// refuses to parse or evaluate it (see NestingDepth). hclsyntax's parser,
// hcl's evaluator and every walk over a tree recurse once or more per
// level; at this depth they use a few megabytes of stack, far from Go's
// limit, whatever the input.
const MaxNesting = 1024

// NestingDepth returns an upper bound on the depth of the syntax trees in
// an HCL (or, with json, HCL JSON) source, and the line where it is
// reached. It is a lexical scan, linear in the source, that understands
// what the depth is made of:
//
//   - brackets, template interpolations `${…}` and directives `%{…}`, and
//     `%{if}`/`%{for}` blocks, each one level;
//   - operator chains, one level per operator: `a ? 1 : a ? 1 : …` nests
//     its conditionals, `1 + 1 + …` builds a tree as deep as the chain is
//     long, and so do `!!…`, `- - …` and index chains `x[a][b]…`; a comma
//     or (outside parentheses and brackets) a newline ends the chain;
//
// and what it is not made of: the text of strings, heredocs and comments
// (a `"]"` in a string or a comment of 300 `-` is not nesting), dashes
// inside identifiers (`my-name`). In JSON the structure is arrays and
// objects, and a string that holds a template (`${` or `%{`) counts with
// the brackets and operators of its text.
func NestingDepth(src []byte, json bool) (line, max int) {
	if json {
		return jsonNesting(src)
	}
	// Every level of depth is one of these bytes (an opening bracket or
	// quote, an operator): a source with few of them cannot be deep, and
	// most files are decided by this count alone.
	n := 0
	for _, c := range src {
		n += int(depthBytes[c])
	}
	if n <= MaxNesting {
		return 1, n
	}
	return scanNesting(src)
}

// scanNesting is NestingDepth's scan of native syntax.
func scanNesting(src []byte) (line, max int) {
	var stack [32]nestCtx
	var ops [32]int
	s := nestScan{src: src, line: 1, maxLine: 1, stack: stack[:0], ops: ops[:0]}
	s.run()
	return s.maxLine, s.max
}

// TemplateNestingDepth is NestingDepth for a bare template (the text of
// templatefile's file or templatestring's string): text outside template
// sequences is literal.
func TemplateNestingDepth(src []byte) (line, max int) {
	s := nestScan{src: src, line: 1, maxLine: 1}
	s.push(nestCtx{kind: 'T'})
	s.run()
	return s.maxLine, s.max
}

// depthBytes marks the bytes that can add a level in NestingDepth's scan.
var depthBytes = func() (t [256]uint8) {
	for _, c := range []byte("([{\"<!?+*/%->&|=") {
		t[c] = 1
	}
	return t
}()

// nestScan is the state of NestingDepth's scan of native syntax.
type nestScan struct {
	src  []byte
	i    int
	line int
	// stack of open contexts; ops[k] is the operator count of the chain
	// in progress in context k (code contexts only).
	stack      []nestCtx
	ops        []int
	ops0       int // the chain at the top level, outside any context
	totalOps   int
	directives int  // open %{if}/%{for} blocks
	afterValue bool // the last token ended a value: a `[` now indexes it
	max        int
	maxLine    int
}

type nestCtx struct {
	kind  byte   // '(' '[' '{' code brackets; '$' interpolation or directive; '"' quoted template; '<' heredoc; 'T' bare template
	delim []byte // a heredoc's delimiter
}

func (s *nestScan) depth() int { return len(s.stack) + s.totalOps + s.directives }

func (s *nestScan) note() {
	if d := s.depth(); d > s.max {
		s.max, s.maxLine = d, s.line
	}
}

func (s *nestScan) push(c nestCtx) {
	s.stack = append(s.stack, c)
	s.ops = append(s.ops, 0)
	s.note()
}

func (s *nestScan) pop() {
	n := len(s.stack) - 1
	s.totalOps -= s.ops[n]
	s.stack, s.ops = s.stack[:n], s.ops[:n]
}

func (s *nestScan) op() {
	if n := len(s.ops); n > 0 {
		s.ops[n-1]++
	} else {
		s.ops0++
	}
	s.totalOps++
	s.note()
}

// endChain ends the operator chain of the innermost context.
func (s *nestScan) endChain() {
	if n := len(s.ops); n > 0 {
		s.totalOps -= s.ops[n-1]
		s.ops[n-1] = 0
	} else {
		s.totalOps -= s.ops0
		s.ops0 = 0
	}
}

func (s *nestScan) top() byte {
	if len(s.stack) == 0 {
		return 0
	}
	return s.stack[len(s.stack)-1].kind
}

func (s *nestScan) run() {
	for s.i < len(s.src) {
		switch s.top() {
		case '"':
			s.quoted()
		case '<', 'T':
			s.heredoc()
		default:
			s.code()
		}
	}
}

func isIdentByte(c byte) bool {
	return c == '_' || c == '-' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

// code scans one token of expression syntax.
func (s *nestScan) code() {
	src := s.src
	c := src[s.i]
	wasValue := s.afterValue
	s.afterValue = false
	next := byte(0)
	if s.i+1 < len(src) {
		next = src[s.i+1]
	}
	switch {
	case c == '\n':
		s.line++
		s.i++
		if t := s.top(); t != '(' && t != '[' {
			s.endChain()
		}
	case c == '#' || c == '/' && next == '/':
		for s.i < len(src) && src[s.i] != '\n' {
			s.i++
		}
	case c == '/' && next == '*':
		s.i += 2
		for s.i < len(src) && !(src[s.i] == '*' && s.i+1 < len(src) && src[s.i+1] == '/') {
			if src[s.i] == '\n' {
				s.line++
			}
			s.i++
		}
		s.i += 2
	case c == '"':
		s.i++
		s.push(nestCtx{kind: '"'})
	case c == '<' && next == '<':
		s.i += 2
		if s.i < len(src) && src[s.i] == '-' {
			s.i++
		}
		start := s.i
		for s.i < len(src) && isIdentByte(src[s.i]) {
			s.i++
		}
		delim := src[start:s.i]
		if len(delim) == 0 {
			return
		}
		for s.i < len(src) && src[s.i] != '\n' {
			s.i++
		}
		if s.i < len(src) {
			s.i++
			s.line++
		}
		s.push(nestCtx{kind: '<', delim: delim})
	case c == '(' || c == '{':
		s.i++
		s.push(nestCtx{kind: c})
	case c == '[':
		// An index or splat after a value nests the value: x[a][b]… is
		// a chain.
		if wasValue {
			s.op()
		}
		s.i++
		s.push(nestCtx{kind: '['})
	case c == ')' || c == ']':
		s.i++
		if t := s.top(); t == '(' || t == '[' {
			s.pop()
		}
		s.afterValue = true
	case c == '}':
		s.i++
		if t := s.top(); t == '{' || t == '$' {
			s.pop()
		}
		s.afterValue = true
	case c == ',':
		s.i++
		s.endChain()
	case c >= '0' && c <= '9':
		// A number: 1e-5 holds no operator.
		s.i++
		for s.i < len(src) {
			d := src[s.i]
			if d >= '0' && d <= '9' || d == '.' || d == 'e' || d == 'E' {
				s.i++
			} else if (d == '-' || d == '+') && (src[s.i-1] == 'e' || src[s.i-1] == 'E') {
				s.i++
			} else {
				break
			}
		}
		s.afterValue = true
	case c != '-' && isIdentByte(c):
		// An identifier: dashes inside it are part of it (my-name).
		for s.i < len(src) && isIdentByte(src[s.i]) {
			s.i++
		}
		s.afterValue = true
	case c == '.' || c == ' ' || c == '\t' || c == '\r':
		s.i++ // attribute access and splats keep the value; blanks change nothing
		s.afterValue = wasValue
	case c == '!' || c == '?' || c == '+' || c == '*' || c == '/' || c == '%' || c == '-' || c == '<' || c == '>':
		s.i++
		if next == '=' && (c == '!' || c == '<' || c == '>') {
			s.i++
		}
		s.op()
	case c == '&' && next == '&' || c == '|' && next == '|' || c == '=' && next == '=':
		s.i += 2
		s.op()
	default:
		s.i++
	}
}

// quoted scans a quoted template up to its end or its next interpolation.
func (s *nestScan) quoted() {
	src := s.src
	for s.i < len(src) {
		c := src[s.i]
		switch {
		case c == '\\':
			s.i += 2
		case c == '"':
			s.i++
			s.pop()
			s.afterValue = true
			return
		case c == '\n':
			// Not valid in a quoted string: the parser stops here, and so
			// does the string.
			s.line++
			s.i++
			s.pop()
			return
		case (c == '$' || c == '%') && s.i+1 < len(src) && src[s.i+1] == c:
			s.i += 2 // $$ and %% are literal: $${ is not an interpolation
		case (c == '$' || c == '%') && s.i+1 < len(src) && src[s.i+1] == '{':
			s.templateSequence(c)
			return
		default:
			s.i++
		}
	}
}

// heredoc scans a heredoc template line by line up to its delimiter line or
// its next interpolation; a bare template ('T', the text of a JSON string)
// has no delimiter and ends with the source.
func (s *nestScan) heredoc() {
	src := s.src
	delim := s.stack[len(s.stack)-1].delim
	for s.i < len(src) {
		// At the start of a line: is it the closing delimiter?
		if delim != nil && (s.i == 0 || src[s.i-1] == '\n') {
			j := s.i
			for j < len(src) && (src[j] == ' ' || src[j] == '\t') {
				j++
			}
			k := j
			for k < len(src) && isIdentByte(src[k]) {
				k++
			}
			if string(src[j:k]) == string(delim) && (k == len(src) || src[k] == '\n' || src[k] == '\r') {
				s.i = k
				s.pop()
				return
			}
		}
		c := src[s.i]
		switch {
		case c == '\n':
			s.line++
			s.i++
		case (c == '$' || c == '%') && s.i+1 < len(src) && src[s.i+1] == c:
			s.i += 2
		case (c == '$' || c == '%') && s.i+1 < len(src) && src[s.i+1] == '{':
			s.templateSequence(c)
			return
		default:
			s.i++
		}
	}
}

// templateSequence enters `${` or `%{` at s.i; a directive that opens or
// closes an if/for block counts towards the depth.
func (s *nestScan) templateSequence(c byte) {
	s.i += 2
	if c == '%' {
		j := s.i
		for j < len(s.src) && (s.src[j] == '~' || s.src[j] == ' ' || s.src[j] == '\t') {
			j++
		}
		k := j
		for k < len(s.src) && isIdentByte(s.src[k]) {
			k++
		}
		switch string(s.src[j:k]) {
		case "if", "for":
			s.directives++
		case "endif", "endfor":
			if s.directives > 0 {
				s.directives--
			}
		}
	}
	s.push(nestCtx{kind: '$'})
}

// jsonNesting is NestingDepth for JSON: arrays and objects nest, and a
// string holding a template adds the nesting of its text.
func jsonNesting(src []byte) (line, max int) {
	depth, ln := 0, 1
	line = 1
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch c {
		case '\n':
			ln++
		case '[', '{':
			depth++
			if depth > max {
				max, line = depth, ln
			}
		case ']', '}':
			if depth > 0 {
				depth--
			}
		case '"':
			start := i + 1
			i++
			for i < len(src) && src[i] != '"' {
				if src[i] == '\\' {
					i++
				}
				i++
			}
			if i > len(src) {
				i = len(src)
			}
			str := src[start:i]
			if hasTemplate(str) {
				// The template's text, JSON escapes and all: an upper bound.
				s := nestScan{src: unescapeQuotes(str), line: 1}
				s.push(nestCtx{kind: 'T'})
				s.run()
				if depth+s.max > max {
					max, line = depth+s.max, ln
				}
			}
		}
	}
	return line, max
}

func hasTemplate(s []byte) bool {
	for i := 0; i+1 < len(s); i++ {
		if (s[i] == '$' || s[i] == '%') && s[i+1] == '{' {
			return true
		}
	}
	return false
}

// unescapeQuotes undoes the JSON escapes that matter to the scan: \" and \\.
func unescapeQuotes(s []byte) []byte {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\') {
			i++
		}
		out = append(out, s[i])
	}
	return out
}
