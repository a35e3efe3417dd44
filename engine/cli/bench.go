package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/google/renameio/v2"
	"github.com/spf13/pflag"

	"github.com/vidsift/vidsift/engine/bench"
	"github.com/vidsift/vidsift/engine/config"
	"github.com/vidsift/vidsift/engine/detect"
	"github.com/vidsift/vidsift/engine/pipeline"
	"github.com/vidsift/vidsift/engine/settings"
)

// benchOptions are `vidsift bench`'s flags.
type benchOptions struct {
	modelFlags
	Files        int
	RSSFiles     int
	JSON         string
	SamplingOnly bool
	ClusterOnly  bool
	RectOnly     bool
	LibraryOnly  bool
	BigGiB       int
	LibraryFiles int
	WatchOnly    bool
	ClipsOnly    bool
	CutFrames    bool
	TextOnly     bool
	Truth        string
	WatchFiles   int
	WatchIdle    durationValue
	// decodeChild is the file a decode-only child process decodes (the
	// bench starts it to time vidsift's side of the gap decode ratio).
	decodeChild string
}

func (o *benchOptions) AddFlags(fs *pflag.FlagSet) {
	fs.IntVar(&o.Files, "files", 50, "largest file count for the end-to-end runs (10 is always run too)")
	fs.IntVar(&o.RSSFiles, "rss-files", 100, "files for the peak-RSS and first-result run (0: skip)")
	fs.StringVar(&o.JSON, "json", "", "write the results as JSON to FILE")
	fs.BoolVar(&o.SamplingOnly, "sampling-only", false, "measure only what the sampling policy costs and saves (needs "+bench.SamplingSource+")")
	fs.BoolVar(&o.ClusterOnly, "cluster-only", false, "measure only the cluster: queue overhead per file, and 2 workers × 1 thread against 1 (hub and workers on loopback)")
	fs.BoolVar(&o.RectOnly, "rect-only", false, "measure only square against rectangular inference, for each PATH (needs a model of dynamic input size)")
	fs.BoolVar(&o.LibraryOnly, "library-only", false, "measure only what knowing files by content costs: the fingerprint of each clip (and of a big file), and the rescan of a moved folder")
	fs.IntVar(&o.BigGiB, "fingerprint-gib", 1, "with --library-only: also fingerprint a file of this many GiB, written to the temp folder (0: skip)")
	fs.IntVar(&o.LibraryFiles, "library-files", 100, "with --library-only: distinct files in the moved folder (0: skip)")
	fs.BoolVar(&o.WatchOnly, "watch-only", false, "measure only a watch: from each clip settling in a watched folder to its result, and the CPU of an idle watch")
	fs.BoolVar(&o.CutFrames, "cut-frames-only", false, "measure only what cut frames cost: each PATH scanned with --cuts=false and --cuts, frames analysed, decoded and wall time")
	fs.BoolVar(&o.TextOnly, "text-only", false, "measure only what reading text costs and finds: PATHs scanned with --text=false and --text, the text-only pass over kept results, and ffmpeg + tesseract by hand; words held to --truth")
	fs.StringVar(&o.Truth, "truth", filepath.Join("testdata", "text_truth.json"), "with --text-only: the words a person reads in each video (none: not scored)")
	addConfigFlags(fs, "text-side")
	fs.BoolVar(&o.ClipsOnly, "clips-only", false, "measure only cutting: the middle third of each clip by stream copy, against ffmpeg -ss … -c copy")
	fs.IntVar(&o.WatchFiles, "watch-files", 10000, "with --watch-only: files in the idle tree (0: skip)")
	o.WatchIdle.d = time.Minute
	fs.Var(&o.WatchIdle, "watch-idle", "with --watch-only: how long the idle watch is measured")
	o.modelFlags.AddFlags(fs)
	fs.StringVar(&o.decodeChild, "decode-child", "", "decode FILE as the bench's decode-only child process")
	_ = fs.MarkHidden("decode-child") // only fails for an unknown flag
}

