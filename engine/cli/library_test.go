package cli

import (
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vidsift/vidsift/engine/export"
	"github.com/vidsift/vidsift/engine/store"
	"github.com/vidsift/vidsift/internal/testenv"
)

// archiveNames are where archive puts the shared clips and photos: in
// subfolders, under the hostile names of the pipeline's tests.
var archiveNames = map[string]string{
	"videos/street_bikes_h264.mp4":      "street 'single' \"double\".mp4",
	"videos/one_by_one_person_h264.mkv": "sub/new\nline.mkv",
	"videos/dog_person_vp9.webm":        "sub/deeper/bad-\xff\xfe-utf8.webm",
	"videos/pedestrians_vtest_xvid.avi": "=cmd|' -C calc'!A0.avi",
	"videos/plant_cup_realshort.mp4":    "-starts-with-dash.mp4",
	"photos/person_dog_horse.jpg":       "photos/" + strings.Repeat("long", 55) + ".jpg",
	"photos/dog_bicycle_truck.jpg":      "photos/dog bicycle truck.jpg",
	"photos/horses.jpg":                 "photos/horses.jpg",
}

// archive copies the shared media into dir under archiveNames.
func archive(t *testing.T, dir string) {
	t.Helper()
	for src, dst := range archiveNames {
		b, err := os.ReadFile(testenv.Shared(t, "testdata/"+src))
		if err != nil {
			t.Fatal(err)
		}
		testenv.WriteFile(t, filepath.Join(dir, dst), b, 0o644)
	}
}

// byName maps a scan's files by their path under root.
func byName(t *testing.T, doc export.Document, root string) map[string]export.File {
	t.Helper()
	out := map[string]export.File{}
	for _, f := range doc.Files {
		rel, err := filepath.Rel(root, f.Path)
		if err != nil || strings.HasPrefix(rel, "..") {
			t.Errorf("%s is not under %s", f.Path, root)
			continue
		}
		out[rel] = f
	}
	return out
}

// scanDoc scans args into a JSON document and returns it.
func scanDoc(t *testing.T, args ...string) export.Document {
	t.Helper()
	out := filepath.Join(t.TempDir(), "scan.json")
	if code, stderr := scanCmd(t, append([]string{"--json", out}, args...)...); code != ExitOK {
		t.Fatalf("scan %q: exit %d\n%s", args, code, stderr)
	}
	return readDoc(t, out)
}

// findPaths runs `vidsift find ARGS...` and returns the matching paths.
func findPaths(t *testing.T, args ...string) []string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "find.json")
	code, _, stderr := vidsift(t, append([]string{"find", "--json", out}, args...)...)
	if code != ExitOK && code != ExitSomeBad {
		t.Fatalf("find %q: exit %d\n%s", args, code, stderr)
	}
	var paths []string
	for _, f := range testenv.ReadJSON[export.FindDocument](t, out).Files {
		paths = append(paths, f.Path)
	}
	sort.Strings(paths)
	return paths
}

// libraryJSON runs `vidsift library --json ARGS...` into v.
func libraryJSON(t *testing.T, v any, args ...string) {
	t.Helper()
	code, stdout, stderr := vidsift(t, append([]string{"library", "--json"}, args...)...)
	if code != ExitOK {
		t.Fatalf("library %q: exit %d\n%s", args, code, stderr)
	}
	if err := json.Unmarshal([]byte(stdout), v); err != nil {
		t.Fatalf("library %q: %v\n%s", args, err, stdout)
	}
}

type statsDoc struct {
	Files, Paths, Fingerprinted, Frames, Detections int
	Thumbnails                                      int
}

