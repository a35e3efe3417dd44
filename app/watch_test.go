package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
)

// shownOf is what the grid shows of path: its frames' classes, in order.
func shownOf(u *UI, path string) []string {
	var out []string
	for _, id := range u.Shown() {
		it := u.coll.Item(id)
		if it.Path != path {
			continue
		}
		var classes []string
		for _, d := range it.Detections {
			classes = append(classes, d.Class)
		}
		out = append(out, strings.Join(classes, ","))
	}
	return out
}

// TestWatchFolders: with "Watch these folders" on, Start scans the queue
// and keeps watching: a file copied in appears in the grid, a file
// rewritten in place replaces its frames, Stop ends watching, and the
// next start of the app resumes watching once the library is loaded.
func TestWatchFolders(t *testing.T) {
	withModel(t)
	read := func(name string) []byte {
		b, err := os.ReadFile(shared(t, "testdata/videos/"+name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.mp4"), filepath.Join(dir, "b.mp4")
	if err := os.WriteFile(a, read("plant_cup_realshort.mp4"), 0o644); err != nil {
		t.Fatal(err)
	}
	u, loop := newTestUI(t)
	drop(u, dir)
	test.Tap(u.queue.watch)
	test.Tap(u.toolbar.start)
	loop.until(t, "a's frames", func() bool { return len(shownOf(u, a)) > 0 })
	loop.until(t, "the watching line", func() bool { return strings.Contains(u.progress.label.Text, "Watching 1 folder, 1 file") })
	before := shownOf(u, a)

	if err := os.WriteFile(b, read("street_bikes_h264.mp4"), 0o644); err != nil {
		t.Fatal(err)
	}
	loop.until(t, "the copied file's frames", func() bool { return len(shownOf(u, b)) > 0 })
	// b counts among the files watched from when it is found, so the
	// line never says more done than watched.
	loop.until(t, "b done", func() bool { return strings.Contains(u.progress.label.Text, "Watching 1 folder, 2 files (2 done)") })

	if err := os.WriteFile(a, read("dog_person_vp9.webm"), 0o644); err != nil { // rewritten in place
		t.Fatal(err)
	}
	loop.until(t, "a's new frames", func() bool { return strings.Contains(strings.Join(shownOf(u, a), ","), "dog") })
	// Finished, and the grid redrawn since (redraws are batched).
	loop.until(t, "a finished and shown", func() bool {
		f, ok := u.coll.File(a)
		return ok && f.Status != "" && len(f.Items) == len(shownOf(u, a))
	})
	if now := shownOf(u, a); strings.Contains(strings.Join(now, ","), "potted plant") || len(now) == 0 {
		t.Errorf("a's frames after the rewrite: %q (before: %q); want the new clip's only", now, before)
	}
	test.Tap(u.toolbar.stop)
	loop.until(t, "watching to stop", func() bool { return !u.activity.Running() })
	loop.until(t, "the stopped line", func() bool { return strings.HasPrefix(u.progress.label.Text, "Stopped watching") })
	// a, scanned twice, counts once: done are the files watched, as the bar says.
	if said := u.progress.label.Text; !strings.HasPrefix(said, "Stopped watching: 2 files done,") || u.progress.bar.Value != 1 {
		t.Errorf("after a, b and a again: %q, the bar at %.2f", said, u.progress.bar.Value)
	}
	u.Shutdown()

	// The next start resumes watching the saved queue.
	again, loop2 := newTestUI(t)
	if len(again.queue.paths) != 1 || !again.queue.watch.Checked {
		t.Fatalf("the next start's queue: %v, watch %v", again.queue.paths, again.queue.watch.Checked)
	}
	loop2.until(t, "watching to resume", func() bool { return strings.Contains(again.progress.label.Text, "Watching 1 folder, 2 files") })
	loop2.until(t, "both answered from the library", func() bool {
		return strings.Contains(again.progress.label.Text, "Watching 1 folder, 2 files (2 done)") && again.progress.bar.Value == 1
	})
}
