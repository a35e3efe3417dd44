package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/pflag"

	"github.com/vidsift/vidsift/engine/cluster"
	"github.com/vidsift/vidsift/engine/export"
	"github.com/vidsift/vidsift/engine/pipeline"
	"github.com/vidsift/vidsift/engine/scan"
	"github.com/vidsift/vidsift/engine/session"
)

// scanOptions are `vidsift scan`'s flags. Those that name a config key
// reach the scan through the settings (config.Load), not these fields.
type scanOptions struct {
	modelFlags
	samplingFlags
	libraryFlags
	outputFlags
	natsFlags
	queueFlags
	Thumbs  string
	Rescan  bool
	Quiet   bool
	Verbose bool
}

func (o *scanOptions) AddFlags(fs *pflag.FlagSet) {
	addConfigFlags(fs, "conf", "classes", "iou", "workers", "threads")
	o.modelFlags.AddFlags(fs)
	addConfigFlags(fs, "intra-op-threads", "decoder-threads", "decoder-thread-type", "file-timeout")
	o.samplingFlags.AddFlags(fs)
	o.outputFlags.AddFlags(fs)
	fs.StringVar(&o.Thumbs, "thumbs", "", "write a JPEG of each analysed frame with its boxes under DIR")
	o.libraryFlags.AddFlags(fs)
	o.natsFlags.AddFlags(fs, "scan on the cluster whose hub is at URL instead of this computer (VIDSIFT_NATS)")
	o.queueFlags.AddFlags(fs)
	fs.BoolVar(&o.Rescan, "rescan", false, "scan every file again, even those the library already holds")
	fs.BoolVarP(&o.Quiet, "quiet", "q", false, "no progress and no summary")
	fs.BoolVarP(&o.Verbose, "verbose", "v", false, "log FFmpeg's messages")
}

// runScan scans PATHs, writes the outputs asked for and says how it went.
func runScan(ctx context.Context, e env, opts scanOptions, paths []string) error {
	if len(paths) == 0 {
		return errNeedsUsage
	}
	if err := opts.outputFlags.check(); err != nil {
		return err
	}
	s, err := prepareScan(e, opts, false)
	if err != nil {
		return err
	}
	defer s.Close()
	cfg, model, settings, keep := s.Config(), s.Model(), s.Settings(), s.Classes()

	run := collectRun(e.stderr, s.Scan(ctx, paths), opts, keep)
	doc := export.Build(run.results, run.finished.Summary, export.Options{
		ModelPath: model.Path, Params: run.params, Asked: &cfg.Params,
		Workers: settings.Workers, Threads: settings.Threads,
		Classes: keep, Thumbnail: thumbnailNamer(opts.Thumbs), NotStored: run.notStored,
	})
	writeErr := writeExports(doc, opts.outputFlags, e.stdout)
	if !opts.Quiet {
		printSummary(resultsTo(e, opts.outputFlags), doc, run.fromLibrary, model.Shape(cfg.Rect))
		if hint := sparseKeyframesHint(cfg.Sampling.MaxGap, run.results); hint != "" {
			fmt.Fprintln(e.stderr, hint)
		}
	}
	var stopped, thumbs error
	if run.finished.Err != nil {
		stopped = fmt.Errorf("stopped (%w); %d files not scanned", run.finished.Err, run.finished.Summary.Cancelled)
	}
	if run.thumbErr != nil {
		thumbs = fmt.Errorf("thumbnails: %w", run.thumbErr)
	}
	if err := errors.Join(writeErr, thumbs, stopped); err != nil {
		return err
	}
	if s := run.finished.Summary; s.Failed > 0 || s.Partial > 0 {
		return ErrSomeFilesBad
	}
	if len(run.notStored) > 0 {
		return ErrNotStored
	}
	return nil
}

// resultsTo is where a command's result lines go: standard output, unless
// an export (--json - or --csv -) goes there.
func resultsTo(e env, out outputFlags) io.Writer {
	if out.JSON == stdoutName || out.CSV == stdoutName {
		return e.stderr
	}
	return e.stdout
}

