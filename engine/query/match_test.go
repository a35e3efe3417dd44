package query

import (
	"fmt"
	"strings"
	"testing"

	"github.com/vidsift/vidsift/engine/scan"
)

// clip builds frames 1 s apart from per-frame class lists ("dog:0.3"
// gives a confidence; the default is 0.9).
func clip(frames ...[]string) []scan.Frame {
	var out []scan.Frame
	for i, classes := range frames {
		k := scan.Frame{Index: i, Time: float64(i)}
		for _, c := range classes {
			name, confText, _ := strings.Cut(c, ":")
			conf := float32(0.9)
			if confText != "" {
				fmt.Sscan(confText, &conf)
			}
			k.Detections = append(k.Detections, scan.Detection{Class: name, Confidence: conf})
		}
		out = append(out, k)
	}
	return out
}

func TestMatch(t *testing.T) {
	// t=0: dog; 1: dog+person; 2: person; 3: nothing; 4: cat (0.3); 5: person
	frames := clip([]string{"dog"}, []string{"dog", "person"}, []string{"person"}, nil, []string{"cat:0.3"}, []string{"person"})
	cases := []struct {
		expr string
		o    Options
		ok   bool
		want string
	}{
		{"dog & person", Options{}, true, "[{0 2} {5 5}]"}, // the spans of both, merged
		{"dog & person", Options{Together: true}, true, "[{1 1}]"},
		{"dog & !person", Options{}, false, "[]"},
		{"dog & !person", Options{Together: true}, true, "[{0 0}]"},
		{"cat", Options{}, true, "[{4 4}]"},
		{"cat", Options{MinConfidence: 0.5}, false, "[]"},
		{"!cat", Options{MinConfidence: 0.5}, true, "[]"},
		{"horse | cat", Options{}, true, "[{4 4}]"},
		// Spans: dog 0–1 (1 s), person 1–2 (1 s) and 5–5 (0 s).
		{"person", Options{MinDuration: 1}, true, "[{1 2}]"},
		{"person", Options{MinDuration: 1.5}, false, "[]"},
		{"dog & person", Options{MinDuration: 1, Together: true}, true, "[{1 1}]"},
		{"person", Options{MinDuration: 1, Together: true}, true, "[{1 2}]"},
		{"!person", Options{MinDuration: 1, Together: true}, true, "[{0 0} {3 5}]"},
	}
	for _, c := range cases {
		e := mustParse(t, c.expr)
		ok, ranges := Match(e, frames, c.o)
		got := fmt.Sprint(ranges)
		if ranges == nil {
			got = "[]"
		}
		if ok != c.ok || got != c.want {
			t.Errorf("%s %+v: %v %s, want %v %s", c.expr, c.o, ok, got, c.ok, c.want)
		}
	}
}
