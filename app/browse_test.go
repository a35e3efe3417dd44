package app

import (
	"fmt"
	"image"
	_ "image/jpeg"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"golang.org/x/image/draw"

	"github.com/vidsift/vidsift/engine/config"
	"github.com/vidsift/vidsift/engine/scan"
	"github.com/vidsift/vidsift/internal/testenv"
)

// photoThumbs are the shared photos at thumbnail size, as a run sends them.
func photoThumbs(t testing.TB) []*image.RGBA {
	photos, _ := filepath.Glob(filepath.Join(shared(t, "testdata/photos"), "*.jpg"))
	var thumbs []*image.RGBA
	for _, p := range photos {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		src, _, err := image.Decode(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		sb := src.Bounds()
		th := image.NewRGBA(image.Rect(0, 0, scan.ThumbSize, scan.ThumbSize*sb.Dy()/sb.Dx()))
		draw.ApproxBiLinear.Scale(th, th.Bounds(), src, sb, draw.Src, nil)
		thumbs = append(thumbs, th)
	}
	if len(thumbs) == 0 {
		t.Fatal("no shared photos")
	}
	return thumbs
}

// browseUI opens the window on files × perFile frames of the shared
// photos, posted as a run posts them: the files' frames interleaved, the
// last files and the last frames first, so nothing arrives in the order
// a person browses it. Detections' confidences differ from frame to frame.
func browseUI(t *testing.T, files, perFile int) (*UI, *mainLoop) {
	t.Helper()
	testenv.Isolate(t)
	v, err := config.New()
	if err != nil {
		t.Fatal(err)
	}
	thumbs := photoThumbs(t)
	loop := &mainLoop{fns: make(chan func(), 4096)}
	u := New(test.NewTempApp(t), Options{Do: loop.do, Config: v, CacheDir: t.TempDir(), ThumbMemory: 64 << 20})
	t.Cleanup(func() { u.coll.Close() })
	u.Window().Resize(fyne.NewSize(1280, 800))
	for i := perFile - 1; i >= 0; i-- {
		for f := files - 1; f >= 0; f-- {
			u.coll.Add(scan.FrameAnalysed{Path: browsePath(f), Thumbnail: thumbs[(f+i)%len(thumbs)], Frame: scan.Frame{
				Index: i, Time: float64(i) * 2.5, Width: 1280, Height: 720, Kind: scan.KeyFrame,
				Detections: []scan.Detection{
					{Class: "person", ClassID: 0, Confidence: 0.3 + float32((f*7+i*3)%10)/15, Box: scan.Box{100, 100, 400, 600}},
					{Class: "dog", ClassID: 16, Confidence: 0.4, Box: scan.Box{600, 300, 900, 650}},
				},
			}})
		}
	}
	for f := range files {
		u.coll.Add(scan.FileFinished{Result: scan.FileResult{Path: browsePath(f), Status: scan.StatusOK,
			Media: scan.MediaInfo{Duration: float64(perFile) * 2.5, Width: 1280, Height: 720}}})
	}
	u.refreshAll()
	return u, loop
}

// browsePath is file f's path: long names, as cameras and downloads write them.
func browsePath(f int) string {
	return fmt.Sprintf("/footage/garden/%c_2024-06-1%d_backyard_camera_%02d_motion_event_dog_person_vp9.webm", 'a'+f, f%10, f)
}

// shot writes the window as a person sees it, for the screenshot set.
func shot(t *testing.T, name string, w fyne.Window, size fyne.Size) {
	t.Helper()
	w.Resize(size)
	artifact(t, fmt.Sprintf("grid-%s-%dx%d.png", name, int(size.Width), int(size.Height)), w)
}

var shotSizes = []fyne.Size{{Width: 800, Height: 600}, {Width: 1280, Height: 800}, {Width: 2560, Height: 1440}}

// TestContactSheetFitsWindow: Group by video lays each video's row out
// within the window's width (it used to ask for ~1,740 px, 8 thumbnails
// side by side, and push the window wider); the thumbnails fill the row,
// spread over the video, each with its time.
func TestContactSheetFitsWindow(t *testing.T) {
	u, _ := browseUI(t, 5, 12)
	u.filters.group.SetChecked(true)
	for _, size := range shotSizes {
		u.Window().Resize(size)
		if min, got := u.center.MinSize().Width, u.center.Size().Width; min > got {
			t.Errorf("at %v the contact sheet asks for %.0f px, has %.0f", size, min, got)
		}
		if min := u.Window().Content().MinSize().Width; size.Width >= 1280 && min > size.Width {
			t.Errorf("at %v the window asks for %.0f px", size, min)
		}
		shot(t, "sheet", u.Window(), size)
	}
	u.Window().Resize(fyne.NewSize(1280, 800))
	if len(u.sheet.rows) != 5 {
		t.Fatalf("%d rows for 5 videos", len(u.sheet.rows))
	}
	for i, row := range u.sheet.rows {
		o := u.sheet.newRow()
		u.sheet.fill(i, o)
		o.Resize(fyne.NewSize(900, o.MinSize().Height))
		strip := o.(*fyne.Container).Objects[2].(*sheetStrip)
		var shown []*tapImage
		for _, th := range strip.thumbs {
			if th.Visible() {
				shown = append(shown, th)
			}
		}
		if want := sheetColumns(900); len(shown) != want {
			t.Fatalf("row %d: %d thumbnails in 900 px, want %d", i, len(shown), want)
		}
		last := shown[len(shown)-1]
		if right := last.Position().X + last.Size().Width; right > 900 || right < 899 {
			t.Errorf("row %d: the thumbnails end at %.0f of 900 px", i, right)
		}
		// Spread from the first frame to the last, each with its time.
		first, end := u.coll.Item(u.Shown()[row.positions[0]]), u.coll.Item(u.Shown()[row.positions[len(row.positions)-1]])
		if shown[0].time.Text != clock(first.Time) || last.time.Text != clock(end.Time) {
			t.Errorf("row %d: thumbnails from %s to %s, want %s to %s", i, shown[0].time.Text, last.time.Text, clock(first.Time), clock(end.Time))
		}
		if i == 1 {
			test.Tap(last)
			if !u.detail.isOpen() || u.detail.pos != row.positions[len(row.positions)-1] {
				t.Errorf("a tap on the last thumbnail: detail open %v at %d", u.detail.isOpen(), u.detail.pos)
			}
			u.detail.close()
		}
	}
}

// TestGridKeepsVideosTogether: frames of one video are shown together,
// by file then time, whatever order they arrived in; the sort menu
// offers the order found and confidence.
func TestGridKeepsVideosTogether(t *testing.T) {
	u, _ := browseUI(t, 4, 6)
	type key struct {
		path string
		time float64
	}
	var got []key
	for _, id := range u.Shown() {
		it := u.coll.Item(id)
		got = append(got, key{it.Path, it.Time})
	}
	if len(got) != 24 || !slices.IsSortedFunc(got, func(a, b key) int {
		if c := strings.Compare(a.path, b.path); c != 0 {
			return c
		}
		return int(a.time*10 - b.time*10)
	}) {
		t.Errorf("the grid shows %d frames, not by file then time: %v", len(got), got)
	}
	u.grid.sortBy.SetSelected("By order found")
	if ids := u.Shown(); !sort.IntsAreSorted(ids) || len(ids) != 24 {
		t.Errorf("order found: %v", ids)
	}
	u.grid.sortBy.SetSelected("By confidence")
	best := func(id int) (b float32) {
		for _, d := range u.coll.Item(id).Detections {
			b = max(b, d.Confidence)
		}
		return b
	}
	ids := u.Shown()
	for i := 1; i < len(ids); i++ {
		if best(ids[i]) > best(ids[i-1]) {
			t.Fatalf("confidence: %.2f after %.2f", best(ids[i]), best(ids[i-1]))
		}
	}
	if len(ids) != 24 || best(ids[0]) == best(ids[len(ids)-1]) {
		t.Errorf("confidence: %d frames, from %.2f to %.2f", len(ids), best(ids[0]), best(ids[len(ids)-1]))
	}
}

// visibleCells are the grid's cells in view, by position.
func visibleCells(u *UI) []*thumbCell {
	var cells []*thumbCell
	for _, c := range u.grid.cells.visible {
		cells = append(cells, c)
	}
	sort.Slice(cells, func(i, j int) bool { return cells[i].pos < cells[j].pos })
	return cells
}

// TestGridCellsFillWidth: the cells share the grid's whole width at every
// window size, the size slider changes how many fit a row, and the
// captions show the time and the classes (the name shortened in the
// middle), the whole caption in a tooltip.
func TestGridCellsFillWidth(t *testing.T) {
	u, _ := browseUI(t, 3, 40)
	for _, size := range shotSizes {
		u.Window().Resize(size)
		g := u.grid.cells
		cells := visibleCells(u)
		cols := g.columns()
		if len(cells) < cols || cols < 1 {
			t.Fatalf("at %v: %d cells in view, %d columns", size, len(cells), cols)
		}
		right := cells[cols-1].Position().X + cells[cols-1].Size().Width
		if w := g.Size().Width; right < w-1 || right > w+1 || cells[0].Size().Width < minThumbWidth {
			t.Errorf("at %v: the first row ends at %.0f of %.0f px (cells %.0f wide)", size, right, w, cells[0].Size().Width)
		}
		if min, got := u.center.MinSize().Width, u.center.Size().Width; min > got {
			t.Errorf("at %v the grid asks for %.0f px, has %.0f", size, min, got)
		}
		for _, c := range cells {
			if !strings.Contains(c.whenText.Text, "dog, person") || !strings.HasSuffix(c.nameText.Text, ".webm") {
				t.Errorf("at %v a caption reads %q / %q", size, c.nameText.Text, c.whenText.Text)
				break
			}
			if w := fyne.MeasureText(c.nameText.Text, c.nameText.TextSize, c.nameText.TextStyle).Width; w > c.Size().Width {
				t.Errorf("at %v the name %q is %.0f px in a %.0f px cell", size, c.nameText.Text, w, c.Size().Width)
			}
		}
		shot(t, "cells", u.Window(), size)
	}
	u.Window().Resize(fyne.NewSize(1280, 800))
	cols := u.grid.cells.columns()
	u.grid.size.SetValue(maxThumbWidth)
	if bigger := u.grid.cells.columns(); bigger >= cols {
		t.Errorf("the largest thumbnails: %d columns, %d before", bigger, cols)
	}
	u.grid.size.SetValue(minThumbWidth)
	if smaller := u.grid.cells.columns(); smaller <= cols {
		t.Errorf("the smallest thumbnails: %d columns, %d before", smaller, cols)
	}
	shot(t, "cells-small", u.Window(), fyne.NewSize(1280, 800))
	u.grid.size.SetValue(defaultThumbWidth)

	// The name is shortened in the middle: its start and its end stay.
	c := visibleCells(u)[0]
	item := u.coll.Item(u.Shown()[c.pos])
	name := filepath.Base(item.Path)
	if c.nameText.Text == name || !strings.Contains(c.nameText.Text, "…") || !strings.HasPrefix(name, strings.Split(c.nameText.Text, "…")[0]) {
		t.Errorf("name %q shown as %q", name, c.nameText.Text)
	}
	// Pointing at a cell shows the whole caption.
	c.MouseIn(&desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(20, 20)}})
	if tip := u.grid.cells.tip; !tip.text.Visible() || tip.text.Text != caption(item, u.query()) {
		t.Errorf("tooltip %q (shown %v), want %q", tip.text.Text, tip.text.Visible(), caption(item, u.query()))
	}
	artifact(t, "grid-tooltip-1280x800.png", u.Window())
	c.MouseOut()
	if u.grid.cells.tip.text.Visible() {
		t.Error("the tooltip stays when the pointer leaves")
	}
}

