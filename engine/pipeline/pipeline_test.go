package pipeline

import (
	"bytes"
	"context"
	"fmt"
	"image/jpeg"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vidsift/vidsift/engine/detect"
	"github.com/vidsift/vidsift/engine/groundtruth"
	"github.com/vidsift/vidsift/engine/media"
	"github.com/vidsift/vidsift/engine/scan"
	"github.com/vidsift/vidsift/internal/testenv"
)

// policies are the sampling policies the ground truth must hold under:
// keyframes only, gap frames without reuse, and the defaults (gap frames
// and near-duplicate reuse).
var policies = []struct {
	name     string
	sampling scan.Sampling
	reuse    bool
}{
	{"keyframes only", scan.Sampling{MinGap: 0.5}, false},
	{"gap frames without reuse", defaultSampling, false},
	{"defaults", defaultSampling, true},
}

// defaultSampling is config's default policy (max_gap 2 s, min_gap 0.5 s, cuts).
var defaultSampling = scan.DefaultParams().Sampling

// TestGroundTruth holds every expectation of shared/testdata/ground_truth.json
// against a scan of that folder through the public pipeline API, under
// every sampling policy.
func TestGroundTruth(t *testing.T) {
	root := testenv.Shared(t, "testdata")
	gt := testenv.Expectations(t, filepath.Join(root, "ground_truth.json"))
	for _, p := range policies {
		t.Run(p.name, func(t *testing.T) {
			cfg := testConfig(t, 2, 2)
			cfg.Sampling, cfg.ReuseSimilar = p.sampling, p.reuse
			res := collect(context.Background(), cfg, testenv.GroundTruthMedia(t), nil)
			if res.err != nil {
				t.Fatal(res.err)
			}
			if got, want := res.summary.Files, len(gt); got != want {
				t.Errorf("scanned %d files, ground truth has %d", got, want)
			}
			t.Logf("%d frames, %d keyframes, %d inferences", res.summary.Frames, res.summary.Keyframes, res.summary.Inferences)
			for rel, exp := range gt {
				f, ok := res.files[filepath.Join(root, rel)]
				if !ok {
					t.Errorf("%s: missing from the scan", rel)
					continue
				}
				if f.Status != scan.StatusOK {
					t.Errorf("%s: status %s: %s", rel, f.Status, f.Error)
				}
				for _, why := range exp.Check(dets(f), strings.HasPrefix(rel, "photos/")) {
					t.Errorf("%s: %s", rel, why)
				}
				checkOrder(t, f)
			}
		})
	}
}

// TestGroundTruthOtherModels: the int8 model, and the dynamic-shape
// exports of both (vidsift's default is the int8 one) running every frame
// on its own rectangle, hold every ground-truth expectation too, absent
// ones included, under each policy.
func TestGroundTruthOtherModels(t *testing.T) {
	root := testenv.Shared(t, "testdata")
	gt := testenv.Expectations(t, filepath.Join(root, "ground_truth.json"))
	sharedModel(t) // initialises ONNX Runtime
	for _, c := range []struct {
		file string
		rect bool
	}{{"yolov8n_int8.onnx", false}, {"yolov8n_int8_dynamic.onnx", true}, {"yolov8n_dynamic.onnx", true}} {
		m, err := detect.Load(testenv.Shared(t, "models/"+c.file), detect.Options{IntraOpThreads: 1})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range policies {
			cfg := testConfig(t, 2, 2)
			cfg.Detector, cfg.Sampling, cfg.ReuseSimilar, cfg.Rect = m, p.sampling, p.reuse, c.rect
			res := collect(context.Background(), cfg, testenv.GroundTruthMedia(t), nil)
			for rel, exp := range gt {
				f := res.files[filepath.Join(root, rel)]
				if f.Status != scan.StatusOK {
					t.Errorf("%s, %s, %s: %s %s", c.file, p.name, rel, f.Status, f.Error)
				}
				for _, why := range exp.Check(dets(f), strings.HasPrefix(rel, "photos/")) {
					t.Errorf("%s, %s, %s: %s", c.file, p.name, rel, why)
				}
			}
		}
		m.Close()
	}
}

