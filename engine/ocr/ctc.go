package ocr

import (
	"errors"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// readDictionary parses ppocr_keys_v1.txt: one character a line, every
// line a class (as PaddleOCR reads it). The recogniser's classes are the
// CTC blank (0), these characters in order, then a space (use_space_char).
func readDictionary(data []byte) ([]string, error) {
	if !utf8.Valid(data) {
		return nil, errors.New("not UTF-8 text")
	}
	text := strings.TrimSuffix(string(data), "\n")
	if text == "" {
		return nil, errors.New("no characters")
	}
	classes := []string{""}
	for line := range strings.SplitSeq(text, "\n") {
		classes = append(classes, strings.TrimSuffix(line, "\r"))
	}
	return append(classes, " "), nil
}

// ctcDecode reads one line from the recogniser's output for it: steps
// rows of len(classes) probabilities. It takes the likeliest class per
// step, merges repeats, drops blanks (CTCLabelDecode) and gives the mean
// probability of the characters kept as the confidence (0 when none are).
// The text is NFC: the dictionary holds two CJK compatibility ideographs
// (U+F92C, U+F979) that NFC maps to their unified forms.
func ctcDecode(probs []float32, steps int, classes []string) (string, float32) {
	n := len(classes)
	var text strings.Builder
	var sum float32
	kept := 0
	prev := -1
	for t := range steps {
		row := probs[t*n : (t+1)*n]
		best := 0
		for c := 1; c < n; c++ {
			if row[c] > row[best] {
				best = c
			}
		}
		if best != 0 && best != prev {
			text.WriteString(classes[best])
			sum += row[best]
			kept++
		}
		prev = best
	}
	if kept == 0 {
		return "", 0
	}
	return norm.NFC.String(text.String()), sum / float32(kept)
}
