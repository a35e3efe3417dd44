package app

import (
	"fyne.io/fyne/v2"
)

// key moves the grid's cursor as a photo manager's does: the arrows by
// a cell or a row, Page Up/Down by a screen, Home and End to the ends;
// the frame under it becomes the selection, or with Shift the frames
// from the anchor to it. Enter opens it; Esc clears the selection. Other
// keys go to the window, as if the grid did not have the focus.
func (g *gridView) key(ev *fyne.KeyEvent, shift bool) {
	n := g.items.shownCount()
	cur := g.positionOf(g.sel.cursor)
	cols := g.cells.columns()
	to := -1
	switch ev.Name {
	case fyne.KeyLeft:
		to = cur - 1
	case fyne.KeyRight:
		to = cur + 1
	case fyne.KeyUp:
		to = cur - cols
	case fyne.KeyDown:
		to = cur + cols
	case fyne.KeyPageUp:
		to = cur - cols*g.cells.rowsShown()
	case fyne.KeyPageDown:
		to = cur + cols*g.cells.rowsShown()
	case fyne.KeyHome:
		to = 0
	case fyne.KeyEnd:
		to = n - 1
	case fyne.KeyReturn, fyne.KeyEnter:
		if n > 0 {
			g.onOpen(max(cur, 0))
		}
		return
	case fyne.KeyEscape:
		if len(g.sel.ids) > 0 {
			g.sel.clear()
			g.selectionChanged()
			return
		}
		g.toWindow(ev)
		return
	default:
		g.toWindow(ev)
		return
	}
	if n == 0 {
		return
	}
	if cur < 0 { // no cursor yet: the first key puts it on the first frame
		to = 0
	}
	to = max(0, min(n-1, to))
	id := g.items.shownID(to)
	g.sel.cursor = id
	if shift {
		g.selectRange(to)
	} else {
		g.sel.clear()
		g.sel.ids[id] = true
		g.sel.anchor = id
	}
	g.cells.scrollTo(to)
	g.selectionChanged()
}

// shortcut: Ctrl+A selects every frame shown, Ctrl+C copies the selected
// frames' paths; the window's own shortcuts still work with the grid
// focused.
func (g *gridView) shortcut(s fyne.Shortcut) {
	switch s.(type) {
	case *fyne.ShortcutSelectAll:
		g.selectAll()
	case *fyne.ShortcutCopy:
		g.copyPaths()
	default:
		if c := fyne.CurrentApp().Driver().CanvasForObject(g.cells); c != nil {
			if h, ok := c.(fyne.Shortcutable); ok {
				h.TypedShortcut(s)
			}
		}
	}
}

// toWindow hands a key the grid does not use to the window's handler.
func (g *gridView) toWindow(ev *fyne.KeyEvent) {
	if c := fyne.CurrentApp().Driver().CanvasForObject(g.cells); c != nil {
		if f := c.OnTypedKey(); f != nil {
			f(ev)
		}
	}
}
