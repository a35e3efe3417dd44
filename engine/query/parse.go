// Package query reads and evaluates find expressions: class names, and
// words written on screen (text:exit, text:"fire exit") or said in a
// subtitle (said:fire), joined by ! (not), & (and) and | (or), in that
// order of precedence, with parentheses; multi-word names are quoted
// ("traffic light"). Names match case-insensitively; words case-, accent-
// and punctuation-insensitively (Fold).
package query

import (
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Expr is a parsed expression.
type Expr interface {
	// Eval says whether the expression holds when holds reports which of
	// its atoms (Class, Text, Said) do.
	Eval(holds func(Atom) bool) bool
	String() string
}

// Atom is an expression that holds or not by itself: a Class, a Text or
// a Said.
type Atom interface {
	Expr
	atom()
}

// Class is a class name; Col is where it starts (1-based, in runes).
type Class struct {
	Name string
	Col  int
}

// Not, And and Or combine expressions.
type (
	Not struct{ X Expr }
	And struct{ L, R Expr }
	Or  struct{ L, R Expr }
)

func (c Class) Eval(holds func(Atom) bool) bool { return holds(c) }
func (n Not) Eval(holds func(Atom) bool) bool   { return !n.X.Eval(holds) }
func (a And) Eval(holds func(Atom) bool) bool   { return a.L.Eval(holds) && a.R.Eval(holds) }
func (o Or) Eval(holds func(Atom) bool) bool    { return o.L.Eval(holds) || o.R.Eval(holds) }

func (Class) atom() {}

func (c Class) String() string {
	if isWord(c.Name) {
		return c.Name
	}
	return `"` + c.Name + `"`
}
func (n Not) String() string { return "!" + group(n.X) }
func (a And) String() string { return group(a.L) + " & " + group(a.R) }
func (o Or) String() string  { return o.L.String() + " | " + o.R.String() }

// group parenthesises an or inside an and or a not, and an and inside a not.
func group(e Expr) string {
	switch e.(type) {
	case Or, And:
		return "(" + e.String() + ")"
	}
	return e.String()
}

// SyntaxError says what is wrong and at which column (1-based, in runes).
type SyntaxError struct {
	Col int
	Msg string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("column %d: %s", e.Col, e.Msg) }

// token kinds
const (
	tEnd = iota
	tName
	tNot
	tAnd
	tOr
	tOpen
	tClose
	tText // text:WORD or text:"a phrase"
	tSaid // said:WORD or said:"a phrase"
)

// wordsPrefixes are the prefixes of words on screen and said, and their tokens.
var wordsPrefixes = map[string]int{"text": tText, "said": tSaid}

type token struct {
	kind int
	text string
	col  int
}

func lex(s string) ([]token, error) {
	var toks []token
	col := 1
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			return nil, &SyntaxError{col, "not UTF-8"}
		}
		start := col
		switch {
		case unicode.IsSpace(r):
		case r == '!':
			toks = append(toks, token{tNot, "!", start})
		case r == '&':
			toks = append(toks, token{tAnd, "&", start})
		case r == '|':
			toks = append(toks, token{tOr, "|", start})
		case r == '(':
			toks = append(toks, token{tOpen, "(", start})
		case r == ')':
			toks = append(toks, token{tClose, ")", start})
		case r == '"':
			name, n, err := quoted(s[i:], start, "an empty class name")
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{tName, name, start})
			col += utf8.RuneCountInString(s[i : i+n])
			i += n
			continue
		case isWordRune(r):
			j := wordEnd(s, i)
			kind, isPrefix := wordsPrefixes[strings.ToLower(s[i:j])]
			if !isPrefix || j >= len(s) || s[j] != ':' {
				toks = append(toks, token{tName, s[i:j], start})
				col += utf8.RuneCountInString(s[i:j])
				i = j
				continue
			}
			// text:WORD, said:"a phrase"
			prefix := s[i : j+1]
			empty := fmt.Sprintf(`%s needs a word or a "phrase" after it, e.g. %sexit`, prefix, prefix)
			var words string
			n := 0
			switch {
			case j+1 < len(s) && s[j+1] == '"':
				var err error
				if words, n, err = quoted(s[j+1:], start, empty); err != nil {
					return nil, err
				}
			default:
				n = wordEnd(s, j+1) - (j + 1)
				words = s[j+1 : j+1+n]
			}
			if Fold(words) == "" {
				return nil, &SyntaxError{start, empty}
			}
			toks = append(toks, token{kind, words, start})
			col += utf8.RuneCountInString(s[i : j+1+n])
			i = j + 1 + n
			continue
		default:
			return nil, &SyntaxError{start, fmt.Sprintf("unexpected %q (operators are ! & | and parentheses; quote names with spaces)", r)}
		}
		col++
		i += size
	}
	return append(toks, token{tEnd, "", col}), nil
}

// quoted reads the quoted text s starts with: its words (spaces
// collapsed) and its length in bytes, quotes included; empty is the
// error's message when there is nothing between the quotes.
func quoted(s string, col int, empty string) (string, int, error) {
	end := strings.IndexByte(s[1:], '"')
	if end < 0 {
		return "", 0, &SyntaxError{col, `a quote that is never closed`}
	}
	text := strings.Join(strings.Fields(s[1:1+end]), " ")
	if text == "" {
		return "", 0, &SyntaxError{col, empty}
	}
	return text, end + 2, nil
}

// wordEnd is where the run of word runes from s[i] ends.
func wordEnd(s string, i int) int {
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		if !isWordRune(r) {
			break
		}
		i += n
	}
	return i
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '-' || r == '.' || r == '\''
}