// TestGridKeyboardAndSelection: the arrows, Home and End move a visible
// cursor, Enter opens the frame under it; Ctrl-click, Shift-click,
// Shift+arrows and Ctrl+A select; the selection's paths go to the
// clipboard.
func TestGridKeyboardAndSelection(t *testing.T) {
	u, _ := browseUI(t, 3, 40)
	g := u.grid
	u.Window().Canvas().Focus(g.cells)
	press := func(name fyne.KeyName) { g.cells.TypedKey(&fyne.KeyEvent{Name: name}) }
	at := func(want int) {
		t.Helper()
		if got := g.positionOf(g.sel.cursor); got != want {
			t.Fatalf("cursor at %d, want %d", got, want)
		}
		c := g.cells.cellAt(want)
		if c == nil || !c.current || c.cursor.Hidden {
			t.Fatalf("the cell at %d is not marked (in view %v)", want, c != nil)
		}
	}
	cols := g.cells.columns()
	press(fyne.KeyRight) // the first key puts the cursor on the first frame
	at(0)
	press(fyne.KeyRight)
	press(fyne.KeyRight)
	at(2)
	press(fyne.KeyDown)
	at(2 + cols)
	press(fyne.KeyLeft)
	at(1 + cols)
	press(fyne.KeyUp)
	at(1)
	press(fyne.KeyEnd)
	at(len(u.Shown()) - 1) // scrolled into view
	press(fyne.KeyHome)
	at(0)
	press(fyne.KeyDown)
	press(fyne.KeyReturn)
	if !u.detail.isOpen() || u.detail.pos != cols {
		t.Fatalf("Enter: detail open %v at %d, want %d", u.detail.isOpen(), u.detail.pos, cols)
	}
	u.detail.close()

	// Shift+arrows extend the selection from where it started.
	g.cells.KeyDown(&fyne.KeyEvent{Name: desktop.KeyShiftLeft})
	press(fyne.KeyRight)
	press(fyne.KeyRight)
	g.cells.KeyUp(&fyne.KeyEvent{Name: desktop.KeyShiftLeft})
	want := []int{u.Shown()[cols], u.Shown()[cols+1], u.Shown()[cols+2]}
	if got := g.selectedIDs(); !slices.Equal(got, want) {
		t.Errorf("Shift+Right twice: %v selected, want %v", got, want)
	}
	press(fyne.KeyEscape)
	if len(g.selectedIDs()) != 0 {
		t.Error("Esc left the selection")
	}

	click := func(pos int, mod fyne.KeyModifier) {
		c := g.cells.cellAt(pos)
		c.MouseDown(&desktop.MouseEvent{Modifier: mod})
		test.Tap(c)
	}
	press(fyne.KeyHome)
	click(1, fyne.KeyModifierControl)
	click(3, fyne.KeyModifierControl)
	if got := g.selectedIDs(); !slices.Equal(got, []int{u.Shown()[0], u.Shown()[1], u.Shown()[3]}) || u.detail.isOpen() {
		t.Errorf("Ctrl-clicks: %v selected, detail open %v", got, u.detail.isOpen())
	}
	click(1, fyne.KeyModifierControl)
	click(5, fyne.KeyModifierShift) // from the last clicked, 1, to 5
	if got := g.selectedIDs(); !slices.Equal(got, u.Shown()[1:6]) {
		t.Errorf("Shift-click: %v selected, want %v", got, u.Shown()[1:6])
	}
	if g.selected.Text != "5 selected" || !g.actions.Visible() {
		t.Errorf("the bar says %q (actions shown %v)", g.selected.Text, g.actions.Visible())
	}
	for _, size := range shotSizes {
		shot(t, "selection", u.Window(), size)
		if min, got := u.center.MinSize().Width, u.center.Size().Width; min > got {
			t.Errorf("at %v with a selection the grid asks for %.0f px, has %.0f", size, min, got)
		}
	}
	u.Window().Resize(fyne.NewSize(1280, 800))
	g.cells.TypedShortcut(&fyne.ShortcutCopy{})
	var paths []string
	for _, id := range u.Shown()[1:6] {
		if p := u.coll.Item(id).Path; !slices.Contains(paths, p) {
			paths = append(paths, p)
		}
	}
	if got := fyne.CurrentApp().Clipboard().Content(); got != strings.Join(paths, "\n") {
		t.Errorf("Ctrl+C copied %q, want %q", got, strings.Join(paths, "\n"))
	}
	g.cells.TypedShortcut(&fyne.ShortcutSelectAll{})
	if got := g.selectedIDs(); len(got) != len(u.Shown()) {
		t.Errorf("Ctrl+A: %d of %d selected", len(got), len(u.Shown()))
	}
	test.Tap(g.none)
	if len(g.selectedIDs()) != 0 || g.actions.Visible() {
		t.Errorf("the clear button left %d selected", len(g.selectedIDs()))
	}
	// A plain click opens the frame, as before.
	click(2, 0)
	if !u.detail.isOpen() || u.detail.pos != 2 || !slices.Equal(g.selectedIDs(), u.Shown()[2:3]) {
		t.Errorf("a click: detail open %v at %d, selected %v", u.detail.isOpen(), u.detail.pos, g.selectedIDs())
	}
	u.detail.close()
}