// runBench measures this machine on the videos at PATHs.
func runBench(ctx context.Context, e env, opts benchOptions, paths []string) error {
	if opts.decodeChild != "" {
		return bench.DecodeChild(ctx, opts.decodeChild)
	}
	if len(paths) == 0 {
		return usagef("bench needs videos to measure: name files or folders (make bench passes ../shared/testdata/videos)")
	}
	modelPath, err := config.FindModel(e.v)
	if err != nil {
		return usageError{err}
	}
	lib := config.FindRuntimeLibrary(e.v)
	if err := detect.Init(lib); err != nil {
		return usageError{err}
	}
	clips := pipeline.Discover(paths)
	if len(clips) == 0 {
		return usagef("no media files in %s", strings.Join(paths, ", "))
	}
	counts := []int{10}
	if opts.Files > 10 {
		counts = append(counts, opts.Files)
	} else if opts.Files > 0 {
		counts = []int{opts.Files}
	}
	var groups []bench.Group
	for _, p := range paths {
		if files := pipeline.Discover([]string{p}); len(files) > 0 {
			groups = append(groups, bench.Group{Name: p, Files: files})
		}
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	var textModels string
	var truth bench.TextTruth
	if opts.TextOnly {
		if textModels, err = config.FindTextModels(e.v); err != nil {
			return usagef("%v (run `make setup`, or set --text-models DIR)", err)
		}
		switch truth, err = bench.LoadTextTruth(opts.Truth); {
		case errors.Is(err, os.ErrNotExist):
			fmt.Fprintf(e.stderr, "bench: no %s: the words read are not scored\n", opts.Truth)
		case err != nil:
			return usageError{err}
		}
	}
	rep, err := bench.Run(ctx, bench.Options{
		TextOnly: opts.TextOnly, TextModels: textModels, TextSide: e.v.GetInt(settings.TextSide), Truth: truth,
		Clips: clips, Model: modelPath, RuntimeLibrary: lib, Counts: counts, RSSFiles: opts.RSSFiles,
		Self: self, SamplingOnly: opts.SamplingOnly, ClusterOnly: opts.ClusterOnly, RectOnly: opts.RectOnly, Groups: groups,
		LibraryOnly: opts.LibraryOnly, BigGiB: opts.BigGiB, LibraryFiles: opts.LibraryFiles,
		WatchOnly: opts.WatchOnly, WatchFiles: opts.WatchFiles, WatchIdle: opts.WatchIdle.d, ClipsOnly: opts.ClipsOnly, CutFramesOnly: opts.CutFrames,
		Log: func(f string, a ...any) { fmt.Fprintf(e.stderr, "bench: "+f+"\n", a...) },
	})
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	PrintBench(e.stdout, rep)
	if opts.JSON == "" {
		return nil
	}
	raw, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	return renameio.WriteFile(opts.JSON, append(raw, '\n'), 0o644)
}

// PrintBench writes the report as a table.
func PrintBench(w io.Writer, r *bench.Report) {
	if len(r.Runs) > 0 {
		printThroughput(w, r)
	}
	if c := r.Cluster; c != nil {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintf(tw, "\nCLUSTER (loopback hub, %s)\t\t\n", filepath.Base(r.Model))
		fmt.Fprintf(tw, "queue overhead per file (publish → result, less scan), %d files\t%.1f ms of %.0f ms scan\t(%.2f %%, target ≤ 1 %%)\n", c.OverheadFiles, c.QueueOverheadMs, c.ScanMs, 100*c.OverheadFraction)
		fmt.Fprintf(tw, "%d files: 1 worker × 1 thread, 2 workers × 1 thread\t%.2f s, %.2f s\t(scaling %.2f×)\n", c.Files, c.OneWorkerSec, c.TwoWorkersSec, c.Scaling)
		fmt.Fprintf(tw, "inference only: 2 streams over 1\t%.2f×\t\n", c.InferenceScaling)
		fmt.Fprintf(tw, "scaling ÷ inference scaling\t%.2f\t(target ≥ 0.90)\n", c.ScalingRatio)
		tw.Flush()
	}
	if r := r.Rect; r != nil {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintf(tw, "\nRECTANGULAR INFERENCE (%s; keyframes only, every one inferred; default scan: gap frames, reuse)\n", filepath.Base(r.Model))
		fmt.Fprintf(tw, "files\tframes\tshapes\tsquare frames/s\trect frames/s\tspeedup\trect ceiling\tof ceiling\tdefault scan, square → rect\n")
		for _, s := range r.Sets {
			fmt.Fprintf(tw, "%s (%d)\t%d\t%s\t%.1f\t%.1f\t%.2f×\t%.1f\t%.0f%%\t%.2f s → %.2f s\n", filepath.Base(s.Name), s.Files, s.Frames,
				strings.Join(s.Shapes, " "), s.SquareFPS, s.RectFPS, s.Speedup, s.CeilingFPS, 100*s.CeilingRatio, s.DefaultSquareSec, s.DefaultRectSec)
		}
		fmt.Fprintf(tw, "(targets: ≥ 1.5× on 16:9; ≥ 85%% of the rectangular ceiling)\n")
		tw.Flush()
	}
	if l := r.Library; l != nil {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintf(tw, "\nLIBRARY: FILES KNOWN BY CONTENT\tbytes\tfingerprint cold\twarm\n")
		for _, f := range l.Fingerprints {
			fmt.Fprintf(tw, "%s\t%d\t%.2f ms\t%.2f ms\n", f.Name, f.Bytes, f.ColdMs, f.WarmMs)
		}
		if l.Files > 0 {
			fmt.Fprintf(tw, "\n%d distinct files: first scan, moved folder rescan\t%.2f s, %.3f s\t(ratio %.4f, goal ≤ 0.05)\n", l.Files, l.FirstScanSec, l.MovedRescanSec, l.MovedRatio)
			fmt.Fprintf(tw, "moved rescan: reused, fingerprinted, inferences\t%d, %d, %d\t\n", l.MovedSkipped, l.MovedFingerprinted, l.MovedInferences)
			fmt.Fprintf(tw, "unchanged rescan (a stat per file), fingerprinted\t%.3f s, %d\t\n", l.UnchangedRescanSec, l.UnchangedFingerprinted)
		}
		tw.Flush()
	}
	if cr := r.Cutting; cr != nil {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintf(tw, "\nCLIPS (stream copy, best of %d)\tstretch\tvidsift\tffmpeg -ss … -c copy\n", 5)
		for _, c := range cr.Cuts {
			fmt.Fprintf(tw, "%s\t%s\t%.1f ms\t%.1f ms\n", c.Name, c.Span, c.VidsiftMs, c.FFmpegMs)
		}
		fmt.Fprintf(tw, "total\t\t%.1f ms\t%.1f ms\t(ratio %.2f, goal ≤ 1)\n", cr.VidsiftMs, cr.FFmpegMs, cr.Ratio)
		tw.Flush()
	}
	if t := r.Text; t != nil {
		printText(w, t)
	}
	if cf := r.CutFrames; cf != nil {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintf(tw, "\nCUT FRAMES (default policy, cuts off → on; wall: best of 3)\tframes analysed\tof which cut\tcandidates\tframes decoded\twall\n")
		for _, f := range cf.Files {
			fmt.Fprintf(tw, "%s\t%d → %d\t%d\t%d\t%d → %d\t%.2f s → %.2f s\n", f.Name, f.FramesOff, f.FramesOn, f.Cuts, f.Candidates, f.DecodedOff, f.DecodedOn, f.WallOffSec, f.WallOnSec)
		}
		fmt.Fprintf(tw, "total\t%d → %d (%.2f×)\t\t\t\t%.2f s → %.2f s (%.2f×)\t(goal ≤ 1.25 for both)\n", cf.FramesOff, cf.FramesOn, cf.FramesRatio, cf.WallOffSec, cf.WallOnSec, cf.WallRatio)
		tw.Flush()
	}
	if wr := r.Watch; wr != nil {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintf(tw, "\nWATCH (settle %.0f s)\tfrom settled to its result in the library\n", wr.SettleSec)
		for _, l := range wr.Latency {
			fmt.Fprintf(tw, "%s\t%.2f s\n", l.Name, l.LatencySec)
		}
		if wr.TreeFiles > 0 {
			fmt.Fprintf(tw, "idle watch of %d files in %d folders, %.0f s: CPU\t%.3f %% of one core\t(goal < 1 %%)\n", wr.TreeFiles, wr.TreeFolders, wr.IdleSec, wr.IdleCPUPercent)
			fmt.Fprintf(tw, "one walk of the tree (each --poll)\t%.0f ms\n", wr.WalkMs)
		}
		tw.Flush()
	}
	if s := r.Sampling; s != nil {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintf(tw, "\nSAMPLING (default policy: max gap 2 s, min gap 0.5 s, cut frames, reuse on)\t\t\n")
		fmt.Fprintf(tw, "decode CPU, HD long GOP: vidsift (gap frames + RGB) vs ffmpeg, 1 thread\t%.2f s vs %.2f s\t\n", s.GapDecodeCPU, s.FFmpegDecodeCPU)
		fmt.Fprintf(tw, "gap_decode_ratio\t%.2f\t(target ≤ 0.75)\n", s.GapDecodeRatio)
		fmt.Fprintf(tw, "static camera: frames analysed, of which inferred, cut frames\t%d, %d, %d\t(cut frames: none expected)\n", s.StaticFrames, s.StaticInferences, s.StaticCuts)
		fmt.Fprintf(tw, "inferences_saved\t%.2f\t(target ≥ 0.50; classes kept: %v)\n", s.InferencesSaved, s.StaticClassesKept)
		fmt.Fprintf(tw, "shared clips ×%d: wall, keyframes only vs default\t%.2f s vs %.2f s\t(default ÷ keyframes only %.2f, target ≤ 1.15)\n", s.SharedFiles, s.KeyframesOnlySec, s.DefaultSec, s.DefaultWallRatio)
		fmt.Fprintf(tw, "default: frames/s, inferences/s, ÷ inference ceiling\t%.1f, %.1f\t(%.0f %%, target ≥ 85 %%)\n", s.DefaultFramesSec, s.DefaultInferenceSec, 100*s.DefaultCeilingRatio)
		tw.Flush()
	}
}

func printThroughput(w io.Writer, r *bench.Report) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "vidsift bench — %d CPUs, %s, %d clips\n\n", r.CPUs, filepath.Base(r.Model), len(r.Clips))
	fmt.Fprintf(tw, "DECODE (keyframes only)\tseconds\tkeyframes/s\n")
	fmt.Fprintf(tw, "vidsift (decode + RGB)\t%.3f\t%.1f\n", r.DecodeSeconds, float64(r.DecodeKeyframes)/r.DecodeSeconds)
	fmt.Fprintf(tw, "ffmpeg -skip_frame nokey\t%.3f\t%.1f\n", r.FFmpegSeconds, float64(r.DecodeKeyframes)/r.FFmpegSeconds)
	fmt.Fprintf(tw, "ratio vidsift/ffmpeg\t%.2f\t(target ≤ 0.50)\n\n", r.DecodeRatio)
	fmt.Fprintf(tw, "INFERENCE (pre-decoded keyframes)\tkeyframes/s\tms/keyframe\n")
	single := 0.0
	for _, l := range r.Layouts {
		intra := fmt.Sprint(l.IntraOp)
		if l.IntraOp == 0 {
			intra = "default"
		}
		fmt.Fprintf(tw, "%d goroutine(s) × %s intra-op\t%.1f\t%.1f\n", l.Goroutines, intra, l.KeyframesSec, l.MsPerFrame)
		if l.Goroutines == 1 && l.IntraOp == 1 {
			single = l.KeyframesSec
		}
	}
	fmt.Fprintf(tw, "ceiling\t%.1f\t\n", r.Ceiling)
	if single > 0 {
		fmt.Fprintf(tw, "ceiling ÷ one stream (how far the cores scale together)\t%.2f×\t\n", r.Ceiling/single)
	}
	if len(r.SessionOptions) > 0 {
		fmt.Fprintf(tw, "\nSESSION OPTIONS (%d × 1 layout, one changed)\tkeyframes/s\tvs default\n", runtime.NumCPU())
		base := 0.0
		for _, l := range r.Layouts {
			if l.Goroutines == runtime.NumCPU() && l.IntraOp == 1 {
				base = l.KeyframesSec
			}
		}
		for _, l := range r.SessionOptions {
			fmt.Fprintf(tw, "%s\t%.1f\t%+.0f%%\n", l.Session, l.KeyframesSec, 100*(l.KeyframesSec/base-1))
		}
	}
	fmt.Fprintln(tw)
	fmt.Fprintf(tw, "END TO END\tfiles\tworkers\tthreads\tkeyframes/s\tfiles/s\tof ceiling\tspeedup\tinference busy\tloads\n")
	for _, e := range r.Runs {
		fmt.Fprintf(tw, "\t%d\t%d\t%d\t%.1f\t%.2f\t%.0f%%\t%.2f×\t%.0f%%\t%d\n", e.Files, e.Workers, e.Threads, e.KeyframesSec, e.FilesSec, 100*e.CeilingRatio, e.Speedup, 100*e.InferenceBusy, e.ModelLoads)
	}
	fmt.Fprintf(tw, "\nHEADLINE (%s)\n", bench.Headline)
	fmt.Fprintf(tw, "end to end ÷ inference ceiling\t%.0f%%\t(target ≥ 85%%)\n", 100*r.CeilingRatio)
	fmt.Fprintf(tw, "inference busy\t%.0f%%\t(target ≥ 90%%)\n", 100*r.InferenceBusy)
	fmt.Fprintf(tw, "speedup over workers=1 threads=1\t%.2f×\t(target ≥ %.2f×)\n", r.Speedup, 0.85*float64(runtime.NumCPU()))
	fmt.Fprintf(tw, "model loads per run\t%d\t(must be 1)\n", r.ModelLoads)
	if r.PeakRSSFiles > 0 {
		fmt.Fprintf(tw, "peak RSS, %d files (fresh process)\t%.0f MB\t(target < 1024 MB)\n", r.PeakRSSFiles, r.PeakRSSMB)
		fmt.Fprintf(tw, "process start → first result\t%.2f s\t\n", r.FirstResultSec)
	}
	tw.Flush()
}

