package app

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/vidsift/vidsift/engine/config"
	"github.com/vidsift/vidsift/engine/media"
	"github.com/vidsift/vidsift/engine/version"
	"github.com/vidsift/vidsift/internal/testenv"
)

const ctrlKey = fyne.KeyModifierShortcutDefault

// press sends a key to window w as Fyne's desktop driver does
// (internal/driver/glfw/window.go, processKeyPressed and
// triggersShortcut): with Ctrl, Alt or Super it is a shortcut, the main
// menu's first (disabled items too), then the focused widget's, then the
// canvas's; without, the focused widget's key, else the canvas's.
func press(w fyne.Window, key fyne.KeyName, mods fyne.KeyModifier) {
	c := w.Canvas()
	if mods&^fyne.KeyModifierShift != 0 {
		var sc fyne.Shortcut = &desktop.CustomShortcut{KeyName: key, Modifier: mods}
		if key == fyne.KeyA && mods == ctrlKey {
			sc = &fyne.ShortcutSelectAll{}
		}
		if m := w.MainMenu(); m != nil {
			for _, menu := range m.Items {
				if menuShortcut(menu.Items, sc) {
					return
				}
			}
		}
		if f, ok := c.Focused().(fyne.Shortcutable); ok {
			f.TypedShortcut(sc)
			return
		}
		c.(fyne.Shortcutable).TypedShortcut(sc)
		return
	}
	ev := &fyne.KeyEvent{Name: key}
	if f := c.Focused(); f != nil {
		f.TypedKey(ev)
	} else if h := c.OnTypedKey(); h != nil {
		h(ev)
	}
}

func menuShortcut(items []*fyne.MenuItem, sc fyne.Shortcut) bool {
	for _, it := range items {
		if it.Shortcut != nil && it.Shortcut.ShortcutName() == sc.ShortcutName() && it.Action != nil {
			it.Action()
			return true
		}
		if it.ChildMenu != nil && menuShortcut(it.ChildMenu.Items, sc) {
			return true
		}
	}
	return false
}

// menuItem finds the item at path ("File", "Export", "CSV…") of w's menu.
func menuItem(t *testing.T, w fyne.Window, path ...string) *fyne.MenuItem {
	t.Helper()
	var items []*fyne.MenuItem
	for _, m := range w.MainMenu().Items {
		if m.Label == path[0] {
			items = m.Items
		}
	}
	var found *fyne.MenuItem
	for _, label := range path[1:] {
		found = nil
		for _, it := range items {
			if it.Label == label {
				found = it
			}
		}
		if found == nil {
			t.Fatalf("no menu item %q", strings.Join(path, " → "))
		}
		if found.ChildMenu != nil {
			items = found.ChildMenu.Items
		}
	}
	return found
}

