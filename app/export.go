package app

import (
	"errors"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"

	"github.com/vidsift/vidsift/engine/export"
	"github.com/vidsift/vidsift/engine/results"
)

// exportTitles name each export's file dialog.
var exportTitles = map[string]string{"csv": "Export CSV", "json": "Export JSON", "coco": "Export COCO dataset", "yolo": "Export YOLO dataset: pick a folder"}

// exportDialog asks where to save, then writes the engine's CSV, JSON,
// COCO (a file, its images in a folder beside it) or YOLO (a folder).
// The file dialogs are titled with the export and sized to the window.
func (u *UI) exportDialog(kind string) {
	if kind == "clips" {
		u.exportClipsDialog()
		return
	}
	if kind == "yolo" {
		d := dialog.NewFolderOpen(func(dir fyne.ListableURI, err error) {
			if err == nil && dir != nil {
				u.exportAndSay(dir.Path(), kind)
			}
		}, u.win)
		d.SetTitleText(exportTitles[kind])
		d.SetConfirmText("Export here")
		d.Resize(dialogSize(u.win, 1000, 700))
		d.Show()
		return
	}
	ext := kind
	if kind == "coco" {
		ext = "json"
	}
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		path := w.URI().Path()
		w.Close()
		u.exportAndSay(path, kind)
	}, u.win)
	d.SetTitleText(exportTitles[kind])
	d.SetFileName("vidsift." + ext)
	if kind == "coco" {
		d.SetFileName("vidsift-coco.json")
	}
	d.SetFilter(storage.NewExtensionFileFilter([]string{"." + ext}))
	d.Resize(dialogSize(u.win, 1000, 700))
	d.Show()
}

// exportAndSay writes the export to path and says where it went (the
// "Exported" dialog), or why it could not.
func (u *UI) exportAndSay(path, kind string) {
	if err := u.ExportTo(path, kind, u.toolbar.onlyShown.Checked); err != nil {
		dialog.ShowError(err, u.win)
		return
	}
	said := "Saved " + path
	if kind == "yolo" {
		said = "YOLO dataset written to " + path
	}
	dialog.ShowInformation("Exported", said, u.win)
}

// ExportTo writes what the runs found as CSV, JSON, COCO or YOLO ("csv",
// "json", "coco", "yolo") to path, atomically; onlyShown limits it to
// what the filter shows.
func (u *UI) ExportTo(path, kind string, onlyShown bool) error {
	var q *results.Query
	// The settings block says what each file was made with: the run's
	// parameters, or the library's for results loaded from it.
	opts := export.Options{Params: u.coll.MadeWith(), Classes: u.settings.classes()}
	if run := u.lastRun; run != nil {
		opts.ModelPath, opts.Workers, opts.Threads, opts.Asked = u.lastModelPath, run.Workers, run.Threads, &run.Params
	}
	if onlyShown {
		cur := u.query()
		q = &cur
	}
	if kind == "coco" || kind == "yolo" {
		return u.exportLabels(path, kind, q, opts.Classes)
	}
	doc := export.Build(u.coll.Results(q), u.coll.Summary(), opts)
	if kind == "csv" {
		return export.WriteCSV(path, doc)
	}
	return export.WriteJSON(path, doc)
}

// exportLabels writes the frames as a COCO or YOLO dataset, each frame's
// thumbnail an image.
func (u *UI) exportLabels(path, kind string, q *results.Query, keep map[string]bool) error {
	m := u.currentModel()
	if m == nil {
		return errors.New("no model: its classes name the dataset's categories")
	}
	results := u.coll.Results(q)
	set := export.LabelSet{Classes: m.Names, Images: export.LabelImages(results, keep)}
	ids := map[string]map[int]int{} // path -> frame index -> item ID
	for _, r := range results {
		f, _ := u.coll.File(r.Path)
		ids[r.Path] = map[int]int{}
		for _, id := range f.Items {
			ids[r.Path][u.coll.Item(id).Index] = id
		}
	}
	src := func(img export.LabelImage) ([]byte, int, int, error) {
		thumb, err := u.coll.Thumbnail(ids[img.Video][img.Index])
		if err != nil {
			return nil, 0, 0, err
		}
		return export.EncodeImage(thumb)
	}
	if kind == "yolo" {
		return export.WriteYOLO(path, set, src, false)
	}
	return export.WriteCOCO(path, strings.TrimSuffix(path, filepath.Ext(path))+"_images", set, src, false)
}
