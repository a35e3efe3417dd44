package app

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
)

// selection is the frames picked in the grid, by item ID (so it holds
// while a run adds frames and the positions move), the cursor the arrow
// keys move and the anchor Shift extends from.
type selection struct {
	ids    map[int]bool
	cursor int // item ID; -1: none
	anchor int // item ID; -1: none
}

func newSelection() selection { return selection{ids: map[int]bool{}, cursor: -1, anchor: -1} }

func (s *selection) clear() { s.ids = map[int]bool{} }

// positionOf is where item id is shown now (-1: not shown).
func (g *gridView) positionOf(id int) int {
	if id < 0 {
		return -1
	}
	for pos := range g.items.shownCount() {
		if g.items.shownID(pos) == id {
			return pos
		}
	}
	return -1
}

// selectRange selects the frames shown from the anchor to pos (the anchor
// alone, or pos, when there is none).
func (g *gridView) selectRange(pos int) {
	from := g.positionOf(g.sel.anchor)
	if from < 0 {
		from = pos
		g.sel.anchor = g.items.shownID(pos)
	}
	g.sel.clear()
	for p := min(from, pos); p <= max(from, pos); p++ {
		g.sel.ids[g.items.shownID(p)] = true
	}
}

// tap: a plain click opens the frame (and makes it the selection); with
// Ctrl (Cmd on macOS) it toggles the frame in the selection, with Shift
// it selects from the last frame clicked to this one.
func (g *gridView) tap(pos int, mod fyne.KeyModifier) {
	if pos >= g.items.shownCount() {
		return
	}
	id := g.items.shownID(pos)
	switch {
	case mod&fyne.KeyModifierShift != 0:
		g.selectRange(pos)
	case mod&(fyne.KeyModifierControl|fyne.KeyModifierSuper) != 0:
		if g.sel.ids[id] {
			delete(g.sel.ids, id)
		} else {
			g.sel.ids[id] = true
		}
		g.sel.anchor = id
	default:
		g.sel.clear()
		g.sel.ids[id] = true
		g.sel.anchor = id
	}
	g.sel.cursor = id
	g.selectionChanged()
	if mod&(fyne.KeyModifierShift|fyne.KeyModifierControl|fyne.KeyModifierSuper) == 0 {
		g.onOpen(pos)
	}
}

// selectAll selects every frame shown.
func (g *gridView) selectAll() {
	for pos := range g.items.shownCount() {
		g.sel.ids[g.items.shownID(pos)] = true
	}
	g.selectionChanged()
}

// selectedIDs are the frames selected that are shown, in grid order.
func (g *gridView) selectedIDs() []int {
	var ids []int
	if len(g.sel.ids) == 0 {
		return nil
	}
	for pos := range g.items.shownCount() {
		if id := g.items.shownID(pos); g.sel.ids[id] {
			ids = append(ids, id)
		}
	}
	return ids
}

// selectedPaths are the files of the frames selected, each once, in grid
// order.
func (g *gridView) selectedPaths() []string {
	seen := map[string]bool{}
	var paths []string
	for _, id := range g.selectedIDs() {
		if p := g.coll.Item(id).Path; !seen[p] {
			seen[p] = true
			paths = append(paths, p)
		}
	}
	return paths
}

// copyPaths puts the selected frames' files on the clipboard, one a line.
func (g *gridView) copyPaths() {
	paths := g.selectedPaths()
	if len(paths) == 0 {
		return
	}
	fyne.CurrentApp().Clipboard().SetContent(strings.Join(paths, "\n"))
	g.selected.SetText(fmt.Sprintf("%s · %d paths copied", g.selectedWords(), len(paths)))
}

// selectedWords says how much is selected.
func (g *gridView) selectedWords() string {
	return fmt.Sprintf("%d selected", len(g.selectedIDs()))
}

// selectionChanged redraws the cells and the bar's selection actions.
func (g *gridView) selectionChanged() {
	if n := len(g.selectedIDs()); n == 0 {
		g.selected.SetText("")
		g.actions.Hide()
	} else {
		g.selected.SetText(g.selectedWords())
		g.actions.Show()
	}
	g.cells.place(true)
}
