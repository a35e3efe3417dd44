package app

import (
	"fmt"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/vidsift/vidsift/engine/results"
	"github.com/vidsift/vidsift/engine/scan"
)

// sheetThumbs is how many thumbnails a contact sheet row shows.
const sheetThumbs = 8

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

// tapImage is a thumbnail that opens the detail view when tapped.
type tapImage struct {
	widget.BaseWidget
	img   *canvas.Image
	onTap func()
}

func newTapImage() *tapImage {
	t := &tapImage{img: canvas.NewImageFromImage(nil)}
	t.img.FillMode = canvas.ImageFillContain
	t.img.ScaleMode = canvas.ImageScaleFastest
	t.img.SetMinSize(fyne.NewSize(160, 90))
	t.ExtendBaseWidget(t)
	return t
}

func (t *tapImage) Tapped(*fyne.PointEvent) {
	if t.onTap != nil {
		t.onTap()
	}
}

func (t *tapImage) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(t.img) }

func (s *contactSheet) newRow() fyne.CanvasObject {
	title := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.Truncation = fyne.TextTruncateEllipsis
	strip := newTimeline(true, nil)
	thumbs := container.NewHBox()
	for range sheetThumbs {
		thumbs.Add(newTapImage())
	}
	more := widget.NewLabel("")
	thumbs.Add(more)
	return container.NewVBox(title, strip, thumbs)
}

func (s *contactSheet) fill(id widget.ListItemID, o fyne.CanvasObject) {
	if id >= len(s.rows) {
		return
	}
	row := s.rows[id]
	box := o.(*fyne.Container)
	title, strip, thumbs := box.Objects[0].(*widget.Label), box.Objects[1].(*timeline), box.Objects[2].(*fyne.Container)
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
	for i := range sheetThumbs {
		t := thumbs.Objects[i].(*tapImage)
		if i >= len(row.positions) {
			t.Hide()
			continue
		}
		pos := row.positions[i]
		t.img.Image = s.grid.render(s.coll.Item(s.items.shownID(pos)))
		t.onTap = func() { s.onOpen(pos) }
		t.Show()
		t.img.Refresh()
	}
	more := thumbs.Objects[sheetThumbs].(*widget.Label)
	if n := len(row.positions) - sheetThumbs; n > 0 {
		more.SetText(fmt.Sprintf("+%d more", n))
	} else {
		more.SetText("")
	}
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
