package app

import (
	"context"
	"strings"
	"testing"
	"time"

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
}
