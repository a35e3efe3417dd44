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
