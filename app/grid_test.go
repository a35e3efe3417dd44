package app

import (
	"fmt"
	"image"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/vidsift/vidsift/engine/config"
	"github.com/vidsift/vidsift/engine/detect"
	"github.com/vidsift/vidsift/engine/pipeline"
)

// BenchmarkRedrawDuringRun measures one redraw of the window as a run
// posts it: a keyframe arrives, then refreshAll runs on the main goroutine
// with a full screen of thumbnails. A run redraws up to 20 times a second,
// so this must stay far below 50 ms or the window lags behind the scan.
func BenchmarkRedrawDuringRun(b *testing.B) {
	b.Setenv("VIDSIFT_MODEL", "")
	b.Setenv("XDG_DATA_HOME", b.TempDir())
	b.Setenv("XDG_CONFIG_HOME", b.TempDir())
	v, err := config.New()
	if err != nil {
		b.Fatal(err)
	}
	loop := &mainLoop{fns: make(chan func(), 1<<16)}
	u := New(test.NewTempApp(b), Options{Do: loop.do, Config: v, CacheDir: b.TempDir()})
	defer u.coll.Close()
	u.Window().Resize(fyne.NewSize(1280, 800))
	thumb := image.NewRGBA(image.Rect(0, 0, 320, 180))
	n := 0
	add := func() {
		path := fmt.Sprintf("/clips/%03d.mp4", n/8)
		u.coll.Add(pipeline.KeyframeAnalysed{Path: path, Keyframe: pipeline.Keyframe{
			Index: n % 8, Time: float64(n%8) * 2, Width: 1280, Height: 720, Thumbnail: thumb,
			Detections: []detect.Detection{
				{Class: "person", Confidence: 0.9, Box: detect.Box{100, 100, 400, 600}},
				{Class: "dog", Confidence: 0.6, Box: detect.Box{600, 300, 900, 650}},
			},
		}})
		n++
	}
	for i := 0; i < 800; i++ {
		add()
	}
	u.refreshAll()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		add()
		u.refreshAll()
	}
	b.StopTimer()
	if len(u.Shown()) != n {
		b.Fatalf("grid shows %d of %d keyframes", len(u.Shown()), n)
	}
}
