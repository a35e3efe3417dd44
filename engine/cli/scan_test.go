package cli

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"image/jpeg"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vidsift/vidsift/engine/detect"
	"github.com/vidsift/vidsift/engine/export"
	"github.com/vidsift/vidsift/engine/testenv"
)

func scan(t *testing.T, args ...string) (int, string) {
	t.Helper()
	t.Setenv("VIDSIFT_ONNXRUNTIME_LIBRARY", testenv.Library(t))
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
	var doc export.Document
	raw, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
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

// checkGroundTruth mirrors shared/tools/check_ground_truth.py.
func checkGroundTruth(t *testing.T, doc export.Document, root string) []string {
	raw, err := os.ReadFile(filepath.Join(root, "ground_truth.json"))
	if err != nil {
		t.Fatal(err)
	}
	var gt map[string]json.RawMessage
	json.Unmarshal(raw, &gt)
	byPath := map[string]export.File{}
	for _, f := range doc.Files {
		byPath[f.Path] = f
	}
	var fails []string
	for rel, v := range gt {
		if rel[0] == '_' {
			continue
		}
		var exp struct {
			Expect    map[string][2]int
			Present   []string
			Either    [][]string
			Absent    []string
			Boxes     [][2]json.RawMessage
			Keyframes *int
		}
		json.Unmarshal(v, &exp)
		f, ok := byPath[filepath.Join(root, rel)]
		if !ok || f.Status != "ok" {
			fails = append(fails, rel+": missing or not ok")
			continue
		}
		c := map[string]int{}
		var dets []export.Detection
		for _, k := range f.Keyframes {
			seen := map[string]bool{}
			for _, d := range k.Detections {
				dets = append(dets, d)
				if strings.HasPrefix(rel, "photos/") || !seen[d.Class] {
					c[d.Class]++
					seen[d.Class] = true
				}
			}
		}
		for cls, r := range exp.Expect {
			if c[cls] < r[0] || c[cls] > r[1] {
				fails = append(fails, rel+": "+cls+" count out of range")
			}
		}
		for _, cls := range exp.Present {
			if c[cls] == 0 {
				fails = append(fails, rel+": "+cls+" never detected")
			}
		}
		for _, alts := range exp.Either {
			any := false
			for _, a := range alts {
				any = any || c[a] > 0
			}
			if !any {
				fails = append(fails, rel+": none of "+strings.Join(alts, "/"))
			}
		}
		for _, cls := range exp.Absent {
			if c[cls] > 0 {
				fails = append(fails, rel+": "+cls+" detected")
			}
		}
		for _, b := range exp.Boxes {
			var cls string
			var box [4]float64
			json.Unmarshal(b[0], &cls)
			json.Unmarshal(b[1], &box)
			best := 0.0
			for _, d := range dets {
				for _, alt := range strings.Split(cls, "|") {
					if d.Class == alt {
						best = math.Max(best, detect.IoU(d.Box, box))
					}
				}
			}
			if best < 0.5 {
				fails = append(fails, rel+": no "+cls+" box")
			}
		}
		if exp.Keyframes != nil && len(f.Keyframes) != *exp.Keyframes {
			fails = append(fails, rel+": keyframe count")
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