// scannedOne scans a short shared video in an app of its own.
func scannedOne(t *testing.T) (*UI, *mainLoop, string) {
	t.Helper()
	withModel(t)
	src, err := os.ReadFile(shared(t, "testdata/videos/plant_cup_realshort.mp4"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.mp4"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	u, loop := newTestUI(t)
	drop(u, dir)
	test.Tap(u.toolbar.start)
	loop.until(t, "the scan to finish", func() bool { f, _ := u.coll.FileCounts(); return f == 1 && !u.activity.Running() })
	if len(u.Shown()) == 0 {
		t.Fatal("nothing shown after the scan")
	}
	return u, loop, dir
}

// TestDialogsTakeTheKeys (#28 defect 3): while a dialog is shown the
// window's keys do nothing and Esc closes the dialog only — Enter on
// "Exported" starts no scan, Esc on Add folder does not stop watching,
// Esc on a dialog over the detail view leaves the view open.
func TestDialogsTakeTheKeys(t *testing.T) {
	u, loop, dir := scannedOne(t)
	w := u.Window()
	w.Resize(fyne.NewSize(1280, 800))

	t.Run("Enter and Space on Exported start nothing", func(t *testing.T) {
		u.exportAndSay(filepath.Join(t.TempDir(), "found.csv"), "csv")
		if !dialogShown(w.Canvas()) {
			t.Fatal("no Exported dialog")
		}
		for _, k := range []fyne.KeyName{fyne.KeyReturn, fyne.KeyEnter, fyne.KeySpace} {
			press(w, k, 0)
			if u.activity.Running() {
				t.Fatalf("%s on the Exported dialog started a scan", k)
			}
		}
		press(w, fyne.KeyReturn, ctrlKey) // Ctrl+Enter too: the dialog has the keys
		press(w, fyne.KeyO, ctrlKey)
		if u.activity.Running() || len(w.Canvas().Overlays().List()) != 1 {
			t.Fatalf("shortcuts acted behind the dialog: running %v, %d dialogs", u.activity.Running(), len(w.Canvas().Overlays().List()))
		}
		press(w, fyne.KeyEscape, 0)
		if dialogShown(w.Canvas()) {
			t.Error("Esc did not close the Exported dialog")
		}
	})

	t.Run("Esc on Add folder keeps watching", func(t *testing.T) {
		test.Tap(u.queue.watch)
		defer test.Tap(u.queue.watch)
		test.Tap(u.toolbar.start)
		if !u.activity.Running() {
			t.Fatal("watching did not start")
		}
		press(w, fyne.KeyO, ctrlKey)
		if !dialogShown(w.Canvas()) {
			t.Fatal("Ctrl+O showed no folder dialog")
		}
		press(w, fyne.KeyEscape, 0)
		if dialogShown(w.Canvas()) {
			t.Error("Esc did not close Add folder")
			dismissTop(w.Canvas())
		}
		// Nor does Esc with no dialog stop it: a file copied in is still
		// found. Ctrl+. stops it.
		press(w, fyne.KeyEscape, 0)
		src, err := os.ReadFile(shared(t, "testdata/videos/one_by_one_person_h264.mkv"))
		if err != nil {
			t.Fatal(err)
		}
		b := filepath.Join(dir, "b.mkv")
		if err := os.WriteFile(b, src, 0o644); err != nil {
			t.Fatal(err)
		}
		loop.until(t, "the copied file's frames (or the end of watching)", func() bool {
			_, found := u.coll.File(b)
			return found || !u.activity.Running()
		})
		if _, found := u.coll.File(b); !found {
			t.Fatal("watching stopped after Esc: the file copied in was not scanned")
		}
		press(w, fyne.KeyPeriod, ctrlKey)
		loop.until(t, "Ctrl+. to stop watching", func() bool { return !u.activity.Running() })
	})

	t.Run("Esc on a dialog over the detail view closes the dialog only", func(t *testing.T) {
		u.detail.open(0)
		defer u.detail.close()
		dw := u.detail.win
		dialog.ShowInformation("Clip saved", "a.mp4 0:00–0:02", dw)
		press(dw, fyne.KeyRight, 0) // the dialog has the keys
		if u.detail.pos != 0 {
			t.Errorf("→ behind the dialog moved the view to %d", u.detail.pos)
		}
		press(dw, fyne.KeyEscape, 0)
		if !u.detail.isOpen() || dialogShown(dw.Canvas()) {
			t.Fatalf("after Esc: detail open %v, dialog shown %v", u.detail.isOpen(), dialogShown(dw.Canvas()))
		}
		press(dw, fyne.KeyEscape, 0)
		if u.detail.isOpen() {
			t.Error("Esc with no dialog did not close the detail view")
		}
	})
}

// TestDismissEachDialog: Esc closes each kind of dialog the app shows as
// its dismiss button does, so its callback hears "cancelled".
func TestDismissEachDialog(t *testing.T) {
	test.NewTempApp(t)
	w := test.NewTempWindow(t, widget.NewLabel("behind"))
	w.Resize(fyne.NewSize(1280, 800))
	w.Canvas().SetOnTypedKey(func(k *fyne.KeyEvent) { modalKey(w.Canvas(), k) }) // as the app's windows
	var said []string
	for _, tc := range []struct {
		name string
		show func()
	}{
		{"information", func() {
			d := dialog.NewInformation("Exported", "Saved x", w)
			d.SetOnClosed(func() { said = append(said, "information") })
			d.Show()
		}},
		{"error", func() {
			d := dialog.NewError(fmt.Errorf("no"), w)
			d.SetOnClosed(func() { said = append(said, "error") })
			d.Show()
		}},
		{"confirm", func() {
			dialog.ShowConfirm("Forget?", "x", func(ok bool) { said = append(said, fmt.Sprintf("confirm %v", ok)) }, w)
		}},
		{"custom with Stop", func() {
			d := dialog.NewCustom("Export clips", "Stop", widget.NewProgressBar(), w)
			d.SetOnClosed(func() { said = append(said, "custom with Stop") })
			d.Show()
		}},
		{"folder", func() {
			dialog.ShowFolderOpen(func(l fyne.ListableURI, err error) { said = append(said, fmt.Sprintf("folder %v", l)) }, w)
		}},
		{"file open", func() {
			dialog.ShowFileOpen(func(r fyne.URIReadCloser, err error) { said = append(said, fmt.Sprintf("file open %v", r)) }, w)
		}},
	} {
		said = nil
		tc.show()
		if !dialogShown(w.Canvas()) {
			t.Fatalf("%s: not shown", tc.name)
		}
		press(w, fyne.KeyEscape, 0)
		if dialogShown(w.Canvas()) {
			t.Errorf("%s: still shown after Esc", tc.name)
		}
		want := map[string]string{"confirm": "confirm false", "folder": "folder <nil>", "file open": "file open <nil>"}[tc.name]
		if want == "" {
			want = tc.name
		}
		if len(said) != 1 || said[0] != want {
			t.Errorf("%s: callbacks heard %q, want %q", tc.name, said, want)
		}
	}
}

// TestStartSearchStopKeys (#28 item 2): Enter and Space start nothing,
// Ctrl+Enter starts (the search focused too), Ctrl+F focuses the search,
// Esc there clears it and then leaves it, Ctrl+. stops.
func TestStartSearchStopKeys(t *testing.T) {
	withModel(t)
	u, loop := newTestUI(t)
	w := u.Window()
	drop(u, shared(t, "testdata/videos"))
	for _, k := range []fyne.KeyName{fyne.KeyReturn, fyne.KeyEnter, fyne.KeySpace} {
		press(w, k, 0)
		if u.activity.Running() {
			t.Fatalf("%s started a scan", k)
		}
	}

	press(w, fyne.KeyF, ctrlKey)
	if w.Canvas().Focused() != u.filters.search {
		t.Fatalf("Ctrl+F focused %v, not the search", w.Canvas().Focused())
	}
	for _, r := range "person" { // as the driver types: into the focused widget
		w.Canvas().Focused().TypedRune(r)
	}
	press(w, fyne.KeyReturn, 0)
	if u.activity.Running() || u.filters.search.Text != "person" {
		t.Fatalf("Enter in the search: running %v, search %q", u.activity.Running(), u.filters.search.Text)
	}
	press(w, fyne.KeyA, ctrlKey) // Edit → Select all: the search's text
	if got := u.filters.search.SelectedText(); got != "person" {
		t.Errorf("Ctrl+A in the search selected %q", got)
	}
	press(w, fyne.KeyEscape, 0)
	if u.filters.search.Text != "" || w.Canvas().Focused() != u.filters.search {
		t.Fatalf("Esc in the search: %q, focused %v", u.filters.search.Text, w.Canvas().Focused())
	}
	press(w, fyne.KeyEscape, 0)
	if w.Canvas().Focused() != nil {
		t.Fatal("a second Esc did not leave the search")
	}

	press(w, fyne.KeyF, ctrlKey)
	press(w, fyne.KeyReturn, ctrlKey) // from the search, as from anywhere
	if !u.activity.Running() {
		t.Fatal("Ctrl+Enter did not start the scan")
	}
	press(w, fyne.KeyEscape, 0)
	press(w, fyne.KeyEscape, 0)
	if !u.activity.Running() {
		t.Fatal("Esc stopped the scan: only Ctrl+. or Stop does")
	}
	press(w, fyne.KeyPeriod, ctrlKey)
	loop.until(t, "Ctrl+. to stop the scan", func() bool { return !u.activity.Running() })
	if !strings.HasPrefix(u.progress.label.Text, "Stopped") {
		t.Errorf("after Ctrl+.: %q", u.progress.label.Text)
	}
}

// TestMenu (#28 item 3): the main menu's items exist, carry the
// shortcuts, act, and are listed in Help → Keyboard shortcuts and in
// docs/app.md; About names the versions `vidsift version` prints and
// the model loaded.
func TestMenu(t *testing.T) {
	withModel(t)
	u, loop := newTestUI(t)
	w := u.Window()
	w.Resize(fyne.NewSize(1280, 800))
	if w.MainMenu() == nil {
		t.Fatal("no main menu")
	}
	shortcuts := map[string]string{
		"File/Add folder…": "Ctrl+O", "File/Add files…": "Ctrl+Shift+O", "File/Start scan": "Ctrl+Enter",
		"File/Stop scan": "Ctrl+.", "File/Export/CSV…": "Ctrl+E", "File/Quit": "Ctrl+Q",
		"Edit/Find": "Ctrl+F", "Edit/Select all": "Ctrl+A",
		"View/Group by video": "", "View/Same frame": "",
		"File/Export/JSON…": "", "File/Export/COCO…": "", "File/Export/YOLO…": "", "File/Export/Clips…": "",
		"Help/Keyboard shortcuts": "", "Help/About vidsift": "",
	}
	for path, keys := range shortcuts {
		it := menuItem(t, w, strings.Split(path, "/")...)
		got := ""
		if it.Shortcut != nil {
			got = shortcutText(it.Shortcut)
		}
		if got != keys {
			t.Errorf("%s: shortcut %q, want %q", path, got, keys)
		}
	}
	if quit := menuItem(t, w, "File", "Quit"); !quit.IsQuit || w.MainMenu().Items[0].Items[len(w.MainMenu().Items[0].Items)-1] != quit {
		t.Error("Quit is not File's last item marked IsQuit (the driver would add another)")
	}

	t.Run("items act", func(t *testing.T) {
		for _, path := range [][]string{{"File", "Add folder…"}, {"File", "Add files…"}} {
			menuItem(t, w, path...).Action()
			if !dialogShown(w.Canvas()) {
				t.Errorf("%s showed no dialog", strings.Join(path, " → "))
			}
			press(w, fyne.KeyEscape, 0)
		}
		for _, sw := range []struct {
			item  string
			check *widget.Check
		}{{"Group by video", u.filters.group}, {"Same frame", u.filters.same}} {
			before := sw.check.Checked
			menuItem(t, w, "View", sw.item).Action()
			if sw.check.Checked == before || menuItem(t, w, "View", sw.item).Checked != sw.check.Checked {
				t.Errorf("View → %s: switch %v → %v, menu ticked %v", sw.item, before, sw.check.Checked, menuItem(t, w, "View", sw.item).Checked)
			}
			sw.check.SetChecked(before) // the panel's switch ticks the menu too
			if menuItem(t, w, "View", sw.item).Checked != before {
				t.Errorf("View → %s not ticked as the panel's switch", sw.item)
			}
		}
		// Nothing scanned, nothing queued: the items are greyed and do nothing.
		if !menuItem(t, w, "File", "Start scan").Disabled || !menuItem(t, w, "File", "Export").Disabled {
			t.Error("Start scan or Export enabled with nothing to do")
		}
		press(w, fyne.KeyE, ctrlKey)
		if dialogShown(w.Canvas()) {
			t.Error("Ctrl+E offered an export with nothing scanned")
		}
		drop(u, shared(t, "testdata/photos"))
		if menuItem(t, w, "File", "Start scan").Disabled {
			t.Error("Start scan greyed with a queue and a model")
		}
		menuItem(t, w, "File", "Start scan").Action()
		loop.until(t, "the photos", func() bool { return !u.activity.Running() && u.coll.Summary().Files > 0 })
		if menuItem(t, w, "File", "Export").Disabled {
			t.Error("Export greyed with results")
		}
		press(w, fyne.KeyE, ctrlKey)
		if !dialogShown(w.Canvas()) {
			t.Error("Ctrl+E showed no export dialog")
		}
		// Its file name has the keys, and Fyne's field keeps Esc: Cancel.
		dismissTop(w.Canvas())
		if dialogShown(w.Canvas()) {
			t.Error("the export dialog stays after Cancel")
		}
	})

	t.Run("keyboard shortcuts listed", func(t *testing.T) {
		docs, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "docs", "app.md"))
		if err != nil {
			t.Fatal(err)
		}
		menuItem(t, w, "Help", "Keyboard shortcuts").Action()
		if !dialogShown(w.Canvas()) {
			t.Fatal("Help → Keyboard shortcuts showed nothing")
		}
		listed := map[string]bool{}
		for _, o := range test.LaidOutObjects(w.Canvas().Overlays().Top()) {
			if l, ok := o.(*widget.Label); ok {
				listed[l.Text] = true
			}
		}
		for path, keys := range shortcuts {
			if keys == "" {
				continue
			}
			label := strings.ReplaceAll(path, "/", " → ")
			if !listed[keys] || !listed[label] {
				t.Errorf("Help → Keyboard shortcuts lacks %s (%s)", keys, label)
			}
			if !strings.Contains(string(docs), "**"+keys+"**") {
				t.Errorf("docs/app.md does not list %s (%s)", keys, label)
			}
		}
		for _, k := range otherKeys {
			if !listed[k[0]] || !listed[k[1]] {
				t.Errorf("Help → Keyboard shortcuts lacks %s", k[0])
			}
		}
		for _, size := range []fyne.Size{{Width: 800, Height: 600}, {Width: 1280, Height: 800}, {Width: 2560, Height: 1440}} {
			w.Resize(size)
			artifact(t, fmt.Sprintf("keys-shortcuts-%.0fx%.0f.png", size.Width, size.Height), w)
		}
		w.Resize(fyne.NewSize(1280, 800))
		press(w, fyne.KeyEscape, 0)
	})

	t.Run("about", func(t *testing.T) {
		lines := u.aboutLines()
		want := []string{"vidsift " + version.Version(), "FFmpeg " + media.Versions(), "ONNX Runtime ", "Model " + u.currentModel().Path}
		if len(lines) != len(want) {
			t.Fatalf("About says %q", lines)
		}
		if strings.Contains(lines[2], "not found") {
			t.Errorf("About: %q, though the model runs", lines[2])
		}
		for i, prefix := range want {
			if !strings.HasPrefix(lines[i], prefix) {
				t.Errorf("About line %d: %q, want it to start %q", i, lines[i], prefix)
			}
		}
		menuItem(t, w, "Help", "About vidsift").Action()
		if !dialogShown(w.Canvas()) {
			t.Fatal("Help → About showed nothing")
		}
		for _, size := range []fyne.Size{{Width: 800, Height: 600}, {Width: 1280, Height: 800}, {Width: 2560, Height: 1440}} {
			w.Resize(size)
			artifact(t, fmt.Sprintf("keys-about-%.0fx%.0f.png", size.Width, size.Height), w)
		}
		press(w, fyne.KeyEscape, 0)
	})

	// The menus as the driver draws them (the test window draws no menu bar).
	for _, m := range w.MainMenu().Items {
		mw := test.NewTempWindow(t, widget.NewMenu(m))
		mw.Resize(widget.NewMenu(m).MinSize().AddWidthHeight(8, 8))
		artifact(t, "keys-menu-"+strings.ToLower(m.Label)+".png", mw)
	}
}

