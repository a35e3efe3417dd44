package subtitles

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vidsift/vidsift/internal/testenv"
)

// The cues testdata/gen/subtitles.go writes (dialogue.srt, .ass, .vtt),
// as they must read: markup stripped, NFC, lines joined by "\n".
var (
	longLine     = strings.Repeat("0123456789", 1000)
	wantDialogue = []Cue{
		{Start: 0.5, End: 1.25, Text: "Hello, world at the café!"},
		{Start: 1.5, End: 2.75, Text: `=HYPERLINK("http://x")`},
		{Start: 3, End: 4, Text: "مرحبا بالعالم\nשלום עולם"},
		{Start: 4.25, End: 5.5, Text: "你好，世界 こんにちは"},
		{Start: 5.75, End: 7, Text: longLine},
	}
	wantASS = []Cue{
		{Start: 0.5, End: 1.25, Text: "Bonjour, le monde\nseconde ligne"},
		{Start: 2, End: 3, Text: "Un, deux, trois\nquatre"},
		{Start: 3.5, End: 4.75, Text: "Rouge et noir"},
	}
	wantVTT = []Cue{
		{Start: 0.5, End: 1.25, Text: "Hi Bob"},
		{Start: 1.5, End: 2.75, Text: "Hello Alice & friends"},
		{Start: 3, End: 4, Text: "Karaoke style <tags>"},
	}
)

// withTrack sets every cue's track and language.
func withTrack(cues []Cue, track int, sidecar, language string) []Cue {
	out := append([]Cue(nil), cues...)
	for i := range out {
		out[i].Track, out[i].Sidecar, out[i].Language = track, sidecar, language
	}
	return out
}

// sameCues compares cues exactly, times to the millisecond (the fixtures'
// time bases are 1 ms or finer).
func sameCues(t *testing.T, what string, got, want []Cue) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d cues, want %d: %v", what, len(got), len(want), short(got))
		return
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Track != w.Track || g.Sidecar != w.Sidecar || g.Language != w.Language || g.Text != w.Text ||
			math.Abs(g.Start-w.Start) > 0.0005 || math.Abs(g.End-w.End) > 0.0005 {
			t.Errorf("%s: cue %d is %v, want %v", what, i, short([]Cue{g}), short([]Cue{w}))
		}
	}
}

func short(cues []Cue) string {
	var b strings.Builder
	for _, c := range cues {
		text := c.Text
		if r := []rune(text); len(r) > 40 {
			text = fmt.Sprintf("%s…(%d characters)", string(r[:40]), len(r))
		}
		fmt.Fprintf(&b, "{%d %q %q %.3f-%.3f %q} ", c.Track, filepath.Base(c.Sidecar), c.Language, c.Start, c.End, text)
	}
	return b.String()
}

// joinLongLine undoes what making the fixtures did to the long line:
// FFmpeg's SubRip reader (5.1) breaks lines every 4095 bytes, so the
// containers hold it as three lines. TestSidecarSources reads it whole.
func joinLongLine(cues []Cue) []Cue {
	out := append([]Cue(nil), cues...)
	for i, c := range out {
		if strings.ReplaceAll(c.Text, "\n", "") == longLine {
			out[i].Text = longLine
		}
	}
	return out
}

func fixture(t testing.TB, name string) string {
	return testenv.Fixture(t, filepath.Join("subtitles", name))
}

