package query

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Text holds in a frame whose text, as read on screen, contains Words.
// Spaces are not compared: a reader joins and splits words as the
// letters are set ("ALLYEAR" holds text:"all year").
type Text struct {
	Words string
	Col   int
}

// Said holds during a subtitle cue that contains Words, word for word.
type Said struct {
	Words string
	Col   int
}

func (t Text) Eval(holds func(Atom) bool) bool { return holds(t) }
func (s Said) Eval(holds func(Atom) bool) bool { return holds(s) }
func (Text) atom()                             {}
func (Said) atom()                             {}

func (t Text) String() string { return "text:" + wordsString(t.Words) }
func (s Said) String() string { return "said:" + wordsString(s.Words) }

func wordsString(w string) string {
	if isWord(w) {
		return w
	}
	return `"` + w + `"`
}

// In reports whether text, as read on screen, holds t's words.
func (t Text) In(text string) bool {
	return strings.Contains(strings.ReplaceAll(Fold(text), " ", ""), strings.ReplaceAll(Fold(t.Words), " ", ""))
}

// In reports whether a cue's text holds s's words, whole words in order
// ("fire" is in "Fire! Get out", not in "campfire" or "fireworks").
func (s Said) In(text string) bool {
	return strings.Contains(" "+Fold(text)+" ", " "+Fold(s.Words)+" ")
}

// Fold is text as words are compared: letters without their accents,
// lower case, digits, and every run of anything else (spaces,
// punctuation, symbols) one space, trimmed. "Café—EXIT!" folds to
// "cafe exit".
func Fold(text string) string {
	var b strings.Builder
	space := false
	for _, r := range norm.NFKD.String(text) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue // an accent, apart from its letter
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(unicode.ToLower(r))
		default:
			space = true
		}
	}
	return b.String()
}
