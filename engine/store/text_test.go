package store

import (
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/vidsift/vidsift/engine/query"
	"github.com/vidsift/vidsift/engine/scan"
)

// textKey is a scan.Text key as a run with text on writes it.
var textKey = scan.Text{On: true, Models: "ocr1", DetectSide: 960, MinConfidence: 0.5}.Key()

// withText is sampleResult with text read in frames 0 and 2 (right-to-left,
// CJK, formula-like, a long line among them).
func withText(path string) scan.FileResult {
	res := sampleResult(path)
	res.TextKey = textKey
	res.Frames[0].Text = []scan.TextLine{
		{Text: "EMERGENCY EXIT", Confidence: 0.97, Box: scan.Box{10, 20, 200, 48}},
		{Text: `=HYPERLINK("http://x","click")`, Confidence: 0.61, Box: scan.Box{0, 300, 640, 330}},
	}
	res.Frames[2].Text = []scan.TextLine{
		{Text: "出口", Confidence: 0.88, Box: scan.Box{5, 5, 60, 30}},
		{Text: "اخرج من هنا", Confidence: 0.7, Box: scan.Box{100, 100, 300, 130}},
		{Text: strings.Repeat("ALLYEAR SALE ", 800), Confidence: 0.55, Box: scan.Box{0, 0, 640, 360}},
	}
	return res
}

