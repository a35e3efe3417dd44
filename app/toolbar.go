package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// toolbarActions are what the toolbar's buttons do.
type toolbarActions struct {
	start, stop func()
	export      func(kind string) // "csv", "json", "coco", "yolo" or "clips"
}

// toolbarState is what decides which buttons can be pressed.
type toolbarState struct {
	running   bool // a scan goes on
	canStart  bool // a model is loaded and something is queued
	canExport bool // some file has finished
}

type toolbarView struct {
	start      *widget.Button
	stop       *widget.Button
	exportCSV  *widget.Button
	exportJSON *widget.Button
	exportCOCO *widget.Button
	exportYOLO *widget.Button
	exportClip *widget.Button
	onlyShown  *widget.Check
	box        *fyne.Container
}

func newToolbarView(do toolbarActions) *toolbarView {
	t := &toolbarView{}
	t.start = widget.NewButtonWithIcon("Start", theme.MediaPlayIcon(), do.start)
	t.start.Importance = widget.HighImportance
	t.stop = widget.NewButtonWithIcon("Stop", theme.MediaStopIcon(), do.stop)
	// The formats under one "Export" word, in words short enough that the
	// whole bar fits an 800 px window.
	t.exportCSV = widget.NewButton("CSV", func() { do.export("csv") })
	t.exportJSON = widget.NewButton("JSON", func() { do.export("json") })
	t.exportCOCO = widget.NewButton("COCO", func() { do.export("coco") })
	t.exportYOLO = widget.NewButton("YOLO", func() { do.export("yolo") })
	t.exportClip = widget.NewButton("Clips", func() { do.export("clips") })
	t.onlyShown = widget.NewCheck("Only what is shown", nil)
	export := widget.NewLabelWithStyle("Export", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	t.box = container.NewHBox(t.start, t.stop, widget.NewSeparator(), export, t.exportCSV, t.exportJSON, t.exportCOCO, t.exportYOLO, t.exportClip, t.onlyShown)
	return t
}

func (t *toolbarView) object() fyne.CanvasObject { return t.box }

// update enables the buttons that make sense in state s.
func (t *toolbarView) update(s toolbarState) {
	setEnabled(t.start, !s.running && s.canStart)
	setEnabled(t.stop, s.running)
	setEnabled(t.exportCSV, s.canExport)
	setEnabled(t.exportJSON, s.canExport)
	setEnabled(t.exportCOCO, s.canExport)
	setEnabled(t.exportYOLO, s.canExport)
	setEnabled(t.exportClip, s.canExport)
}

func setEnabled(w fyne.Disableable, on bool) {
	if on {
		w.Enable()
	} else {
		w.Disable()
	}
}
