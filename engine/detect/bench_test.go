package detect

import (
	"fmt"
	"runtime"
	"sync"
	"testing"

	"github.com/vidsift/vidsift/internal/testenv"
)

// BenchmarkInferLayouts compares ways to spend the machine's cores on one
// shared session: G goroutines calling Run at once, each Run using T
// intra-op threads. It reports keyframes/s and ms per keyframe.
func BenchmarkInferLayouts(b *testing.B) {
	if err := Init(testenv.Library(b)); err != nil {
		b.Fatal(err)
	}
	n := runtime.NumCPU()
	layouts := [][2]int{{n, 1}, {1, n}, {1, 0}}
	if n > 2 {
		layouts = append(layouts, [2]int{n / 2, 2})
	}
	for _, name := range []string{"yolov8n.onnx", "yolov8n_int8.onnx"} {
		for _, l := range layouts {
			goroutines, intra := l[0], l[1]
			b.Run(fmt.Sprintf("%s/goroutines=%d/intra=%d", name, goroutines, intra), func(b *testing.B) {
				m, err := Load(testenv.Shared(b, "models/"+name), Options{IntraOpThreads: intra})
				if err != nil {
					b.Fatal(err)
				}
				defer m.Close()
				bufs := make([]*Buffers, goroutines)
				for i := range bufs {
					if bufs[i], err = m.NewBuffers(); err != nil {
						b.Fatal(err)
					}
					defer bufs[i].Free()
					lb, _ := m.Letterbox(1280, 720, false)
					rgb := make([]byte, lb.ResizedW*lb.ResizedH*3)
					for j := range rgb {
						rgb[j] = byte(j * 7)
					}
					if err := bufs[i].Prepare(lb, rgb); err != nil {
						b.Fatal(err)
					}
				}
				b.ResetTimer()
				var wg sync.WaitGroup
				per := (b.N + goroutines - 1) / goroutines
				for g := 0; g < goroutines; g++ {
					wg.Add(1)
					go func(buf *Buffers) {
						defer wg.Done()
						for i := 0; i < per; i++ {
							if _, err := m.Infer(buf, 0.25, 0.7); err != nil {
								b.Error(err)
								return
							}
						}
					}(bufs[g])
				}
				wg.Wait()
				frames := per * goroutines
				b.ReportMetric(float64(frames)/b.Elapsed().Seconds(), "keyframes/s")
				b.ReportMetric(b.Elapsed().Seconds()*1000/float64(frames), "ms/keyframe")
			})
		}
	}
}