// TestArchiveMoves: a scanned folder moved (subfolders and hostile names
// included) is answered from the library: nothing inferred, the same
// detections, find names the new paths only. Then a copy and a touched
// file are reused, a re-encoded, appended or truncated file is scanned.
func TestArchiveMoves(t *testing.T) {
	isolated(t)
	t.Setenv("VIDSIFT_MODEL", testenv.Model(t))
	base := t.TempDir()
	trip, moved := filepath.Join(base, "trip"), filepath.Join(base, "2026-trip")
	archive(t, trip)
	first := scanDoc(t, trip)
	if first.Summary.Files != len(archiveNames) || first.Summary.Inferences == 0 || first.Summary.Fingerprinted != len(archiveNames) {
		t.Fatalf("first scan: %+v", first.Summary)
	}
	if err := os.Rename(trip, moved); err != nil {
		t.Fatal(err)
	}
	second := scanDoc(t, moved)
	if s := second.Summary; s.Files != len(archiveNames) || s.Skipped != len(archiveNames) || s.Inferences != 0 || s.Fingerprinted != len(archiveNames) {
		t.Errorf("the moved folder: %+v; want every file reused (read to fingerprint it), no inference", s)
	}
	was, now := byName(t, first, trip), byName(t, second, moved)
	for name, f := range was {
		if mustJSON(t, now[name].Frames) != mustJSON(t, f.Frames) || now[name].Status != f.Status {
			t.Errorf("%q: detections differ after the move", name)
		}
	}
	people := findPaths(t, "person")
	withMissing := findPaths(t, "--include-missing", "person")
	if len(people) == 0 || strings.Join(people, "|") != strings.Join(withMissing, "|") {
		t.Errorf("find person: %q; with --include-missing %q", people, withMissing)
	}
	for _, p := range people {
		if !strings.HasPrefix(p, moved+"/") {
			t.Errorf("find lists %q, not under the moved folder", p)
		}
	}
	var st statsDoc
	libraryJSON(t, &st, "stats")
	if st.Files != len(archiveNames) || st.Paths != len(archiveNames) || st.Fingerprinted != st.Files {
		t.Errorf("library stats after the move: %+v", st)
	}

	// A copy, a touch: reused. A re-encode, an append, a truncation: scanned.
	street := filepath.Join(moved, "street 'single' \"double\".mp4")
	copied := filepath.Join(base, "backup", "street.mp4")
	b, _ := os.ReadFile(street)
	testenv.WriteFile(t, copied, b, 0o644)
	if s := scanDoc(t, copied).Summary; s.Skipped != 1 || s.Inferences != 0 {
		t.Errorf("a copy: %+v", s)
	}
	want := append([]string{copied}, people...)
	sort.Strings(want)
	if got := findPaths(t, "person"); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("find person with the copy: %q", got)
	}
	dash := filepath.Join(moved, "-starts-with-dash.mp4")
	later := time.Now().Add(time.Hour)
	os.Chtimes(dash, later, later)
	if s := scanDoc(t, dash).Summary; s.Skipped != 1 || s.Inferences != 0 || s.Fingerprinted != 1 {
		t.Errorf("a touched file: %+v", s)
	}
	if s := scanDoc(t, dash).Summary; s.Skipped != 1 || s.Fingerprinted != 0 {
		t.Errorf("the touched file, again: %+v (its fingerprint is cached for the new mtime)", s)
	}
	reencoded, err := os.ReadFile(testenv.Fixture(t, "hevc.mkv"))
	if err != nil {
		t.Fatal(err)
	}
	mkv := filepath.Join(moved, "sub/new\nline.mkv")
	testenv.WriteFile(t, mkv, reencoded, 0o644)
	avi := filepath.Join(moved, "=cmd|' -C calc'!A0.avi")
	f, err := os.OpenFile(avi, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write(make([]byte, 4096))
	f.Close()
	webm := filepath.Join(moved, "sub/deeper/bad-\xff\xfe-utf8.webm")
	fi, _ := os.Stat(webm)
	if err := os.Truncate(webm, fi.Size()-2000); err != nil {
		t.Fatal(err)
	}
	for name, path := range map[string]string{"re-encoded": mkv, "appended": avi, "truncated": webm} {
		out := filepath.Join(t.TempDir(), "changed.json")
		scanCmd(t, "--json", out, path) // the truncated file may be partial (exit 1)
		if s := readDoc(t, out).Summary; s.Skipped != 0 || s.Inferences == 0 {
			t.Errorf("%s at the same path: %+v; want it scanned again", name, s)
		}
	}
}