func isWord(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !isWordRune(r) {
			return false
		}
	}
	return true
}

// Parse reads an expression.
func Parse(s string) (Expr, error) {
	toks, err := lex(s)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	if p.peek().kind == tEnd {
		return nil, &SyntaxError{1, "an empty expression: name a class, e.g. 'dog & person'"}
	}
	e, err := p.or()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEnd {
		msg := fmt.Sprintf("unexpected %q: expected & or | between two names", t.text)
		if t.kind == tName {
			msg = fmt.Sprintf("unexpected %q: join names with & or |, or quote a name with spaces (\"traffic light\")", t.text)
		} else if t.kind == tClose {
			msg = `a ")" without its "("`
		}
		return nil, &SyntaxError{t.col, msg}
	}
	return e, nil
}

type parser struct {
	toks []token
	pos  int
}

func (p *parser) peek() token { return p.toks[p.pos] }
func (p *parser) next() token {
	t := p.toks[p.pos]
	if t.kind != tEnd {
		p.pos++
	}
	return t
}

func (p *parser) or() (Expr, error) {
	l, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.peek().kind == tOr {
		p.next()
		r, err := p.and()
		if err != nil {
			return nil, err
		}
		l = Or{l, r}
	}
	return l, nil
}

func (p *parser) and() (Expr, error) {
	l, err := p.not()
	if err != nil {
		return nil, err
	}
	for p.peek().kind == tAnd {
		p.next()
		r, err := p.not()
		if err != nil {
			return nil, err
		}
		l = And{l, r}
	}
	return l, nil
}

func (p *parser) not() (Expr, error) {
	if p.peek().kind == tNot {
		p.next()
		x, err := p.not()
		if err != nil {
			return nil, err
		}
		return Not{x}, nil
	}
	return p.primary()
}

func (p *parser) primary() (Expr, error) {
	t := p.next()
	switch t.kind {
	case tName:
		return Class{Name: t.text, Col: t.col}, nil
	case tText:
		return Text{Words: t.text, Col: t.col}, nil
	case tSaid:
		return Said{Words: t.text, Col: t.col}, nil
	case tOpen:
		e, err := p.or()
		if err != nil {
			return nil, err
		}
		if c := p.next(); c.kind != tClose {
			return nil, &SyntaxError{c.col, fmt.Sprintf(`expected ")" to close the "(" at column %d`, t.col)}
		}
		return e, nil
	case tEnd:
		return nil, &SyntaxError{t.col, "the expression ends where a class name was expected"}
	default:
		return nil, &SyntaxError{t.col, fmt.Sprintf("unexpected %q where a class name was expected", t.text)}
	}
}

// Names lists the class names an expression uses, each once, in order.
func Names(e Expr) []Class {
	var out []Class
	seen := map[string]bool{}
	walk(e, false, func(c Class, _ bool) {
		if !seen[c.Name] {
			seen[c.Name] = true
			out = append(out, c)
		}
	})
	return out
}

// Positive lists the classes an expression names positively: under an
// even number of negations. Their spans are the times a match reports.
func Positive(e Expr) []string {
	set := map[string]bool{}
	walk(e, false, func(c Class, negated bool) {
		if !negated {
			set[c.Name] = true
		}
	})
	out := make([]string, 0, len(set))
	for n := range set {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Atoms lists e's atoms in order, each as often as it stands.
func Atoms(e Expr) []Atom {
	var out []Atom
	walkAtoms(e, false, func(a Atom, _ bool) { out = append(out, a) })
	return out
}

func walk(e Expr, negated bool, f func(Class, bool)) {
	walkAtoms(e, negated, func(a Atom, negated bool) {
		if c, ok := a.(Class); ok {
			f(c, negated)
		}
	})
}

// walkAtoms calls f with each atom of e and whether it is negated (under
// an odd number of !).
func walkAtoms(e Expr, negated bool, f func(Atom, bool)) {
	switch x := e.(type) {
	case Atom:
		f(x, negated)
	case Not:
		walkAtoms(x.X, !negated, f)
	case And:
		walkAtoms(x.L, negated, f)
		walkAtoms(x.R, negated, f)
	case Or:
		walkAtoms(x.L, negated, f)
		walkAtoms(x.R, negated, f)
	}
}

// Resolve replaces each name by the valid class it names, ignoring case;
// a name no valid class matches is an error that lists them. text: and
// said: atoms stand as they are.
func Resolve(e Expr, valid []string) (Expr, error) {
	byLower := map[string]string{}
	for _, v := range valid {
		byLower[strings.ToLower(v)] = v
	}
	var bad []string
	var fix func(Expr) Expr
	fix = func(e Expr) Expr {
		switch x := e.(type) {
		case Class:
			v, ok := byLower[strings.ToLower(x.Name)]
			if !ok {
				bad = append(bad, fmt.Sprintf("%q (column %d)", x.Name, x.Col))
				return x
			}
			return Class{Name: v, Col: x.Col}
		case Not:
			return Not{fix(x.X)}
		case And:
			return And{fix(x.L), fix(x.R)}
		case Or:
			return Or{fix(x.L), fix(x.R)}
		}
		return e
	}
	out := fix(e)
	if len(bad) > 0 {
		names := append([]string(nil), valid...)
		sort.Strings(names)
		return nil, fmt.Errorf("unknown class %s; the library's models know: %s", strings.Join(bad, ", "), strings.Join(names, ", "))
	}
	return out, nil
}
