package app

import (
	"image"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// thumbGrid is a virtualized grid of thumbnail cells that fill the row:
// as many columns as cells of the target width fit, each then widened to
// share the width (Fyne's GridWrap keeps one fixed size and leaves a
// strip). Only the visible cells exist. It takes the keyboard focus, and
// tells the grid view of taps (with their modifiers), keys and shortcuts.
type thumbGrid struct {
	widget.BaseWidget
	length   func() int
	update   func(pos int, c *thumbCell)
	tapped   func(pos int, mod fyne.KeyModifier)
	keyed    func(ev *fyne.KeyEvent, shift bool)
	shortcut func(s fyne.Shortcut)
	target   float32 // the cell width asked for

	shift   bool // a Shift key is held
	scroll  *container.Scroll
	content *fyne.Container
	visible map[int]*thumbCell // by position
	pool    []*thumbCell
	tip     *gridTip
}

func newThumbGrid(length func() int, update func(pos int, c *thumbCell)) *thumbGrid {
	g := &thumbGrid{length: length, update: update, target: defaultThumbWidth, visible: map[int]*thumbCell{}}
	g.content = container.New(&thumbLayout{g: g})
	g.scroll = container.NewVScroll(g.content)
	g.scroll.OnScrolled = func(fyne.Position) { g.place(false) }
	g.tip = newGridTip()
	g.ExtendBaseWidget(g)
	return g
}

// captionHeight is the height of a cell's two caption lines.
func captionHeight() float32 {
	if size := theme.CaptionTextSize(); size != captionMeasured.size {
		line := fyne.MeasureText("Ag", size, fyne.TextStyle{}).Height
		captionMeasured.size, captionMeasured.height = size, 2*line+theme.Padding()
	}
	return captionMeasured.height
}

// captionMeasured keeps the caption's height for the text size it was
// measured at (the grid asks for it at every layout).
var captionMeasured struct{ size, height float32 }

// geometry is the grid's columns and cell size at its width.
func (g *thumbGrid) geometry() (int, fyne.Size) {
	pad := theme.Padding()
	w := g.scroll.Size().Width
	if w <= 0 {
		w = g.target
	}
	cols := max(1, int((w+pad)/(g.target+pad)))
	cw := (w - float32(cols-1)*pad) / float32(cols)
	return cols, fyne.NewSize(cw, cw*9/16+captionHeight())
}

// columns is how many cells a row holds now.
func (g *thumbGrid) columns() int { cols, _ := g.geometry(); return cols }

// rowsShown is how many whole rows the view shows (at least one).
func (g *thumbGrid) rowsShown() int {
	_, cell := g.geometry()
	return max(1, int(g.scroll.Size().Height/(cell.Height+theme.Padding())))
}

// setTarget asks for cells about w wide.
func (g *thumbGrid) setTarget(w float32) {
	if w == g.target {
		return
	}
	g.target = w
	g.Refresh()
}

// place lays out the cells the view shows; all fills every one again
// (the items changed), else only those new to the view.
func (g *thumbGrid) place(all bool) {
	n := g.length()
	cols, cell := g.geometry()
	pad := theme.Padding()
	rowH := cell.Height + pad
	off, viewH := g.scroll.Offset.Y, g.scroll.Size().Height
	first := min(n, int(off/rowH)*cols)
	last := min(n, (int((off+viewH)/rowH)+1)*cols)
	for pos, c := range g.visible {
		if pos < first || pos >= last {
			delete(g.visible, pos)
			g.pool = append(g.pool, c)
		}
	}
	old := g.content.Objects
	objs := old[:0]
	for pos := first; pos < last; pos++ {
		c, ok := g.visible[pos]
		if !ok {
			if k := len(g.pool); k > 0 {
				c, g.pool = g.pool[k-1], g.pool[:k-1]
			} else {
				c = newThumbCell(g)
			}
			g.visible[pos] = c
		}
		c.Move(fyne.NewPos(float32(pos%cols)*(cell.Width+pad), float32(pos/cols)*rowH))
		c.Resize(cell)
		if all || !ok || c.pos != pos {
			c.pos = pos
			g.update(pos, c)
		}
		objs = append(objs, c)
	}
	if len(objs) < len(old) {
		clear(old[len(objs):]) // (the cells gone from view are the pool's)
	}
	g.content.Objects = objs
}

// scrollTo brings the cell at pos into view.
func (g *thumbGrid) scrollTo(pos int) {
	cols, cell := g.geometry()
	rowH := cell.Height + theme.Padding()
	top := float32(pos/cols) * rowH
	off := g.scroll.Offset
	switch {
	case top < off.Y:
		off.Y = top
	case top+cell.Height > off.Y+g.scroll.Size().Height:
		off.Y = top + cell.Height - g.scroll.Size().Height
	default:
		return
	}
	g.scroll.ScrollToOffset(off)
	g.place(false)
}

// cellAt is the cell showing pos, if it is in view.
func (g *thumbGrid) cellAt(pos int) *thumbCell { return g.visible[pos] }

func (g *thumbGrid) focus() {
	if c := fyne.CurrentApp().Driver().CanvasForObject(g); c != nil && c.Focused() != fyne.Focusable(g) {
		c.Focus(g)
	}
}

// FocusGained, FocusLost, TypedRune and TypedKey make the grid take the
// keyboard (a tap on a cell gives it the focus).
func (g *thumbGrid) FocusGained()   {}
func (g *thumbGrid) FocusLost()     { g.shift = false }
func (g *thumbGrid) TypedRune(rune) {}
func (g *thumbGrid) TypedKey(ev *fyne.KeyEvent) {
	if g.keyed != nil {
		g.keyed(ev, g.shift)
	}
}

// KeyDown and KeyUp follow the Shift keys (Shift+arrows extend the
// selection).
func (g *thumbGrid) KeyDown(ev *fyne.KeyEvent) {
	if ev.Name == desktop.KeyShiftLeft || ev.Name == desktop.KeyShiftRight {
		g.shift = true
	}
}

func (g *thumbGrid) KeyUp(ev *fyne.KeyEvent) {
	if ev.Name == desktop.KeyShiftLeft || ev.Name == desktop.KeyShiftRight {
		g.shift = false
	}
}

// TypedShortcut hands shortcuts (Ctrl+A, Ctrl+C, and the window's) on.
func (g *thumbGrid) TypedShortcut(s fyne.Shortcut) {
	if g.shortcut != nil {
		g.shortcut(s)
	}
}

func (g *thumbGrid) MinSize() fyne.Size {
	g.ExtendBaseWidget(g)
	return g.BaseWidget.MinSize()
}

func (g *thumbGrid) CreateRenderer() fyne.WidgetRenderer { return &thumbGridRenderer{g: g} }

type thumbGridRenderer struct{ g *thumbGrid }

func (r *thumbGridRenderer) Layout(size fyne.Size) {
	r.g.scroll.Resize(size)
	r.g.tip.fit(size)
}

// MinSize is one small cell: the grid never widens the window.
func (r *thumbGridRenderer) MinSize() fyne.Size {
	return fyne.NewSize(minThumbWidth, minThumbWidth*9/16+captionHeight())
}

func (r *thumbGridRenderer) Refresh() {
	r.g.scroll.Refresh() // the content's height follows the items' count
	r.g.place(true)
}

func (r *thumbGridRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.g.scroll, r.g.tip.bg, r.g.tip.text}
}
func (r *thumbGridRenderer) Destroy() {}

