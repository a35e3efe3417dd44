package app

import (
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/vidsift/vidsift/engine/settings"
	"github.com/vidsift/vidsift/internal/testenv"
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
	t.Setenv(settings.EnvVar(settings.IoU), "2")
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

// TestSwitchesFromTable: every setting the table shows as a check box is
// one in the Settings panel, with the row's label; what the box says is
// what the next scan runs with, over VIDSIFT_*, and it comes back at the
// next start.
func TestSwitchesFromTable(t *testing.T) {
	withModel(t)
	var rows []settings.Setting
	for _, row := range settings.Table {
		if row.App.Kind == settings.Check {
			rows = append(rows, row)
			t.Setenv(settings.EnvVar(row.Key), "false") // each starts off, from the environment
		}
	}
	if len(rows) < 2 {
		t.Fatalf("%d check boxes in the table", len(rows))
	}
	u, _ := newTestUI(t)
	for _, row := range rows {
		c := u.settings.switches[row.Key]
		// A note in brackets goes under the box: "Rectangular inference (models of dynamic input size)".
		text, note := switchText(row.App.Label)
		if note != "" && text+" ("+note+")" != row.App.Label {
			t.Errorf("%s: %q split as %q and %q", row.Key, row.App.Label, text, note)
		}
		if c == nil || c.Text != text || c.Checked {
			t.Fatalf("%s: check box %+v, want %q off as VIDSIFT_* says", row.Key, c, row.App.Label)
		}
		if !shownIn(u.settings.box, c) {
			t.Errorf("%s: check box not in the panel", row.Key)
		}
		test.Tap(c)
		st, err := u.scanSettings()
		if err != nil || !*row.Field(&st).(*bool) {
			t.Errorf("%s ticked, the scan settings say %v (%v)", row.Key, *row.Field(&st).(*bool), err)
		}
	}
	u.saveState()
	again, _ := newTestUI(t)
	for _, row := range rows {
		if !again.settings.switches[row.Key].Checked {
			t.Errorf("%s ticked, but off again at the next start (the environment says off)", row.Key)
		}
	}
}

// shownIn reports whether o is c or holds it.
func shownIn(o fyne.CanvasObject, c fyne.CanvasObject) bool {
	if o == c {
		return true
	}
	if box, ok := o.(*fyne.Container); ok {
		for _, child := range box.Objects {
			if shownIn(child, c) {
				return true
			}
		}
	}
	return false
}

// TestStateBefore27: a state file as earlier versions wrote it (a field
// per setting) still gives the settings it held.
func TestStateBefore27(t *testing.T) {
	withModel(t)
	testenv.WriteFile(t, statePath(), []byte(`{"confidence":0.4,"workers":1,"classes":["dog"],"max_gap_s":5,"min_gap_s":0.5,"cuts":false,`+
		`"reuse_similar":false,"rect":false,"nats":"nats://hub.example:4222","on_cluster":true,"queue":["/videos"],"watch":false}`), 0o644)
	u, _ := newTestUI(t)
	s := u.settings
	p := s.sampling()
	if s.conf.Value != 0.4 || s.workerCount() != 1 || !s.classes()["dog"] || len(s.classes()) != 1 || p.MaxGap != 5 || p.MinGap != 0.5 || p.Cuts ||
		s.switches[settings.ReuseSimilar].Checked || s.rect.Checked || len(u.queue.paths) != 1 {
		t.Errorf("restored: conf %v workers %d classes %v sampling %+v reuse %v rect %v queue %v", s.conf.Value, s.workerCount(), s.classes(), p,
			s.switches[settings.ReuseSimilar].Checked, s.rect.Checked, u.queue.paths)
	}
	if url, _, ok := s.runOn.cluster(); !ok || url != "nats://hub.example:4222" {
		t.Errorf("run on %q %v", url, ok)
	}
}
