package detect

import (
	"fmt"
	"testing"

	"github.com/vidsift/vidsift/engine/scan"
)

// output builds a raw [1, 4+nc, n] tensor from anchors given as
// cx, cy, w, h followed by nc scores.
func output(nc int, anchors ...[]float32) []float32 {
	n := len(anchors)
	out := make([]float32, (4+nc)*n)
	for a, v := range anchors {
		for i, x := range v {
			out[i*n+a] = x
		}
	}
	return out
}

func TestDecodeOutput(t *testing.T) {
	out := output(3,
		[]float32{50, 50, 20, 20, 0.9, 0.1, 0.0}, // class 0
		[]float32{52, 50, 20, 20, 0.8, 0.0, 0.0}, // overlaps the first: suppressed
		[]float32{52, 50, 20, 20, 0.0, 0.7, 0.0}, // same place, other class: kept
		[]float32{200, 200, 10, 10, 0, 0, 0.25},  // exactly the threshold: dropped
		[]float32{300, 300, 10, 10, 0, 0, 0.26},  // just above: kept
	)
	dets := DecodeOutput(out, Layout{Classes: 3, Anchors: 5, AttrMajor: true}, 0.25, 0.7)
	got := ""
	for _, d := range dets {
		got += fmt.Sprintf("%d:%.2f@%.0f,%.0f ", d.ClassID, d.Confidence, d.Box[0], d.Box[1])
	}
	if want := "0:0.90@40,40 1:0.70@42,40 2:0.26@295,295 "; got != want {
		t.Errorf("got %q want %q", got, want)
	}
}

func TestDecodeTransposed(t *testing.T) {
	// [1, n, 4+nc]: each anchor's attributes are contiguous.
	out := []float32{10, 10, 4, 4, 0.1, 0.95, 30, 30, 4, 4, 0.5, 0.2}
	dets := DecodeOutput(out, Layout{Classes: 2, Anchors: 2}, 0.25, 0.7)
	if len(dets) != 2 || dets[0].ClassID != 1 || dets[1].ClassID != 0 || dets[1].Box != (scan.Box{28, 28, 32, 32}) {
		t.Errorf("got %+v", dets)
	}
}

func TestNMSTiesAndLimit(t *testing.T) {
	// Two identical-confidence boxes that overlap: the order is stable (left
	// first) and only one survives.
	dets := []scan.Detection{
		{ClassID: 0, Confidence: 0.5, Box: scan.Box{10, 0, 20, 10}},
		{ClassID: 0, Confidence: 0.5, Box: scan.Box{9, 0, 19, 10}},
	}
	kept := NMS(dets, 0.5, 300)
	if len(kept) != 1 || kept[0].Box[0] != 9 {
		t.Errorf("ties: %+v", kept)
	}
	// IoU exactly at the threshold is kept (suppression needs more overlap).
	a, b := scan.Box{0, 0, 10, 10}, scan.Box{0, 0, 10, 5} // IoU 0.5
	kept = NMS([]scan.Detection{{Confidence: 0.9, Box: a}, {Confidence: 0.8, Box: b}}, 0.5, 300)
	if len(kept) != 2 {
		t.Errorf("IoU at threshold suppressed: %+v", kept)
	}
	// The limit caps the output.
	var many []scan.Detection
	for i := 0; i < 500; i++ {
		many = append(many, scan.Detection{ClassID: i % 3, Confidence: float32(i) / 1000, Box: scan.Box{float64(i * 20), 0, float64(i*20 + 10), 10}})
	}
	kept = NMS(many, 0.7, MaxDetections)
	if len(kept) != MaxDetections || kept[0].Confidence != 0.499 {
		t.Errorf("limit: %d kept, first %.3f", len(kept), kept[0].Confidence)
	}
}

func TestLayoutFor(t *testing.T) {
	if l, err := LayoutFor([]int64{1, 84, 8400}, 80); err != nil || !l.AttrMajor || l.Anchors != 8400 {
		t.Errorf("%+v %v", l, err)
	}
	if l, err := LayoutFor([]int64{1, 8400, 84}, 80); err != nil || l.AttrMajor {
		t.Errorf("%+v %v", l, err)
	}
	for _, s := range [][]int64{{1, 85, 8400}, {1, 1000}, {2, 84, 8400}} {
		if _, err := LayoutFor(s, 80); err == nil {
			t.Errorf("%v accepted", s)
		}
	}
}

// FuzzDecodeOutput: arbitrary tensors never panic and results respect the
// threshold and the limit.
func FuzzDecodeOutput(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 200, 100}, uint8(2), float32(0.25))
	f.Fuzz(func(t *testing.T, raw []byte, nc uint8, conf float32) {
		classes := int(nc%8) + 1
		n := len(raw) / (4 + classes)
		if n == 0 {
			return
		}
		out := make([]float32, n*(4+classes))
		for i := range out {
			out[i] = float32(raw[i]) / 255
		}
		dets := DecodeOutput(out, Layout{Classes: classes, Anchors: n, AttrMajor: true}, conf, 0.7)
		if len(dets) > MaxDetections {
			t.Fatalf("%d detections", len(dets))
		}
		for _, d := range dets {
			if d.Confidence <= conf || d.ClassID < 0 || d.ClassID >= classes {
				t.Fatalf("bad detection %+v (conf %v)", d, conf)
			}
		}
	})
}
