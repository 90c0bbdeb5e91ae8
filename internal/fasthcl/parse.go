// Package fasthcl parses the common, error-free subset of HCL native
// syntax straight into hclsyntax's syntax tree, so the hot path of a lint
// does not pay for hclsyntax's per-token allocations.
//
// It is an accelerator, never a second opinion: Parse either returns the
// very tree hclsyntax.ParseConfig would build (same node types, values and
// source ranges; the differential tests and fuzz target hold it to that) or
// reports that it cannot, and the caller parses with hclsyntax, which also
// produces every diagnostic. It declines template directives (%{ }),
// strip markers (~), \u escapes, non-ASCII text anywhere but in strings,
// heredocs and comments, and any syntax error.
//
// Columns count grapheme clusters as hclsyntax's do, through hcl's own
// segmenter (hcl.RangeScanner), so the Unicode version follows hcl's.
// TFGATE_FASTHCL=off makes package load skip this package altogether.
//
// Upgrading github.com/hashicorp/hcl/v2 (the trees must stay identical):
//
//  1. go get github.com/hashicorp/hcl/v2@vX.Y.Z && go mod tidy
//  2. Read the diff of hclsyntax since the last version (scan_tokens.rl,
//     token.go, parser.go, parser_template.go, the node types): a new node
//     field, token or rule is either mirrored here or made to decline.
//  3. go test ./internal/fasthcl: the cases, and every HCL file of this
//     repository (TestRepositoryFiles), parsed both ways and compared field
//     by field, values and ranges.
//  4. FASTHCL_CORPUS=dir1:dir2 go test ./internal/fasthcl -run Corpus -v
//     on checkouts of public Terraform code (thousands of files; all but a
//     few take the fast path, and none may differ).
//  5. go test ./internal/fasthcl -run '^$' -fuzz FuzzParse -fuzztime 10m
//     (./test.sh runs it for 15 s).
//  6. go test ./internal/fasthcl -run '^$' -bench Parse -benchtime 10x:
//     if hclsyntax caught up, drop this package (docs/performance.md).
package fasthcl

