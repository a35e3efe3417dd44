package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/vidsift/vidsift/engine/export"
	"github.com/vidsift/vidsift/engine/store"
	"github.com/vidsift/vidsift/internal/testenv"
)

// fillDisk writes zeros under dir until its file system is full, then
// frees room bytes: a disk that fills up during the next run.
func fillDisk(t *testing.T, dir string, room int64) {
	t.Helper()
	f, err := os.Create(filepath.Join(dir, "filler"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 4096)
	var size int64
	for {
		n, err := f.Write(chunk)
		size += int64(n)
		if err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			break
		}
	}
	if err := f.Truncate(max(size-room, 0)); err != nil {
		t.Fatal(err)
	}
}

// smallDisk mounts a 2 MiB file system for the test (root only, as CI
// runs the tests) and returns its folder.
func smallDisk(t *testing.T) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("mounting a small file system needs root (CI runs as root)")
	}
	mnt := filepath.Join(t.TempDir(), "small")
	if err := os.Mkdir(mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mnt).CombinedOutput(); err != nil {
		t.Fatalf("mount: %v: %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", mnt).CombinedOutput(); err != nil {
			t.Errorf("umount: %v: %s", err, out)
		}
	})
	return mnt
}

// TestNewLibraryOnFullDisk: a library that cannot even be created (its
// disk is full) does not stop the scan: it warns that nothing is stored,
// and --json holds every file. Only a file that is not a library, or a
// damaged one, stops a scan (TestUnusableLibrary).
func TestNewLibraryOnFullDisk(t *testing.T) {
	isolated(t)
	mnt := smallDisk(t)
	fillDisk(t, mnt, 0)
	js := filepath.Join(t.TempDir(), "out.json")
	clip := filepath.Join(testenv.Shared(t, "testdata/videos"), "plant_cup_realshort.mp4")
	code, stdout, stderr := vidsift(t, "scan", "--model", testenv.Model(t), "--library", filepath.Join(mnt, "new.db"), "--json", js, clip)
	if code != ExitOK || !strings.Contains(stderr, "warning: scanning without the results library") {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	if doc := readDoc(t, js); len(doc.Files) != 1 || doc.Files[0].Status != "ok" || len(doc.Files[0].Frames) == 0 {
		t.Errorf("the JSON: %+v", doc.Files)
	}
}

// storedPaths are the paths the library at path holds.
func storedPaths(t *testing.T, path string) map[string]bool {
	t.Helper()
	db, err := store.OpenReadOnly(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	stored, err := db.Latest(store.Scope{IncludeMissing: true})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, st := range stored {
		out[st.Result.Path] = true
	}
	return out
}

// checkKeptOrSaid holds a scan's per-file lines against the library: a
// file is stored, or its line says it is not; the summary counts those not.
func checkKeptOrSaid(t *testing.T, stdout string, files []string, stored map[string]bool) (notStored int) {
	t.Helper()
	lines := strings.Split(stdout, "\n")
	for _, path := range files {
		found := false
		for _, line := range lines {
			if !strings.Contains(line, "  "+path+"  ") {
				continue
			}
			found = true
			if said := strings.Contains(line, "(not stored in the library)"); said == stored[path] {
				t.Errorf("%s: stored %v, line %q", path, stored[path], line)
			}
		}
		if !found {
			t.Errorf("no line for %s in:\n%s", path, stdout)
		}
		if !stored[path] {
			notStored++
		}
	}
	return notStored
}

// TestLibraryOnFullDisk: a library on a full disk keeps nothing more; each
// file's line says it was not stored, the summary counts them and says
// why, and --json and --csv (on a disk with room) hold every file's
// detections with the status its scan had.
func TestLibraryOnFullDisk(t *testing.T) {
	isolated(t)
	dir := t.TempDir()
	mnt := smallDisk(t)
	lib := filepath.Join(mnt, "library.db")
	db, err := store.Open(lib)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	// Room to open the library and keep a few files: it fills up as the
	// scan goes.
	fillDisk(t, mnt, 128<<10)

	root := testenv.Shared(t, "testdata")
	js, csvPath := filepath.Join(dir, "out.json"), filepath.Join(dir, "out.csv")
	code, stdout, stderr := vidsift(t, "scan", "--model", testenv.Model(t), "--library", lib, "--json", js, "--csv", csvPath,
		filepath.Join(root, "videos"), filepath.Join(root, "photos"))
	doc := readDoc(t, js)
	if files := len(testenv.Expectations(t, filepath.Join(root, "ground_truth.json"))); len(doc.Files) != files || doc.Summary.OK != files {
		t.Fatalf("the JSON holds %d files, %d ok; want %d ok\n%s%s", len(doc.Files), doc.Summary.OK, files, stdout, stderr)
	}
	for _, why := range checkGroundTruth(t, doc, root) {
		t.Error("JSON:", why)
	}
	if rows := readCSV(t, csvPath); len(rows) != doc.Summary.Detections || len(rows) == 0 {
		t.Errorf("%d CSV rows for %d detections", len(rows), doc.Summary.Detections)
	}
	var files []string
	for _, f := range doc.Files {
		files = append(files, f.Path)
	}
	notStored := checkKeptOrSaid(t, stdout, files, storedPaths(t, lib))
	if notStored == 0 || code != ExitSomeBad || !strings.Contains(stdout, "not stored in the library: ") {
		t.Errorf("%d files not stored; exit %d\n%s%s", notStored, code, stdout, stderr)
	}
	if doc.Summary.NotStored != notStored {
		t.Errorf("the JSON's summary counts %d not stored, the library lacks %d", doc.Summary.NotStored, notStored)
	}
	stored := storedPaths(t, lib)
	for _, f := range doc.Files {
		if (f.LibraryError == "") != stored[f.Path] {
			t.Errorf("%s: stored %v, library_error %q in the JSON", f.Path, stored[f.Path], f.LibraryError)
		}
	}
}

// TestLibraryCannotKeepThumbnails: a library whose thumbnail folder cannot
// be made keeps no file (their rows would name missing thumbnails), and
// says so for each; the JSON still holds them all.
func TestLibraryCannotKeepThumbnails(t *testing.T) {
	lib := isolated(t)
	db, err := store.Open(lib)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	testenv.WriteFile(t, filepath.Join(filepath.Dir(lib), "thumbs"), []byte("a file where the folder goes"), 0o644)
	photos := testenv.Shared(t, "testdata/photos")
	js := filepath.Join(t.TempDir(), "out.json")
	code, stdout, stderr := vidsift(t, "scan", "--model", testenv.Model(t), "--json", js, photos)
	doc := readDoc(t, js)
	var files []string
	for _, f := range doc.Files {
		files = append(files, f.Path)
		if f.Status != "ok" || len(f.Frames) == 0 {
			t.Errorf("%s: %s, %d frames", f.Path, f.Status, len(f.Frames))
		}
	}
	if n := checkKeptOrSaid(t, stdout, files, storedPaths(t, lib)); n != len(files) || n == 0 || code != ExitSomeBad ||
		!strings.Contains(stdout, "not stored in the library: ") || !strings.Contains(stdout, "thumbnail cache") {
		t.Errorf("%d of %d files not stored; exit %d\n%s%s", n, len(files), code, stdout, stderr)
	}
}

// TestScanOutputs: scan's per-file lines and summary go to stdout, and
// its progress and notices to stderr; a name with a newline is escaped,
// not printed as two lines; failures are counted by reason after the
// lines; and with --json - or --csv - the export takes stdout alone.
func TestScanOutputs(t *testing.T) {
	isolated(t)
	model := testenv.Model(t)
	dir := t.TempDir()
	video := testenv.Fixture(t, "h264.mp4")
	plain, forged := filepath.Join(dir, "plain.mp4"), filepath.Join(dir, "forged\nok         2 frames  /x.mp4  cat×1.mp4")
	testenv.Symlink(t, video, plain)
	testenv.Symlink(t, video, forged)
	for _, name := range []string{"junk1.mp4", "junk2.mp4"} {
		testenv.WriteFile(t, filepath.Join(dir, name), bytes.Repeat([]byte{0x13, 0x37, 0x42}, 5000), 0o644)
	}
	testenv.WriteFile(t, filepath.Join(dir, "empty.mp4"), nil, 0o644)

	code, stdout, stderr := vidsift(t, "scan", "--model", model, "--library", "off", dir)
	if code != ExitSomeBad {
		t.Errorf("exit %d", code)
	}
	lines := strings.Split(stdout, "\n")
	for _, path := range []string{plain, strconv.Quote(forged)} {
		if !slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, "ok ") && strings.Contains(l, "  "+path+"  ") }) {
			t.Errorf("no ok line for %s on stdout:\n%s", path, stdout)
		}
	}
	if slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, "ok         2 frames  /x.mp4") }) {
		t.Errorf("a file name forged a line:\n%s", stdout)
	}
	if !strings.Contains(stdout, "5 files: 2 ok, 0 partial, 3 failed") || !strings.Contains(stdout, "\nfailed: 2 × ") || !strings.Contains(stdout, ", 1 × empty file (0 bytes)\n") {
		t.Errorf("no summary with the failures by reason on stdout:\n%s", stdout)
	}
	if strings.Contains(stderr, "frames  ") || strings.Contains(stderr, "5 files") {
		t.Errorf("results on stderr:\n%s", stderr)
	}

	// A file the library answers for says so.
	for range 2 {
		code, stdout, stderr = vidsift(t, "scan", "--model", model, plain)
	}
	if code != ExitOK || !strings.Contains(stdout, "  "+plain+"  ") || !strings.Contains(stdout, "  (from the library)\n") {
		t.Errorf("a file reused from the library: exit %d\n%s%s", code, stdout, stderr)
	}

	code, stdout, stderr = vidsift(t, "scan", "--model", model, "--library", "off", "--json", "-", plain)
	var doc export.Document
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil || code != ExitOK || len(doc.Files) != 1 || doc.Files[0].Path != plain {
		t.Errorf("--json -: exit %d, %v, stdout:\n%s", code, err, stdout)
	}
	if !strings.Contains(stderr, "  "+plain+"  ") || !strings.Contains(stderr, "1 files: 1 ok") {
		t.Errorf("--json -: the results are not on stderr:\n%s", stderr)
	}
	code, stdout, stderr = vidsift(t, "scan", "--model", model, "--library", "off", "--csv", "-", plain)
	rows, err := export.DecodeCSV(strings.NewReader(stdout))
	if err != nil || code != ExitOK || len(rows) != doc.Summary.Detections || !strings.Contains(stderr, "1 files: 1 ok") {
		t.Errorf("--csv -: exit %d, %v, %d rows for %d detections\n%s\n%s", code, err, len(rows), doc.Summary.Detections, stdout, stderr)
	}
	if _, err := os.Stat("-"); err == nil {
		t.Error("a file named - was written")
	}
	if code, _, stderr := vidsift(t, "scan", "--model", model, "--json", "-", "--csv", "-", plain); code != ExitUsage || !strings.Contains(stderr, "standard output") {
		t.Errorf("--json - --csv -: exit %d: %s", code, stderr)
	}
}

