package app

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/vidsift/vidsift/engine/results"
)

// problemsView lists failed and partial files with their reasons.
type problemsView struct {
	items []results.File
	list  *widget.List
	acc   *widget.Accordion
	item  *widget.AccordionItem
}

func newProblemsView() *problemsView {
	p := &problemsView{}
	p.list = widget.NewList(
		func() int { return len(p.items) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			f := p.items[id]
			o.(*widget.Label).SetText(fmt.Sprintf("%s  %s — %s", f.Status, f.Path, f.Error))
		},
	)
	scroll := container.NewVScroll(p.list)
	scroll.SetMinSize(fyne.NewSize(0, 110))
	p.item = widget.NewAccordionItem("No failed or partial files", scroll)
	p.acc = widget.NewAccordion(p.item)
	return p
}

func (p *problemsView) object() fyne.CanvasObject { return p.acc }

func (p *problemsView) update(files []results.File) {
	p.items = files
	if len(files) == 0 {
		p.item.Title = "No failed or partial files"
	} else {
		p.item.Title = fmt.Sprintf("%d failed or partial file(s) — they did not stop the run", len(files))
	}
	p.acc.Refresh()
	p.list.Refresh()
}
