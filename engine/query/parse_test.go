package query

import (
	"errors"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	cases := []struct{ in, want string }{
		{"dog", "dog"},
		{"dog & person", "dog & person"},
		{"car | truck", "car | truck"},
		{"(cat | dog) & !horse", "(cat | dog) & !horse"},
		// ! binds tighter than &, & tighter than |.
		{"a | b & c", "a | b & c"},
		{"a & b | c", "a & b | c"},
		{"!a & b", "!a & b"},
		{"!(a & b)", "!(a & b)"},
		{"!!a", "!!a"},
		{"a&b|!c", "a & b | !c"},
		{`"traffic light" & car`, `"traffic light" & car`},
		{`"  traffic   light " `, `"traffic light"`},
		{"((dog))", "dog"},
		{"teddy_bear | hair-drier", "teddy_bear | hair-drier"},
	}
	for _, c := range cases {
		e, err := Parse(c.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.in, err)
			continue
		}
		if got := e.String(); got != c.want {
			t.Errorf("Parse(%q) = %s, want %s", c.in, got, c.want)
		}
		// What String writes parses back to the same expression.
		again, err := Parse(e.String())
		if err != nil || again.String() != e.String() {
			t.Errorf("%q does not round-trip: %v, %v", c.in, again, err)
		}
	}
}

func TestPrecedence(t *testing.T) {
	// a | b & c is a | (b & c): true with a alone.
	e, _ := Parse("a | b & c")
	if !e.Eval(func(a Atom) bool { return a.String() == "a" }) {
		t.Error("a | b & c is false with a alone")
	}
	// !a & b is (!a) & b: true with b alone, false with neither.
	e, _ = Parse("!a & b")
	if !e.Eval(func(a Atom) bool { return a.String() == "b" }) || e.Eval(func(Atom) bool { return false }) {
		t.Error("!a & b misread")
	}
}

func TestSyntaxErrors(t *testing.T) {
	cases := []struct {
		in  string
		col int
		say string
	}{
		{"", 1, "empty"},
		{"   ", 1, "empty"},
		{"dog &", 6, "ends"},
		{"& dog", 1, "unexpected"},
		{"dog person", 5, "quote a name"},
		{"traffic light & car", 9, "quote a name"},
		{"(dog | cat", 11, `")"`},
		{"dog)", 4, `without its "("`},
		{`"traffic light & car`, 1, "never closed"},
		{`"" | dog`, 1, "empty class name"},
		{"dog && cat", 6, "unexpected"},
		{"dog ~ cat", 5, "unexpected"},
		{"été & !", 8, "ends"}, // columns count runes, not bytes
	}
	for _, c := range cases {
		_, err := Parse(c.in)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Parse(%q): %v, want a syntax error", c.in, err)
			continue
		}
		if se.Col != c.col || !strings.Contains(se.Error(), c.say) {
			t.Errorf("Parse(%q): %v; want column %d saying %q", c.in, se, c.col, c.say)
		}
	}
}

func TestResolveAndNames(t *testing.T) {
	valid := []string{"person", "dog", "traffic light", "car"}
	e, err := Parse(`DOG & !"Traffic Light" | Person & dog`)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Resolve(e, valid)
	if err != nil {
		t.Fatal(err)
	}
	if got := r.String(); got != `dog & !"traffic light" | person & dog` {
		t.Errorf("resolved: %s", got)
	}
	if got := strings.Join(Positive(r), ","); got != "dog,person" {
		t.Errorf("positive: %s", got)
	}
	var names []string
	for _, c := range Names(r) {
		names = append(names, c.Name)
	}
	if got := strings.Join(names, ","); got != "dog,traffic light,person" {
		t.Errorf("names: %s", got)
	}
	_, err = Resolve(mustParse(t, "dog & unicorn"), valid)
	if err == nil || !strings.Contains(err.Error(), `"unicorn" (column 7)`) || !strings.Contains(err.Error(), "car, dog, person, traffic light") {
		t.Errorf("unknown class: %v", err)
	}
}

func mustParse(t *testing.T, s string) Expr {
	t.Helper()
	e, err := Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// FuzzParse: no input panics; an error is a SyntaxError with a column
// inside the input; what parses prints as something that parses to the
// same thing.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"dog & person", "(cat | dog) & !horse", `"traffic light" | car`, "!(", "a|b&!c", `"`, "été"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := Parse(s)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q): %v is not a SyntaxError", s, err)
			}
			if n := len([]rune(s)); se.Col < 1 || se.Col > n+1 {
				t.Fatalf("Parse(%q): column %d outside 1..%d", s, se.Col, n+1)
			}
			return
		}
		again, err := Parse(e.String())
		if err != nil || again.String() != e.String() {
			t.Fatalf("Parse(%q) = %s, which reads back as %v, %v", s, e, again, err)
		}
	})
}