// TestLibraryUpkeep: the library commands on a real library: stats match
// an export, relocate makes a remounted folder's scan read no file,
// missing and prune (dry first) forget a deleted file, forget a folder,
// and relocate refuses a prefix that holds results.
func TestLibraryUpkeep(t *testing.T) {
	isolated(t)
	t.Setenv("VIDSIFT_MODEL", testenv.Model(t))
	base := t.TempDir()
	disk := filepath.Join(base, "media", "usb")
	archive(t, disk)
	first := scanDoc(t, disk)
	var st statsDoc
	libraryJSON(t, &st, "stats")
	if st.Files != first.Summary.Files || st.Frames != first.Summary.Frames || st.Detections != first.Summary.Detections || st.Thumbnails == 0 {
		t.Errorf("stats %+v; the scan's summary %+v", st, first.Summary)
	}

	// The drive, mounted elsewhere (a rename keeps every mtime).
	mnt := filepath.Join(base, "mnt", "usb")
	os.MkdirAll(filepath.Dir(mnt), 0o755)
	if err := os.Rename(disk, mnt); err != nil {
		t.Fatal(err)
	}
	var missing struct{ Missing []struct{ Path string } }
	libraryJSON(t, &missing, "missing")
	if len(missing.Missing) != len(archiveNames) {
		t.Errorf("%d missing while the drive is elsewhere, want %d", len(missing.Missing), len(archiveNames))
	}
	var dry, done struct {
		DryRun  bool `json:"dry_run"`
		Paths   int
		Results int
	}
	libraryJSON(t, &dry, "relocate", "--dry-run", disk, mnt)
	libraryJSON(t, &st, "stats")
	if !dry.DryRun || dry.Paths != len(archiveNames) {
		t.Errorf("dry relocate: %+v", dry)
	}
	libraryJSON(t, &done, "relocate", disk+"/", mnt)
	if done.Paths != len(archiveNames) || done.DryRun {
		t.Errorf("relocate: %+v", done)
	}
	again := scanDoc(t, mnt)
	if s := again.Summary; s.Skipped != len(archiveNames) || s.Fingerprinted != 0 || s.Inferences != 0 {
		t.Errorf("scan after relocate: %+v; want every file reused without reading it", s)
	}

	// A deleted file is missing; prune --dry-run keeps it, prune forgets it.
	gone := filepath.Join(mnt, "photos", "horses.jpg")
	os.Remove(gone)
	libraryJSON(t, &missing, "missing")
	if len(missing.Missing) != 1 || missing.Missing[0].Path != gone {
		t.Errorf("missing: %+v", missing)
	}
	if got := findPaths(t, "horse"); strings.Contains(strings.Join(got, "|"), gone) {
		t.Errorf("find lists the missing file: %q", got)
	}
	if got := findPaths(t, "--include-missing", "horse"); !strings.Contains(strings.Join(got, "|"), gone) {
		t.Errorf("find --include-missing leaves out the missing file: %q", got)
	}
	before := st
	libraryJSON(t, &dry, "prune", "--dry-run")
	libraryJSON(t, &st, "stats")
	if dry.Paths != 1 || st != before {
		t.Errorf("prune --dry-run: %+v; stats %+v, were %+v", dry, st, before)
	}
	libraryJSON(t, &done, "prune")
	libraryJSON(t, &st, "stats")
	if done.Paths != 1 || st.Files != before.Files-1 || st.Thumbnails >= before.Thumbnails {
		t.Errorf("prune: %+v; stats %+v, were %+v", done, st, before)
	}
	libraryJSON(t, &missing, "missing")
	if len(missing.Missing) != 0 {
		t.Errorf("missing after prune: %+v", missing)
	}

	// forget a folder; relocate onto a prefix that holds results is refused.
	libraryJSON(t, &done, "forget", filepath.Join(mnt, "photos"))
	if done.Paths != 2 {
		t.Errorf("forget photos: %+v", done)
	}
	if got := findPaths(t, "--include-missing", "dog"); strings.Contains(strings.Join(got, "|"), "/photos/") {
		t.Errorf("find lists forgotten files: %q", got)
	}
	other := filepath.Join(base, "other")
	archive(t, other)
	scanDoc(t, filepath.Join(other, "photos"))
	code, _, stderr := vidsift(t, "library", "relocate", mnt, other)
	if code != ExitSomeBad || !strings.Contains(stderr, "refused") || !strings.Contains(stderr, "already holds") {
		t.Errorf("relocate onto a prefix with results: exit %d\n%s", code, stderr)
	}
}

