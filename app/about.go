package app

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/vidsift/vidsift/engine/media"
	"github.com/vidsift/vidsift/engine/session"
	"github.com/vidsift/vidsift/engine/version"
)

// aboutLines are what Help → About says: the versions a bug report needs,
// as `vidsift version` words them, and the model the window loaded.
func (u *UI) aboutLines() []string {
	lines := []string{
		"vidsift " + version.Version(),
		"FFmpeg " + media.Versions(),
	}
	if version, lib, err := session.RuntimeVersion(u.cfg); err != nil {
		lines = append(lines, fmt.Sprintf("ONNX Runtime not found (%v)", err))
	} else {
		lines = append(lines, fmt.Sprintf("ONNX Runtime %s (%s)", version, lib))
	}
	u.mu.Lock()
	m, modelErr := u.model, u.modelErr
	u.mu.Unlock()
	switch {
	case m != nil:
		lines = append(lines, fmt.Sprintf("Model %s (%d classes, input %d×%d, sha256 %.12s)", m.Path, len(m.Names), m.InputW, m.InputH, m.SHA256))
	case modelErr != nil:
		lines = append(lines, "Model: none loaded ("+worded(modelErr).Error()+")")
	default:
		lines = append(lines, "Model: still loading")
	}
	return lines
}

// showAbout is Help → About vidsift. The text can be selected and copied
// into a bug report.
func (u *UI) showAbout() {
	text := widget.NewLabel(strings.Join(u.aboutLines(), "\n"))
	text.Wrapping, text.Selectable = fyne.TextWrapWord, true
	intro := widget.NewLabel("vidsift finds objects, text and speech in folders of video. For a bug report, copy these lines:")
	intro.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustom("About vidsift", "Close", container.NewVBox(intro, text), u.win)
	d.Resize(dialogSize(u.win, 720, 0)) // as tall as its text
	d.Show()
}
