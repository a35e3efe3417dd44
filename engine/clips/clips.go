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
	"regexp"
	"slices"
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

// ErrPhoto says a source is a photo: it has no moments to cut.
var ErrPhoto = media.ErrStill

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
	info, err := media.Cut(ctx, src, dst, m.Start, m.End)
	if err != nil {
		return Clip{Source: src, Start: round3(m.Start), End: round3(m.End), Output: dst}, err
	}
	return clipOf(src, m, dst, info), nil
}

// Source is a file to take moments from: the ranges where the expression
// holds, its analysed frames' times and duration (from its result),
// whether it is a photo (Still: skipped), and, when Known, the size, mtime
// and fingerprint it was scanned with.
type Source struct {
	Path        string
	Ranges      []query.Range
	FrameTimes  []float64
	Duration    float64
	Still       bool
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
// reported to report as it ends, and keeps dir's clips.json listing every
// clip there: this run's, and those it found there already and skipped
// (ErrExists; measured again when no clips.json lists them, as after a
// run that was killed). clips.json is rewritten after each clip and last
// of all, atomically, so an interrupted run lists what it completed. The
// temporary files of a killed run are removed first. A photo is skipped
// (ErrPhoto), and so is a source that changed since its scan (ErrMoved,
// ErrChanged); the others are cut. It returns the clips written; err is
// for what stops it all (dir, ctx, clips.json).
func Run(ctx context.Context, sources []Source, expression, dir string, o Options, force bool, report func(Outcome)) ([]Clip, error) {
	if err := writable(dir); err != nil {
		return nil, err
	}
	if err := removeParts(dir); err != nil {
		return nil, err
	}
	listed := map[string]bool{}
	for _, c := range readManifest(dir).Clips {
		listed[c.Output] = true
	}
	var written, found []Clip
	for _, s := range sources {
		if ctx.Err() != nil {
			break
		}
		if s.Still {
			report(Outcome{Source: s.Path, Err: ErrPhoto})
			continue
		}
		if s.Known {
			if err := Unchanged(s.Path, s.Size, s.ModTime, s.Fingerprint); err != nil {
				report(Outcome{Source: s.Path, Err: err})
				continue
			}
		}
		for _, m := range Moments(s.Ranges, s.FrameTimes, s.Duration, o) {
			if ctx.Err() != nil {
				break
			}
			c, err := Cut(ctx, s.Path, m, dir, force)
			c.Expression = expression
			switch {
			case err == nil:
				written = append(written, c)
				_ = writeManifest(dir, found, written) // and again at the end, where a failure counts
			case errors.Is(err, ErrExists) && !listed[c.Output]:
				if f, ferr := foundClip(ctx, s.Path, m, c.Output); ferr == nil {
					f.Expression = expression
					found = append(found, f)
					listed[c.Output] = true
					_ = writeManifest(dir, found, written)
				}
			case !errors.Is(err, ErrExists) && ctx.Err() != nil:
				// Interrupted, not failed: nothing to report.
				return written, errors.Join(ctx.Err(), writeManifest(dir, found, written))
			}
			report(Outcome{Source: s.Path, Moment: m, Clip: c, Err: err})
		}
	}
	if err := writeManifest(dir, found, written); err != nil {
		return written, errors.Join(ctx.Err(), err)
	}
	return written, ctx.Err()
}

// foundClip describes the clip at output, there already, of src's moment
// m (what CutTo would have said cutting it).
func foundClip(ctx context.Context, src string, m Moment, output string) (Clip, error) {
	info, err := media.CutFrom(ctx, src, output, m.Start)
	if err != nil {
		return Clip{}, err
	}
	return clipOf(src, m, output, info), nil
}

// clipOf is the Clip of src's moment m that media.Cut wrote to output.
func clipOf(src string, m Moment, output string, info media.CutInfo) Clip {
	return Clip{Source: src, Start: round3(m.Start), End: round3(m.End), Output: output,
		CutStart: round3(info.Start), CutEnd: round3(info.End), EarlyBy: round3(max(0, m.Start-info.Start)),
		Container: info.Container, Dropped: info.Dropped, FromStart: info.FromStart}
}

// clipPart is a part file of a clip's name (Name: base, times, hash).
var clipPart = regexp.MustCompile(`^\.[A-Za-z0-9_-]*_[0-9]+\.[0-9]{3}-[0-9]+\.[0-9]{3}_[0-9a-f]{8}\.[0-9]+\.part$`)

// removeParts removes the temporary files of cuts that were killed: part
// files of a clip's name (Name) that no cut holds (media.StalePart), so
// that another run writing into dir keeps its own.
func removeParts(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("cannot read the clips folder %s: %w", dir, err)
	}
	for _, e := range entries {
		if e.Type().IsRegular() && media.PartFile(e.Name()) && clipPart.MatchString(e.Name()) && media.StalePart(filepath.Join(dir, e.Name())) {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil && !errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("cannot remove a partial clip: %w", err)
			}
		}
	}
	return nil
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

// readManifest reads dir's clips.json, less the clips no longer there (an
// unreadable one is empty: it is replaced).
func readManifest(dir string) Manifest {
	var old, m Manifest
	if raw, err := os.ReadFile(filepath.Join(dir, "clips.json")); err == nil {
		_ = json.Unmarshal(raw, &old)
	}
	for _, c := range old.Clips {
		if _, err := os.Stat(c.Output); err == nil && filepath.Dir(c.Output) == dir {
			m.Clips = append(m.Clips, c)
		}
	}
	return m
}

// writeManifest writes dir's clips.json, atomically: the clips it listed
// that are still there, then those found there unlisted, then written.
func writeManifest(dir string, found, written []Clip) error {
	m := Manifest{Schema: "vidsift.clips/v1", Clips: []Clip{}}
	again := map[string]bool{}
	for _, c := range slices.Concat(found, written) {
		again[c.Output] = true
	}
	for _, c := range readManifest(dir).Clips {
		if !again[c.Output] {
			m.Clips = append(m.Clips, c)
		}
	}
	m.Clips = append(append(m.Clips, found...), written...)
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
