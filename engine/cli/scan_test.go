package cli

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"image/jpeg"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vidsift/vidsift/engine/detect"
	"github.com/vidsift/vidsift/engine/export"
	"github.com/vidsift/vidsift/internal/testenv"
)

// TestScanCLI runs `vidsift scan` on the shared media with every output and
// holds the JSON against ground_truth.json, as shared/tools/check_ground_truth.py does.
func TestScanCLI(t *testing.T) {
	isolated(t)
	root := testenv.Shared(t, "testdata")
	dir := t.TempDir()
	jsonPath, csvPath, thumbs := filepath.Join(dir, "out.json"), filepath.Join(dir, "out.csv"), filepath.Join(dir, "thumbs")
	before := detect.Loads()
	files := len(testenv.Expectations(t, filepath.Join(root, "ground_truth.json")))
	args := append([]string{"--model", testenv.Model(t), "--json", jsonPath, "--csv", csvPath, "--thumbs", thumbs}, testenv.GroundTruthMedia(t)...)
	code, stderr := scanCmd(t, args...)
	if code != ExitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if got := detect.Loads() - before; got != 1 {
		t.Errorf("the scan loaded the model %d times", got)
	}
	doc := readDoc(t, jsonPath)
	if doc.Schema != export.Schema || doc.Summary.ModelLoads != detect.Loads() || doc.Summary.OK != files || doc.Summary.Files != files {
		t.Errorf("schema %q summary %+v", doc.Schema, doc.Summary)
	}
	for _, line := range checkGroundTruth(t, doc, root) {
		t.Error(line)
	}
	if !strings.Contains(stderr, fmt.Sprintf("%d files: %d ok", files, files)) {
		t.Errorf("no summary:\n%s", stderr)
	}

	// CSV: one row per detection.
	if rows := readCSV(t, csvPath); len(rows) != doc.Summary.Detections {
		t.Errorf("%d CSV rows for %d detections", len(rows), doc.Summary.Detections)
	}

	// Thumbnails: one JPEG per keyframe, at most 320 px, named as the JSON says.
	n := 0
	for _, fl := range doc.Files {
		for _, k := range fl.Frames {
			n++
			if k.Thumbnail != export.ThumbPath(thumbs, fl.Path, k.Index) {
				t.Fatalf("thumbnail %q", k.Thumbnail)
			}
			tf, err := os.Open(k.Thumbnail)
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := jpeg.DecodeConfig(tf)
			tf.Close()
			if err != nil || max(cfg.Width, cfg.Height) > 320 {
				t.Errorf("%s: %dx%d %v", k.Thumbnail, cfg.Width, cfg.Height, err)
			}
		}
	}
	// The default policy adds gap frames where keyframes lie over 2 s apart
	// (street_bikes: 2.44 s); the ground truth's 45 keyframes all stay.
	// Reuse is on by default: the frames that repeat another's detections
	// are those the model did not run on.
	reused := 0
	for _, f := range doc.Files {
		for _, k := range f.Frames {
			if k.SameAs != nil {
				reused++
			}
		}
	}
	if s := doc.Summary; n != s.Frames || s.Keyframes != 45 || s.Frames <= s.Keyframes || s.Inferences != s.Frames-reused || s.Inferences == 0 {
		t.Errorf("%d thumbnails; summary: %d frames, %d keyframes, %d inferences (%d reused)", n, s.Frames, s.Keyframes, s.Inferences, reused)
	}
	if doc.Settings.Number("max_gap_s") != 2 || doc.Settings.Number("min_gap_s") != 0.5 {
		t.Errorf("settings name the policy: %+v", doc.Settings)
	}
}

// checkGroundTruth holds the JSON against ground_truth.json, as
// shared/tools/check_ground_truth.py does.
func checkGroundTruth(t *testing.T, doc export.Document, root string) []string {
	t.Helper()
	byPath := map[string]export.File{}
	for _, f := range doc.Files {
		byPath[f.Path] = f
	}
	var fails []string
	for rel, exp := range testenv.Expectations(t, filepath.Join(root, "ground_truth.json")) {
		f, ok := byPath[filepath.Join(root, rel)]
		if !ok || f.Status != "ok" {
			fails = append(fails, rel+": missing or not ok")
			continue
		}
		for _, why := range exp.Check(fileDets(f), strings.HasPrefix(rel, "photos/")) {
			fails = append(fails, rel+": "+why)
		}
	}
	return fails
}