// printText writes what reading text costs and finds.
func printText(w io.Writer, t *bench.TextReport) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "\nTEXT (default scan, text side %d; wall: best of 2)\tvidsift\tby hand (ffmpeg %s + tesseract)\n", t.Side, bench.ByHandEvery)
	recall := func(r bench.Recall) string {
		if r.Words == 0 {
			return "not scored"
		}
		return fmt.Sprintf("%d of %d words (%.0f %%), hard %d of %d, absent found %d of %d", r.Found, r.Words, 100*r.Ratio(), r.HardFound, r.Hard, r.AbsentFound, r.Absent)
	}
	byHand := fmt.Sprintf("%.2f s", t.ByHandSec)
	byHandRecall := recall(t.ByHand)
	if t.ByHandErr != "" {
		byHand, byHandRecall = "not measured: "+t.ByHandErr, ""
	}
	fmt.Fprintf(tw, "%d files, %d frames (%d inferred; text read in %d, %d cleared by the probe; %d of %d boxes read)\t\t\n", t.Files, t.Frames, t.Inferred, t.TextRead, t.Cleared, t.BoxesRead, t.Boxes)
	fmt.Fprintf(tw, "words found\t%s\t%s\n", recall(t.Recall), byHandRecall)
	fmt.Fprintf(tw, "wall, text off → on\t%.2f s → %.2f s (%.2f×, goal ≤ 1.6)\t%s\n", t.OffSec, t.OnSec, t.Ratio, byHand)
	if t.ByHandSec > 0 {
		fmt.Fprintf(tw, "vidsift (objects and text) ÷ by hand (text only)\t%.2f\t\n", t.ByHandRatio)
	}
	fmt.Fprintf(tw, "text-only pass over kept results\t%.2f s (%.2f of a full scan with text)\t\n", t.PassSec, t.PassRatio)
	for _, f := range t.Recall.Files {
		fmt.Fprintf(tw, "  %s\t%d of %d\t%s\n", f.File, f.Found, f.Words, missed(f.Missed))
	}
	tw.Flush()
}

func missed(words []string) string {
	if len(words) == 0 {
		return ""
	}
	return "missed " + strings.Join(words, " ")
}
