package app

import (
	"fmt"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/vidsift/vidsift/engine/results"
	"github.com/vidsift/vidsift/engine/scan"
)

// contactSheet is "Group by video": one row per video with its name,
// duration and timeline strip, then its thumbnails. Rows are virtualized
// like the grid; a tap on a thumbnail, or on the strip, opens the detail
// view there.
type contactSheet struct {
	items  browsing
	coll   *results.Collection
	grid   *gridView // draws the thumbnails, with its cache
	onOpen func(pos int)
	list   *widget.List
	rows   []sheetRow
}

// sheetRow is one video: the grid positions of its frames shown.
type sheetRow struct {
	path      string
	positions []int
}

func newContactSheet(items browsing, coll *results.Collection, grid *gridView, onOpen func(pos int)) *contactSheet {
	s := &contactSheet{items: items, coll: coll, grid: grid, onOpen: onOpen}
	s.list = widget.NewList(
		func() int { return len(s.rows) },
		s.newRow,
		func(id widget.ListItemID, o fyne.CanvasObject) { s.fill(id, o) },
	)
	return s
}

func (s *contactSheet) object() fyne.CanvasObject { return s.list }

// refresh groups what is shown by video (the query orders it by file).
func (s *contactSheet) refresh() {
	s.rows = s.rows[:0]
	for pos := 0; pos < s.items.shownCount(); pos++ {
		path := s.coll.Item(s.items.shownID(pos)).Path
		if n := len(s.rows); n == 0 || s.rows[n-1].path != path {
			s.rows = append(s.rows, sheetRow{path: path})
		}
		s.rows[len(s.rows)-1].positions = append(s.rows[len(s.rows)-1].positions, pos)
	}
	s.list.Refresh()
}

// Contact sheet thumbnails: at least this wide, 16:9, their time below.
const (
	sheetThumbWidth  = 160
	sheetThumbHeight = 90
)

// tapImage is a thumbnail with its time below that opens the detail view
// when tapped.
type tapImage struct {
	widget.BaseWidget
	img   *canvas.Image
	time  *canvas.Text
	onTap func()
}

func newTapImage() *tapImage {
	t := &tapImage{img: canvas.NewImageFromImage(nil), time: canvas.NewText("", theme.Color(theme.ColorNameForeground))}
	t.img.FillMode = canvas.ImageFillContain
	t.img.ScaleMode = canvas.ImageScaleFastest
	t.time.TextSize = theme.CaptionTextSize()
	t.time.Alignment = fyne.TextAlignCenter
	t.ExtendBaseWidget(t)
	return t
}

func (t *tapImage) Tapped(*fyne.PointEvent) {
	if t.onTap != nil {
		t.onTap()
	}
}

func (t *tapImage) CreateRenderer() fyne.WidgetRenderer { return &tapImageRenderer{t: t} }

type tapImageRenderer struct{ t *tapImage }

func (r *tapImageRenderer) Layout(size fyne.Size) {
	line := r.t.time.MinSize().Height
	r.t.img.Resize(fyne.NewSize(size.Width, size.Height-line))
	r.t.time.Move(fyne.NewPos(0, size.Height-line))
	r.t.time.Resize(fyne.NewSize(size.Width, line))
}

func (r *tapImageRenderer) MinSize() fyne.Size {
	return fyne.NewSize(sheetThumbWidth, sheetThumbHeight+r.t.time.MinSize().Height)
}

func (r *tapImageRenderer) Refresh() {
	r.t.time.Color = theme.Color(theme.ColorNameForeground)
	r.t.img.Refresh()
	r.t.time.Refresh()
}

func (r *tapImageRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.t.img, r.t.time}
}
func (r *tapImageRenderer) Destroy() {}

// sheetStrip is a contact sheet row's thumbnails: as many as fit its
// width, each widened to share it, picked evenly from the first frame
// shown to the last. It is never wider than one thumbnail needs, so a
// row never widens the window.
type sheetStrip struct {
	widget.BaseWidget
	sheet  *contactSheet
	row    sheetRow
	thumbs []*tapImage // made as the width needs them
}

func newSheetStrip(s *contactSheet) *sheetStrip {
	st := &sheetStrip{sheet: s}
	st.ExtendBaseWidget(st)
	return st
}

