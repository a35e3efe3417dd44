// Package groundtruth reads the files that say what a scan must find
// (../shared/testdata/ground_truth.json, testdata/fixtures.json) and holds
// results against them the way ../shared/tools/check_ground_truth.py does.
// It also compares two scans of the same files within a tolerance.
//
// Its types are plain data, so any package's tests can use it without an
// import cycle; nothing shipped imports it.
package groundtruth

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strings"
)

// Expectation is one entry of an expectations file (its _about keys define
// each field).
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
	Shots     []Shot               `json:"shots"`
}

// Shot is one shot of an edited fixture: [Start, End) in seconds, and the
// classes it shows.
type Shot struct {
	Start   float64  `json:"start"`
	End     float64  `json:"end"`
	Source  string   `json:"source"`
	Classes []string `json:"classes"`
}

// Det is a detection as the checks need it: box is x1,y1,x2,y2 in upright
// frame pixels.
type Det struct {
	Class      string
	Confidence float64
	Box        [4]float64
}

// Frame is one analysed frame: a keyframe or not, and its detections.
type Frame struct {
	Key  bool
	Dets []Det
}

// File is one scanned file: its status and its analysed frames.
type File struct {
	Path   string
	Status string
	Frames []Frame
}

// Frames converts any scan's frames for the checks: key says whether a
// frame is a keyframe, dets lists its detections and det converts one.
func Frames[F, D any](frames []F, key func(F) bool, dets func(F) []D, det func(D) Det) []Frame {
	out := make([]Frame, len(frames))
	for i, f := range frames {
		out[i].Key = key(f)
		for _, d := range dets(f) {
			out[i].Dets = append(out[i].Dets, det(d))
		}
	}
	return out
}

// Load reads an expectations file, without its _about keys.
func Load(path string) (map[string]Expectation, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(raw, &all); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	out := map[string]Expectation{}
	for k, v := range all {
		if strings.HasPrefix(k, "_") {
			continue
		}
		var e Expectation
		if err := json.Unmarshal(v, &e); err != nil {
			return nil, fmt.Errorf("%s: %s: %w", path, k, err)
		}
		out[k] = e
	}
	return out, nil
}

// Box returns the i-th ["class", [x1,y1,x2,y2]] entry; class may be "a|b".
func (e Expectation) Box(i int) (classes []string, box [4]float64, err error) {
	var cls string
	if err := json.Unmarshal(e.Boxes[i][0], &cls); err != nil {
		return nil, box, fmt.Errorf("box %d class: %w", i, err)
	}
	if err := json.Unmarshal(e.Boxes[i][1], &box); err != nil {
		return nil, box, fmt.Errorf("box %d: %w", i, err)
	}
	return strings.Split(cls, "|"), box, nil
}

// Check holds a file's frames against the expectation: for photos
// (countBoxes) class counts are boxes, for videos they are "seen on some
// frame"; "keyframes" counts the frames that are keyframes. It returns what
// does not hold.
func (e Expectation) Check(frames []Frame, countBoxes bool) []string {
	var why []string
	counts := map[string]int{}
	var all []Det
	keyframes := 0
	for _, frame := range frames {
		if frame.Key {
			keyframes++
		}
		seen := map[string]bool{}
		for _, d := range frame.Dets {
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
		classes, want, err := e.Box(i)
		if err != nil {
			why = append(why, err.Error())
			continue
		}
		if best := BestIoU(all, classes, want); best < 0.5 {
			why = append(why, fmt.Sprintf("no %s box near %v (best IoU %.2f)", strings.Join(classes, "|"), want, best))
		}
	}
	if e.Keyframes != nil && keyframes != *e.Keyframes {
		why = append(why, fmt.Sprintf("%d keyframes, want %d", keyframes, *e.Keyframes))
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

// Tolerances within which two scans of the same file agree: threads and
// batching change float summation order, not results.
const (
	ConfidenceTolerance = 1e-3
	BoxTolerance        = 0.5 // pixels
)

// Differences compares two scans file by file (matched by path) and says
// where they disagree beyond the tolerances; nil when they agree.
func Differences(a, b []File) []string {
	var why []string
	if len(a) != len(b) {
		why = append(why, fmt.Sprintf("%d vs %d files", len(a), len(b)))
	}
	byPath := map[string]File{}
	for _, f := range b {
		byPath[f.Path] = f
	}
	for _, fa := range a {
		fb, ok := byPath[fa.Path]
		if !ok {
			why = append(why, fa.Path+": only in the first scan")
			continue
		}
		if fa.Status != fb.Status || len(fa.Frames) != len(fb.Frames) {
			why = append(why, fmt.Sprintf("%s: %s/%d frames vs %s/%d", fa.Path, fa.Status, len(fa.Frames), fb.Status, len(fb.Frames)))
			continue
		}
		for i := range fa.Frames {
			where := fmt.Sprintf("%s frame %d", fa.Path, i)
			if fa.Frames[i].Key != fb.Frames[i].Key {
				why = append(why, where+": a keyframe in one scan only")
			}
			why = append(why, frameDifferences(where, fa.Frames[i].Dets, fb.Frames[i].Dets)...)
		}
	}
	return why
}

func frameDifferences(where string, da, db []Det) []string {
	if len(da) != len(db) {
		return []string{fmt.Sprintf("%s: %d vs %d detections", where, len(da), len(db))}
	}
	var why []string
	for j := range da {
		if da[j].Class != db[j].Class || math.Abs(da[j].Confidence-db[j].Confidence) > ConfidenceTolerance {
			why = append(why, fmt.Sprintf("%s det %d: %s %.4f vs %s %.4f", where, j, da[j].Class, da[j].Confidence, db[j].Class, db[j].Confidence))
		}
		for c := 0; c < 4; c++ {
			if math.Abs(da[j].Box[c]-db[j].Box[c]) > BoxTolerance {
				why = append(why, fmt.Sprintf("%s det %d: box %v vs %v", where, j, da[j].Box, db[j].Box))
				break
			}
		}
	}
	return why
}
