package cli

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/vidsift/vidsift/engine/bench"
	"github.com/vidsift/vidsift/internal/testenv"
)

// TestBench runs `vidsift bench` on two clips, the child scan included (this
// test binary stands in for vidsift), and checks that the report is
// consistent: not how fast this machine is.
func TestBench(t *testing.T) {
	isolated(t)
	clips, err := filepath.Glob(filepath.Join(testenv.Shared(t, "testdata/videos"), "*.mp4"))
	if err != nil || len(clips) != 2 {
		t.Fatalf("want the 2 shared mp4 clips: %v %v", clips, err)
	}
	if code, _, stderr := vidsift(t, "bench"); code != ExitUsage || !strings.Contains(stderr, "name files or folders") {
		t.Errorf("no PATH: exit %d: %s", code, stderr)
	}

	t.Setenv(asCLI, "1") // the child scan is this binary, as the CLI
	out := filepath.Join(t.TempDir(), "bench.json")
	args := append([]string{"bench", "--model", testenv.Model(t), "--files", "2", "--rss-files", "2", "--json", out}, clips...)
	code, stdout, stderr := vidsift(t, args...)
	if code != ExitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stdout, "HEADLINE") || !strings.Contains(stdout, "peak RSS, 2 files") {
		t.Errorf("table:\n%s", stdout)
	}
	rep := testenv.ReadJSON[bench.Report](t, out)
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
	if len(rep.SessionOptions) == 0 {
		t.Error("no session options measured")
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
		if r.Files != 2 || r.Frames != 8 || r.ModelLoads != 1 || r.InferenceBusy <= 0 || r.InferenceBusy > 1.0001 {
			t.Errorf("run %+v", r)
		}
	}
	if rep.Runs[0].Speedup != 1 || rep.ModelLoads != 1 || rep.CeilingRatio <= 0 {
		t.Errorf("baseline speedup %.2f, loads %d, ceiling ratio %.2f", rep.Runs[0].Speedup, rep.ModelLoads, rep.CeilingRatio)
	}
	// The child scan's own figures, read from its JSON summary.
	if rep.PeakRSSFiles != 2 || rep.PeakRSSMB < 50 || rep.FirstResultSec <= 0 {
		t.Errorf("child scan: peak RSS %.0f MB over %d files, first result %.2f s", rep.PeakRSSMB, rep.PeakRSSFiles, rep.FirstResultSec)
	}
}

// TestBenchSampling runs `vidsift bench --sampling-only` on the clip the
// sampling fixtures come from: it derives them (into the cache folder),
// times the decode children (this test binary stands in for vidsift) and
// reports consistent figures. How fast this machine is is not asserted.
func TestBenchSampling(t *testing.T) {
	isolated(t)
	source := testenv.Shared(t, "testdata/videos/"+bench.SamplingSource)
	if code, _, stderr := vidsift(t, "bench", "--model", testenv.Model(t), "--sampling-only", testenv.Shared(t, "testdata/videos/street_bikes_h264.mp4")); code != ExitSomeBad || !strings.Contains(stderr, bench.SamplingSource) {
		t.Errorf("without the source clip: exit %d: %s", code, stderr)
	}
	t.Setenv(asCLI, "1") // the decode child is this binary, as the CLI
	out := filepath.Join(t.TempDir(), "bench.json")
	code, stdout, stderr := vidsift(t, "bench", "--model", testenv.Model(t), "--sampling-only", "--files", "2", "--json", out, source)
	if code != ExitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stdout, "gap_decode_ratio") || !strings.Contains(stdout, "inferences_saved") {
		t.Errorf("table:\n%s", stdout)
	}
	s := testenv.ReadJSON[bench.Report](t, out).Sampling
	if s == nil {
		t.Fatal("no sampling figures")
	}
	if s.GapDecodeCPU <= 0 || s.FFmpegDecodeCPU <= 0 || s.GapDecodeRatio != s.GapDecodeCPU/s.FFmpegDecodeCPU {
		t.Errorf("decode: %+v", s)
	}
	// The static camera: 50 s at the default policy is ~25 frames, most of
	// them still, so reused; without reuse the same classes are found.
	if s.StaticFrames < 20 || s.StaticInferences < 1 || s.StaticInferences >= s.StaticFrames ||
		s.InferencesSaved != 1-float64(s.StaticInferences)/float64(s.StaticFrames) || !s.StaticClassesKept || s.StaticCuts != 0 {
		t.Errorf("static camera: %+v", s)
	}
	if s.SharedFiles != 2 || s.KeyframesOnlySec <= 0 || s.DefaultSec <= 0 || s.DefaultCeilingRatio <= 0 {
		t.Errorf("shared clips: %+v", s)
	}
	for _, f := range []string{s.HDLongGOP, s.StaticCamera} {
		if !strings.HasPrefix(f, os.Getenv("XDG_CACHE_HOME")) {
			t.Errorf("fixture %s is not in the cache folder", f)
		}
	}
}

