package detect

import (
	"strings"
	"testing"
)

func TestParseNames(t *testing.T) {
	names, err := ParseNames(`{0: 'person', 1: "bicycle", 2: 'dining table', 3: 'it\'s'}`)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"person", "bicycle", "dining table", "it's"}
	if strings.Join(names, "|") != strings.Join(want, "|") {
		t.Errorf("got %q, want %q", names, want)
	}
	// Keys out of order are placed by id.
	names, err = ParseNames("{1: 'b', 0: 'a',}")
	if err != nil || strings.Join(names, ",") != "a,b" {
		t.Errorf("got %q, %v", names, err)
	}
}

func TestParseNamesErrors(t *testing.T) {
	bad := map[string]string{
		"":                  "want a dict",
		"[0, 1]":            "want a dict",
		"{}":                "empty",
		"{0: 'a', 0: 'b'}":  "twice",
		"{0: 'a', 2: 'b'}":  "must run 0..1",
		"{0: 'a'":           "want ','",
		"{0 'a'}":           "want ':'",
		"{0: a}":            "quoted",
		"{0: 'a} ":          "unterminated",
		"{x: 'a'}":          "integer key",
		"{0: 'a'} trailing": "after the dict",
		"{-1: 'a'}":         "must run",
	}
	for in, want := range bad {
		if _, err := ParseNames(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseNames(%q) error %v, want it to mention %q", in, err, want)
		}
	}
}

func TestParseImageSize(t *testing.T) {
	for in, want := range map[string][2]int{"[640, 640]": {640, 640}, "[384, 640]": {640, 384}, "320": {320, 320}} {
		w, h, err := ParseImageSize(in)
		if err != nil || w != want[0] || h != want[1] {
			t.Errorf("%q: %d×%d %v, want %v", in, w, h, err, want)
		}
	}
	for _, in := range []string{"", "[a]", "[1,2,3]", "[0]", "[-5, 5]"} {
		if _, _, err := ParseImageSize(in); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
}

// FuzzParseNames: no input panics, and a successful parse is a dense list.
func FuzzParseNames(f *testing.F) {
	for _, s := range []string{"{0: 'person', 1: 'bicycle'}", `{0: "a\\"b"}`, "{1: 'x', 0: 'y'}", "{", "{0: '", "{99999999999999999999: 'a'}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		names, err := ParseNames(s)
		if err == nil && len(names) == 0 {
			t.Errorf("%q parsed to no names without error", s)
		}
	})
}
