package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"fyne.io/fyne/v2/dialog"

	"github.com/vidsift/vidsift/engine/cluster"
	"github.com/vidsift/vidsift/engine/config"
	"github.com/vidsift/vidsift/engine/pipeline"
	"github.com/vidsift/vidsift/engine/scan"
	"github.com/vidsift/vidsift/engine/session"
	"github.com/vidsift/vidsift/engine/settings"
	"github.com/vidsift/vidsift/engine/watch"
)

// refreshEvery caps how often a run redraws the window (about 20 Hz).
const refreshEvery = 50 * time.Millisecond

// Start scans the queue with the current settings. It refuses while a run
// goes on or without a model.
func (u *UI) Start() {
	m := u.currentModel()
	if m == nil || len(u.queue.paths) == 0 {
		return
	}
	st, err := u.scanSettings()
	if err != nil {
		dialog.ShowError(fmt.Errorf("%w\nFix config.yaml or the VIDSIFT_* variables, then start again.", err), u.win)
		return
	}
	s := u.settings
	opts := session.Options{Settings: st, Model: m, OpenedLibrary: u.library, Rescan: s.rescan.Checked,
		Thumbs:    pipeline.JPEGThumbs, // the grid keeps them compressed, as the library does
		FFmpegLog: slog.Default(),      // the terminal the app was started from; the problems list has each damaged file's messages
	}
	if u.queue.watch.Checked {
		opts.LibraryNeed = session.Required
	}
	if st.Text.On {
		// Not installed: the run reads no text and says so (TextWarning).
		opts.TextModels, _ = config.FindTextModels(u.cfg)
	}
	if url, token, ok := s.runOn.cluster(); ok {
		opts.Cluster = &session.Cluster{URL: url, Auth: u.clusterAuth(token), Name: "vidsift app " + cluster.DefaultName()}
	}
	run, err := session.Open(opts)
	switch {
	case errors.Is(err, session.ErrNoLibrary):
		dialog.ShowError(fmt.Errorf("watching needs the results library, which is off or unavailable: without it every walk would scan every file again"), u.win)
		return
	case err != nil:
		dialog.ShowError(worded(err), u.win)
		return
	}
	paths := append([]string(nil), u.queue.paths...)
	begin := func(ctx context.Context) <-chan scan.Event { return run.Scan(ctx, paths) }
	if u.queue.watch.Checked {
		begin = func(ctx context.Context) <-chan scan.Event { return run.Watch(ctx, paths, watch.Options{}) }
	}
	events, err := u.activity.Begin(u.ctx, begin)
	if err != nil {
		run.Close()
		dialog.ShowError(err, u.win)
		return
	}
	cfg := run.Config()
	st.Params = cfg.Params // with the model's identity
	u.lastRun, u.lastModelPath = &st, m.Path
	u.saveState()
	u.detail.close()
	u.coll.Reset(cfg.Confidence)
	u.grid.forget()
	u.filters.reset(cfg.Confidence)
	u.progress.show(progressSnapshot{})
	u.refreshAll()
	go u.consume(events, run.Close, textNotice(run.TextWarning())) // the cluster connection made for this run ends with it
}

// configured are the scan settings the config holds: the window's layer
// (the choices it showed last), else VIDSIFT_* and config.yaml, else the
// defaults. The Settings panel starts from them.
func (u *UI) configured() (scan.Settings, error) {
	st, err := config.Load(u.cfg)
	if err != nil {
		return scan.DefaultSettings(), fmt.Errorf("the scan settings in config.yaml or VIDSIFT_* are not valid: %w", err)
	}
	return st, nil
}

// scanSettings are what the next scan runs with: the Settings panel's
// choices, set as the window's layer of the config, over the rest (IoU,
// threads, timeouts) from VIDSIFT_*, config.yaml or the defaults.
func (u *UI) scanSettings() (scan.Settings, error) {
	u.setLayer(u.settings.values())
	return u.configured()
}

