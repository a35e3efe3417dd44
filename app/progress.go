package app

import (
	"fmt"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/vidsift/vidsift/engine/scan"
)

// meter is a progress bar whose empty part looks empty: Fyne's
// ProgressBar draws its whole track in the accent colour at half
// strength, which at 0 % reads as a full bar. Here the track is an
// input field's background with its border, and the percentage is only
// written once there is progress to tell (idle: no "0 %" beside a
// library of finished files).
type meter struct {
	widget.BaseWidget
	Value    float64 // 0 to 1
	showText bool
}

func newMeter() *meter {
	m := &meter{}
	m.ExtendBaseWidget(m)
	return m
}

// SetValue shows v (0 to 1) and its percentage.
func (m *meter) SetValue(v float64) {
	m.Value, m.showText = min(1, max(0, v)), true
	m.Refresh()
}

// clear empties the meter and hides its percentage: nothing runs.
func (m *meter) clear() {
	m.Value, m.showText = 0, false
	m.Refresh()
}

func (m *meter) text() string {
	if !m.showText {
		return ""
	}
	return strconv.Itoa(int(m.Value*100)) + "%"
}

func (m *meter) CreateRenderer() fyne.WidgetRenderer {
	r := &meterRenderer{m: m, track: canvas.NewRectangle(nil), fill: canvas.NewRectangle(nil), label: canvas.NewText("", nil)}
	r.label.Alignment = fyne.TextAlignCenter
	r.Refresh()
	return r
}

type meterRenderer struct {
	m     *meter
	track *canvas.Rectangle
	fill  *canvas.Rectangle
	label *canvas.Text
}

func (r *meterRenderer) Layout(size fyne.Size) {
	r.track.Resize(size)
	r.fill.Resize(fyne.NewSize(size.Width*float32(r.m.Value), size.Height))
	r.label.Resize(size)
}

// MinSize is Fyne's progress bar's: "100%" and padding.
func (r *meterRenderer) MinSize() fyne.Size {
	th := r.m.Theme()
	pad := th.Size(theme.SizeNameInnerPadding) * 2
	return fyne.MeasureText("100%", th.Size(theme.SizeNameText), fyne.TextStyle{}).AddWidthHeight(pad, pad)
}

func (r *meterRenderer) Refresh() {
	th := r.m.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	radius := th.Size(theme.SizeNameInputRadius)
	r.track.FillColor = th.Color(theme.ColorNameInputBackground, v)
	r.track.StrokeColor, r.track.StrokeWidth = th.Color(theme.ColorNameInputBorder, v), th.Size(theme.SizeNameInputBorder)
	r.track.CornerRadius = radius
	r.fill.FillColor, r.fill.CornerRadius = th.Color(theme.ColorNamePrimary, v), radius
	r.fill.Hidden = r.m.Value <= 0
	r.label.Text, r.label.Color, r.label.TextSize = r.m.text(), th.Color(theme.ColorNameForeground, v), th.Size(theme.SizeNameText)
	r.Layout(r.m.Size())
	canvas.Refresh(r.m)
}

func (r *meterRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.track, r.fill, r.label}
}

func (r *meterRenderer) Destroy() {}

type progressView struct {
	bar   *meter
	label *widget.Label
	box   *fyne.Container
}

func newProgressView() *progressView {
	p := &progressView{bar: newMeter(), label: widget.NewLabel("Ready.")}
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
	switch {
	case s.watching != nil && s.watching.Files > 0:
		// A watch has no total: its files are those watched, done those
		// whose last scan finished (s.done counts each once).
		p.bar.SetValue(float64(s.done) / float64(s.watching.Files))
	case s.total > 0:
		p.bar.SetValue(float64(s.done) / float64(s.total))
	case !s.finished:
		p.bar.clear() // a new run, before it knows its files
	}
	switch {
	case s.watching != nil && s.finished:
		p.label.SetText(fmt.Sprintf("Stopped watching: %s done, %d found new or changed.", countOf(s.done, "file", "files"), s.watching.Found))
	case s.watching != nil:
		w := s.watching
		text := fmt.Sprintf("Watching %s, %s (%d done) · %d found since Start", countOf(w.Folders, "folder", "folders"), countOf(w.Files, "file", "files"), s.done, w.Found)
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
