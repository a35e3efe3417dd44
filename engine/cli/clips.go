package cli

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/spf13/pflag"

	"github.com/vidsift/vidsift/engine/clips"
	"github.com/vidsift/vidsift/engine/query"
	"github.com/vidsift/vidsift/engine/store"
)

// clipsOptions are `vidsift clips`'s flags.
type clipsOptions struct {
	libraryFlags
	findFlags
	Out   string
	Pad   durationValue
	Merge durationValue
	Force bool
}

func (o *clipsOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Out, "out", "", "write the clips and clips.json into DIR (created if needed)")
	o.findFlags.AddFlags(fs)
	o.Pad.d = time.Duration(clips.DefaultOptions.Pad * float64(time.Second))
	o.Merge.d = time.Duration(clips.DefaultOptions.Merge * float64(time.Second))
	fs.Var(&o.Pad, "pad", "add this much before and after each moment")
	fs.Var(&o.Merge, "merge", "join moments closer than this")
	fs.BoolVar(&o.Force, "force", false, "replace clips already in DIR")
	o.libraryFlags.AddFlags(fs)
}

// runClips cuts the moments where EXPR holds into clips, by stream copy.
func runClips(ctx context.Context, e env, opts clipsOptions, args []string) error {
	if opts.Out == "" {
		return usagef("clips needs --out DIR: where to write them")
	}
	if opts.Pad.d < 0 || opts.Merge.d < 0 {
		return usagef("--pad and --merge must not be negative")
	}
	out, err := filepath.Abs(opts.Out)
	if err != nil {
		return usageError{err}
	}
	// Missing sources too: each is skipped with its reason.
	f, err := findInLibrary(e, opts.findFlags, true, args)
	if err != nil {
		return err
	}
	defer f.db.Close()
	if len(f.matches) == 0 {
		fmt.Fprintln(e.stderr, "vidsift: nothing matched: no clips")
		return ErrNoMatch
	}
	stored, err := f.db.Latest(f.scope)
	if err != nil {
		return fmt.Errorf("%s: %w", f.path, err)
	}
	byPath := map[string]store.Stored{}
	for _, st := range stored {
		byPath[st.Result.Path] = st
	}
	var sources []clips.Source
	for _, m := range f.matches {
		if st, ok := byPath[m.Path]; ok {
			sources = append(sources, clipSource(m.Ranges, st))
		}
	}
	o := clips.Options{Pad: opts.Pad.d.Seconds(), Merge: opts.Merge.d.Seconds()}
	bad := 0
	written, err := clips.Run(ctx, sources, f.expr.String(), out, o, opts.Force, func(r clips.Outcome) {
		c := r.Clip
		switch {
		case errors.Is(r.Err, clips.ErrPhoto):
			// Not a failure: a library may hold photos beside the videos.
			fmt.Fprintf(e.stderr, "skipped  %s %v\n", r.Source, r.Err)
			return
		case errors.Is(r.Err, clips.ErrExists):
			fmt.Fprintf(e.stderr, "skipped  %v (--force replaces it)\n", r.Err)
		case errors.Is(r.Err, clips.ErrMoved):
			fmt.Fprintf(e.stderr, "skipped  %s %v (scan its new place: the library follows it)\n", r.Source, r.Err)
		case errors.Is(r.Err, clips.ErrChanged):
			fmt.Fprintf(e.stderr, "skipped  %s: %v (scan it again first)\n", r.Source, r.Err)
		case r.Err != nil && r.Moment == (clips.Moment{}):
			fmt.Fprintf(e.stderr, "skipped  %s: %v\n", r.Source, r.Err)
		case r.Err != nil:
			fmt.Fprintf(e.stderr, "failed   %s %s–%s: %v\n", r.Source, clock(r.Moment.Start), clock(r.Moment.End), r.Err)
		default:
			line := fmt.Sprintf("wrote    %s  %.3f–%.3f s of %s", c.Output, c.CutStart, c.CutEnd, r.Source)
			if c.EarlyBy > 0 {
				line += fmt.Sprintf(" (starts %.3f s early, at the keyframe before %.3f)", c.EarlyBy, c.Start)
			}
			if len(c.Dropped) > 0 {
				line += fmt.Sprintf("; left out: %v", c.Dropped)
			}
			fmt.Fprintln(e.stdout, line)
			if e.hooks.clipWritten != nil {
				e.hooks.clipWritten(ctx)
			}
			return
		}
		bad++
	})
	if ctx.Err() != nil {
		return fmt.Errorf("stopped (%w): %s written, none partly (clips.json lists them)", ctx.Err(), clipCount(len(written)))
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s written to %s (clips.json lists them)\n", clipCount(len(written)), out)
	if bad > 0 {
		return ErrSomeFilesBad
	}
	return nil
}

// clipSource is a stored file's ranges as clips.Run takes them.
func clipSource(ranges []query.Range, st store.Stored) clips.Source {
	s := clips.Source{Path: st.Result.Path, Ranges: ranges, Duration: st.Result.Media.Duration,
		Still: st.Result.Media.Still, Known: true, Size: st.Size, ModTime: st.ModTime, Fingerprint: st.Fingerprint}
	for _, k := range st.Result.Frames {
		s.FrameTimes = append(s.FrameTimes, k.Time)
	}
	return s
}

// clipCount is "1 clip", "2 clips".
func clipCount(n int) string {
	if n == 1 {
		return "1 clip"
	}
	return fmt.Sprintf("%d clips", n)
}
