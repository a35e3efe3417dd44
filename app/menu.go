package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"
)

// appMenu is the main menu (File, Edit, View, Help). Its items carry the
// window's shortcuts: the driver shows them beside each item and gives
// the keys to the menu before any widget. Each acts as its button does
// and, while a dialog is shown, not at all.
type appMenu struct {
	main        *fyne.MainMenu
	start, stop *fyne.MenuItem
	export      *fyne.MenuItem // the submenu, one item a format
	group, same *fyne.MenuItem
	shown       *menuState // what the items were last set to show (nil: not yet)
}

// menuState is what the menu's greyed and ticked items show.
type menuState struct{ canStart, canStop, canExport, group, same bool }

// installMenu gives the main window its menu.
func (u *UI) installMenu() {
	m := &appMenu{}
	item := func(label string, key fyne.Shortcut, action func()) *fyne.MenuItem {
		it := fyne.NewMenuItem(label, u.whenNoDialog(action))
		it.Shortcut = key
		return it
	}
	exportAs := func(kind string) func() {
		return func() {
			if !u.toolbar.exportCSV.Disabled() {
				u.exportDialog(kind)
			}
		}
	}
	csv := item("CSV…", ctrl(fyne.KeyE), exportAs("csv"))
	m.export = fyne.NewMenuItem("Export", nil)
	m.export.ChildMenu = fyne.NewMenu("", csv,
		item("JSON…", nil, exportAs("json")),
		item("COCO…", nil, exportAs("coco")),
		item("YOLO…", nil, exportAs("yolo")),
		item("Clips…", nil, exportAs("clips")))
	m.start = item("Start scan", newCtrlEnter(), u.startIfAllowed)
	m.stop = item("Stop scan", ctrl(fyne.KeyPeriod), func() {
		if !u.toolbar.stop.Disabled() {
			u.Stop()
		}
	})
	quit := item("Quit", ctrl(fyne.KeyQ), u.quit)
	quit.IsQuit = true // the last of File, so the driver adds no other
	file := fyne.NewMenu("File",
		item("Add folder…", ctrl(fyne.KeyO), u.queue.addFolderDialog),
		item("Add files…", &desktop.CustomShortcut{KeyName: fyne.KeyO, Modifier: fyne.KeyModifierShortcutDefault | fyne.KeyModifierShift}, u.queue.addFileDialog),
		fyne.NewMenuItemSeparator(),
		m.start, m.stop,
		fyne.NewMenuItemSeparator(),
		m.export,
		fyne.NewMenuItemSeparator(),
		quit)

	selectAll := fyne.NewMenuItem("Select all", u.selectAll)
	selectAll.Shortcut = &fyne.ShortcutSelectAll{}
	edit := fyne.NewMenu("Edit",
		item("Find", ctrl(fyne.KeyF), func() { u.win.Canvas().Focus(u.filters.search) }),
		selectAll)

	m.group = item("Group by video", nil, func() { u.filters.group.SetChecked(!u.filters.group.Checked) })
	m.same = item("Same frame", nil, func() { u.filters.same.SetChecked(!u.filters.same.Checked) })
	view := fyne.NewMenu("View", m.group, m.same)

	help := fyne.NewMenu("Help",
		item("Keyboard shortcuts", nil, u.showShortcuts),
		item("About vidsift", nil, u.showAbout))

	m.main = fyne.NewMainMenu(file, edit, view, help)
	u.menu = m
	u.win.SetMainMenu(m.main)
	u.updateMenu()
}

// startIfAllowed starts a scan where the Start button could.
func (u *UI) startIfAllowed() {
	if !u.toolbar.start.Disabled() {
		u.Start()
	}
}

// quit ends the app as closing its window does: the scan stops and the
// settings are saved (Shutdown, once the event loop ends). It stops the
// driver rather than App.Quit, as the signal handler does (gui.go).
func (u *UI) quit() {
	u.activity.Cancel()
	u.app.Driver().Quit()
}

// selectAll is Edit → Select all: the focused field's text (in a dialog
// too), else what the window's own Ctrl+A selects.
func (u *UI) selectAll() {
	c := u.win.Canvas()
	if f, ok := c.Focused().(fyne.Shortcutable); ok {
		f.TypedShortcut(&fyne.ShortcutSelectAll{})
		return
	}
	if s, ok := c.(fyne.Shortcutable); ok && !dialogShown(c) {
		s.TypedShortcut(&fyne.ShortcutSelectAll{})
	}
}

// updateMenu greys out what cannot be done now, as the toolbar does, and
// ticks the view's switches; the menu is redrawn only when that changed.
func (u *UI) updateMenu() {
	m := u.menu
	if m == nil || u.toolbar == nil {
		return
	}
	now := menuState{canStart: !u.toolbar.start.Disabled(), canStop: !u.toolbar.stop.Disabled(), canExport: !u.toolbar.exportCSV.Disabled(),
		group: u.filters.group.Checked, same: u.filters.same.Checked}
	if m.shown != nil && *m.shown == now {
		return
	}
	m.shown = &now
	m.start.Disabled, m.stop.Disabled, m.export.Disabled = !now.canStart, !now.canStop, !now.canExport
	for _, it := range m.export.ChildMenu.Items {
		it.Disabled = !now.canExport
	}
	m.group.Checked, m.same.Checked = now.group, now.same
	u.win.SetMainMenu(m.main) // redraws this window's menu bar (MainMenu.Refresh looks for it in the current app)
}

// shortcutLines lists the menu's shortcuts ("Ctrl+O", "File → Add
// folder…"), then the keys no menu item has.
func (u *UI) shortcutLines() [][2]string {
	var lines [][2]string
	var walk func(path string, items []*fyne.MenuItem)
	walk = func(path string, items []*fyne.MenuItem) {
		for _, it := range items {
			label := path + " → " + it.Label
			if it.Shortcut != nil {
				lines = append(lines, [2]string{shortcutText(it.Shortcut), label})
			}
			if it.ChildMenu != nil {
				walk(label, it.ChildMenu.Items)
			}
		}
	}
	for _, menu := range u.menu.main.Items {
		walk(menu.Label, menu.Items)
	}
	return append(lines, otherKeys...)
}

// showShortcuts is Help → Keyboard shortcuts: the menu's shortcuts,
// then the other keys, key and action side by side.
func (u *UI) showShortcuts() {
	table := container.New(layout.NewFormLayout())
	for _, l := range u.shortcutLines() {
		table.Add(widget.NewLabelWithStyle(l[0], fyne.TextAlignTrailing, fyne.TextStyle{Bold: true}))
		table.Add(widget.NewLabel(l[1]))
	}
	d := dialog.NewCustom("Keyboard shortcuts", "Close", container.NewVScroll(table), u.win)
	d.Resize(dialogSize(u.win, table.MinSize().Width+80, table.MinSize().Height+140))
	d.Show()
}

// dialogSize is w×h, or less where the window is smaller.
func dialogSize(win fyne.Window, w, h float32) fyne.Size {
	s := win.Canvas().Size()
	return fyne.NewSize(min(w, s.Width*0.95), min(h, s.Height*0.9))
}
