package app

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"github.com/vidsift/vidsift/engine/export"
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

// exportDialog asks where to save, then writes the engine's CSV or JSON.
func (u *UI) exportDialog(kind string) {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		path := w.URI().Path()
		w.Close()
		if err := u.ExportTo(path, kind, u.toolbar.onlyShown.Checked); err != nil {
			dialog.ShowError(err, u.win)
			return
		}
		dialog.ShowInformation("Exported", "Saved "+path, u.win)
	}, u.win)
	d.SetFileName("vidsift." + kind)
	d.SetFilter(storage.NewExtensionFileFilter([]string{"." + kind}))
	d.Show()
}

// ExportTo writes what the runs found as CSV or JSON ("csv"/"json") to
// path, atomically; onlyShown limits it to what the filter shows.
func (u *UI) ExportTo(path, kind string, onlyShown bool) error {
	var q *results.Query
	opts := export.Options{Model: u.currentModel()}
	if onlyShown {
		cur := u.query()
		q = &cur
	} else if want := u.settings.classes(); len(want) > 0 {
		opts.Classes = want
	}
	run := u.lastRun
	opts.Settings = export.Settings{
		Confidence: float64(run.Confidence), IoU: float64(run.IoU), Workers: run.Workers, Threads: run.Streams,
	}
	for c := range u.settings.classes() {
		opts.Settings.Classes = append(opts.Settings.Classes, c)
	}
	doc := export.Build(u.coll.Results(q), u.coll.Summary(), opts)
	if kind == "csv" {
		return export.WriteCSV(path, doc)
	}
	return export.WriteJSON(path, doc)
}

// installShortcuts: Ctrl+O add folder, Ctrl+E export, Enter/Space start,
// Esc stop (or close the detail view).
func (u *UI) installShortcuts() {
	c := u.win.Canvas()
	c.AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyO, Modifier: fyne.KeyModifierShortcutDefault}, func(fyne.Shortcut) { u.addFolderDialog() })
	c.AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyE, Modifier: fyne.KeyModifierShortcutDefault}, func(fyne.Shortcut) { u.exportDialog("csv") })
	c.SetOnTypedKey(u.typedKey)
}

func (u *UI) typedKey(k *fyne.KeyEvent) {
	switch k.Name {
	case fyne.KeyReturn, fyne.KeyEnter, fyne.KeySpace:
		if !u.activity.Running() {
			u.Start()
		}
	case fyne.KeyEscape:
		if u.detail.isOpen() {
			u.detail.close()
		} else {
			u.Stop()
		}
	}
}
