package cli

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vidsift/vidsift/engine/detect"
	"github.com/vidsift/vidsift/engine/export"
	"github.com/vidsift/vidsift/engine/testenv"
)

// readDoc reads a scan JSON written by a test.
func readDoc(t *testing.T, path string) export.Document {
	t.Helper()
	var doc export.Document
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

func scan(t *testing.T, args ...string) (int, string) {
	t.Helper()
	t.Setenv("VIDSIFT_ONNXRUNTIME_LIBRARY", testenv.Library(t))
	if os.Getenv("VIDSIFT_LIBRARY") == "" {
		t.Setenv("VIDSIFT_LIBRARY", filepath.Join(t.TempDir(), "library.db")) // never the user's
	}
	var out, errb bytes.Buffer
	code := Scan(args, &out, &errb)
	return code, errb.String()
}

// TestScanCLI runs `vidsift scan` on the shared media with every output and
// holds the JSON against ground_truth.json, as shared/tools/check_ground_truth.py does.
func TestScanCLI(t *testing.T) {
	root := testenv.Shared(t, "testdata")
	dir := t.TempDir()
	jsonPath, csvPath, thumbs := filepath.Join(dir, "out.json"), filepath.Join(dir, "out.csv"), filepath.Join(dir, "thumbs")
	before := detect.Loads()
	code, stderr := scan(t, "--model", testenv.Model(t), "--json", jsonPath, "--csv", csvPath, "--thumbs", thumbs, root)
	if code != ExitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if got := detect.Loads() - before; got != 1 {
		t.Errorf("the scan loaded the model %d times", got)
	}
	doc := readDoc(t, jsonPath)
	if doc.Schema != export.Schema || doc.Summary.ModelLoads != 1 || doc.Summary.OK != 11 || doc.Summary.Files != 11 {
		t.Errorf("schema %q summary %+v", doc.Schema, doc.Summary)
	}
	for _, line := range checkGroundTruth(t, doc, root) {
		t.Error(line)
	}
	if !strings.Contains(stderr, "11 files: 11 ok") {
		t.Errorf("no summary on stderr:\n%s", stderr)
	}

	// CSV: one row per detection.
	f, _ := os.Open(csvPath)
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil || len(rows) != doc.Summary.Detections+1 {
		t.Errorf("%d CSV rows for %d detections (%v)", len(rows), doc.Summary.Detections, err)
	}

	// Thumbnails: one JPEG per keyframe, at most 320 px, named as the JSON says.
	n := 0
	for _, fl := range doc.Files {
		for _, k := range fl.Keyframes {
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
	if n != doc.Summary.Keyframes || n != 45 {
		t.Errorf("%d thumbnails, %d keyframes", n, doc.Summary.Keyframes)
	}
}

// checkGroundTruth holds the JSON against ground_truth.json, as
// shared/tools/check_ground_truth.py does.
func checkGroundTruth(t *testing.T, doc export.Document, root string) []string {
	byPath := map[string]export.File{}
	for _, f := range doc.Files {
		byPath[f.Path] = f
	}
	var fails []string
	for rel, exp := range testenv.LoadExpectations(t, filepath.Join(root, "ground_truth.json")) {
		f, ok := byPath[filepath.Join(root, rel)]
		if !ok || f.Status != "ok" {
			fails = append(fails, rel+": missing or not ok")
			continue
		}
		kfs := make([][]testenv.Det, len(f.Keyframes))
		for i, k := range f.Keyframes {
			for _, d := range k.Detections {
				kfs[i] = append(kfs[i], testenv.Det{Class: d.Class, Box: d.Box})
			}
		}
		for _, why := range exp.Check(kfs, strings.HasPrefix(rel, "photos/")) {
			fails = append(fails, rel+": "+why)
		}
	}
	return fails
}

// TestClassFilterCLI: --classes limits what is reported.
func TestClassFilterCLI(t *testing.T) {
	out := filepath.Join(t.TempDir(), "p.csv")
	code, stderr := scan(t, "--model", testenv.Model(t), "--classes", "horse", "--csv", out, testenv.Shared(t, "testdata/photos"))
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	raw, _ := os.ReadFile(out)
	rows, _ := csv.NewReader(bytes.NewReader(raw)).ReadAll()
	if len(rows) < 6 { // horses.jpg has 4-6, person_dog_horse.jpg 1
		t.Errorf("%d rows", len(rows))
	}
	for _, r := range rows[1:] {
		if r[3] != "horse" {
			t.Errorf("row of class %s", r[3])
		}
	}
}

func TestExitCodes(t *testing.T) {
	shared := testenv.Shared(t, "testdata/photos/horses.jpg")
	if code, _ := scan(t); code != ExitUsage {
		t.Errorf("no paths: exit %d", code)
	}
	if code, _ := scan(t, "--conf", "7", shared); code != ExitUsage {
		t.Errorf("bad confidence: exit %d", code)
	}
	code, stderr := scan(t, "--model", testenv.Model(t), "--classes", "unicorn", shared)
	if code != ExitUsage || !strings.Contains(stderr, `unknown class "unicorn"`) || !strings.Contains(stderr, "person") {
		t.Errorf("unknown class: exit %d: %s", code, stderr)
	}
	code, stderr = scan(t, "--model", testenv.Model(t), shared, filepath.Join(t.TempDir(), "gone.mp4"))
	if code != ExitSomeBad || !strings.Contains(stderr, "no such file") {
		t.Errorf("a missing file: exit %d: %s", code, stderr)
	}
	// No model anywhere: exit 2 with instructions.
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	t.Setenv("VIDSIFT_MODEL", "")
	code, stderr = scan(t, shared)
	if code != ExitUsage || !strings.Contains(stderr, "yolo export") || !strings.Contains(stderr, "--model") {
		t.Errorf("no model: exit %d: %s", code, stderr)
	}
}

// TestLibraryReuse: a second scan reuses every stored file (summary.skipped,
// same results, exit 0), --rescan redoes them, and `vidsift export` writes
// the library's results without scanning.
func TestLibraryReuse(t *testing.T) {
	root := testenv.Shared(t, "testdata")
	dir := t.TempDir()
	t.Setenv("VIDSIFT_LIBRARY", filepath.Join(dir, "library.db"))
	model := testenv.Model(t)
	first, second, third := filepath.Join(dir, "1.json"), filepath.Join(dir, "2.json"), filepath.Join(dir, "3.json")
	if code, stderr := scan(t, "--model", model, "--json", first, root); code != ExitOK {
		t.Fatalf("first scan: exit %d\n%s", code, stderr)
	}
	code, stderr := scan(t, "--model", model, "--json", second, root)
	if code != ExitOK || !strings.Contains(stderr, "11 reused") {
		t.Fatalf("second scan: exit %d\n%s", code, stderr)
	}
	a, b := readDoc(t, first), readDoc(t, second)
	if a.Summary.Skipped != 0 || b.Summary.Skipped != 11 || b.Summary.Files != 11 || b.Summary.OK != 11 {
		t.Errorf("skipped %d then %d (%+v)", a.Summary.Skipped, b.Summary.Skipped, b.Summary)
	}
	if fmt.Sprint(a.Files) != fmt.Sprint(b.Files) {
		t.Error("reused results differ from the scanned ones")
	}
	// Another confidence floor is another identity: nothing reused.
	if code, _ := scan(t, "--model", model, "--conf", "0.3", "--json", third, root); code != ExitOK || readDoc(t, third).Summary.Skipped != 0 {
		t.Errorf("new settings reused stored results")
	}
	if code, _ := scan(t, "--model", model, "--rescan", "--json", third, root); code != ExitOK || readDoc(t, third).Summary.Skipped != 0 {
		t.Errorf("--rescan reused stored results")
	}

	out := filepath.Join(dir, "export.json")
	var o, e bytes.Buffer
	if code := Export([]string{"--json", out}, &o, &e); code != ExitOK {
		t.Fatalf("export: exit %d\n%s", code, e.String())
	}
	doc := readDoc(t, out)
	if len(doc.Files) != 11 {
		t.Fatalf("export has %d files", len(doc.Files))
	}
	for _, why := range checkGroundTruth(t, doc, root) {
		t.Error("export:", why)
	}
	e.Reset()
	if code := Export([]string{"--json", out, "--classes", "unicorn"}, &o, &e); code != ExitUsage || !strings.Contains(e.String(), "person") {
		t.Errorf("unknown class: exit %d: %s", code, e.String())
	}

	// Narrowed to a folder and a confidence, without scanning again.
	photos := filepath.Join(root, "photos")
	wantPhotos, _ := os.ReadDir(photos)
	narrow := filepath.Join(dir, "narrow.json")
	if code := Export([]string{"--json", narrow, "--conf", "0.8", photos}, &o, &e); code != ExitOK {
		t.Fatalf("narrowed export: exit %d\n%s", code, e.String())
	}
	nd := readDoc(t, narrow)
	if len(nd.Files) != len(wantPhotos) || nd.Summary.Files != len(wantPhotos) || nd.Settings.Confidence != 0.8 {
		t.Errorf("narrowed export: %d files (summary %d), %d photos; confidence %v", len(nd.Files), nd.Summary.Files, len(wantPhotos), nd.Settings.Confidence)
	}
	all := 0
	for _, f := range doc.Files {
		if strings.HasPrefix(f.Path, photos+"/") {
			for _, k := range f.Keyframes {
				for _, d := range k.Detections {
					if d.Confidence >= 0.8 {
						all++
					}
				}
			}
		}
	}
	kept := 0
	for _, f := range nd.Files {
		if !strings.HasPrefix(f.Path, photos+"/") {
			t.Errorf("outside %s: %s", photos, f.Path)
		}
		for _, k := range f.Keyframes {
			for _, d := range k.Detections {
				kept++
				if d.Confidence < 0.8 {
					t.Errorf("%s: %s at %.2f", f.Path, d.Class, d.Confidence)
				}
			}
		}
	}
	if kept == 0 || kept != all || nd.Summary.Detections != kept {
		t.Errorf("narrowed export kept %d detections (summary %d), the full one has %d at ≥ 0.8", kept, nd.Summary.Detections, all)
	}
	e.Reset()
	if code := Export([]string{"--json", narrow, filepath.Join(dir, "nothing-here")}, &o, &e); code != ExitUsage || !strings.Contains(e.String(), "holds nothing") {
		t.Errorf("export of an unknown folder: exit %d: %s", code, e.String())
	}
}

// TestUnusableLibrary: a library that cannot be opened is warned about and
// the scan still runs and exits 0.
func TestUnusableLibrary(t *testing.T) {
	junk := filepath.Join(t.TempDir(), "library.db")
	os.WriteFile(junk, []byte(strings.Repeat("not sqlite ", 200)), 0o644)
	t.Setenv("VIDSIFT_LIBRARY", junk)
	code, stderr := scan(t, "--model", testenv.Model(t), testenv.Shared(t, "testdata/photos/horses.jpg"))
	if code != ExitOK || !strings.Contains(stderr, "scanning without the results library") {
		t.Errorf("exit %d\n%s", code, stderr)
	}
}

// TestOtherModelCLI: a user's own detector (3 classes, a dynamic 256×416
// input; testdata/gen) scans like yolov8n: its classes and input size come
// from the model, --classes checks against its names, and a model whose
// names disagree with its output is refused before any file is read.
func TestOtherModelCLI(t *testing.T) {
	model := testenv.Fixture(t, "models/cats_dynamic_256x416.onnx")
	video := testenv.Fixture(t, "h264.mp4") // 640×424, 2 keyframes
	out := filepath.Join(t.TempDir(), "cats.json")
	code, stderr := scan(t, "--model", model, "--json", out, video)
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
	if len(doc.Files) != 1 || len(doc.Files[0].Keyframes) != 2 {
		t.Fatalf("files %+v", doc.Files)
	}
	for _, k := range doc.Files[0].Keyframes {
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

	code, stderr = scan(t, "--model", model, "--classes", "person", video)
	if code != ExitUsage || !strings.Contains(stderr, "cat, hat, bat") {
		t.Errorf("--classes person: exit %d: %s", code, stderr)
	}
	code, stderr = scan(t, "--model", testenv.Fixture(t, "models/cats_wrong_names.onnx"), video)
	if code != ExitUsage || !strings.Contains(stderr, "does not fit 5 classes") {
		t.Errorf("names/output mismatch: exit %d: %s", code, stderr)
	}
}
