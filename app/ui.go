// Package app is vidsift's desktop window (Fyne). It only renders engine
// events and calls engine APIs: scanning, filtering and exporting live in
// engine/. It never imports fyne.io/fyne/v2/app, so its tests build and run
// with Fyne's test driver.
package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
	"github.com/spf13/viper"

	"github.com/vidsift/vidsift/engine/config"
	"github.com/vidsift/vidsift/engine/detect"
	"github.com/vidsift/vidsift/engine/pipeline"
	"github.com/vidsift/vidsift/engine/results"
	"github.com/vidsift/vidsift/engine/scan"
	"github.com/vidsift/vidsift/engine/settings"
	"github.com/vidsift/vidsift/engine/store"
)

// Options wire the window to its surroundings. Tests replace Do.
type Options struct {
	// Do runs fn on Fyne's main goroutine; background work touches widgets
	// only through it. Default: fyne.Do.
	Do func(fn func())
	// Config holds the settings of VIDSIFT_* and config.yaml (config.New);
	// the window adds its own layer. Nil: the defaults, without a library.
	Config *viper.Viper
	// CacheDir holds thumbnails that do not fit the memory budget.
	CacheDir string
	// ThumbMemory is the memory budget for thumbnails in bytes (default 256 MiB).
	ThumbMemory int
}

// UI is the main window and everything on it.
type UI struct {
	app       fyne.App
	win       fyne.Window
	do        func(func())
	cfg       *viper.Viper
	ctx       context.Context
	statePath string // the app's own settings file (app-state.json)
	shutdown  sync.Once

	mu       sync.Mutex // guards model (loaded in the background)
	model    *detect.Model
	modelErr error
	retired  []*detect.Model // replaced while a scan used them; closed when it ends

	coll    *results.Collection
	library *store.Library // nil when turned off or unavailable
	libErr  error
	// readOnlySeen is a read-only library's record of its files, read as
	// it is loaded (it is closed then): what Export → Clips checks sources
	// against, as it asks a writable library.
	readOnlySeen map[string]store.FileState
	// resumeWatch starts watching the saved queue once the model is loaded
	// (the library is loaded before it).
	resumeWatch bool
	activity    pipeline.Activity
	queue       *queueView
	settings    *settingsView
	filters     *filterView
	sheet       *contactSheet // the grid grouped by video
	grid        *gridView
	progress    *progressView
	problems    *problemsView
	toolbar     *toolbarView
	detail      *detailView
	menu        *appMenu // the main menu (menu.go)
	// pendingSearch is the search saved at the last quit, typed in once
	// the model is loaded: it names the model's classes.
	pendingSearch string

	lastRun       *scan.Settings // what the latest run was asked for (nil: none yet), for exports
	lastModelPath string         // the model file it ran
	shown         []int          // item IDs the grid shows, in order
	center        *fyne.Container
	empty         fyne.CanvasObject
}

// New builds the main window; call ShowAndRun (or, in tests, just use it).
func New(a fyne.App, opts Options) *UI {
	if opts.Do == nil {
		opts.Do = fyne.Do
	}
	if opts.Config == nil {
		opts.Config = config.Defaults()
		opts.Config.Set(settings.Library, "off")
	}
	if opts.ThumbMemory == 0 {
		opts.ThumbMemory = 256 << 20
	}
	if opts.CacheDir == "" {
		if dir, err := os.UserCacheDir(); err == nil {
			opts.CacheDir = filepath.Join(dir, "vidsift")
			_ = os.MkdirAll(opts.CacheDir, 0o755)
		}
	}
	u := &UI{
		app:       a,
		do:        opts.Do,
		cfg:       opts.Config,
		ctx:       context.Background(),
		statePath: statePath(),
		coll:      results.New(opts.CacheDir, opts.ThumbMemory),
	}
	u.win = a.NewWindow("vidsift")
	u.win.Resize(fyne.NewSize(1280, 800))
	u.build()
	u.win.SetOnDropped(func(_ fyne.Position, uris []fyne.URI) { u.HandleDrop(uris) })
	u.win.SetCloseIntercept(func() {
		u.activity.Cancel()
		u.saveState()
		u.win.Close()
	})
	a.Lifecycle().SetOnStopped(u.Shutdown)
	u.installShortcuts()
	u.installMenu()
	u.openLibrary()
	u.loadModel(u.settings.modelPath())
	return u
}

// openLibrary opens the results library and shows what earlier scans found.
func (u *UI) openLibrary() {
	path := config.LibraryFile(u.cfg)
	if path == "" {
		return
	}
	lib, err := store.Open(path)
	readOnly := errors.Is(err, store.ErrReadOnly)
	if readOnly {
		// Shown all the same (a read-only medium); scans run without it,
		// as nothing can be stored there.
		lib, err = store.OpenReadOnly(path)
	}
	if err != nil {
		u.libErr = err
		u.progress.label.SetText("Results library unavailable: " + err.Error())
		return
	}
	if readOnly {
		u.libErr = store.ErrReadOnly
		defer lib.Close()
		u.readOnlySeen, _ = lib.LastSeen() // without it, sources are cut unchecked
	} else {
		u.library = lib
	}
	stored, err := lib.Latest(store.Scope{}) // the files that are gone, content kept nowhere else, are not shown
	if err != nil {
		u.progress.label.SetText("Results library unreadable: " + err.Error())
		return
	}
	for _, st := range stored {
		thumbs := map[int][]byte{}
		for idx, name := range st.Thumbs {
			if b, err := lib.Thumbnail(name); err == nil {
				thumbs[idx] = b
			}
		}
		pipeline.Replay(st.Result, thumbs, st.Params, func(ev scan.Event) { u.coll.Add(ev) })
	}
	switch {
	case readOnly:
		u.progress.label.SetText(fmt.Sprintf("Library (read-only): %d files from earlier scans (%s). New scans are not stored: copy it somewhere writable and name the copy as library in config.yaml to add to it.", len(stored), path))
	case len(stored) > 0:
		u.progress.label.SetText(fmt.Sprintf("Library: %d files from earlier scans (%s). Start a scan to add more.", len(stored), path))
	}
	u.refreshAll()
}

