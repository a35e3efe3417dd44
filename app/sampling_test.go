package app

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"github.com/vidsift/vidsift/engine/results"
	"github.com/vidsift/vidsift/engine/scan"
	"github.com/vidsift/vidsift/engine/settings"
)

// TestSamplingSetting: the Sampling presets decide which frames a scan
// analyses; keyframes only on a 10 s GOP says which setting looks between
// keyframes; the detail view tells gap frames from keyframes and gives the
// keyframe interval; the choice is remembered.
func TestSamplingSetting(t *testing.T) {
	withModel(t)
	video := fixture(t, "static_10s_gop.mp4") // 30 s, a keyframe every 10 s
	u, loop := newTestUI(t)
	if got := u.settings.samples.preset.Selected; got != "Balanced" {
		t.Errorf("default preset %q", got)
	}
	scanVideo := func() {
		t.Helper()
		drop(u, video)
		test.Tap(u.toolbar.start)
		loop.until(t, "the run to finish", func() bool { return !u.activity.Running() && u.coll.Summary().Files == 1 })
	}

	u.settings.samples.preset.SetSelected("Keyframes only (fastest)")
	if p := u.settings.sampling(); p.MaxGap != 0 || p.Cuts {
		t.Errorf("keyframes only: max gap %v, cuts %v", p.MaxGap, p.Cuts)
	}
	scanVideo()
	if n := len(u.Shown()); n != 3 {
		t.Errorf("keyframes only: %d frames shown, want 3", n)
	}
	if !strings.Contains(u.progress.label.Text, `keyframes lie up to 10 s apart`) || !strings.Contains(u.progress.label.Text, `"Balanced"`) {
		t.Errorf("no hint: %q", u.progress.label.Text)
	}

	u.settings.samples.preset.SetSelected("Balanced")
	scanVideo()
	if n := len(u.Shown()); n != 15 {
		t.Errorf("balanced: %d frames shown, want 15 (every 2 s of 30 s)", n)
	}
	if strings.Contains(u.progress.label.Text, "Balanced") {
		t.Errorf("a hint with gap frames on: %q", u.progress.label.Text)
	}
	gap := -1 // the grid's position of a gap frame the model ran on
	for pos, id := range u.Shown() {
		if it := u.coll.Item(id); it.Kind != scan.KeyFrame && !it.Reused && gap < 0 {
			gap = pos
		}
	}
	if gap < 0 {
		t.Fatal("no inferred gap frame shown")
	}
	u.detail.open(gap)
	if info := u.detail.info.Text; !strings.Contains(info, "gap frame") || !strings.Contains(info, "keyframes up to 10.0 s apart") {
		t.Errorf("detail: %q", info)
	}
	if c := caption(u.coll.Item(u.Shown()[gap]), u.query()); !strings.Contains(c, "(gap)") {
		t.Errorf("caption %q does not mark the gap frame", c)
	}
	loop.until(t, "the sharp gap frame", func() bool { return u.detail.img.Image != nil && u.detail.img.Image.Bounds().Dx() > 320 })
	u.detail.win.Resize(fyne.NewSize(1280, 760))
	artifact(t, "05-gap-frame.png", u.detail.win)
	u.detail.close()

	// Cut frames: on in Balanced and Thorough, a switch in Custom.
	for _, preset := range []string{"Balanced", "Thorough"} {
		u.settings.samples.preset.SetSelected(preset)
		if p := u.settings.sampling(); !p.Cuts {
			t.Errorf("%s: no cut frames", preset)
		}
	}
	cut := results.Item{Path: video, Frame: scan.Frame{Time: 12.5, Kind: scan.CutFrame}}
	if c := caption(cut, u.query()); !strings.Contains(c, "(cut)") {
		t.Errorf("caption %q does not mark the cut frame", c)
	}
	if k := frameKind(cut); !strings.Contains(k, "cut frame") {
		t.Errorf("detail of a cut frame: %q", k)
	}

	u.settings.samples.preset.SetSelected(customSampling)
	if u.settings.samples.cuts.Hidden || !u.settings.samples.cuts.Visible() {
		t.Error("Custom shows no cut-frame switch")
	}
	u.settings.samples.maxGap.SetText("5")
	u.settings.samples.cuts.SetChecked(false)
	u.saveState()
	loop2 := &mainLoop{fns: make(chan func(), 64)}
	u2 := New(u.app, Options{Do: loop2.do, Config: u.cfg, CacheDir: t.TempDir()})
	if p, reuse := u2.settings.sampling(), u2.settings.switches[settings.ReuseSimilar].Checked; p.MaxGap != 5 || p.MinGap != 0.5 || p.Cuts || !reuse || u2.settings.samples.preset.Selected != customSampling {
		t.Errorf("restored sampling %+v reuse %v preset %q", p, reuse, u2.settings.samples.preset.Selected)
	}
	loop2.until(t, "the model to load", func() bool { return u2.currentModel() != nil })
}
