package cli

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// displayPath is a file name as a line of output shows it: unchanged when
// it prints as itself, else quoted with Go's escapes (\n, \t, \x..), so a
// name holding a newline or a terminal control cannot forge a line or
// redraw the screen.
func displayPath(path string) string {
	if !utf8.ValidString(path) || strings.ContainsFunc(path, func(r rune) bool { return !unicode.IsPrint(r) && r != ' ' }) {
		return strconv.Quote(path)
	}
	return path
}