// prepareScan opens the session scan and watch run with: the settings,
// the model, the library and the cluster the flags and settings name. A
// library that cannot be opened is warned about and left out, unless
// needLibrary (watch), when it is an error.
func prepareScan(e env, opts scanOptions, needLibrary bool) (*session.Session, error) {
	so, err := session.FromConfig(e.v)
	if err != nil {
		return nil, usageError{err}
	}
	logLevel := slog.LevelError
	if opts.Verbose {
		logLevel = slog.LevelDebug
	}
	so.FFmpegLog = slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: logLevel}))
	if opts.Thumbs != "" {
		so.Thumbs = pipeline.ImageThumbs // drawn on, then written
	}
	so.Rescan = opts.Rescan
	if so.Cluster != nil {
		so.Cluster.Name = "vidsift scan " + cluster.DefaultName()
		so.Cluster.Queue = cluster.Queue{AckWait: opts.AckWait, MaxDeliver: opts.MaxDeliver}
	}
	if needLibrary {
		so.LibraryNeed = session.Required
	}
	s, err := session.Open(so)
	var failed *session.Error
	switch {
	case err == nil:
	case errors.As(err, &failed) && failed.Part == session.PartLibrary && needLibrary:
		return nil, usagef("%v: a watch needs the library (set --library to another file)", failed.Err)
	case errors.As(err, &failed) && failed.Part == session.PartLibrary:
		// Not a library, or a damaged one: the user meant to keep the
		// results somewhere that cannot hold them.
		return nil, usagef("%w; nothing was scanned", failed.Err)
	default:
		return nil, usageError{err}
	}
	if err := s.LibraryWarning(); err != nil {
		fmt.Fprintf(e.stderr, "vidsift: warning: scanning without the results library: %v (set --library to another file, or \"off\")\n", err)
	}
	if err := s.TextWarning(); err != nil {
		fmt.Fprintf(e.stderr, "vidsift: warning: %s\n", textRemedy(err))
	}
	return s, nil
}

// textRemedy says that text is not read and how to get it read.
func textRemedy(err error) string {
	if errors.Is(err, session.ErrNoTextModels) {
		return "not reading text: the text models are not installed (run `make setup` in vidsift's checkout, or set --text-models DIR; --text=false hides this line)"
	}
	return fmt.Sprintf("not reading text: %v (run `make setup` again to reinstall the text models, or set --text-models DIR; --text=false hides this line)", err)
}

// scanRun is what a scan's events add up to.
type scanRun struct {
	results     []scan.FileResult
	params      map[string]scan.Params // what each result was made with
	fromLibrary map[string]bool        // results the library answered with
	notStored   map[string]string      // path -> why the library could not keep its result
	finished    scan.RunFinished
	thumbErr    error
}

// collectRun takes a run's events, draws the progress line, writes
// --thumbs as frames arrive and notes files the library answered or could
// not keep.
func collectRun(stderr io.Writer, events <-chan scan.Event, opts scanOptions, keep map[string]bool) scanRun {
	run := scanRun{params: map[string]scan.Params{}, fromLibrary: map[string]bool{}, notStored: map[string]string{}}
	prog := newProgressLine(stderr, opts.Quiet)
	defer prog.end()
	for ev := range events {
		prog.apply(ev)
		switch e := ev.(type) {
		case scan.FrameAnalysed:
			if opts.Thumbs != "" && run.thumbErr == nil {
				k := e.Frame
				run.thumbErr = export.WriteThumbnail(export.ThumbPath(opts.Thumbs, e.Path, k.Index), e.Thumbnail, e.JPEG, k.Width, scan.Filter{Classes: keep}.Detections(k.Detections))
			}
		case scan.Notice:
			if !opts.Quiet {
				prog.say("vidsift: " + e.Text)
			}
		case scan.FileFinished:
			run.results = append(run.results, e.Result)
			run.params[e.Result.Path] = e.Params
			if e.FromLibrary {
				run.fromLibrary[e.Result.Path] = true
			}
			if e.LibraryErr != nil {
				run.notStored[e.Result.Path] = e.LibraryErr.Error()
			}
		case scan.RunFinished:
			run.finished = e
		}
	}
	return run
}

// thumbnailNamer names --thumbs files in the JSON (nil without --thumbs).
func thumbnailNamer(dir string) func(path string, index int) string {
	if dir == "" {
		return nil
	}
	return func(path string, index int) string { return export.ThumbPath(dir, path, index) }
}

