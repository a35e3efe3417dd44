package groundtruth

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gt.json")
	const doc = `{"_about": {"x": "ignored"},
	  "clip.mp4": {"status": "ok", "keyframes": 2, "present": ["person"], "absent": ["dog"],
	               "either": [["car", "truck"]], "boxes": [["person|man", [0, 0, 10, 10]]]}}`
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	exps, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(exps) != 1 {
		t.Fatalf("%d expectations, want 1 (the _about key skipped)", len(exps))
	}
	e := exps["clip.mp4"]
	good := []Frame{{Key: true, Dets: []Det{{Class: "person", Box: [4]float64{0, 0, 10, 9}}}}, {Dets: []Det{{Class: "truck"}}}, {Key: true}}
	if why := e.Check(good, false); len(why) != 0 {
		t.Errorf("good frames fail: %v", why)
	}
	bad := []Frame{{Key: true, Dets: []Det{{Class: "dog"}, {Class: "person", Box: [4]float64{50, 50, 60, 60}}}}, {Key: false}}
	why := strings.Join(e.Check(bad, false), "; ")
	for _, want := range []string{"dog detected", "none of car/truck", "no person|man box", "1 keyframes, want 2"} {
		if !strings.Contains(why, want) {
			t.Errorf("%q does not say %q", why, want)
		}
	}
}

func TestDifferences(t *testing.T) {
	a := []File{{Path: "a", Status: "ok", Frames: []Frame{{Key: true, Dets: []Det{{Class: "cat", Confidence: 0.5, Box: [4]float64{1, 2, 3, 4}}}}}}}
	near := []File{{Path: "a", Status: "ok", Frames: []Frame{{Key: true, Dets: []Det{{Class: "cat", Confidence: 0.5004, Box: [4]float64{1.4, 2, 3, 4}}}}}}}
	if d := Differences(a, near); d != nil {
		t.Errorf("within tolerance: %v", d)
	}
	far := []File{{Path: "a", Status: "ok", Frames: []Frame{{Key: false, Dets: []Det{{Class: "cat", Confidence: 0.6, Box: [4]float64{2, 2, 3, 4}}}}}}}
	if d := Differences(a, far); len(d) != 3 {
		t.Errorf("key, confidence and box apart: %v", d)
	}
	if d := Differences(a, nil); len(d) != 2 {
		t.Errorf("missing file: %v", d)
	}
}