// TestContainerTracks reads the text tracks of each container exactly, and
// lists the bitmap tracks without reading them.
func TestContainerTracks(t *testing.T) {
	for _, tc := range []struct {
		file   string
		tracks []Track
		cues   []Cue
	}{
		{"tracks.mkv", []Track{
			{Index: 1, Codec: "subrip", Language: "eng", Cues: 5},
			{Index: 2, Codec: "ass", Language: "fra", Cues: 3},
			{Index: 3, Codec: "hdmv_pgs_subtitle", Language: "deu", Bitmap: true},
			{Index: 4, Codec: "dvd_subtitle", Bitmap: true},
		}, append(withTrack(wantDialogue, 1, "", "eng"), withTrack(wantASS, 2, "", "fra")...)},
		{"tracks.mp4", []Track{{Index: 1, Codec: "mov_text", Language: "eng", Cues: 5}}, withTrack(wantDialogue, 1, "", "eng")},
		{"tracks.webm", []Track{{Index: 1, Codec: "webvtt", Language: "eng", Cues: 3}}, withTrack(wantVTT, 1, "", "eng")},
	} {
		t.Run(tc.file, func(t *testing.T) {
			res, err := Read(context.Background(), fixture(t, tc.file), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(res.Tracks) != fmt.Sprint(tc.tracks) {
				t.Errorf("tracks\n%v, want\n%v", res.Tracks, tc.tracks)
			}
			sameCues(t, tc.file, joinLongLine(res.Cues), tc.cues)
			if len(res.Warnings) != 0 {
				t.Errorf("warnings %q", res.Warnings)
			}
		})
	}
}

// TestSidecarSources reads the files the containers' tracks were made
// from as sidecars: the same cues, the long line whole.
func TestSidecarSources(t *testing.T) {
	for name, want := range map[string][]Cue{"dialogue.srt": wantDialogue, "dialogue.ass": wantASS, "dialogue.vtt": wantVTT} {
		path := fixture(t, "src/"+name)
		tr, cues, warnings := ReadSidecar(path, "xx")
		if tr.Err != nil || len(warnings) != 0 {
			t.Errorf("%s: %v %q", name, tr.Err, warnings)
		}
		sameCues(t, name, cues, withTrack(want, SidecarTrack, path, "xx"))
	}
}

// TestTimesFromVideoStart: the shared clip's VP9 starts at 14 ms (ffprobe's
// stream start_time), where engine/media's frame times begin; cue times
// count from there too, so a cue and the frames it is said over agree.
func TestTimesFromVideoStart(t *testing.T) {
	res, err := Read(context.Background(), fixture(t, "offset.mkv"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := withTrack(wantDialogue, 1, "", "")
	for i := range want {
		want[i].Start -= 0.014
		want[i].End -= 0.014
	}
	sameCues(t, "offset.mkv", joinLongLine(res.Cues), want)
}

// TestSidecars finds the files media servers would (name rules) and reads
// each: SubRip with its forgiven faults, WebVTT, ASS in its Format's
// order, Windows-1252 and UTF-16 converted, empty and binary files each a
// clear outcome of their own.
func TestSidecars(t *testing.T) {
	video := fixture(t, "sidecar/movie.mkv")
	dir := filepath.Dir(video)
	at := func(name string) string { return filepath.Join(dir, name) }
	res, err := Read(context.Background(), video, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tr := range res.Tracks {
		names = append(names, fmt.Sprintf("%s:%s", filepath.Base(tr.Sidecar), tr.Language))
		if tr.Index != SidecarTrack || tr.Bitmap {
			t.Errorf("%s: index %d, bitmap %v", tr.Sidecar, tr.Index, tr.Bitmap)
		}
	}
	// Not movie2.srt, movie.srt.bak, movie.en.txt, nor movie.cut.srt (movie.cut.mkv's).
	want := "[movie.ass: movie.de.srt:de movie.en.srt:en movie.english.srt: movie.es.srt:es movie.fr.srt:fr " +
		"movie.it.srt:it movie.pt-BR.forced.srt:pt-BR movie.srt: movie.vtt:]"
	if fmt.Sprint(names) != want {
		t.Errorf("sidecars %v, want %s", names, want)
	}
	for _, tr := range res.Tracks {
		switch name := filepath.Base(tr.Sidecar); name {
		case "movie.it.srt":
			if tr.Err == nil || !strings.Contains(tr.Err.Error(), "binary") || tr.Cues != 0 {
				t.Errorf("%s: err %v, %d cues; want a binary-data error", name, tr.Err, tr.Cues)
			}
		case "movie.de.srt":
			if tr.Err != nil || tr.Cues != 0 {
				t.Errorf("%s (empty): err %v, %d cues", name, tr.Err, tr.Cues)
			}
		default:
			if tr.Err != nil {
				t.Errorf("%s: %v", name, tr.Err)
			}
		}
	}
	var wantCues []Cue
	add := func(name, lang string, cues ...Cue) {
		wantCues = append(wantCues, withTrack(cues, SidecarTrack, at(name), lang)...)
	}
	add("movie.ass", "", Cue{Start: 1, End: 2.5, Text: "Sidecar ASS, reordered"})
	add("movie.en.srt", "en", Cue{Start: 0, End: 1, Text: "Hello from the English sidecar"})
	add("movie.english.srt", "", Cue{Start: 0, End: 1, Text: "Language spelt out"})
	add("movie.es.srt", "es", Cue{Start: 1, End: 2, Text: "¿Qué tal?"})
	add("movie.fr.srt", "fr", Cue{Start: 1, End: 2, Text: "Voilà, ça coûte 5 € œuf"})
	add("movie.pt-BR.forced.srt", "pt-BR", Cue{Start: 0, End: 1, Text: "Olá"})
	add("movie.srt", "", Cue{Start: 0.5, End: 1.25, Text: "First line\nsecond line"},
		Cue{Start: 1.5, End: 2, Text: "No index, dot millis"}, Cue{Start: 2.5, End: 3, Text: "No blank line before"})
	add("movie.vtt", "", Cue{Start: 1, End: 2, Text: "Sidecar VTT"}, Cue{Start: 2.5, End: 3, Text: "line one\nline two"})
	sameCues(t, "movie.mkv", res.Cues, wantCues)
	if want := []string{"movie.fr.srt: not UTF-8: read as Windows-1252 (Latin-1)"}; fmt.Sprint(res.Warnings) != fmt.Sprint(want) {
		t.Errorf("warnings %q, want %q", res.Warnings, want)
	}

	other, err := Sidecars(at("movie.cut.mkv"))
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(other) != fmt.Sprint([]string{at("movie.cut.srt")}) {
		t.Errorf("movie.cut.mkv's sidecars %v, want movie.cut.srt only", other)
	}
}

// TestBrokenPackets: the 100,000-cue track with its middle third scribbled
// over gives the cues before the damage exactly, only true cues after it,
// and a warning; it does not crash or fail the file.
func TestBrokenPackets(t *testing.T) {
	res, err := Read(context.Background(), fixture(t, "broken.mkv"), Options{})
	if err != nil {
		t.Logf("error (allowed): %v", err)
	}
	if len(res.Cues) < 30000 || len(res.Cues) >= 100000 {
		t.Fatalf("%d cues, want the first third at least and fewer than 100,000", len(res.Cues))
	}
	// Before the damage every cue is exact; after it, a cue's text is never
	// garbage (its duration may be: the block that holds it was hit).
	for i, c := range res.Cues {
		n := int(math.Round(c.Start/0.1)) + 1
		if c.Text != fmt.Sprintf("cue %d", n) || c.End < c.Start {
			t.Fatalf("cue %d: %s, not what the track holds", i, short([]Cue{c}))
		}
		if i < 30000 && (n != i+1 || math.Abs(c.End-c.Start-0.08) > 0.0005) {
			t.Fatalf("cue %d: %s: a cue before the damage is missing or wrong", i, short([]Cue{c}))
		}
	}
	if err == nil && !strings.Contains(strings.Join(res.Warnings, "\n"), "damaged") {
		t.Errorf("no error, and warnings %q do not say the file is damaged", res.Warnings)
	}
}

// TestManyCues reads a 100,000-cue track, and the same as a sidecar, whole.
func TestManyCues(t *testing.T) {
	res, err := Read(context.Background(), fixture(t, "many_cues.mkv"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	tr, sidecar, warnings := ReadSidecar(fixture(t, "src/many.srt"), "")
	if tr.Err != nil || len(warnings) != 0 {
		t.Fatal(tr.Err, warnings)
	}
	for what, cues := range map[string][]Cue{"many_cues.mkv": res.Cues, "many.srt": sidecar} {
		if len(cues) != 100000 {
			t.Fatalf("%s: %d cues, want 100,000", what, len(cues))
		}
		for i, c := range cues {
			if c.Text != fmt.Sprintf("cue %d", i+1) || math.Abs(c.Start-float64(i)*0.1) > 0.0005 || math.Abs(c.End-c.Start-0.08) > 0.0005 {
				t.Fatalf("%s: cue %d is %s", what, i, short([]Cue{c}))
			}
		}
	}
}

func BenchmarkReadManyCues(b *testing.B) {
	path := fixture(b, "many_cues.mkv")
	for b.Loop() {
		res, err := Read(context.Background(), path, Options{NoSidecars: true})
		if err != nil || len(res.Cues) != 100000 {
			b.Fatal(err, len(res.Cues))
		}
	}
}

func BenchmarkReadSidecarManyCues(b *testing.B) {
	path := fixture(b, "src/many.srt")
	for b.Loop() {
		if tr, cues, _ := ReadSidecar(path, ""); tr.Err != nil || len(cues) != 100000 {
			b.Fatal(tr.Err, len(cues))
		}
	}
}

// TestLongCueCut: a cue past MaxCueRunes is cut there, at a character
// boundary, with a warning; one at the limit is kept whole.
func TestLongCueCut(t *testing.T) {
	dir := t.TempDir()
	long := strings.Repeat("语", MaxCueRunes+5)
	path := filepath.Join(dir, "v.srt")
	testenv.WriteFile(t, path, []byte("1\n00:00:01,000 --> 00:00:02,000\n"+long+"\n\n2\n00:00:03,000 --> 00:00:04,000\n"+long[:3*MaxCueRunes]+"\n"), 0o644)
	tr, cues, warnings := ReadSidecar(path, "")
	if tr.Err != nil || len(cues) != 2 {
		t.Fatal(tr.Err, len(cues))
	}
	for i, c := range cues {
		if c.Text != long[:3*MaxCueRunes] {
			t.Errorf("cue %d: %d characters, want %d", i, len([]rune(c.Text)), MaxCueRunes)
		}
	}
	if want := fmt.Sprintf("1 cue(s) cut at %d characters", MaxCueRunes); fmt.Sprint(warnings) != fmt.Sprint([]string{want}) {
		t.Errorf("warnings %q, want %q", warnings, want)
	}
}

// TestNotMedia: files FFmpeg cannot read as media are an error saying so;
// their sidecars are still read.
func TestNotMedia(t *testing.T) {
	dir := t.TempDir()
	video := filepath.Join(dir, "clip.mp4")
	testenv.WriteFile(t, video, []byte("This is not a video.\n"), 0o644)
	testenv.WriteFile(t, filepath.Join(dir, "clip.srt"), []byte("1\n00:00:01,000 --> 00:00:02,000\nstill read\n"), 0o644)
	res, err := Read(context.Background(), video, Options{})
	if err == nil || !strings.Contains(err.Error(), "cannot open") {
		t.Errorf("error %v, want cannot open", err)
	}
	if len(res.Cues) != 1 || res.Cues[0].Text != "still read" {
		t.Errorf("cues %s, want the sidecar's", short(res.Cues))
	}
	if _, err := Read(context.Background(), filepath.Join(dir, "missing.mp4"), Options{}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	empty := filepath.Join(dir, "empty.mkv")
	testenv.WriteFile(t, empty, nil, 0o644)
	if _, err := Read(context.Background(), empty, Options{}); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Errorf("empty file: %v", err)
	}
}

// TestCancel: a cancelled read stops with the context's error.
func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Read(ctx, fixture(t, "many_cues.mkv"), Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
}

// TestDamagedPackets: a packet that is not text (bytes a damaged file
// delivers) is skipped and counted, never made a cue.
func TestDamagedPackets(t *testing.T) {
	for _, tc := range []struct {
		codec string
		data  []byte
		ok    bool
	}{
		{"subrip", []byte("<i>fine</i>"), true},
		{"subrip", []byte("caf\xe9"), false},              // not UTF-8
		{"subrip", []byte("ab\x01\x02cd\x03efgh"), false}, // control bytes
		{"subrip", []byte("a\x00b"), false},
		{"ass", []byte("0,0,Default,,0,0,0,,text"), true},
		{"ass", []byte("no fields"), false},
		{"mov_text", []byte{0, 4, 't', 'e', 'x', 't'}, true},
		{"mov_text", []byte{0, 9, 't', 'e', 'x', 't'}, false}, // length past the end
		{"mov_text", []byte{0}, false},
	} {
		tr := &textTrack{track: &Track{Codec: tc.codec}}
		if _, ok := tr.payload(tc.data); ok != tc.ok {
			t.Errorf("%s %q: ok %v, want %v", tc.codec, tc.data, ok, tc.ok)
		}
	}
}
