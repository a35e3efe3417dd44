package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/vidsift/vidsift/engine/clips"
	"github.com/vidsift/vidsift/engine/media"
	"github.com/vidsift/vidsift/engine/query"
	"github.com/vidsift/vidsift/engine/results"
)

// fileRanges are the stretches of path a clip takes: where the search
// holds (as vidsift find and clips decide), or without one the spans of
// the classes q lets through (only, when set). It also returns the file's
// analysed frame times and duration.
func fileRanges(coll *results.Collection, q results.Query, path string, only map[string]bool) (ranges []query.Range, times []float64, duration float64) {
	f, ok := coll.File(path)
	if !ok {
		return nil, nil, 0
	}
	for _, id := range f.Items {
		times = append(times, coll.Item(id).Time)
	}
	if q.Expr != nil {
		return coll.Matches(q)[path], times, f.Media.Duration
	}
	for _, s := range coll.Spans(path, q) {
		if only == nil || only[s.Class] {
			ranges = append(ranges, query.Range{Start: s.Start, End: s.End})
		}
	}
	return ranges, times, f.Media.Duration
}

// clipProposal is the moment Save clip… cuts for the frame shown, shaped
// as vidsift clips shapes moments (padded, close ones merged): where the
// search holds in the frame's file, or without a search where the
// frame's own classes are seen, or, for a frame that shows none, any
// class shown. The frame counts as a sighting of its own, so a moment
// that starts or ends within a moment's reach of it (its padding and
// merging gap, a few seconds) is stretched to hold it: on the empty room
// just before a person walks in, Save clip… cuts from that frame through
// the visit. With nothing seen that near, there is no moment.
func (d *detailView) clipProposal() (clips.Moment, string, bool) {
	id, ok := d.current()
	if !ok {
		return clips.Moment{}, "", false
	}
	item := d.coll.Item(id)
	q := d.items.query()
	var own map[string]bool
	if q.Expr == nil {
		for _, det := range q.Shown(item) {
			if own == nil {
				own = map[string]bool{}
			}
			own[det.Class] = true
		}
	}
	ranges, times, dur := fileRanges(d.coll, q, item.Path, own)
	frame := query.Range{Start: item.Time, End: item.Time}
	for _, m := range clips.Moments(append(slices.Clip(ranges), frame), times, dur, clips.DefaultOptions) {
		if m.Start <= item.Time && item.Time <= m.End && holdsAny(m, ranges) {
			return m, clips.Name(item.Path, m, clipExt(item.Path)), true
		}
	}
	return clips.Moment{}, "", false
}

// holdsAny says whether m takes in one of ranges (and is not the frame's
// own sighting alone).
func holdsAny(m clips.Moment, ranges []query.Range) bool {
	for _, r := range ranges {
		if r.Start <= m.End && r.End >= m.Start {
			return true
		}
	}
	return false
}

// showClip says what Save clip… would cut for item, and offers it only
// where there is something to cut.
func (d *detailView) showClip(item results.Item) {
	if f, ok := d.coll.File(item.Path); ok && f.Media.Still {
		d.clipSaid.SetText("None: a photo has no moments to cut.")
		d.saveClip.Disable()
		return
	}
	m, _, ok := d.clipProposal()
	if !ok {
		d.clipSaid.SetText(d.noMoment())
		d.saveClip.Disable()
		return
	}
	d.clipSaid.SetText(fmt.Sprintf("%s–%s: Save clip… cuts it.", clock(m.Start), clock(m.End)))
	d.saveClip.Enable()
}

// noMoment says why there is no clip around the frame shown.
func (d *detailView) noMoment() string {
	if q := d.items.query(); q.Expr != nil {
		return fmt.Sprintf("None: the search (%s) does not hold within a few seconds of this frame.", q.Expr)
	}
	return "None: nothing is seen within a few seconds of this frame."
}

// clipExt is the extension a clip of src gets: src's where it has one.
func clipExt(src string) string {
	if ext := strings.ToLower(filepath.Ext(src)); ext != "" {
		return ext
	}
	return ".mkv"
}

// saveClipDialog asks where to save the clip of the frame shown.
func (d *detailView) saveClipDialog() {
	id, ok := d.current()
	if !ok {
		return
	}
	src := d.coll.Item(id).Path
	// The button is disabled in both cases below: a reason all the same.
	if f, ok := d.coll.File(src); ok && f.Media.Still {
		dialog.ShowInformation("Save clip", filepath.Base(src)+" is a photo, not a video: there is nothing to cut.", d.win)
		return
	}
	m, name, ok := d.clipProposal()
	if !ok {
		dialog.ShowInformation("Save clip", d.noMoment(), d.win)
		return
	}
	save := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		dst := w.URI().Path()
		w.Close()
		go func() {
			c, err := d.saveClipTo(src, m, dst)
			d.do(func() {
				if err != nil {
					dialog.ShowError(fmt.Errorf("the clip could not be cut: %w", err), d.win)
					return
				}
				dialog.ShowInformation("Clip saved", clipSaid(c), d.win)
			})
		}()
	}, d.win)
	save.SetFileName(name)
	save.Show()
}

