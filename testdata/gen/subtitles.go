package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf16"
)

// The subtitle sources make_subtitles.sh muxes into containers, and the
// sidecar files it leaves next to a video. engine/subtitles' tests hold the
// cues they must give; keep the two in step.

// longLine is the 10,000-character cue line.
var longLine = strings.Repeat("0123456789", 1000)

// dialogueSRT has markup, formula-like, right-to-left, CJK and decomposed
// (NFD) text, and the long line.
var dialogueSRT = "1\n00:00:00,500 --> 00:00:01,250\n<i>Hello</i>, <b>world</b> at the cafe\u0301!\n\n" +
	"2\n00:00:01,500 --> 00:00:02,750\n=HYPERLINK(\"http://x\")\n\n" +
	"3\n00:00:03,000 --> 00:00:04,000\n<font color=\"#ff0000\">مرحبا بالعالم</font>\nשלום עולם\n\n" +
	"4\n00:00:04,250 --> 00:00:05,500\n你好，世界 こんにちは\n\n" +
	"5\n00:00:05,750 --> 00:00:07,000\n" + longLine + "\n"

// dialogueASS has override codes, a drawing, \N, \n and \h, and a Text
// field with commas.
const dialogueASS = `[Script Info]
ScriptType: v4.00+
PlayResX: 384
PlayResY: 288

[V4+ Styles]
Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding
Style: Default,Arial,16,&Hffffff,&Hffffff,&H0,&H0,0,0,0,0,100,100,0,0,1,1,0,2,10,10,10,0

[Events]
Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
Dialogue: 0,0:00:00.50,0:00:01.25,Default,Narrator,0,0,0,,{\an8}{\i1}Bonjour{\i0}, le monde\Nseconde ligne
Dialogue: 0,0:00:02.00,0:00:03.00,Default,,0,0,0,,Un, deux,\htrois\nquatre
Dialogue: 0,0:00:03.50,0:00:04.75,Default,,0,0,0,,{\pos(10,10)\c&H0000FF&}Rouge{\r} et noir{\p1}m 0 0 l 100 0 100 100{\p0}
`

// dialogueVTT has a header, a NOTE block (FFmpeg 5.1's demuxer reads no
// cue of a file with a STYLE block: the sidecar has one), cue ids and settings,
// voice and class tags, entities and a karaoke timestamp.
const dialogueVTT = `WEBVTT - dialogue

NOTE a comment
over two lines

intro
00:00:00.500 --> 00:00:01.250 align:start position:10%
<v Alice>Hi <i>Bob</i></v>

00:00:01.500 --> 00:00:02.750
<v.loud Bob>Hello <c.yellow>Alice</c> &amp; friends</v>

00:00:03.000 --> 00:00:04.000 line:0
Karaoke <00:00:03.500>style &lt;tags&gt;
`

// sidecarSRT breaks the rules players forgive: a BOM, CRLF, a cue without
// an index, a dot before the milliseconds, no blank line between cues.
const sidecarSRT = "\ufeff1\r\n00:00:00,500 --> 00:00:01,250\r\nFirst line\r\nsecond line\r\n\r\n" +
	"00:00:01.500 --> 00:00:02.000\r\nNo index, dot millis\r\n" +
	"3\r\n00:00:02,500 --> 00:00:03,000 X1:10 X2:20 Y1:5 Y2:6\r\nNo blank line before\r\n"

// sidecarASS orders the Dialogue fields differently: the Format line decides.
const sidecarASS = `[Script Info]
ScriptType: v4.00+

[Events]
Format: Layer, Style, Start, End, Name, MarginL, MarginR, MarginV, Effect, Text
Comment: 0,Default,0:00:00.00,0:00:09.00,,0,0,0,,not shown
Dialogue: 0,Default,0:00:01.00,0:00:02.50,Bob,0,0,0,,{\b1}Sidecar{\b0} ASS, reordered
`

const sidecarVTT = "WEBVTT\n\nSTYLE\n::cue { color: yellow }\n\nNOTE no hours below\n\n00:01.000 --> 00:02.000 align:middle\n<v Carol>Sidecar VTT</v>\n\n2\n00:02.500 --> 00:03.000\nline one\nline two\n"