// setLayer makes values the window's layer of the config: it wins over
// VIDSIFT_* and config.yaml (the app takes no flags).
func (u *UI) setLayer(values map[string]any) {
	for key, v := range values {
		if row := settings.ByKey(key); row != nil && row.App.Kind != settings.Hidden {
			u.cfg.Set(key, v)
		}
	}
}

// Stop cancels the run; what finished stays.
func (u *UI) Stop() { u.activity.Cancel() }

// clusterAuth is the settings' credentials for the cluster, or the token
// typed in Run on.
func (u *UI) clusterAuth(token string) cluster.Auth {
	auth := session.AuthFrom(u.cfg)
	if token != "" {
		auth.Token, auth.User, auth.Password = token, "", ""
	}
	return auth
}

// consume runs on its own goroutine: it files events into the collection
// and redraws the window at most every refreshEvery, always through u.do.
// after runs once the run is over.
func (u *UI) consume(events <-chan scan.Event, after func(), notice string) {
	defer after()
	prog := pipeline.NewProgress()
	var last time.Time
	var watching *scan.Watching
	// upToDate are, in a watch, the files whose last scan finished: a
	// file scanned again (rewritten, or first as it stood while still
	// growing) counts once, so done never exceeds the files watched.
	upToDate := map[string]bool{}
	snap := func() progressSnapshot {
		s := progressSnapshot{done: prog.Done, total: prog.Total, frames: prog.Frames,
			rate: prog.Rate(), eta: prog.ETA(), current: prog.Current, where: prog.Where(), notice: notice, watching: watching}
		if watching != nil {
			s.done = len(upToDate)
		}
		return s
	}
	for ev := range events {
		prog.Apply(ev)
		u.coll.Add(ev)
		switch e := ev.(type) {
		case scan.FileStarted:
			delete(upToDate, e.Path)
		case scan.FileFinished:
			upToDate[e.Result.Path] = true
		case scan.FileGone:
			delete(upToDate, e.Path)
		}
		switch e := ev.(type) {
		case scan.Notice:
			notice = e.Text
			u.post(snap()) // rare, and the user must see it now
			continue
		case scan.FileGone:
			notice = "Gone: " + e.Path + " (its results stay in the library)"
			u.post(snap())
			continue
		case scan.Watching:
			watching = &e
			u.post(snap())
			continue
		case scan.FileFinished:
			if watching != nil {
				// A watch has no RunFinished to draw the last of a batch:
				// each finished file is drawn (they come far apart).
				last = time.Now()
				u.post(snap())
				continue
			}
		}
		if fin, ok := ev.(scan.RunFinished); ok {
			s := snap()
			s.finished, s.summary, s.err = true, fin.Summary, fin.Err
			s.hint = u.sparseKeyframesHint()
			u.post(s)
			continue
		}
		if now := time.Now(); now.Sub(last) >= refreshEvery {
			last = now
			u.post(snap())
		}
	}
	if watching != nil { // a watch ends only when stopped
		s := snap()
		s.finished, s.err = true, context.Canceled
		u.post(s)
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

// sparseKeyframesHint names the setting that covers files whose keyframes
// lie far apart, when the last run looked at keyframes only.
func (u *UI) sparseKeyframesHint() string {
	n, widest := scan.SparseKeyframeFiles(u.coll.Results(nil))
	if u.lastRun == nil || u.lastRun.Sampling.MaxGap > 0 || n == 0 {
		return ""
	}
	return fmt.Sprintf("In %d file(s) keyframes lie up to %.0f s apart and only keyframes were looked at: Sampling \"Balanced\" looks between them.", n, widest)
}

// textNotice words why a run reads no text though the settings ask for
// it ("" when it reads text, or was not asked to).
func textNotice(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, session.ErrNoTextModels):
		return "Not reading text: the text models are not installed (run make setup in vidsift's folder, or untick Read text in Settings)"
	}
	return fmt.Sprintf("Not reading text: %v (run make setup again to reinstall the text models)", err)
}
