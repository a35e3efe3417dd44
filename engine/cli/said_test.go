package cli

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vidsift/vidsift/engine/export"
	"github.com/vidsift/vidsift/internal/testenv"
)

// TestSaid: a scan reads a video's subtitle tracks and sidecar files with
// its frames: the JSON lists the cues, the CSV has a row of kind cue for
// each (never a formula), and find's said: answers from the library, by
// whole words, case- and accent-insensitively, alone or with classes.
func TestSaid(t *testing.T) {
	isolated(t)
	t.Setenv("VIDSIFT_MODEL", testenv.Model(t))
	dir := t.TempDir()
	video := filepath.Join(dir, "talk.mkv")
	copyFile(t, testenv.Fixture(t, "subtitles/tracks.mkv"), video)
	copyFile(t, testenv.Fixture(t, "subtitles/src/dialogue.srt"), filepath.Join(dir, "talk.de.srt"))
	js, csvPath := filepath.Join(dir, "scan.json"), filepath.Join(dir, "scan.csv")
	if code, out := scanCmd(t, "--json", js, "--csv", csvPath, video); code != ExitOK {
		t.Fatalf("scan: exit %d\n%s", code, out)
	}
	doc := readDoc(t, js)
	if len(doc.Files) != 1 {
		t.Fatalf("%d files", len(doc.Files))
	}
	tracks := map[string]int{}
	var hello *export.Subtitle
	for i, s := range doc.Files[0].Subtitles {
		key := s.Language
		if s.Track == "sidecar" {
			key = "sidecar " + s.Sidecar
		}
		tracks[key]++
		if strings.HasPrefix(s.Text, "Hello, world") && s.Language == "eng" {
			hello = &doc.Files[0].Subtitles[i]
		}
	}
	if tracks["eng"] == 0 || tracks["fra"] == 0 || tracks["sidecar talk.de.srt"] == 0 || tracks["deu"] != 0 {
		t.Errorf("cues by track: %v (the deu track is a bitmap one: listed, not read)", tracks)
	}
	if hello == nil || hello.Text != "Hello, world at the café!" || hello.Start != 0.5 || hello.End != 1.25 {
		t.Errorf("the first English cue: %+v", hello)
	}
	rows := readCSV(t, csvPath)
	cues := 0
	for _, r := range rows {
		if r[13] == "cue" {
			cues++
			if strings.HasPrefix(r[14], "=") {
				t.Errorf("a cue cell a spreadsheet would run: %q", r[14])
			}
		}
	}
	if cues != len(doc.Files[0].Subtitles) {
		t.Errorf("%d cue rows for %d cues", cues, len(doc.Files[0].Subtitles))
	}

	for expr, want := range map[string]bool{
		"said:hello":                true,
		`said:"HELLO, WORLD"`:       true,
		"said:cafe":                 true, // accents aside
		"said:hyperlink":            true,
		"said:wor":                  false, // whole words
		"said:goodbye":              false,
		"said:hello & !said:café":   false, // per file: both are said
		"said:hello & !said:zebras": true,
	} {
		if got := len(findPaths(t, expr)) == 1; got != want {
			t.Errorf("find %s: %v, want %v", expr, got, want)
		}
	}
	// Words on screen are searched with the rest: this file's frames show
	// none, so text: alone matches nothing, and beside said: what is said.
	if code, _, stderr := vidsift(t, "find", "text:exit"); code != ExitSomeBad { // exit 1: nothing matched
		t.Errorf("find text:exit: exit %d\n%s", code, stderr)
	}
	if paths := findPaths(t, "text:exit | said:hello"); len(paths) != 1 {
		t.Errorf("find text:exit | said:hello: %v", paths)
	}
	// The moment it is said, cut out: the cue's stretch, from the keyframe
	// at or before it, decodable to its end.
	out := filepath.Join(t.TempDir(), "clips")
	if code, _, stderr := vidsift(t, "clips", "--out", out, `said:"hello world"`); code != ExitOK {
		t.Fatalf("clips said: exit %d\n%s", code, stderr)
	}
	clipDoc := testenv.ReadJSON[clipsDoc](t, filepath.Join(out, "clips.json"))
	if len(clipDoc.Clips) != 1 {
		t.Fatalf("clips said: %+v", clipDoc)
	}
	c := clipDoc.Clips[0]
	if c.Start > 0.5 || c.End < 1.25 || c.CutStart > c.Start || c.CutEnd < c.End-0.1 { // the cue, padded as clips pads a moment
		t.Errorf("the clip of said:\"hello world\": %+v", c)
	}
	if last, damage, err := decodesToEnd(t, c.Output); err != nil || damage != "" || last < c.End-c.CutStart-0.2 {
		t.Errorf("%s decodes to %.3f s, damage %q, %v", c.Output, last, damage, err)
	}
	code, stdout, stderr := vidsift(t, "find", "--together", "said:hello")
	if code != ExitOK || !strings.Contains(stdout, "talk.mkv") || !strings.Contains(stdout, "0:00.5–0:01.3") {
		t.Errorf("find --together said:hello: exit %d\n%s%s", code, stdout, stderr)
	}
}

// TestLibraryGainsSubtitles: a library whose results were stored before
// subtitles were read (schema 7) is migrated, and its kept results gain
// their cues at the next scan without the detector running again.
func TestLibraryGainsSubtitles(t *testing.T) {
	lib := isolated(t)
	t.Setenv("VIDSIFT_MODEL", testenv.Model(t))
	dir := t.TempDir()
	video := filepath.Join(dir, "talk.mkv")
	copyFile(t, testenv.Fixture(t, "subtitles/tracks.mkv"), video)
	first := scanDoc(t, video)
	if len(first.Files[0].Subtitles) == 0 {
		t.Fatal("no cues in the first scan")
	}
	db, err := sql.Open("sqlite", lib)
	if err != nil {
		t.Fatal(err)
	}
	// Back to schema 7: what migrations 8 and 9 added goes.
	if _, err := db.Exec(`DROP TRIGGER texts_added; DROP TRIGGER texts_deleted; DROP TABLE texts_fts; DROP TABLE texts; ALTER TABLE files DROP COLUMN text_key;
		DROP TRIGGER cues_added; DROP TRIGGER cues_deleted; DROP TABLE cues_fts; DROP TABLE cues;
		ALTER TABLE files DROP COLUMN subtitles; PRAGMA user_version = 7`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	again := scanDoc(t, video)
	if s := again.Summary; s.Skipped != 1 || s.Inferences != 0 {
		t.Errorf("the kept result was scanned again: %+v", s)
	}
	if got, want := len(again.Files[0].Subtitles), len(first.Files[0].Subtitles); got != want {
		t.Errorf("%d cues after the migration, %d before", got, want)
	}
	if paths := findPaths(t, "said:hello"); len(paths) != 1 {
		t.Errorf("find said:hello after the migration: %v", paths)
	}
	third := scanDoc(t, video)
	if s := third.Summary; s.Skipped != 1 || s.Inferences != 0 || len(third.Files[0].Subtitles) != len(first.Files[0].Subtitles) {
		t.Errorf("the next scan: %+v, %d cues", s, len(third.Files[0].Subtitles))
	}
}