// TestTextKept: a result's text lines and the key they were read with
// are stored as read and come back by Lookup, Reuse and Latest; a result
// stored without text says so (TextKey "").
func TestTextKept(t *testing.T) {
	s, _ := openTemp(t)
	id := Identity{Path: "/v/a.mp4", Size: 100, ModTime: 7, Params: params("abc"), Revision: scan.ResultsRevision}
	res := withText(id.Path)
	if err := s.Save(id, res, nil); err != nil {
		t.Fatal(err)
	}
	st, ok, err := s.Lookup(id)
	if err != nil || !ok || !reflect.DeepEqual(st.Result, res) {
		t.Fatalf("lookup: %v %v\n got %+v\nwant %+v", ok, err, st.Result, res)
	}
	latest, err := s.Latest(all)
	if err != nil || len(latest) != 1 || !reflect.DeepEqual(latest[0].Result, res) {
		t.Fatalf("latest: %v\n got %+v\nwant %+v", err, latest, res)
	}
	// What the text was read with, as exports report it.
	if read, _ := scan.ParseTextKey(textKey); latest[0].Params.Text != read || !read.On {
		t.Errorf("the text settings of the stored result: %+v, want %+v", latest[0].Params.Text, read)
	}
	// Found by content: at its own path (it gains the fingerprint), and
	// for a copy at another path while it is still there, the copy with
	// its text and cues.
	dir := t.TempDir()
	id.Path = dir + "/a.mp4"
	if err := os.WriteFile(id.Path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	full := func(path string) scan.FileResult {
		res := withText(path)
		res.SubtitlesRead, res.Subtitles = true, []scan.Cue{{Track: 2, Language: "eng", Start: 1, End: 2, Text: "Exit here"}}
		return res
	}
	if err := s.Save(id, full(id.Path), nil); err != nil {
		t.Fatal(err)
	}
	id.Fingerprint = "v1:aa"
	if st, ok, err := s.Reuse(id); err != nil || !ok || !reflect.DeepEqual(st.Result, full(id.Path)) {
		t.Fatalf("reused: %v %v %+v", ok, err, st.Result)
	}
	copied := id
	copied.Path = dir + "/copy.mp4"
	st, ok, err = s.Reuse(copied)
	if err != nil || !ok || !reflect.DeepEqual(st.Result, full(copied.Path)) {
		t.Errorf("reused for a copy: %v %v\n got %+v\nwant %+v", ok, err, st.Result, full(copied.Path))
	}
	if st, _, err := s.Lookup(copied); err != nil || !reflect.DeepEqual(st.Result, full(copied.Path)) {
		t.Errorf("the copy's own row: %v %+v", err, st.Result)
	}

	plain := Identity{Path: "/v/plain.mp4", Size: 1, ModTime: 1, Params: params("abc"), Revision: scan.ResultsRevision}
	if err := s.Save(plain, sampleResult(plain.Path), nil); err != nil {
		t.Fatal(err)
	}
	if st, _, err := s.Lookup(plain); err != nil || st.Result.TextKey != "" || !reflect.DeepEqual(st.Result, sampleResult(plain.Path)) {
		t.Errorf("a result without text: %+v %v", st.Result, err)
	}
}

// TestKeepText: a result kept from a scan without text gains the text
// read since, frame by frame, without its frames or detections changing,
// and find's text: finds it; text read again (other settings) replaces
// it, and the index forgets the old lines.
func TestKeepText(t *testing.T) {
	s, _ := openTemp(t)
	id := Identity{Path: "/v/a.mp4", Size: 100, ModTime: 7, Params: params("abc"), Revision: scan.ResultsRevision}
	if err := s.Save(id, sampleResult(id.Path), nil); err != nil {
		t.Fatal(err)
	}
	find := func(expr string) string {
		t.Helper()
		e, err := query.Parse(expr)
		if err != nil {
			t.Fatal(err)
		}
		m, err := s.Find(e, query.Options{}, all)
		if err != nil {
			t.Fatal(err)
		}
		if len(m) != 1 {
			return fmt.Sprint(len(m), " files")
		}
		return fmt.Sprint(m[0].Ranges)
	}
	if got := find("text:exit"); got != "0 files" {
		t.Errorf("text:exit before any text: %s", got)
	}

	want := withText(id.Path)
	read := map[int][]scan.TextLine{}
	for _, k := range want.Frames {
		read[k.Index] = k.Text // frame 1 read none: an empty entry
	}
	if err := s.KeepText(id, textKey, read); err != nil {
		t.Fatal(err)
	}
	st, ok, err := s.Lookup(id)
	if err != nil || !ok || !reflect.DeepEqual(st.Result, want) {
		t.Fatalf("kept: %v %v\n got %+v\nwant %+v", ok, err, st.Result, want)
	}
	for expr, want := range map[string]string{
		"text:exit":               "[{0 0}]",
		`text:"emergency exit"`:   "[{0 0}]",
		"text:emergencyexit":      "[{0 0}]", // spaces are not compared
		`text:"all year"`:         "[{4 4}]",
		"text:hyperlink":          "[{0 0}]",
		"text:出口":                 "[{4 4}]", // two letters: no trigram
		"text:اخرج":               "[{4 4}]",
		"text:ex":                 "[{0 0}]",
		"text:exits":              "0 files",
		"person & text:exit":      "[{0 0} {4 4}]",
		"dog & text:exit":         "[{0 0} {4 4}]",
		"text:exit & !text:sale":  "0 files",
		"text:exit | said:zebras": "[{0 0}]",
	} {
		if got := find(expr); got != want {
			t.Errorf("%s: %s, want %s", expr, got, want)
		}
	}

	// Read again: frame 2 reads something else, frame 0 nothing.
	again := map[int][]scan.TextLine{2: {{Text: "Way out", Confidence: 0.9, Box: scan.Box{1, 1, 2, 2}}}}
	other := scan.Text{On: true, Models: "ocr1", DetectSide: 640, MinConfidence: 0.5}.Key()
	if err := s.KeepText(id, other, again); err != nil {
		t.Fatal(err)
	}
	st, _, err = s.Lookup(id)
	if err != nil || st.Result.TextKey != other || len(st.Result.Frames[0].Text) != 0 || !reflect.DeepEqual(st.Result.Frames[2].Text, again[2]) {
		t.Errorf("read again: %v %+v", err, st.Result)
	}
	if got := find("text:exit"); got != "0 files" {
		t.Errorf("text:exit after the text was read again: %s", got)
	}
	if got := find("text:wayout"); got != "[{4 4}]" {
		t.Errorf("text:wayout after the text was read again: %s", got)
	}
	var indexed int
	if err := s.db.QueryRow(`SELECT COUNT(*) FROM texts_fts WHERE texts_fts MATCH 'exit'`).Scan(&indexed); err != nil || indexed != 0 {
		t.Errorf("the index still holds %d replaced lines (%v)", indexed, err)
	}

	// A frame the result does not have is refused, nothing changed.
	if err := s.KeepText(id, textKey, map[int][]scan.TextLine{9: {{Text: "EXIT"}}}); err == nil {
		t.Error("text for frame 9 of a 3-frame result was kept")
	}
	if st, _, _ := s.Lookup(id); st.Result.TextKey != other {
		t.Errorf("the refused text changed the result: %+v", st.Result)
	}
	// Only the stored result of this identity.
	stale := id
	stale.ModTime++
	if err := s.KeepText(stale, textKey, read); err == nil {
		t.Error("text kept for a file that changed since")
	}
}

// TestMigrateFromVersion8: results stored before text was read keep their
// frames and say no text was read (TextKey ""), and gain it by KeepText.
func TestMigrateFromVersion8(t *testing.T) {
	path := t.TempDir() + "/" + FileName
	db := librarySchema(t, path, 8)
	p := params("abc")
	r, err := db.Exec(`INSERT INTO files (path, size, mtime_ns, model_sha, params, revision, status, scanned_at, subtitles)
		VALUES ('/v/old.mp4', 10, 20, 'abc', ?, ?, 'ok', '2026-11-01T00:00:00Z', ?)`, p.Key(), scan.ResultsRevision, scan.SubtitlesRevision)
	if err != nil {
		t.Fatal(err)
	}
	fid, _ := r.LastInsertId()
	if _, err := db.Exec(`INSERT INTO frames (file_id, idx, time_s, key, kind, width, height) VALUES (?, 0, 0, 1, 'key', 640, 360), (?, 1, 2, 0, 'gap', 640, 360);
		INSERT INTO detections (file_id, frame_idx, seq, class_id, class, confidence, x1, y1, x2, y2) VALUES (?, 1, 0, 0, 'person', 0.8, 1, 2, 3, 4);
		INSERT INTO file_classes (file_id, class, max_conf) VALUES (?, 'person', 0.8)`, fid, fid, fid, fid); err != nil {
		t.Fatal(err)
	}
	s := migrated(t, db, path, 8)
	id := Identity{Path: "/v/old.mp4", Size: 10, ModTime: 20, Params: p, Revision: scan.ResultsRevision}
	st, ok, err := s.Lookup(id)
	if err != nil || !ok || st.Result.TextKey != "" || len(st.Result.Frames) != 2 || len(st.Result.Frames[1].Detections) != 1 || !st.Result.SubtitlesRead {
		t.Fatalf("after migrating: %v %v %+v", ok, err, st.Result)
	}
	line := []scan.TextLine{{Text: "EXIT", Confidence: 0.9, Box: scan.Box{1, 2, 3, 4}}}
	if err := s.KeepText(id, textKey, map[int][]scan.TextLine{1: line}); err != nil {
		t.Fatal(err)
	}
	e, _ := query.Parse("person & text:exit")
	if m, err := s.Find(e, query.Options{Together: true}, all); err != nil || len(m) != 1 || fmt.Sprint(m[0].Ranges) != "[{2 2}]" {
		t.Errorf("find person & text:exit in the migrated library: %+v %v", m, err)
	}
}
