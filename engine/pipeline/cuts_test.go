package pipeline

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/vidsift/vidsift/engine/groundtruth"
	"github.com/vidsift/vidsift/engine/scan"
	"github.com/vidsift/vidsift/internal/testenv"
)

// scanFile scans one file at a sampling policy, with reuse on.
func scanFile(t *testing.T, path string, s scan.Sampling) scan.FileResult {
	t.Helper()
	cfg := testConfig(t, 1, 2)
	cfg.Sampling, cfg.ReuseSimilar = s, true
	res := collect(context.Background(), cfg, []string{path}, nil)
	if res.err != nil {
		t.Fatal(res.err)
	}
	f, ok := res.files[path]
	if !ok || f.Status != scan.StatusOK {
		t.Fatalf("%s: %+v", path, f)
	}
	checkOrder(t, f)
	return f
}

// shotsFound counts the shots with an analysed frame in their time range.
func shotsFound(f scan.FileResult, shots []groundtruth.Shot) int {
	n := 0
	for _, s := range shots {
		if slices.ContainsFunc(f.Frames, func(k scan.Frame) bool { return k.Time >= s.Start && k.Time < s.End }) {
			n++
		}
	}
	return n
}

// checkCutSpacing: no cut frame lies within one frame of another analysed frame.
func checkCutSpacing(t *testing.T, f scan.FileResult) {
	t.Helper()
	interval := 1 / f.Media.FPS
	for i := 1; i < len(f.Frames); i++ {
		a, b := f.Frames[i-1], f.Frames[i]
		if (a.Kind == scan.CutFrame || b.Kind == scan.CutFrame) && b.Time-a.Time <= interval+1e-3 {
			t.Errorf("%s: %s frame at %.3f s and %s frame at %.3f s are a frame apart", filepath.Base(f.Path), a.Kind, a.Time, b.Kind, b.Time)
		}
	}
}

// TestCutFrames: in edited footage whose shots start between keyframes
// (testdata/fixtures.json, "shots"), cut frames give every shot an analysed
// frame within 0.5 s of its start and find the classes each shot shows;
// without them, shots go unseen. In H.264 and HEVC, and in VP9 and MPEG-4
// Part 2 alike.
func TestCutFrames(t *testing.T) {
	exps := testenv.Expectations(t, filepath.Join(testenv.RepoRoot(), "testdata", "fixtures.json"))
	for _, name := range []string{"shots/compilation_h264.mp4", "shots/compilation_hevc.mkv", "shots/compilation_vp9.webm", "shots/compilation_mpeg4.avi"} {
		t.Run(filepath.Base(name), func(t *testing.T) {
			shots := exps[name].Shots
			if len(shots) < 8 {
				t.Fatalf("%d shots in fixtures.json, want at least 8", len(shots))
			}
			path := testenv.Fixture(t, name)

			// The fixture is what it claims: no keyframe near a shot start but the first.
			keys := scanFile(t, path, scan.Sampling{})
			for _, k := range keys.Frames {
				for _, s := range shots[1:] {
					if k.Time > s.Start-0.5 && k.Time < s.Start+0.5 {
						t.Fatalf("a keyframe at %.2f s, within 0.5 s of the shot at %.2f s", k.Time, s.Start)
					}
				}
			}

			on := scanFile(t, path, defaultSampling)
			checkCutSpacing(t, on)
			for _, s := range shots {
				seen := map[string]bool{}
				early := false
				for _, k := range on.Frames {
					if k.Time < s.Start || k.Time >= s.End {
						continue
					}
					early = early || k.Time < s.Start+0.5
					for _, d := range k.Detections {
						seen[d.Class] = true
					}
				}
				if !early {
					t.Errorf("shot %.1f–%.1f s (%s): no analysed frame within 0.5 s of its start", s.Start, s.End, s.Source)
				}
				for _, c := range s.Classes {
					if !seen[c] {
						t.Errorf("shot %.1f–%.1f s (%s): no %s found", s.Start, s.End, s.Source, c)
					}
				}
			}

			noCuts := defaultSampling
			noCuts.Cuts = false
			off := scanFile(t, path, noCuts)
			for _, k := range off.Frames {
				if k.Kind == scan.CutFrame {
					t.Errorf("a cut frame at %.2f s with cuts off", k.Time)
				}
			}
			foundOn, foundOff := shotsFound(on, shots), shotsFound(off, shots)
			if missed := len(shots) - foundOff; missed < 3 {
				t.Errorf("with cuts off %d of %d shots have no analysed frame, want at least 3 (the fixture no longer tests cut frames)", missed, len(shots))
			}
			t.Logf("shots found: %d of %d with cuts, %d without; frames analysed %d with cuts (%d cut frames), %d without",
				foundOn, len(shots), foundOff, len(on.Frames), countKind(on, scan.CutFrame), len(off.Frames))
		})
	}
}

func countKind(f scan.FileResult, kind scan.FrameKind) int {
	n := 0
	for _, k := range f.Frames {
		if k.Kind == kind {
			n++
		}
	}
	return n
}

// TestCutFramesSteadyShots: footage without a change of shot between
// keyframes gains no cut frame — a static camera, a person stepping into a
// still room (before it happens), a street clip whose cuts are keyframes —
// and the pedestrians clip looped three times at most one at each seam.
func TestCutFramesSteadyShots(t *testing.T) {
	cases := []struct {
		path  string
		until float64   // cut frames are checked before this time (0: everywhere)
		seams []float64 // a cut frame may follow each, within 0.5 s
	}{
		{testenv.Shared(t, "testdata/videos/street_bikes_h264.mp4"), 0, nil},
		{testenv.Shared(t, "testdata/videos/pedestrians_vtest_xvid.avi"), 0, nil},
		{testenv.Shared(t, "testdata/videos/one_by_one_person_h264.mkv"), 0, nil},
		{testenv.Fixture(t, "small_person_walks_in.mp4"), 3, nil},
		{testenv.Fixture(t, "static_10s_gop.mp4"), 0, []float64{10, 20}},
	}
	for _, c := range cases {
		f := scanFile(t, c.path, defaultSampling)
		checkCutSpacing(t, f)
		perSeam := map[float64]int{}
	frames:
		for _, k := range f.Frames {
			if k.Kind != scan.CutFrame || c.until > 0 && k.Time >= c.until {
				continue
			}
			for _, s := range c.seams {
				if k.Time >= s && k.Time < s+0.5 {
					if perSeam[s]++; perSeam[s] > 1 {
						t.Errorf("%s: a second cut frame at the seam at %.0f s (%.2f s)", filepath.Base(c.path), s, k.Time)
					}
					continue frames
				}
			}
			t.Errorf("%s: a cut frame at %.2f s", filepath.Base(c.path), k.Time)
		}
	}
}