// printSummary writes the per-file lines (each marked when the library
// answered it or could not keep it), the totals with how the model ran
// (shape), why files failed or were not stored, and those without
// detections.
func printSummary(w io.Writer, doc export.Document, fromLibrary map[string]bool, shape string) {
	var none []string
	failed, notStored := map[string]int{}, map[string]int{}
	for _, f := range doc.Files {
		classes := map[string]int{}
		for _, k := range f.Frames {
			for _, d := range k.Detections {
				classes[d.Class]++
			}
		}
		if f.Status != string(scan.StatusFailed) && len(classes) == 0 {
			none = append(none, f.Path)
		}
		if f.Status == string(scan.StatusFailed) {
			failed[reason(f.Path, f.Error)]++
		}
		if f.LibraryError != "" {
			notStored[reason(f.Path, f.LibraryError)]++
		}
		fmt.Fprintln(w, fileLine(f.Status, f.Error, f.Path, len(f.Frames), classes)+fileNote(fromLibrary[f.Path], f.Worker, f.LibraryError))
	}
	s := doc.Summary
	fmt.Fprintf(w, "\n%d files: %d ok, %d partial, %d failed, %d ignored, %d reused from the library (%d fingerprinted); %d frames (%d keyframes, %d cut frames, %d inferred), %d detections in %.1f s",
		s.Files, s.OK, s.Partial, s.Failed, s.Ignored, s.Skipped, s.Fingerprinted, s.Frames, s.Keyframes, s.Cuts, s.Inferences, s.Detections, s.Elapsed)
	if s.Elapsed > 0 {
		fmt.Fprintf(w, " (%.1f frames/s)", float64(s.Frames)/s.Elapsed)
	}
	fmt.Fprintf(w, "; model %s\n", shape)
	if len(failed) > 0 {
		fmt.Fprintln(w, "failed: "+tally(failed))
	}
	if len(notStored) > 0 {
		fmt.Fprintln(w, "not stored in the library: "+tally(notStored))
	}
	if len(none) > 0 {
		fmt.Fprintf(w, "no detections in %d file(s):\n", len(none))
		for _, p := range none {
			fmt.Fprintln(w, "  "+displayPath(p))
		}
	}
}

// reason is the gist of an error about a file, for counting alike errors
// together: its first and last parts, leaving out those that name a file
// ("thumbnail cache: write /x/.tmp123: no space left on device":
// "thumbnail cache: no space left on device").
func reason(path, why string) string {
	var parts []string
	for _, p := range strings.Split(why, ": ") {
		if p = strings.TrimSpace(p); p != "" && !strings.Contains(p, string(filepath.Separator)) {
			parts = append(parts, p)
		}
	}
	switch len(parts) {
	case 0:
		return strings.TrimSpace(strings.ReplaceAll(why, path, "…"))
	case 1:
		return parts[0]
	}
	return parts[0] + ": " + parts[len(parts)-1]
}

// tally writes counted reasons, the commonest first:
// "4,998 × permission denied, 2 × not a media file".
func tally(counts map[string]int) string {
	reasons := make([]string, 0, len(counts))
	for r := range counts {
		reasons = append(reasons, r)
	}
	sort.Slice(reasons, func(i, j int) bool {
		a, b := reasons[i], reasons[j]
		return counts[a] > counts[b] || counts[a] == counts[b] && a < b
	})
	parts := make([]string, len(reasons))
	for i, r := range reasons {
		parts[i] = thousands(counts[r]) + " × " + displayPath(r)
	}
	return strings.Join(parts, ", ")
}

// fileLine is a file's line in scan's and watch's output: its status,
// frames, path and what was found (or why it failed). The path and the
// reason are shown escaped (displayPath): a name cannot forge a line.
func fileLine(status, why, path string, frames int, classes map[string]int) string {
	var parts []string
	for c, n := range classes {
		parts = append(parts, fmt.Sprintf("%s×%d", c, n))
	}
	sort.Strings(parts)
	found := strings.Join(parts, " ")
	if status == string(scan.StatusFailed) {
		found = displayPath(why)
	} else if found == "" {
		found = "no detections"
	}
	if status == string(scan.StatusPartial) {
		found += "  [" + displayPath(why) + "]"
	}
	return fmt.Sprintf("%-7s %4d frames  %s  %s", status, frames, displayPath(path), found)
}

// fileNote is what a file's line adds after fileLine: that the library
// answered for it, the cluster worker that scanned it, and that the
// library could not keep it (libraryErr set; the summary says why).
func fileNote(fromLibrary bool, worker, libraryErr string) string {
	var note string
	switch {
	case fromLibrary:
		note = "  (from the library)"
	case worker != "":
		note = "  (worker " + displayPath(worker) + ")"
	}
	if libraryErr != "" {
		note += "  (not stored in the library)"
	}
	return note
}

// sparseKeyframesHint names the setting that covers files whose keyframes
// lie far apart, when the scan looked at keyframes only (maxGap 0).
func sparseKeyframesHint(maxGap float64, results []scan.FileResult) string {
	n, widest := scan.SparseKeyframeFiles(results)
	if maxGap > 0 || n == 0 {
		return ""
	}
	return fmt.Sprintf("hint: in %d file(s) keyframes lie more than %.0f s apart (up to %.1f s), and this scan looked at keyframes only:\n"+
		"      what shows between them was not seen. --max-gap 2 (max_gap in config.yaml, VIDSIFT_MAX_GAP) analyses a frame at least every 2 s.",
		n, scan.SparseKeyframes, widest)
}
