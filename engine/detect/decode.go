package detect

import (
	"fmt"
	"sort"

	"github.com/vidsift/vidsift/engine/scan"
)

// MaxDetections caps the detections kept per frame, as Ultralytics does.
const MaxDetections = 300

// Layout says how a YOLO output tensor is laid out.
type Layout struct {
	Classes   int  // number of classes (rows after the 4 box rows)
	Anchors   int  // candidate boxes
	AttrMajor bool // [1, 4+nc, N] (Ultralytics default) rather than [1, N, 4+nc]
}

// LayoutFor checks an output shape against the class count and returns its layout.
func LayoutFor(shape []int64, classes int) (Layout, error) {
	if len(shape) != 3 || shape[0] != 1 {
		return Layout{}, fmt.Errorf("output shape %v is not a YOLO detector's [1, 4+classes, N]", shape)
	}
	want := int64(4 + classes)
	switch {
	case shape[1] == want:
		return Layout{Classes: classes, Anchors: int(shape[2]), AttrMajor: true}, nil
	case shape[2] == want:
		return Layout{Classes: classes, Anchors: int(shape[1])}, nil
	}
	return Layout{}, fmt.Errorf("output shape %v does not fit %d classes: want [1, %d, N] (a YOLOv8/YOLO11 detection export)", shape, classes, want)
}

// DecodeOutput turns raw YOLO output into detections in input pixels: for
// each anchor the best class above conf, then per-class NMS at iou.
func DecodeOutput(out []float32, l Layout, conf, iou float32) []scan.Detection {
	at := func(attr, anchor int) float32 {
		if l.AttrMajor {
			return out[attr*l.Anchors+anchor]
		}
		return out[anchor*(4+l.Classes)+attr]
	}
	var cands []scan.Detection
	for a := 0; a < l.Anchors; a++ {
		best, bestScore := -1, conf
		for c := 0; c < l.Classes; c++ {
			// Strictly above the threshold, as Ultralytics filters.
			if s := at(4+c, a); s > bestScore {
				best, bestScore = c, s
			}
		}
		if best < 0 {
			continue
		}
		cx, cy, w, h := float64(at(0, a)), float64(at(1, a)), float64(at(2, a)), float64(at(3, a))
		cands = append(cands, scan.Detection{
			ClassID:    best,
			Confidence: bestScore,
			Box:        scan.Box{cx - w/2, cy - h/2, cx + w/2, cy + h/2},
		})
	}
	return NMS(cands, iou, MaxDetections)
}

// NMS keeps, per class, the most confident box of every group of boxes that
// overlap by more than iou, and returns at most limit detections sorted by
// confidence (ties broken by class, then position, so the order is stable).
func NMS(dets []scan.Detection, iou float32, limit int) []scan.Detection {
	sort.SliceStable(dets, func(i, j int) bool {
		a, b := dets[i], dets[j]
		if a.Confidence != b.Confidence {
			return a.Confidence > b.Confidence
		}
		if a.ClassID != b.ClassID {
			return a.ClassID < b.ClassID
		}
		if a.Box[0] != b.Box[0] {
			return a.Box[0] < b.Box[0]
		}
		return a.Box[1] < b.Box[1]
	})
	kept := make([]scan.Detection, 0, min(len(dets), limit))
	for _, d := range dets {
		if len(kept) >= limit {
			break
		}
		suppressed := false
		for _, k := range kept {
			if k.ClassID == d.ClassID && IoU(k.Box, d.Box) > float64(iou) {
				suppressed = true
				break
			}
		}
		if !suppressed {
			kept = append(kept, d)
		}
	}
	return kept
}

// IoU is the intersection over union of two boxes.
func IoU(a, b scan.Box) float64 {
	ix := max(0, min(a[2], b[2])-max(a[0], b[0]))
	iy := max(0, min(a[3], b[3])-max(a[1], b[1]))
	inter := ix * iy
	union := (a[2]-a[0])*(a[3]-a[1]) + (b[2]-b[0])*(b[3]-b[1]) - inter
	if union <= 0 {
		return 0
	}
	return inter / union
}
