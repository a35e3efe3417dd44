package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDropRefusesNonMedia: a dropped .csv beside a video is not queued
// (it would only fail after Start): a line under the queue names it, and
// goes with the next drop of media only.
func TestDropRefusesNonMedia(t *testing.T) {
	withModel(t)
	u, _ := newTestUI(t)
	csv := filepath.Join(t.TempDir(), "detections.csv")
	if err := os.WriteFile(csv, []byte("path,time\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	video := fixture(t, "h264.mp4")
	drop(u, csv, video)
	if len(u.queue.paths) != 1 || u.queue.paths[0] != video {
		t.Errorf("queued %q, want the video only", u.queue.paths)
	}
	if said := u.queue.refused.Text; !u.queue.refused.Visible() || said != "Not queued: detections.csv is not a video or photo." {
		t.Errorf("the queue says %q (shown %v)", said, u.queue.refused.Visible())
	}
	artifactSizes(t, "drop-refused", u.Window())

	drop(u, filepath.Dir(video)) // a folder: queued, whatever it holds
	if len(u.queue.paths) != 2 || u.queue.refused.Visible() {
		t.Errorf("after dropping a folder: queued %q, the refusal shown %v", u.queue.paths, u.queue.refused.Visible())
	}
	if strings.Contains(strings.Join(u.queue.paths, "\n"), ".csv") {
		t.Errorf("a .csv was queued: %q", u.queue.paths)
	}
}
