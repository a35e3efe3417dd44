// Package bench measures vidsift on one machine in one run: keyframe decode
// against the ffmpeg CLI, the inference ceiling of every thread layout,
// end-to-end throughput for growing worker counts, model loads, peak memory
// and time to first result. `vidsift bench` prints its table and JSON.
package bench

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/vidsift/vidsift/engine/detect"
	"github.com/vidsift/vidsift/engine/media"
	"github.com/vidsift/vidsift/engine/pipeline"
	"github.com/vidsift/vidsift/engine/scan"
)

// Options drive a benchmark.
type Options struct {
	Clips          []string // distinct media files to repeat
	Model          string   // model path
	RuntimeLibrary string   // ONNX Runtime library (already initialised by the caller)
	Counts         []int    // file counts for the end-to-end runs, e.g. 10 and 50
	RSSFiles       int      // files for the peak-RSS child run (0: skip)
	Self           string   // vidsift's executable, for the child runs
	// SamplingOnly measures just the sampling policy (needs SamplingSource
	// among the clips).
	SamplingOnly bool
	// ClusterOnly measures just the cluster: queue overhead and scaling
	// (Self must be vidsift, to start workers).
	ClusterOnly bool
	// RectOnly compares square and rectangular inference on each of
	// Groups (Model must be of dynamic input size).
	RectOnly bool
	Groups   []Group
	// LibraryOnly measures just the content identity: fingerprint costs
	// (of Clips, and of a BigGiB GiB file when > 0) and the rescan of a
	// moved folder of LibraryFiles files (0: skip).
	LibraryOnly  bool
	BigGiB       int
	LibraryFiles int
	// WatchOnly measures just a watch: settle-to-result latency on Clips,
	// and the CPU of an idle watch of WatchFiles files over WatchIdle.
	WatchOnly bool
	// ClipsOnly compares cutting by stream copy with the ffmpeg CLI on Clips.
	ClipsOnly bool
	// CutFramesOnly measures just what cut frames cost on Clips: frames
	// analysed, decoded and wall time with cuts off and on.
	CutFramesOnly bool
	// TextOnly measures just what reading text costs and finds on Clips
	// (text off and on, the text-only pass, by hand with tesseract), with
	// the text models in TextModels at TextSide (0: the default), words
	// held to Truth (nil: not scored).
	TextOnly   bool
	TextModels string
	TextSide   int
	Truth      TextTruth
	WatchFiles int
	WatchIdle  time.Duration
	Log        func(format string, args ...any)
}

// Headline says which end-to-end run the top-level figures come from.
const Headline = "default settings (workers = threads = NumCPU), largest file count"

// Layout is one way to spend the cores on inference, with one set of
// ONNX Runtime session options.
type Layout struct {
	Goroutines   int     `json:"goroutines"`
	IntraOp      int     `json:"intra_op_threads"` // 0: ONNX Runtime's default
	Session      string  `json:"session_options"`  // "default" or the one option changed
	KeyframesSec float64 `json:"keyframes_per_s"`
	MsPerFrame   float64 `json:"ms_per_keyframe"`
	options      detect.Options
}

// sessionVariants are the ONNX Runtime session options worth choosing by
// measurement, each changed alone from the default.
var sessionVariants = []struct {
	name string
	opts detect.Options
}{
	{"graph_opt=basic", detect.Options{GraphOptimization: "basic"}},
	{"graph_opt=extended", detect.Options{GraphOptimization: "extended"}},
	{"mem_pattern=off", detect.Options{NoMemPattern: true}},
	{"cpu_arena=off", detect.Options{NoCPUArena: true}},
	{"denormal_as_zero", detect.Options{Config: map[string]string{"session.set_denormal_as_zero": "1"}}},
}