// quitRecorder stands in for the driver's Quit, which the test driver
// ignores.
type quitRecorder struct {
	fyne.App
	quits *int
}

func (a quitRecorder) Driver() fyne.Driver { return quitDriver{a.App.Driver(), a.quits} }

type quitDriver struct {
	fyne.Driver
	quits *int
}

func (d quitDriver) Quit() { *d.quits++ }

// TestWindowRestored (#28 item 4): Ctrl+Q quits, and the next start opens
// at the window's size with its search and grouping; a state file from
// before them still reads.
func TestWindowRestored(t *testing.T) {
	withModel(t)
	v, err := config.New()
	if err != nil {
		t.Fatal(err)
	}
	quits := 0
	loop := &mainLoop{fns: make(chan func(), 4096)}
	u := New(quitRecorder{test.NewTempApp(t), &quits}, Options{Do: loop.do, Config: v, CacheDir: t.TempDir()})
	loop.until(t, "the model to load", func() bool { return u.currentModel() != nil })
	u.Window().Resize(fyne.NewSize(1000, 700))
	u.filters.search.SetText("dog & person")
	u.filters.group.SetChecked(true)
	press(u.Window(), fyne.KeyQ, ctrlKey)
	if quits != 1 {
		t.Fatalf("Ctrl+Q: the driver was asked to quit %d times", quits)
	}
	u.Shutdown() // as the real app does once the event loop has ended
	u.coll.Close()

	again, _ := newTestUI(t) // the search is typed in as the model is loaded
	if got := again.Window().Canvas().Size(); got != fyne.NewSize(1000, 700) {
		t.Errorf("reopened at %v, want 1000×700", got)
	}
	if again.filters.search.Text != "dog & person" || again.filters.expr == nil || again.filters.problem.Visible() {
		t.Errorf("search %q applied %v, problem %q", again.filters.search.Text, again.filters.expr, again.filters.problem.Text)
	}
	if !again.filters.group.Checked || !again.query().GroupByFile {
		t.Error("not grouped by video again")
	}
	again.Shutdown()

	// A file without the window's fields: the default size, no search.
	path := statePath()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var fields map[string]any
	if err := json.Unmarshal(raw, &fields); err != nil {
		t.Fatal(err)
	}
	delete(fields, "window")
	delete(fields, "search")
	delete(fields, "group_by_video")
	fields["settings"].(map[string]any)["workers"] = 1
	raw, _ = json.Marshal(fields)
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	old, _ := newTestUI(t)
	if got := old.Window().Canvas().Size(); got != fyne.NewSize(1280, 800) || old.filters.search.Text != "" || old.filters.group.Checked {
		t.Errorf("from an older file: %v, search %q, grouped %v", got, old.filters.search.Text, old.filters.group.Checked)
	}
	if old.settings.workerCount() != 1 {
		t.Errorf("the older file's settings: workers %d", old.settings.workerCount())
	}
}
