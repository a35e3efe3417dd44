package app

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/vidsift/vidsift/engine/settings"
	"github.com/vidsift/vidsift/internal/testenv"
)

// TestExportSaysHowItWasMade: Export JSON writes the settings the results
// were made with — after a scan with Custom sampling (max gap 1 s, min
// gap 0, reuse off), and in a freshly started app that only loaded the
// library (whose rows say how each file was made; workers and threads
// are not recorded there).
func TestExportSaysHowItWasMade(t *testing.T) {
	withModel(t)
	t.Setenv(settings.EnvVar(settings.Threads), "2")
	videos := shared(t, "testdata/videos")
	u, loop := newTestUI(t)
	u.settings.workers.SetSelected("1")
	u.settings.samples.preset.SetSelected(customSampling)
	u.settings.samples.maxGap.SetText("1")
	u.settings.samples.minGap.SetText("0")
	u.settings.switches[settings.ReuseSimilar].SetChecked(false)
	drop(u, videos)
	test.Tap(u.toolbar.start)
	loop.until(t, "the run to finish", func() bool { return u.coll.Summary().Files == 5 && !u.activity.Running() })

	const made = `{"confidence":0.25,"iou":0.7,"classes":[],"workers":1,"threads":2,"max_gap_s":1,"min_gap_s":0,"reuse_similar":false,"cuts":true,"rect":false}`
	check := func(u *UI, want string, modelPath string) {
		t.Helper()
		out := filepath.Join(t.TempDir(), "export.json")
		if err := u.ExportTo(out, "json", false); err != nil {
			t.Fatal(err)
		}
		doc := readJSON(t, out)
		testenv.SettingsHold(t, doc.Settings, want)
		if len(doc.Files) != 5 || doc.Files[0].Settings != nil {
			t.Errorf("%d files, the first with settings of its own: %+v", len(doc.Files), doc.Files[0].Settings)
		}
		if m := doc.Model; m.SHA256 != u.currentModel().SHA256 || m.InputSize != [2]int{640, 640} || m.Path != modelPath ||
			!slices.Equal(m.Classes, u.currentModel().Names) {
			t.Errorf("model %+v", m)
		}
		// Reuse was off: every frame was inferred.
		for _, f := range doc.Files {
			for _, k := range f.Frames {
				if k.SameAs != nil {
					t.Errorf("%s: frame %d reused with reuse off", f.Path, k.Index)
				}
			}
		}
	}
	check(u, made, u.currentModel().Path)
	u.library.Close()
	u.library = nil

	fresh, _ := newTestUI(t)
	if got, _ := fresh.coll.FileCounts(); got != 5 {
		t.Fatalf("the fresh app loaded %d files from the library", got)
	}
	fromLibrary := strings.Replace(made, `"workers":1,"threads":2`, `"workers":0,"threads":0`, 1)
	check(fresh, fromLibrary, "")
}