// EndToEnd is one full scan.
type EndToEnd struct {
	Files          int     `json:"files"`
	Workers        int     `json:"workers"`
	Threads        int     `json:"threads"`
	Frames         int     `json:"frames"`
	Seconds        float64 `json:"seconds"`
	KeyframesSec   float64 `json:"keyframes_per_s"`
	FilesSec       float64 `json:"files_per_s"`
	CeilingRatio   float64 `json:"ceiling_ratio"`
	Speedup        float64 `json:"speedup"` // over workers=1 threads=1 at the same file count
	InferenceBusy  float64 `json:"inference_busy"`
	ModelLoads     int64   `json:"model_loads"`
	FirstResultSec float64 `json:"first_result_s"`
}

// Report is everything measured; docs/benchmarks.md explains each JSON name.
type Report struct {
	Created         string   `json:"created"`
	CPUs            int      `json:"cpus"`
	Model           string   `json:"model"`
	Clips           []string `json:"clips"`
	DecodeSeconds   float64  `json:"decode_s"`
	FFmpegSeconds   float64  `json:"ffmpeg_s"`
	DecodeKeyframes int      `json:"decode_keyframes"`
	DecodeRatio     float64  `json:"decode_ratio_vs_ffmpeg"`
	Layouts         []Layout `json:"layouts"`
	Ceiling         float64  `json:"inference_ceiling_keyframes_per_s"`
	// SessionOptions are the ONNX Runtime options each changed alone on
	// the pipeline's layout. They are not part of the ceiling: the
	// pipeline runs the default options, kept because none of these beat
	// them beyond noise (see docs/benchmarks.md); a variant that did would become the
	// default instead.
	SessionOptions []Layout   `json:"session_options"`
	Runs           []EndToEnd `json:"end_to_end"`
	CeilingRatio   float64    `json:"ceiling_ratio"`
	InferenceBusy  float64    `json:"inference_busy"`
	Speedup        float64    `json:"speedup"`
	ModelLoads     int64      `json:"model_loads"`
	PeakRSSMB      float64    `json:"peak_rss_mb"`
	PeakRSSFiles   int        `json:"peak_rss_files"`
	FirstResultSec float64    `json:"first_result_s"`
	// Sampling is what the sampling policy costs and saves (nil when no
	// PATH holds SamplingSource).
	Sampling *SamplingReport `json:"sampling,omitempty"`
	// Cluster is what scanning through a hub costs (ClusterOnly).
	Cluster *ClusterReport `json:"cluster,omitempty"`
	// Rect is square against rectangular inference (RectOnly).
	Rect *RectReport `json:"rect,omitempty"`
	// Library is what knowing files by content costs and saves (LibraryOnly).
	Library *LibraryReport `json:"library,omitempty"`
	// Watch is what a watch costs (WatchOnly).
	Watch *WatchReport `json:"watch,omitempty"`
	// Clips is cutting by stream copy against the ffmpeg CLI (ClipsOnly).
	Cutting *ClipsReport `json:"cutting,omitempty"`
	// CutFrames is what cut frames cost (CutFramesOnly).
	CutFrames *CutFramesReport `json:"cut_frames,omitempty"`
	// Text is what reading text costs and finds (TextOnly).
	Text *TextReport `json:"text,omitempty"`
}