// TestClassFilterCLI: --classes limits what is reported.
func TestClassFilterCLI(t *testing.T) {
	isolated(t)
	out := filepath.Join(t.TempDir(), "p.csv")
	code, stderr := scanCmd(t, "--model", testenv.Model(t), "--classes", "horse", "--csv", out, testenv.Shared(t, "testdata/photos"))
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	rows := readCSV(t, out)
	if len(rows) < 5 { // horses.jpg has 4-6, person_dog_horse.jpg 1
		t.Errorf("%d rows", len(rows))
	}
	for _, r := range rows {
		if r[4] != "horse" {
			t.Errorf("row of class %s", r[4])
		}
	}
}

func TestExitCodes(t *testing.T) {
	isolated(t)
	shared := testenv.Shared(t, "testdata/photos/horses.jpg")
	if code, _ := scanCmd(t); code != ExitUsage {
		t.Errorf("no paths: exit %d", code)
	}
	if code, _ := scanCmd(t, "--conf", "7", shared); code != ExitUsage {
		t.Errorf("bad confidence: exit %d", code)
	}
	code, stderr := scanCmd(t, "--model", testenv.Model(t), "--classes", "unicorn", shared)
	if code != ExitUsage || !strings.Contains(stderr, `unknown class "unicorn"`) || !strings.Contains(stderr, "person") {
		t.Errorf("unknown class: exit %d: %s", code, stderr)
	}
	code, stderr = scanCmd(t, "--model", testenv.Model(t), shared, filepath.Join(t.TempDir(), "gone.mp4"))
	if code != ExitSomeBad || !strings.Contains(stderr, "no such file") {
		t.Errorf("a missing file: exit %d: %s", code, stderr)
	}
	// No model anywhere (isolated: an empty data folder): exit 2 with instructions.
	code, stderr = scanCmd(t, shared)
	if code != ExitUsage || !strings.Contains(stderr, "yolo export") || !strings.Contains(stderr, "--model") {
		t.Errorf("no model: exit %d: %s", code, stderr)
	}
}

