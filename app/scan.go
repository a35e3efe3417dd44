package app

import (
	"fmt"
	"runtime"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/vidsift/vidsift/engine/config"
	"github.com/vidsift/vidsift/engine/pipeline"
	"github.com/vidsift/vidsift/engine/store"
)

// refreshEvery caps how often a run redraws the window (about 20 Hz).
const refreshEvery = 50 * time.Millisecond

type toolbarView struct {
	u          *UI
	start      *widget.Button
	stop       *widget.Button
	exportCSV  *widget.Button
	exportJSON *widget.Button
	onlyShown  *widget.Check
	box        *fyne.Container
}

func newToolbarView(u *UI) *toolbarView {
	t := &toolbarView{u: u}
	t.start = widget.NewButtonWithIcon("Start", theme.MediaPlayIcon(), u.Start)
	t.start.Importance = widget.HighImportance
	t.stop = widget.NewButtonWithIcon("Stop", theme.MediaStopIcon(), u.Stop)
	t.exportCSV = widget.NewButtonWithIcon("Export CSV", theme.DocumentSaveIcon(), func() { u.exportDialog("csv") })
	t.exportJSON = widget.NewButtonWithIcon("Export JSON", theme.DocumentSaveIcon(), func() { u.exportDialog("json") })
	t.onlyShown = widget.NewCheck("Only what the filter shows", nil)
	t.box = container.NewHBox(t.start, t.stop, widget.NewSeparator(), t.exportCSV, t.exportJSON, t.onlyShown)
	return t
}

func (t *toolbarView) object() fyne.CanvasObject { return t.box }

func (t *toolbarView) update() {
	if t == nil || t.start == nil {
		return
	}
	running := t.u.activity.Running()
	if running || len(t.u.queue.paths) == 0 || t.u.currentModel() == nil {
		t.start.Disable()
	} else {
		t.start.Enable()
	}
	if running {
		t.stop.Enable()
	} else {
		t.stop.Disable()
	}
	if finished, _ := t.u.coll.FileCounts(); finished > 0 {
		t.exportCSV.Enable()
		t.exportJSON.Enable()
	} else {
		t.exportCSV.Disable()
		t.exportJSON.Disable()
	}
}

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
	done, total, keyframes int
	rate                   float64
	eta                    time.Duration
	current                string
	finished               bool
	summary                pipeline.Summary
	err                    error
}

func (p *progressView) show(s progressSnapshot) {
	if s.total > 0 {
		p.bar.SetValue(float64(s.done) / float64(s.total))
	}
	switch {
	case s.finished && s.err != nil:
		p.label.SetText(fmt.Sprintf("Stopped: %d of %d files done, %d keyframes.", s.done, s.total, s.keyframes))
	case s.finished:
		sm := s.summary
		p.label.SetText(fmt.Sprintf("Done: %d files (%d ok, %d partial, %d failed, %d ignored), %d keyframes in %.1f s.",
			sm.Files, sm.OK, sm.Partial, sm.Failed, sm.Ignored, sm.Keyframes, sm.Elapsed.Seconds()))
	default:
		eta := "…"
		if s.eta > 0 {
			eta = s.eta.String()
		}
		p.label.SetText(fmt.Sprintf("%d / %d files · %.1f keyframes/s · ETA %s · %s", s.done, s.total, s.rate, eta, s.current))
	}
}

// Start scans the queue with the current settings. It refuses while a run
// goes on or without a model.
func (u *UI) Start() {
	m := u.currentModel()
	if m == nil || len(u.queue.paths) == 0 {
		return
	}
	s := u.settings
	threads := runtime.NumCPU()
	if u.cfg != nil {
		if st, err := config.Load(u.cfg); err == nil {
			threads = st.Threads
		}
	}
	cfg := pipeline.Config{
		Model: m, Confidence: s.confidence(), IoU: 0.7,
		Workers: s.workerCount(), Streams: pipeline.Streams(threads, 1),
		FileTimeout: 10 * time.Minute,
	}
	if u.cfg != nil {
		cfg.IoU = float32(u.cfg.GetFloat64(config.IoU))
		cfg.FileTimeout = u.cfg.GetDuration(config.FileTimeout)
	}
	if u.library != nil {
		cfg.ResultsDB = u.library.ForRun(store.ScanParams{Model: m, Confidence: cfg.Confidence, IoU: cfg.IoU}, s.rescan.Checked)
	}
	events, err := u.activity.Start(u.ctx, cfg, append([]string(nil), u.queue.paths...))
	if err != nil {
		dialog.ShowError(err, u.win)
		return
	}
	u.lastRun = cfg
	u.saveState()
	u.detail.close()
	u.coll.Reset(cfg.Confidence)
	u.filters.reset(cfg.Confidence)
	u.progress.show(progressSnapshot{})
	u.refreshAll()
	go u.consume(events)
}

// Stop cancels the run; what finished stays.
func (u *UI) Stop() { u.activity.Cancel() }

// consume runs on its own goroutine: it files events into the collection
// and redraws the window at most every refreshEvery, always through u.do.
func (u *UI) consume(events <-chan pipeline.Event) {
	prog := pipeline.NewProgress()
	var last time.Time
	snap := func() progressSnapshot {
		return progressSnapshot{done: prog.Done, total: prog.Total, keyframes: prog.Keyframes,
			rate: prog.Rate(), eta: prog.ETA(), current: prog.Current}
	}
	for ev := range events {
		prog.Apply(ev)
		u.coll.Add(ev)
		if fin, ok := ev.(pipeline.RunFinished); ok {
			s := snap()
			s.finished, s.summary, s.err = true, fin.Summary, fin.Err
			u.post(s)
			continue
		}
		if now := time.Now(); now.Sub(last) >= refreshEvery {
			last = now
			u.post(snap())
		}
	}
	// The activity is idle only once the channel is closed: redraw the
	// buttons then.
	u.do(func() {
		u.closeRetired()
		u.refreshAll()
	})
}

func (u *UI) post(s progressSnapshot) {
	u.do(func() {
		u.progress.show(s)
		u.refreshAll()
	})
}

func itoa(n int) string { return strconv.Itoa(n) }