// Shutdown stops the scan, saves the settings and closes the library. It
// runs once, from the lifecycle's OnStopped or after the event loop ends,
// whichever comes first: at quit Fyne can drop a queued OnStopped.
func (u *UI) Shutdown() {
	u.shutdown.Do(func() {
		u.activity.Cancel()
		u.activity.Wait()
		u.saveState()
		if u.library != nil {
			u.library.Close()
		}
	})
}

// Window is the main window.
func (u *UI) Window() fyne.Window { return u.win }

func (u *UI) build() {
	saved := loadState(u.statePath)
	u.setLayer(saved.Settings)
	u.queue = newQueueView(u.win, u.updateToolbar)
	u.queue.paths = saved.Queue
	u.queue.watch.SetChecked(saved.Watch)
	u.resumeWatch = saved.Watch && len(saved.Queue) > 0
	u.queue.changed()
	u.settings = newSettingsView(settingsDeps{cfg: u.cfg, configured: u.configured, onCluster: saved.OnCluster, win: u.win,
		model: u.currentModel, loadModel: u.loadModel, onChange: u.refreshAll})
	u.filters = newFilterView(u.refreshAll, u.classNames, u.coll.Words)
	u.grid = newGridView(u, u.coll, func(pos int) { u.detail.open(pos) }, u.refreshAll)
	u.sheet = newContactSheet(u, u.coll, u.grid, func(pos int) { u.detail.open(pos) })
	u.progress = newProgressView()
	u.problems = newProblemsView()
	u.toolbar = newToolbarView(toolbarActions{start: u.Start, stop: u.Stop, export: u.exportDialog})
	u.detail = newDetailView(detailDeps{app: u.app, ctx: u.ctx, do: u.do, items: u, coll: u.coll, thumbnail: u.grid.render})

	u.empty = container.NewCenter(widget.NewLabelWithStyle(
		"Drop folders or videos here,\nor use Add folder / Add files.\n\nThen press Start (Ctrl+Enter).",
		fyne.TextAlignCenter, fyne.TextStyle{Bold: true}))
	u.center = container.NewStack(u.empty)

	left := container.NewVScroll(container.NewVBox(
		widget.NewCard("", "Queue", u.queue.object()),
		widget.NewCard("", "Settings", u.settings.object()),
	))
	left.SetMinSize(fyne.NewSize(leftPanelWidth, 0))
	u.settings.scrollsWithin(left)
	main := container.NewBorder(u.filters.object(), nil, nil, nil, u.center)
	bottom := container.NewVBox(u.progress.object(), u.problems.object())
	split := container.NewHSplit(left, main)
	split.Offset = 0.27
	u.win.SetContent(container.NewBorder(u.toolbar.object(), bottom, nil, nil, split))
	u.restoreView(saved)
	u.refreshAll()
}

// leftPanelWidth is the least width of the queue and settings panel: what
// its widest row needs, leaving the grid the rest of an 800 px window.
const leftPanelWidth = 300

// refreshAll recomputes what the grid shows and redraws every panel.
// It runs on the main goroutine.
func (u *UI) refreshAll() {
	q := u.query()
	u.shown = u.coll.Select(q)
	u.filters.update(u.coll.ClassCounts(q), len(u.shown), u.coll.Len())
	u.problems.update(u.coll.Problems())
	if u.coll.Len() == 0 && !u.activity.Running() {
		u.center.Objects = []fyne.CanvasObject{u.empty}
	} else {
		u.center.Objects = []fyne.CanvasObject{u.grid.object()}
		if q.GroupByFile {
			u.center.Objects = []fyne.CanvasObject{u.sheet.object()}
		}
	}
	u.center.Refresh()
	u.grid.refresh()
	if q.GroupByFile {
		u.sheet.refresh()
	}
	u.updateToolbar()
}

// classNames are the classes the search may name: the model's.
func (u *UI) classNames() []string {
	if m := u.currentModel(); m != nil {
		return m.Names
	}
	return nil
}

// query is the current view filter: the filter bar within the classes the
// settings report.
func (u *UI) query() results.Query {
	q := u.filters.query()
	q.Wanted = u.settings.classes()
	q.Order = u.grid.order()
	return q
}

func (u *UI) shownCount() int     { return len(u.shown) }
func (u *UI) shownID(pos int) int { return u.shown[pos] }

// Shown returns the item IDs the grid displays (for tests and the detail view).
func (u *UI) Shown() []int { return append([]int(nil), u.shown...) }

// Results gives access to what the runs found.
func (u *UI) Results() *results.Collection { return u.coll }

// updateToolbar enables the toolbar's buttons for the window's state.
func (u *UI) updateToolbar() {
	if u.toolbar == nil {
		return
	}
	finished, _ := u.coll.FileCounts()
	u.toolbar.update(toolbarState{
		running:   u.activity.Running(),
		canStart:  len(u.queue.paths) > 0 && u.currentModel() != nil,
		canExport: finished > 0,
	})
	u.updateMenu()
}