// writeSubtitles writes the subtitle sources into dir.
func writeSubtitles(dir string) error {
	var many bytes.Buffer
	for i := range 100000 {
		start := i * 100
		fmt.Fprintf(&many, "%d\n%s --> %s\ncue %d\n\n", i+1, srtTime(start), srtTime(start+80), i+1)
	}
	// Windows-1252 (€ and œ are not Latin-1 but 1252's 0x80 and 0x9c).
	cp1252 := []byte("1\r\n00:00:01,000 --> 00:00:02,000\r\nVoil\xe0, \xe7a co\xfbte 5 \x80 \x9cuf\r\n")
	utf16le := []byte{0xff, 0xfe}
	for _, u := range utf16.Encode([]rune("1\r\n00:00:01,000 --> 00:00:02,000\r\n¿Qué tal?\r\n")) {
		utf16le = binary.LittleEndian.AppendUint16(utf16le, u)
	}
	files := map[string][]byte{
		"src/dialogue.srt":               []byte(dialogueSRT),
		"src/dialogue.ass":               []byte(dialogueASS),
		"src/dialogue.vtt":               []byte(dialogueVTT),
		"src/many.srt":                   many.Bytes(),
		"sidecar/movie.srt":              []byte(sidecarSRT),
		"sidecar/movie.en.srt":           []byte("1\n00:00:00,000 --> 00:00:01,000\nHello from the English sidecar\n"),
		"sidecar/movie.english.srt":      []byte("1\n00:00:00,000 --> 00:00:01,000\nLanguage spelt out\n"),
		"sidecar/movie.pt-BR.forced.srt": []byte("1\n00:00:00,000 --> 00:00:01,000\nOlá\n"),
		"sidecar/movie.vtt":              []byte(sidecarVTT),
		"sidecar/movie.ass":              []byte(sidecarASS),
		"sidecar/movie.fr.srt":           cp1252,
		"sidecar/movie.es.srt":           utf16le,
		"sidecar/movie.de.srt":           nil,
		"sidecar/movie2.srt":             []byte("1\n00:00:00,000 --> 00:00:01,000\nanother video's\n"),
		"sidecar/movie.en.txt":           []byte("not a subtitle\n"),
		"sidecar/movie.srt.bak":          []byte(sidecarSRT),
		"sidecar/movie.cut.srt":          []byte("1\n00:00:00,000 --> 00:00:01,000\nbelongs to movie.cut.mp4\n"),
		"src/bitmap.sup":                 pgsSup(),
	}
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// srtTime formats milliseconds as SRT's HH:MM:SS,mmm.
func srtTime(ms int) string {
	return fmt.Sprintf("%02d:%02d:%02d,%03d", ms/3600000, ms/60000%60, ms/1000%60, ms%1000)
}

// pgsSup is a PGS (Blu-ray) bitmap subtitle stream: a 64×16 box shown from
// 1 s to 3 s. FFmpeg's CLI cannot turn text into bitmaps, so it is written here.
func pgsSup() []byte {
	var out []byte
	segment := func(pts uint32, kind byte, payload []byte) {
		out = append(out, 'P', 'G')
		out = binary.BigEndian.AppendUint32(out, pts)
		out = binary.BigEndian.AppendUint32(out, 0)
		out = append(out, kind)
		out = binary.BigEndian.AppendUint16(out, uint16(len(payload)))
		out = append(out, payload...)
	}
	be16 := func(b []byte, v int) []byte { return binary.BigEndian.AppendUint16(b, uint16(v)) }
	const w, h = 64, 16
	show, hide := uint32(90000), uint32(3*90000) // 90 kHz
	// Presentation composition: 720×480, epoch start, one object at (100, 400).
	pcs := be16(be16(nil, 720), 480)
	pcs = append(pcs, 0x10)
	pcs = be16(pcs, 0)
	pcs = append(pcs, 0x80, 0, 0, 1)
	pcs = be16(pcs, 0)
	pcs = append(pcs, 0, 0)
	pcs = be16(be16(pcs, 100), 400)
	segment(show, 0x16, pcs)
	wds := []byte{1, 0}
	wds = be16(be16(be16(be16(wds, 100), 400), w), h)
	segment(show, 0x17, wds)
	segment(show, 0x14, []byte{0, 0, 1, 235, 128, 128, 255}) // palette: entry 1 white, opaque
	var rle []byte
	for range h {
		rle = append(rle, 0, 0xc0|byte(w>>8), byte(w), 1, 0, 0) // a long run of w pixels of colour 1, end of line
	}
	ods := be16(nil, 0)
	ods = append(ods, 0, 0xc0)
	n := len(rle) + 4
	ods = append(ods, byte(n>>16), byte(n>>8), byte(n))
	ods = be16(be16(ods, w), h)
	segment(show, 0x15, append(ods, rle...))
	segment(show, 0x80, nil)
	// Clear it.
	clear := be16(be16(nil, 720), 480)
	clear = append(clear, 0x10)
	clear = be16(clear, 1)
	clear = append(clear, 0, 0, 0, 0)
	segment(hide, 0x16, clear)
	wds2 := []byte{1, 0}
	segment(hide, 0x17, be16(be16(be16(be16(wds2, 100), 400), w), h))
	segment(hide, 0x80, nil)
	return out
}