// saveClipTo cuts src's moment m to dst, falling back to Matroska beside
// it when dst's container cannot hold src's streams.
func (d *detailView) saveClipTo(src string, m clips.Moment, dst string) (clips.Clip, error) {
	c, err := clips.CutTo(d.ctx, src, m, dst)
	if errors.Is(err, media.ErrContainer) {
		c, err = clips.CutTo(d.ctx, src, m, strings.TrimSuffix(dst, filepath.Ext(dst))+".mkv")
		// The save dialog created dst empty: leave no empty file under
		// the name the user chose when the clip went beside it.
		if fi, serr := os.Stat(dst); err == nil && serr == nil && fi.Size() == 0 {
			os.Remove(dst)
		}
	}
	return c, err
}

// clipSaid says where a clip went and how it was cut.
func clipSaid(c clips.Clip) string {
	s := fmt.Sprintf("%s\n%.3f–%.3f s of %s", c.Output, c.CutStart, c.CutEnd, filepath.Base(c.Source))
	if c.EarlyBy > 0 {
		s += fmt.Sprintf("\n(starts %.3f s early, at the keyframe before the moment: clips are cut without re-encoding)", c.EarlyBy)
	}
	return s
}

// clipSources are the files Export → Clips cuts, with the library's
// record of each when there is one (a source changed since is skipped).
func (u *UI) clipSources(onlyShown bool) []clips.Source {
	q := results.Query{}
	if onlyShown {
		q = u.query()
	}
	known := u.readOnlySeen
	if u.library != nil {
		known, _ = u.library.LastSeen() // without it, sources are cut unchecked
	}
	var out []clips.Source
	for _, r := range u.coll.Results(nil) {
		ranges, times, dur := fileRanges(u.coll, q, r.Path, nil)
		if len(ranges) == 0 {
			continue
		}
		s := clips.Source{Path: r.Path, Ranges: ranges, FrameTimes: times, Duration: dur, Still: r.Media.Still}
		if st, ok := known[r.Path]; ok {
			s.Known, s.Size, s.ModTime, s.Fingerprint = true, st.Size, st.ModTime, st.Fingerprint
		}
		out = append(out, s)
	}
	return out
}

// clipsExpression is what clips.json says the clips were cut for.
func (u *UI) clipsExpression(onlyShown bool) string {
	if q := u.query(); onlyShown && q.Expr != nil {
		return q.Expr.String()
	}
	return ""
}

// ExportClips cuts the sources' moments into dir, as vidsift clips does,
// reporting each. It may run on any goroutine.
func ExportClips(ctx context.Context, sources []clips.Source, expr, dir string, report func(clips.Outcome)) ([]clips.Clip, error) {
	return clips.Run(ctx, sources, expr, dir, clips.DefaultOptions, false, report)
}

// exportClipsDialog asks for a folder and cuts the clips there in the
// background, with a progress bar and Stop.
func (u *UI) exportClipsDialog() {
	onlyShown := u.toolbar.onlyShown.Checked
	dialog.ShowFolderOpen(func(dir fyne.ListableURI, err error) {
		if err != nil || dir == nil {
			return
		}
		u.exportClipsTo(dir.Path(), onlyShown)
	}, u.win)
}

// exportClipsTo cuts the clips into dir in the background, with a
// progress bar and Stop, and says at the end how it went.
func (u *UI) exportClipsTo(dir string, onlyShown bool) {
	sources, expr := u.clipSources(onlyShown), u.clipsExpression(onlyShown)
	bar := newMeter()
	label := widget.NewLabel(fmt.Sprintf("Cutting the moments of %s…", countOf(len(sources), "file", "files")))
	ctx, cancel := context.WithCancel(u.ctx)
	prog := dialog.NewCustom("Export clips", "Stop", container.NewVBox(label, bar), u.win)
	prog.SetOnClosed(cancel)
	prog.Show()
	go func() {
		defer cancel()
		done, failed, photos := 0, 0, 0
		seen := map[string]bool{}
		written, err := ExportClips(ctx, sources, expr, dir, func(o clips.Outcome) {
			switch {
			case errors.Is(o.Err, clips.ErrPhoto):
				photos++
			case o.Err != nil:
				failed++
			}
			if !seen[o.Source] {
				seen[o.Source] = true
				done++
			}
			n := done
			u.do(func() {
				bar.SetValue(float64(n) / float64(max(1, len(sources))))
				label.SetText(fmt.Sprintf("%s (%d of %s)", filepath.Base(o.Source), n, countOf(len(sources), "file", "files")))
			})
		})
		// Decided now: u.do runs later, after the deferred cancel, when
		// ctx is done whether or not Stop was pressed.
		stopped := ctx.Err() != nil && u.ctx.Err() == nil
		u.do(func() {
			prog.Hide()
			switch {
			case stopped:
				dialog.ShowInformation("Export clips", fmt.Sprintf("Stopped: %s written to %s, none partly (clips.json lists them).", countOf(len(written), "clip", "clips"), dir), u.win)
			case err != nil:
				dialog.ShowError(err, u.win)
			default:
				msg := fmt.Sprintf("%s written to %s (clips.json lists them).", countOf(len(written), "clip", "clips"), dir)
				if photos > 0 {
					msg += fmt.Sprintf("\n%s skipped: a photo has no moments to cut.", countOf(photos, "photo", "photos"))
				}
				if failed > 0 {
					msg += fmt.Sprintf("\n%s could not be cut: a file changed or moved since it was scanned, or a clip was there already.", countOf(failed, "moment or file", "moments or files"))
				}
				dialog.ShowInformation("Export clips", msg, u.win)
			}
		})
	}()
}
