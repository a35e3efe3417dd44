package cli

import (
	"strconv"
	"unicode"
	"unicode/utf8"
)

// displayPath is a file name as a result line prints it: unchanged when
// it is ordinary, Go-quoted ("a\nb.mp4") when a raw newline, carriage
// return or other control character, a line or paragraph separator, an
// invisible format character (a right-to-left override) or bytes that are
// not UTF-8 could forge or garble a line of output. An escaped name has no
// such character left, so escaping twice changes nothing.
func displayPath(p string) string {
	if !utf8.ValidString(p) {
		return strconv.Quote(p)
	}
	for _, r := range p {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029' {
			return strconv.Quote(p)
		}
	}
	return p
}