// Run measures everything. It loads the model several times (one session
// per layout); the end-to-end runs each count their own loads.
func Run(ctx context.Context, o Options) (*Report, error) {
	if o.Log == nil {
		o.Log = func(string, ...any) {}
	}
	rep := &Report{Created: time.Now().UTC().Format(time.RFC3339), CPUs: runtime.NumCPU(), Model: o.Model, Clips: o.Clips}

	// A …Only option measures that alone.
	for _, only := range []struct {
		on      bool
		measure func(context.Context, Options) error
	}{
		{o.SamplingOnly, rep.sampling}, {o.ClusterOnly, rep.cluster}, {o.RectOnly, rep.rect},
		{o.LibraryOnly, rep.library}, {o.WatchOnly, rep.watchCosts}, {o.ClipsOnly, rep.clipCosts},
		{o.CutFramesOnly, rep.cutFrameCosts}, {o.TextOnly, rep.textCosts},
	} {
		if only.on {
			return rep, only.measure(ctx, o)
		}
	}
	o.Log("decode: vidsift vs ffmpeg CLI on %d files", len(o.Clips))
	if err := rep.decode(ctx, o); err != nil {
		return nil, err
	}
	o.Log("inference ceiling: preparing keyframes")
	prepared, err := prepare(ctx, o)
	if err != nil {
		return nil, err
	}
	// Two rounds over all layouts, best of each: the machines are shared
	// and noisy, and a layout measured during a neighbour's burst would
	// understate the ceiling.
	rep.Layouts, rep.SessionOptions = layouts(), sessionLayouts()
	for round := 0; round < 2; round++ {
		for _, set := range [][]Layout{rep.Layouts, rep.SessionOptions} {
			for i := range set {
				l := set[i]
				o.Log("inference round %d: %d goroutine(s) × %d intra-op thread(s), %s session options", round+1, l.Goroutines, l.IntraOp, l.Session)
				if err := measureLayout(o.Model, prepared, &l); err != nil {
					return nil, err
				}
				if l.KeyframesSec > set[i].KeyframesSec {
					set[i] = l
				}
			}
		}
	}
	for _, l := range rep.Layouts {
		rep.Ceiling = max(rep.Ceiling, l.KeyframesSec)
	}
	prepared = nil
	runtime.GC()

	for _, n := range o.Counts {
		files, cleanup, err := Repeat(o.Clips, n)
		if err != nil {
			return nil, err
		}
		var base float64
		cpu := runtime.NumCPU()
		type setting struct{ workers, threads int }
		settings := []setting{{1, 1}}
		for w := 1; w <= cpu; w++ {
			settings = append(settings, setting{w, cpu})
		}
		for _, s := range settings {
			o.Log("end to end: %d files, workers=%d threads=%d", n, s.workers, s.threads)
			r, err := endToEnd(ctx, o.Model, files, s.workers, s.threads)
			if err != nil {
				cleanup()
				return nil, err
			}
			if s.workers == 1 && s.threads == 1 {
				base = r.KeyframesSec
			}
			r.Speedup = r.KeyframesSec / base
			r.CeilingRatio = r.KeyframesSec / rep.Ceiling
			rep.Runs = append(rep.Runs, r)
		}
		cleanup()
	}
	// Headline figures: default settings (workers = threads = NumCPU) at the largest count.
	most := 0
	for _, r := range rep.Runs {
		if r.Workers == runtime.NumCPU() && r.Threads == runtime.NumCPU() && r.Files > most {
			most = r.Files
			rep.CeilingRatio, rep.InferenceBusy, rep.Speedup = r.CeilingRatio, r.InferenceBusy, r.Speedup
			rep.ModelLoads, rep.FirstResultSec = r.ModelLoads, r.FirstResultSec
		}
	}
	if o.RSSFiles > 0 && o.Self != "" {
		o.Log("peak RSS and first result: a fresh `vidsift scan` of %d files", o.RSSFiles)
		if err := rep.child(ctx, o); err != nil {
			return nil, err
		}
	}
	if err := rep.sampling(ctx, o); err != nil {
		return nil, err
	}
	return rep, nil
}

// sampling measures the sampling policy when a clip is SamplingSource;
// without a ceiling measured (SamplingOnly) it measures the pipeline's
// layout first.
func (rep *Report) sampling(ctx context.Context, o Options) error {
	var source string
	for _, c := range o.Clips {
		if filepath.Base(c) == SamplingSource {
			source = c
		}
	}
	if source == "" {
		o.Log("sampling: skipped, no %s among the PATHs", SamplingSource)
		if o.SamplingOnly {
			return fmt.Errorf("measuring the sampling policy needs %s among the PATHs", SamplingSource)
		}
		return nil
	}
	if rep.Ceiling == 0 {
		p, err := prepare(ctx, o)
		if err != nil {
			return err
		}
		l := Layout{Goroutines: runtime.NumCPU(), IntraOp: 1, Session: "default"}
		if err := measureLayout(o.Model, p, &l); err != nil {
			return err
		}
		rep.Layouts, rep.Ceiling = append(rep.Layouts, l), l.KeyframesSec
	}
	n := 10
	if len(o.Counts) > 0 {
		n = slices.Max(o.Counts)
	}
	files, cleanup, err := Repeat(o.Clips, n)
	if err != nil {
		return err
	}
	defer cleanup()
	return rep.samplingFigures(ctx, o, source, files)
}

