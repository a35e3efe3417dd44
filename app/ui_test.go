package app

import (
	"encoding/json"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	_ "github.com/vidsift/vidsift/app/locale" // no "Error parsing user locale C" under CI
	"github.com/vidsift/vidsift/engine/config"
	"github.com/vidsift/vidsift/engine/export"
	"github.com/vidsift/vidsift/engine/groundtruth"
	"github.com/vidsift/vidsift/engine/scan"
	"github.com/vidsift/vidsift/internal/testenv"
)

// mainLoop stands in for Fyne's main goroutine: the UI's background work
// queues functions, and the test goroutine runs them, so widgets are only
// ever touched from one goroutine (what fyne.Do guarantees in the real app).
type mainLoop struct{ fns chan func() }

func (m *mainLoop) do(fn func()) { m.fns <- fn }

// until runs queued functions until cond holds. The deadline only guards
// against a hang; no assertion depends on timing.
func (m *mainLoop) until(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(5 * time.Minute)
	for !cond() {
		select {
		case fn := <-m.fns:
			fn()
		case <-deadline:
			t.Fatalf("gave up waiting for %s", what)
		case <-time.After(10 * time.Millisecond):
		}
	}
	// Run only what was queued by now: a run keeps posting redraws, and
	// on a slow machine draining "until empty" would never end.
	for n := len(m.fns); n > 0; n-- {
		(<-m.fns)()
	}
}

// newTestUI opens the app in the environment the test set up (withModel
// or isolate) and waits for its model.
func newTestUI(t *testing.T) (*UI, *mainLoop) {
	t.Helper()
	v, err := config.New()
	if err != nil {
		t.Fatal(err)
	}
	a := test.NewTempApp(t)
	loop := &mainLoop{fns: make(chan func(), 4096)}
	u := New(a, Options{Do: loop.do, Config: v, CacheDir: t.TempDir(), ThumbMemory: 64 << 20})
	t.Cleanup(func() {
		u.Stop()
		loop.until(t, "the run to stop", func() bool { return !u.activity.Running() })
		u.coll.Close()
		if u.library != nil {
			u.library.Close()
		}
	})
	loop.until(t, "the model to load", func() bool { return u.currentModel() != nil })
	return u, loop
}

func artifact(t *testing.T, name string, w fyne.Window) {
	dir := filepath.Join(testenv.RepoRoot(), "testdata", "generated", "artifacts")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, w.Canvas().Capture()); err != nil {
		t.Fatal(err)
	}
}

func ptr[T any](v T) *T { return &v }

func drop(u *UI, paths ...string) {
	var uris []fyne.URI
	for _, p := range paths {
		uris = append(uris, storage.NewFileURI(p))
	}
	u.HandleDrop(uris)
}

