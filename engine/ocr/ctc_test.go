package ocr

import (
	"testing"
)

// steps builds a recogniser output: per step, the class given gets p and
// the rest share what is left.
func steps(classes int, picks []int, p float32) []float32 {
	out := make([]float32, len(picks)*classes)
	for t, c := range picks {
		for k := range classes {
			out[t*classes+k] = (1 - p) / float32(classes-1)
		}
		out[t*classes+c] = p
	}
	return out
}

func TestCTCDecode(t *testing.T) {
	classes, err := readDictionary([]byte("a\nb\nc\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(classes) != 5 || classes[0] != "" || classes[1] != "a" || classes[4] != " " {
		t.Fatalf("classes %q: want blank, a, b, c, space", classes)
	}
	const blank, a, b, c, space = 0, 1, 2, 3, 4
	for _, tc := range []struct {
		picks []int
		want  string
	}{
		{[]int{a, a, a, b}, "ab"},                 // repeats merge
		{[]int{a, blank, a, b, b}, "aab"},         // a blank separates a real repeat
		{[]int{blank, c, space, space, a}, "c a"}, // the index after the dictionary is a space
		{[]int{blank, blank}, ""},                 // nothing read
		{[]int{b, blank, blank, b, blank, c}, "bbc"},
	} {
		text, conf := ctcDecode(steps(len(classes), tc.picks, 0.9), len(tc.picks), classes)
		if text != tc.want {
			t.Errorf("%v: %q, want %q", tc.picks, text, tc.want)
		}
		wantConf := float32(0.9)
		if tc.want == "" {
			wantConf = 0
		}
		if d := conf - wantConf; d > 1e-6 || d < -1e-6 {
			t.Errorf("%v: confidence %v, want %v", tc.picks, conf, wantConf)
		}
	}
	// The confidence is the mean over the characters kept, not the steps.
	probs := steps(len(classes), []int{a, a, blank, b}, 0.9)
	probs[1*len(classes)+a] = 0.5 // the merged repeat does not count
	probs[3*len(classes)+b] = 0.7
	if _, conf := ctcDecode(probs, 4, classes); conf < 0.8-1e-6 || conf > 0.8+1e-6 {
		t.Errorf("confidence %v, want (0.9+0.7)/2", conf)
	}
}

func TestReadDictionary(t *testing.T) {
	got, err := readDictionary([]byte("x\r\ny\n\nz"))
	if err != nil {
		t.Fatal(err)
	}
	// Every line is a class, an empty one too (PaddleOCR reads it so and
	// the model's class count counts it).
	want := []string{"", "x", "y", "", "z", " "}
	if len(got) != len(want) {
		t.Fatalf("%q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("%q, want %q", got, want)
		}
	}
	for _, bad := range [][]byte{{}, []byte("\n"), {0xff, 0xfe, 'a'}} {
		if _, err := readDictionary(bad); err == nil {
			t.Errorf("%q read as a dictionary", bad)
		}
	}
}

// TestCTCDecodeNFC: text comes out NFC, whatever the dictionary's form.
func TestCTCDecodeNFC(t *testing.T) {
	// e and a combining acute compose; the compatibility ideograph 郎
	// (U+F92C, in ppocr_keys_v1.txt) becomes the unified U+90CE.
	classes, err := readDictionary([]byte("e\n\u0301\n\uF92C"))
	if err != nil {
		t.Fatal(err)
	}
	text, _ := ctcDecode(steps(len(classes), []int{1, 2, 0, 3}, 0.9), 4, classes)
	if text != "\u00e9\u90ce" {
		t.Errorf("%q (% x), want NFC \"\u00e9\u90ce\"", text, text)
	}
}