// layouts are the thread layouts, with default session options. The last,
// one stream of one thread, is not a contender: it shows how far this
// machine's cores scale together (the most the speedup can be).
func layouts() []Layout {
	n := runtime.NumCPU()
	ls := []Layout{{Goroutines: n, IntraOp: 1}, {Goroutines: 1, IntraOp: n}, {Goroutines: 1, IntraOp: 0}}
	if n >= 4 {
		ls = append(ls, Layout{Goroutines: n / 2, IntraOp: 2})
	}
	if n > 1 {
		ls = append(ls, Layout{Goroutines: 1, IntraOp: 1})
	}
	for i := range ls {
		ls[i].Session = "default"
	}
	return ls
}

// sessionLayouts are the session variants on the pipeline's own layout (a
// stream per core, one intra-op thread each).
func sessionLayouts() []Layout {
	var ls []Layout
	for _, v := range sessionVariants {
		ls = append(ls, Layout{Goroutines: runtime.NumCPU(), IntraOp: 1, Session: v.name, options: v.opts})
	}
	return ls
}

// decode times vidsift's keyframe decode (with the RGB conversion the
// pipeline does) and the ffmpeg CLI's over the same files, one at a time.
func (rep *Report) decode(ctx context.Context, o Options) error {
	start := time.Now()
	buf := make([]byte, 640*640*3)
	for _, p := range o.Clips {
		f, err := media.Open(ctx, p, media.Options{})
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		_, err = f.Frames(ctx, func(k *media.Frame) error {
			rep.DecodeKeyframes++
			lb := detect.NewLetterbox(k.Width, k.Height, 640, 640)
			return k.RGB(lb.ResizedW, lb.ResizedH, buf)
		})
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
	}
	rep.DecodeSeconds = time.Since(start).Seconds()

	ffmpeg, err := exec.LookPath("ffmpeg")
	if err != nil {
		return fmt.Errorf("the decode comparison needs the ffmpeg CLI: %w", err)
	}
	start = time.Now()
	for _, p := range o.Clips {
		cmd := exec.CommandContext(ctx, ffmpeg, "-nostdin", "-v", "error", "-skip_frame", "nokey", "-i", p, "-an", "-fps_mode", "passthrough", "-f", "null", "-")
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("ffmpeg %s: %v\n%s", p, err, out)
		}
	}
	rep.FFmpegSeconds = time.Since(start).Seconds()
	rep.DecodeRatio = rep.DecodeSeconds / rep.FFmpegSeconds
	return nil
}

// prepared holds letterboxed model inputs, decoded once.
type prepared struct {
	inputW, inputH int
	tensors        [][]float32
}

func prepare(ctx context.Context, o Options) (*prepared, error) {
	m, err := detect.Load(o.Model, detect.Options{IntraOpThreads: 1})
	if err != nil {
		return nil, err
	}
	defer m.Close()
	p := &prepared{inputW: m.InputW, inputH: m.InputH}
	rgb := make([]byte, m.InputW*m.InputH*3)
	for _, path := range o.Clips {
		f, err := media.Open(ctx, path, media.Options{})
		if err != nil {
			return nil, err
		}
		_, err = f.Frames(ctx, func(k *media.Frame) error {
			lb, _ := m.Letterbox(k.Width, k.Height, false) // the layouts are compared square
			if err := k.RGB(lb.ResizedW, lb.ResizedH, rgb); err != nil {
				return err
			}
			t := make([]float32, 3*m.InputW*m.InputH)
			lb.Fill(rgb, t)
			p.tensors = append(p.tensors, t)
			return nil
		})
		f.Close()
		if err != nil {
			return nil, err
		}
	}
	if len(p.tensors) == 0 {
		return nil, fmt.Errorf("no keyframes in the benchmark files")
	}
	return p, nil
}