// TestSchema5Library: a library as vidsift wrote it before files were
// known by content (schema 5) keeps its results; one scan of the unchanged
// folder infers nothing and fingerprints every file, after which the
// folder moves and the next scan reuses every file.
func TestSchema5Library(t *testing.T) {
	lib := isolated(t)
	t.Setenv("VIDSIFT_MODEL", testenv.Model(t))
	base := t.TempDir()
	dir := filepath.Join(base, "old")
	archive(t, dir)
	first := scanDoc(t, dir)

	db, err := sql.Open("sqlite", lib)
	if err != nil {
		t.Fatal(err)
	}
	// Back to schema 5: what migrations 6 to 9 added goes.
	if _, err := db.Exec(`DROP TRIGGER texts_added; DROP TRIGGER texts_deleted; DROP TABLE texts_fts; DROP TABLE texts; ALTER TABLE files DROP COLUMN text_key;
		DROP TRIGGER cues_added; DROP TRIGGER cues_deleted; DROP TABLE cues_fts; DROP TABLE cues; ALTER TABLE files DROP COLUMN subtitles;
		ALTER TABLE frames DROP COLUMN kind; DROP INDEX files_fingerprint; ALTER TABLE files DROP COLUMN fingerprint; DROP TABLE fingerprints; PRAGMA user_version = 5`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	unchanged := scanDoc(t, dir)
	if s := unchanged.Summary; s.Skipped != len(archiveNames) || s.Inferences != 0 || s.Fingerprinted != len(archiveNames) {
		t.Errorf("the unchanged folder after migrating: %+v", s)
	}
	if mustJSON(t, unchanged.Files) != mustJSON(t, first.Files) {
		t.Error("the migrated results differ from the scanned ones")
	}
	moved := filepath.Join(base, "new")
	os.Rename(dir, moved)
	if s := scanDoc(t, moved).Summary; s.Skipped != len(archiveNames) || s.Inferences != 0 {
		t.Errorf("the moved folder after migrating: %+v", s)
	}
}

// TestSweepingPathsRefused: an empty PATH (an unset shell variable) and
// the root are refused with a usage error by the commands that forget or
// rewrite, and an empty one by every upkeep command, the library left as
// it was; a dry run says what it would do in plain English, and an upkeep
// command typed without `library` is pointed there.
func TestSweepingPathsRefused(t *testing.T) {
	isolated(t)
	t.Setenv("VIDSIFT_MODEL", testenv.Model(t))
	dir := t.TempDir()
	photo := filepath.Join(dir, "horses.jpg")
	b, err := os.ReadFile(testenv.Shared(t, "testdata/photos/horses.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	testenv.WriteFile(t, photo, b, 0o644)
	scanDoc(t, photo)
	t.Chdir(dir) // where an empty PATH would lead
	var before, after statsDoc
	libraryJSON(t, &before, "stats")
	for _, args := range [][]string{
		{"forget", ""}, {"forget", "  "}, {"forget", dir, ""}, {"forget", "/"}, {"forget", "/.."},
		{"relocate", "", dir}, {"relocate", dir, ""}, {"relocate", dir, " \t"}, {"relocate", "/", dir}, {"relocate", dir, "/"},
		{"prune", ""}, {"missing", ""},
	} {
		code, _, stderr := vidsift(t, append([]string{"library"}, args...)...)
		if code != ExitUsage || !strings.Contains(stderr, "refused") {
			t.Errorf("library %q: exit %d, want %d and a refusal\n%s", args, code, ExitUsage, stderr)
		}
	}
	if libraryJSON(t, &after, "stats"); after != before || after.Files != 1 {
		t.Errorf("stats %+v after the refusals, were %+v", after, before)
	}

	code, _, stderr := vidsift(t, "library", "--dry-run", "forget", dir)
	if code != ExitOK || !strings.Contains(stderr, "would forget 1 files") || strings.Contains(stderr, "would have") {
		t.Errorf("forget --dry-run: exit %d\n%s", code, stderr)
	}
	for _, sub := range []string{"relocate", "forget", "prune", "stats", "missing"} {
		code, _, stderr := vidsift(t, sub, dir)
		if code != ExitUsage || !strings.Contains(stderr, "vidsift library "+sub) {
			t.Errorf("vidsift %s: exit %d, want a pointer to `vidsift library %s`\n%s", sub, code, sub, stderr)
		}
	}
}

// TestReadOnlyMountLibrary: a library on a read-only mount (nothing can be
// made beside it, so SQLite cannot make its -shm file) is read by find,
// export, clips, library stats and missing; upkeep that changes it is
// refused with the way out, and a scan warns and goes on without it. A
// write-ahead log left beside such a library is read when its -shm file
// is there too, and otherwise refused by name rather than read around.
func TestReadOnlyMountLibrary(t *testing.T) {
	lib := isolated(t)
	t.Setenv("VIDSIFT_MODEL", testenv.Model(t))
	src := t.TempDir()
	video, photo := filepath.Join(src, "person.mkv"), filepath.Join(src, "horses.jpg")
	testenv.WriteFile(t, video, sharedClip(t, "one_by_one_person_h264.mkv"), 0o644)
	b, err := os.ReadFile(testenv.Shared(t, "testdata/photos/horses.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	testenv.WriteFile(t, photo, b, 0o644)
	scanDoc(t, src)
	var want, got statsDoc
	libraryJSON(t, &want, "stats")

	// Before the mount, a copy of the library as a vidsift killed after
	// forgetting the photo leaves it: the change only in its log.
	withLog, logOnly := t.TempDir(), t.TempDir()
	scratch := filepath.Join(t.TempDir(), "library.db")
	copyFile(t, lib, scratch)
	db, err := sql.Open("sqlite", "file:"+scratch+"?_pragma=journal_mode(WAL)&_pragma=wal_autocheckpoint(0)&_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`DELETE FROM files WHERE path=?`, photo); err != nil {
		t.Fatal(err)
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		copyFile(t, scratch+suffix, filepath.Join(withLog, "library.db"+suffix))
		if suffix != "-shm" {
			copyFile(t, scratch+suffix, filepath.Join(logOnly, "library.db"+suffix))
		}
	}
	db.Close()

	testenv.ReadOnlyMount(t, filepath.Dir(lib))
	if found := findPaths(t, "person"); strings.Join(found, "|") != video {
		t.Errorf("find person: %q, want %q", found, video)
	}
	if libraryJSON(t, &got, "stats"); got != want {
		t.Errorf("stats %+v, were %+v before the mount", got, want)
	}
	var missing struct{ Missing []struct{ Path string } }
	if libraryJSON(t, &missing, "missing"); len(missing.Missing) != 0 {
		t.Errorf("missing: %+v", missing)
	}
	out := filepath.Join(t.TempDir(), "export.json")
	if code, _, stderr := vidsift(t, "export", "--json", out); code != ExitOK || len(readDoc(t, out).Files) != 2 {
		t.Errorf("export: exit %d\n%s", code, stderr)
	}
	clipsOut := filepath.Join(t.TempDir(), "clips")
	if code, _, stderr := vidsift(t, "clips", "--out", clipsOut, "person"); code != ExitOK || len(testenv.ReadJSON[clipsDoc](t, filepath.Join(clipsOut, "clips.json")).Clips) == 0 {
		t.Errorf("clips: exit %d\n%s", code, stderr)
	}
	if code, _, stderr := vidsift(t, "library", "forget", photo); code != ExitUsage || !strings.Contains(stderr, "read-only") || !strings.Contains(stderr, "copy the library") {
		t.Errorf("forget: exit %d\n%s", code, stderr)
	}
	if code, stderr := scanCmd(t, photo); code != ExitOK || !strings.Contains(stderr, "scanning without the results library") || !strings.Contains(stderr, "read-only") {
		t.Errorf("scan: exit %d\n%s", code, stderr)
	}

	testenv.ReadOnlyMount(t, withLog)
	testenv.ReadOnlyMount(t, logOnly)
	lib = filepath.Join(withLog, "library.db")
	if found := findPaths(t, "--library", lib, "--include-missing", "horse | person"); strings.Join(found, "|") != video {
		t.Errorf("find in the library whose log forgot the photo: %q, want %q", found, video)
	}
	code, _, stderr := vidsift(t, "find", "--library", filepath.Join(logOnly, "library.db"), "horse")
	if code != ExitUsage || !strings.Contains(stderr, "write-ahead log") || !strings.Contains(stderr, "-wal") {
		t.Errorf("find in a library whose log cannot be read: exit %d\n%s", code, stderr)
	}
}

// copyFile copies src to dst.
func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	testenv.WriteFile(t, dst, b, 0o644)
}

// TestLibrariesInOneFolder: two libraries in one folder, scanned from
// folders that share a photo (the same thumbnail), each keep their own
// thumbnails: forgetting everything in one leaves the other's readable,
// counted and exported, and stats counts only a library's own.
func TestLibrariesInOneFolder(t *testing.T) {
	isolated(t)
	t.Setenv("VIDSIFT_MODEL", testenv.Model(t))
	dir, srcA, srcB := t.TempDir(), t.TempDir(), t.TempDir()
	a, b := filepath.Join(dir, "a.db"), filepath.Join(dir, "b.db")
	for src, photos := range map[string][]string{srcA: {"horses.jpg", "dog_bicycle_truck.jpg"}, srcB: {"horses.jpg", "person_dog_horse.jpg"}} {
		for _, name := range photos {
			copyFile(t, testenv.Shared(t, "testdata/photos/"+name), filepath.Join(src, name))
		}
	}
	scanDoc(t, "--library", a, srcA)
	scanDoc(t, "--library", b, srcB)
	var statsA, statsB, after statsDoc
	libraryJSON(t, &statsA, "--library", a, "stats")
	libraryJSON(t, &statsB, "--library", b, "stats")
	if statsA.Thumbnails != 2 || statsB.Thumbnails != 2 {
		t.Errorf("thumbnails: a %d, b %d; want 2 each (one per photo)", statsA.Thumbnails, statsB.Thumbnails)
	}

	var forgot struct{ Paths, Thumbnails int }
	if libraryJSON(t, &forgot, "--library", b, "forget", srcB); forgot.Paths != 2 {
		t.Errorf("forget in b: %+v", forgot)
	}
	if libraryJSON(t, &after, "--library", b, "stats"); after.Files != 0 || after.Thumbnails != 0 {
		t.Errorf("b after forgetting everything: %+v", after)
	}
	if libraryJSON(t, &after, "--library", a, "stats"); after != statsA {
		t.Errorf("a after b forgot: %+v, was %+v", after, statsA)
	}
	lib, err := store.OpenReadOnly(a)
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	stored, err := lib.Latest(store.Scope{})
	if err != nil || len(stored) != 2 {
		t.Fatalf("a holds %d files: %v", len(stored), err)
	}
	for _, st := range stored {
		for idx, name := range st.Thumbs {
			if _, err := lib.Thumbnail(name); err != nil {
				t.Errorf("a's thumbnail of %s frame %d: %v", st.Result.Path, idx, err)
			}
		}
	}
	coco := filepath.Join(t.TempDir(), "a.json")
	if code, _, stderr := vidsift(t, "export", "--library", a, "--coco", coco); code != ExitOK || len(testenv.ReadJSON[export.COCO](t, coco).Images) != 2 {
		t.Errorf("export --coco of a: exit %d\n%s", code, stderr)
	}
}
