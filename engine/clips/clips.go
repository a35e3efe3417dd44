// Package clips takes the moments out: the stretches of a video where a
// find expression holds, extended, padded and merged, cut by stream copy
// (media.Cut) into files of their own, named so that nothing collides or
// escapes the output folder.
package clips

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/google/renameio/v2"

	"github.com/vidsift/vidsift/engine/export"
	"github.com/vidsift/vidsift/engine/fingerprint"
	"github.com/vidsift/vidsift/engine/media"
	"github.com/vidsift/vidsift/engine/query"
)

// Options shape the moments.
type Options struct {
	Pad   float64 // seconds added before and after each range
	Merge float64 // ranges closer than this are joined
}

// DefaultOptions pad by 1 s and join ranges less than 2 s apart.
var DefaultOptions = Options{Pad: 1, Merge: 2}

// Moment is a stretch to cut, in the source's stream time (seconds from
// its start, as a scan's frame times are).
type Moment struct{ Start, End float64 }

// Moments turns the ranges find reports for a file into the stretches to
// cut: each range runs on to the next analysed frame after its end (what
// was seen may stay on screen until then; after the last analysed frame,
// to the end of the file when its duration is known), is padded by o.Pad
// on both sides and clipped to the file (duration 0: unknown, no upper
// bound), and ranges closer than o.Merge are joined. frameTimes are the
// file's analysed frames' times, in order.
func Moments(ranges []query.Range, frameTimes []float64, duration float64, o Options) []Moment {
	var out []Moment
	for _, r := range ranges {
		end := r.End
		if i := sort.SearchFloat64s(frameTimes, r.End+1e-6); i < len(frameTimes) {
			end = frameTimes[i]
		} else if duration > end {
			end = duration
		}
		m := Moment{Start: max(0, r.Start-o.Pad), End: end + o.Pad}
		if duration > 0 {
			m.End = min(m.End, duration)
		}
		if m.End <= m.Start {
			continue
		}
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	var merged []Moment
	for _, m := range out {
		if n := len(merged); n > 0 && m.Start-merged[n-1].End < o.Merge {
			merged[n-1].End = max(merged[n-1].End, m.End)
			continue
		}
		merged = append(merged, m)
	}
	return merged
}

// Name is a clip's file name: <base>_<start>-<end>_<hash><ext>, the
// source's safe base name and path hash (export.SafeBase), times in
// seconds with three decimals (no ':').
func Name(src string, m Moment, ext string) string {
	safe, hash := export.SafeBase(src)
	return fmt.Sprintf("%s_%.3f-%.3f_%s%s", safe, m.Start, m.End, hash, ext)
}

// Clip is one clip written (or not), as clips.json lists it.
type Clip struct {
	Source     string  `json:"source"`
	Expression string  `json:"expression"`
	Start      float64 `json:"start_s"`        // asked for, source time
	End        float64 `json:"end_s"`          // asked for, source time
	CutStart   float64 `json:"actual_start_s"` // the keyframe it begins at, source time
	CutEnd     float64 `json:"actual_end_s"`
	EarlyBy    float64 `json:"early_by_s"` // CutStart before Start (up to one GOP)
	Output     string  `json:"output"`
	Container  string  `json:"container"`
	// Dropped names the source streams the clip leaves out.
	Dropped []string `json:"dropped,omitempty"`
	// FromStart says the source could not seek and was read from its start.
	FromStart bool `json:"read_from_start,omitempty"`
}

// ErrExists says the clip's file is there already (Cut with force replaces it).
var ErrExists = errors.New("already there")

// Cut writes the clip of src's moment m into dir, named by Name: in
// src's container where that can hold its streams, else Matroska. It
// refuses to replace a file unless force.
func Cut(ctx context.Context, src string, m Moment, dir string, force bool) (Clip, error) {
	exts := []string{strings.ToLower(filepath.Ext(src)), ".mkv"}
	if exts[0] == "" || exts[0] == ".mkv" {
		exts = exts[1:]
	}
	var c Clip
	var err error
	for _, ext := range exts {
		dst := filepath.Join(dir, Name(src, m, ext))
		if _, serr := os.Lstat(dst); serr == nil && !force {
			return Clip{Source: src, Start: round3(m.Start), End: round3(m.End), Output: dst}, fmt.Errorf("%s: %w", dst, ErrExists)
		}
		if c, err = CutTo(ctx, src, m, dst); !errors.Is(err, media.ErrContainer) {
			return c, err
		}
	}
	return c, err
}

// CutTo writes the clip of src's moment m to dst, whatever is there
// (media.ErrContainer: dst's container cannot hold src's streams).
func CutTo(ctx context.Context, src string, m Moment, dst string) (Clip, error) {
	c := Clip{Source: src, Start: round3(m.Start), End: round3(m.End), Output: dst}
	info, err := media.Cut(ctx, src, dst, m.Start, m.End)
	if err != nil {
		return c, err
	}
	c.CutStart, c.CutEnd, c.Container, c.Dropped, c.FromStart = round3(info.Start), round3(info.End), info.Container, info.Dropped, info.FromStart
	c.EarlyBy = round3(max(0, m.Start-info.Start))
	return c, nil
}

// Source is a file to take moments from: the ranges where the expression
// holds, its analysed frames' times and duration (from its result), and,
// when Known, the size, mtime and fingerprint it was scanned with.
type Source struct {
	Path        string
	Ranges      []query.Range
	FrameTimes  []float64
	Duration    float64
	Known       bool
	Size        int64
	ModTime     int64
	Fingerprint string
}

// Outcome is what became of one moment (Clip set, Err nil), or of a
// source or moment that was skipped or failed (Err says why; Moment is
// zero for a source skipped whole).
type Outcome struct {
	Source string
	Moment Moment
	Clip   Clip
	Err    error
}

// Run cuts the moments of every source into dir (made if needed), each
// reported to report as it ends, and writes dir's clips.json. A source
// that changed since its scan is skipped (ErrMoved, ErrChanged); the
// others are cut. It returns the clips written; err is for what stops it
// all (dir, ctx).
func Run(ctx context.Context, sources []Source, expression, dir string, o Options, force bool, report func(Outcome)) ([]Clip, error) {
	if err := writable(dir); err != nil {
		return nil, err
	}
	var written []Clip
	for _, s := range sources {
		if s.Known {
			if err := Unchanged(s.Path, s.Size, s.ModTime, s.Fingerprint); err != nil {
				report(Outcome{Source: s.Path, Err: err})
				continue
			}
		}
		for _, m := range Moments(s.Ranges, s.FrameTimes, s.Duration, o) {
			c, err := Cut(ctx, s.Path, m, dir, force)
			c.Expression = expression
			if ctx.Err() != nil {
				return written, errors.Join(ctx.Err(), WriteManifest(dir, written))
			}
			if err == nil {
				written = append(written, c)
			}
			report(Outcome{Source: s.Path, Moment: m, Clip: c, Err: err})
		}
	}
	return written, WriteManifest(dir, written)
}

// writable makes dir if needed and checks a file can be made in it.
func writable(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("cannot make the clips folder %s: %w", dir, err)
	}
	probe, err := os.CreateTemp(dir, ".vidsift-probe-*")
	if err != nil {
		return fmt.Errorf("cannot write into the clips folder %s: %w", dir, err)
	}
	probe.Close()
	return os.Remove(probe.Name())
}

