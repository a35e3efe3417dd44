package app

import (
	"reflect"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"
)

// The window's keys. The shortcuts with a modifier are the main menu's
// (menu.go): the desktop driver gives them to the menu before any
// widget, so they work with the search focused too. The keys without
// one are these:
//
//   - Esc closes the dialog on top, and does nothing else while one is
//     shown (dialogs are modal for keys: Enter on "Exported" must not
//     start a scan behind it); in the search it clears the search, and a
//     second Esc leaves the field. It never stops a run: Ctrl+. or Stop
//     does.
//   - Enter and Space start nothing: a scan starts with Ctrl+Enter or
//     Start, and in a grid Space is not expected to start one.
//
// otherKeys lists them for Help → Keyboard shortcuts, after the menu's.
var otherKeys = [][2]string{
	{"Esc", "Close the dialog on top (Cancel, OK); in the search, clear it, then leave the field"},
	{"← ↑ / → ↓", "Detail view: previous / next frame"},
	{"Esc", "Detail view: close it (or the dialog over it)"},
}

// installShortcuts routes the main window's keys that no menu item
// takes: Esc for dialogs, and the keypad's Ctrl+Enter.
func (u *UI) installShortcuts() {
	c := u.win.Canvas()
	c.AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyEnter, Modifier: fyne.KeyModifierShortcutDefault},
		func(fyne.Shortcut) { u.whenNoDialog(u.startIfAllowed)() })
	c.SetOnTypedKey(u.typedKey)
	u.filters.search.leave = c.Unfocus
}

// typedKey gets the keys no focused widget took.
func (u *UI) typedKey(k *fyne.KeyEvent) {
	modalKey(u.win.Canvas(), k)
}

// modalKey handles key k for canvas c while a dialog is shown on it: Esc
// dismisses the dialog on top, and no key goes further. It says whether
// a dialog was shown (the caller then leaves the key alone).
func modalKey(c fyne.Canvas, k *fyne.KeyEvent) bool {
	if !dialogShown(c) {
		return false
	}
	if k.Name == fyne.KeyEscape {
		dismissTop(c)
	}
	return true
}

// dialogShown says whether a dialog (or any other overlay: a pop-up
// menu) covers canvas c.
func dialogShown(c fyne.Canvas) bool { return c.Overlays().Top() != nil }

// whenNoDialog is action, doing nothing while a dialog is shown on the
// main window: the menu's shortcuts reach the window before the dialog.
func (u *UI) whenNoDialog(action func()) func() {
	return func() {
		if !dialogShown(u.win.Canvas()) {
			action()
		}
	}
}

// dismissTop closes the dialog on top of c as its dismiss button does
// (Cancel, OK, No, Stop), so its callback hears of it; an overlay without
// one (a pop-up menu, a dialog without buttons) is hidden.
func dismissTop(c fyne.Canvas) {
	top := c.Overlays().Top()
	if top == nil {
		return
	}
	if p, ok := top.(*widget.PopUp); ok {
		if b := dismissButton(p.Content); b != nil {
			if !b.Disabled() && b.OnTapped != nil {
				b.OnTapped()
			}
			return
		}
	}
	top.Hide()
	if c.Overlays().Top() == top {
		c.Overlays().Remove(top)
	}
}

var gridLayout = reflect.TypeOf(layout.NewGridLayout(1))

// dismissButton finds a Fyne dialog's dismiss button: every dialog
// (information, error, confirm, custom, form, file) lays out its buttons
// as a grid of buttons only, the dismiss one first, after its content
// (so the last such grid is the dialog's own).
func dismissButton(o fyne.CanvasObject) *widget.Button {
	c, ok := o.(*fyne.Container)
	if !ok {
		return nil
	}
	var found *widget.Button
	for _, child := range c.Objects {
		if b := dismissButton(child); b != nil {
			found = b
		}
	}
	if found != nil || len(c.Objects) == 0 || reflect.TypeOf(c.Layout) != gridLayout {
		return found
	}
	for _, child := range c.Objects {
		if _, ok := child.(*widget.Button); !ok {
			return nil
		}
	}
	return c.Objects[0].(*widget.Button)
}

// searchEntry is the search field: Esc clears it, and a second Esc
// leaves it (so the grid's keys work again).
type searchEntry struct {
	widget.SelectEntry
	leave func() // takes the focus away (the window's Unfocus)
}

func newSearchEntry() *searchEntry {
	e := &searchEntry{}
	e.ExtendBaseWidget(e)
	e.Wrapping = fyne.TextWrap(fyne.TextTruncateClip) // as widget.NewSelectEntry
	return e
}

func (e *searchEntry) TypedKey(k *fyne.KeyEvent) {
	if k.Name != fyne.KeyEscape {
		e.SelectEntry.TypedKey(k)
		return
	}
	if e.Text != "" {
		e.SetText("")
		return
	}
	if e.leave != nil {
		e.leave()
	}
}

// ctrl is key with the platform's shortcut modifier (Ctrl; ⌘ on macOS).
func ctrl(key fyne.KeyName) fyne.Shortcut {
	return &desktop.CustomShortcut{KeyName: key, Modifier: fyne.KeyModifierShortcutDefault}
}

// ctrlEnter is Ctrl+Return, the main keyboard's Enter key as the driver
// names it, shown as Ctrl+Enter (as keyboards label it): menus match
// shortcuts by name, and show their key.
type ctrlEnter struct{ desktop.CustomShortcut }

func newCtrlEnter() *ctrlEnter {
	return &ctrlEnter{desktop.CustomShortcut{KeyName: fyne.KeyReturn, Modifier: fyne.KeyModifierShortcutDefault}}
}

func (*ctrlEnter) Key() fyne.KeyName { return fyne.KeyEnter }

// shortcutText spells a shortcut as the menus show it: "Ctrl+Shift+O".
func shortcutText(s fyne.Shortcut) string {
	k, ok := s.(fyne.KeyboardShortcut)
	if !ok {
		return s.ShortcutName()
	}
	var b strings.Builder
	for _, m := range []struct {
		mod  fyne.KeyModifier
		name string
	}{{fyne.KeyModifierControl, "Ctrl+"}, {fyne.KeyModifierAlt, "Alt+"}, {fyne.KeyModifierShift, "Shift+"}, {fyne.KeyModifierSuper, "Super+"}} {
		if k.Mod()&m.mod != 0 {
			b.WriteString(m.name)
		}
	}
	switch key := k.Key(); key {
	case fyne.KeyEnter, fyne.KeyReturn:
		b.WriteString("Enter")
	default:
		b.WriteString(string(key))
	}
	return b.String()
}
