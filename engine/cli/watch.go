package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/spf13/pflag"

	"github.com/vidsift/vidsift/engine/config"
	"github.com/vidsift/vidsift/engine/export"
	"github.com/vidsift/vidsift/engine/scan"
	"github.com/vidsift/vidsift/engine/watch"
)

// watchOptions are `vidsift watch`'s flags: scan's, and how it watches.
type watchOptions struct {
	scanOptions
	Settle durationValue
	Poll   durationValue
	// noEvents walks only (a test hook: polling alone must find files).
	noEvents bool
}

func (o *watchOptions) AddFlags(fs *pflag.FlagSet) {
	o.scanOptions.AddFlags(fs)
	// A watch does not end, so it writes no JSON or CSV: runWatch refuses
	// them with the remedy, and the help does not offer them.
	_ = fs.MarkHidden("json") // only fails for an unknown flag
	_ = fs.MarkHidden("csv")
	_ = fs.MarkHidden("quiet") // a watch prints no progress or summary to quieten
	o.Settle.d, o.Poll.d = watch.DefaultSettle, watch.DefaultPoll
	fs.Var(&o.Settle, "settle", "scan a new or changed file once its size and mtime stayed the same this long")
	fs.Var(&o.Poll, "poll", "walk the folders again this often whatever the events say (network mounts report only local changes; 0: off)")
	fs.BoolVar(&o.noEvents, "no-events", false, "walk only, never listen (tests)")
	_ = fs.MarkHidden("no-events") // only fails for an unknown flag
}

// runWatch scans PATHs, then keeps watching them and scans each new or
// changed file once it settled, until interrupted. Its result lines (a
// file scanned, a file gone) go to stdout, so `vidsift watch DIR > log`
// keeps them; what it watches and its notices go to stderr.
func runWatch(ctx context.Context, e env, opts watchOptions, paths []string) error {
	switch {
	case len(paths) == 0:
		return errNeedsUsage
	case opts.JSON != "" || opts.CSV != "":
		return usagef("watch writes no --json or --csv: a watch does not end. Its results go to the library: vidsift export or find them at any time")
	case config.LibraryFile(e.v) == "":
		return usagef("watch needs the library (--library off): without it every walk would scan every file again")
	case opts.Settle.d <= 0:
		return usagef("--settle must be positive")
	case opts.Poll.d < 0:
		return usagef("--poll must not be negative")
	}
	for _, p := range paths {
		if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
			return usagef("%s does not exist: watch a folder or file that does (a folder that goes later is picked up again when it returns)", displayPath(p))
		}
	}
	s, err := prepareScan(e, opts.scanOptions, true)
	if err != nil {
		return err
	}
	defer s.Close()
	keep := s.Classes()
	events := s.Watch(ctx, paths, watch.Options{Settle: opts.Settle.d, Poll: opts.Poll.d, NoEvents: opts.noEvents})
	var said scan.Watching
	var thumbErr error
	for ev := range events {
		switch ev := ev.(type) {
		case scan.Watching:
			if said.Folders == 0 && said.Files == 0 && said.Polling == "" || ev.Polling != said.Polling {
				fmt.Fprintln(e.stderr, watchingLine(ev, opts.Poll.d))
			}
			said = ev
		case scan.Notice:
			fmt.Fprintln(e.stderr, "vidsift: "+ev.Text)
		case scan.FrameAnalysed:
			if opts.Thumbs != "" && thumbErr == nil {
				k := ev.Frame
				if thumbErr = export.WriteThumbnail(export.ThumbPath(opts.Thumbs, ev.Path, k.Index), ev.Thumbnail, ev.JPEG, k.Width, scan.Filter{Classes: keep}.Detections(k.Detections)); thumbErr != nil {
					fmt.Fprintf(e.stderr, "vidsift: thumbnails: %v (no more are written)\n", thumbErr)
				}
			}
		case scan.FileFinished:
			r := ev.Result
			classes := map[string]int{}
			for _, k := range r.Frames {
				for _, d := range (scan.Filter{Classes: keep}).Detections(k.Detections) {
					classes[d.Class]++
				}
			}
			line := fileLine(string(r.Status), r.Error, displayPath(r.Path), len(r.Frames), classes)
			switch {
			case ev.FromLibrary:
				line += "  (from the library)"
			case r.Worker != "":
				line += "  (worker " + r.Worker + ")"
			}
			fmt.Fprintln(e.stdout, line)
			if ev.LibraryErr != nil {
				fmt.Fprintf(e.stderr, "vidsift: the library could not keep %s: %v\n", displayPath(r.Path), ev.LibraryErr)
			}
		case scan.FileGone:
			fmt.Fprintf(e.stdout, "gone              %s  (its results stay in the library: vidsift library missing lists it)\n", displayPath(ev.Path))
		}
	}
	if ctx.Err() != nil {
		// Interrupted is how a watch ends: no error to explain.
		fmt.Fprintln(e.stderr, "vidsift: stopped watching")
		return errStoppedWatching
	}
	return nil
}

// errStoppedWatching ends a watch that was interrupted (exit 130), once it
// has said so.
var errStoppedWatching error = silentError{ExitInterrupted, "stopped watching"}

// watchingLine says what is watched, e.g. "watching 3 folders, 1,204 files".
func watchingLine(w scan.Watching, poll time.Duration) string {
	line := fmt.Sprintf("watching %s, %s", plural(w.Folders, "folder", "folders"), plural(w.Files, "file", "files"))
	switch {
	case w.Polling != "":
		every := poll
		if every <= 0 {
			every = watch.FallbackPoll
		}
		line += fmt.Sprintf("; walking them every %s instead: %s", every, w.Polling)
	case poll > 0:
		line += fmt.Sprintf(" (and walking them every %s)", poll)
	}
	return line
}

// thousands writes n with commas: 1,204.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
