package app

import (
	"path/filepath"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// queueView lists the folders and files waiting to be scanned.
type queueView struct {
	win      fyne.Window // parent of the file dialogs
	onChange func()      // the queue changed
	paths    []string
	watch    *widget.Check // Start keeps watching the queue
	list     *widget.List
	info     *widget.Label
	box      *fyne.Container
}

func newQueueView(win fyne.Window, onChange func()) *queueView {
	q := &queueView{win: win, onChange: onChange, info: widget.NewLabel("Nothing queued yet.")}
	q.list = widget.NewList(
		func() int { return len(q.paths) },
		func() fyne.CanvasObject {
			label := widget.NewLabel("")
			label.Truncation = fyne.TextTruncateEllipsis
			return container.NewBorder(nil, nil, nil, widget.NewButtonWithIcon("", theme.DeleteIcon(), nil), label)
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			c := o.(*fyne.Container)
			c.Objects[0].(*widget.Label).SetText(q.paths[id])
			c.Objects[1].(*widget.Button).OnTapped = func() { q.remove(id) }
		},
	)
	scroll := container.NewVScroll(q.list)
	scroll.SetMinSize(fyne.NewSize(0, 120))
	addFolder := widget.NewButtonWithIcon("Add folder", theme.FolderOpenIcon(), q.addFolderDialog)
	addFiles := widget.NewButtonWithIcon("Add files", theme.FileIcon(), q.addFileDialog)
	clear := widget.NewButton("Clear", func() { q.paths = nil; q.changed() })
	q.watch = widget.NewCheck("Watch these folders", func(bool) { q.onChange() })
	// A row that shares its width (not a grid of equal cells, three times
	// the widest) keeps the buttons whole in the panel at 800 px.
	q.box = container.NewVBox(shareRow(addFolder, addFiles, clear), q.info, scroll, q.watch)
	return q
}

func (q *queueView) object() fyne.CanvasObject { return q.box }

// add queues paths, ignoring ones already queued. It returns how many were new.
func (q *queueView) add(paths ...string) int {
	seen := map[string]bool{}
	for _, p := range q.paths {
		seen[p] = true
	}
	n := 0
	for _, p := range paths {
		if abs, err := filepath.Abs(p); err == nil {
			p = abs
		}
		if !seen[p] {
			seen[p] = true
			q.paths = append(q.paths, p)
			n++
		}
	}
	q.changed()
	return n
}

func (q *queueView) remove(i int) {
	if i >= 0 && i < len(q.paths) {
		q.paths = append(q.paths[:i], q.paths[i+1:]...)
		q.changed()
	}
}

func (q *queueView) changed() {
	switch len(q.paths) {
	case 0:
		q.info.SetText("Nothing queued yet.")
	case 1:
		q.info.SetText("1 item queued")
	default:
		q.info.SetText(strconv.Itoa(len(q.paths)) + " items queued")
	}
	q.list.Refresh()
	q.onChange()
}

// HandleDrop queues dropped folders and files (what Window.SetOnDropped
// calls). Non-file URIs are ignored.
func (u *UI) HandleDrop(uris []fyne.URI) {
	var paths []string
	for _, uri := range uris {
		if uri != nil && uri.Scheme() == "file" {
			paths = append(paths, uri.Path())
		}
	}
	u.queue.add(paths...)
}

func (q *queueView) addFolderDialog() {
	dialog.ShowFolderOpen(func(l fyne.ListableURI, err error) {
		if err == nil && l != nil {
			q.add(l.Path())
		}
	}, q.win)
}

func (q *queueView) addFileDialog() {
	dialog.ShowFileOpen(func(r fyne.URIReadCloser, err error) {
		if err == nil && r != nil {
			r.Close()
			q.add(r.URI().Path())
		}
	}, q.win)
}
