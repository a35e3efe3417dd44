package app

import (
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
	"github.com/vidsift/vidsift/engine/scan"
)

type progressView struct {
	bar   *widget.ProgressBar
	label *widget.Label
	box   *fyne.Container
}

func newProgressView() *progressView {
	p := &progressView{bar: widget.NewProgressBar(), label: widget.NewLabel("Ready.")}
	p.label.Truncation = fyne.TextTruncateEllipsis
	p.box = container.NewBorder(nil, nil, nil, nil, container.NewVBox(p.bar, p.label))
	return p
}

func (p *progressView) object() fyne.CanvasObject { return p.box }

// progressSnapshot is what a run reports to the UI; it is a copy, so the
// run goroutine never shares the tracker with the main goroutine.
type progressSnapshot struct {
	done, total, frames int
	rate                float64
	eta                 time.Duration
	current             string
	where               string // how far into a long current file
	finished            bool
	summary             scan.Summary
	err                 error
	hint                string         // said when the run is done
	notice              string         // the run's latest word to the user, e.g. waiting for workers
	watching            *scan.Watching // what a watch watches (nil: a plain scan)
}

func (p *progressView) show(s progressSnapshot) {
	if s.total > 0 {
		p.bar.SetValue(float64(s.done) / float64(s.total))
	}
	switch {
	case s.watching != nil && s.finished:
		p.label.SetText(fmt.Sprintf("Stopped watching: %d files done, %d found new or changed.", s.done, s.watching.Found))
	case s.watching != nil:
		w := s.watching
		text := fmt.Sprintf("Watching %s, %s · %d found since Start · %d done", countOf(w.Folders, "folder", "folders"), countOf(w.Files, "file", "files"), w.Found, s.done)
		if w.Polling != "" {
			text += " · walking the folders instead of listening: " + w.Polling
		}
		if s.current != "" {
			text += " · " + s.current
		}
		if s.notice != "" {
			text = s.notice + " · " + text
		}
		p.label.SetText(text)
	case s.finished && s.err != nil:
		p.label.SetText(fmt.Sprintf("Stopped: %d of %d files done, %d frames.", s.done, s.total, s.frames))
	case s.finished:
		sm := s.summary
		text := fmt.Sprintf("Done: %d files (%d ok, %d partial, %d failed, %d ignored), %d frames (%d keyframes, %d cut frames, %d inferred) in %.1f s.",
			sm.Files, sm.OK, sm.Partial, sm.Failed, sm.Ignored, sm.Frames, sm.Keyframes, sm.Cuts, sm.Inferences, sm.Elapsed.Seconds())
		if sm.Skipped > 0 {
			text += fmt.Sprintf(" %d answered from the library (moved, copied or unchanged files are not scanned again).", sm.Skipped)
		}
		if s.hint != "" {
			text += " " + s.hint
		}
		p.label.SetText(text)
	default:
		eta := "…"
		if s.eta > 0 {
			eta = s.eta.String()
		}
		current := s.current
		if s.where != "" {
			current += " (" + s.where + ")"
		}
		text := fmt.Sprintf("%d / %d files · %.1f frames/s · ETA %s · %s", s.done, s.total, s.rate, eta, current)
		if s.notice != "" {
			text = s.notice + " · " + text
		}
		p.label.SetText(text)
	}
}