// checkOrder checks that frames come in index order with rising times,
// and that a reused frame repeats an earlier inferred frame's detections.
func checkOrder(t *testing.T, f scan.FileResult) {
	t.Helper()
	for i, k := range f.Frames {
		if k.Index != i {
			t.Errorf("%s: frame %d has index %d", f.Path, i, k.Index)
		}
		if i > 0 && k.Time <= f.Frames[i-1].Time {
			t.Errorf("%s: frame %d at %.3f s is not after %.3f s", f.Path, i, k.Time, f.Frames[i-1].Time)
		}
		if k.Reused {
			if k.SameAs < 0 || k.SameAs >= i || f.Frames[k.SameAs].Reused ||
				fmt.Sprint(f.Frames[k.SameAs].Detections) != fmt.Sprint(k.Detections) {
				t.Errorf("%s: frame %d reuses frame %d wrongly", f.Path, i, k.SameAs)
			}
		}
	}
}

// TestFixtures scans every generated fixture, named explicitly, and checks
// the outcome testdata/fixtures.json asserts for it.
func TestFixtures(t *testing.T) {
	dir := filepath.Dir(testenv.Fixture(t, "h264.mp4"))
	exps := testenv.Expectations(t, filepath.Join(testenv.RepoRoot(), "testdata", "fixtures.json"))
	var inputs []string
	for name := range exps {
		inputs = append(inputs, filepath.Join(dir, name))
	}
	res := collect(context.Background(), testConfig(t, 3, 2), inputs, nil)
	if res.err != nil {
		t.Fatal(res.err)
	}
	if res.summary.Files != len(exps) {
		t.Errorf("%d files finished, want %d", res.summary.Files, len(exps))
	}
	for name, exp := range exps {
		t.Run(name, func(t *testing.T) {
			f, ok := res.files[filepath.Join(dir, name)]
			if !ok {
				t.Fatal("missing from the results")
			}
			if string(f.Status) != exp.Status {
				t.Fatalf("status %s (%s), want %s", f.Status, f.Error, exp.Status)
			}
			if exp.Error != "" && !strings.Contains(strings.ToLower(f.Error), strings.ToLower(exp.Error)) {
				t.Errorf("error %q does not mention %q", f.Error, exp.Error)
			}
			if exp.Status == "ok" && f.Error != "" {
				t.Errorf("ok file with error %q", f.Error)
			}
			if exp.Width != 0 && (f.Media.Width != exp.Width || f.Media.Height != exp.Height) {
				t.Errorf("size %dx%d, want %dx%d", f.Media.Width, f.Media.Height, exp.Width, exp.Height)
			}
			if exp.Codec != "" && f.Media.Codec != exp.Codec {
				t.Errorf("codec %q, want %q", f.Media.Codec, exp.Codec)
			}
			if exp.Times != nil {
				var got []float64
				for _, k := range f.Frames {
					got = append(got, k.Time)
				}
				if fmt.Sprint(got) != fmt.Sprint(exp.Times) {
					t.Errorf("keyframe times %v, want %v", got, exp.Times)
				}
			}
			for _, why := range exp.Check(dets(f), false) {
				t.Error(why)
			}
			checkOrder(t, f)
			// Every keyframe of a clip made from the photo shows the photo's boxes.
			for i, kf := range dets(f) {
				for b := range exp.Boxes {
					classes, want, err := exp.Box(b)
					if err != nil {
						t.Fatal(err)
					}
					if iou := groundtruth.BestIoU(kf.Dets, classes, want); iou < 0.5 {
						t.Errorf("keyframe %d: no %v near %v (best IoU %.2f)", i, classes, want, iou)
					}
				}
			}
		})
	}
}

