// Package watch keeps answering as footage arrives: it scans folders,
// then watches them (fsnotify, one watch per folder, and a periodic walk
// in any case) and scans each new or changed media file once it has
// settled, so a copy in progress is not scanned half done. Moves are
// answered by the library's content identity, at no inference; a file
// that goes is reported, never forgotten.
package watch

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/vidsift/vidsift/engine/fingerprint"
	"github.com/vidsift/vidsift/engine/paths"
	"github.com/vidsift/vidsift/engine/pipeline"
	"github.com/vidsift/vidsift/engine/scan"
)

// Options tune a watch.
type Options struct {
	// Settle is how long a file's size and mtime must stay unchanged
	// before it is scanned (default DefaultSettle).
	Settle time.Duration
	// Poll is how often the folders are walked again whatever the events
	// say (network mounts accept watches but report only local changes);
	// 0: only when events are unavailable (then every FallbackPoll).
	Poll time.Duration
	// NoEvents walks only, as when no folder can be watched (tests).
	NoEvents bool
}

// Defaults.
const (
	DefaultSettle = 5 * time.Second
	DefaultPoll   = 5 * time.Minute
	FallbackPoll  = time.Minute
	// batchFiles is the most files one pipeline run takes, so results
	// flow while thousands wait.
	batchFiles = 64
)

// Run scans the media files under roots (folders or files; the library
// in cfg reuses what it holds), then watches them until ctx ends, and sends on the returned
// channel the runs' events (FileStarted, FrameAnalysed, FileFinished,
// Notice; not RunStarted or RunFinished), scan.Watching when it starts
// watching and as it finds files, and scan.FileGone for a file that went.
// The channel closes after ctx ends and the scan in progress stopped.
func Run(ctx context.Context, cfg pipeline.Config, roots []string, o Options) <-chan scan.Event {
	if o.Settle <= 0 {
		o.Settle = DefaultSettle
	}
	out := make(chan scan.Event, 64)
	go func() {
		defer close(out)
		w := &watcher{cfg: cfg, o: o, out: out, pending: map[string]*pending{}, queued: map[string]bool{}, growing: map[string]bool{}}
		w.run(ctx, roots)
	}()
	return out
}

// pending is a file that changed and has not settled yet.
type pending struct {
	stat  fingerprint.Stat
	since time.Time // when stat was last seen to change
	first time.Time // when the file was first seen changing
	asIs  bool      // scanned as it stood, still changing after the file timeout
}

type watcher struct {
	cfg     pipeline.Config
	o       Options
	out     chan<- scan.Event
	tree    *tree
	pending map[string]*pending
	ready   []string // settled, waiting for a scan, in order
	queued  map[string]bool
	// growing are files queued because they still changed after the file
	// timeout: scanned as they stand, shown partial, not kept.
	growing map[string]bool
	found   int    // files found new or changed since the watch began
	polling string // why the watch walks instead of listening ("" while it listens)
	said    map[string]bool
	gone    map[string]bool // roots that are not there
	// vanished are known files that went, with when: reported gone after
	// Settle unless a new file of the same size and mtime turned up (a
	// move, which the library follows by content).
	vanished map[string]vanished
}

type vanished struct {
	stat fingerprint.Stat
	at   time.Time
}

func (w *watcher) run(ctx context.Context, inputs []string) {
	w.said, w.gone, w.vanished = map[string]bool{}, map[string]bool{}, map[string]vanished{}
	var roots []string
	for _, in := range inputs {
		if abs, err := filepath.Abs(in); err == nil {
			roots = append(roots, abs)
		}
	}
	var fsw *fsnotify.Watcher
	if w.o.NoEvents {
		w.polling = "file system events are off"
	} else if f, err := fsnotify.NewWatcher(); err != nil {
		w.polling = fmt.Sprintf("file system events are unavailable (%v)", err)
	} else {
		fsw = f
		defer fsw.Close()
	}
	w.tree = newTree(roots, fsw)
	w.walkAll(false)
	w.watchErr()
	w.status()

	// The first scan: every file the walk found, in batches like the rest.
	for p := range w.tree.known {
		w.ready = append(w.ready, p)
		w.queued[p] = true
	}
	sort.Strings(w.ready)
	var batch chan struct{}
	running := false

	var events <-chan fsnotify.Event
	var errs <-chan error
	if fsw != nil {
		events, errs = fsw.Events, fsw.Errors
	}
	tick := time.NewTicker(min(250*time.Millisecond, w.o.Settle/4)) // settling is seen within a quarter second
	defer tick.Stop()
	pollEvery := w.o.Poll
	if pollEvery <= 0 && w.polling != "" {
		pollEvery = FallbackPoll
	}
	var poll <-chan time.Time
	var pollTicker *time.Ticker
	if pollEvery > 0 {
		pollTicker = time.NewTicker(pollEvery)
		defer func() { pollTicker.Stop() }()
		poll = pollTicker.C
	}
	for {
		if !running && len(w.ready) > 0 {
			if files, growing := w.take(); len(files) > 0 {
				running, batch = true, make(chan struct{})
				go func(done chan struct{}) {
					defer close(done)
					w.scanFiles(ctx, files, growing)
				}(batch)
			}
		}
		select {
		case <-ctx.Done():
			if running {
				<-batch
			}
			return
		case ev, ok := <-events:
			if !ok {
				events = nil
				continue
			}
			w.changed(ev.Name)
		case err, ok := <-errs:
			if !ok {
				errs = nil
				continue
			}
			if isOverflow(err) {
				w.fallBack("events were lost (the kernel's queue overflowed)")
			} else {
				w.say(fmt.Sprintf("watching: %v", err))
			}
			w.walkAll(true)
		case now := <-tick.C:
			w.settle(now)
			w.reportGone(now)
			w.rootsBack()
		case <-poll:
			w.walkAll(true)
		case <-batch:
			running, batch = false, nil // a closed channel would be ready for ever
		}
		if w.polling != "" && poll == nil {
			pollTicker = time.NewTicker(FallbackPoll)
			poll = pollTicker.C
		}
	}
}

