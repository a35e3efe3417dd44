package detect

import (
	"math"
	"testing"

	"github.com/vidsift/vidsift/engine/scan"
)

func TestLetterboxGeometry(t *testing.T) {
	cases := []struct {
		w, h               int
		scale              float64
		rw, rh, padX, padY int
	}{
		{640, 424, 1, 640, 424, 0, 108},
		{1920, 1080, 1.0 / 3, 640, 360, 0, 140},
		{1080, 1920, 1.0 / 3, 360, 640, 140, 0},
		{64, 64, 10, 640, 640, 0, 0},
		{768, 576, 640.0 / 768, 640, 480, 0, 80},
		{854, 480, 640.0 / 854, 640, 360, 0, 140},
	}
	for _, c := range cases {
		lb := NewLetterbox(c.w, c.h, 640, 640)
		if math.Abs(lb.Scale-c.scale) > 1e-9 || lb.ResizedW != c.rw || lb.ResizedH != c.rh || lb.PadX != c.padX || lb.PadY != c.padY {
			t.Errorf("%dx%d: %+v", c.w, c.h, lb)
		}
	}
	// Non-square model input.
	lb := NewLetterbox(1280, 720, 640, 384)
	if lb.ResizedW != 640 || lb.ResizedH != 360 || lb.PadY != 12 || lb.PadX != 0 {
		t.Errorf("640x384 input: %+v", lb)
	}
}

func TestLetterboxFill(t *testing.T) {
	lb := NewLetterbox(4, 2, 4, 4) // resized 4x2, padded 1 row above and below
	rgb := make([]byte, 4*2*3)
	for i := range rgb {
		rgb[i] = byte(i * 10)
	}
	tensor := make([]float32, 3*4*4)
	lb.Fill(rgb, tensor)
	pad := float32(114) / 255
	for c := 0; c < 3; c++ {
		for x := 0; x < 4; x++ {
			if tensor[c*16+x] != pad || tensor[c*16+12+x] != pad {
				t.Fatalf("border not grey in channel %d", c)
			}
		}
		for y := 0; y < 2; y++ {
			for x := 0; x < 4; x++ {
				got := tensor[c*16+(y+1)*4+x]
				want := float32(rgb[(y*4+x)*3+c]) / 255
				if math.Abs(float64(got-want)) > 1e-6 {
					t.Fatalf("c%d (%d,%d): %v want %v", c, x, y, got, want)
				}
			}
		}
	}
}

func TestToSource(t *testing.T) {
	lb := NewLetterbox(1920, 1080, 640, 640)
	// A box in input pixels maps back through the padding and the scale.
	got := lb.ToSource(scan.Box{100, 140 + 50, 200, 140 + 150})
	want := scan.Box{300, 150, 600, 450}
	for i := range got {
		if math.Abs(got[i]-want[i]) > 1e-9 {
			t.Fatalf("got %v want %v", got, want)
		}
	}
	// Boxes reaching into the padding are clipped to the frame.
	got = lb.ToSource(scan.Box{-20, 100, 700, 600})
	if got != (scan.Box{0, 0, 1920, 1080}) {
		t.Errorf("clipped %v", got)
	}
}

// TestRectGeometry: a rectangular letterbox keeps the square one's scale
// and pads each axis only to the next multiple of the stride, centred;
// a box mapped back from either lands on the same source pixels.
func TestRectGeometry(t *testing.T) {
	cases := []struct {
		name           string
		w, h, inW, inH int
		rectW, rectH   int
		padX, padY     int
	}{
		{"landscape 16:9", 1920, 1080, 640, 640, 640, 384, 0, 12},
		{"portrait 9:16", 1080, 1920, 640, 640, 384, 640, 12, 0},
		{"square", 1000, 1000, 640, 640, 640, 640, 0, 0},
		{"tiny 64×48", 64, 48, 640, 640, 640, 480, 0, 0},
		{"4K", 3840, 2160, 640, 640, 640, 384, 0, 12},
		{"4:3", 640, 480, 640, 640, 640, 480, 0, 0},
		{"2.39:1", 1920, 804, 640, 640, 640, 288, 0, 10},
		// The 256×416 test model: 640×480 → ×256/480 → 341×256, then 352 wide.
		{"non-square imgsz", 640, 480, 416, 256, 352, 256, 5, 0},
	}
	for _, c := range cases {
		sq := NewLetterbox(c.w, c.h, c.inW, c.inH)
		r := sq.Rect(32)
		if r.InputW != c.rectW || r.InputH != c.rectH || r.PadX != c.padX || r.PadY != c.padY ||
			r.Scale != sq.Scale || r.ResizedW != sq.ResizedW || r.ResizedH != sq.ResizedH {
			t.Errorf("%s: %+v from %+v", c.name, r, sq)
			continue
		}
		if r.InputW%32 != 0 || r.InputH%32 != 0 || r.PadX+r.ResizedW > r.InputW || r.PadY+r.ResizedH > r.InputH {
			t.Errorf("%s: %+v does not hold the frame on a stride-32 canvas", c.name, r)
		}
		// The same object seen in model space by each: its box maps back
		// to the same source pixels.
		src := scan.Box{0.1 * float64(c.w), 0.2 * float64(c.h), 0.7 * float64(c.w), 0.9 * float64(c.h)}
		toModel := func(lb Letterbox) scan.Box {
			return scan.Box{src[0]*lb.Scale + float64(lb.PadX), src[1]*lb.Scale + float64(lb.PadY),
				src[2]*lb.Scale + float64(lb.PadX), src[3]*lb.Scale + float64(lb.PadY)}
		}
		a, b := sq.ToSource(toModel(sq)), r.ToSource(toModel(r))
		for i := range a {
			if math.Abs(a[i]-b[i]) > 1 || math.Abs(a[i]-src[i]) > 1 {
				t.Errorf("%s: square maps back to %v, rectangular to %v, the source box is %v", c.name, a, b, src)
				break
			}
		}
	}
	if r := NewLetterbox(1920, 1080, 640, 640).Rect(64); r.InputH != 384 || r.PadY != 12 {
		t.Errorf("stride 64: %+v", r)
	}
}
