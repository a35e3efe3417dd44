package export

import (
	"image"
	"image/color"
	"image/draw"
	"testing"

	"github.com/vidsift/vidsift/engine/scan"
)

// labelBox measures what DrawDetections put above a box whose top-left
// corner is (x, y): the height of the label band and whether it holds
// white text.
func labelBox(img *image.RGBA, x, y int, c color.RGBA) (height int, hasText bool) {
	for yy := y - 1; yy >= 0 && img.RGBAAt(x, yy) == c; yy-- {
		height++
	}
	for yy := y - height; yy < y; yy++ {
		for xx := x; xx < x+40; xx++ {
			if p := img.RGBAAt(xx, yy); p.R > 200 && p.G > 200 && p.B > 200 {
				hasText = true
			}
		}
	}
	return
}

// TestDrawDetectionsScales: boxes and labels are drawn in the class colour,
// thicker and larger on a large frame than on a thumbnail, and a box at the
// top edge keeps its label inside the image.
func TestDrawDetectionsScales(t *testing.T) {
	dog := scan.Detection{ClassID: 16, Class: "dog", Confidence: 0.87}
	c := ClassColor(16)
	var heights []int
	for _, width := range []int{320, 1600} {
		img := image.NewRGBA(image.Rect(0, 0, width, width*9/16))
		draw.Draw(img, img.Bounds(), &image.Uniform{color.RGBA{60, 60, 60, 255}}, image.Point{}, draw.Src)
		f := float64(width) / 320
		dog.Box = scan.Box{100 * f, 80 * f, 200 * f, 160 * f}
		DrawDetections(img, 1, []scan.Detection{dog})
		x0, y0 := int(100*f), int(80*f)
		thick := 0
		for x := x0; img.RGBAAt(x, y0+20) == c; x++ {
			thick++
		}
		h, text := labelBox(img, x0, y0, c)
		if !text || h < 11 {
			t.Errorf("%d px: label %d px high, text %v", width, h, text)
		}
		t.Logf("%d px wide: line %d px, label %d px", width, thick, h)
		heights = append(heights, h)
		if width == 320 && thick != 2 || width == 1600 && thick != 4 {
			t.Errorf("%d px: line %d px thick", width, thick)
		}
	}
	if heights[1] < 2*heights[0] {
		t.Errorf("labels %d px on 320 and %d px on 1600: not in proportion", heights[0], heights[1])
	}

	// At the top edge the label goes inside the box.
	img := image.NewRGBA(image.Rect(0, 0, 320, 180))
	dog.Box = scan.Box{10, 0, 120, 100}
	DrawDetections(img, 1, []scan.Detection{dog})
	filled := 0
	for y := 3; y < 12; y++ {
		for x := 13; x < 40; x++ {
			if img.RGBAAt(x, y) != (color.RGBA{}) {
				filled++
			}
		}
	}
	if filled < 9*27*9/10 {
		t.Errorf("no label inside a box at the top edge: %d of %d pixels drawn", filled, 9*27)
	}
}

// BenchmarkDrawDetections: boxes and labels on a grid thumbnail, as the app
// draws each one the first time it is shown.
func BenchmarkDrawDetections(b *testing.B) {
	img := image.NewRGBA(image.Rect(0, 0, 320, 180))
	dets := []scan.Detection{
		{ClassID: 0, Class: "person", Confidence: 0.9, Box: scan.Box{10, 10, 100, 170}},
		{ClassID: 16, Class: "dog", Confidence: 0.7, Box: scan.Box{150, 90, 300, 170}},
	}
	for i := 0; i < b.N; i++ {
		DrawDetections(img, 1, dets)
	}
}
