package app

import (
	"fmt"
	"image"
	"image/draw"
	"path/filepath"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/vidsift/vidsift/engine/export"
	"github.com/vidsift/vidsift/engine/results"
	"github.com/vidsift/vidsift/engine/scan"
)

// thumbCacheSize bounds the rendered thumbnails kept (a few screens' worth).
const thumbCacheSize = 300

// Thumbnail sizes the size slider offers: the width a cell is asked to
// have; cells then grow to fill the row.
const (
	minThumbWidth     = 120
	defaultThumbWidth = 240
	maxThumbWidth     = 480
)

// sortChoices are the grid's orders, as the sort menu words them.
var sortChoices = []struct {
	label string
	order results.Order
}{
	{"By file", results.ByFile}, // then time
	{"By order found", results.ByArrival},
	{"By confidence", results.ByConfidence},
}

// gridView is the virtualized grid of frame thumbnails: only visible
// cells exist, and each rendered thumbnail is built once per filter.
// Above it a bar sorts it, sizes its thumbnails and acts on the frames
// selected.
type gridView struct {
	items  browsing
	coll   *results.Collection
	cells  *thumbGrid
	cache  map[int]image.Image
	drawn  []int  // the cache's item IDs, oldest first
	filter string // the query the cache was drawn for
	onOpen func(pos int)

	sel      selection
	sortBy   *widget.Select
	size     *widget.Slider
	selected *widget.Label
	copy     *widget.Button
	none     *widget.Button
	actions  *fyne.Container // what can be done with the selection, shown with one
	box      *fyne.Container
}

// browsing is what the grid and the detail view read of the window: the
// items the filters let through, in grid order, and the query that chose them.
type browsing interface {
	shownCount() int
	shownID(pos int) int // the collection's item ID at position pos
	query() results.Query
}

// newGridView shows items' thumbnails from coll; onOpen gets the position
// of the thumbnail a user opens, onSort hears that the order changed.
func newGridView(items browsing, coll *results.Collection, onOpen func(pos int), onSort func()) *gridView {
	g := &gridView{items: items, coll: coll, cache: map[int]image.Image{}, onOpen: onOpen, sel: newSelection()}
	g.cells = newThumbGrid(items.shownCount, g.fill)
	g.cells.tapped = g.tap
	g.cells.keyed = g.key
	g.cells.shortcut = g.shortcut
	labels := make([]string, len(sortChoices))
	for i, c := range sortChoices {
		labels[i] = c.label
	}
	g.sortBy = widget.NewSelect(labels, nil)
	g.sortBy.SetSelectedIndex(0)
	g.sortBy.OnChanged = func(string) {
		if onSort != nil {
			onSort()
		}
	}
	g.size = widget.NewSlider(minThumbWidth, maxThumbWidth)
	g.size.Step = 20
	g.size.SetValue(defaultThumbWidth)
	g.size.OnChanged = func(v float64) { g.cells.setTarget(float32(v)) }
	g.selected = widget.NewLabel("")
	g.copy = widget.NewButtonWithIcon("Copy", theme.ContentCopyIcon(), g.copyPaths) // the paths; short for an 800 px window
	g.none = widget.NewButtonWithIcon("", theme.ContentClearIcon(), func() { g.sel.clear(); g.selectionChanged() })
	g.actions = container.NewHBox(g.selected, g.copy, g.none)
	size := container.NewBorder(nil, nil, widget.NewLabel("Size"), nil, g.size)
	// Narrow enough for an 800 px window with a selection.
	g.box = container.NewBorder(
		container.NewBorder(nil, nil, g.sortBy, g.actions, size),
		nil, nil, nil, g.cells)
	g.selectionChanged()
	return g
}

func (g *gridView) object() fyne.CanvasObject { return g.box }

// order is the order the sort menu asks for.
func (g *gridView) order() results.Order {
	if g == nil { // the window is being built
		return results.ByFile
	}
	if i := g.sortBy.SelectedIndex(); i >= 0 {
		return sortChoices[i].order
	}
	return results.ByFile
}

// fill shows the frame at pos in a cell: its thumbnail, its caption and
// whether it is selected or the cursor.
func (g *gridView) fill(pos int, c *thumbCell) {
	if pos >= g.items.shownCount() {
		return
	}
	item := g.coll.Item(g.items.shownID(pos))
	// A run redraws the grid many times a second; re-shaping an
	// unchanged caption or re-uploading the same image is most of that
	// cost, so the cell only touches what changed.
	name, when := captionLines(item, g.items.query())
	c.show(g.render(item), name, when, g.sel.ids[item.ID], g.sel.cursor == item.ID)
}

// forget drops the thumbnails drawn: the collection was reset, and its
// item IDs now name other frames.
func (g *gridView) forget() {
	g.cache, g.drawn = map[int]image.Image{}, nil
	g.sel = newSelection()
	// The cells are filled again at the next refresh: what is shown now
	// still names the old items.
	g.selected.SetText("")
	g.actions.Hide()
}

func (g *gridView) refresh() {
	if key := fmt.Sprint(g.items.query()); key != g.filter {
		g.filter = key
		g.cache, g.drawn = map[int]image.Image{}, nil
	}
	g.cells.Refresh()
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
	if len(g.drawn) >= thumbCacheSize {
		delete(g.cache, g.drawn[0])
		g.drawn = g.drawn[1:]
	}
	g.cache[item.ID] = rgba
	g.drawn = append(g.drawn, item.ID)
	return rgba
}

// caption names the file, the time and the classes shown (a cell's
// tooltip; the cell shows it on two lines).
func caption(item results.Item, q results.Query) string {
	name, when := captionLines(item, q)
	return name + " · " + when
}

// captionLines are a cell's two lines: the file's name, then the time
// (with how the frame came to be analysed) and the classes shown.
func captionLines(item results.Item, q results.Query) (name, when string) {
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
	return filepath.Base(item.Path), fmt.Sprintf("%s%s · %s", clock(item.Time), mark, what)
}

// clock writes a frame's time, to the tenth: m:ss.s.
func clock(s float64) string { return scan.Clock(s, scan.Tenths) }
