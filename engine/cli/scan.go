// Package cli is vidsift's headless front end: `vidsift scan` and friends.
// It wires flags into the shared config, runs the pipeline and writes exports.
package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/vidsift/vidsift/engine/bench"
	"github.com/vidsift/vidsift/engine/config"
	"github.com/vidsift/vidsift/engine/detect"
	"github.com/vidsift/vidsift/engine/export"
	"github.com/vidsift/vidsift/engine/media"
	"github.com/vidsift/vidsift/engine/pipeline"
	"github.com/vidsift/vidsift/engine/store"
)

// processStart approximates when the process started, for time-to-first-result.
var processStart = time.Now()

// Exit codes.
const (
	ExitOK      = 0 // every file ok
	ExitSomeBad = 1 // some files failed or were partial
	ExitUsage   = 2 // usage, config or model errors
)

// Scan runs `vidsift scan [flags] PATH...` and returns the exit code.
func Scan(args []string, stdout, stderr io.Writer) int {
	fs := pflag.NewFlagSet("scan", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: vidsift scan [flags] PATH...\n\nFinds objects in the keyframes of videos and photos (files or folders).\n\nFlags:\n%s", fs.FlagUsages())
	}
	fs.Float64("conf", 0.25, "minimum confidence of a detection (0..1)")
	fs.Float64("iou", 0.7, "IoU above which NMS drops the weaker box of a class")
	fs.StringSlice("classes", nil, "report only these classes, e.g. person,dog (default: all)")
	fs.Int("workers", 0, "files decoded at once (default: number of CPUs)")
	fs.Int("threads", 0, "total inference threads (default: number of CPUs)")
	fs.String("model", "", "YOLO ONNX model file (default: the one setup installed)")
	fs.String("onnxruntime-library", "", "path of libonnxruntime.so.1")
	fs.Int("intra-op-threads", 1, "ONNX Runtime threads per inference; threads/intra-op-threads run at once")
	fs.Int("decoder-threads", 0, "FFmpeg threads per file (0: FFmpeg decides)")
	fs.String("decoder-thread-type", "", "FFmpeg threading: frame, slice, or empty for both")
	fs.Duration("file-timeout", 0, "give up on one file after this long (default 10m)")
	jsonPath := fs.String("json", "", "write results as JSON to FILE")
	csvPath := fs.String("csv", "", "write detections as CSV to FILE")
	thumbs := fs.String("thumbs", "", "write a JPEG of each keyframe with its boxes under DIR")
	fs.String("library", "", `results library (default: the data folder's library.db; "off" to scan without one)`)
	rescan := fs.Bool("rescan", false, "scan every file again, even those the library already holds")
	quiet := fs.BoolP("quiet", "q", false, "no progress and no summary")
	statsPath := fs.String("stats", "", "write timing stats as JSON to FILE (used by vidsift bench)")
	_ = fs.MarkHidden("stats")
	verbose := fs.BoolP("verbose", "v", false, "log FFmpeg's messages")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return ExitOK
		}
		return ExitUsage
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return ExitUsage
	}

	v, err := config.New()
	if err != nil {
		fmt.Fprintln(stderr, "vidsift:", err)
		return ExitUsage
	}
	bind(v, fs, map[string]string{
		"conf": config.Confidence, "iou": config.IoU, "classes": config.Classes,
		"workers": config.Workers, "threads": config.Threads, "model": config.Model,
		"onnxruntime-library": config.Library, "decoder-threads": config.DecoderThreads,
		"intra-op-threads": config.IntraOpThreads, "library": config.LibraryPath,
		"decoder-thread-type": config.DecoderThreadType,
		"file-timeout":        config.FileTimeout,
	})
	settings, err := config.Load(v)
	if err != nil {
		fmt.Fprintln(stderr, "vidsift:", err)
		return ExitUsage
	}
	logLevel := slog.LevelError
	if *verbose {
		logLevel = slog.LevelDebug
	}
	media.SetLogger(slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: logLevel})))

	model, err := LoadModel(v, "", settings.IntraOpThreads)
	if err != nil {
		fmt.Fprintln(stderr, "vidsift:", err)
		return ExitUsage
	}
	defer model.Close()
	classIDs, err := model.ClassIDs(settings.Classes)
	if err != nil {
		fmt.Fprintln(stderr, "vidsift:", err)
		return ExitUsage
	}
	var keep map[string]bool
	if classIDs != nil {
		keep = map[string]bool{}
		for id := range classIDs {
			keep[model.Names[id]] = true
		}
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg := pipeline.Config{
		Model: model, Confidence: settings.Confidence, IoU: settings.IoU,
		Workers: settings.Workers, Streams: pipeline.Streams(settings.Threads, settings.IntraOpThreads), DecoderThreads: settings.DecoderThreads,
		ThreadType:  settings.DecoderThreadType,
		FileTimeout: settings.FileTimeout,
	}
	if *thumbs == "" {
		cfg.ThumbSize = -1
	}
	if path := config.LibraryFile(v); path != "" {
		// A library that cannot be opened (read-only home, a newer schema)
		// must not stop the scan: warn and scan without it.
		if lib, err := store.Open(path); err != nil {
			fmt.Fprintf(stderr, "vidsift: warning: scanning without the results library: %v (set --library to another file, or \"off\")\n", err)
		} else {
			defer lib.Close()
			cfg.Library = lib.ForRun(store.Settings{Model: model, Conf: settings.Confidence, IoU: settings.IoU}, *rescan)
			cfg.ThumbSize = 0 // the library keeps thumbnails for the app
		}
	}

	prog := newProgressLine(stderr, *quiet)
	var results []pipeline.FileResult
	var finished pipeline.RunFinished
	var thumbErr error
	var firstResult time.Duration
	for ev := range pipeline.Run(ctx, cfg, fs.Args()) {
		prog.apply(ev)
		switch e := ev.(type) {
		case pipeline.KeyframeAnalysed:
			if firstResult == 0 {
				firstResult = time.Since(processStart)
			}
			if *thumbs != "" && thumbErr == nil {
				p := export.ThumbPath(*thumbs, e.Path, e.Keyframe.Index)
				thumbErr = export.WriteThumbnail(p, e.Keyframe.Thumbnail, e.Keyframe.ThumbnailJPEG, e.Keyframe.Width, keepOnly(e.Keyframe.Detections, keep))
			}
		case pipeline.FileFinished:
			results = append(results, e.Result)
			if e.LibraryErr != nil {
				fmt.Fprintf(stderr, "vidsift: the library could not keep %s: %v\n", e.Result.Path, e.LibraryErr)
			}
		case pipeline.RunFinished:
			finished = e
		}
	}
	prog.end()

	opts := export.Options{
		Model:   model,
		Classes: keep,
		Settings: export.Settings{
			Confidence: float64(settings.Confidence), IoU: float64(settings.IoU),
			Classes: settings.Classes, Workers: settings.Workers, Threads: settings.Threads,
		},
	}
	if *thumbs != "" {
		dir := *thumbs
		opts.Thumbnail = func(path string, index int) string { return export.ThumbPath(dir, path, index) }
	}
	doc := export.Build(results, finished.Summary, opts)
	code := ExitOK
	if finished.Summary.Failed > 0 || finished.Summary.Partial > 0 {
		code = ExitSomeBad
	}
	if !writeExports(stderr, doc, *jsonPath, *csvPath) {
		code = ExitSomeBad
	}
	if thumbErr != nil {
		fmt.Fprintln(stderr, "vidsift: thumbnails:", thumbErr)
		code = ExitSomeBad
	}
	if *statsPath != "" {
		st := bench.ChildStats{FirstResultSec: firstResult.Seconds(), Keyframes: finished.Summary.Keyframes, ModelLoads: finished.Summary.ModelLoads}
		st.PeakRSSKB, _ = bench.PeakRSSKB()
		raw, _ := json.Marshal(st)
		if err := os.WriteFile(*statsPath, raw, 0o644); err != nil {
			fmt.Fprintln(stderr, "vidsift:", err)
		}
	}
	if !*quiet {
		printSummary(stderr, doc, finished)
	}
	if finished.Err != nil {
		fmt.Fprintf(stderr, "vidsift: stopped (%v); %d files not scanned\n", finished.Err, finished.Summary.Cancelled)
		return 130
	}
	return code
}

