package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
)

// installShortcuts: Ctrl+O add folder, Ctrl+E export, Enter/Space start,
// Esc stop (or close the detail view).
func (u *UI) installShortcuts() {
	c := u.win.Canvas()
	c.AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyO, Modifier: fyne.KeyModifierShortcutDefault}, func(fyne.Shortcut) { u.queue.addFolderDialog() })
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
