package watch

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vidsift/vidsift/engine/detect"
	"github.com/vidsift/vidsift/engine/pipeline"
	"github.com/vidsift/vidsift/engine/scan"
	"github.com/vidsift/vidsift/engine/store"
	"github.com/vidsift/vidsift/internal/testenv"
)

var (
	modelOnce sync.Once
	model     *detect.Model
	modelErr  error
)

func testConfig(t *testing.T) pipeline.Config {
	t.Helper()
	lib, path := testenv.Library(t), testenv.Model(t)
	modelOnce.Do(func() {
		if modelErr = detect.Init(lib); modelErr == nil {
			model, modelErr = detect.Load(path, detect.Options{IntraOpThreads: 1})
		}
	})
	if modelErr != nil {
		t.Fatal(modelErr)
	}
	return pipeline.NewConfig(model, nil, scan.Settings{Params: scan.DefaultParams(), Workers: 2, Threads: 2, IntraOpThreads: 1})
}

// until reads events until done says so, failing after a bound.
func until(t *testing.T, events <-chan scan.Event, what string, done func(scan.Event) bool) {
	t.Helper()
	deadline := time.After(3 * time.Minute)
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				t.Fatalf("the watch ended before %s", what)
			}
			if done(ev) {
				return
			}
		case <-deadline:
			t.Fatalf("no %s within 3 minutes", what)
		}
	}
}

// TestManyAtOnce: 2,000 files dropped at once are each scanned once, in
// batches, with no goroutine per waiting file.
func TestManyAtOnce(t *testing.T) {
	cfg := testConfig(t)
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	events := Run(ctx, cfg, []string{dir}, Options{Settle: 500 * time.Millisecond})
	until(t, events, "the watching status", func(ev scan.Event) bool { _, ok := ev.(scan.Watching); return ok })
	const n = 2000
	before := runtime.NumGoroutine()
	for i := 0; i < n; i++ {
		testenv.WriteFile(t, filepath.Join(dir, fmt.Sprintf("drop%04d.mp4", i)), []byte("not a video"), 0o644)
	}
	seen := map[string]int{}
	most := 0
	until(t, events, fmt.Sprintf("%d results", n), func(ev scan.Event) bool {
		most = max(most, runtime.NumGoroutine())
		if f, ok := ev.(scan.FileFinished); ok {
			seen[f.Result.Path]++
			if f.Result.Status != scan.StatusFailed || !strings.Contains(f.Result.Error, "cannot open") {
				t.Errorf("%s: %s %q", f.Result.Path, f.Result.Status, f.Result.Error)
			}
		}
		return len(seen) == n
	})
	for p, c := range seen {
		if c != 1 {
			t.Errorf("%s reported %d times", p, c)
		}
	}
	if most-before > 100 {
		t.Errorf("%d goroutines while %d files waited (%d before)", most, n, before)
	}
}

// TestFolderGoneAndBack: a watched folder that goes is said once, the
// others stay watched, and it is watched again when it returns.
func TestFolderGoneAndBack(t *testing.T) {
	cfg := testConfig(t)
	base := t.TempDir()
	a, b := filepath.Join(base, "a"), filepath.Join(base, "b")
	os.MkdirAll(a, 0o755)
	os.MkdirAll(b, 0o755)
	clip, err := os.ReadFile(testenv.Shared(t, "testdata/videos/plant_cup_realshort.mp4"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	events := Run(ctx, cfg, []string{a, b}, Options{Settle: 500 * time.Millisecond})
	until(t, events, "the watching status", func(ev scan.Event) bool {
		w, ok := ev.(scan.Watching)
		return ok && w.Folders == 2
	})
	away := filepath.Join(base, "away")
	if err := os.Rename(b, away); err != nil { // unmounted, say
		t.Fatal(err)
	}
	until(t, events, "word that b went", func(ev scan.Event) bool {
		n, ok := ev.(scan.Notice)
		return ok && strings.Contains(n.Text, b+" is not there")
	})
	finished := func(path string) func(scan.Event) bool {
		return func(ev scan.Event) bool {
			f, ok := ev.(scan.FileFinished)
			if ok && f.Result.Path == path && f.Result.Status != scan.StatusOK {
				t.Errorf("%s: %s %q", path, f.Result.Status, f.Result.Error)
			}
			return ok && f.Result.Path == path
		}
	}
	testenv.WriteFile(t, filepath.Join(a, "1.mp4"), clip, 0o644)
	until(t, events, "a's new file", finished(filepath.Join(a, "1.mp4")))
	if err := os.Rename(away, b); err != nil {
		t.Fatal(err)
	}
	until(t, events, "word that b is back", func(ev scan.Event) bool {
		n, ok := ev.(scan.Notice)
		return ok && strings.Contains(n.Text, b+" is back")
	})
	testenv.WriteFile(t, filepath.Join(b, "2.mp4"), clip, 0o644)
	until(t, events, "b's new file", finished(filepath.Join(b, "2.mp4")))
}

// TestStillWritten: a file still growing after the file timeout is
// scanned as it stands (shown partial, not kept), and again, kept, once
// it settles.
func TestStillWritten(t *testing.T) {
	cfg := testConfig(t)
	cfg.FileTimeout = 2 * time.Second
	lib, err := store.Open(filepath.Join(t.TempDir(), store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	cfg.Library = lib.ForRun(cfg.Params, false)
	dir := t.TempDir()
	clip, err := os.ReadFile(testenv.Shared(t, "testdata/videos/dog_person_vp9.webm"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	events := Run(ctx, cfg, []string{dir}, Options{Settle: time.Second})
	until(t, events, "the watching status", func(ev scan.Event) bool { _, ok := ev.(scan.Watching); return ok })
	path := filepath.Join(dir, "camera.webm")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	// Write a chunk at a time, a little faster than the settle time,
	// until the watch reports the file as it stands.
	written, chunk := 0, 4096
	var first scan.FileResult
	for first.Path == "" {
		if written < len(clip)/2 {
			f.Write(clip[written : written+chunk])
			written += chunk
		} else {
			f.Write([]byte{0}) // the clip is not done: keep it changing
		}
		select {
		case ev := <-events:
			if fin, ok := ev.(scan.FileFinished); ok && fin.Result.Path == path {
				first = fin.Result
			}
		case <-time.After(300 * time.Millisecond):
		}
	}
	if first.Status == scan.StatusOK || first.Status == scan.StatusPartial && first.Error != StillWritten {
		t.Errorf("scanned while written: %s %q; want partial (%q) or failed", first.Status, first.Error, StillWritten)
	}
	if st, _ := lib.Stats(); st.Files != 0 {
		t.Errorf("the library kept %d results of a file still being written", st.Files)
	}
	f.Truncate(0)
	f.WriteAt(clip, 0)
	f.Close()
	until(t, events, "the settled file's result", func(ev scan.Event) bool {
		fin, ok := ev.(scan.FileFinished)
		if ok && fin.Result.Path == path && fin.Result.Status != scan.StatusOK {
			t.Errorf("after settling: %s %q", fin.Result.Status, fin.Result.Error)
		}
		return ok && fin.Result.Path == path
	})
	if st, _ := lib.Stats(); st.Files != 1 || st.ByStatus["ok"] != 1 {
		t.Errorf("the library after the file settled: %+v", st)
	}
}