// LoadModel loads ONNX Runtime (once per process) and a model with intraOp
// threads per Run: path, or when it is "" the one config.FindModel picks.
// The CLI and the app both load through it.
func LoadModel(v *viper.Viper, path string, intraOp int) (*detect.Model, error) {
	if path == "" {
		var err error
		if path, err = config.FindModel(v); err != nil {
			return nil, err
		}
	}
	if err := detect.Init(config.FindLibrary(v)); err != nil {
		return nil, err
	}
	return detect.Load(path, detect.Options{IntraOpThreads: intraOp})
}

// bind makes flags that the user set override env and config, per key.
func bind(v *viper.Viper, fs *pflag.FlagSet, keys map[string]string) {
	for flag, key := range keys {
		if f := fs.Lookup(flag); f != nil && f.Changed {
			_ = v.BindPFlag(key, f)
		}
	}
}

func printSummary(w io.Writer, doc export.Document, fin pipeline.RunFinished) {
	var none []string
	for _, f := range doc.Files {
		classes := map[string]int{}
		for _, k := range f.Keyframes {
			for _, d := range k.Detections {
				classes[d.Class]++
			}
		}
		var parts []string
		for c, n := range classes {
			parts = append(parts, fmt.Sprintf("%s×%d", c, n))
		}
		sort.Strings(parts)
		found := strings.Join(parts, " ")
		if f.Status == string(pipeline.StatusFailed) {
			found = f.Error
		} else if found == "" {
			found = "no detections"
			none = append(none, f.Path)
		}
		if f.Status == string(pipeline.StatusPartial) {
			found += "  [" + f.Error + "]"
		}
		fmt.Fprintf(w, "%-7s %4d kf  %s  %s\n", f.Status, len(f.Keyframes), f.Path, found)
	}
	s := doc.Summary
	fmt.Fprintf(w, "\n%d files: %d ok, %d partial, %d failed, %d ignored, %d reused from the library; %d keyframes, %d detections in %.1f s",
		s.Files, s.OK, s.Partial, s.Failed, s.Ignored, s.Skipped, s.Keyframes, s.Detections, s.Elapsed)
	if s.Elapsed > 0 {
		fmt.Fprintf(w, " (%.1f keyframes/s)", float64(s.Keyframes)/s.Elapsed)
	}
	fmt.Fprintln(w)
	if len(none) > 0 {
		fmt.Fprintf(w, "no detections in %d file(s):\n", len(none))
		for _, p := range none {
			fmt.Fprintln(w, "  "+p)
		}
	}
}

// keepOnly filters detections to the classes in keep (nil keeps all).
func keepOnly(dets []detect.Detection, keep map[string]bool) []detect.Detection {
	if keep == nil {
		return dets
	}
	var out []detect.Detection
	for _, d := range dets {
		if keep[d.Class] {
			out = append(out, d)
		}
	}
	return out
}
