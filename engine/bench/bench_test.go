package bench

import (
	"context"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/vidsift/vidsift/engine/detect"
	"github.com/vidsift/vidsift/engine/internal/testenv"
)

// TestRunSmall runs the whole benchmark on two files and checks that the
// report is consistent (not how fast this machine is).
func TestRunSmall(t *testing.T) {
	if err := detect.Init(testenv.Library(t)); err != nil {
		t.Fatal(err)
	}
	clips, _ := filepath.Glob(filepath.Join(testenv.Shared(t, "testdata/videos"), "*.mp4"))
	rep, err := Run(context.Background(), Options{Clips: clips, Model: testenv.Model(t), Counts: []int{2}})
	if err != nil {
		t.Fatal(err)
	}
	if rep.DecodeKeyframes != 8 || rep.DecodeSeconds <= 0 || rep.FFmpegSeconds <= 0 || rep.DecodeRatio <= 0 {
		t.Errorf("decode: %d keyframes, %.3f s vs %.3f s", rep.DecodeKeyframes, rep.DecodeSeconds, rep.FFmpegSeconds)
	}
	if len(rep.Layouts) < 3 {
		t.Fatalf("%d layouts", len(rep.Layouts))
	}
	best := 0.0
	for _, l := range rep.Layouts {
		best = max(best, l.KeyframesSec)
		if l.KeyframesSec <= 0 || l.Session != "default" {
			t.Errorf("layout %+v", l)
		}
	}
	if len(rep.SessionOptions) != len(sessionVariants) {
		t.Errorf("%d session options measured, want %d", len(rep.SessionOptions), len(sessionVariants))
	}
	for _, l := range rep.SessionOptions {
		if l.KeyframesSec <= 0 || l.Session == "default" {
			t.Errorf("session option %+v", l)
		}
	}
	if rep.Ceiling != best {
		t.Errorf("ceiling %.2f is not the best layout %.2f", rep.Ceiling, best)
	}
	if want := 1 + runtime.NumCPU(); len(rep.Runs) != want {
		t.Fatalf("%d end-to-end runs, want %d", len(rep.Runs), want)
	}
	for _, r := range rep.Runs {
		if r.Files != 2 || r.Keyframes != 8 || r.ModelLoads != 1 || r.InferenceBusy <= 0 || r.InferenceBusy > 1.0001 {
			t.Errorf("run %+v", r)
		}
	}
	if rep.Runs[0].Speedup != 1 || rep.ModelLoads != 1 || rep.CeilingRatio <= 0 {
		t.Errorf("baseline speedup %.2f, loads %d, ceiling ratio %.2f", rep.Runs[0].Speedup, rep.ModelLoads, rep.CeilingRatio)
	}
}

func TestRepeat(t *testing.T) {
	files, cleanup, err := Repeat([]string{"/a/x.mp4", "/a/y.mp4"}, 5)
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	seen := map[string]bool{}
	for _, f := range files {
		seen[f] = true
	}
	if len(files) != 5 || len(seen) != 5 || filepath.Base(files[3]) != "0003_y.mp4" {
		t.Errorf("%v", files)
	}
}