// TestScanSharedMedia walks a user through the app on the shared media:
// drop, start, watch, filter, open a keyframe, export.
func TestScanSharedMedia(t *testing.T) {
	withModel(t)
	root := shared(t, "testdata")
	gt, err := groundtruth.Load(filepath.Join(root, "ground_truth.json"))
	if err != nil {
		t.Fatal(err)
	}
	keyframes := 0 // in the ground truth
	for _, e := range gt {
		if e.Keyframes != nil {
			keyframes += *e.Keyframes
		} else {
			keyframes++ // a photo is one keyframe
		}
	}
	u, loop := newTestUI(t)
	u.Window().Resize(fyne.NewSize(1280, 800))
	artifact(t, "01-empty.png", u.Window())

	if !t.Run("drop and start", func(t *testing.T) {
		media := testenv.GroundTruthMedia(t) // photos/ and videos/
		drop(u, media...)
		drop(u, append(media, media...)...) // duplicates are ignored
		if len(u.queue.paths) != len(media) {
			t.Fatalf("queue %v", u.queue.paths)
		}
		if u.toolbar.start.Disabled() {
			t.Fatal("Start is disabled with a model and a queue")
		}
		pressed := time.Now()
		test.Tap(u.toolbar.start)
		loop.until(t, "the first thumbnail", func() bool { return len(u.Shown()) > 0 })
		t.Logf("Start to first thumbnail: %v", time.Since(pressed).Round(time.Millisecond))
		artifact(t, "02-running.png", u.Window())
		loop.until(t, "the run to finish", func() bool { return !u.activity.Running() })
	}) {
		return
	}
	results := u.Results().Results(nil)
	want := u.coll.Summary().Frames // every analysed frame: the keyframes and gap frames

	t.Run("grid holds the ground truth", func(t *testing.T) {
		keys := 0
		for _, id := range u.Shown() {
			if u.coll.Item(id).Kind == scan.KeyFrame {
				keys++
			}
		}
		if got := len(u.Shown()); got != want || u.grid.cells.length() != want || keys != keyframes || want <= keyframes {
			t.Fatalf("grid shows %d (length %d) of %d frames, %d keyframes; ground truth has %d keyframes", got, u.grid.cells.length(), want, keys, keyframes)
		}
		for rel, exp := range gt {
			var found bool
			for _, r := range results {
				if r.Path == filepath.Join(root, rel) {
					found = true
					for _, why := range exp.Check(detsOf(r), strings.HasPrefix(rel, "photos/")) {
						t.Errorf("%s: %s", rel, why)
					}
				}
			}
			if !found {
				t.Errorf("%s missing", rel)
			}
		}
	})

	t.Run("filters narrow the grid exactly", func(t *testing.T) {
		count := func(keep func(class string, conf float32) bool) int {
			n := 0
			for _, r := range results {
				for _, k := range r.Frames {
					for _, d := range k.Detections {
						if keep(d.Class, d.Confidence) {
							n++
							break
						}
					}
				}
			}
			return n
		}
		// A class name in the search, in the same frame: the frames that show it.
		u.filters.same.SetChecked(true)
		u.filters.chooseClass("dog")
		dogs := count(func(c string, _ float32) bool { return c == "dog" })
		if got := len(u.Shown()); got != dogs || dogs == 0 || dogs >= want {
			t.Errorf("class dog: %d shown, want %d", got, dogs)
		}
		u.filters.conf.SetValue(0.8)
		strongDogs := count(func(c string, conf float32) bool { return c == "dog" && conf >= 0.8 })
		if got := len(u.Shown()); got != strongDogs || strongDogs >= dogs {
			t.Errorf("dog ≥ 0.8: %d shown, want %d (of %d)", got, strongDogs, dogs)
		}
		artifact(t, "03-filtered.png", u.Window())
		u.filters.chooseClass(allClasses)
		strong := count(func(_ string, conf float32) bool { return conf >= 0.8 })
		if got := len(u.Shown()); got != strong {
			t.Errorf("any class ≥ 0.8: %d shown, want %d", got, strong)
		}
		u.filters.conf.SetValue(0.25)
		u.filters.name.SetText("videos" + string(filepath.Separator))
		if got := len(u.Shown()); got != want-6 {
			t.Errorf("name filter: %d shown, want %d", got, want-6)
		}
		u.filters.name.SetText("")
	})

	t.Run("search narrows the grid to exactly the matching frames", func(t *testing.T) {
		u.filters.chooseClass(allClasses)
		for _, c := range []struct {
			expr  string
			holds func(has func(string) bool) bool
		}{
			{"dog & person", func(h func(string) bool) bool { return h("dog") && h("person") }},
			{"Car | TRUCK", func(h func(string) bool) bool { return h("car") || h("truck") }},
			{"person & !dog", func(h func(string) bool) bool { return h("person") && !h("dog") }},
			{`("traffic light" | bus) & !horse`, func(h func(string) bool) bool { return (h("traffic light") || h("bus")) && !h("horse") }},
		} {
			for _, same := range []bool{false, true} {
				u.filters.same.SetChecked(same)
				u.filters.search.SetText(c.expr)
				if !u.filters.problem.Hidden {
					t.Fatalf("%s: %s", c.expr, u.filters.problem.Text)
				}
				want := 0
				for _, r := range results {
					fileHas := map[string]bool{}
					for _, k := range r.Frames {
						for _, d := range k.Detections {
							fileHas[d.Class] = true
						}
					}
					for _, k := range r.Frames {
						frameHas := map[string]bool{}
						for _, d := range k.Detections {
							frameHas[d.Class] = true
						}
						if same && c.holds(func(cl string) bool { return frameHas[cl] }) ||
							!same && c.holds(func(cl string) bool { return fileHas[cl] }) {
							want++
						}
					}
				}
				if got := len(u.Shown()); got != want || want == 0 {
					t.Errorf("%s (same frame %v): %d shown, want %d", c.expr, same, got, want)
				}
			}
		}
		u.filters.same.SetChecked(false)
		u.filters.search.SetText("dog &")
		if u.filters.problem.Hidden || !strings.Contains(u.filters.problem.Text, "column 6") {
			t.Errorf("a half expression: problem %q", u.filters.problem.Text)
		}
		u.filters.search.SetText("dog & unicorn")
		if u.filters.problem.Hidden || !strings.Contains(u.filters.problem.Text, "unicorn") {
			t.Errorf("an unknown class: problem %q", u.filters.problem.Text)
		}
		u.filters.search.SetText("tra")
		if opts := u.filters.offered; len(opts) == 0 || !slices.Contains(opts, `"traffic light"`) || !slices.Contains(opts, "train") {
			t.Errorf("completions of tra: %v", opts)
		}
		u.filters.search.SetText("dog & pe")
		if opts := u.filters.offered; len(opts) != 1 || opts[0] != "dog & person" {
			t.Errorf("completions of dog & pe: %v", opts)
		}
		if !strings.Contains(u.filters.counts.Text, "person ") {
			t.Errorf("per-class counts: %q", u.filters.counts.Text)
		}
		u.filters.search.SetText("")
		u.filters.same.SetChecked(true)
	})

	t.Run("detail view", func(t *testing.T) {
		// It decodes the keyframe again, sharp.
		u.filters.chooseClass("person")
		defer u.filters.chooseClass(allClasses)
		u.detail.open(0)
		loop.until(t, "the sharp keyframe", func() bool {
			return u.detail.img.Image != nil && u.detail.img.Image.Bounds().Dx() > scan.ThumbSize
		})
		if !strings.Contains(u.detail.dets.Text, "person") {
			t.Errorf("detail lists %q", u.detail.dets.Text)
		}
		u.detail.win.Resize(fyne.NewSize(1280, 760))
		artifact(t, "04-detail.png", u.detail.win)
		u.detail.step(1)
		if u.detail.pos != 1 {
			t.Errorf("next: position %d", u.detail.pos)
		}
		press(u.detail.win, fyne.KeyEscape, 0)
		if u.detail.isOpen() {
			t.Error("Esc did not close the detail view")
		}
	})

	t.Run("a tap on the timeline moves the detail view", func(t *testing.T) {
		u.filters.same.SetChecked(false)
		u.filters.chooseClass(allClasses)
		pos, path := -1, ""
		for p, id := range u.Shown() {
			it := u.coll.Item(id)
			if f, _ := u.coll.File(it.Path); len(f.Items) >= 5 && it.Index == 0 {
				pos, path = p, it.Path
				break
			}
		}
		if pos < 0 {
			t.Fatal("no video with 5 analysed frames")
		}
		u.detail.open(pos)
		defer u.detail.close()
		u.detail.win.Resize(fyne.NewSize(1280, 760))
		tl := u.detail.timeline
		f, _ := u.coll.File(path)
		if len(tl.frames) != len(f.Items) || len(tl.lanes) == 0 || tl.current != 0 {
			t.Fatalf("timeline: %d ticks for %d frames, %d lanes, current %d", len(tl.frames), len(f.Items), len(tl.lanes), tl.current)
		}
		artifact(t, "05-timeline.png", u.detail.win)
		at := func(i int) {
			t.Helper()
			id, _ := u.detail.current()
			if it := u.coll.Item(id); it.Path != path || it.Time != tl.frames[i] || tl.current != i {
				t.Errorf("after the tap: %s at %.3f (marker %d), want frame %d at %.3f", it.Path, it.Time, tl.current, i, tl.frames[i])
			}
		}
		last := len(tl.frames) - 1
		test.TapAt(tl, fyne.NewPos(tl.x(tl.frames[last], tl.Size().Width), 4))
		at(last)
		// Between two frames, the nearer one.
		between := tl.frames[1]*0.7 + tl.frames[2]*0.3
		test.TapAt(tl, fyne.NewPos(tl.x(between, tl.Size().Width), 4))
		at(1)
	})

	t.Run("contact sheet", func(t *testing.T) {
		u.filters.chooseClass(allClasses)
		u.filters.group.SetChecked(true)
		defer u.filters.group.SetChecked(false)
		if u.center.Objects[0] != u.sheet.object() {
			t.Fatal("Group by video does not show the contact sheet")
		}
		files := map[string]int{}
		for _, id := range u.Shown() {
			files[u.coll.Item(id).Path]++
		}
		if len(u.sheet.rows) != len(files) || len(files) != len(gt) {
			t.Fatalf("%d rows for %d files shown (%d in the ground truth)", len(u.sheet.rows), len(files), len(gt))
		}
		for i, row := range u.sheet.rows {
			if i > 0 && row.path < u.sheet.rows[i-1].path {
				t.Errorf("rows out of order: %s after %s", row.path, u.sheet.rows[i-1].path)
			}
			if len(row.positions) != files[row.path] {
				t.Errorf("%s: %d thumbnails for %d frames shown", row.path, len(row.positions), files[row.path])
			}
			o := u.sheet.newRow()
			u.sheet.fill(i, o)
			box := o.(*fyne.Container)
			title, strip := box.Objects[0].(*widget.Label).Text, box.Objects[1].(*timeline)
			if !strings.HasPrefix(title, filepath.Base(row.path)+" · ") || len(strip.frames) != files[row.path] {
				t.Errorf("row %q: %d ticks for %d frames", title, len(strip.frames), files[row.path])
			}
			if i == 0 {
				test.Tap(box.Objects[2].(*sheetStrip).thumbs[0]) // one fits a row not laid out yet: the first frame
				if !u.detail.isOpen() || u.detail.pos != row.positions[0] {
					t.Errorf("a tap on the first thumbnail: detail open %v at %d, want %d", u.detail.isOpen(), u.detail.pos, row.positions[0])
				}
				u.detail.close()
			}
		}
		u.filters.name.SetText("videos" + string(filepath.Separator))
		defer u.filters.name.SetText("")
		artifact(t, "06-contact-sheet.png", u.Window())
	})

	dir := t.TempDir()
	t.Run("exports hold the ground truth", func(t *testing.T) {
		if err := u.ExportTo(filepath.Join(dir, "all.json"), "json", false); err != nil {
			t.Fatal(err)
		}
		if err := u.ExportTo(filepath.Join(dir, "all.csv"), "csv", false); err != nil {
			t.Fatal(err)
		}
		doc := readJSON(t, filepath.Join(dir, "all.json"))
		if doc.Schema != export.Schema || len(doc.Files) != len(gt) {
			t.Fatalf("export: schema %q, %d files", doc.Schema, len(doc.Files))
		}
		for _, f := range doc.Files {
			rel, err := filepath.Rel(root, f.Path)
			if err != nil {
				t.Fatal(err)
			}
			for _, why := range gt[rel].Check(exportedDets(f), strings.HasPrefix(rel, "photos/")) {
				t.Errorf("exported %s: %s", rel, why)
			}
		}
		if rows, err := csvRows(filepath.Join(dir, "all.csv")); err != nil || len(rows) != doc.Summary.Detections {
			t.Errorf("CSV: %d rows for %d detections (%v)", len(rows), doc.Summary.Detections, err)
		}
	})

	t.Run("exports for labelling tools", func(t *testing.T) {
		u.filters.same.SetChecked(true)
		u.filters.chooseClass("dog")
		defer u.filters.chooseClass(allClasses)
		frames, dets := 0, 0
		for _, r := range u.coll.Results(ptr(u.query())) {
			frames += len(r.Frames)
			for _, k := range r.Frames {
				dets += len(k.Detections)
			}
		}
		coco := filepath.Join(dir, "dogs.json")
		if err := u.ExportTo(coco, "coco", true); err != nil {
			t.Fatal(err)
		}
		var doc export.COCO
		raw, err := os.ReadFile(coco)
		if err != nil || json.Unmarshal(raw, &doc) != nil {
			t.Fatalf("COCO: %v", err)
		}
		if len(doc.Images) != frames || len(doc.Annotations) != dets || dets == 0 || len(doc.Categories) != 80 {
			t.Errorf("COCO: %d images, %d annotations, %d categories; %d frames and %d dog detections shown",
				len(doc.Images), len(doc.Annotations), len(doc.Categories), frames, dets)
		}
		for _, a := range doc.Annotations {
			if doc.Categories[a.CategoryID-1].Name != "dog" {
				t.Errorf("annotation %d is a %s", a.ID, doc.Categories[a.CategoryID-1].Name)
			}
		}
		for _, img := range doc.Images {
			if _, err := os.Stat(filepath.Join(dir, img.FileName)); err != nil {
				t.Errorf("image: %v", err)
			}
		}
		yolo := filepath.Join(dir, "yolo")
		if err := u.ExportTo(yolo, "yolo", true); err != nil {
			t.Fatal(err)
		}
		labels, _ := filepath.Glob(filepath.Join(yolo, "labels", "*.txt"))
		images, _ := filepath.Glob(filepath.Join(yolo, "images", "*.jpg"))
		if len(labels) != frames || len(images) != frames {
			t.Errorf("YOLO: %d labels, %d images for %d frames", len(labels), len(images), frames)
		}
		if _, err := os.Stat(filepath.Join(yolo, "data.yaml")); err != nil {
			t.Error(err)
		}
	})

	t.Run("filtered export holds only what is shown", func(t *testing.T) {
		u.filters.chooseClass("horse")
		if err := u.ExportTo(filepath.Join(dir, "horses.csv"), "csv", true); err != nil {
			t.Fatal(err)
		}
		rows, err := csvRows(filepath.Join(dir, "horses.csv"))
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if r[4] != "horse" {
				t.Errorf("filtered export has a %s", r[4])
			}
		}
		if len(rows) < 5 {
			t.Errorf("filtered export: %d rows", len(rows))
		}
	})
}

