package pipeline

import (
	"context"
	"testing"

	"github.com/vidsift/vidsift/engine/scan"
	"github.com/vidsift/vidsift/internal/testenv"
)

// scanOne scans one file under the default policy (reuse as asked).
func scanOne(t *testing.T, path string, reuse bool) scan.FileResult {
	t.Helper()
	cfg := testConfig(t, 1, 2)
	cfg.Sampling, cfg.ReuseSimilar = defaultSampling, reuse
	res := collect(context.Background(), cfg, []string{path}, nil)
	f, ok := res.files[path]
	if !ok || f.Status != scan.StatusOK {
		t.Fatalf("%s: %+v", path, f)
	}
	checkOrder(t, f)
	return f
}

// TestOneKeyframePerson: a clip whose only keyframe shows an empty room,
// with a person in 16 of its 20 s. Keyframes only find nothing; the
// default policy finds the person in at least 5 frames, over at least 10 s.
func TestOneKeyframePerson(t *testing.T) {
	p := testenv.Fixture(t, "one_keyframe_person.mkv")
	cfg := testConfig(t, 1, 2)
	if res := collect(context.Background(), cfg, []string{p}, nil); res.summary.Detections != 0 || res.summary.Frames != 1 {
		t.Errorf("keyframes only: %d frames, %d detections (the premise)", res.summary.Frames, res.summary.Detections)
	}
	f := scanOne(t, p, true)
	seen := 0
	for _, fr := range f.Frames {
		for _, d := range fr.Detections {
			if d.Class == "person" {
				seen++
				break
			}
		}
	}
	covered := 0.0
	for _, s := range scan.Spans(scan.Filter{Classes: map[string]bool{"person": true}}.Frames(f.Frames)) {
		covered += s.End - s.Start
	}
	if seen < 5 || covered < 10 {
		t.Errorf("person in %d analysed frames, spans covering %.1f s; want ≥ 5 and ≥ 10 s", seen, covered)
	}
}

// TestSmallObjectNotReused: a still room into which a person covering
// about 3 % of the frame steps between two analysed frames. The frames
// before are reused, the frame after is inferred, and finds the person.
func TestSmallObjectNotReused(t *testing.T) {
	f := scanOne(t, testenv.Fixture(t, "small_person_walks_in.mp4"), true) // the person steps in at 3 s
	var before, after []scan.Frame
	for _, fr := range f.Frames {
		if fr.Time < 3 {
			before = append(before, fr)
		} else {
			after = append(after, fr)
		}
	}
	if len(before) < 2 || len(after) == 0 {
		t.Fatalf("frames %+v", f.Frames)
	}
	if !before[1].Reused || before[1].SameAs != 0 {
		t.Errorf("the still room at %.1f s was inferred again, not reused", before[1].Time)
	}
	first := after[0]
	if first.Reused {
		t.Fatalf("the frame at %.1f s, with the person, reused frame %d", first.Time, first.SameAs)
	}
	person := false
	for _, d := range first.Detections {
		person = person || d.Class == "person"
	}
	if !person {
		t.Errorf("the frame at %.1f s finds no person: %v", first.Time, first.Detections)
	}
}
