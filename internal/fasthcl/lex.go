package fasthcl

import (
	"bytes"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
)

// tokType mirrors the hclsyntax token types this package understands.
type tokType uint8

const (
	tEOF tokType = iota
	tNewline
	tComment
	tIdent
	tNumber
	tOQuote
	tCQuote
	tQuotedLit
	tOHeredoc  // <<EOT or <<-EOT, with its newline
	tCHeredoc  // the closing marker's line, without its newline
	tStringLit // heredoc text
	tInterp    // ${
	tSeqEnd    // } closing an interpolation
	tOBrace
	tCBrace
	tOBrack
	tCBrack
	tOParen
	tCParen
	tEqual
	tEqualOp
	tNotEqual
	tLT
	tLE
	tGT
	tGE
	tAnd
	tOr
	tBang
	tPlus
	tMinus
	tStar
	tSlash
	tPercent
	tDot
	tComma
	tQuestion
	tColon
	tEllipsis
	tFatArrow
	tDoubleColon
)

// token is a lexeme: its type and where it starts and ends. Its bytes are
// src[start.Byte:end.Byte]. Tokens live in a buffer reused across files,
// so lexing allocates nothing.
type token struct {
	start, end hcl.Pos
	typ        tokType
}

// lexer splits HCL native syntax into tokens exactly where hclsyntax's
// lexer does, with the same positions. Non-ASCII text is accepted in
// strings, heredocs and comments only. Anything it does not handle
// (template directives, strip markers, \u escapes, invalid characters)
// stops it, and the caller falls back to hclsyntax.
type lexer struct {
	src     []byte
	toks    []token
	i       int  // next byte
	line    int  // line of byte i
	lstart  int  // offset of the first byte of that line
	adj     int  // bytes minus grapheme clusters so far on this line
	unicode bool // src has non-ASCII text
	depth   int  // string/interpolation nesting, bounded like the parser's
}

// pos is the position of byte ofs on the current line. Columns count
// grapheme clusters, as hclsyntax's do: one per byte for ASCII, less adj
// for the multi-byte clusters of earlier tokens on the line.
func (l *lexer) pos(ofs int) hcl.Pos {
	return hcl.Pos{Line: l.line, Column: ofs - l.lstart + 1 - l.adj, Byte: ofs}
}

// count adds the grapheme clusters of b, text on the current line, to the
// column adjustment.
func (l *lexer) count(b []byte) {
	if !l.unicode {
		return
	}
	for _, c := range b {
		if c >= 0x80 {
			l.adj += len(b) - graphemes(b)
			return
		}
	}
}

// emit appends a token for src[start:l.i], which contains no newline.
func (l *lexer) emit(t tokType, start int) {
	s := l.pos(start)
	l.count(l.src[start:l.i])
	l.toks = append(l.toks, token{typ: t, start: s, end: l.pos(l.i)})
}

// emitLines appends a token for src[start:l.i] that may span lines,
// advancing the line counters past each '\n' in it. A newline always ends
// a grapheme cluster, so the last line's text is counted on its own.
func (l *lexer) emitLines(t tokType, start int) {
	s := l.pos(start)
	for j := start; j < l.i; j++ {
		if l.src[j] == '\n' {
			l.line++
			l.lstart = j + 1
			l.adj = 0
		}
	}
	l.count(l.src[max(start, l.lstart):l.i])
	l.toks = append(l.toks, token{typ: t, start: s, end: l.pos(l.i)})
}

// graphemes counts the grapheme clusters in b, text of one line, with
// the segmenter hcl itself uses: hcl.RangeScanner counts columns in
// clusters through the same internal segmenter as hclsyntax's lexer (which
// textseg version depends on hcl's version and the Go version), so fasthcl
// follows whatever hcl chooses. RangeScanner takes a cluster that starts
// with a carriage return for a line break, as hclsyntax's lexer does not:
// a lone CR is a cluster of its own (Unicode breaks before and after
// controls), so b is counted between them.
func graphemes(b []byte) int {
	n := 0
	for {
		seg, rest, cr := bytes.Cut(b, []byte{'\r'})
		if len(seg) > 0 {
			sc := hcl.NewRangeScanner(seg, "", scanAll)
			if sc.Scan() {
				n += sc.Range().End.Column - 1
			}
		}
		if !cr {
			return n
		}
		n++
		b = rest
	}
}

// scanAll is a bufio.SplitFunc that takes all the input as one token.
func scanAll(data []byte, _ bool) (int, []byte, error) { return len(data), data, nil }

func isIdentStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
}

func isIdentCont(c byte) bool {
	return isIdentStart(c) || c >= '0' && c <= '9' || c == '-'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// lex tokenizes the whole source; false means "not handled here".
func (l *lexer) lex() bool {
	l.unicode = false
	for _, c := range l.src {
		if c >= 0x80 {
			l.unicode = true
			break
		}
	}
	if l.unicode && (!utf8.Valid(l.src) || bytes.HasPrefix(l.src, []byte("\xef\xbb\xbf"))) {
		return false // hclsyntax reports bad UTF-8; a byte order mark shifts its offsets
	}
	l.toks = l.toks[:0]
	l.i, l.line, l.lstart, l.adj, l.depth = 0, 1, 0, 0, 0
	if !l.main(false) {
		return false
	}
	l.emit(tEOF, l.i)
	return true
}

// main lexes normal-mode tokens. In an interpolation it returns after the
// "}" that closes it; at top level it returns at the end of the source.
func (l *lexer) main(interp bool) bool {
	src, n := l.src, len(l.src)
	braces := 0
	for l.i < n {
		start := l.i
		c := src[l.i]
		next := byte(0)
		if l.i+1 < n {
			next = src[l.i+1]
		}
		switch {
		case c == ' ' || c == '\t':
			l.i++
		case c == '\n':
			l.i++
			l.emitLines(tNewline, start)
		case c == '\r':
			if next != '\n' {
				return false
			}
			l.i += 2
			l.emitLines(tNewline, start)
		case c == '#' || c == '/' && next == '/':
			for l.i < n && src[l.i] != '\n' {
				l.i++
			}
			if l.i < n {
				l.i++
			}
			l.emitLines(tComment, start)
		case c == '/' && next == '*':
			j := l.i + 2
			for j+1 < n && !(src[j] == '*' && src[j+1] == '/') {
				j++
			}
			if j+1 >= n {
				return false // unterminated: hclsyntax reports it
			}
			l.i = j + 2
			l.emitLines(tComment, start)
		case isDigit(c):
			l.number()
			l.emit(tNumber, start)
		case isIdentStart(c):
			l.i++
			for l.i < n && isIdentCont(src[l.i]) {
				l.i++
			}
			l.emit(tIdent, start)
		case c == '"':
			l.i++
			l.emit(tOQuote, start)
			if !l.str() {
				return false
			}
		case c == '<' && next == '<':
			if !l.heredoc() {
				return false
			}
		case c == '{':
			braces++
			l.i++
			l.emit(tOBrace, start)
		case c == '}':
			l.i++
			if interp && braces == 0 {
				l.emit(tSeqEnd, start)
				return true
			}
			braces--
			l.emit(tCBrace, start)
		default:
			t, width := opToken(src[l.i:])
			if width == 0 {
				return false
			}
			l.i += width
			l.emit(t, start)
		}
	}
	return !interp
}

// heredoc lexes a heredoc template from its "<<": the introducer with its
// newline, the text (one token per line, split around "$" and "%" and
// interpolations, as hclsyntax splits it), the closing marker's line and
// the newline after it.
func (l *lexer) heredoc() bool {
	src, n := l.src, len(l.src)
	start := l.i
	j := l.i + 2
	if j < n && src[j] == '-' {
		j++
	}
	if j >= n || !isIdentStart(src[j]) {
		return false
	}
	mstart := j
	for j < n && isIdentCont(src[j]) {
		j++
	}
	marker := src[mstart:j]
	switch {
	case j < n && src[j] == '\n':
		j++
	case j+1 < n && src[j] == '\r' && src[j+1] == '\n':
		j += 2
	default:
		return false
	}
	l.i = j
	l.emitLines(tOHeredoc, start)
	l.depth++
	if l.depth > maxDepth {
		return false
	}
	defer func() { l.depth-- }()
	startOfLine := true
	for l.i < n {
		if c := src[l.i]; c == '$' || c == '%' {
			if !l.sign(tStringLit) {
				return false
			}
			startOfLine = false
			continue
		}
		s := l.i
		for l.i < n && src[l.i] != '$' && src[l.i] != '%' && src[l.i] != '\n' && src[l.i] != '\r' {
			l.i++
		}
		if l.i >= n {
			return false // unterminated
		}
		if src[l.i] == '$' || src[l.i] == '%' {
			l.emit(tStringLit, s)
			startOfLine = false
			continue
		}
		end := l.i
		if src[l.i] == '\r' {
			if l.i+1 >= n || src[l.i+1] != '\n' {
				return false
			}
			l.i++
		}
		l.i++
		if startOfLine && bytes.Equal(bytes.TrimSpace(src[s:end]), marker) {
			nl := l.i
			l.i = end
			l.emit(tCHeredoc, s)
			l.i = nl
			l.emitLines(tNewline, end)
			return true
		}
		l.emitLines(tStringLit, s)
		startOfLine = true
	}
	return false
}

// sign lexes a "$" or "%" in template text: "${" and the interpolation
// through its closing brace, or else a literal token of its own ("$", "%",
// or the escapes "$${" and "%%{"), where hclsyntax splits them too (columns
// count clusters per token). Directives and strip markers stop the lexer.
func (l *lexer) sign(lit tokType) bool {
	src, n := l.src, len(l.src)
	c, start := src[l.i], l.i
	next := byte(0)
	if l.i+1 < n {
		next = src[l.i+1]
	}
	if next != '{' {
		l.i++
		if next == c && l.i+1 < n && src[l.i+1] == '{' {
			l.i += 2
		}
		l.emit(lit, start)
		return true
	}
	if c == '%' || l.i+2 < n && src[l.i+2] == '~' {
		return false
	}
	l.i += 2
	l.emit(tInterp, start)
	return l.main(true)
}

// number consumes a number literal as hclsyntax's lexer does: a digit, then
// digits, dots and exponents, not ending in a dot. Its value is checked by
// the parser.
func (l *lexer) number() {
	src, n := l.src, len(l.src)
	j := l.i + 1
	end := j
	for j < n {
		c := src[j]
		switch {
		case isDigit(c):
			j++
			end = j
		case c == '.':
			j++
		case (c == 'e' || c == 'E') && j+1 < n && isDigit(src[j+1]):
			j += 2
			end = j
		case (c == 'e' || c == 'E') && j+2 < n && (src[j+1] == '+' || src[j+1] == '-') && isDigit(src[j+2]):
			j += 3
			end = j
		default:
			l.i = end
			return
		}
	}
	l.i = end
}

// opToken recognises punctuation at the start of rest; width 0 means a
// character this lexer leaves to hclsyntax (bitwise operators, "~", "$",
// ";", ...).
func opToken(rest []byte) (tokType, int) {
	if len(rest) >= 3 && string(rest[:3]) == "..." {
		return tEllipsis, 3
	}
	if len(rest) >= 2 {
		switch string(rest[:2]) {
		case "==":
			return tEqualOp, 2
		case "!=":
			return tNotEqual, 2
		case "<=":
			return tLE, 2
		case ">=":
			return tGE, 2
		case "&&":
			return tAnd, 2
		case "||":
			return tOr, 2
		case "=>":
			return tFatArrow, 2
		case "::":
			return tDoubleColon, 2
		}
	}
	if c := rest[0]; c < 0x80 && singleChar[c] != tEOF {
		return singleChar[c], 1
	}
	return 0, 0
}

var singleChar = [0x80]tokType{
	'[': tOBrack, ']': tCBrack, '(': tOParen, ')': tCParen, ',': tComma,
	'*': tStar, '/': tSlash, '%': tPercent, '+': tPlus, '-': tMinus,
	'?': tQuestion, '.': tDot, ':': tColon, '=': tEqual, '!': tBang,
	'<': tLT, '>': tGT,
}

// str lexes the inside of a quoted string after its opening quote, up to
// and including the closing quote.
func (l *lexer) str() bool {
	l.depth++
	if l.depth > maxDepth {
		return false
	}
	defer func() { l.depth-- }()
	src, n := l.src, len(l.src)
	lit := -1 // start of the pending literal run
	flush := func() {
		if lit >= 0 {
			l.emit(tQuotedLit, lit)
			lit = -1
		}
	}
	for l.i < n {
		c := src[l.i]
		next := byte(0)
		if l.i+1 < n {
			next = src[l.i+1]
		}
		switch c {
		case '"':
			flush()
			start := l.i
			l.i++
			l.emit(tCQuote, start)
			return true
		case '\n', '\r':
			return false
		case '\\':
			switch next {
			case 'n', 'r', 't', '"', '\\':
			default:
				return false
			}
			if lit < 0 {
				lit = l.i
			}
			l.i += 2
			continue
		case '$', '%':
			flush()
			if !l.sign(tQuotedLit) {
				return false
			}
			continue
		}
		if lit < 0 {
			lit = l.i
		}
		l.i++
	}
	return false
}
