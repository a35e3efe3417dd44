package subtitles

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/vidsift/vidsift/engine/media"
	"golang.org/x/text/encoding/charmap"
)

// sidecarCodecs maps a sidecar's extension to the codec it is read as.
var sidecarCodecs = map[string]string{".srt": "subrip", ".vtt": "webvtt", ".ass": "ass", ".ssa": "ssa"}

// Sidecars lists the subtitle files next to the video, as media servers
// find them: in its folder, named after it (clip.mp4: clip.srt, clip.vtt,
// clip.ass, clip.ssa, any case of the extension), with optional parts
// between (clip.en.srt, clip.pt-BR.forced.srt, clip.english.srt). A file
// belongs to the video with the longest name it starts with:
// clip.cut.srt is clip.cut.mp4's when that exists, else clip.mp4's.
func Sidecars(video string) ([]string, error) {
	dir, name := filepath.Split(video)
	if dir == "" {
		dir = "."
	}
	stem := strings.TrimSuffix(name, filepath.Ext(name))
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	owners := []string{stem} // stems of the media files here
	for _, e := range entries {
		if n := e.Name(); media.IsCandidate(n) {
			owners = append(owners, strings.TrimSuffix(n, filepath.Ext(n)))
		}
	}
	var out []string
	for _, e := range entries {
		n := e.Name()
		ext := strings.ToLower(filepath.Ext(n))
		if sidecarCodecs[ext] == "" || e.IsDir() {
			continue
		}
		if o, ok := owner(strings.TrimSuffix(n, filepath.Ext(n)), owners); ok && o == stem {
			out = append(out, filepath.Join(dir, n))
		}
	}
	sort.Strings(out)
	return out, nil
}

// owner is the longest stem that sub (a sidecar's name without its
// extension) is, or starts with followed by a dot; ok is false for none.
func owner(sub string, stems []string) (best string, ok bool) {
	for _, s := range stems {
		if (sub == s || strings.HasPrefix(sub, s+".")) && (!ok || len(s) > len(best)) {
			best, ok = s, true
		}
	}
	return best, ok
}

// languageCode is an ISO 639-1/2 code, optionally with a region
// (en, eng, pt-BR, pt_BR).
var languageCode = regexp.MustCompile(`^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})?$`)

// notLanguages are parts of sidecar names that say what the track is, not
// its language, though they look like codes.
var notLanguages = map[string]bool{"sdh": true, "cc": true, "hi": true, "forced": true, "default": true}

// languageOf is the language part of a sidecar's name: the first part
// between the video's name and the extension that is a language code
// (clip.en.srt: "en"; clip.pt_BR.forced.srt: "pt-BR"); "" when none is
// (clip.srt, clip.english.srt).
func languageOf(video, sidecar string) string {
	stem := strings.TrimSuffix(filepath.Base(video), filepath.Ext(video))
	sub := strings.TrimSuffix(filepath.Base(sidecar), filepath.Ext(sidecar))
	rest, ok := strings.CutPrefix(sub, stem+".")
	if !ok {
		return ""
	}
	for _, part := range strings.Split(rest, ".") {
		if languageCode.MatchString(part) && !notLanguages[strings.ToLower(part)] {
			return strings.ReplaceAll(part, "_", "-")
		}
	}
	return ""
}

// ReadSidecar reads one sidecar file: SubRip, WebVTT or ASS/SSA by its
// extension. Its track's Err says why it gave nothing (not readable, too
// large, binary, not the format its name says); warnings say what was
// read but not as it should be (another encoding, cut cues).
func ReadSidecar(path, language string) (Track, []Cue, []string) {
	codec := sidecarCodecs[strings.ToLower(filepath.Ext(path))]
	t := Track{Index: SidecarTrack, Sidecar: path, Codec: codec, Language: language}
	raw, err := readLimited(path)
	if err != nil {
		t.Err = err
		return t, nil, nil
	}
	text, warning, err := decodeText(raw)
	if err != nil {
		t.Err = err
		return t, nil, nil
	}
	var warnings []string
	if warning != "" {
		warnings = append(warnings, warning)
	}
	var parsed []parsedCue
	switch codec {
	case "webvtt":
		parsed, err = parseWebVTT(text)
	case "ass", "ssa":
		parsed, err = parseASS(text)
	default:
		parsed = parseSubRip(text)
	}
	if err != nil {
		t.Err = err
		return t, nil, warnings
	}
	if len(parsed) == 0 && strings.TrimSpace(text) != "" {
		warnings = append(warnings, fmt.Sprintf("no %s cue found", codec))
	}
	var cues []Cue
	cut := 0
	for _, p := range parsed {
		var raw string
		switch codec {
		case "webvtt":
			raw = cleanWebVTT(p.text)
		case "ass", "ssa":
			raw = cleanASS(p.text)
		default:
			raw = cleanSubRip(p.text)
		}
		text, wasCut := finish(raw)
		if text == "" {
			continue
		}
		if wasCut {
			cut++
		}
		if len(cues) == MaxCuesPerTrack {
			warnings = append(warnings, fmt.Sprintf("read up to %d cues, the rest left out", MaxCuesPerTrack))
			break
		}
		cues = append(cues, Cue{Track: SidecarTrack, Sidecar: path, Language: language,
			Start: p.start, End: max(p.start, p.end), Text: text})
	}
	if cut > 0 {
		warnings = append(warnings, fmt.Sprintf("%d cue(s) cut at %d characters", cut, MaxCueRunes))
	}
	sort.SliceStable(cues, func(a, b int) bool { return cues[a].Start < cues[b].Start })
	t.Cues = len(cues)
	return t, cues, warnings
}

func readLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	raw, err := io.ReadAll(io.LimitReader(f, MaxSidecarBytes+1))
	if err != nil {
		return nil, err
	}
	if len(raw) > MaxSidecarBytes {
		return nil, fmt.Errorf("larger than %d MiB: not read", MaxSidecarBytes>>20)
	}
	return raw, nil
}

// decodeText turns a sidecar's bytes into text: UTF-8 (a BOM dropped),
// UTF-16 with a BOM, else Windows-1252 (a superset of Latin-1, what old
// Western subtitle files are), which warning then says. Binary data is an
// error.
func decodeText(raw []byte) (text, warning string, err error) {
	switch {
	case bytes.HasPrefix(raw, []byte{0xef, 0xbb, 0xbf}):
		raw = raw[3:]
	case bytes.HasPrefix(raw, []byte{0xff, 0xfe}), bytes.HasPrefix(raw, []byte{0xfe, 0xff}):
		var order binary.ByteOrder = binary.LittleEndian
		if raw[0] == 0xfe {
			order = binary.BigEndian
		}
		units := make([]uint16, 0, len(raw)/2)
		for i := 2; i+1 < len(raw); i += 2 {
			units = append(units, order.Uint16(raw[i:]))
		}
		text = string(utf16.Decode(units))
		if binaryText(text) {
			return "", "", errors.New("not a text file (binary data after a UTF-16 mark)")
		}
		return text, "", nil
	}
	if utf8.Valid(raw) {
		text = string(raw)
	} else {
		decoded, derr := charmap.Windows1252.NewDecoder().Bytes(raw)
		if derr != nil {
			return "", "", fmt.Errorf("not UTF-8 and not Windows-1252: %w", derr)
		}
		text = string(decoded)
		warning = "not UTF-8: read as Windows-1252 (Latin-1)"
	}
	if binaryText(text) {
		return "", "", errors.New("not a text file (binary data)")
	}
	return text, warning, nil
}

// parsedCue is a sidecar cue before its text is cleaned.
type parsedCue struct {
	start, end float64
	text       string
}

// lines splits text at any line break (CRLF, LF, CR).
func lines(text string) []string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	return strings.Split(strings.ReplaceAll(text, "\r", "\n"), "\n")
}

// srtTiming is a SubRip timing line: hours optional, "," or "." before
// the milliseconds, anything after (position coordinates) ignored.
var srtTiming = regexp.MustCompile(`^\s*(?:(\d+):)?(\d{1,2}):(\d{1,2})[,.](\d{1,3})\s*-->\s*(?:(\d+):)?(\d{1,2}):(\d{1,2})[,.](\d{1,3})`)

// parseSubRip reads SubRip as players do: a cue is a timing line and the
// lines up to the next one; blank lines and index lines are optional (a
// line of digits just before a timing line is that cue's index).
func parseSubRip(text string) []parsedCue {
	var cues []parsedCue
	var body []string
	var cur *parsedCue
	flush := func(nextTiming bool) {
		for len(body) > 0 && strings.TrimSpace(body[len(body)-1]) == "" {
			body = body[:len(body)-1]
		}
		if nextTiming && len(body) > 0 && isDigits(strings.TrimSpace(body[len(body)-1])) {
			body = body[:len(body)-1]
		}
		if cur != nil {
			cur.text = strings.Join(body, "\n")
			cues = append(cues, *cur)
		}
		body = body[:0]
	}
	for _, l := range lines(text) {
		if m := timingOf(l); m != nil {
			flush(true)
			cur = &parsedCue{start: clock(m[1], m[2], m[3], m[4]), end: clock(m[5], m[6], m[7], m[8])}
			continue
		}
		body = append(body, l)
	}
	flush(false)
	return cues
}