// measureLayout runs inference over the prepared keyframes (at least
// twice over, and at least 8 per goroutine) with one session.
func measureLayout(model string, p *prepared, l *Layout) error {
	opts := l.options
	opts.IntraOpThreads = l.IntraOp
	m, err := detect.Load(model, opts)
	if err != nil {
		return err
	}
	defer m.Close()
	total := max(3*len(p.tensors), 16*l.Goroutines)
	var next int
	var mu sync.Mutex
	var wg sync.WaitGroup
	errs := make(chan error, l.Goroutines)
	// Warm up each goroutine's buffers once, untimed.
	bufs := make([]*detect.Buffers, l.Goroutines)
	for i := range bufs {
		if bufs[i], err = m.NewBuffers(); err != nil {
			return err
		}
		defer bufs[i].Free()
		copy(bufs[i].Input(), p.tensors[0])
		if _, err := m.Infer(bufs[i], 0.25, 0.7); err != nil {
			return err
		}
	}
	start := time.Now()
	for g := 0; g < l.Goroutines; g++ {
		wg.Add(1)
		go func(b *detect.Buffers) {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= total {
					return
				}
				copy(b.Input(), p.tensors[i%len(p.tensors)])
				if _, err := m.Infer(b, 0.25, 0.7); err != nil {
					errs <- err
					return
				}
			}
		}(bufs[g])
	}
	wg.Wait()
	el := time.Since(start).Seconds()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	l.KeyframesSec = float64(total) / el
	l.MsPerFrame = el * 1000 / float64(total)
	return nil
}

// endToEnd scans files with a freshly loaded model, as `vidsift scan` does.
// The time is the scan's, from discovery to the last result; the model
// load (once per process) shows in the fresh-process first-result figure.
func endToEnd(ctx context.Context, model string, files []string, workers, threads int) (EndToEnd, error) {
	before := detect.Loads()
	m, err := detect.Load(model, detect.Options{IntraOpThreads: 1})
	if err != nil {
		return EndToEnd{}, err
	}
	defer m.Close()
	// Keyframes only, no reuse: the figures compare layouts, not policies.
	cfg := pipeline.NewConfig(m, nil, scan.Settings{Params: scan.Params{Confidence: scan.DefaultConfidence, IoU: scan.DefaultIoU},
		Workers: workers, Threads: threads, IntraOpThreads: 1})
	var sum scan.Summary
	for ev := range pipeline.Run(ctx, cfg, files) {
		if f, ok := ev.(scan.RunFinished); ok {
			sum = f.Summary
			if f.Err != nil {
				return EndToEnd{}, f.Err
			}
		}
	}
	el := sum.Elapsed.Seconds()
	if sum.Failed > 0 {
		return EndToEnd{}, fmt.Errorf("%d of the benchmark files failed", sum.Failed)
	}
	return EndToEnd{
		Files: len(files), Workers: workers, Threads: threads, Frames: sum.Frames,
		Seconds: el, KeyframesSec: float64(sum.Frames) / el, FilesSec: float64(len(files)) / el,
		InferenceBusy: sum.InferenceBusy.Seconds() / sum.Elapsed.Seconds(),
		ModelLoads:    detect.Loads() - before, FirstResultSec: sum.FirstResult.Seconds(),
	}, nil
}

// Repeat makes n files out of clips, as symlinks with distinct names in a
// temp folder, so that a run really opens n files.
func Repeat(clips []string, n int) ([]string, func(), error) {
	dir, err := os.MkdirTemp("", "vidsift-bench-")
	if err != nil {
		return nil, nil, err
	}
	cleanup := func() { os.RemoveAll(dir) }
	var files []string
	for i := 0; i < n; i++ {
		src := clips[i%len(clips)]
		dst := filepath.Join(dir, fmt.Sprintf("%04d_%s", i, filepath.Base(src)))
		if err := os.Symlink(src, dst); err != nil {
			cleanup()
			return nil, nil, err
		}
		files = append(files, dst)
	}
	return files, cleanup, nil
}
