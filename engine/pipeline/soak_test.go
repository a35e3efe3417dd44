//go:build !race

// The soak test measures memory, which the race detector's shadow memory
// would distort; `make test` runs it without -race.

package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/vidsift/vidsift/engine/detect"
	"github.com/vidsift/vidsift/engine/ocr"
	"github.com/vidsift/vidsift/engine/scan"
	"github.com/vidsift/vidsift/internal/testenv"
)

// TestSoak scans 100 files (links to the shared clips and text fixtures)
// twice in one process, with the default model (the dynamic int8 export)
// on each frame's own rectangle and text read: the second pass must not
// grow RSS or the Go heap by 10% or more over the first, or FFmpeg frames,
// packets or ONNX tensors are leaking; and once the models are closed no
// ONNX object is left.
func TestSoak(t *testing.T) {
	videos, _ := filepath.Glob(filepath.Join(testenv.Shared(t, "testdata/videos"), "*"))
	// Long GOPs too, so gap frames' buffered packets and held frames are
	// allocated and freed thousands of times; and with the shared clips'
	// 16:9, 4:3 and 2.35:1, a portrait clip: shapes come and go in every
	// stream's tensors.
	videos = append(videos, testenv.Fixture(t, "static_10s_gop.mp4"), testenv.Fixture(t, "one_keyframe_person.mkv"),
		testenv.Fixture(t, "aspect/portrait_9x16.mp4"), testenv.Fixture(t, "text/lower_third.mp4"),
		testenv.Fixture(t, "text/pan_mall_sale_sign.mp4"))
	dir := t.TempDir()
	for i := 0; i < 100; i++ {
		v := videos[i%len(videos)]
		if err := os.Symlink(v, filepath.Join(dir, fmt.Sprintf("%03d_%s", i, filepath.Base(v)))); err != nil {
			t.Fatal(err)
		}
	}
	cfg := testConfig(t, runtime.NumCPU(), runtime.NumCPU())
	before := detect.OpenObjects()
	m, err := detect.Load(testenv.Shared(t, "models/yolov8n_int8_dynamic.onnx"), detect.Options{IntraOpThreads: 1})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Detector, cfg.Rect = m, true
	textBefore := ocr.OpenObjects()
	reader, err := ocr.Load(testenv.Shared(t, "models/ocr"), ocr.Options{Session: detect.Options{IntraOpThreads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	cfg.TextReader, cfg.Text = reader, scan.DefaultParams().Text
	cfg.Thumbs = JPEGThumbs
	cfg.Sampling, cfg.ReuseSimilar = defaultSampling, true // the defaults
	// Each pass drains its events as a consumer would, keeping nothing, then
	// hands freed Go memory back so RSS shows what is really held.
	pass := func() (rssKB, heap uint64, files int) {
		var sum scan.Summary
		for ev := range Run(context.Background(), cfg, []string{dir}) {
			if f, ok := ev.(scan.RunFinished); ok {
				sum = f.Summary
			}
		}
		if sum.OK != 100 || sum.TextFrames == 0 {
			t.Fatalf("%d of 100 files ok, text read in %d frames", sum.OK, sum.TextFrames)
		}
		debug.FreeOSMemory()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return currentRSS(t), ms.HeapAlloc, sum.Files
	}
	rss1, heap1, _ := pass()
	rss2, heap2, _ := pass()
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	t.Logf("after pass 1: RSS %d KB, Go heap %d KB; after pass 2: RSS %d KB, Go heap %d KB; peak RSS %d MB",
		rss1, heap1>>10, rss2, heap2>>10, ru.Maxrss>>10)
	if float64(rss2) > 1.1*float64(rss1) {
		t.Errorf("RSS grew from %d to %d KB over a second pass of the same files", rss1, rss2)
	}
	// A drained run leaves well under a megabyte of Go heap, where 10% is
	// noise: allow 1 MiB of slack there.
	if float64(heap2) > max(1.1*float64(heap1), float64(heap1)+1<<20) {
		t.Errorf("Go heap grew from %d to %d bytes over a second pass", heap1, heap2)
	}
	m.Close()
	if open := detect.OpenObjects(); open != before {
		t.Errorf("%d ONNX Runtime objects open after the runs, %d before", open, before)
	}
	reader.Close()
	if open := ocr.OpenObjects(); open != textBefore {
		t.Errorf("%d text ONNX Runtime objects open after the runs, %d before", open, textBefore)
	}
}

// currentRSS reads this process's resident set size in KiB.
func currentRSS(t *testing.T) uint64 {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			n, _ := strconv.ParseUint(f[1], 10, 64)
			return n
		}
	}
	t.Fatal("no VmRSS in /proc/self/status")
	return 0
}