// scanFiles runs the pipeline on paths, forwarding its events. Files
// still growing are scanned as they stand: their results are shown as
// partial and not kept (the library gets them once they settled).
func (w *watcher) scanFiles(ctx context.Context, paths []string, growing bool) {
	cfg := w.cfg
	if growing && cfg.Library != nil {
		cfg.Library = asItStands{}
	}
	for ev := range pipeline.Run(ctx, cfg, paths) {
		switch e := ev.(type) {
		case scan.RunStarted, scan.RunFinished:
			continue
		case scan.FileFinished:
			if growing && e.Result.Status == scan.StatusOK {
				e.Result.Status, e.Result.Error = scan.StatusPartial, StillWritten
				ev = e
			}
		}
		w.out <- ev
	}
}

// StillWritten is why a file scanned as it stood is partial.
const StillWritten = "still being written after the file timeout: scanned as it stood, and again once it settles"

// asItStands is the library for a file still being written: nothing is
// reused (its content is not final) and nothing kept.
type asItStands struct{}

func (asItStands) Reuse(string) (scan.Known, error)                       { return scan.Known{}, nil }
func (asItStands) Keep(scan.FileResult, map[int][]byte) error             { return nil }
func (asItStands) KeepSubtitles(string, []scan.Cue) error                 { return nil }
func (asItStands) KeepText(string, string, map[int][]scan.TextLine) error { return nil }

// take hands the next batch of settled files to a scan (or of growing
// ones: a batch is of one kind), recording the stat each is scanned at;
// a file gone meanwhile is dropped.
func (w *watcher) take() (files []string, growing bool) {
	growing = len(w.ready) > 0 && w.growing[w.ready[0]]
	for len(w.ready) > 0 && len(files) < batchFiles && w.growing[w.ready[0]] == growing {
		p := w.ready[0]
		w.ready = w.ready[1:]
		delete(w.queued, p)
		delete(w.growing, p)
		st, ok := candidate(p)
		if !ok {
			w.lost(p)
			continue
		}
		if !growing {
			w.tree.known[p] = st
		}
		files = append(files, p)
	}
	return files, growing
}

// changed looks at a path an event named: a new folder is watched and
// walked, a media file that differs from what was scanned waits to
// settle, a path that went is reported.
func (w *watcher) changed(path string) {
	fi, err := os.Stat(path)
	switch {
	case err != nil:
		if w.tree.folders[path] {
			if w.isRoot(path) {
				w.rootGone(path)
				return
			}
			for _, p := range w.tree.forgetFolder(path) {
				w.lost(p)
			}
			return
		}
		w.lost(path)
	case fi.IsDir():
		if !w.tree.folders[path] {
			w.tree.walker(w.maybeChanged).Dir(path)
			w.watchErr()
		}
	default:
		if st, ok := candidate(path); ok {
			w.maybeChanged(path, st)
		}
	}
}

// maybeChanged queues a file to settle unless it is as scanned. A new
// file with the size and mtime of one that just went is taken for it,
// moved: the other is not reported gone.
func (w *watcher) maybeChanged(path string, st fingerprint.Stat) {
	known, ok := w.tree.known[path]
	if ok && known == st {
		return
	}
	if !ok {
		for p, v := range w.vanished {
			if v.stat == st {
				delete(w.vanished, p)
				break
			}
		}
	}
	if _, ok := w.pending[path]; ok {
		return // settle follows it
	}
	now := time.Now()
	w.pending[path] = &pending{stat: st, since: now, first: now}
}

// lost notes a known file that is no longer there (reportGone reports it).
func (w *watcher) lost(path string) {
	delete(w.pending, path)
	if st, ok := w.tree.known[path]; ok {
		delete(w.tree.known, path)
		w.vanished[path] = vanished{stat: st, at: time.Now()}
	}
}

