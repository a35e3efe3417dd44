package app

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"golang.org/x/image/draw"

	"github.com/vidsift/vidsift/engine/config"
	"github.com/vidsift/vidsift/engine/scan"
	"github.com/vidsift/vidsift/internal/testenv"
)

// BenchmarkRedrawDuringRun measures one redraw of the window as a run
// posts it, 10,000 keyframes in: a keyframe arrives, then refreshAll runs
// on the main goroutine with a full screen of thumbnails. A run redraws up
// to 20 times a second, so this must stay far below 50 ms. It also reports
// the Go heap holding those 10,000 items with their thumbnails (real
// photos at 320 px, kept as JPEG within the app's 256 MiB budget).
func BenchmarkRedrawDuringRun(b *testing.B) {
	testenv.Isolate(b)
	v, err := config.New()
	if err != nil {
		b.Fatal(err)
	}
	photos, _ := filepath.Glob(filepath.Join(shared(b, "testdata/photos"), "*.jpg"))
	var thumbs []*image.RGBA
	var jpegs [][]byte // as the pipeline sends them when a library is on (the default)
	for _, p := range photos {
		f, err := os.Open(p)
		if err != nil {
			b.Fatal(err)
		}
		src, _, err := image.Decode(f)
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
		sb := src.Bounds()
		t := image.NewRGBA(image.Rect(0, 0, 320, 320*sb.Dy()/sb.Dx()))
		draw.ApproxBiLinear.Scale(t, t.Bounds(), src, sb, draw.Src, nil)
		thumbs = append(thumbs, t)
		var jpg bytes.Buffer
		if err := jpeg.Encode(&jpg, t, &jpeg.Options{Quality: 80}); err != nil {
			b.Fatal(err)
		}
		jpegs = append(jpegs, jpg.Bytes())
	}
	if len(thumbs) == 0 {
		b.Fatal("no shared photos")
	}
	loop := &mainLoop{fns: make(chan func(), 1<<16)}
	u := New(test.NewTempApp(b), Options{Do: loop.do, Config: v, CacheDir: b.TempDir()})
	defer u.coll.Close()
	u.Window().Resize(fyne.NewSize(1280, 800))
	n := 0
	add := func() {
		path := fmt.Sprintf("/clips/%04d.mp4", n/8)
		u.coll.Add(scan.FrameAnalysed{Path: path, Thumbnail: thumbs[n%len(thumbs)], JPEG: bytes.Clone(jpegs[n%len(jpegs)]), Frame: scan.Frame{
			Index: n % 8, Time: float64(n%8) * 2, Width: 1280, Height: 720,
			Detections: []scan.Detection{
				{Class: "person", Confidence: 0.9, Box: scan.Box{100, 100, 400, 600}},
				{Class: "dog", Confidence: 0.6, Box: scan.Box{600, 300, 900, 650}},
			},
		}})
		n++
	}
	for i := 0; i < 10000; i++ {
		add()
	}
	u.refreshAll()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		add()
		u.refreshAll()
	}
	b.StopTimer()
	b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MB")
	if len(u.Shown()) != n {
		b.Fatalf("grid shows %d of %d keyframes", len(u.Shown()), n)
	}
}
