package store

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vidsift/vidsift/engine/query"
	"github.com/vidsift/vidsift/engine/scan"
)

func sampleResult(path string) scan.FileResult {
	return scan.FileResult{Path: path, Status: scan.StatusOK, Media: scan.MediaInfo{Container: "mp4", Codec: "h264", Width: 640, Height: 360, Duration: 4, FPS: 25, KeyframeInterval: 4},
		Frames: []scan.Frame{
			{Index: 0, Time: 0, Kind: scan.KeyFrame, Width: 640, Height: 360, Detections: []scan.Detection{{ClassID: 0, Class: "person", Confidence: 0.9, Box: scan.Box{1, 2, 3, 4}}}},
			{Index: 1, Time: 2, Kind: scan.GapFrame, Reused: true, SameAs: 0, Width: 640, Height: 360}, // a gap frame that looked like frame 0
			{Index: 2, Time: 4, Kind: scan.KeyFrame, Width: 640, Height: 360, Detections: []scan.Detection{
				{ClassID: 16, Class: "dog", Confidence: 0.5, Box: scan.Box{5, 6, 7, 8}}, {ClassID: 0, Class: "person", Confidence: 0.4, Box: scan.Box{9, 9, 9, 9}}}},
		}}
}

func openTemp(t *testing.T) (*Library, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), FileName)
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

// params are a scan's with model "abc" of 640×640 at conf 0.25, IoU 0.7,
// keyframes only, nothing reused.
func params(sha string) scan.Params {
	return scan.Params{Model: scan.Model{SHA256: sha, InputW: 640, InputH: 640}, Confidence: 0.25, IoU: 0.7}
}

func TestSaveLookup(t *testing.T) {
	s, _ := openTemp(t)
	id := Identity{Path: "/v/a.mp4", Size: 100, ModTime: 7, Params: params("abc"), Revision: scan.ResultsRevision}
	res := sampleResult(id.Path)
	if err := s.Save(id, res, map[int][]byte{0: []byte("jpeg0"), 2: []byte("jpeg2")}); err != nil {
		t.Fatal(err)
	}
	got, ok, err := s.Lookup(id)
	if err != nil || !ok {
		t.Fatalf("lookup: %v %v", ok, err)
	}
	if fmt.Sprint(got.Result) != fmt.Sprint(res) {
		t.Errorf("round trip\n got %v\nwant %v", got.Result, res)
	}
	if latest, err := s.Latest(all); err != nil || len(latest) != 1 || !latest[0].Params.Equal(id.Params) {
		t.Errorf("the library does not say what the result was made with: %+v %v", latest, err)
	}
	if b, err := s.Thumbnail(got.Thumbs[2]); err != nil || string(b) != "jpeg2" || len(got.Thumbs) != 2 {
		t.Errorf("thumbnails %v: %q %v", got.Thumbs, b, err)
	}
	// Any change of identity means the stored result no longer applies.
	for _, changed := range []Identity{
		func() Identity { c := id; c.Size = 101; return c }(),
		func() Identity { c := id; c.ModTime = 8; return c }(),
		func() Identity { c := id; c.Params.Model.SHA256 = "def"; return c }(),
		func() Identity { c := id; c.Params.Confidence = 0.3; return c }(),
		func() Identity { c := id; c.Params.IoU = 0.5; return c }(),
		func() Identity { c := id; c.Params.Model.InputW = 320; return c }(),
		func() Identity { c := id; c.Params.Sampling.MaxGap = 2; return c }(),
		func() Identity { c := id; c.Params.Sampling.MinGap = 0.5; return c }(),
		func() Identity { c := id; c.Params.ReuseSimilar = true; return c }(),
		func() Identity { c := id; c.Revision++; return c }(),
	} {
		if _, ok, _ := s.Lookup(changed); ok {
			t.Errorf("reused for changed identity %+v", changed)
		}
	}
	// Saving again replaces, never duplicates.
	res.Frames = res.Frames[:1]
	if err := s.Save(id, res, nil); err != nil {
		t.Fatal(err)
	}
	files, kfs, dets, _ := s.Counts()
	if files != 1 || kfs != 1 || dets != 1 {
		t.Errorf("after replace: %d files, %d keyframes, %d detections", files, kfs, dets)
	}
}

func TestFailedIsRetried(t *testing.T) {
	s, _ := openTemp(t)
	id := Identity{Path: "/v/bad.mp4", Params: params("abc")}
	if err := s.Save(id, scan.FileResult{Path: id.Path, Status: scan.StatusFailed, Error: "empty file"}, nil); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.Lookup(id); ok {
		t.Error("a failed file was offered for reuse")
	}
	latest, err := s.Latest(all)
	if err != nil || len(latest) != 1 || latest[0].Result.Error != "empty file" {
		t.Errorf("latest %+v %v", latest, err)
	}
}