// csvRows reads an export's rows (header checked and dropped).
func csvRows(path string) ([][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return export.DecodeCSV(f)
}

// detsOf and exportedDets convert what the app holds and what it exports
// for the ground-truth checks.
func detsOf(r scan.FileResult) []groundtruth.Frame {
	return groundtruth.Frames(r.Frames, func(k scan.Frame) bool { return (k.Kind == scan.KeyFrame) }, func(k scan.Frame) []scan.Detection { return k.Detections },
		func(d scan.Detection) groundtruth.Det {
			return groundtruth.Det{Class: d.Class, Confidence: float64(d.Confidence), Box: d.Box}
		})
}

func exportedDets(f export.File) []groundtruth.Frame {
	return groundtruth.Frames(f.Frames, func(k export.Frame) bool { return k.Key }, func(k export.Frame) []export.Detection { return k.Detections },
		func(d export.Detection) groundtruth.Det {
			return groundtruth.Det{Class: d.Class, Confidence: d.Confidence, Box: d.Box}
		})
}

// TestStop queues the shared clips 20 times and presses Stop after the
// first thumbnail: the run ends with fewer files done than queued, and what
// finished stays on screen.
func TestStop(t *testing.T) {
	withModel(t)
	videos, _ := filepath.Glob(filepath.Join(shared(t, "testdata/videos"), "*"))
	tmp := t.TempDir()
	var queued []string
	for i := 0; i < 20; i++ {
		d := filepath.Join(tmp, fmt.Sprintf("copy%02d", i))
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, v := range videos {
			if err := os.Symlink(v, filepath.Join(d, filepath.Base(v))); err != nil {
				t.Fatal(err)
			}
		}
		queued = append(queued, d)
	}
	u, loop := newTestUI(t)
	drop(u, queued...)
	test.Tap(u.toolbar.start)
	loop.until(t, "the first thumbnail", func() bool { return len(u.Shown()) > 0 })
	pressed := time.Now()
	test.Tap(u.toolbar.stop)
	loop.until(t, "the run to stop", func() bool { return !u.activity.Running() })
	t.Logf("Stop to idle: %v", time.Since(pressed).Round(time.Millisecond)) // reported, not asserted
	finished, _ := u.coll.FileCounts()
	total := len(queued) * len(videos)
	if finished >= total {
		t.Errorf("%d of %d files finished despite Stop", finished, total)
	}
	if len(u.Shown()) == 0 {
		t.Error("the keyframes analysed before Stop are gone")
	}
	if !strings.HasPrefix(u.progress.label.Text, "Stopped") {
		t.Errorf("progress says %q", u.progress.label.Text)
	}
	if u.toolbar.start.Disabled() || !u.toolbar.stop.Disabled() {
		t.Error("buttons not back to idle")
	}
}

// TestNoModel: the window still opens without a model and says how to get one.
func TestNoModel(t *testing.T) {
	testenv.Isolate(t)
	v, _ := config.New()
	loop := &mainLoop{fns: make(chan func(), 64)}
	u := New(test.NewTempApp(t), Options{Do: loop.do, Config: v, CacheDir: t.TempDir()})
	loop.until(t, "the model lookup", func() bool { return strings.Contains(u.settings.modelInfo.Text, "No usable model") })
	if !strings.Contains(u.settings.modelInfo.Text, "yolo export") {
		t.Errorf("model info %q", u.settings.modelInfo.Text)
	}
	drop(u, t.TempDir())
	if !u.toolbar.start.Disabled() {
		t.Error("Start enabled without a model")
	}
}

// TestSettingsRestored: the last-used settings come back on the next start.
func TestSettingsRestored(t *testing.T) {
	withModel(t)
	u, _ := newTestUI(t)
	u.settings.conf.SetValue(0.4)
	u.settings.setClasses("dog", "person")
	u.settings.workers.SetSelected("1")
	u.saveState()
	loop := &mainLoop{fns: make(chan func(), 64)}
	u2 := New(u.app, Options{Do: loop.do, Config: u.cfg, CacheDir: t.TempDir()})
	if u2.settings.conf.Value != 0.4 || u2.settings.workerCount() != 1 || len(u2.settings.classes()) != 2 || !u2.settings.classes()["dog"] {
		t.Errorf("restored conf %.2f workers %d classes %v", u2.settings.conf.Value, u2.settings.workerCount(), u2.settings.classes())
	}
	loop.until(t, "the model to load", func() bool { return u2.currentModel() != nil })
}

// photosInLibrary scans the shared photos in an app and closes its
// library, as an app that quit leaves it; the app is returned.
func photosInLibrary(t *testing.T) *UI {
	t.Helper()
	withModel(t)
	photos := shared(t, "testdata/photos")
	u, loop := newTestUI(t)
	drop(u, photos)
	test.Tap(u.toolbar.start)
	loop.until(t, "the first run", func() bool { return u.coll.Summary().Files == 6 && !u.activity.Running() })
	u.library.Close()
	u.library = nil
	return u
}

// TestLibraryOnStart: what one session scanned is on screen when the app
// opens again, exports without scanning, and is reused by the next Start.
func TestLibraryOnStart(t *testing.T) {
	photosInLibrary(t)

	u2, loop2 := newTestUI(t)
	if got := len(u2.Shown()); got != 6 {
		t.Fatalf("the reopened app shows %d keyframes from the library, want 6", got)
	}
	if _, err := u2.coll.Thumbnail(u2.Shown()[0]); err != nil {
		t.Errorf("library thumbnail: %v", err)
	}
	if !strings.Contains(u2.progress.label.Text, "Library: 6 files") {
		t.Errorf("progress says %q", u2.progress.label.Text)
	}
	out := filepath.Join(t.TempDir(), "lib.json")
	if err := u2.ExportTo(out, "json", false); err != nil {
		t.Fatal(err)
	}
	if doc := readJSON(t, out); len(doc.Files) != 6 {
		t.Errorf("export from the library: %d files", len(doc.Files))
	}
	drop(u2, shared(t, "testdata/photos"))
	test.Tap(u2.toolbar.start)
	loop2.until(t, "the second run", func() bool { return u2.coll.Summary().Files == 6 && !u2.activity.Running() })
	if s := u2.coll.Summary(); s.Skipped != 6 || len(u2.Shown()) != 6 {
		t.Errorf("second run reused %d, shows %d", s.Skipped, len(u2.Shown()))
	}
}

// TestReadOnlyLibraryOnStart: a library on a read-only mount (where
// SQLite cannot make its -shm file) is still shown when the app opens,
// thumbnails included, and the app says new scans are not stored there.
func TestReadOnlyLibraryOnStart(t *testing.T) {
	u := photosInLibrary(t)

	testenv.ReadOnlyMount(t, filepath.Dir(config.LibraryFile(u.cfg)))
	u2, _ := newTestUI(t)
	if got := len(u2.Shown()); got != 6 {
		t.Fatalf("the app shows %d keyframes from the read-only library, want 6 (%q)", got, u2.progress.label.Text)
	}
	if _, err := u2.coll.Thumbnail(u2.Shown()[0]); err != nil {
		t.Errorf("library thumbnail: %v", err)
	}
	if text := u2.progress.label.Text; !strings.Contains(text, "read-only") || !strings.Contains(text, "not stored") || u2.library != nil {
		t.Errorf("progress says %q; library kept for scans: %v", text, u2.library != nil)
	}
	// Export → Clips checks each source against the read-only library's
	// record too (a file changed since it was scanned is skipped).
	sources := u2.clipSources(false)
	if len(sources) == 0 {
		t.Fatal("no clip sources from the read-only library's results")
	}
	for _, src := range sources {
		if !src.Known || src.Size == 0 {
			t.Errorf("%s: not checked against the library's record: %+v", src.Path, src)
		}
	}
}

func readJSON(t *testing.T, path string) export.Document {
	t.Helper()
	var doc export.Document
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestOtherModel: picking another detector (3 classes, 320×320; see
// testdata/gen) shows its classes and input size, drops picks it lacks,
// and scans with it; a model that cannot load says so and keeps the one
// that works.
func TestOtherModel(t *testing.T) {
	withModel(t)
	u, loop := newTestUI(t)
	u.settings.setClasses("person")
	u.loadModel(fixture(t, "models/cats_320.onnx"))
	loop.until(t, "the new model", func() bool { return strings.Contains(u.settings.modelInfo.Text, "3 classes, input 320×320") })
	if got := strings.Join(u.settings.checks.Options, ","); got != "cat,hat,bat" {
		t.Errorf("class choices %q", got)
	}
	if len(u.settings.classes()) != 0 {
		t.Errorf("yolov8n's pick survived: %v", u.settings.classes())
	}

	u.loadModel(fixture(t, "models/cats_wrong_names.onnx"))
	loop.until(t, "the refusal", func() bool { return strings.Contains(u.settings.modelInfo.Text, "Could not load") })
	if !strings.Contains(u.settings.modelInfo.Text, "does not fit 5 classes") || !strings.Contains(u.settings.modelInfo.Text, "Still using") ||
		u.currentModel() == nil || len(u.currentModel().Names) != 3 {
		t.Errorf("model info %q", u.settings.modelInfo.Text)
	}

	drop(u, fixture(t, "h264.mp4"))
	test.Tap(u.toolbar.start)
	loop.until(t, "the run to finish", func() bool { return !u.activity.Running() && len(u.Shown()) > 0 })
	if len(u.Shown()) != 2 {
		t.Fatalf("%d keyframes shown, want 2", len(u.Shown()))
	}
	for _, id := range u.Shown() {
		item := u.coll.Item(id)
		if len(item.Detections) != 1 || item.Detections[0].Class != "cat" {
			t.Errorf("keyframe %d: %+v", item.Index, item.Detections)
		}
	}
	if !strings.Contains(caption(u.coll.Item(u.Shown()[0]), u.query()), "cat") {
		t.Error("caption does not name the cat")
	}
}