// Manifest is clips.json: every clip vidsift wrote in a folder, earlier
// runs' that are still there, then the latest run's.
type Manifest struct {
	Schema string `json:"schema"`
	Clips  []Clip `json:"clips"`
}

// WriteManifest adds written to dir's clips.json, atomically.
func WriteManifest(dir string, written []Clip) error {
	var old Manifest
	if raw, err := os.ReadFile(filepath.Join(dir, "clips.json")); err == nil {
		_ = json.Unmarshal(raw, &old) // an unreadable one is replaced
	}
	m := Manifest{Schema: "vidsift.clips/v1", Clips: []Clip{}}
	again := map[string]bool{}
	for _, c := range written {
		again[c.Output] = true
	}
	for _, c := range old.Clips {
		if _, err := os.Stat(c.Output); err == nil && filepath.Dir(c.Output) == dir && !again[c.Output] {
			m.Clips = append(m.Clips, c)
		}
	}
	m.Clips = append(m.Clips, written...)
	raw, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if err := renameio.WriteFile(filepath.Join(dir, "clips.json"), append(raw, '\n'), 0o644); err != nil {
		return fmt.Errorf("cannot write clips.json: %w", err)
	}
	return nil
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

// ErrMoved and ErrChanged say a source is not what the library scanned.
var (
	ErrMoved   = errors.New("is no longer there: moved or deleted since it was scanned")
	ErrChanged = errors.New("changed since it was scanned")
)

// Unchanged checks that the file at path is the one the library scanned:
// the same size and mtime, or else (a touched file) the same fingerprint.
func Unchanged(path string, size, mtime int64, fp string) error {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return ErrMoved
	case err != nil:
		return err
	case fi.Size() == size && fi.ModTime().UnixNano() == mtime:
		return nil
	case fp == "":
		return ErrChanged
	}
	now, _, err := fingerprint.Of(path)
	if err != nil {
		return err
	}
	if now != fp {
		return ErrChanged
	}
	return nil
}
