package app

import (
	"fmt"
	"runtime"
	"time"

	"fyne.io/fyne/v2/dialog"
	"github.com/nats-io/nats.go"

	"github.com/vidsift/vidsift/engine/cluster"
	"github.com/vidsift/vidsift/engine/config"
	"github.com/vidsift/vidsift/engine/pipeline"
	"github.com/vidsift/vidsift/engine/store"
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
	s := u.settings
	threads, iou, timeout := runtime.NumCPU(), float32(0.7), 10*time.Minute
	if u.cfg != nil {
		if st, err := config.Load(u.cfg); err == nil {
			threads, iou, timeout = st.Threads, st.IoU, st.FileTimeout
		}
	}
	sampling, reuse := s.sampling()
	cfg := pipeline.Config{
		Model: m, Confidence: s.confidence(), IoU: iou,
		Workers: s.workerCount(), Streams: pipeline.Streams(threads, 1),
		FileTimeout: timeout, Sampling: sampling, ReuseSimilar: reuse,
	}
	if u.library != nil {
		cfg.ResultsDB = u.library.ForRun(store.ScanParams{Model: m, Confidence: cfg.Confidence, IoU: cfg.IoU,
			Sampling: sampling, ReuseSimilar: reuse}, s.rescan.Checked)
	}
	closeConn := func() {}
	if url, token, ok := s.runOn.cluster(); ok {
		nc, err := u.connectCluster(url, token)
		if err != nil {
			dialog.ShowError(err, u.win)
			return
		}
		closeConn = nc.Close
		cfg.Remote = cluster.NewSubmitter(nc, cluster.Queue{})
	}
	events, err := u.activity.Start(u.ctx, cfg, append([]string(nil), u.queue.paths...))
	if err != nil {
		closeConn()
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
	go u.consume(events, closeConn)
}

// Stop cancels the run; what finished stays.
func (u *UI) Stop() { u.activity.Cancel() }

// connectCluster connects to the hub at url with the settings'
// credentials, or the token typed in Run on.
func (u *UI) connectCluster(url, token string) (*nats.Conn, error) {
	var auth cluster.Auth
	if u.cfg != nil {
		auth = cluster.AuthFrom(u.cfg)
	}
	if token != "" {
		auth.Token, auth.User, auth.Password = token, "", ""
	}
	return cluster.Connect(url, auth, "vidsift app "+cluster.DefaultName())
}

// consume runs on its own goroutine: it files events into the collection
// and redraws the window at most every refreshEvery, always through u.do.
// after runs once the run is over.
func (u *UI) consume(events <-chan pipeline.Event, after func()) {
	defer after()
	prog := pipeline.NewProgress()
	var last time.Time
	var notice string
	snap := func() progressSnapshot {
		return progressSnapshot{done: prog.Done, total: prog.Total, frames: prog.Frames,
			rate: prog.Rate(), eta: prog.ETA(), current: prog.Current, where: prog.Where(), notice: notice}
	}
	for ev := range events {
		prog.Apply(ev)
		u.coll.Add(ev)
		if n, ok := ev.(pipeline.Notice); ok {
			notice = n.Text
			u.post(snap()) // rare, and the user must see it now
			continue
		}
		if fin, ok := ev.(pipeline.RunFinished); ok {
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
	n, widest := pipeline.SparseKeyframeFiles(u.coll.Results(nil))
	if u.lastRun.Sampling.MaxGap > 0 || n == 0 {
		return ""
	}
	return fmt.Sprintf("In %d file(s) keyframes lie up to %.0f s apart and only keyframes were looked at: Sampling \"Balanced\" looks between them.", n, widest)
}
