package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/google/renameio/v2"
	"github.com/spf13/pflag"

	"github.com/vidsift/vidsift/engine/clips"
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

// clipsManifest is clips.json: every clip in the folder vidsift wrote,
// this run's and earlier runs' that are still there.
type clipsManifest struct {
	Schema string       `json:"schema"`
	Clips  []clips.Clip `json:"clips"`
}

// readManifest reads dir's clips.json, keeping the clips still there.
func readManifest(dir string) []clips.Clip {
	var m clipsManifest
	raw, err := os.ReadFile(filepath.Join(dir, "clips.json"))
	if err != nil || json.Unmarshal(raw, &m) != nil {
		return nil
	}
	var kept []clips.Clip
	for _, c := range m.Clips {
		if _, err := os.Stat(c.Output); err == nil && filepath.Dir(c.Output) == dir {
			kept = append(kept, c)
		}
	}
	return kept
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
	if err := writableFolder(out); err != nil {
		return err
	}
	stored, err := f.db.Latest(f.scope)
	if err != nil {
		return fmt.Errorf("%s: %w", f.path, err)
	}
	byPath := map[string]store.Stored{}
	for _, st := range stored {
		byPath[st.Result.Path] = st
	}
	o := clips.Options{Pad: opts.Pad.d.Seconds(), Merge: opts.Merge.d.Seconds()}
	expression := f.expr.String()
	var written []clips.Clip
	bad := 0
	for _, m := range f.matches {
		st, ok := byPath[m.Path]
		if !ok {
			continue
		}
		if err := clips.Unchanged(m.Path, st.Size, st.ModTime, st.Fingerprint); err != nil {
			fmt.Fprintf(e.stderr, "skipped  %s: %v\n", m.Path, err)
			bad++
			continue
		}
		var times []float64
		for _, k := range st.Result.Frames {
			times = append(times, k.Time)
		}
		for _, mo := range clips.Moments(m.Ranges, times, st.Result.Media.Duration, o) {
			c, err := clips.Cut(ctx, m.Path, mo, out, opts.Force)
			c.Expression = expression
			switch {
			case ctx.Err() != nil:
				return fmt.Errorf("stopped (%w): %d clips written, none partly", ctx.Err(), len(written))
			case errors.Is(err, clips.ErrExists):
				fmt.Fprintf(e.stderr, "skipped  %v\n", err)
				bad++
				continue
			case err != nil:
				fmt.Fprintf(e.stderr, "failed   %s %s–%s: %v\n", m.Path, clock(mo.Start), clock(mo.End), err)
				bad++
				continue
			}
			written = append(written, c)
			line := fmt.Sprintf("wrote    %s  %.3f–%.3f s of %s", c.Output, c.CutStart, c.CutEnd, m.Path)
			if c.EarlyBy > 0 {
				line += fmt.Sprintf(" (starts %.3f s early, at the keyframe before %.3f)", c.EarlyBy, c.Start)
			}
			if len(c.Dropped) > 0 {
				line += fmt.Sprintf("; left out: %v", c.Dropped)
			}
			fmt.Fprintln(e.stderr, line)
		}
	}
	manifest := clipsManifest{Schema: "vidsift.clips/v1", Clips: []clips.Clip{}}
	again := map[string]bool{}
	for _, c := range written {
		again[c.Output] = true
	}
	for _, c := range readManifest(out) {
		if !again[c.Output] {
			manifest.Clips = append(manifest.Clips, c)
		}
	}
	manifest.Clips = append(manifest.Clips, written...)
	raw, err := json.MarshalIndent(manifest, "", "  ")
	if err != nil {
		return err
	}
	if err := renameio.WriteFile(filepath.Join(out, "clips.json"), append(raw, '\n'), 0o644); err != nil {
		return fmt.Errorf("cannot write clips.json: %w", err)
	}
	fmt.Fprintf(e.stderr, "%d clips written to %s (clips.json lists its %d)\n", len(written), out, len(manifest.Clips))
	if bad > 0 {
		return ErrSomeFilesBad
	}
	return nil
}

// writableFolder makes dir if needed and checks a file can be made in it.
func writableFolder(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("cannot make --out %s: %w", dir, err)
	}
	probe, err := os.CreateTemp(dir, ".vidsift-probe-*")
	if err != nil {
		return fmt.Errorf("cannot write into --out %s: %w", dir, err)
	}
	probe.Close()
	return os.Remove(probe.Name())
}
