package app

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/vidsift/vidsift/engine/media"
)

// queueView lists the folders and files waiting to be scanned.
type queueView struct {
	win      fyne.Window // parent of the file dialogs
	onChange func()      // the queue changed
	paths    []string
	watch    *widget.Check // Start keeps watching the queue
	list     *widget.List
	info     *widget.Label
	refused  *widget.Label // the files last dropped or added that are not media
	box      *fyne.Container
}

func newQueueView(win fyne.Window, onChange func()) *queueView {
	q := &queueView{win: win, onChange: onChange, info: widget.NewLabel("Nothing queued yet."), refused: widget.NewLabel("")}
	q.refused.Wrapping = fyne.TextWrapWord
	q.refused.Importance = widget.WarningImportance
	q.refused.Hide()
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
	q.box = container.NewVBox(shareRow(addFolder, addFiles, clear), q.info, q.refused, scroll, q.watch)
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

// addMedia queues the folders and the files vidsift reads (those a
// folder's walk takes, media.IsCandidate); any other file is refused
// with a line saying so rather than queued to fail after Start.
func (q *queueView) addMedia(paths ...string) {
	var ok, refused []string
	for _, p := range paths {
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && !media.IsCandidate(p) {
			refused = append(refused, filepath.Base(p))
			continue
		}
		ok = append(ok, p)
	}
	q.add(ok...)
	q.sayRefused(refused)
}

// sayRefused names the files not queued (none: the line goes).
func (q *queueView) sayRefused(names []string) {
	if len(names) == 0 {
		q.refused.SetText("")
		q.refused.Hide()
		return
	}
	const listed = 3
	list := strings.Join(names[:min(len(names), listed)], ", ")
	if len(names) > listed {
		list += fmt.Sprintf(" and %d more", len(names)-listed)
	}
	verb := "is not a video or photo"
	if len(names) > 1 {
		verb = "are not videos or photos"
	}
	q.refused.SetText(fmt.Sprintf("Not queued: %s %s.", list, verb))
	q.refused.Show()
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

// HandleDrop queues dropped folders and media files (what
// Window.SetOnDropped calls); other files are refused with a line saying
// so. Non-file URIs are ignored.
func (u *UI) HandleDrop(uris []fyne.URI) {
	var paths []string
	for _, uri := range uris {
		if uri != nil && uri.Scheme() == "file" {
			paths = append(paths, uri.Path())
		}
	}
	u.queue.addMedia(paths...)
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
			q.addMedia(r.URI().Path())
		}
	}, q.win)
}
