package scan

import "testing"

func TestFilter(t *testing.T) {
	dog, cat, faint := Detection{Class: "dog", Confidence: 0.9}, Detection{Class: "cat", Confidence: 0.6}, Detection{Class: "dog", Confidence: 0.2}
	dets := []Detection{dog, cat, faint}
	for _, c := range []struct {
		f    Filter
		want []Detection
	}{
		{Filter{}, dets},
		{Filter{Classes: map[string]bool{}}, dets},
		{Filter{Classes: map[string]bool{"dog": true}}, []Detection{dog, faint}},
		{Filter{MinConfidence: 0.6}, []Detection{dog, cat}},
		{Filter{Classes: map[string]bool{"dog": true}, MinConfidence: 0.25}, []Detection{dog}},
		{Filter{Classes: map[string]bool{"horse": true}}, nil},
	} {
		got := c.f.Detections(dets)
		if len(got) != len(c.want) {
			t.Errorf("%+v: %v, want %v", c.f, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%+v: %v, want %v", c.f, got, c.want)
			}
		}
	}
	frames := []Frame{{Index: 0, Detections: dets}}
	out := Filter{MinConfidence: 0.5}.Frames(frames)
	if len(out[0].Detections) != 2 || len(frames[0].Detections) != 3 {
		t.Errorf("Frames changed its input or kept too much: %v, %v", out, frames)
	}
}