// show puts a row on the strip.
func (st *sheetStrip) show(row sheetRow) {
	st.row = row
	st.Refresh()
}

// picks are the positions of the row's frames the strip shows, at cols
// columns.
func (st *sheetStrip) picks(cols int) []int {
	n := len(st.row.positions)
	k := min(cols, n)
	out := make([]int, k)
	for i := range k {
		j := 0
		if k > 1 {
			j = i * (n - 1) / (k - 1)
		}
		out[i] = st.row.positions[j]
	}
	return out
}

// columns is how many thumbnails fit w.
func sheetColumns(w float32) int {
	pad := theme.Padding()
	return max(1, int((w+pad)/(sheetThumbWidth+pad)))
}

func (st *sheetStrip) CreateRenderer() fyne.WidgetRenderer { return &sheetStripRenderer{st: st} }

type sheetStripRenderer struct {
	st      *sheetStrip
	objects []fyne.CanvasObject
}

func (r *sheetStripRenderer) Layout(size fyne.Size) {
	st, s := r.st, r.st.sheet
	pad := theme.Padding()
	cols := sheetColumns(size.Width)
	cw := (size.Width - float32(cols-1)*pad) / float32(cols)
	picks := st.picks(cols)
	for len(st.thumbs) < len(picks) {
		st.thumbs = append(st.thumbs, newTapImage())
	}
	r.objects = r.objects[:0]
	for i, t := range st.thumbs {
		if i >= len(picks) || picks[i] >= s.items.shownCount() { // (a row not filled again yet)
			t.Hide()
			continue
		}
		pos := picks[i]
		item := s.coll.Item(s.items.shownID(pos))
		if img := s.grid.render(item); t.img.Image != img {
			t.img.Image = img
			t.img.Refresh()
		}
		if text := clock(item.Time); t.time.Text != text {
			t.time.Text = text
			t.time.Refresh()
		}
		t.onTap = func() { s.onOpen(pos) }
		t.Move(fyne.NewPos(float32(i)*(cw+pad), 0))
		t.Resize(fyne.NewSize(cw, size.Height))
		t.Show()
		r.objects = append(r.objects, t)
	}
}

func (r *sheetStripRenderer) MinSize() fyne.Size {
	line := fyne.MeasureText("0:00.0", theme.CaptionTextSize(), fyne.TextStyle{}).Height
	return fyne.NewSize(sheetThumbWidth, sheetThumbHeight+line)
}

func (r *sheetStripRenderer) Refresh() { r.Layout(r.st.Size()) }

func (r *sheetStripRenderer) Objects() []fyne.CanvasObject { return r.objects }
func (r *sheetStripRenderer) Destroy()                     {}

func (s *contactSheet) newRow() fyne.CanvasObject {
	title := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.Truncation = fyne.TextTruncateEllipsis
	strip := newTimeline(true, nil)
	return container.NewVBox(title, strip, newSheetStrip(s))
}

func (s *contactSheet) fill(id widget.ListItemID, o fyne.CanvasObject) {
	if id >= len(s.rows) {
		return
	}
	row := s.rows[id]
	box := o.(*fyne.Container)
	title, strip, thumbs := box.Objects[0].(*widget.Label), box.Objects[1].(*timeline), box.Objects[2].(*sheetStrip)
	v := framesOf(s.coll, row.path, s.items.query())
	length := "photo"
	strip.Hide() // a photo is one moment
	if f, ok := s.coll.File(row.path); ok && !f.Media.Still {
		length = scan.Clock(v.duration, scan.Seconds)
		strip.Show()
	}
	title.SetText(fmt.Sprintf("%s · %s · %d of %d frames shown", filepath.Base(row.path), length, len(row.positions), len(v.times)))
	strip.onPick = func(i int) { s.openNearest(row, v.times[i]) }
	strip.show(v, -1)
	thumbs.show(row)
}

// openNearest opens the row's shown frame nearest to time at.
func (s *contactSheet) openNearest(row sheetRow, at float64) {
	best, dist := -1, 0.0
	for _, pos := range row.positions {
		d := s.coll.Item(s.items.shownID(pos)).Time - at
		if d < 0 {
			d = -d
		}
		if best < 0 || d < dist {
			best, dist = pos, d
		}
	}
	if best >= 0 {
		s.onOpen(best)
	}
}
