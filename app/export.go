package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"

	"github.com/vidsift/vidsift/engine/export"
	"github.com/vidsift/vidsift/engine/results"
)

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