// thumbLayout is the scrolled content: as tall as every row, laid out
// by placing the cells in view.
type thumbLayout struct{ g *thumbGrid }

func (l *thumbLayout) Layout([]fyne.CanvasObject, fyne.Size) { l.g.place(false) }

func (l *thumbLayout) MinSize([]fyne.CanvasObject) fyne.Size {
	cols, cell := l.g.geometry()
	rows := (l.g.length() + cols - 1) / cols
	return fyne.NewSize(1, max(0, float32(rows)*(cell.Height+theme.Padding())-theme.Padding()))
}

// gridTip is the hover tooltip: the whole caption of the cell pointed
// at. It is drawn over the cells but takes no events.
type gridTip struct {
	bg   *canvas.Rectangle
	text *canvas.Text
	at   fyne.Position
	area fyne.Size
}

func newGridTip() *gridTip {
	t := &gridTip{bg: canvas.NewRectangle(theme.Color(theme.ColorNameOverlayBackground)),
		text: canvas.NewText("", theme.Color(theme.ColorNameForeground))}
	t.bg.StrokeColor = theme.Color(theme.ColorNameInputBorder)
	t.bg.StrokeWidth = 1
	t.text.TextSize = theme.CaptionTextSize()
	t.bg.Hide()
	t.text.Hide()
	return t
}

