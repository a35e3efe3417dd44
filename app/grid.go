package app

import (
	"fmt"
	"image"
	"image/draw"
	"path/filepath"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/vidsift/vidsift/engine/export"
	"github.com/vidsift/vidsift/engine/results"
	"github.com/vidsift/vidsift/engine/scan"
)

// thumbCacheSize bounds the rendered thumbnails kept (a few screens' worth).
const thumbCacheSize = 300

// gridView is the virtualized grid of frame thumbnails: only visible
// cells exist, and each rendered thumbnail is built once per filter.
type gridView struct {
	items  browsing
	coll   *results.Collection
	grid   *widget.GridWrap
	cache  map[int]image.Image
	order  []int
	filter string // the query the cache was drawn for
}

// browsing is what the grid and the detail view read of the window: the
// items the filters let through, in grid order, and the query that chose them.
type browsing interface {
	shownCount() int
	shownID(pos int) int // the collection's item ID at position pos
	query() results.Query
}

// newGridView shows items' thumbnails from coll; onOpen gets the position
// of the thumbnail a user picks.
func newGridView(items browsing, coll *results.Collection, onOpen func(pos int)) *gridView {
	g := &gridView{items: items, coll: coll, cache: map[int]image.Image{}}
	g.grid = widget.NewGridWrap(
		func() int { return items.shownCount() },
		func() fyne.CanvasObject {
			img := canvas.NewImageFromImage(nil)
			img.FillMode = canvas.ImageFillContain
			img.ScaleMode = canvas.ImageScaleFastest
			img.SetMinSize(fyne.NewSize(240, 140))
			label := widget.NewLabel("")
			label.Truncation = fyne.TextTruncateEllipsis
			return container.NewBorder(nil, label, nil, nil, img)
		},
		func(id widget.GridWrapItemID, o fyne.CanvasObject) {
			if id >= items.shownCount() {
				return
			}
			c := o.(*fyne.Container)
			item := coll.Item(items.shownID(id))
			// A run redraws the grid many times a second; re-shaping an
			// unchanged caption or re-uploading the same image is most of
			// that cost, so only what changed is touched.
			img := c.Objects[0].(*canvas.Image)
			if thumb := g.render(item); img.Image != thumb {
				img.Image = thumb
				img.Refresh()
			}
			if label, text := c.Objects[1].(*widget.Label), caption(item, items.query()); label.Text != text {
				label.SetText(text)
			}
		},
	)
	g.grid.OnSelected = func(id widget.GridWrapItemID) {
		g.grid.UnselectAll()
		onOpen(id)
	}
	return g
}

func (g *gridView) object() fyne.CanvasObject { return g.grid }

// forget drops the thumbnails drawn: the collection was reset, and its
// item IDs now name other frames.
func (g *gridView) forget() { g.cache, g.order = map[int]image.Image{}, nil }

func (g *gridView) refresh() {
	if key := fmt.Sprint(g.items.query()); key != g.filter {
		g.filter = key
		g.cache, g.order = map[int]image.Image{}, nil
	}
	g.grid.Refresh()
}

// render draws the item's boxes and lines of text that pass the filter
// onto its thumbnail.
func (g *gridView) render(item results.Item) image.Image {
	if img, ok := g.cache[item.ID]; ok {
		return img
	}
	thumb, err := g.coll.Thumbnail(item.ID)
	if err != nil {
		return nil
	}
	rgba := image.NewRGBA(thumb.Bounds())
	draw.Draw(rgba, rgba.Bounds(), thumb, thumb.Bounds().Min, draw.Src)
	if item.Width > 0 {
		q, scale := g.items.query(), float64(rgba.Bounds().Dx())/float64(item.Width)
		export.DrawDetections(rgba, scale, q.Shown(item))
		drawTextLines(rgba, scale, shownText(q, item))
	}
	if len(g.order) >= thumbCacheSize {
		delete(g.cache, g.order[0])
		g.order = g.order[1:]
	}
	g.cache[item.ID] = rgba
	g.order = append(g.order, item.ID)
	return rgba
}

// caption names the file, the time and the classes shown.
func caption(item results.Item, q results.Query) string {
	seen := map[string]bool{}
	var classes []string
	for _, d := range q.Shown(item) {
		if !seen[d.Class] {
			seen[d.Class] = true
			classes = append(classes, d.Class)
		}
	}
	sort.Strings(classes)
	what := strings.Join(classes, ", ")
	if what == "" {
		what = "—"
	}
	mark := ""
	switch {
	case item.Reused:
		mark = " (same)"
	case item.Kind == scan.GapFrame:
		mark = " (gap)"
	case item.Kind == scan.CutFrame:
		mark = " (cut)"
	}
	return fmt.Sprintf("%s · %s%s · %s", filepath.Base(item.Path), clock(item.Time), mark, what)
}

// clock writes a frame's time, to the tenth: m:ss.s.
func clock(s float64) string { return scan.Clock(s, scan.Tenths) }