import (
	"bytes"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// maxDepth bounds the recursion of strings, brackets and expressions; a
// deeper file is left to hclsyntax.
const maxDepth = 200

var lexers = sync.Pool{New: func() any { return &lexer{} }}

// bail unwinds a parse that left the supported subset.
type bail struct{}

// Parse returns the syntax tree of src as hclsyntax.ParseConfig would, or
// ok=false when the file is outside the subset this package handles. The
// returned file's Nav is nil (nothing in tfgate asks a file for the block
// around a position). src must not start with a byte order mark.
func Parse(src []byte, filename string) (f *hcl.File, ok bool) {
	l := lexers.Get().(*lexer)
	defer func() {
		l.src = nil
		if cap(l.toks) > 1<<16 {
			l.toks = nil // do not pin one huge file's tokens
		}
		lexers.Put(l)
	}()
	l.src = src
	if !l.lex() {
		return nil, false
	}
	p := &parser{src: src, toks: l.toks, filename: filename, nl: make([]bool, 1, 16)}
	p.nl[0] = true
	defer func() {
		if r := recover(); r != nil {
			if _, isBail := r.(bail); !isBail {
				panic(r)
			}
			f, ok = nil, false
		}
	}()
	body := p.parseBody(tEOF)
	return &hcl.File{Body: body, Bytes: src}, true
}

// parser mirrors hclsyntax's recursive-descent parser on the error-free
// path, including its peeker: a stack saying whether newlines are tokens,
// comments skipped, and a comment that ends a line read as that newline.
type parser struct {
	src      []byte
	toks     []token
	next     int
	filename string
	nl       []bool
	depth    int
}

func (p *parser) fail() { panic(bail{}) }

func (p *parser) rng(t token) hcl.Range {
	return hcl.Range{Filename: p.filename, Start: t.start, End: t.end}
}

func (p *parser) text(t token) string { return string(p.src[t.start.Byte:t.end.Byte]) }

func (p *parser) is(t token, word string) bool {
	return t.typ == tIdent && string(p.src[t.start.Byte:t.end.Byte]) == word
}

// nextToken is peeker.nextToken: the next token the parser sees and the
// index after it.
func (p *parser) nextToken() (token, int) {
	incl := p.nl[len(p.nl)-1]
	for i := p.next; i < len(p.toks); i++ {
		t := p.toks[i]
		switch t.typ {
		case tComment:
			if incl && p.src[t.end.Byte-1] == '\n' {
				t.typ = tNewline // keeps the comment's range, as hclsyntax does
				return t, i + 1
			}
			continue
		case tNewline:
			if !incl {
				continue
			}
		}
		return t, i + 1
	}
	return p.toks[len(p.toks)-1], len(p.toks)
}

func (p *parser) peek() token {
	t, _ := p.nextToken()
	return t
}

func (p *parser) read() token {
	t, i := p.nextToken()
	p.next = i
	return t
}

// expect reads a token of type typ or abandons the parse.
func (p *parser) expect(typ tokType) token {
	t := p.read()
	if t.typ != typ {
		p.fail()
	}
	return t
}

func (p *parser) prevRange() hcl.Range {
	if p.next == 0 {
		return p.rng(p.peek())
	}
	return p.rng(p.toks[p.next-1])
}

func (p *parser) push(incl bool) { p.nl = append(p.nl, incl) }
func (p *parser) pop()           { p.nl = p.nl[:len(p.nl)-1] }

func (p *parser) enter() {
	p.depth++
	if p.depth > maxDepth {
		p.fail()
	}
}

func (p *parser) leave() { p.depth-- }

func (p *parser) parseBody(end tokType) *hclsyntax.Body {
	p.enter()
	defer p.leave()
	attrs := hclsyntax.Attributes{}
	blocks := hclsyntax.Blocks{}
	startRange := p.prevRange()
	var endRange hcl.Range
	for {
		next := p.peek()
		if next.typ == end {
			endRange = p.rng(next)
			p.read()
			break
		}
		switch next.typ {
		case tNewline:
			p.read()
		case tIdent:
			ident := p.read()
			switch p.peek().typ {
			case tEqual:
				a := p.finishAttribute(ident, false)
				if _, dup := attrs[a.Name]; dup {
					p.fail()
				}
				attrs[a.Name] = a
			case tOQuote, tOBrace, tIdent:
				blocks = append(blocks, p.finishBlock(ident))
			default:
				p.fail()
			}
		default:
			p.fail()
		}
	}
	return &hclsyntax.Body{
		Attributes: attrs,
		Blocks:     blocks,
		SrcRange:   hcl.RangeBetween(startRange, endRange),
		EndRange:   hcl.Range{Filename: endRange.Filename, Start: endRange.End, End: endRange.End},
	}
}

func (p *parser) finishAttribute(ident token, singleLine bool) *hclsyntax.Attribute {
	eq := p.read()
	expr := p.parseExpression()
	endRange := p.prevRange()
	if !singleLine {
		if t := p.peek().typ; t != tNewline && t != tEOF {
			p.fail()
		}
		p.read()
	}
	nameRange := p.rng(ident)
	return &hclsyntax.Attribute{
		Name:        p.text(ident),
		Expr:        expr,
		SrcRange:    hcl.RangeBetween(nameRange, endRange),
		NameRange:   nameRange,
		EqualsRange: p.rng(eq),
	}
}

func (p *parser) finishBlock(ident token) *hclsyntax.Block {
	var labels []string
	var labelRanges []hcl.Range
	var oBrace token
labels:
	for {
		switch t := p.peek(); t.typ {
		case tOBrace:
			oBrace = p.read()
			break labels
		case tOQuote:
			label, r := p.parseQuotedStringLiteral()
			labels = append(labels, label)
			labelRanges = append(labelRanges, r)
		case tIdent:
			p.read()
			labels = append(labels, p.text(t))
			labelRanges = append(labelRanges, p.rng(t))
		default:
			p.fail()
		}
	}
	var body *hclsyntax.Body
	switch p.peek().typ {
	case tNewline, tEOF, tCBrace:
		body = p.parseBody(tCBrace)
	default:
		body = p.parseSingleAttrBody()
		p.expect(tCBrace)
	}
	cBraceRange := p.prevRange()
	if t := p.peek().typ; t != tNewline && t != tEOF {
		p.fail()
	}
	p.read()
	return &hclsyntax.Block{
		Type:            p.text(ident),
		Labels:          labels,
		Body:            body,
		TypeRange:       p.rng(ident),
		LabelRanges:     labelRanges,
		OpenBraceRange:  p.rng(oBrace),
		CloseBraceRange: cBraceRange,
	}
}

// parseSingleAttrBody handles `name { attr = value }` on one line.
func (p *parser) parseSingleAttrBody() *hclsyntax.Body {
	ident := p.read()
	if ident.typ != tIdent || p.peek().typ != tEqual {
		p.fail()
	}
	attr := p.finishAttribute(ident, true)
	return &hclsyntax.Body{
		Attributes: hclsyntax.Attributes{attr.Name: attr},
		SrcRange:   attr.SrcRange,
		EndRange:   hcl.Range{Filename: attr.SrcRange.Filename, Start: attr.SrcRange.End, End: attr.SrcRange.End},
	}
}

// parseQuotedStringLiteral reads a block label: a string without
// interpolations.
func (p *parser) parseQuotedStringLiteral() (string, hcl.Range) {
	open := p.read()
	var val []byte
	for {
		t := p.read()
		switch t.typ {
		case tCQuote:
			return string(val), hcl.RangeBetween(p.rng(open), p.rng(t))
		case tQuotedLit:
			val = p.unescape(val, t)
		default:
			p.fail()
		}
	}
}

// literal is the value of a text token of a quoted string or a heredoc
// (heredocs have no backslash escapes): without escapes, its bytes.
func (p *parser) literal(t token, quoted bool) string {
	b := p.src[t.start.Byte:t.end.Byte]
	if len(b) == 3 && (b[0] == '$' || b[0] == '%') && b[1] == b[0] && b[2] == '{' || quoted && bytes.IndexByte(b, '\\') >= 0 {
		return string(p.unescape(make([]byte, 0, len(b)), t))
	}
	return string(b)
}

// unescape appends the value of a quoted literal token; the lexer admitted
// only the escapes handled here.
func (p *parser) unescape(dst []byte, t token) []byte {
	b := p.src[t.start.Byte:t.end.Byte]
	for i := 0; i < len(b); i++ {
		c := b[i]
		if (c == '$' || c == '%') && i+2 < len(b) && b[i+1] == c && b[i+2] == '{' {
			dst = append(dst, c, '{')
			i += 2
			continue
		}
		if c != '\\' {
			dst = append(dst, c)
			continue
		}
		i++
		switch b[i] {
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		default: // '"' and '\\'
			dst = append(dst, b[i])
		}
	}
	return dst
}

func (p *parser) parseExpression() hclsyntax.Expression {
	p.enter()
	defer p.leave()
	startRange := p.rng(p.peek())
	cond := p.parseBinaryOps(0)
	if p.peek().typ != tQuestion {
		return cond
	}
	p.read()
	t := p.parseExpression()
	p.expect(tColon)
	f := p.parseExpression()
	return &hclsyntax.ConditionalExpr{
		Condition:   cond,
		TrueResult:  t,
		FalseResult: f,
		SrcRange:    hcl.RangeBetween(startRange, f.Range()),
	}
}

// binaryOp is hclsyntax's operator table, lowest precedence first.
func binaryOp(level int, t tokType) *hclsyntax.Operation {
	switch level {
	case 0:
		if t == tOr {
			return hclsyntax.OpLogicalOr
		}
	case 1:
		if t == tAnd {
			return hclsyntax.OpLogicalAnd
		}
	case 2:
		switch t {
		case tEqualOp:
			return hclsyntax.OpEqual
		case tNotEqual:
			return hclsyntax.OpNotEqual
		}
	case 3:
		switch t {
		case tGT:
			return hclsyntax.OpGreaterThan
		case tGE:
			return hclsyntax.OpGreaterThanOrEqual
		case tLT:
			return hclsyntax.OpLessThan
		case tLE:
			return hclsyntax.OpLessThanOrEqual
		}
	case 4:
		switch t {
		case tPlus:
			return hclsyntax.OpAdd
		case tMinus:
			return hclsyntax.OpSubtract
		}
	case 5:
		switch t {
		case tStar:
			return hclsyntax.OpMultiply
		case tSlash:
			return hclsyntax.OpDivide
		case tPercent:
			return hclsyntax.OpModulo
		}
	}
	return nil
}

const binaryLevels = 6

func (p *parser) parseBinaryOps(level int) hclsyntax.Expression {
	if level == binaryLevels {
		return p.parseExpressionTraversals(p.parseExpressionTerm())
	}
	lhs := p.parseBinaryOps(level + 1)
	var op *hclsyntax.Operation
	var rhs hclsyntax.Expression
	for {
		newOp := binaryOp(level, p.peek().typ)
		if newOp == nil {
			break
		}
		if op != nil {
			lhs = &hclsyntax.BinaryOpExpr{LHS: lhs, Op: op, RHS: rhs, SrcRange: hcl.RangeBetween(lhs.Range(), rhs.Range())}
		}
		op = newOp
		p.read()
		rhs = p.parseBinaryOps(level + 1)
	}
	if op == nil {
		return lhs
	}
	return &hclsyntax.BinaryOpExpr{LHS: lhs, Op: op, RHS: rhs, SrcRange: hcl.RangeBetween(lhs.Range(), rhs.Range())}
}

func (p *parser) numberValue(t token) cty.Value {
	v, err := cty.ParseNumberVal(p.text(t))
	if err != nil {
		p.fail()
	}
	return v
}

func (p *parser) parseExpressionTraversals(from hclsyntax.Expression) hclsyntax.Expression {
	ret := from
	for {
		switch p.peek().typ {
		case tDot:
			dot := p.read()
			switch t := p.peek(); t.typ {
			case tIdent:
				p.read()
				r := hcl.RangeBetween(p.rng(dot), p.rng(t))
				ret = makeRelativeTraversal(ret, hcl.TraverseAttr{Name: p.text(t), SrcRange: r}, r)
			case tNumber:
				p.read()
				if containsDot(p.src[t.start.Byte:t.end.Byte]) {
					p.fail()
				}
				r := hcl.RangeBetween(p.rng(dot), p.rng(t))
				ret = makeRelativeTraversal(ret, hcl.TraverseIndex{Key: p.numberValue(t), SrcRange: r}, r)
			case tStar:
				ret = p.finishAttrSplat(from, ret, dot)
			default:
				p.fail()
			}
		case tOBrack:
			open := p.read()
			if p.peek().typ == tStar {
				p.read()
				closeTok := p.expect(tCBrack)
				marker := hcl.RangeBetween(p.rng(open), p.rng(closeTok))
				item := &hclsyntax.AnonSymbolExpr{SrcRange: marker}
				each := p.parseExpressionTraversals(item)
				ret = &hclsyntax.SplatExpr{
					Source:      ret,
					Each:        each,
					Item:        item,
					SrcRange:    hcl.RangeBetween(from.Range(), each.Range()),
					MarkerRange: marker,
				}
				continue
			}
			p.push(false)
			key := p.parseExpression()
			closeTok := p.expect(tCBrack)
			p.pop()
			r := hcl.RangeBetween(p.rng(open), p.rng(closeTok))
			if lit, ok := key.(*hclsyntax.LiteralValueExpr); ok {
				v, _ := lit.Value(nil)
				ret = makeRelativeTraversal(ret, hcl.TraverseIndex{Key: v, SrcRange: r}, r)
			} else if tmpl, ok := key.(*hclsyntax.TemplateExpr); ok && tmpl.IsStringLiteral() {
				v, _ := tmpl.Value(nil)
				ret = makeRelativeTraversal(ret, hcl.TraverseIndex{Key: v, SrcRange: r}, r)
			} else {
				ret = &hclsyntax.IndexExpr{
					Collection:   ret,
					Key:          key,
					SrcRange:     hcl.RangeBetween(from.Range(), r),
					OpenRange:    p.rng(open),
					BracketRange: r,
				}
			}
		default:
			return ret
		}
	}
}

// finishAttrSplat parses the rest of `.*.name...` after its dot.
func (p *parser) finishAttrSplat(from, ret hclsyntax.Expression, dot token) hclsyntax.Expression {
	marker := p.read()
	trav := make(hcl.Traversal, 0, 1)
	firstRange := p.rng(p.peek())
	lastRange := p.rng(marker)
	for p.peek().typ == tDot {
		d := p.read()
		switch t := p.read(); t.typ {
		case tNumber:
			if containsDot(p.src[t.start.Byte:t.end.Byte]) {
				p.fail()
			}
			trav = append(trav, hcl.TraverseIndex{Key: p.numberValue(t), SrcRange: hcl.RangeBetween(p.rng(d), p.rng(t))})
			lastRange = p.rng(t)
		case tIdent:
			trav = append(trav, hcl.TraverseAttr{Name: p.text(t), SrcRange: hcl.RangeBetween(p.rng(d), p.rng(t))})
			lastRange = p.rng(t)
		default:
			p.fail()
		}
	}
	item := &hclsyntax.AnonSymbolExpr{SrcRange: hcl.RangeBetween(p.rng(dot), p.rng(marker))}
	var each hclsyntax.Expression = item
	if len(trav) > 0 {
		each = &hclsyntax.RelativeTraversalExpr{Source: item, Traversal: trav, SrcRange: hcl.RangeBetween(firstRange, lastRange)}
	}
	return &hclsyntax.SplatExpr{
		Source:      ret,
		Each:        each,
		Item:        item,
		SrcRange:    hcl.RangeBetween(from.Range(), lastRange),
		MarkerRange: hcl.RangeBetween(p.rng(dot), p.rng(marker)),
	}
}

func containsDot(b []byte) bool {
	for _, c := range b {
		if c == '.' {
			return true
		}
	}
	return false
}

func makeRelativeTraversal(expr hclsyntax.Expression, next hcl.Traverser, r hcl.Range) hclsyntax.Expression {
	switch e := expr.(type) {
	case *hclsyntax.ScopeTraversalExpr:
		e.Traversal = append(e.Traversal, next)
		e.SrcRange = hcl.RangeBetween(e.SrcRange, r)
		return e
	case *hclsyntax.RelativeTraversalExpr:
		e.Traversal = append(e.Traversal, next)
		e.SrcRange = hcl.RangeBetween(e.SrcRange, r)
		return e
	}
	return &hclsyntax.RelativeTraversalExpr{Source: expr, Traversal: hcl.Traversal{next}, SrcRange: hcl.RangeBetween(expr.Range(), r)}
}

func (p *parser) parseExpressionTerm() hclsyntax.Expression {
	p.enter()
	defer p.leave()
	start := p.peek()
	switch start.typ {
	case tOParen:
		open := p.read()
		p.push(false)
		expr := p.parseExpression()
		closeTok := p.expect(tCParen)
		p.pop()
		return &hclsyntax.ParenthesesExpr{Expression: expr, SrcRange: hcl.RangeBetween(p.rng(open), p.rng(closeTok))}
	case tNumber:
		p.read()
		return &hclsyntax.LiteralValueExpr{Val: p.numberValue(start), SrcRange: p.rng(start)}
	case tIdent:
		p.read()
		if t := p.peek().typ; t == tOParen || t == tDoubleColon {
			return p.finishFunctionCall(start)
		}
		r := p.rng(start)
		switch name := p.text(start); name {
		case "true":
			return &hclsyntax.LiteralValueExpr{Val: cty.True, SrcRange: r}
		case "false":
			return &hclsyntax.LiteralValueExpr{Val: cty.False, SrcRange: r}
		case "null":
			return &hclsyntax.LiteralValueExpr{Val: cty.NullVal(cty.DynamicPseudoType), SrcRange: r}
		default:
			return &hclsyntax.ScopeTraversalExpr{Traversal: hcl.Traversal{hcl.TraverseRoot{Name: name, SrcRange: r}}, SrcRange: r}
		}
	case tOQuote, tOHeredoc:
		return p.parseTemplate()
	case tMinus, tBang:
		p.read()
		op := hclsyntax.OpNegate
		if start.typ == tBang {
			op = hclsyntax.OpLogicalNot
		}
		operand := p.parseExpressionTraversals(p.parseExpressionTerm())
		return &hclsyntax.UnaryOpExpr{Op: op, Val: operand, SrcRange: hcl.RangeBetween(p.rng(start), operand.Range()), SymbolRange: p.rng(start)}
	case tOBrack:
		return p.parseTupleCons()
	case tOBrace:
		return p.parseObjectCons()
	}
	p.fail()
	return nil
}

func (p *parser) finishFunctionCall(name token) hclsyntax.Expression {
	open := p.read()
	nameStr := p.text(name)
	nameEnd := name.end
	for open.typ == tDoubleColon {
		next := p.expect(tIdent)
		nameStr += "::" + p.text(next)
		nameEnd = next.end
		open = p.read()
	}
	if open.typ != tOParen {
		p.fail()
	}
	var args []hclsyntax.Expression
	var expandFinal bool
	var closeTok token
	p.push(false)
	for {
		if p.peek().typ == tCParen {
			closeTok = p.read()
			break
		}
		args = append(args, p.parseExpression())
		sep := p.read()
		if sep.typ == tCParen {
			closeTok = sep
			break
		}
		if sep.typ == tEllipsis {
			expandFinal = true
			closeTok = p.expect(tCParen)
			break
		}
		if sep.typ != tComma {
			p.fail()
		}
		if p.peek().typ == tCParen {
			closeTok = p.read()
			break
		}
	}
	p.pop()
	return &hclsyntax.FunctionCallExpr{
		Name:            nameStr,
		Args:            args,
		ExpandFinal:     expandFinal,
		NameRange:       hcl.Range{Filename: p.filename, Start: name.start, End: nameEnd},
		OpenParenRange:  p.rng(open),
		CloseParenRange: p.rng(closeTok),
	}
}

func (p *parser) parseTupleCons() hclsyntax.Expression {
	open := p.read()
	p.push(false)
	defer p.pop()
	if p.is(p.peek(), "for") {
		return p.finishForExpr(open)
	}
	var exprs []hclsyntax.Expression
	var closeTok token
	for {
		if p.peek().typ == tCBrack {
			closeTok = p.read()
			break
		}
		exprs = append(exprs, p.parseExpression())
		next := p.peek()
		if next.typ == tCBrack {
			closeTok = p.read()
			break
		}
		if next.typ != tComma {
			p.fail()
		}
		p.read()
	}
	return &hclsyntax.TupleConsExpr{Exprs: exprs, SrcRange: hcl.RangeBetween(p.rng(open), p.rng(closeTok)), OpenRange: p.rng(open)}
}

func (p *parser) parseObjectCons() hclsyntax.Expression {
	open := p.read()
	p.push(false)
	isFor := p.is(p.peek(), "for")
	p.pop()
	if isFor {
		return p.finishForExpr(open)
	}
	p.push(true)
	defer p.pop()
	var items []hclsyntax.ObjectConsItem
	var closeTok token
	for {
		next := p.peek()
		if next.typ == tNewline {
			p.read()
			continue
		}
		if next.typ == tCBrace {
			closeTok = p.read()
			break
		}
		key := &hclsyntax.ObjectConsKeyExpr{ForceNonLiteral: next.typ == tOParen}
		key.Wrapped = p.parseExpression()
		if t := p.read().typ; t != tEqual && t != tColon {
			p.fail()
		}
		items = append(items, hclsyntax.ObjectConsItem{KeyExpr: key, ValueExpr: p.parseExpression()})
		next = p.peek()
		if next.typ == tCBrace {
			closeTok = p.read()
			break
		}
		if next.typ != tComma && next.typ != tNewline {
			p.fail()
		}
		p.read()
	}
	return &hclsyntax.ObjectConsExpr{Items: items, SrcRange: hcl.RangeBetween(p.rng(open), p.rng(closeTok)), OpenRange: p.rng(open)}
}

func (p *parser) finishForExpr(open token) hclsyntax.Expression {
	p.push(false)
	defer p.pop()
	p.read() // "for"
	makeObj := open.typ == tOBrace
	closeType := tCBrack
	if makeObj {
		closeType = tCBrace
	}
	var keyName, valName string
	valName = p.text(p.expect(tIdent))
	if p.peek().typ == tComma {
		keyName = valName
		p.read()
		valName = p.text(p.expect(tIdent))
	}
	if !p.is(p.read(), "in") {
		p.fail()
	}
	coll := p.parseExpression()
	p.expect(tColon)
	var keyExpr hclsyntax.Expression
	valExpr := p.parseExpression()
	if p.peek().typ == tFatArrow {
		p.read()
		keyExpr = valExpr
		valExpr = p.parseExpression()
	}
	group := false
	if p.peek().typ == tEllipsis {
		p.read()
		group = true
	}
	var cond hclsyntax.Expression
	if p.is(p.peek(), "if") {
		p.read()
		cond = p.parseExpression()
	}
	closeTok := p.expect(closeType)
	if makeObj != (keyExpr != nil) || group && !makeObj {
		p.fail() // hclsyntax reports these
	}
	return &hclsyntax.ForExpr{
		KeyVar:     keyName,
		ValVar:     valName,
		CollExpr:   coll,
		KeyExpr:    keyExpr,
		ValExpr:    valExpr,
		CondExpr:   cond,
		Group:      group,
		SrcRange:   hcl.RangeBetween(p.rng(open), p.rng(closeTok)),
		OpenRange:  p.rng(open),
		CloseRange: p.rng(closeTok),
	}
}

// piece is a template token raised as hclsyntax's parseTemplateParts does:
// literal text (lit set, val its decoded value) or an interpolation.
type piece struct {
	lit  *hclsyntax.LiteralValueExpr
	val  string
	expr hclsyntax.Expression
}

// parseTemplate parses a quoted string or a heredoc with interpolations, as
// hclsyntax's parseTemplateInner does: the pieces of a "<<-" heredoc
// flushed left, consecutive literals melded into one part, "${x}" alone
// kept as a TemplateWrapExpr.
func (p *parser) parseTemplate() hclsyntax.Expression {
	open := p.read()
	heredoc := open.typ == tOHeredoc
	closer, litType := tCQuote, tQuotedLit
	if heredoc {
		closer, litType = tCHeredoc, tStringLit
	}
	startRange := p.rng(p.peek())
	var endRange hcl.Range
	var stack [4]piece
	pieces := stack[:0]
	for {
		t := p.read()
		if t.typ == closer {
			endRange = p.rng(t)
			break
		}
		switch t.typ {
		case litType:
			pieces = append(pieces, piece{lit: &hclsyntax.LiteralValueExpr{SrcRange: p.rng(t)}, val: p.literal(t, !heredoc)})
		case tInterp:
			p.push(false)
			pieces = append(pieces, piece{expr: p.parseExpression()})
			p.expect(tSeqEnd)
			p.pop()
		default:
			p.fail()
		}
	}
	if len(pieces) == 0 {
		pieces = append(pieces, piece{lit: &hclsyntax.LiteralValueExpr{
			SrcRange: hcl.Range{Filename: startRange.Filename, Start: startRange.End, End: startRange.End},
		}})
	}
	if heredoc && bytes.HasPrefix(p.src[open.start.Byte:open.end.Byte], []byte("<<-")) {
		flushLeft(pieces)
	}
	parts := make([]hclsyntax.Expression, 0, len(pieces))
	for i := 0; i < len(pieces); i++ {
		pc := pieces[i]
		if pc.lit == nil {
			parts = append(parts, pc.expr)
			continue
		}
		for i+1 < len(pieces) && pieces[i+1].lit != nil {
			i++
			pc.val += pieces[i].val
			pc.lit.SrcRange.End = pieces[i].lit.SrcRange.End
		}
		pc.lit.Val = cty.StringVal(pc.val)
		parts = append(parts, pc.lit)
	}
	r := hcl.RangeBetween(p.rng(open), endRange)
	if len(parts) == 1 && pieces[0].lit == nil {
		return &hclsyntax.TemplateWrapExpr{Wrapped: parts[0], SrcRange: r}
	}
	return &hclsyntax.TemplateExpr{Parts: parts, SrcRange: r}
}

// flushLeft removes from every line of a "<<-" heredoc the indentation the
// least indented line has, exactly as hclsyntax's
// flushHeredocTemplateParts does (counting grapheme clusters; blank lines
// and lines that start with an interpolation count as it counts them).
func flushLeft(pieces []piece) {
	const maxInt = int(^uint(0) >> 1)
	minSpaces := maxInt
	newline := true
	var adjust []*piece
	for i := range pieces {
		pc := &pieces[i]
		if newline {
			newline = false
			spaces := 0
			if pc.lit != nil {
				trimmed := strings.TrimLeftFunc(pc.val, unicode.IsSpace)
				if trimmed == "" && strings.HasSuffix(pc.val, "\n") {
					spaces = maxInt
				} else {
					spaces = len(pc.val) - len(trimmed)
					if !isASCII(pc.val[:spaces]) || strings.Contains(pc.val[:spaces], "\r\n") {
						spaces = graphemes([]byte(pc.val[:spaces]))
					}
					adjust = append(adjust, pc)
				}
			}
			minSpaces = min(minSpaces, spaces)
		}
		if pc.lit != nil && strings.HasSuffix(pc.val, "\n") {
			newline = true
		}
	}
	for _, pc := range adjust {
		cut := clusterBytes(pc.val, minSpaces)
		pc.val = pc.val[cut:]
		pc.lit.SrcRange.Start.Column += minSpaces
		pc.lit.SrcRange.Start.Byte += cut
	}
}

// clusterBytes is the length in bytes of the first n grapheme clusters of
// s (all of s when it has fewer). ASCII is one cluster per byte unless a
// non-ASCII character (a combining mark) follows; otherwise the end of the
// n-th cluster is the last rune boundary whose prefix counts n clusters: a
// prefix that ends inside a cluster counts it too.
func clusterBytes(s string, n int) int {
	if n <= len(s) && isASCII(s[:n]) && (n == len(s) || s[n] < utf8.RuneSelf && (s[n] != '\n' || n == 0 || s[n-1] != '\r')) {
		return n
	}
	cut := len(s)
	for k := 0; k <= len(s); {
		c := graphemes([]byte(s[:k]))
		if c > n {
			break
		}
		if c == n {
			cut = k
		}
		if k == len(s) {
			break
		}
		_, size := utf8.DecodeRuneInString(s[k:])
		k += size
	}
	return cut
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