// show puts text by the pointer at p (in the grid's coordinates).
func (t *gridTip) show(text string, p fyne.Position) {
	t.text.Text, t.at = text, p
	t.text.Color = theme.Color(theme.ColorNameForeground)
	t.bg.FillColor = theme.Color(theme.ColorNameOverlayBackground)
	t.fit(t.area)
	t.bg.Show()
	t.text.Show()
	t.text.Refresh()
	t.bg.Refresh()
}

func (t *gridTip) hide() {
	t.bg.Hide()
	t.text.Hide()
}

// fit places the tip below the pointer, inside the grid.
func (t *gridTip) fit(area fyne.Size) {
	t.area = area
	pad := theme.Padding()
	size := t.text.MinSize().AddWidthHeight(2*pad, pad)
	x := min(t.at.X+12, area.Width-size.Width)
	y := t.at.Y + 20
	if y+size.Height > area.Height {
		y = t.at.Y - size.Height - 4
	}
	t.bg.Move(fyne.NewPos(max(0, x), max(0, y)))
	t.bg.Resize(size)
	t.text.Move(t.bg.Position().AddXY(pad, pad/2))
}

// thumbCell is one frame: its thumbnail over two caption lines (the
// file's name shortened in the middle; the time and the classes),
// tinted when selected and outlined at the cursor.
type thumbCell struct {
	widget.BaseWidget
	grid      *thumbGrid
	pos       int
	mod       fyne.KeyModifier // held when the button went down
	name      string           // the caption's lines, whole
	when      string
	selected  bool
	current   bool
	img       *canvas.Image
	bg        *canvas.Rectangle
	cursor    *canvas.Rectangle
	nameText  *canvas.Text
	whenText  *canvas.Text
	laidWidth float32 // the width the lines were shortened for
}

func newThumbCell(g *thumbGrid) *thumbCell {
	c := &thumbCell{grid: g, pos: -1, img: canvas.NewImageFromImage(nil),
		bg:       canvas.NewRectangle(theme.Color(theme.ColorNameSelection)),
		cursor:   canvas.NewRectangle(color.Transparent),
		nameText: canvas.NewText("", theme.Color(theme.ColorNameForeground)),
		whenText: canvas.NewText("", theme.Color(theme.ColorNameForeground))}
	c.img.FillMode = canvas.ImageFillContain
	c.img.ScaleMode = canvas.ImageScaleFastest
	c.nameText.TextSize = theme.CaptionTextSize()
	c.whenText.TextSize = theme.CaptionTextSize()
	c.cursor.StrokeColor = theme.Color(theme.ColorNamePrimary)
	c.cursor.StrokeWidth = 3
	c.bg.Hide()
	c.cursor.Hide()
	c.ExtendBaseWidget(c)
	return c
}

// show sets what the cell shows, touching only what changed.
func (c *thumbCell) show(img image.Image, name, when string, selected, current bool) {
	if c.img.Image != img {
		c.img.Image = img
		c.img.Refresh()
	}
	if name != c.name || when != c.when {
		c.name, c.when = name, when
		c.fitCaption(true)
	}
	if selected != c.selected || current != c.current {
		c.selected, c.current = selected, current
		c.bg.Hidden = !selected
		c.cursor.Hidden = !current
		c.bg.Refresh()
		c.cursor.Refresh()
	}
}

// caption is the whole caption, as the tooltip shows it.
func (c *thumbCell) caption() string { return c.name + " · " + c.when }

// fitCaption shortens the lines to the cell's width: the name in the
// middle (its start and its extension both say something), the rest at
// its end.
func (c *thumbCell) fitCaption(force bool) {
	w := c.Size().Width - 2*theme.Padding()
	if !force && w == c.laidWidth {
		return
	}
	c.laidWidth = w
	style := fyne.TextStyle{}
	size := theme.CaptionTextSize()
	name, when := fitMiddle(c.name, w, size, style), fitEnd(c.when, w, size, style)
	if name != c.nameText.Text {
		c.nameText.Text = name
		c.nameText.Refresh()
	}
	if when != c.whenText.Text {
		c.whenText.Text = when
		c.whenText.Refresh()
	}
}