// TestTimelineAxis: the detail view's timeline has a time axis with round
// labels that do not crowd, lanes tall enough to click, and the frame
// shown marked with its time.
func TestTimelineAxis(t *testing.T) {
	u, _ := browseUI(t, 2, 30) // 75 s videos
	u.detail.open(7)
	defer u.detail.close()
	shotTimeline := func(size fyne.Size) { shot(t, "detail", u.detail.win, size) }
	for _, size := range shotSizes {
		shotTimeline(size)
	}
	u.detail.win.Resize(fyne.NewSize(1280, 800))
	tl := u.detail.timeline
	if tl.current < 0 {
		t.Fatal("no frame marked")
	}
	objs := test.WidgetRenderer(tl).Objects()
	var labels []*canvas.Text
	var curLabel *canvas.Text
	lane := float32(0)
	for _, o := range objs {
		switch o := o.(type) {
		case *canvas.Text:
			switch {
			case o.TextStyle.Bold:
				curLabel = o
			case o.Position().Y > float32(len(tl.lanes))*laneHeight:
				labels = append(labels, o)
			}
		case *canvas.Rectangle:
			if o.Size().Width > markerHead && o.Position().X >= labelWidth && o.Position().Y < 1 && o.Size().Height < 20 {
				lane = max(lane, o.Size().Height)
			}
		}
	}
	cur := u.coll.Item(u.Shown()[u.detail.pos])
	if curLabel == nil || curLabel.Text != clock(cur.Time) {
		t.Errorf("the frame shown (%s) is not written on the axis: %v", clock(cur.Time), curLabel)
	}
	if len(labels) < 3 {
		t.Fatalf("%d axis labels on a %.0f px timeline", len(labels), tl.Size().Width)
	}
	for i := 1; i < len(labels); i++ {
		if gap := labels[i].Position().X - labels[i-1].Position().X; gap < axisSpacing/2 || labels[i].Text <= labels[i-1].Text && len(labels[i].Text) <= len(labels[i-1].Text) {
			t.Errorf("axis labels %q then %q, %.0f px apart", labels[i-1].Text, labels[i].Text, gap)
		}
	}
	if labels[0].Text != "0:00" {
		t.Errorf("the axis starts at %q", labels[0].Text)
	}
	if lane < 12 {
		t.Errorf("lanes %.0f px tall", lane)
	}
}
