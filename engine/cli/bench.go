package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"syscall"
	"text/tabwriter"

	"github.com/spf13/pflag"

	"github.com/vidsift/vidsift/engine/bench"
	"github.com/vidsift/vidsift/engine/config"
	"github.com/vidsift/vidsift/engine/detect"
	"github.com/vidsift/vidsift/engine/export"
	"github.com/vidsift/vidsift/engine/pipeline"
)

// Bench runs `vidsift bench [--files N] [--json FILE] [PATH...]`.
func Bench(args []string, stdout, stderr io.Writer) int {
	fs := pflag.NewFlagSet("bench", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: vidsift bench [flags] [PATH...]\n\nMeasures decode, inference and end-to-end throughput on this machine, in one run.\nDefault PATHs: the shared test clips (../shared/testdata/videos), repeated to the file counts.\n\nFlags:\n%s", fs.FlagUsages())
	}
	files := fs.Int("files", 50, "largest file count for the end-to-end runs (10 is always run too)")
	rssFiles := fs.Int("rss-files", 100, "files for the peak-RSS and first-result run (0: skip)")
	jsonPath := fs.String("json", "", "write the results as JSON to FILE")
	fs.String("model", "", "YOLO ONNX model file")
	fs.String("onnxruntime-library", "", "path of libonnxruntime.so.1")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return ExitOK
		}
		return ExitUsage
	}
	v, err := config.New()
	if err != nil {
		fmt.Fprintln(stderr, "vidsift:", err)
		return ExitUsage
	}
	bind(v, fs, map[string]string{"model": config.Model, "onnxruntime-library": config.Library})
	modelPath, err := config.FindModel(v)
	if err != nil {
		fmt.Fprintln(stderr, "vidsift:", err)
		return ExitUsage
	}
	lib := config.FindLibrary(v)
	if err := detect.Init(lib); err != nil {
		fmt.Fprintln(stderr, "vidsift:", err)
		return ExitUsage
	}
	inputs := fs.Args()
	if len(inputs) == 0 {
		dir := sharedClips()
		if dir == "" {
			fmt.Fprintln(stderr, "vidsift: no PATH given and no shared clips found (../shared/testdata/videos); name some videos")
			return ExitUsage
		}
		inputs = []string{dir}
	}
	clips := pipeline.Discover(inputs)
	if len(clips) == 0 {
		fmt.Fprintln(stderr, "vidsift: no media files in", inputs)
		return ExitUsage
	}
	counts := []int{10}
	if *files > 10 {
		counts = append(counts, *files)
	} else if *files > 0 {
		counts = []int{*files}
	}
	self, _ := os.Executable()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := bench.Run(ctx, bench.Options{
		Clips: clips, Model: modelPath, Library: lib, Counts: counts, RSSFiles: *rssFiles, Self: self,
		Log: func(f string, a ...any) { fmt.Fprintf(stderr, "bench: "+f+"\n", a...) },
	})
	if err != nil {
		fmt.Fprintln(stderr, "vidsift: bench:", err)
		return ExitSomeBad
	}
	PrintBench(stdout, rep)
	if *jsonPath != "" {
		if err := export.WriteAnyJSON(*jsonPath, rep); err != nil {
			fmt.Fprintln(stderr, "vidsift:", err)
			return ExitSomeBad
		}
	}
	return ExitOK
}

// sharedClips finds ../shared/testdata/videos beside the working directory
// or the executable (a checkout in this project's workspace).
func sharedClips() string {
	var bases []string
	if wd, err := os.Getwd(); err == nil {
		bases = append(bases, wd)
	}
	if exe, err := os.Executable(); err == nil {
		bases = append(bases, filepath.Dir(exe))
	}
	for _, b := range bases {
		p := filepath.Join(b, "..", "shared", "testdata", "videos")
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			return filepath.Clean(p)
		}
	}
	return ""
}

// PrintBench writes the report as a table.
func PrintBench(w io.Writer, r *bench.Report) {
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