// TestOutputIsFolder: --json or --csv naming a folder is refused before
// the work, saying it is a folder, and nothing claims success.
func TestOutputIsFolder(t *testing.T) {
	isolated(t)
	model := testenv.Model(t)
	photo := testenv.Shared(t, "testdata/photos/horses.jpg")
	folder := t.TempDir()
	code, stdout, stderr := vidsift(t, "scan", "--model", model, "--csv", folder, photo)
	if code != ExitUsage || !strings.Contains(stderr, "--csv: cannot write "+folder+": it is a folder") || strings.Contains(stdout+stderr, "frames  ") {
		t.Errorf("scan --csv FOLDER: exit %d\n%s%s", code, stdout, stderr)
	}
	if code, _, stderr := vidsift(t, "scan", "--model", model, photo); code != ExitOK {
		t.Fatalf("scan: exit %d: %s", code, stderr)
	}
	for _, flag := range []string{"--json", "--csv", "--coco"} {
		code, stdout, stderr := vidsift(t, "export", flag, folder)
		if code != ExitUsage || !strings.Contains(stderr, flag+": cannot write "+folder+": it is a folder") || strings.Contains(stderr, "exported") {
			t.Errorf("export %s FOLDER: exit %d\n%s%s", flag, code, stdout, stderr)
		}
	}
	code, stdout, stderr = vidsift(t, "export", "--json", "-")
	var doc export.Document
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil || code != ExitOK || len(doc.Files) != 1 || !strings.Contains(stderr, "exported 1 files") {
		t.Errorf("export --json -: exit %d, %v\n%s%s", code, err, stdout, stderr)
	}
}

