package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vidsift/vidsift/engine/query"
	"github.com/vidsift/vidsift/engine/scan"
)

// upkeepLibrary scans (as content_test's scanned) files under dir: a/1
// and a/10 (prefixes that must not be confused), a/1/x, a/1/y (a copy
// of x: same content) and b/z, each with one thumbnail of its own but y,
// whose thumbnail is x's. It returns the library and the paths.
func upkeepLibrary(t *testing.T) (*Library, map[string]string) {
	t.Helper()
	s, _ := openTemp(t)
	dir := t.TempDir()
	paths := map[string]string{}
	for i, name := range []string{"a/1/x.mp4", "a/10/w.mp4", "b/z.mp4"} {
		paths[name] = filepath.Join(dir, name)
		randomFile(t, paths[name], 1<<20+i, int64(i))
	}
	paths["a/1/y.mp4"] = filepath.Join(dir, "a/1/y.mp4")
	b, _ := os.ReadFile(paths["a/1/x.mp4"])
	os.WriteFile(paths["a/1/y.mp4"], b, 0o644)
	l := s.ForRun(params("abc"), false)
	for _, name := range []string{"a/1/x.mp4", "a/10/w.mp4", "b/z.mp4", "a/1/y.mp4"} {
		scanned(t, l, paths[name])
	}
	return s, paths
}

func thumbFiles(t *testing.T, s *Library) int {
	t.Helper()
	st, err := s.Stats()
	if err != nil {
		t.Fatal(err)
	}
	return st.Thumbnails
}

func TestStats(t *testing.T) {
	s, p := upkeepLibrary(t)
	seen, err := s.LastSeen()
	fi, _ := os.Stat(p["b/z.mp4"])
	if z := seen[p["b/z.mp4"]]; err != nil || len(seen) != 4 || z.Size != fi.Size() || z.ModTime != fi.ModTime().UnixNano() || !strings.HasPrefix(z.Fingerprint, "v1:") {
		t.Errorf("last seen: %+v %v", seen, err)
	}
	st, err := s.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if st.Files != 4 || st.Paths != 4 || st.ByStatus["ok"] != 4 || st.Fingerprinted != 4 || st.Frames != 12 || st.Detections != 12 ||
		len(st.Models) != 1 || st.Models[0].Files != 4 || st.Thumbnails != 3 || st.ThumbnailBytes == 0 || st.DatabaseBytes == 0 ||
		st.Oldest == "" || st.Oldest > st.Newest {
		t.Errorf("stats %+v", st)
	}
}

// TestMissingAndPrune: a gone file is missing unless its content is
// stored at a path that exists; --dry-run changes nothing; prune forgets
// the missing ones and deletes the thumbnails no frame names any more.
func TestMissingAndPrune(t *testing.T) {
	s, p := upkeepLibrary(t)
	os.Remove(p["a/1/x.mp4"]) // its copy y is there: not missing
	os.Remove(p["b/z.mp4"])
	m, err := s.Missing(nil)
	if err != nil || len(m) != 1 || m[0].Path != p["b/z.mp4"] || m[0].Results != 1 {
		t.Fatalf("missing: %+v %v", m, err)
	}
	if m, _ := s.Missing([]string{filepath.Dir(p["a/1/x.mp4"])}); len(m) != 0 {
		t.Errorf("missing under a/1: %+v", m)
	}
	before := thumbFiles(t, s)
	files, frames, dets, _ := s.Counts()
	_, f, err := s.Prune(nil, true)
	if err != nil || f.Paths != 1 || f.Results != 1 || f.Thumbnails != 1 {
		t.Errorf("dry prune: %+v %v", f, err)
	}
	if f2, fr2, d2, _ := s.Counts(); f2 != files || fr2 != frames || d2 != dets || thumbFiles(t, s) != before {
		t.Errorf("a dry run changed the library: %d/%d/%d files/frames/detections, was %d/%d/%d", f2, fr2, d2, files, frames, dets)
	}
	if _, f, err = s.Prune(nil, false); err != nil || f.Paths != 1 {
		t.Fatalf("prune: %+v %v", f, err)
	}
	if got := thumbFiles(t, s); got != before-1 {
		t.Errorf("%d thumbnails after pruning, want %d", got, before-1)
	}
	if got := storedPaths(t, s); !equal(got, []string{p["a/1/x.mp4"], p["a/1/y.mp4"], p["a/10/w.mp4"]}) {
		t.Errorf("after pruning: %v", got)
	}
	// Now y goes too: x and y are both missing (neither is anywhere).
	os.Remove(p["a/1/y.mp4"])
	if m, _ := s.Missing(nil); len(m) != 2 {
		t.Errorf("missing after both copies went: %+v", m)
	}
	// find and export do not list them, unless asked.
	if l, _ := s.Latest(Scope{}); len(l) != 1 || l[0].Result.Path != p["a/10/w.mp4"] {
		t.Errorf("latest without the missing: %+v", l)
	}
	if l, _ := s.Latest(Scope{IncludeMissing: true}); len(l) != 3 {
		t.Errorf("latest with the missing: %d", len(l))
	}
}