// fitMiddle shortens s by cutting out its middle until it fits w.
func fitMiddle(s string, w, size float32, style fyne.TextStyle) string {
	r := []rune(s)
	if len(r) < 3 || fyne.MeasureText(s, size, style).Width <= w {
		return s
	}
	cut := func(keep int) string { return string(r[:(keep+1)/2]) + "…" + string(r[len(r)-keep/2:]) }
	lo, hi := 0, len(r)-1 // the runes kept: lo fits, hi does not
	for lo+1 < hi {
		mid := (lo + hi) / 2
		if fyne.MeasureText(cut(mid), size, style).Width <= w {
			lo = mid
		} else {
			hi = mid
		}
	}
	return cut(lo)
}

// fitEnd shortens s at its end until it fits w.
func fitEnd(s string, w, size float32, style fyne.TextStyle) string {
	r := []rune(s)
	if fyne.MeasureText(s, size, style).Width <= w {
		return s
	}
	lo, hi := 0, len(r)
	for lo+1 < hi {
		mid := (lo + hi) / 2
		if fyne.MeasureText(string(r[:mid])+"…", size, style).Width <= w {
			lo = mid
		} else {
			hi = mid
		}
	}
	return string(r[:lo]) + "…"
}

// Tapped opens the frame, or with Ctrl or Shift held selects.
func (c *thumbCell) Tapped(*fyne.PointEvent) {
	mod := c.mod
	c.mod = 0
	c.grid.focus()
	if c.grid.tapped != nil && c.pos >= 0 {
		c.grid.tapped(c.pos, mod)
	}
}

// MouseDown keeps the modifiers held (a tap does not carry them).
func (c *thumbCell) MouseDown(ev *desktop.MouseEvent) { c.mod = ev.Modifier }
func (c *thumbCell) MouseUp(*desktop.MouseEvent)      {}

// MouseIn, MouseMoved and MouseOut show the whole caption by the pointer.
func (c *thumbCell) MouseIn(ev *desktop.MouseEvent) { c.MouseMoved(ev) }

func (c *thumbCell) MouseMoved(ev *desktop.MouseEvent) {
	// The grid's coordinates: the cell's place in the content, less the
	// scroll.
	p := c.Position().Add(ev.Position).Subtract(c.grid.scroll.Offset)
	c.grid.tip.show(c.caption(), p)
}

func (c *thumbCell) MouseOut() { c.grid.tip.hide() }

func (c *thumbCell) CreateRenderer() fyne.WidgetRenderer { return &thumbCellRenderer{c: c} }

type thumbCellRenderer struct{ c *thumbCell }

func (r *thumbCellRenderer) Layout(size fyne.Size) {
	c, pad := r.c, theme.Padding()
	c.bg.Resize(size)
	c.cursor.Resize(size)
	capH := captionHeight()
	c.img.Move(fyne.NewPos(pad/2, pad/2))
	c.img.Resize(fyne.NewSize(size.Width-pad, size.Height-capH-pad/2))
	line := (capH - pad) / 2
	c.nameText.Move(fyne.NewPos(pad, size.Height-capH))
	c.whenText.Move(fyne.NewPos(pad, size.Height-capH+line))
	c.fitCaption(false)
}

func (r *thumbCellRenderer) MinSize() fyne.Size {
	return fyne.NewSize(minThumbWidth, minThumbWidth*9/16+captionHeight())
}

func (r *thumbCellRenderer) Refresh() {
	c := r.c
	c.bg.FillColor = theme.Color(theme.ColorNameSelection)
	c.cursor.StrokeColor = theme.Color(theme.ColorNamePrimary)
	c.nameText.Color = theme.Color(theme.ColorNameForeground)
	c.whenText.Color = theme.Color(theme.ColorNameForeground)
	// Not the image: a redraw re-uploading every thumbnail in view would
	// be most of a run's redraw.
	canvas.Refresh(c)
}

func (r *thumbCellRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.c.bg, r.c.img, r.c.nameText, r.c.whenText, r.c.cursor}
}
func (r *thumbCellRenderer) Destroy() {}