// TestLabelExportReplaces: `export --yolo DIR` (and --coco's images) into
// an earlier export replaces it, so data.yaml trains on this export
// alone; a folder of other files is refused, before any work, unless
// --force, which deletes none of them.
func TestLabelExportReplaces(t *testing.T) {
	isolated(t)
	photos := testenv.Shared(t, "testdata/photos")
	if code, stdout, stderr := vidsift(t, "scan", "--model", testenv.Model(t), photos); code != ExitOK {
		t.Fatalf("scan: exit %d\n%s%s", code, stdout, stderr)
	}
	dir := t.TempDir()
	yolo, coco := filepath.Join(dir, "yolo"), filepath.Join(dir, "coco.json")
	images := func(folder string) []string {
		entries, err := os.ReadDir(folder)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), ".jpg") || strings.HasSuffix(e.Name(), ".txt") {
				out = append(out, e.Name())
			}
		}
		return out
	}
	for _, args := range [][]string{{}, {filepath.Join(photos, "horses.jpg")}} {
		if code, _, stderr := vidsift(t, append([]string{"export", "--yolo", yolo, "--coco", coco}, args...)...); code != ExitOK {
			t.Fatalf("export %v: exit %d\n%s", args, code, stderr)
		}
	}
	for _, folder := range []string{filepath.Join(yolo, "images"), filepath.Join(yolo, "labels"), filepath.Join(dir, "coco_images")} {
		if got := images(folder); len(got) != 1 {
			t.Errorf("%s after a 1-image export over a 6-image one: %v", folder, got)
		}
	}

	theirs := t.TempDir()
	testenv.WriteFile(t, filepath.Join(theirs, "notes.txt"), []byte("mine"), 0o644)
	code, stdout, stderr := vidsift(t, "export", "--yolo", theirs)
	if code != ExitUsage || !strings.Contains(stderr, "holds no vidsift export") || !strings.Contains(stderr, "--force") || strings.Contains(stderr, "exported") {
		t.Errorf("--yolo into a folder of other files: exit %d\n%s%s", code, stdout, stderr)
	}
	if code, _, stderr := vidsift(t, "export", "--yolo", theirs, "--force"); code != ExitOK || len(images(filepath.Join(theirs, "images"))) != 6 {
		t.Errorf("--force: exit %d\n%s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(theirs, "notes.txt")); err != nil {
		t.Errorf("--force deleted a file vidsift did not write: %v", err)
	}
}