// TestLibraryReuse: a second scan reuses every stored file (summary.skipped,
// same results, exit 0), new settings and --rescan redo them, and `vidsift
// export` writes the library's results without scanning.
func TestLibraryReuse(t *testing.T) {
	isolated(t)
	root := testenv.Shared(t, "testdata")
	dir := t.TempDir()
	model := testenv.Model(t)
	first, second, third := filepath.Join(dir, "1.json"), filepath.Join(dir, "2.json"), filepath.Join(dir, "3.json")
	files := len(testenv.Expectations(t, filepath.Join(root, "ground_truth.json")))
	media := testenv.GroundTruthMedia(t)
	scanMedia := func(args ...string) (int, string) { return scanCmd(t, append(args, media...)...) }
	t.Run("second scan reuses", func(t *testing.T) {
		if code, stderr := scanMedia("--model", model, "--json", first); code != ExitOK {
			t.Fatalf("first scan: exit %d\n%s", code, stderr)
		}
		code, stderr := scanMedia("--model", model, "--json", second)
		if code != ExitOK || !strings.Contains(stderr, fmt.Sprintf("%d reused", files)) {
			t.Fatalf("second scan: exit %d\n%s", code, stderr)
		}
		for _, line := range strings.Split(stderr, "\n") {
			if strings.Contains(line, " frames  ") && !strings.HasSuffix(line, "  (from the library)") {
				t.Errorf("a reused file's line does not say so: %q", line)
			}
		}
		a, b := readDoc(t, first), readDoc(t, second)
		if a.Summary.Skipped != 0 || b.Summary.Skipped != files || b.Summary.Files != files || b.Summary.OK != files {
			t.Errorf("skipped %d then %d (%+v)", a.Summary.Skipped, b.Summary.Skipped, b.Summary)
		}
		if ja, jb := mustJSON(t, a.Files), mustJSON(t, b.Files); ja != jb {
			t.Error("reused results differ from the scanned ones")
		}
	})
	t.Run("new settings and --rescan redo", func(t *testing.T) {
		// Another confidence floor is another identity: nothing reused.
		if code, _ := scanMedia("--model", model, "--conf", "0.3", "--json", third); code != ExitOK || readDoc(t, third).Summary.Skipped != 0 {
			t.Errorf("new settings reused stored results")
		}
		if code, _ := scanMedia("--model", model, "--rescan", "--json", third); code != ExitOK || readDoc(t, third).Summary.Skipped != 0 {
			t.Errorf("--rescan reused stored results")
		}
		// Another sampling policy is another identity too.
		if code, _ := scanMedia("--model", model, "--max-gap", "0", "--json", third); code != ExitOK || readDoc(t, third).Summary.Skipped != 0 {
			t.Errorf("a keyframes-only scan reused results of the default policy")
		}
	})

	out := filepath.Join(dir, "export.json")
	t.Run("export holds the ground truth", func(t *testing.T) {
		if code, _, stderr := vidsift(t, "export", "--json", out); code != ExitOK {
			t.Fatalf("export: exit %d\n%s", code, stderr)
		}
		doc := readDoc(t, out)
		if len(doc.Files) != files {
			t.Fatalf("export has %d files, want %d", len(doc.Files), files)
		}
		for _, why := range checkGroundTruth(t, doc, root) {
			t.Error("export:", why)
		}
		if code, _, stderr := vidsift(t, "export", "--json", out, "--classes", "unicorn"); code != ExitUsage || !strings.Contains(stderr, "person") {
			t.Errorf("unknown class: exit %d: %s", code, stderr)
		}
	})
	t.Run("export narrowed to a folder and a confidence", func(t *testing.T) {
		photos := filepath.Join(root, "photos")
		wantPhotos, err := os.ReadDir(photos)
		if err != nil {
			t.Fatal(err)
		}
		narrow := filepath.Join(dir, "narrow.json")
		if code, _, stderr := vidsift(t, "export", "--json", narrow, "--conf", "0.8", photos); code != ExitOK {
			t.Fatalf("narrowed export: exit %d\n%s", code, stderr)
		}
		nd := readDoc(t, narrow)
		if len(nd.Files) != len(wantPhotos) || nd.Summary.Files != len(wantPhotos) || nd.Settings.Number("confidence") != 0.8 {
			t.Errorf("narrowed export: %d files (summary %d), %d photos; confidence %v", len(nd.Files), nd.Summary.Files, len(wantPhotos), nd.Settings.Number("confidence"))
		}
		all := 0
		for _, f := range readDoc(t, out).Files {
			if strings.HasPrefix(f.Path, photos+"/") {
				all += countDetections(f, 0.8)
			}
		}
		kept := 0
		for _, f := range nd.Files {
			if !strings.HasPrefix(f.Path, photos+"/") {
				t.Errorf("outside %s: %s", photos, f.Path)
			}
			if countDetections(f, 0) != countDetections(f, 0.8) {
				t.Errorf("%s holds detections below 0.8", f.Path)
			}
			kept += countDetections(f, 0)
		}
		if kept == 0 || kept != all || nd.Summary.Detections != kept {
			t.Errorf("narrowed export kept %d detections (summary %d), the full one has %d at ≥ 0.8", kept, nd.Summary.Detections, all)
		}
		if code, _, stderr := vidsift(t, "export", "--json", narrow, filepath.Join(dir, "nothing-here")); code != ExitUsage || !strings.Contains(stderr, "holds nothing") {
			t.Errorf("export of an unknown folder: exit %d: %s", code, stderr)
		}
	})
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// countDetections counts a file's detections of at least conf.
func countDetections(f export.File, conf float64) int {
	n := 0
	for _, k := range f.Frames {
		for _, d := range k.Detections {
			if d.Confidence >= conf {
				n++
			}
		}
	}
	return n
}

// TestUnusableLibrary: a --library that is not a library (not SQLite,
// another program's database, a folder) or a damaged one stops the scan
// (exit 2, the file left as it was, nothing written) with words that tell
// them apart; one written by a newer vidsift is warned about and the scan
// goes on without it, saying so.
func TestUnusableLibrary(t *testing.T) {
	lib := isolated(t)
	photo := testenv.Shared(t, "testdata/photos/horses.jpg")
	if code, stderr := scanCmd(t, "--model", testenv.Model(t), photo); code != ExitOK {
		t.Fatalf("scan into a library: exit %d\n%s", code, stderr)
	}
	whole, err := os.ReadFile(lib)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	junk, truncated, folder, other, newer := filepath.Join(dir, "junk.db"), filepath.Join(dir, "truncated.db"), filepath.Join(dir, "folder.db"), filepath.Join(dir, "other.db"), filepath.Join(dir, "newer.db")
	testenv.WriteFile(t, junk, []byte(strings.Repeat("not sqlite ", 200)), 0o644)
	testenv.WriteFile(t, truncated, whole[:len(whole)/2], 0o644)
	testenv.WriteFile(t, newer, whole, 0o644)
	if err := os.Mkdir(folder, 0o755); err != nil {
		t.Fatal(err)
	}
	for path, q := range map[string]string{other: `CREATE TABLE notes (text TEXT)`, newer: `PRAGMA user_version = 1000`} {
		db, err := sql.Open("sqlite", path)
		if err == nil {
			_, err = db.Exec(q)
			db.Close()
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	otherBefore, _ := os.ReadFile(other)
	for path, want := range map[string][]string{
		junk:      {"not a vidsift library", "not a SQLite database"},
		other:     {"not a vidsift library", "another program"},
		folder:    {"not a vidsift library", "folder"},
		truncated: {"damaged", "truncated or corrupt", "backup"},
	} {
		out := filepath.Join(t.TempDir(), "scan.json")
		code, stderr := scanCmd(t, "--model", testenv.Model(t), "--library", path, "--json", out, photo)
		if code != ExitUsage || strings.Contains(stderr, "scanning without") {
			t.Errorf("%s: exit %d, want %d\n%s", filepath.Base(path), code, ExitUsage, stderr)
		}
		for _, w := range want {
			if !strings.Contains(stderr, w) {
				t.Errorf("%s: %q not said\n%s", filepath.Base(path), w, stderr)
			}
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("%s: the scan ran and wrote %s", filepath.Base(path), out)
		}
	}
	if otherAfter, _ := os.ReadFile(other); string(otherAfter) != string(otherBefore) {
		t.Error("another program's database was changed")
	}
	if code, _, stderr := vidsift(t, "find", "--library", truncated, "horse"); code != ExitUsage || !strings.Contains(stderr, "damaged") {
		t.Errorf("find in the truncated library: exit %d\n%s", code, stderr)
	}
	code, stderr := scanCmd(t, "--model", testenv.Model(t), "--library", newer, photo)
	if code != ExitOK || !strings.Contains(stderr, "scanning without the results library") || !strings.Contains(stderr, "newer vidsift") {
		t.Errorf("a newer library: exit %d\n%s", code, stderr)
	}
}

// TestOtherModelCLI: a user's own detector (3 classes, a dynamic 256×416
// input; testdata/gen) scans like yolov8n: its classes and input size come
// from the model, --classes checks against its names, and a model whose
// names disagree with its output is refused before any file is read.
func TestOtherModelCLI(t *testing.T) {
	isolated(t)
	model := testenv.Fixture(t, "models/cats_dynamic_256x416.onnx")
	video := testenv.Fixture(t, "h264.mp4") // 640×424, 2 keyframes
	out := filepath.Join(t.TempDir(), "cats.json")
	code, stderr := scanCmd(t, "--model", model, "--json", out, video)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	doc := readDoc(t, out)
	if strings.Join(doc.Model.Classes, ",") != "cat,hat,bat" || doc.Model.InputSize != [2]int{416, 256} {
		t.Errorf("model %+v", doc.Model)
	}
	// The model's box (96,128)-(224,192) in input pixels, mapped by hand:
	// 640×424 × 256/424 → 386×256, padded 15 px on the left.
	r := 256.0 / 424
	want := [4]float64{(96 - 15) / r, 128 / r, (224 - 15) / r, 192 / r}
	if len(doc.Files) != 1 || len(doc.Files[0].Frames) != 2 {
		t.Fatalf("files %+v", doc.Files)
	}
	for _, k := range doc.Files[0].Frames {
		if len(k.Detections) != 1 || k.Detections[0].Class != "cat" || k.Detections[0].Confidence != 0.9 {
			t.Errorf("keyframe %d: %+v", k.Index, k.Detections)
			continue
		}
		for i, v := range k.Detections[0].Box {
			if d := v - want[i]; d > 0.5 || d < -0.5 {
				t.Errorf("keyframe %d: box %v, want %v", k.Index, k.Detections[0].Box, want)
				break
			}
		}
	}

	code, stderr = scanCmd(t, "--model", model, "--classes", "person", video)
	if code != ExitUsage || !strings.Contains(stderr, "cat, hat, bat") {
		t.Errorf("--classes person: exit %d: %s", code, stderr)
	}
	code, stderr = scanCmd(t, "--model", testenv.Fixture(t, "models/cats_wrong_names.onnx"), video)
	if code != ExitUsage || !strings.Contains(stderr, "does not fit 5 classes") {
		t.Errorf("names/output mismatch: exit %d: %s", code, stderr)
	}
}

// TestSamplingFlags: the policy comes from flags (seconds or durations) and
// is named in the JSON; a bad value is a usage error that says why.
func TestSamplingFlags(t *testing.T) {
	isolated(t)
	video := testenv.Fixture(t, "static_10s_gop.mp4") // 30 s, keyframes every 10 s
	out := filepath.Join(t.TempDir(), "s.json")
	code, stderr := scanCmd(t, "--model", testenv.Model(t), "--max-gap", "5", "--min-gap", "0", "--reuse-similar=false", "--json", out, video)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	doc := readDoc(t, out)
	if s := doc.Settings; s.Number("max_gap_s") != 5 || s.Number("min_gap_s") != 0 || s.Switch("reuse_similar") {
		t.Errorf("settings %+v", s)
	}
	if s := doc.Summary; s.Keyframes != 3 || s.Frames != 6 || s.Inferences != 6 {
		t.Errorf("a 5 s gap over 10 s GOPs: %d frames, %d keyframes, %d inferences; want 6, 3, 6", s.Frames, s.Keyframes, s.Inferences)
	}
	if strings.Contains(stderr, "hint:") {
		t.Errorf("a hint with gap frames on:\n%s", stderr)
	}
	if !doc.Settings.Switch("cuts") {
		t.Error("cut frames off by default")
	}
	code, stderr = scanCmd(t, "--model", testenv.Model(t), "--max-gap", "0", "--cuts", "--json", out, video)
	if code != ExitOK || !strings.Contains(stderr, "hint: in 1 file(s) keyframes lie more than 5 s apart (up to 10.0 s)") || !strings.Contains(stderr, "--max-gap") {
		t.Errorf("keyframes only on a 10 s GOP: exit %d, no hint:\n%s", code, stderr)
	}
	if readDoc(t, out).Settings.Switch("cuts") {
		t.Error("keyframes only records cuts: true")
	}
	if code, stderr := scanCmd(t, "--max-gap", "soon", video); code != ExitUsage || !strings.Contains(stderr, "neither seconds") {
		t.Errorf("a bad gap: exit %d: %s", code, stderr)
	}
}

// TestCutFramesCLI: on edited footage every output says which frames are
// cut frames — the JSON's kind (key stays false), the CSV's last column
// and the summary line — and --cuts=false leaves them out.
func TestCutFramesCLI(t *testing.T) {
	isolated(t)
	video := testenv.Fixture(t, "shots/compilation_h264.mp4")
	dir := t.TempDir()
	js, csvPath := filepath.Join(dir, "c.json"), filepath.Join(dir, "c.csv")
	code, stderr := scanCmd(t, "--model", testenv.Model(t), "--library", "off", "--json", js, "--csv", csvPath, video)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	doc := readDoc(t, js)
	cuts := 0
	for _, k := range doc.Files[0].Frames {
		switch {
		case k.Kind == "cut" && !k.Key:
			cuts++
		case k.Kind == "cut", k.Kind == "key" && !k.Key, k.Kind == "gap" && k.Key, k.Kind != "key" && k.Kind != "gap":
			t.Errorf("frame %d: kind %q, key %v", k.Index, k.Kind, k.Key)
		}
	}
	if cuts < 8 || doc.Summary.Cuts != cuts || !strings.Contains(stderr, fmt.Sprintf("%d cut frames", cuts)) {
		t.Errorf("%d cut frames in the JSON, summary %d:\n%s", cuts, doc.Summary.Cuts, stderr)
	}
	csvCuts := map[string]bool{}
	kind := slices.Index(export.CSVHeader, "kind")
	for _, r := range readCSV(t, csvPath) {
		if r[kind] == "cut" {
			csvCuts[r[2]] = true
		}
	}
	if len(csvCuts) == 0 {
		t.Error("no CSV row of a cut frame")
	}
	if code, stderr := scanCmd(t, "--model", testenv.Model(t), "--library", "off", "--cuts=false", "--json", js, video); code != ExitOK || readDoc(t, js).Summary.Cuts != 0 || readDoc(t, js).Settings.Switch("cuts") {
		t.Errorf("--cuts=false: exit %d, %+v\n%s", code, readDoc(t, js).Summary, stderr)
	}
}

// TestSettingsBlock: the JSON's settings say how its results were made:
// those of the scan; and in an export from the library, each file's own
// (workers and threads are not recorded there), naming the settings that
// differ between the files rather than inventing one value.
func TestSettingsBlock(t *testing.T) {
	isolated(t)
	videos, photos := testenv.Shared(t, "testdata/videos"), testenv.Shared(t, "testdata/photos")
	dir := t.TempDir()
	model := testenv.Model(t)
	const custom = `{"confidence":0.25,"iou":0.7,"classes":[],"workers":1,"threads":2,"max_gap_s":1,"min_gap_s":0,"reuse_similar":false,"cuts":true,"rect":false}`
	out := filepath.Join(dir, "scan.json")
	if code, stderr := scanCmd(t, "--model", model, "--workers", "1", "--threads", "2", "--max-gap", "1", "--min-gap", "0", "--reuse-similar=false",
		"--json", out, videos); code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	doc := readDoc(t, out)
	testenv.SettingsHold(t, doc.Settings, custom)
	if doc.Files[0].Settings != nil {
		t.Errorf("scan --json: a file with settings of its own %+v", doc.Files[0].Settings)
	}
	sha := doc.Model.SHA256
	if code, stderr := scanCmd(t, "--model", model, "--workers", "1", "--threads", "2", photos); code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}

	fromLibrary := strings.Replace(custom, `"workers":1,"threads":2`, `"workers":0,"threads":0`, 1)
	lib := filepath.Join(dir, "videos.json")
	if code, _, stderr := vidsift(t, "export", "--json", lib, videos); code != ExitOK {
		t.Fatalf("export: exit %d: %s", code, stderr)
	}
	doc = readDoc(t, lib)
	testenv.SettingsHold(t, doc.Settings, fromLibrary)
	if doc.Model.SHA256 != sha || doc.Model.InputSize != [2]int{640, 640} || len(doc.Model.Classes) != 80 {
		t.Errorf("export --json: model %s %v, %d classes", doc.Model.SHA256, doc.Model.InputSize, len(doc.Model.Classes))
	}
	if code, _, stderr := vidsift(t, "export", "--json", lib, "--conf", "0.5", videos); code != ExitOK || readDoc(t, lib).Settings.Number("confidence") != 0.5 {
		t.Errorf("export --conf 0.5: exit %d, confidence %v: %s", code, readDoc(t, lib).Settings.Number("confidence"), stderr)
	}

	all := filepath.Join(dir, "all.json")
	if code, _, stderr := vidsift(t, "export", "--json", all); code != ExitOK {
		t.Fatalf("export: exit %d: %s", code, stderr)
	}
	doc = readDoc(t, all)
	const mixed = `{"confidence":0.25,"iou":0.7,"classes":[],"workers":0,"threads":0,"max_gap_s":0,"min_gap_s":0,"reuse_similar":false,"cuts":true,"rect":false,"mixed":["max_gap_s","min_gap_s","reuse_similar"]}`
	testenv.SettingsHold(t, doc.Settings, mixed)
	if doc.Model.SHA256 != sha {
		t.Errorf("export of mixed settings: model %s", doc.Model.SHA256)
	}
	for _, f := range doc.Files {
		want := `{"model_sha256":"` + sha + `","input_size":[640,640],"confidence":0.25,"iou":0.7,"max_gap_s":1,"min_gap_s":0,"reuse_similar":false,"cuts":true,"rect":false}`
		if strings.HasPrefix(f.Path, photos) {
			want = `{"model_sha256":"` + sha + `","input_size":[640,640],"confidence":0.25,"iou":0.7,"max_gap_s":2,"min_gap_s":0.5,"reuse_similar":true,"cuts":true,"rect":false}`
		}
		if f.Settings == nil {
			t.Fatalf("%s: no settings of its own", f.Path)
		}
		testenv.SettingsHold(t, f.Settings, want)
	}
}

// TestRectCLI: --rect (on by default) runs a model of dynamic input size
// on each frame's own rectangle, and the summary and the JSON say how it
// ran; a model whose "dynamic" axes refuse the rectangle fails each file
// with a reason naming the model and the shape, while what the library
// holds from a square scan stays, and --rect=false scans as before.
func TestRectCLI(t *testing.T) {
	isolated(t)
	photo := testenv.Shared(t, "testdata/photos/coffee_cup.png") // 600×400: 384×256 in a 416×256 model, and on its rectangle
	squareOnly := testenv.Fixture(t, "models/cats_dynamic_square_only.onnx")
	dir := t.TempDir()
	out := filepath.Join(dir, "square.json")
	code, stderr := scanCmd(t, "--model", squareOnly, "--rect=false", "--json", out, photo)
	if code != ExitOK || !strings.Contains(stderr, "; model square 416×256") {
		t.Fatalf("--rect=false: exit %d:\n%s", code, stderr)
	}
	if doc := readDoc(t, out); doc.Settings.Switch("rect") || doc.Files[0].Status != "ok" || len(doc.Files[0].Frames[0].Detections) != 1 {
		t.Errorf("square scan: rect %v, %+v", doc.Settings.Switch("rect"), doc.Files[0])
	}

	out = filepath.Join(dir, "rect.json")
	code, stderr = scanCmd(t, "--model", squareOnly, "--json", out, photo)
	f := readDoc(t, out).Files[0]
	if code != ExitSomeBad || f.Status != "failed" || !strings.Contains(f.Error, squareOnly) || !strings.Contains(f.Error, "384×256") ||
		!strings.Contains(f.Error, "rectangular inference off") || !strings.Contains(stderr, "; model rectangular, stride 32") {
		t.Errorf("a rectangle the model refuses: exit %d, %s %q\n%s", code, f.Status, f.Error, stderr)
	}
	if code, stderr := scanCmd(t, "--model", squareOnly, "--rect=false", photo); code != ExitOK || !strings.Contains(stderr, "1 reused from the library") {
		t.Errorf("the square result was lost: exit %d\n%s", code, stderr)
	}

	// A static model is square whatever is asked, and its JSON says so.
	out = filepath.Join(dir, "static.json")
	if code, stderr := scanCmd(t, "--model", testenv.Model(t), "--library", "off", "--json", out, photo); code != ExitOK ||
		readDoc(t, out).Settings.Switch("rect") || !strings.Contains(stderr, "; model square 640×640") {
		t.Errorf("static model: exit %d, rect %v\n%s", code, readDoc(t, out).Settings.Switch("rect"), stderr)
	}
	// The dynamic int8 model runs rectangular, and finds the cup.
	out = filepath.Join(dir, "dynamic.json")
	code, stderr = scanCmd(t, "--model", testenv.Shared(t, "models/yolov8n_int8_dynamic.onnx"), "--library", "off", "--json", out, photo)
	doc := readDoc(t, out)
	if code != ExitOK || !doc.Settings.Switch("rect") || !strings.Contains(stderr, "; model rectangular, stride 32") || countDetections(doc.Files[0], 0.25) == 0 {
		t.Errorf("dynamic model: exit %d, rect %v, %+v\n%s", code, doc.Settings.Switch("rect"), doc.Files[0].Frames, stderr)
	}
}