// TestFolderWalk checks discovery through the pipeline: inside folders only
// media candidates are scanned, hidden entries are skipped, non-media and
// non-regular files are ignored, and a symlink loop ends.
func TestFolderWalk(t *testing.T) {
	dir := filepath.Join(filepath.Dir(testenv.Fixture(t, "h264.mp4")), "folder")
	res := collect(context.Background(), testConfig(t, 2, 1), []string{dir}, nil)
	var got []string
	for p, f := range res.files {
		rel, _ := filepath.Rel(dir, p)
		got = append(got, rel+":"+string(f.Status))
	}
	sort.Strings(got)
	if want := "[a.mp4:ok sub/b.mkv:ok]"; fmt.Sprint(got) != want {
		t.Errorf("scanned %v, want %s", got, want)
	}
	// notes.txt, subtitles.srt and the FIFO pipe.mp4.
	if res.summary.Ignored != 3 || res.started.Ignored != 3 {
		t.Errorf("ignored %d (started said %d), want 3", res.summary.Ignored, res.started.Ignored)
	}
}

// TestWorkersAgree: four decode workers and two inference streams give the
// detections of one worker and one stream.
func TestWorkersAgree(t *testing.T) {
	inputs := testenv.GroundTruthMedia(t)
	if fx, err := os.Stat(filepath.Join(testenv.RepoRoot(), "testdata", "generated")); err == nil && fx.IsDir() {
		for _, n := range []string{"hevc.mkv", "vp9.webm", "av1.mkv", "h264_10bit.mp4", "rotated90.mp4", "raw.h264"} {
			inputs = append(inputs, testenv.Fixture(t, n))
		}
	}
	// Under the default policy: gap frames and reuse decisions do not
	// depend on how many workers decode or streams infer.
	one, many := testConfig(t, 1, 1), testConfig(t, 4, 2)
	one.Sampling, one.ReuseSimilar = defaultSampling, true
	many.Sampling, many.ReuseSimilar = defaultSampling, true
	agree := func(name string, one, many Config) {
		a := collect(context.Background(), one, inputs, nil)
		b := collect(context.Background(), many, inputs, nil)
		if len(a.files) != len(b.files) || len(a.files) < 11 || a.summary.Frames <= a.summary.Keyframes {
			t.Fatalf("%s: %d vs %d files; %d frames, %d keyframes", name, len(a.files), len(b.files), a.summary.Frames, a.summary.Keyframes)
		}
		for _, why := range groundtruth.Differences(scanned(a.files), scanned(b.files)) {
			t.Errorf("%s: %s", name, why)
		}
	}
	agree("square", one, many)
	// And with each frame on its own rectangle: the shapes met, and the
	// tensors each stream holds, do not change what is found.
	m, err := detect.Load(testenv.Shared(t, "models/yolov8n_int8_dynamic.onnx"), detect.Options{IntraOpThreads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	one.Detector, many.Detector, one.Rect, many.Rect = m, m, true, true
	agree("rectangular", one, many)
}

// TestCancel queues the shared clips 20 times, cancels after the first
// finished file, and checks that the run ends early with every finished
// file intact and every FFmpeg and ONNX Runtime object released.
func TestCancel(t *testing.T) {
	root := testenv.Shared(t, "testdata")
	gt := testenv.Expectations(t, filepath.Join(root, "ground_truth.json"))
	videos, _ := filepath.Glob(filepath.Join(root, "videos", "*"))
	tmp := t.TempDir()
	want := map[string]int{}
	for i := 0; i < 20; i++ {
		d := filepath.Join(tmp, fmt.Sprintf("copy%02d", i))
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, v := range videos {
			link := filepath.Join(d, filepath.Base(v))
			if err := os.Symlink(v, link); err != nil {
				t.Fatal(err)
			}
			want[link] = *gt["videos/"+filepath.Base(v)].Keyframes
		}
	}
	cfg := testConfig(t, 2, 2)
	cfg.Thumbs = ImageThumbs                               // exercise thumbnails too
	cfg.Sampling, cfg.ReuseSimilar = defaultSampling, true // and gap frames waiting to reuse detections
	baseline := detect.OpenObjects()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	finishedAfterCancel := 0
	cancelled := false
	res := collect(ctx, cfg, []string{tmp}, func(ev scan.Event) {
		switch e := ev.(type) {
		case scan.FrameAnalysed:
			if e.Thumbnail == nil || e.Thumbnail.Bounds().Dx() > scan.ThumbSize || e.JPEG == nil {
				t.Errorf("bad thumbnail %v", e.Thumbnail)
			}
		case scan.FileFinished:
			if cancelled {
				finishedAfterCancel++
			} else {
				cancelled = true
				cancel()
			}
		}
	})
	if res.err == nil {
		t.Error("RunFinished carries no error after cancel")
	}
	queued := len(want)
	if res.started.Files != queued {
		t.Fatalf("started with %d files, want %d", res.started.Files, queued)
	}
	if res.summary.Files < 1 || res.summary.Files >= queued {
		t.Errorf("all %d files finished despite cancel", queued)
	}
	if res.summary.Files+res.summary.Cancelled != queued {
		t.Errorf("finished %d + cancelled %d != queued %d", res.summary.Files, res.summary.Cancelled, queued)
	}
	for p, f := range res.files {
		keys := 0
		for _, k := range f.Frames {
			if k.Kind == scan.KeyFrame {
				keys++
			}
		}
		if f.Status != scan.StatusOK || keys != want[p] {
			t.Errorf("finished file %s is not intact: %s %q, %d/%d keyframes", p, f.Status, f.Error, keys, want[p])
		}
	}
	if n := media.OpenObjects(); n != 0 {
		t.Errorf("%d FFmpeg objects left open", n)
	}
	if n := detect.OpenObjects(); n != baseline {
		t.Errorf("%d ONNX Runtime objects open after the run, %d before", n, baseline)
	}
	t.Logf("cancelled after the first finished file: %d of %d files finished (%d after cancel), %d cancelled", res.summary.Files, queued, finishedAfterCancel, res.summary.Cancelled)
}

// TestEventOrder checks the stream's contract: RunStarted first, RunFinished
// last, and a file's keyframes between its FileStarted and FileFinished.
func TestEventOrder(t *testing.T) {
	root := testenv.Shared(t, "testdata/videos")
	var seq []string
	started := map[string]bool{}
	finished := map[string]bool{}
	var problems []string
	collect(context.Background(), testConfig(t, 2, 2), []string{root}, func(ev scan.Event) {
		switch e := ev.(type) {
		case scan.RunStarted:
			seq = append(seq, "start")
		case scan.FileStarted:
			started[e.Path] = true
		case scan.FrameAnalysed:
			if !started[e.Path] || finished[e.Path] {
				problems = append(problems, "keyframe outside its file: "+e.Path)
			}
		case scan.FileFinished:
			if !started[e.Result.Path] {
				problems = append(problems, "finished before started: "+e.Result.Path)
			}
			finished[e.Result.Path] = true
		case scan.RunFinished:
			seq = append(seq, "finish")
		}
	})
	if fmt.Sprint(seq) != "[start finish]" {
		t.Errorf("run events %v", seq)
	}
	if len(finished) != 5 {
		t.Errorf("%d files finished, want 5", len(finished))
	}
	for _, p := range problems {
		t.Error(p)
	}
}

// TestFileTimeout: a timeout that has already passed fails every file with a
// clear reason and the batch still completes.
func TestFileTimeout(t *testing.T) {
	cfg := testConfig(t, 2, 1)
	cfg.FileTimeout = time.Nanosecond
	res := collect(context.Background(), cfg, []string{testenv.Shared(t, "testdata/videos")}, nil)
	if res.summary.Failed != 5 {
		t.Fatalf("%d failed, want 5", res.summary.Failed)
	}
	for p, f := range res.files {
		if !strings.Contains(f.Error, "timed out") {
			t.Errorf("%s: error %q", p, f.Error)
		}
	}
}

func TestThumbDims(t *testing.T) {
	cases := [][4]int{{1920, 1080, 320, 180}, {1080, 1920, 180, 320}, {64, 64, 64, 64}, {321, 1, 320, 1}, {640, 424, 320, 212}}
	for _, c := range cases {
		if w, h := scan.Fit(c[0], c[1], 320); w != c[2] || h != c[3] {
			t.Errorf("Fit(%d,%d) = %d,%d want %d,%d", c[0], c[1], w, h, c[2], c[3])
		}
	}
}

// BenchmarkEndToEnd scans the five shared clips with the default layout
// (workers = streams = NumCPU, one intra-op thread per stream) and reports
// keyframes/s and the share of wall time inference was busy.
func BenchmarkEndToEnd(b *testing.B) {
	root := testenv.Shared(b, "testdata/videos")
	cfg := testConfig(b, runtime.NumCPU(), runtime.NumCPU())
	cfg.Thumbs = JPEGThumbs
	kfs := 0
	var busy, wall time.Duration
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		res := collect(context.Background(), cfg, []string{root}, nil)
		kfs += res.summary.Frames
		busy += res.summary.InferenceBusy
		wall += res.summary.Elapsed
	}
	b.ReportMetric(float64(kfs)/b.Elapsed().Seconds(), "keyframes/s")
	b.ReportMetric(busy.Seconds()/wall.Seconds(), "inference-busy")
}

// keepLibrary remembers what a run gives it to keep, and reuses nothing.
type keepLibrary struct {
	mu     sync.Mutex
	thumbs map[string]map[int][]byte
}

func (l *keepLibrary) Reuse(string) (scan.Known, error)                       { return scan.Known{}, nil }
func (l *keepLibrary) KeepSubtitles(string, []scan.Cue) error                 { return nil }
func (l *keepLibrary) KeepText(string, string, map[int][]scan.TextLine) error { return nil }
func (l *keepLibrary) Keep(res scan.FileResult, thumbs map[int][]byte) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.thumbs[res.Path] = thumbs
	return nil
}

