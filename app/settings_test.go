package app

import (
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"github.com/vidsift/vidsift/engine/config"
)

// TestRectSetting: the Settings show rectangular inference; the model line
// says how the model runs ("square 640×640" for a model of fixed input
// size, "rectangular, stride 32" for a dynamic one while the switch is on);
// a scan records the mode it used, and the switch is remembered.
func TestRectSetting(t *testing.T) {
	withModel(t)
	u, loop := newTestUI(t)
	if !u.settings.rect.Checked || !strings.Contains(u.settings.modelInfo.Text, "runs square 640×640") {
		t.Errorf("static model, rect %v: %q", u.settings.rect.Checked, u.settings.modelInfo.Text)
	}
	u.loadModel(shared(t, "models/yolov8n_int8_dynamic.onnx"))
	loop.until(t, "the dynamic model", func() bool { return strings.Contains(u.settings.modelInfo.Text, "yolov8n_int8_dynamic") })
	if !strings.Contains(u.settings.modelInfo.Text, "runs rectangular, stride 32") {
		t.Errorf("dynamic model: %q", u.settings.modelInfo.Text)
	}
	u.settings.rect.SetChecked(false)
	if !strings.Contains(u.settings.modelInfo.Text, "runs square 640×640") {
		t.Errorf("switched off: %q", u.settings.modelInfo.Text)
	}
	u.settings.rect.SetChecked(true)

	drop(u, shared(t, "testdata/photos/coffee_cup.png"))
	test.Tap(u.toolbar.start)
	loop.until(t, "the run to finish", func() bool { return u.coll.Summary().Files == 1 && !u.activity.Running() })
	out := filepath.Join(t.TempDir(), "rect.json")
	if err := u.ExportTo(out, "json", false); err != nil {
		t.Fatal(err)
	}
	if doc := readJSON(t, out); !doc.Settings.Switch("rect") || doc.Files[0].Status != "ok" {
		t.Errorf("export: rect %v, %+v", doc.Settings.Switch("rect"), doc.Files[0])
	}

	u.settings.rect.SetChecked(false)
	u.saveState()
	again, _ := newTestUI(t)
	if again.settings.rect.Checked {
		t.Error("rectangular inference switched off, but back on at the next start")
	}
}

// TestInvalidConfigShown: scan settings in VIDSIFT_* (or config.yaml) that
// do not validate are shown in the Settings panel, and Start refuses them
// with the reason instead of scanning with other settings.
func TestInvalidConfigShown(t *testing.T) {
	withModel(t)
	t.Setenv(config.EnvVar(config.IoU), "2")
	u, _ := newTestUI(t)
	if !u.settings.problem.Visible() || !strings.Contains(u.settings.problem.Text, "iou must be in (0, 1]") {
		t.Errorf("settings problem %v %q", u.settings.problem.Visible(), u.settings.problem.Text)
	}
	drop(u, shared(t, "testdata/photos/coffee_cup.png"))
	test.Tap(u.toolbar.start)
	if u.activity.Running() || u.lastRun != nil {
		t.Fatal("a scan started with settings that do not validate")
	}
	if top := u.Window().Canvas().Overlays().Top(); top == nil {
		t.Error("Start said nothing")
	}
}
