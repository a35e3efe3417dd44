package subtitles

import (
	"html"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// htmlTags are the tags SubRip files carry (FFmpeg's srt decoder knows
// these); any other "<...>" is text ("a <b> c" stays when b is not a tag).
var htmlTags = regexp.MustCompile(`(?i)</?(?:i|b|u|s|font|span)(?:\s[^<>]*)?>`)

var htmlBreak = regexp.MustCompile(`(?i)<br\s*/?>`)

// anyTag is every WebVTT tag: voice <v Name>, class <c.x>, <i>, <b>, <u>,
// <ruby>, <rt>, <lang xx> and timestamps <00:00:01.000>.
var anyTag = regexp.MustCompile(`<[^<>\n]*>`)

// cleanSubRip strips a SubRip cue's HTML tags and the ASS override codes
// ({\an8}) many SubRip files carry.
func cleanSubRip(s string) string {
	s = htmlBreak.ReplaceAllString(s, "\n")
	s = htmlTags.ReplaceAllString(s, "")
	return cleanASS(s)
}

// cleanWebVTT strips every tag, then decodes entities (&amp; &lt; &gt;
// &nbsp; ...), so an escaped "&lt;b&gt;" stays as text.
func cleanWebVTT(s string) string {
	return html.UnescapeString(anyTag.ReplaceAllString(s, ""))
}

// cleanASS strips override blocks ({...}), drops drawings (text after
// \p1 up to \p0), and turns \N and \n into line breaks and \h into a space.
func cleanASS(s string) string {
	if !strings.ContainsAny(s, `{\`) {
		return s
	}
	var b strings.Builder
	drawing := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '{':
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				b.WriteString(s[i:]) // an unclosed brace is text
				return b.String()
			}
			drawing = drawingMode(s[i+1:i+end], drawing)
			i += end
		case drawing:
		case c == '\\' && i+1 < len(s) && (s[i+1] == 'N' || s[i+1] == 'n'):
			b.WriteByte('\n')
			i++
		case c == '\\' && i+1 < len(s) && s[i+1] == 'h':
			b.WriteByte(' ')
			i++
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// drawingMode reads the \pN tags of an override block: N > 0 starts a
// drawing (vector commands, not text), 0 ends it.
func drawingMode(block string, drawing bool) bool {
	for _, tag := range strings.Split(block, `\`) {
		if len(tag) >= 2 && tag[0] == 'p' && tag[1] >= '0' && tag[1] <= '9' && !strings.HasPrefix(tag, "pos") {
			drawing = tag[1:] != "0"
		}
	}
	return drawing
}

// assText is the Text of an ASS/SSA packet as FFmpeg stores it in a
// container: ReadOrder,Layer,Style,Name,MarginL,MarginR,MarginV,Effect,Text
// (older muxers wrote whole "Dialogue: Layer,Start,End,..." lines, with
// nine fields before the text too).
func assText(p string) (string, bool) {
	if rest, ok := strings.CutPrefix(p, "Dialogue:"); ok {
		p = strings.TrimLeft(rest, " ")
	}
	fields := strings.SplitN(p, ",", 9)
	if len(fields) < 9 {
		return "", false
	}
	return fields[8], true
}

// finish makes a cleaned text a cue's: lines trimmed, empty lines dropped,
// NFC, cut at MaxCueRunes (cut reports it).
func finish(s string) (text string, cut bool) {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	s = strings.ReplaceAll(s, "\u00a0", " ")
	lines := strings.Split(s, "\n")
	kept := lines[:0]
	for _, l := range lines {
		if l = strings.TrimSpace(l); l != "" {
			kept = append(kept, l)
		}
	}
	s = norm.NFC.String(strings.Join(kept, "\n"))
	if utf8.RuneCountInString(s) > MaxCueRunes {
		n := 0
		for i := range s {
			if n == MaxCueRunes {
				return s[:i], true
			}
			n++
		}
	}
	return s, false
}

// binaryText reports whether text holds control characters no subtitle
// has: a NUL, or more than one in a hundred characters (tab, line breaks
// and form feed aside).
func binaryText(s string) bool {
	controls, n := 0, 0
	for _, r := range s {
		n++
		switch {
		case r == 0:
			return true
		case r == '\t' || r == '\n' || r == '\r' || r == '\f':
		case r < 0x20 || r == 0x7f:
			controls++
		}
	}
	return controls > 0 && controls*100 >= n
}