// TestThumbModes: with JPEG thumbnails each fresh frame event carries the
// JPEG that its FileFinished hands over and the library keeps (the same
// bytes, the thumbnail's size); the decoded image comes only when asked
// for; without thumbnails nothing is made, library or not.
func TestThumbModes(t *testing.T) {
	video := testenv.Fixture(t, "h264.mp4")
	for _, mode := range []Thumbs{NoThumbs, JPEGThumbs, ImageThumbs} {
		cfg := testConfig(t, 1, 1)
		cfg.Thumbs = mode
		lib := &keepLibrary{thumbs: map[string]map[int][]byte{}}
		cfg.Library = lib
		var finished map[int][]byte
		res := collect(context.Background(), cfg, []string{video}, func(ev scan.Event) {
			if f, ok := ev.(scan.FileFinished); ok {
				finished = f.Thumbs
			}
		})
		if len(res.analysed) != 2 {
			t.Fatalf("mode %d: %d keyframes", mode, len(res.analysed))
		}
		for _, e := range res.analysed {
			k := e.Frame
			if mode == NoThumbs {
				if e.JPEG != nil || e.Thumbnail != nil || len(finished) != 0 || len(lib.thumbs[e.Path]) != 0 {
					t.Error("thumbnails made when none were asked for")
				}
				continue
			}
			img, err := jpeg.Decode(bytes.NewReader(e.JPEG))
			if err != nil || img.Bounds().Dx() != scan.ThumbSize {
				t.Fatalf("mode %d, frame %d: JPEG %v (%v)", mode, k.Index, img, err)
			}
			if (e.Thumbnail != nil) != (mode == ImageThumbs) || e.Thumbnail != nil && e.Thumbnail.Bounds() != img.Bounds() {
				t.Errorf("mode %d, frame %d: image %v", mode, k.Index, e.Thumbnail)
			}
			if kept := lib.thumbs[e.Path][k.Index]; !bytes.Equal(kept, e.JPEG) || !bytes.Equal(finished[k.Index], e.JPEG) {
				t.Errorf("frame %d: the library kept %d bytes, FileFinished %d, the event carries %d", k.Index, len(kept), len(finished[k.Index]), len(e.JPEG))
			}
		}
	}
}
