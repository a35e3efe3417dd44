package app

import (
	"context"
	"image"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"github.com/vidsift/vidsift/engine/scan"
)

func TestProgressView(t *testing.T) {
	test.NewTempApp(t)
	p := newProgressView()
	p.show(progressSnapshot{done: 1, total: 4, rate: 12.5, eta: 3 * time.Second, current: "a.mp4", where: "12:30 of 2:00:00"})
	if p.bar.Value != 0.25 || p.label.Text != "1 / 4 files · 12.5 frames/s · ETA 3s · a.mp4 (12:30 of 2:00:00)" {
		t.Errorf("running: %.2f %q", p.bar.Value, p.label.Text)
	}
	sum := scan.Summary{Files: 4, OK: 3, Failed: 1, Skipped: 2, Frames: 20, Keyframes: 12, Inferences: 15, Elapsed: 2 * time.Second}
	p.show(progressSnapshot{done: 4, total: 4, finished: true, summary: sum, hint: "Look between keyframes."})
	if p.bar.Value != 1 || !strings.HasPrefix(p.label.Text, "Done: 4 files (3 ok, 0 partial, 1 failed") || !strings.Contains(p.label.Text, " 2 answered from the library") ||
		!strings.Contains(p.label.Text, "20 frames (12 keyframes, 0 cut frames, 15 inferred)") || !strings.HasSuffix(p.label.Text, " Look between keyframes.") {
		t.Errorf("done: %.2f %q", p.bar.Value, p.label.Text)
	}
	p.show(progressSnapshot{done: 2, total: 4, frames: 9, finished: true, err: context.Canceled})
	if p.label.Text != "Stopped: 2 of 4 files done, 9 frames." {
		t.Errorf("stopped: %q", p.label.Text)
	}
	p.show(progressSnapshot{}) // a new run, before it knows its files
	if p.bar.Value != 0 || p.bar.text() != "" {
		t.Errorf("a new run: %.2f %q", p.bar.Value, p.bar.text())
	}
	// A watch: the bar and the line tell the same files.
	p.show(progressSnapshot{done: 1, watching: &scan.Watching{Folders: 1, Files: 2, Found: 1}})
	if p.bar.Value != 0.5 || p.bar.text() != "50%" || p.label.Text != "Watching 1 folder, 2 files (1 done) · 1 found since Start" {
		t.Errorf("watching: %.2f %q %q", p.bar.Value, p.bar.text(), p.label.Text)
	}
}

// TestEmptyProgressLooksEmpty: at launch nothing runs, and the progress
// bar looks empty (the grey of an empty field, no "0%"), not like a bar
// filled in the accent colour; full, it is filled.
func TestEmptyProgressLooksEmpty(t *testing.T) {
	withModel(t)
	u, _ := newTestUI(t)
	u.Window().Resize(fyne.NewSize(1280, 800))
	bar := u.progress.bar
	// A point a quarter into the bar, clear of its text and border.
	colourAt := func() int {
		img := u.Window().Canvas().Capture()
		scale := float32(img.Bounds().Dx()) / u.Window().Canvas().Size().Width
		pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(bar)
		p := image.Pt(int((pos.X+bar.Size().Width/4)*scale), int((pos.Y+bar.Size().Height/2)*scale))
		r, g, b, _ := img.At(p.X, p.Y).RGBA()
		return int(max(r, g, b)>>8) - int(min(r, g, b)>>8) // how coloured, 0 for grey
	}
	if c := colourAt(); c > 24 || bar.text() != "" {
		t.Errorf("the empty bar is coloured %d (0: grey) and says %q", c, bar.text())
	}
	artifactSizes(t, "progress-empty", u.Window())
	u.Window().Resize(fyne.NewSize(1280, 800))
	bar.SetValue(1)
	if c := colourAt(); c < 60 {
		t.Errorf("the full bar is coloured %d (0: grey)", c)
	}
}
