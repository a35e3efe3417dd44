package detect

import (
	"fmt"
	"image"
	_ "image/jpeg"
	_ "image/png"
	"os"
	"path/filepath"
	"testing"

	ort "github.com/yalue/onnxruntime_go"
	"golang.org/x/image/draw"

	"github.com/vidsift/vidsift/engine/scan"
	"github.com/vidsift/vidsift/internal/testenv"
)

// TestUnfitShapesAvoided: a shape at which the model finds sure objects
// on a blank canvas is passed over for the next larger one, up to the
// full input; a healthy shape is used as it is. The blank canvas's score
// is injected: whether a given CPU's kernels compute a shape wrongly is
// that CPU's business (TestRectMatchesFloat32 holds the real choice to
// the float32 model on whatever CPU runs it).
func TestUnfitShapesAvoided(t *testing.T) {
	cases := []struct {
		name   string
		unfit  func(h, w int) bool
		w, h   int
		wantW  int
		wantH  int
		probed []string
	}{
		{"healthy 448 rows", func(h, w int) bool { return false }, 451, 300, 640, 448, []string{"640×448"}},
		{"unfit 448 rows", func(h, w int) bool { return h == 448 }, 451, 300, 640, 480, []string{"640×448", "640×480"}},
		{"unfit 448 columns", func(h, w int) bool { return w == 448 }, 300, 451, 480, 640, []string{"448×640", "480×640"}},
		{"unfit below the full size", func(h, w int) bool { return h < 640 }, 451, 300, 640, 640, []string{"640×448", "640×480", "640×512", "640×544", "640×576", "640×608"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := loadShared(t, "yolov8n_int8_dynamic.onnx")
			real := m.blank
			var probed []string
			m.blank = func(h, w int) (ort.Shape, float32, error) {
				probed = append(probed, fmt.Sprintf("%d×%d", w, h))
				dims, _, err := real(h, w)
				if c.unfit(h, w) {
					return dims, 0.9, err
				}
				return dims, 0.001, err
			}
			lb, err := m.Letterbox(c.w, c.h, true)
			if err != nil || lb.InputW != c.wantW || lb.InputH != c.wantH {
				t.Fatalf("%d×%d: %+v %v; want %d×%d", c.w, c.h, lb, err, c.wantW, c.wantH)
			}
			if lb.PadX != (lb.InputW-lb.ResizedW)/2 || lb.PadY != (lb.InputH-lb.ResizedH)/2 {
				t.Errorf("not centred on the larger canvas: %+v", lb)
			}
			if fmt.Sprint(probed) != fmt.Sprint(c.probed) {
				t.Errorf("probed %v, want %v", probed, c.probed)
			}
			// The verdict is kept: asking again probes nothing.
			probed = nil
			if again, _ := m.Letterbox(c.w, c.h, true); again != lb || len(probed) != 0 {
				t.Errorf("again: %+v, probed %v", again, probed)
			}
		})
	}
}

// TestRectMatchesFloat32: on this CPU, whatever rectangle the int8
// dynamic model picks for each shared photo (the 451×300 cat meets the
// shape its export gets wrong on some CPUs) gives the float32 model's
// detections: each sure reference object (≥ 0.5) is found with the same
// class, an overlapping box and a close score, and nothing is sure that
// the reference does not see at all.
func TestRectMatchesFloat32(t *testing.T) {
	ref := loadShared(t, "yolov8n.onnx")
	int8 := loadShared(t, "yolov8n_int8_dynamic.onnx")
	photos, err := filepath.Glob(filepath.Join(testenv.Shared(t, "testdata/photos"), "*"))
	if err != nil || len(photos) < 6 {
		t.Fatalf("shared photos: %v %v", photos, err)
	}
	for _, p := range photos {
		img := decodeImage(t, p)
		want := detectIn(t, ref, img, false)
		got := detectIn(t, int8, img, true)
		if len(want) == 0 {
			t.Errorf("%s: the float32 model sees nothing", filepath.Base(p))
		}
		for _, w := range want {
			if w.Confidence < 0.5 {
				continue
			}
			if !anyMatch(got, w, 0.25, 0.15) {
				t.Errorf("%s: %s %.2f %v of float32 not found by int8 rect: %v", filepath.Base(p), w.Class, w.Confidence, w.Box, got)
			}
		}
		for _, g := range got {
			if g.Confidence >= 0.5 && !anyMatch(want, g, 0.1, 1) {
				t.Errorf("%s: int8 rect is sure of %s %.2f %v that float32 does not see: %v", filepath.Base(p), g.Class, g.Confidence, g.Box, want)
			}
		}
	}
}

// anyMatch: some detection in ds has d's class, a box overlapping d's by
// IoU ≥ 0.5, a score of at least floor and within dConf of d's.
func anyMatch(ds []scan.Detection, d scan.Detection, floor, dConf float32) bool {
	for _, o := range ds {
		if o.Class == d.Class && o.Confidence >= floor && abs32(o.Confidence-d.Confidence) <= dConf && IoU(o.Box, d.Box) >= 0.5 {
			return true
		}
	}
	return false
}

func abs32(x float32) float32 {
	if x < 0 {
		return -x
	}
	return x
}

func decodeImage(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return img
}

// detectIn letterboxes img for m (rect: its own rectangle) and runs it at
// the scan's default thresholds, boxes in source pixels.
func detectIn(t *testing.T, m *Model, img image.Image, rect bool) []scan.Detection {
	t.Helper()
	bounds := img.Bounds()
	lb, err := m.Letterbox(bounds.Dx(), bounds.Dy(), rect)
	if err != nil {
		t.Fatal(err)
	}
	resized := image.NewRGBA(image.Rect(0, 0, lb.ResizedW, lb.ResizedH))
	draw.BiLinear.Scale(resized, resized.Bounds(), img, bounds, draw.Src, nil)
	rgb := make([]byte, 0, lb.ResizedW*lb.ResizedH*3)
	for i := 0; i < len(resized.Pix); i += 4 {
		rgb = append(rgb, resized.Pix[i], resized.Pix[i+1], resized.Pix[i+2])
	}
	b, err := m.NewBuffers()
	if err != nil {
		t.Fatal(err)
	}
	defer b.Free()
	if err := b.Prepare(lb, rgb); err != nil {
		t.Fatal(err)
	}
	dets, err := m.Infer(b, 0.25, 0.7)
	if err != nil {
		t.Fatal(err)
	}
	return dets
}