// reportGone reports the files that went Settle ago and did not turn up
// elsewhere.
func (w *watcher) reportGone(now time.Time) {
	var gone []string
	for p, v := range w.vanished {
		if now.Sub(v.at) >= w.o.Settle {
			gone = append(gone, p)
			delete(w.vanished, p)
		}
	}
	sort.Strings(gone)
	for _, p := range gone {
		w.send(scan.FileGone{Path: p})
	}
}

// settle moves the files unchanged for Settle to the ready queue. A file
// still changing after the file timeout is scanned once as it stands,
// and again once it settles.
func (w *watcher) settle(now time.Time) {
	var ready, growing []string
	for p, pe := range w.pending {
		st, ok := candidate(p)
		switch {
		case !ok:
			w.lost(p)
		case st != pe.stat:
			pe.stat, pe.since = st, now
			if timeout := w.cfg.FileTimeout; timeout > 0 && !pe.asIs && now.Sub(pe.first) >= timeout {
				pe.asIs = true // once; it stays pending until it settles
				growing = append(growing, p)
			}
		case now.Sub(pe.since) >= w.o.Settle:
			delete(w.pending, p)
			ready = append(ready, p)
		}
	}
	sort.Strings(ready)
	sort.Strings(growing)
	for _, p := range growing {
		if !w.queued[p] {
			w.queued[p], w.growing[p] = true, true
			w.ready = append(w.ready, p)
		}
	}
	for _, p := range ready {
		switch {
		case !w.queued[p]:
			w.queued[p] = true
			w.ready = append(w.ready, p)
		case w.growing[p]:
			delete(w.growing, p) // settled before its as-it-stands scan: one scan, kept
		default:
			continue
		}
		w.found++
	}
	if len(ready) > 0 {
		w.status()
	}
}

// walkAll walks every root again; with report, files that changed are
// queued and known files not found are reported gone.
func (w *watcher) walkAll(report bool) {
	seen := map[string]bool{}
	walk := w.tree.walker(func(p string, st fingerprint.Stat) {
		seen[p] = true
		w.found1(p, st, report)
	})
	for _, r := range w.tree.roots {
		fi, err := os.Stat(r)
		switch {
		case err != nil:
			w.rootGone(r)
			continue
		case !fi.IsDir():
			if st, ok := candidate(r); ok {
				seen[r] = true
				w.found1(r, st, report)
			}
			continue
		}
		walk.Dir(r)
	}
	w.watchErr()
	if !report {
		return
	}
	for p := range w.tree.known {
		if !seen[p] && !w.inGoneRoot(p) {
			w.lost(p)
		}
	}
}

// found1 records a file a walk found: at the start it is known as it is;
// later it is queued when it changed.
func (w *watcher) found1(path string, st fingerprint.Stat, report bool) {
	if !report {
		w.tree.known[path] = st
		return
	}
	w.maybeChanged(path, st)
}

func (w *watcher) isRoot(path string) bool {
	for _, r := range w.tree.roots {
		if r == path {
			return true
		}
	}
	return false
}

func (w *watcher) inGoneRoot(path string) bool {
	for r := range w.gone {
		if paths.Under(path, r) {
			return true
		}
	}
	return false
}

// rootGone says once that a watched folder went (removed, or its drive
// unmounted): its files are not reported gone one by one, and it is
// picked up again when it returns.
func (w *watcher) rootGone(root string) {
	if w.gone[root] {
		return
	}
	w.gone[root] = true
	for f := range w.tree.folders {
		if paths.Under(f, root) {
			delete(w.tree.folders, f)
		}
	}
	w.say(fmt.Sprintf("%s is not there (removed or unmounted): watching the others, and it again when it returns", root))
}

// rootsBack walks a watched folder that has come back.
func (w *watcher) rootsBack() {
	for r := range w.gone {
		if fi, err := os.Stat(r); err == nil && fi.IsDir() {
			delete(w.gone, r)
			w.say(fmt.Sprintf("%s is back: watching it again", r))
			w.tree.walker(w.maybeChanged).Dir(r)
			w.watchErr()
		}
	}
}

// watchErr falls back to walking when a folder could not be watched.
func (w *watcher) watchErr() {
	if err := w.tree.watchErr; err != nil && w.polling == "" {
		w.fallBack(fmt.Sprintf("a folder could not be watched (%v; raise fs.inotify.max_user_watches)", err))
	}
}

// fallBack says once why the watch walks the folders from now on.
func (w *watcher) fallBack(why string) {
	if w.polling != "" {
		return
	}
	w.polling = why
	w.status()
}

// status says what is watched. Its files include the new ones queued
// (they join known when their scan starts), so a count of files done is
// never above it.
func (w *watcher) status() {
	files := len(w.tree.known)
	for p := range w.queued {
		if _, ok := w.tree.known[p]; !ok {
			files++
		}
	}
	w.send(scan.Watching{Folders: len(w.tree.folders), Files: files, Found: w.found, Polling: w.polling})
}

func (w *watcher) say(text string) {
	if !w.said[text] {
		w.said[text] = true
		w.send(scan.Notice{Text: text})
	}
}

func (w *watcher) send(ev scan.Event) { w.out <- ev }
