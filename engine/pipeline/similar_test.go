package pipeline

import (
	"math/rand"
	"testing"
)

// frameRGB is a w×h RGB frame of gray level v with ±noise per pixel.
func frameRGB(w, h int, v, noise int, rng *rand.Rand) []byte {
	b := make([]byte, w*h*3)
	for i := range b {
		x := v
		if noise > 0 {
			x += rng.Intn(2*noise+1) - noise
		}
		b[i] = byte(min(255, max(0, x)))
	}
	return b
}

// TestSameLook: compression-like noise is the same look; a small object
// (3 % of the frame) or a change of exposure is not.
func TestSameLook(t *testing.T) {
	const w, h = 640, 360
	rng := rand.New(rand.NewSource(1))
	base := lookOf(frameRGB(w, h, 120, 0, rng), w, h)
	if !sameLook(base, lookOf(frameRGB(w, h, 120, 6, rng), w, h)) {
		t.Error("pixel noise of ±6 levels made the frame different")
	}
	// A person-sized object: 60×115 px (3 % of the frame), 40 levels darker.
	obj := frameRGB(w, h, 120, 0, rng)
	for y := 200; y < 315; y++ {
		for x := 500; x < 560; x++ {
			o := (y*w + x) * 3
			obj[o], obj[o+1], obj[o+2] = 80, 80, 80
		}
	}
	if sameLook(base, lookOf(obj, w, h)) {
		t.Error("a 3 % object 40 levels darker looked the same")
	}
	if sameLook(base, lookOf(frameRGB(w, h, 140, 0, rng), w, h)) {
		t.Error("exposure 20 levels brighter looked the same")
	}
}

func BenchmarkLookOf(b *testing.B) {
	const w, h = 640, 360
	rgb := frameRGB(w, h, 120, 10, rand.New(rand.NewSource(1)))
	b.SetBytes(int64(len(rgb)))
	for b.Loop() {
		lookOf(rgb, w, h)
	}
}
