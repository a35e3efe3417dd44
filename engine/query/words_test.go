package query

import (
	"fmt"
	"strings"
	"testing"

	"github.com/vidsift/vidsift/engine/scan"
)

// TestWordsSyntax: text: and said: take a word or a quoted phrase, in
// any case, combine with classes, print back as they parse, and are not
// classes (Names, Resolve).
func TestWordsSyntax(t *testing.T) {
	for in, want := range map[string]string{
		`text:exit`:                         `text:exit`,
		`TEXT:"fire  exit"`:                 `text:"fire exit"`,
		`person & text:"exit"`:              `person & text:exit`,
		`said:fire | text:fire`:             `said:fire | text:fire`,
		`!said:"get out" & (dog|cat)`:       `!said:"get out" & (dog | cat)`,
		`text:1887-90`:                      `text:1887-90`,
		`said:"¿Dónde está?" & person`:      `said:"¿Dónde está?" & person`,
		`text:"=HYPERLINK(\"x\")"`:          ``, // a quote ends the phrase: an error below
		`"traffic light" & said:"stop"`:     `"traffic light" & said:stop`,
		`text:exit&said:exit`:               `text:exit & said:exit`,
		`text : exit`:                       ``,
		`said:`:                             ``,
		`text:""`:                           ``,
		`text:"!!"`:                         ``,
		`said:"never closed`:                ``,
		`person & text:`:                    ``,
		`class:dog`:                         ``,
		`text:"exit" said:"exit"`:           ``,
		`(text:exit | said:"fire!") & !car`: `(text:exit | said:"fire!") & !car`,
	} {
		e, err := Parse(in)
		if want == "" {
			if err == nil {
				t.Errorf("%s parsed as %s", in, e)
			}
			continue
		}
		if err != nil || e.String() != want {
			t.Errorf("%s: %v %v, want %s", in, e, err, want)
			continue
		}
		if again, err := Parse(e.String()); err != nil || again.String() != want {
			t.Errorf("%s does not round-trip: %v %v", want, again, err)
		}
	}
	e, _ := Parse(`person & text:exit & !said:"fire"`)
	if names := Names(e); len(names) != 1 || names[0].Name != "person" {
		t.Errorf("names %v", names)
	}
	e, _ = Parse(`person & said:exit & !said:"fire"`)
	if r, err := Resolve(e, []string{"Person"}); err != nil || r.String() != `(Person & said:exit) & !said:fire` {
		t.Errorf("resolve %v %v", r, err)
	}
	e, _ = Parse(`PERSON & text:"Exit 12" | !text:exit`)
	if r, err := Resolve(e, []string{"person"}); err != nil || r.String() != `person & text:"Exit 12" | !text:exit` {
		t.Errorf("resolve with text: %v %v", r, err)
	}
	if _, err := Parse(`said:`); err == nil || !strings.Contains(err.Error(), `said: needs a word or a "phrase"`) {
		t.Errorf("empty said: %v", err)
	}
}

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"Café—EXIT!":       "cafe exit",
		"  Fire!  Get OUT": "fire get out",
		"ÜBER straße":      "uber straße",
		"1887-90":          "1887 90",
		"出口 EXIT":          "出口 exit",
		"مخرج":             "مخرج",
		"=HYPERLINK(1)":    "hyperlink 1",
		"ﬁre":              "fire", // a ligature, as a reader may return it
		"":                 "",
	} {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
	for _, c := range []struct {
		atom Atom
		text string
		in   bool
	}{
		{Text{Words: "all year"}, "ALLYEAR ROUND", true}, // a reader joins words
		{Text{Words: "exit"}, "EMERGENCY EXIT.", true},
		{Text{Words: "EXIT"}, "e x i t", true},
		{Text{Words: "exit"}, "EXTT", false},
		{Said{Words: "fire"}, "Fire! Get out.", true},
		{Said{Words: "fire"}, "the campfire", false}, // whole words
		{Said{Words: "get out"}, "GET... OUT!", true},
		{Said{Words: "out get"}, "get out", false},
		{Said{Words: "café"}, "CAFE", true},
	} {
		var in bool
		switch x := c.atom.(type) {
		case Text:
			in = x.In(c.text)
		case Said:
			in = x.In(c.text)
		}
		if in != c.in {
			t.Errorf("%s in %q: %v, want %v", c.atom, c.text, in, c.in)
		}
	}
}

// film builds frames 1 s apart: "person", "text=EXIT" (a line read),
// several per frame separated by spaces.
func film(frames ...string) []scan.Frame {
	var out []scan.Frame
	for i, f := range frames {
		k := scan.Frame{Index: i, Time: float64(i)}
		for _, item := range strings.Fields(f) {
			if line, ok := strings.CutPrefix(item, "text="); ok {
				k.Text = append(k.Text, scan.TextLine{Text: strings.ReplaceAll(line, "_", " "), Confidence: 0.9})
				continue
			}
			k.Detections = append(k.Detections, scan.Detection{Class: item, Confidence: 0.9})
		}
		out = append(out, k)
	}
	return out
}

func TestMatchWords(t *testing.T) {
	frames := film("person", "person text=EXIT", "text=Emergency_exit", "", "person text=exit", "person")
	cues := []scan.Cue{{Start: 0.5, End: 1.5, Text: "Where is the fire?"}, {Start: 3.2, End: 3.6, Text: "FIRE!"}, {Start: 4.8, End: 6, Text: "Get out."}}
	for _, c := range []struct {
		expr string
		o    Options
		want string // "no", or the ranges
	}{
		{"text:exit", Options{}, "[1 2] [4 4]"},
		{"text:exit", Options{MinDuration: 1}, "[1 2]"},
		{"said:fire", Options{}, "[0.5 1.5] [3.2 3.6]"},
		{"said:fire", Options{MinDuration: 0.5}, "[0.5 1.5]"},
		{"said:water", Options{}, "no"},
		{"person & text:exit", Options{}, "[0 2] [4 5]"},
		{"person & text:exit", Options{Together: true}, "[1 1] [4 4]"},
		{"person & said:fire", Options{Together: true}, "[1 1]"},
		{"said:fire | said:out", Options{Together: true}, "[0.5 1.5] [3.2 3.6] [4.8 6]"},
		{"said:fire & !said:where", Options{Together: true}, "[3.2 3.6]"},
		{"text:exit & !person", Options{Together: true}, "[2 2]"},
		{"said:fire & text:exit", Options{}, "[0.5 2] [3.2 3.6] [4 4]"},
		{"said:fire & text:pizza", Options{}, "no"},
	} {
		e, err := Parse(c.expr)
		if err != nil {
			t.Fatal(err)
		}
		ok, ranges := MatchFile(e, frames, cues, c.o)
		got := "no"
		if ok {
			var parts []string
			for _, r := range ranges {
				parts = append(parts, fmt.Sprint([]float64{r.Start, r.End}))
			}
			got = strings.Join(parts, " ")
		}
		if got != c.want {
			t.Errorf("%s %+v: %s, want %s", c.expr, c.o, got, c.want)
		}
	}
}