// TestBenchRect: --rect-only measures each PATH square and rectangular
// with one dynamic model, names the shapes its frames ran at and the
// ceiling; a model of fixed input size is refused with the reason.
func TestBenchRect(t *testing.T) {
	isolated(t)
	portrait := testenv.Fixture(t, "aspect/portrait_9x16.mp4")
	if code, _, stderr := vidsift(t, "bench", "--model", testenv.Model(t), "--rect-only", portrait); code != ExitSomeBad || !strings.Contains(stderr, "fixed input size") {
		t.Errorf("a static model: exit %d: %s", code, stderr)
	}
	out := filepath.Join(t.TempDir(), "bench.json")
	code, stdout, stderr := vidsift(t, "bench", "--model", testenv.Shared(t, "models/yolov8n_int8_dynamic.onnx"), "--rect-only", "--json", out, portrait)
	if code != ExitOK || !strings.Contains(stdout, "RECTANGULAR INFERENCE") {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	r := testenv.ReadJSON[bench.Report](t, out).Rect
	if r == nil || len(r.Sets) != 1 {
		t.Fatalf("rect figures: %+v", r)
	}
	s := r.Sets[0]
	// 10 keyframes a file, repeated to 60 frames.
	if s.Frames != 60 || s.Files != 6 || strings.Join(s.Shapes, ",") != "384×640" || s.SquareFPS <= 0 || s.RectFPS <= 0 ||
		s.Speedup != s.RectFPS/s.SquareFPS || s.CeilingFPS <= 0 || s.CeilingRatio != s.RectFPS/s.CeilingFPS || s.DefaultRectSec <= 0 {
		t.Errorf("portrait: %+v", s)
	}
}

// TestBenchLibrary: --library-only fingerprints each clip cold and warm,
// and rescans a moved folder of distinct files without inferring, then
// an unchanged one without reading a file.
func TestBenchLibrary(t *testing.T) {
	isolated(t)
	clip := testenv.Shared(t, "testdata/videos/plant_cup_realshort.mp4")
	out := filepath.Join(t.TempDir(), "bench.json")
	code, stdout, stderr := vidsift(t, "bench", "--model", testenv.Model(t), "--library-only", "--library-files", "4", "--fingerprint-gib", "0", "--json", out, clip)
	if code != ExitOK || !strings.Contains(stdout, "FILES KNOWN BY CONTENT") {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	l := testenv.ReadJSON[bench.Report](t, out).Library
	if l == nil || len(l.Fingerprints) != 1 || l.Fingerprints[0].Bytes == 0 || l.Fingerprints[0].ColdMs <= 0 || l.Fingerprints[0].WarmMs <= 0 {
		t.Fatalf("fingerprint figures: %+v", l)
	}
	if l.Files != 4 || l.MovedSkipped != 4 || l.MovedFingerprinted != 4 || l.MovedInferences != 0 || l.UnchangedFingerprinted != 0 ||
		l.FirstScanSec <= 0 || l.MovedRatio != l.MovedRescanSec/l.FirstScanSec {
		t.Errorf("moved folder: %+v", l)
	}
}

// TestBenchWatch: --watch-only times a clip from settling in a watched
// folder to its result, and measures an idle watch of a tree.
func TestBenchWatch(t *testing.T) {
	isolated(t)
	clip := testenv.Shared(t, "testdata/videos/plant_cup_realshort.mp4")
	out := filepath.Join(t.TempDir(), "bench.json")
	code, stdout, stderr := vidsift(t, "bench", "--model", testenv.Model(t), "--watch-only", "--watch-files", "200", "--watch-idle", "1s", "--json", out, clip)
	if code != ExitOK || !strings.Contains(stdout, "WATCH") {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	w := testenv.ReadJSON[bench.Report](t, out).Watch
	if w == nil || len(w.Latency) != 1 || w.Latency[0].LatencySec <= 0 || w.TreeFiles != 200 || w.TreeFolders != 3 || w.IdleSec < 1 || w.IdleCPUPercent < 0 {
		t.Errorf("watch figures: %+v", w)
	}
}

// TestBenchCutFrames: --cut-frames-only scans each PATH with cuts off and
// on; the figures add up, the compilation gains its cut frames and the
// static camera none.
func TestBenchCutFrames(t *testing.T) {
	isolated(t)
	paths := []string{testenv.Fixture(t, "shots/compilation_h264.mp4"), testenv.Fixture(t, "static_10s_gop.mp4")}
	out := filepath.Join(t.TempDir(), "bench.json")
	code, stdout, stderr := vidsift(t, append([]string{"bench", "--model", testenv.Model(t), "--cut-frames-only", "--json", out}, paths...)...)
	if code != ExitOK || !strings.Contains(stdout, "CUT FRAMES") {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	c := testenv.ReadJSON[bench.Report](t, out).CutFrames
	if c == nil || len(c.Files) != 2 {
		t.Fatalf("cut-frame figures: %+v", c)
	}
	comp, static := c.Files[0], c.Files[1]
	if comp.Cuts < 8 || comp.FramesOn <= comp.FramesOff || comp.FramesOn-comp.Cuts > comp.FramesOff || comp.Candidates < comp.Cuts || comp.WallOnSec <= 0 {
		t.Errorf("compilation: %+v", comp)
	}
	if static.Cuts != 0 || static.FramesOn != static.FramesOff || static.DecodedOn < static.DecodedOff {
		t.Errorf("static camera: %+v", static)
	}
	if c.FramesOn != comp.FramesOn+static.FramesOn || c.FramesRatio != float64(c.FramesOn)/float64(c.FramesOff) || c.WallRatio != c.WallOnSec/c.WallOffSec {
		t.Errorf("totals: %+v", c)
	}
}

// TestBenchClips: --clips-only cuts the middle third of a clip by stream
// copy and with the ffmpeg CLI, and reports both.
func TestBenchClips(t *testing.T) {
	isolated(t)
	clip := testenv.Shared(t, "testdata/videos/street_bikes_h264.mp4")
	out := filepath.Join(t.TempDir(), "bench.json")
	code, stdout, stderr := vidsift(t, "bench", "--model", testenv.Model(t), "--clips-only", "--json", out, clip)
	if code != ExitOK || !strings.Contains(stdout, "CLIPS") {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	c := testenv.ReadJSON[bench.Report](t, out).Cutting
	if c == nil || len(c.Cuts) != 1 || c.Cuts[0].VidsiftMs <= 0 || c.Cuts[0].FFmpegMs <= 0 || c.Ratio != c.VidsiftMs/c.FFmpegMs {
		t.Errorf("clips figures: %+v", c)
	}
}
