// Package clips takes the moments out: the stretches of a video where a
// find expression holds, extended, padded and merged, cut by stream copy
// (media.Cut) into files of their own, named so that nothing collides or
// escapes the output folder.
package clips

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

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
// was seen may stay on screen until then), is padded by o.Pad on both
// sides and clipped to the file (duration 0: unknown, no upper bound),
// and ranges closer than o.Merge are joined. frameTimes are the file's
// analysed frames' times, in order.
func Moments(ranges []query.Range, frameTimes []float64, duration float64, o Options) []Moment {
	var out []Moment
	for _, r := range ranges {
		end := r.End
		if i := sort.SearchFloat64s(frameTimes, r.End+1e-6); i < len(frameTimes) {
			end = frameTimes[i]
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

// Cut writes the clip of src's moment m into dir: in src's container
// where that can hold its streams, else Matroska. It refuses to replace
// a file unless force.
func Cut(ctx context.Context, src string, m Moment, dir string, force bool) (Clip, error) {
	c := Clip{Source: src, Start: round3(m.Start), End: round3(m.End)}
	exts := []string{strings.ToLower(filepath.Ext(src)), ".mkv"}
	if exts[0] == "" || exts[0] == ".mkv" {
		exts = exts[1:]
	}
	var err error
	for _, ext := range exts {
		c.Output = filepath.Join(dir, Name(src, m, ext))
		if _, serr := os.Lstat(c.Output); serr == nil && !force {
			return c, fmt.Errorf("%s: %w (--force replaces it)", c.Output, ErrExists)
		}
		var info media.CutInfo
		info, err = media.Cut(ctx, src, c.Output, m.Start, m.End)
		if errors.Is(err, media.ErrContainer) {
			continue // try Matroska
		}
		if err != nil {
			return c, err
		}
		c.CutStart, c.CutEnd, c.Container, c.Dropped, c.FromStart = round3(info.Start), round3(info.End), info.Container, info.Dropped, info.FromStart
		c.EarlyBy = round3(max(0, m.Start-info.Start))
		return c, nil
	}
	return c, err
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

// ErrMoved and ErrChanged say a source is not what the library scanned.
var (
	ErrMoved   = errors.New("is no longer there (moved or deleted since it was scanned; scan its new place and the library follows it)")
	ErrChanged = errors.New("changed since it was scanned (scan it again first)")
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
