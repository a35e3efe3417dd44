package store

import (
	"bytes"
	"math/rand"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/vidsift/vidsift/engine/scan"
	"github.com/vidsift/vidsift/internal/testenv"
)

// randomFile writes size random bytes (seeded) at path.
func randomFile(t *testing.T, path string, size int, seed int64) {
	t.Helper()
	b := make([]byte, size)
	rand.New(rand.NewSource(seed)).Read(b)
	testenv.WriteFile(t, path, b, 0o644)
}

// scanned asks the run's library about path as a run does, and keeps a
// sample result for it when the library had none (a scan); it returns
// what the library knew.
func scanned(t *testing.T, l *RunLibrary, path string) scan.Known {
	t.Helper()
	k, err := l.Reuse(path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if k.Found {
		if k.Result.Path != path {
			t.Errorf("reused for %s, the result says %s", path, k.Result.Path)
		}
		return k
	}
	if err := l.Keep(sampleResult(path), map[int][]byte{0: []byte("jpeg of " + path)}); err != nil {
		t.Fatal(err)
	}
	return k
}

// paths lists the stored rows' paths, sorted.
func storedPaths(t *testing.T, s *Library) []string {
	t.Helper()
	rows, err := s.db.Query(`SELECT path FROM files ORDER BY path`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var p string
		rows.Scan(&p)
		out = append(out, p)
	}
	return out
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestFollowsContent: a result is reused by content wherever the file
// went: moved (the row follows), copied (a row of its own), touched;
// not when the content changed at the same path.
func TestFollowsContent(t *testing.T) {
	s, _ := openTemp(t)
	dir := t.TempDir()
	a := filepath.Join(dir, "trip", "a.mp4")
	randomFile(t, a, 3<<20, 1)
	p := params("abc")
	run := func() *RunLibrary { return s.ForRun(p, false) }

	if k := scanned(t, run(), a); k.Found || !k.Read || k.Fingerprint == "" {
		t.Fatalf("first scan: %+v", k)
	}
	if k := scanned(t, run(), a); !k.Found || k.Read {
		t.Errorf("unchanged: found %v, read %v; want found from the cache", k.Found, k.Read)
	}

	moved := filepath.Join(dir, "2026-trip", "sub dir", "a #1.mp4")
	os.MkdirAll(filepath.Dir(moved), 0o755)
	if err := os.Rename(a, moved); err != nil {
		t.Fatal(err)
	}
	k := scanned(t, run(), moved)
	if !k.Found || len(k.Result.Frames) != 3 || k.Result.Frames[2].Detections[0].Class != "dog" {
		t.Fatalf("moved: %+v", k)
	}
	if got := storedPaths(t, s); !equal(got, []string{moved}) {
		t.Errorf("after the move the library holds %v, want the new path only", got)
	}
	if !bytes.Equal(k.Thumbs[0], []byte("jpeg of "+a)) {
		t.Errorf("the moved file's thumbnail: %q", k.Thumbs[0])
	}

	cp := filepath.Join(dir, "backup", "a.mp4")
	b, _ := os.ReadFile(moved)
	os.MkdirAll(filepath.Dir(cp), 0o755)
	os.WriteFile(cp, b, 0o644)
	if k := scanned(t, run(), cp); !k.Found {
		t.Fatal("a copy was not reused")
	} else if kinds := [3]scan.FrameKind{k.Result.Frames[0].Kind, k.Result.Frames[1].Kind, k.Result.Frames[2].Kind}; kinds != [3]scan.FrameKind{scan.KeyFrame, scan.GapFrame, scan.KeyFrame} {
		t.Errorf("the copy's frames are %v, want key, gap, key", kinds)
	}
	if got := storedPaths(t, s); !equal(got, []string{moved, cp}) {
		t.Errorf("after the copy: %v", got)
	}
	if _, frames, _, _ := s.Counts(); frames != 6 {
		t.Errorf("%d frames stored, want 3 for each copy", frames)
	}

	later := time.Now().Add(time.Hour)
	os.Chtimes(cp, later, later)
	if k := scanned(t, run(), cp); !k.Found || !k.Read {
		t.Errorf("touched: found %v, read %v; want found after reading it", k.Found, k.Read)
	}
	if k := scanned(t, run(), cp); !k.Found || k.Read {
		t.Errorf("touched, then unchanged: read %v", k.Read)
	}

	changes := map[string]func([]byte) []byte{
		"re-encoded": func(b []byte) []byte { x := append([]byte(nil), b...); x[len(x)/2] ^= 0xff; x[0] ^= 1; return x },
		"appended":   func(b []byte) []byte { return append(append([]byte(nil), b...), "tail"...) },
		"truncated":  func(b []byte) []byte { return b[:len(b)-100] },
	}
	for name, change := range changes {
		os.WriteFile(cp, change(b), 0o644)
		if k := scanned(t, run(), cp); k.Found {
			t.Errorf("%s at the same path: reused", name)
		}
		os.WriteFile(cp, b, 0o644) // back: reused again, as a copy of moved
		if k := scanned(t, run(), cp); !k.Found {
			t.Errorf("%s, then restored: not reused", name)
		}
	}

	// Other settings are not reused, and a move carries every setting's rows.
	other := params("abc")
	other.Confidence = 0.5
	if k := scanned(t, s.ForRun(other, false), moved); k.Found {
		t.Error("reused for other settings")
	}
	again := filepath.Join(dir, "again.mp4")
	os.Rename(moved, again)
	if k := scanned(t, run(), again); !k.Found {
		t.Error("moved again: not reused")
	}
	if got := storedPaths(t, s); !equal(got, []string{again, again, cp}) {
		t.Errorf("after moving a file stored with two settings: %v", got)
	}
	if k := scanned(t, s.ForRun(other, false), again); !k.Found {
		t.Error("the other settings' result did not move with the file")
	}
}

// TestFingerprintRefusals: a file that cannot be fingerprinted because
// it is gone or unreadable is left to the scan to report; a FIFO is an
// error, without blocking.
func TestFingerprintRefusals(t *testing.T) {
	s, _ := openTemp(t)
	l := s.ForRun(params("abc"), false)
	dir := t.TempDir()
	if k, err := l.Reuse(filepath.Join(dir, "gone.mp4")); err != nil || k.Found {
		t.Errorf("a missing file: %+v %v", k, err)
	}
	fifo := filepath.Join(dir, "pipe.mp4")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Reuse(fifo); err == nil {
		t.Error("a FIFO was fingerprinted")
	}
	empty := filepath.Join(dir, "empty.mp4")
	os.WriteFile(empty, nil, 0o644)
	if k, err := l.Reuse(empty); err != nil || k.Found || k.Fingerprint == "" {
		t.Errorf("a zero-byte file: %+v %v", k, err)
	}
	// A failed file that vanished is not kept; one that is there is.
	if err := l.Keep(scan.FileResult{Path: filepath.Join(dir, "gone.mp4"), Status: scan.StatusFailed, Error: "x"}, nil); err != nil {
		t.Errorf("keeping a vanished failed file: %v", err)
	}
	if err := l.Keep(scan.FileResult{Path: empty, Status: scan.StatusFailed, Error: "empty"}, nil); err != nil {
		t.Fatal(err)
	}
	if got := storedPaths(t, s); !equal(got, []string{empty}) {
		t.Errorf("stored %v", got)
	}
}

// TestMigrateFromVersion5: a library of schema 5 (no fingerprints) keeps
// its results; the first scan of an unchanged file reuses it by path,
// size and mtime and gives it a fingerprint, so a move is then followed.
func TestMigrateFromVersion5(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	db := librarySchema(t, path, 5)
	dir := t.TempDir()
	video := filepath.Join(dir, "old", "a.mp4")
	randomFile(t, video, 2<<20, 5)
	fi, _ := os.Stat(video)
	p := params("abc")
	r, err := db.Exec(`INSERT INTO files (path, size, mtime_ns, model_sha, params, revision, status, container, codec, width, height, duration, fps, keyframe_interval, scanned_at)
		VALUES (?, ?, ?, 'abc', ?, ?, 'ok', 'mp4', 'h264', 640, 360, 4, 25, 2, '2026-11-01T00:00:00Z')`,
		video, fi.Size(), fi.ModTime().UnixNano(), p.Key(), scan.ResultsRevision)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := r.LastInsertId()
	if _, err := db.Exec(`INSERT INTO frames (file_id, idx, time_s, key, width, height, thumb) VALUES (?, 0, 0, 1, 640, 360, 'x.jpg');
		INSERT INTO detections (file_id, frame_idx, seq, class_id, class, confidence, x1, y1, x2, y2) VALUES (?, 0, 0, 16, 'dog', 0.9, 1, 2, 3, 4);
		INSERT INTO file_classes (file_id, class, max_conf) VALUES (?, 'dog', 0.9)`, id, id, id); err != nil {
		t.Fatal(err)
	}
	s := migrated(t, db, path, 5)
	st, _ := s.Stats()
	if st.Files != 1 || st.Frames != 1 || st.Detections != 1 || st.Fingerprinted != 0 {
		t.Errorf("after migrating: %+v", st)
	}
	k := scanned(t, s.ForRun(p, false), video)
	if !k.Found || !k.Read || len(k.Result.Frames) != 1 {
		t.Fatalf("the unchanged file after migrating: %+v", k)
	}
	if st, _ := s.Stats(); st.Fingerprinted != 1 {
		t.Errorf("the reused row did not gain a fingerprint: %+v", st)
	}
	moved := filepath.Join(dir, "new", "b.mp4")
	os.MkdirAll(filepath.Dir(moved), 0o755)
	os.Rename(video, moved)
	if k := scanned(t, s.ForRun(p, false), moved); !k.Found || k.Result.Frames[0].Detections[0].Class != "dog" {
		t.Errorf("moved after migrating: %+v", k)
	}
	if got := storedPaths(t, s); !equal(got, []string{moved}) {
		t.Errorf("stored %v", got)
	}
}