// TestForget: a folder prefix (a/1 does not reach a/10); a thumbnail
// that another stored frame names stays.
func TestForget(t *testing.T) {
	s, p := upkeepLibrary(t)
	before := thumbFiles(t, s)
	dir := filepath.Dir(p["a/1/x.mp4"])
	if f, err := s.Forget([]string{p["a/1/y.mp4"]}, false); err != nil || f.Paths != 1 || f.Thumbnails != 0 {
		t.Errorf("forget the copy: %+v %v (its thumbnail is its original's)", f, err)
	}
	if f, err := s.Forget([]string{dir}, true); err != nil || f.Paths != 1 || f.Thumbnails != 1 {
		t.Errorf("dry forget a/1: %+v %v", f, err)
	}
	if got := storedPaths(t, s); len(got) != 3 {
		t.Errorf("a dry run forgot: %v", got)
	}
	if f, err := s.Forget([]string{dir}, false); err != nil || f.Paths != 1 || f.Thumbnails != 1 {
		t.Errorf("forget a/1: %+v %v", f, err)
	}
	if got := storedPaths(t, s); !equal(got, []string{p["a/10/w.mp4"], p["b/z.mp4"]}) {
		t.Errorf("after forgetting a/1: %v", got)
	}
	if got := thumbFiles(t, s); got != before-1 {
		t.Errorf("%d thumbnails, want %d", got, before-1)
	}
	// Its cached fingerprint went too: scanning x again reads it.
	if k := scanned(t, s.ForRun(params("abc"), false), p["a/1/x.mp4"]); k.Found || !k.Read {
		t.Errorf("x after forgetting it: %+v", k)
	}
}

// TestRelocate: the prefix is rewritten without reading a file, the
// fingerprints' cache with it; a/1 does not reach a/10; a prefix that
// holds results is refused; a dry run changes nothing.
func TestRelocate(t *testing.T) {
	s, p := upkeepLibrary(t)
	a := filepath.Dir(filepath.Dir(p["a/1/x.mp4"]))
	old, mnt := filepath.Join(a, "1"), filepath.Join(filepath.Dir(a), "mnt", "1")
	if _, err := s.Relocate(old, filepath.Join(a, "10"), false); !errors.As(err, &RelocateError{}) {
		t.Errorf("relocating onto a prefix with results: %v", err)
	}
	if _, err := s.Relocate(old, filepath.Join(old, "sub"), false); err == nil {
		t.Error("relocating into itself was not refused")
	}
	if f, err := s.Relocate(old, mnt, true); err != nil || f.Paths != 2 {
		t.Errorf("dry relocate: %+v %v", f, err)
	}
	if got := storedPaths(t, s); !equal(got, []string{p["a/1/x.mp4"], p["a/1/y.mp4"], p["a/10/w.mp4"], p["b/z.mp4"]}) {
		t.Errorf("a dry run relocated: %v", got)
	}
	os.MkdirAll(filepath.Dir(mnt), 0o755)
	if err := os.Rename(old, mnt); err != nil { // the drive, mounted elsewhere (mtimes kept)
		t.Fatal(err)
	}
	if f, err := s.Relocate(old+"/", mnt, false); err != nil || f.Paths != 2 || f.Results != 2 {
		t.Fatalf("relocate: %+v %v", f, err)
	}
	x, y := filepath.Join(mnt, "x.mp4"), filepath.Join(mnt, "y.mp4")
	if got := storedPaths(t, s); !equal(got, []string{p["a/10/w.mp4"], p["b/z.mp4"], x, y}) {
		t.Errorf("after relocating: %v", got)
	}
	for _, path := range []string{x, y} {
		if k := scanned(t, s.ForRun(params("abc"), false), path); !k.Found || k.Read {
			t.Errorf("%s after relocating: found %v, read %v; want found, not read", path, k.Found, k.Read)
		}
	}
	if m, _ := s.Missing(nil); len(m) != 0 {
		t.Errorf("missing after relocating: %+v", m)
	}
}