func TestThumbnailNames(t *testing.T) {
	s, _ := openTemp(t)
	for _, bad := range []string{"", "../x.jpg", "a/b.jpg", "ab"} {
		if _, err := s.Thumbnail(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	n1, _ := s.putThumb([]byte("same"))
	n2, _ := s.putThumb([]byte("same"))
	if n1 != n2 || !strings.HasSuffix(n1, ".jpg") || len(n1) != 64+4 {
		t.Errorf("names %q %q", n1, n2)
	}
}

func TestSchemaVersions(t *testing.T) {
	s, path := openTemp(t)
	s.Close()
	// Reopening an up-to-date library is fine.
	s2, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	s2.Close()
	// A library from a newer vidsift is refused clearly.
	db, _ := sql.Open("sqlite", path)
	if _, err := db.Exec(fmt.Sprintf("PRAGMA user_version = %d", SchemaVersion()+1)); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := Open(path); err == nil || !strings.Contains(err.Error(), "newer than this vidsift") {
		t.Errorf("newer schema: %v", err)
	}
	// Something that is not a database is refused clearly.
	junk := filepath.Join(t.TempDir(), FileName)
	if err := os.WriteFile(junk, []byte(strings.Repeat("not a database ", 100)), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(junk); err == nil || !strings.Contains(err.Error(), "library") {
		t.Errorf("junk file: %v", err)
	}
}

// TestOddLibraryPath: a library folder whose name holds URI syntax ("?",
// "#", "%41") opens the file at exactly that path, and reopens it.
func TestOddLibraryPath(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "odd?dir#x%41y")
	path := filepath.Join(dir, FileName)
	id := Identity{Path: "/v/a.mp4", Size: 1, ModTime: 1, Params: params("m"), Revision: scan.ResultsRevision}
	for round := 0; round < 2; round++ {
		s, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		if round == 0 {
			if err := s.Save(id, sampleResult(id.Path), nil); err != nil {
				t.Fatal(err)
			}
		} else if _, ok, err := s.Lookup(id); !ok || err != nil {
			t.Errorf("reopened library lost the result: %v %v", ok, err)
		}
		s.Close()
	}
	entries, _ := os.ReadDir(filepath.Dir(dir))
	if len(entries) != 1 || entries[0].Name() != "odd?dir#x%41y" {
		t.Errorf("beside the library folder: %v", entries)
	}
	if _, err := os.Stat(path); err != nil {
		t.Error(err)
	}
}

// TestMigrateFromVersion1: a library written by the first schema opens and
// is migrated; its results are kept (and export), count as engine revision
// 1, so they are redone rather than reused, and redoing replaces them.
func TestMigrateFromVersion1(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	db := librarySchema(t, path, 1)
	if _, err := db.Exec(`INSERT INTO files (path, size, mtime_ns, model_sha, conf, iou, input_w, input_h, status, container, codec, width, height, scanned_at)
		VALUES ('/v/old.mp4', 10, 20, 'abc', 0.25, 0.699999988079071, 640, 640, 'ok', 'mp4', 'h264', 480, 424, '2026-11-01T00:00:00Z');
		INSERT INTO keyframes (file_id, idx, time_s, width, height) VALUES (1, 0, 0, 480, 424);
		INSERT INTO detections (file_id, kf_idx, seq, class_id, class, confidence, x1, y1, x2, y2) VALUES (1, 0, 0, 16, 'dog', 0.9, 1, 2, 3, 4);`); err != nil {
		t.Fatal(err)
	}
	s := migrated(t, db, path, 1)
	var v int
	s.db.QueryRow(`PRAGMA user_version`).Scan(&v)
	if v != SchemaVersion() || v < 2 {
		t.Errorf("schema %d after opening, want %d", v, SchemaVersion())
	}
	old := Identity{Path: "/v/old.mp4", Size: 10, ModTime: 20, Params: params("abc"), Revision: 1}
	// Schema 3 rebuilt the files table: the old row stands for a keyframes
	// only scan, its keyframe is a keyframe, and its detection survived.
	st, ok, err := s.Lookup(old)
	if !ok || err != nil || len(st.Result.Frames) != 1 || len(st.Result.Frames[0].Detections) != 1 ||
		st.Result.Frames[0].Kind != scan.KeyFrame || st.Result.Frames[0].Reused {
		t.Fatalf("the old result as revision 1, keyframes only: %v %v %+v", ok, err, st.Result)
	}
	now := old
	now.Revision = scan.ResultsRevision
	if latest, err := s.Latest(all); err != nil || len(latest) != 1 || latest[0].Result.Path != "/v/old.mp4" {
		t.Errorf("export view of the migrated library: %v %v", latest, err)
	}
	// Schema 4 derived the file's classes from its detections; with no
	// model's classes kept, find takes the detected ones as valid names.
	names, err := s.ClassNames()
	if err != nil || strings.Join(names, ",") != "dog" {
		t.Errorf("class names of the migrated library: %v, %v", names, err)
	}
	if classes, err := s.ModelClasses("abc"); err != nil || len(classes) != 17 || classes[16] != "dog" {
		t.Errorf("model classes of the migrated library: %v, %v", classes, err)
	}
	dog, _ := query.Parse("dog")
	if m, err := s.Find(dog, query.Options{}, all); err != nil || len(m) != 1 || m[0].Path != "/v/old.mp4" {
		t.Errorf("find dog in the migrated library: %+v, %v", m, err)
	}
	// Redone, the file has one row; under another policy (which is part of
	// the identity) a second one, and neither stands in for the other.
	gaps := now
	gaps.Params.Sampling, gaps.Params.ReuseSimilar = scan.Sampling{MaxGap: 2, MinGap: 0.5}, true
	for _, c := range []struct {
		id   Identity
		rows int
	}{{now, 1}, {gaps, 2}} {
		id, rows := c.id, c.rows
		if _, ok, _ := s.Lookup(id); ok {
			t.Errorf("%+v: a result of another revision or policy was offered for reuse", id)
		}
		if err := s.Save(id, sampleResult(id.Path), nil); err != nil {
			t.Fatal(err)
		}
		if files, _, _, _ := s.Counts(); files != rows {
			t.Errorf("%d rows for one file, want %d", files, rows)
		}
		if _, ok, _ := s.Lookup(id); !ok {
			t.Errorf("%+v: the saved result is not reused", id)
		}
	}
}

// migrated closes db, a library of schema version v that a test filled,
// and opens it as vidsift does, which migrates it.
func migrated(t *testing.T, db *sql.DB, path string, v int) *Library {
	t.Helper()
	db.Close()
	s, err := Open(path)
	if err != nil {
		t.Fatalf("opening a version-%d library: %v", v, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// librarySchema makes an empty library of schema version v, as vidsift
// wrote it then: the released migrations up to v (they are never edited).
func librarySchema(t *testing.T, path string, v int) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range migrations[:v] {
		if err := m(tx); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := tx.Exec(fmt.Sprintf(`PRAGMA user_version = %d`, v)); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	return db
}

// TestMigrateFromVersion4: a library of schema 4 (a column per setting)
// keeps every result when the settings become one params column, and a
// rescan with the same settings finds each of them, defaults, custom
// sampling and float32 thresholds alike; other settings find none.
func TestMigrateFromVersion4(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	db := librarySchema(t, path, 4)
	defaults := scan.DefaultParams()
	defaults.Model = scan.Model{SHA256: "abc", InputW: 640, InputH: 640}
	defaults.Rect = false          // every scan was square then
	defaults.Sampling.Cuts = false // and without cut frames
	custom := defaults
	custom.Sampling, custom.ReuseSimilar, custom.Confidence, custom.IoU = scan.Sampling{MaxGap: 1}, false, 0.3, 0.45
	kinds := []scan.Params{defaults, custom}
	// Two files, each under both settings: the rows vidsift 4 wrote (the
	// thresholds as float64 of the engine's float32).
	for i, path := range []string{"/v/a.mp4", "/v/b.mp4"} {
		for j, p := range kinds {
			r, err := db.Exec(`INSERT INTO files (path, size, mtime_ns, model_sha, conf, iou, input_w, input_h, max_gap, min_gap, reuse_similar,
				revision, status, container, codec, width, height, duration, fps, keyframe_interval, scanned_at)
				VALUES (?, 10, 20, 'abc', ?, ?, 640, 640, ?, ?, ?, ?, 'ok', 'mp4', 'h264', 640, 360, 4, 25, 2, ?)`,
				path, float64(p.Confidence), float64(p.IoU), p.Sampling.MaxGap, p.Sampling.MinGap, p.ReuseSimilar, scan.ResultsRevision,
				fmt.Sprintf("2026-11-0%dT00:00:00Z", 1+2*i+j))
			if err != nil {
				t.Fatal(err)
			}
			id, _ := r.LastInsertId()
			if _, err := db.Exec(`INSERT INTO frames (file_id, idx, time_s, key, width, height, thumb) VALUES (?, 0, 0, 1, 640, 360, 'x.jpg');
				INSERT INTO detections (file_id, frame_idx, seq, class_id, class, confidence, x1, y1, x2, y2) VALUES (?, 0, 0, 16, 'dog', 0.9, 1, 2, 3, 4);
				INSERT INTO file_classes (file_id, class, max_conf) VALUES (?, 'dog', 0.9)`, id, id, id); err != nil {
				t.Fatal(err)
			}
		}
	}
	s := migrated(t, db, path, 4)
	if files, frames, dets, err := s.Counts(); files != 4 || frames != 4 || dets != 4 || err != nil {
		t.Errorf("after migrating: %d files, %d frames, %d detections (%v); want 4 of each", files, frames, dets, err)
	}
	for _, path := range []string{"/v/a.mp4", "/v/b.mp4"} {
		for _, p := range kinds {
			st, ok, err := s.Lookup(Identity{Path: path, Size: 10, ModTime: 20, Params: p, Revision: scan.ResultsRevision})
			if !ok || err != nil || len(st.Result.Frames) != 1 || len(st.Result.Frames[0].Detections) != 1 || st.Thumbs[0] != "x.jpg" {
				t.Errorf("%s with %s: not reused after migrating (%v %v %+v)", path, p.Key(), ok, err, st)
			}
		}
		other := custom
		other.Sampling.MinGap = 0.25
		if _, ok, _ := s.Lookup(Identity{Path: path, Size: 10, ModTime: 20, Params: other, Revision: scan.ResultsRevision}); ok {
			t.Errorf("%s: reused for settings it was never scanned with", path)
		}
	}
	// The latest result of each path is the custom one, and says so.
	latest, err := s.Latest(all)
	if err != nil || len(latest) != 2 {
		t.Fatalf("latest: %v %v", latest, err)
	}
	for _, st := range latest {
		if !st.Params.Equal(custom) {
			t.Errorf("%s: made with %s, the library says %s", st.Result.Path, custom.Key(), st.Params.Key())
		}
	}
	dog, _ := query.Parse("dog")
	if m, err := s.Find(dog, query.Options{}, all); err != nil || len(m) != 2 {
		t.Errorf("find dog in the migrated library: %+v, %v", m, err)
	}
	// A new setting's row needs no rebuild: another row for the same path.
	if err := s.Save(Identity{Path: "/v/a.mp4", Size: 10, ModTime: 20, Params: params("abc"), Revision: scan.ResultsRevision}, sampleResult("/v/a.mp4"), nil); err != nil {
		t.Fatal(err)
	}
	if files, _, _, _ := s.Counts(); files != 5 {
		t.Errorf("%d rows, want 5", files)
	}
}

// all is every stored file: these tests' paths do not exist.
var all = Scope{IncludeMissing: true}

// TestMigrateFromVersion6: frames stored before kinds keep what key said —
// keyframes and gap frames — and a cut frame saved now reads back as one,
// with key false.
func TestMigrateFromVersion6(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	db := librarySchema(t, path, 6)
	p := params("abc")
	r, err := db.Exec(`INSERT INTO files (path, size, mtime_ns, model_sha, params, revision, status, container, codec, width, height, duration, fps, keyframe_interval, scanned_at)
		VALUES ('/v/old.mp4', 10, 20, 'abc', ?, ?, 'ok', 'mp4', 'h264', 640, 360, 4, 25, 2, '2026-11-01T00:00:00Z')`, p.Key(), scan.ResultsRevision)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := r.LastInsertId()
	if _, err := db.Exec(`INSERT INTO frames (file_id, idx, time_s, key, width, height, thumb) VALUES (?, 0, 0, 1, 640, 360, ''), (?, 1, 2, 0, 640, 360, '')`, id, id); err != nil {
		t.Fatal(err)
	}
	s := migrated(t, db, path, 6)
	st, ok, err := s.Lookup(Identity{Path: "/v/old.mp4", Size: 10, ModTime: 20, Params: p, Revision: scan.ResultsRevision})
	if !ok || err != nil || len(st.Result.Frames) != 2 || st.Result.Frames[0].Kind != scan.KeyFrame || st.Result.Frames[1].Kind != scan.GapFrame {
		t.Fatalf("after migrating: %v %v %+v", ok, err, st.Result.Frames)
	}

	res := sampleResult("/v/new.mp4")
	res.Frames = append(res.Frames, scan.Frame{Index: 3, Time: 5.2, Kind: scan.CutFrame, Width: 640, Height: 360})
	id2 := Identity{Path: res.Path, Size: 1, ModTime: 2, Params: p, Revision: scan.ResultsRevision}
	if err := s.Save(id2, res, nil); err != nil {
		t.Fatal(err)
	}
	st, ok, err = s.Lookup(id2)
	if !ok || err != nil || st.Result.Frames[3].Kind != scan.CutFrame || st.Result.Frames[1].Kind != scan.GapFrame {
		t.Fatalf("a cut frame saved: %v %v %+v", ok, err, st.Result.Frames)
	}
	var keyCol bool
	if err := s.db.QueryRow(`SELECT key FROM frames WHERE time_s = 5.2`).Scan(&keyCol); err != nil || keyCol {
		t.Errorf("a cut frame's key column: %v %v", keyCol, err)
	}
}
