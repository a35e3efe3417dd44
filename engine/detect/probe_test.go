package detect

import (
	"image"
	_ "image/jpeg"
	_ "image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/vidsift/vidsift/engine/config"
	"github.com/vidsift/vidsift/engine/testenv"
)

func TestProbeDetect(t *testing.T) {
	if err := Init(filepath.Join(config.DataDir(), config.LibraryName)); err != nil {
		t.Fatal(err)
	}
	m, err := Load(testenv.Model(t), Options{IntraOpThreads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	t.Logf("in %dx%d names %d %v", m.InputW, m.InputH, len(m.Names), m.layout)
	b, _ := m.NewBuffers()
	defer b.Free()
	files, _ := filepath.Glob(testenv.Shared(t, "testdata/photos") + "/*")
	for _, p := range files {
		f, _ := os.Open(p)
		img, _, err := image.Decode(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		bd := img.Bounds()
		lb := m.Letterbox(bd.Dx(), bd.Dy())
		// naive nearest resize for probing
		rgb := make([]byte, lb.ResizedW*lb.ResizedH*3)
		for y := 0; y < lb.ResizedH; y++ {
			for x := 0; x < lb.ResizedW; x++ {
				r, g, bb, _ := img.At(bd.Min.X+x*bd.Dx()/lb.ResizedW, bd.Min.Y+y*bd.Dy()/lb.ResizedH).RGBA()
				o := (y*lb.ResizedW + x) * 3
				rgb[o], rgb[o+1], rgb[o+2] = byte(r>>8), byte(g>>8), byte(bb>>8)
			}
		}
		b.Prepare(lb, rgb)
		dets, err := m.Infer(b, 0.25, 0.7)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range dets {
			t.Logf("%s %s %.2f %.0f", filepath.Base(p), d.Class, d.Confidence, d.Box)
		}
	}
}
