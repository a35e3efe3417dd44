package cli

import (
	"strconv"
	"unicode"
	"unicode/utf8"
)

// displayPath is a file name as a result line prints it: unchanged when
// it is ordinary, Go-quoted ("a\nb.mp4") when a raw newline, carriage
// return or other control character (or bytes that are not UTF-8) could
// forge or garble a line of output. An escaped name has no such character
// left, so escaping twice changes nothing.
func displayPath(p string) string {
	for _, r := range p {
		if r == utf8.RuneError || unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return strconv.Quote(p)
		}
	}
	return p
}