// TestManyRoots: a shell glob's worth of PATHs (more than SQLite's
// expression depth allows as ORs) narrows find, missing and forget alike.
func TestManyRoots(t *testing.T) {
	s, p := upkeepLibrary(t)
	roots := []string{filepath.Dir(p["a/1/x.mp4"]), p["b/z.mp4"]}
	for i := 0; i < 1500; i++ {
		roots = append(roots, filepath.Join(filepath.Dir(p["b/z.mp4"]), "none", fmt.Sprint(i)))
	}
	dog, _ := query.Parse("dog")
	if m, err := s.Find(dog, query.Options{}, Scope{Roots: roots}); err != nil || len(m) != 3 {
		t.Errorf("find under %d roots: %d matches, %v; want x, y and z", len(roots), len(m), err)
	}
	os.Remove(p["b/z.mp4"])
	if m, err := s.Missing(roots); err != nil || len(m) != 1 {
		t.Errorf("missing under %d roots: %+v %v", len(roots), m, err)
	}
	if f, err := s.Forget(roots, false); err != nil || f.Paths != 3 {
		t.Errorf("forget %d roots: %+v %v", len(roots), f, err)
	}
	if got := storedPaths(t, s); !equal(got, []string{p["a/10/w.mp4"]}) {
		t.Errorf("after forgetting: %v", got)
	}
}

// TestSharedThumbsAdopted: a library that kept its thumbnails in the
// "thumbs" folder every library in its folder used to share gets a folder
// of its own when next opened, holding what its rows name; the shared
// folder is left whole for the others, and the library's upkeep no longer
// reaches it. Read-only, before adopting, it reads the shared folder and
// counts only its own thumbnails there.
func TestSharedThumbsAdopted(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "mine.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	id := Identity{Path: "/v/a.mp4", Size: 1, ModTime: 1, Params: params("m"), Revision: scan.ResultsRevision}
	if err := s.Save(id, sampleResult(id.Path), map[int][]byte{0: []byte("frame 0"), 2: []byte("frame 2")}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	// As vidsift left it before: its thumbnails in the shared folder, with
	// the default library's, one of which is the same picture as its own.
	shared := filepath.Join(dir, "thumbs")
	if err := os.Rename(ThumbnailFolder(path), shared); err != nil {
		t.Fatal(err)
	}
	other, err := Open(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	if err := other.Save(id, sampleResult(id.Path), map[int][]byte{0: []byte("frame 0"), 1: []byte("another's")}); err != nil {
		t.Fatal(err)
	}
	other.Close()
	countShared := func() int {
		n := 0
		filepath.WalkDir(shared, func(_ string, d fs.DirEntry, _ error) error {
			if d != nil && d.Type().IsRegular() {
				n++
			}
			return nil
		})
		return n
	}
	if n := countShared(); n != 3 {
		t.Fatalf("%d thumbnails in the shared folder, want 3", n)
	}
	// The default library's upkeep, before mine.db took its own: it must
	// not delete what mine.db names there (mine.db's "frame 2").
	def, err := Open(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	if f, err := def.Forget([]string{"/v"}, false); err != nil || f.Paths != 1 || f.Thumbnails != 0 {
		t.Errorf("the default library's forget beside an unadopted library: %+v %v", f, err)
	}
	def.Close()
	if n := countShared(); n != 3 {
		t.Fatalf("%d thumbnails in the shared folder after the default library's forget, want 3", n)
	}

	ro, err := OpenReadOnly(path)
	if err != nil {
		t.Fatal(err)
	}
	if n := thumbFiles(t, ro); n != 2 {
		t.Errorf("read-only before adopting: %d thumbnails counted, want its own 2", n)
	}
	ro.Close()

	s, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if n := thumbFiles(t, s); n != 2 {
		t.Errorf("after adopting: %d thumbnails, want 2", n)
	}
	st, _, err := s.Lookup(id)
	if err != nil {
		t.Fatal(err)
	}
	for idx, name := range st.Thumbs {
		if b, err := s.Thumbnail(name); err != nil || string(b) != fmt.Sprintf("frame %d", idx) {
			t.Errorf("frame %d's thumbnail: %q %v", idx, b, err)
		}
	}
	if f, err := s.Forget([]string{"/v"}, false); err != nil || f.Thumbnails != 2 {
		t.Errorf("forget: %+v %v", f, err)
	}
	if n := countShared(); n != 3 {
		t.Errorf("%d thumbnails left in the shared folder after forgetting in mine.db, want 3", n)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("left beside the libraries: %s", e.Name())
		}
	}
}

// TestForgetTouchesOnlyThumbnails: a row naming a "thumbnail" that is no
// name the library makes (a damaged or crafted library: "..x" would lie
// beside the thumbnails folder, not in it) is neither read nor deleted.
func TestForgetTouchesOnlyThumbnails(t *testing.T) {
	s, p := upkeepLibrary(t)
	outside := filepath.Join(filepath.Dir(s.thumbs), "..victim.jpg")
	if err := os.WriteFile(outside, []byte("not vidsift's"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Exec(`UPDATE frames SET thumb='..victim.jpg' WHERE file_id=(SELECT id FROM files WHERE path=?)`, p["b/z.mp4"]); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Thumbnail("..victim.jpg"); err == nil {
		t.Error("a name outside the thumbnails folder was read")
	}
	if _, err := s.Forget([]string{p["b/z.mp4"]}, false); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(outside); err != nil {
		t.Errorf("forget deleted a file outside the thumbnails folder: %v", err)
	}
}
