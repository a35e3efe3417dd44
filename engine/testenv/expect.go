package testenv

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
)

// Expectation is one entry of shared/testdata/ground_truth.json or
// testdata/fixtures.json (their _about keys define each field).
type Expectation struct {
	Status    string               `json:"status"`
	Keyframes *int                 `json:"keyframes"`
	Width     int                  `json:"width"`
	Height    int                  `json:"height"`
	Codec     string               `json:"codec"`
	Expect    map[string][2]int    `json:"expect"`
	Present   []string             `json:"present"`
	Either    [][]string           `json:"either"`
	Absent    []string             `json:"absent"`
	Boxes     [][2]json.RawMessage `json:"boxes"`
	Times     []float64            `json:"times"`
	Error     string               `json:"error"`
}

// Det is a detection as the checks need it.
type Det struct {
	Class string
	Box   [4]float64
}

// LoadExpectations reads an expectations file, without its _about keys.
func LoadExpectations(t testing.TB, path string) map[string]Expectation {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(raw, &all); err != nil {
		t.Fatal(err)
	}
	out := map[string]Expectation{}
	for k, v := range all {
		if strings.HasPrefix(k, "_") {
			continue
		}
		var e Expectation
		if err := json.Unmarshal(v, &e); err != nil {
			t.Fatalf("%s: %s: %v", path, k, err)
		}
		out[k] = e
	}
	return out
}

// Box returns the i-th ["class", [x1,y1,x2,y2]] entry; class may be "a|b".
func (e Expectation) Box(i int) (classes []string, box [4]float64) {
	var cls string
	_ = json.Unmarshal(e.Boxes[i][0], &cls)
	_ = json.Unmarshal(e.Boxes[i][1], &box)
	return strings.Split(cls, "|"), box
}

// Check holds a file's keyframes against the expectation the way
// shared/tools/check_ground_truth.py does: for photos (countBoxes) class
// counts are boxes, for videos they are "seen on some keyframe". It returns
// what does not hold.
func (e Expectation) Check(keyframes [][]Det, countBoxes bool) []string {
	var why []string
	counts := map[string]int{}
	var all []Det
	for _, kf := range keyframes {
		seen := map[string]bool{}
		for _, d := range kf {
			all = append(all, d)
			if countBoxes {
				counts[d.Class]++
			} else if !seen[d.Class] {
				counts[d.Class] = 1
				seen[d.Class] = true
			}
		}
	}
	for cls, rng := range e.Expect {
		if counts[cls] < rng[0] || counts[cls] > rng[1] {
			why = append(why, fmt.Sprintf("%s=%d not in [%d,%d]", cls, counts[cls], rng[0], rng[1]))
		}
	}
	for _, cls := range e.Present {
		if counts[cls] == 0 {
			why = append(why, cls+" never detected")
		}
	}
	for _, alts := range e.Either {
		found := false
		for _, a := range alts {
			found = found || counts[a] > 0
		}
		if !found {
			why = append(why, "none of "+strings.Join(alts, "/"))
		}
	}
	for _, cls := range e.Absent {
		if counts[cls] > 0 {
			why = append(why, fmt.Sprintf("%s detected %d times", cls, counts[cls]))
		}
	}
	for i := range e.Boxes {
		classes, want := e.Box(i)
		if best := BestIoU(all, classes, want); best < 0.5 {
			why = append(why, fmt.Sprintf("no %s box near %v (best IoU %.2f)", strings.Join(classes, "|"), want, best))
		}
	}
	if e.Keyframes != nil && len(keyframes) != *e.Keyframes {
		why = append(why, fmt.Sprintf("%d keyframes, want %d", len(keyframes), *e.Keyframes))
	}
	return why
}

// BestIoU is the best overlap of any detection of the given classes with want.
func BestIoU(dets []Det, classes []string, want [4]float64) float64 {
	best := 0.0
	for _, d := range dets {
		for _, c := range classes {
			if d.Class == c {
				best = math.Max(best, iou(d.Box, want))
			}
		}
	}
	return best
}

func iou(a, b [4]float64) float64 {
	ix := math.Max(0, math.Min(a[2], b[2])-math.Max(a[0], b[0]))
	iy := math.Max(0, math.Min(a[3], b[3])-math.Max(a[1], b[1]))
	inter := ix * iy
	union := (a[2]-a[0])*(a[3]-a[1]) + (b[2]-b[0])*(b[3]-b[1]) - inter
	if union <= 0 {
		return 0
	}
	return inter / union
}