// timingOf matches a SubRip timing line; the regexp only runs on lines
// with an arrow (a 100,000-cue file has 300,000 others).
func timingOf(l string) []string {
	if !strings.Contains(l, "-->") {
		return nil
	}
	return srtTiming.FindStringSubmatch(l)
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// clock is h:m:s plus a decimal fraction (milliseconds, or centiseconds
// in ASS) in seconds.
func clock(h, m, s, frac string) float64 {
	hv, _ := strconv.Atoi(h)
	mv, _ := strconv.Atoi(m)
	sv, _ := strconv.Atoi(s)
	fv, _ := strconv.Atoi(frac)
	scale := 1.0
	for range len(frac) {
		scale *= 10
	}
	return float64(hv*3600+mv*60+sv) + float64(fv)/scale
}

// vttTiming is a WebVTT timing line (hours optional); cue settings may follow.
var vttTiming = regexp.MustCompile(`^\s*(?:(\d+):)?(\d{2}):(\d{2})\.(\d{3})\s+-->\s+(?:(\d+):)?(\d{2}):(\d{2})\.(\d{3})(?:\s|$)`)

// parseWebVTT reads WebVTT: a WEBVTT header, then blocks separated by
// blank lines; NOTE, STYLE and REGION blocks are skipped, a cue block is
// an optional identifier, a timing line with optional settings, its text.
func parseWebVTT(text string) ([]parsedCue, error) {
	ls := lines(text)
	if len(ls) == 0 || !strings.HasPrefix(strings.TrimPrefix(ls[0], "\ufeff"), "WEBVTT") {
		return nil, errors.New("not WebVTT (no WEBVTT header)")
	}
	var cues []parsedCue
	var block []string
	flushBlock := func() {
		defer func() { block = block[:0] }()
		if len(block) == 0 {
			return
		}
		switch first := block[0]; {
		case first == "NOTE" || strings.HasPrefix(first, "NOTE ") || strings.HasPrefix(first, "NOTE\t"),
			first == "STYLE", first == "REGION":
			return
		}
		for i, l := range block {
			if i > 1 {
				break // the timing is the first or second line
			}
			if m := vttTiming.FindStringSubmatch(l); m != nil {
				cues = append(cues, parsedCue{start: clock(m[1], m[2], m[3], m[4]), end: clock(m[5], m[6], m[7], m[8]),
					text: strings.Join(block[i+1:], "\n")})
				return
			}
		}
	}
	for _, l := range ls[1:] {
		if strings.TrimSpace(l) == "" {
			flushBlock()
			continue
		}
		block = append(block, l)
	}
	flushBlock()
	return cues, nil
}

// assTime is H:MM:SS.cc.
var assTime = regexp.MustCompile(`^\s*(\d+):(\d{1,2}):(\d{1,2})[.:](\d{1,3})\s*$`)

// defaultASSFormat is the [Events] Format of ASS files that lack one.
var defaultASSFormat = []string{"layer", "start", "end", "style", "name", "marginl", "marginr", "marginv", "effect", "text"}

// parseASS reads the Dialogue lines of an ASS/SSA file's [Events]
// section, its Format line naming the fields (Text is the last; it may
// hold commas).
func parseASS(text string) ([]parsedCue, error) {
	var cues []parsedCue
	inEvents, sawEvents := false, false
	format := defaultASSFormat
	for _, l := range lines(text) {
		l = strings.TrimSpace(strings.TrimPrefix(l, "\ufeff"))
		if strings.HasPrefix(l, "[") && strings.HasSuffix(l, "]") {
			inEvents = strings.EqualFold(l, "[Events]")
			sawEvents = sawEvents || inEvents
			continue
		}
		if !inEvents {
			continue
		}
		key, value, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		switch strings.TrimSpace(key) {
		case "Format":
			format = nil
			for _, f := range strings.Split(value, ",") {
				format = append(format, strings.ToLower(strings.TrimSpace(f)))
			}
		case "Dialogue":
			fields := strings.SplitN(strings.TrimLeft(value, " "), ",", len(format))
			if len(fields) < len(format) {
				continue
			}
			var c parsedCue
			var okStart, okEnd, okText bool
			for i, name := range format {
				switch name {
				case "start":
					c.start, okStart = assClock(fields[i])
				case "end":
					c.end, okEnd = assClock(fields[i])
				case "text":
					c.text, okText = fields[i], true
				}
			}
			if okStart && okEnd && okText {
				cues = append(cues, c)
			}
		}
	}
	if !sawEvents {
		return nil, errors.New("not ASS/SSA (no [Events] section)")
	}
	return cues, nil
}

func assClock(s string) (float64, bool) {
	m := assTime.FindStringSubmatch(s)
	if m == nil {
		return 0, false
	}
	return clock(m[1], m[2], m[3], m[4]), true
}
