package detect

import (
	"math"

	"github.com/vidsift/vidsift/engine/scan"
)

// PadValue is the grey Ultralytics pads letterboxed images with.
const PadValue = 114

// Letterbox is the mapping between a source frame and the model's input:
// the frame is scaled by Scale to ResizedW×ResizedH, keeping its aspect
// ratio, and placed at (PadX, PadY) on a grey InputW×InputH canvas.
type Letterbox struct {
	SrcW, SrcH         int
	InputW, InputH     int
	Scale              float64
	ResizedW, ResizedH int
	PadX, PadY         int
}

// NewLetterbox computes the geometry the way Ultralytics' LetterBox does
// (centred, no stride rounding, no upscaling limit).
func NewLetterbox(srcW, srcH, inputW, inputH int) Letterbox {
	r := math.Min(float64(inputW)/float64(srcW), float64(inputH)/float64(srcH))
	lb := Letterbox{SrcW: srcW, SrcH: srcH, InputW: inputW, InputH: inputH, Scale: r}
	lb.ResizedW = max(1, min(inputW, int(math.Round(float64(srcW)*r))))
	lb.ResizedH = max(1, min(inputH, int(math.Round(float64(srcH)*r))))
	dw := float64(inputW-lb.ResizedW) / 2
	dh := float64(inputH-lb.ResizedH) / 2
	lb.PadX = int(math.Round(dw - 0.1))
	lb.PadY = int(math.Round(dh - 0.1))
	return lb
}

// Fill writes the resized RGB24 image rgb (ResizedW×ResizedH) into tensor,
// a planar [3, InputH, InputW] float32 buffer scaled to 0..1, and paints the
// border grey. Each plane is written in one sequential pass.
func (lb Letterbox) Fill(rgb []byte, tensor []float32) {
	plane := lb.InputW * lb.InputH
	const pad = float32(PadValue) / 255
	for c := 0; c < 3; c++ {
		dst := tensor[c*plane : (c+1)*plane]
		for y := 0; y < lb.InputH; y++ {
			row := dst[y*lb.InputW : (y+1)*lb.InputW]
			sy := y - lb.PadY
			if sy < 0 || sy >= lb.ResizedH {
				for x := range row {
					row[x] = pad
				}
				continue
			}
			for x := 0; x < lb.PadX; x++ {
				row[x] = pad
			}
			src := rgb[sy*lb.ResizedW*3 : (sy+1)*lb.ResizedW*3]
			out := row[lb.PadX : lb.PadX+lb.ResizedW]
			for x := range out {
				out[x] = float32(src[x*3+c]) * (1.0 / 255)
			}
			for x := lb.PadX + lb.ResizedW; x < lb.InputW; x++ {
				row[x] = pad
			}
		}
	}
}

// Rect shrinks the canvas to the smallest multiple of stride on each axis
// that holds the resized frame (at most the model's full input), padding
// centred as NewLetterbox does: what a model with a dynamic input size
// needs, since the grey beyond it is arithmetic spent on nothing. The
// scale, and so every box, is that of the square letterbox.
func (lb Letterbox) Rect(stride int) Letterbox {
	stride = max(1, stride)
	up := func(n, limit int) int { return min(limit, (n+stride-1)/stride*stride) }
	return lb.Canvas(up(lb.ResizedW, lb.InputW), up(lb.ResizedH, lb.InputH))
}

// Canvas puts the resized frame, centred, on a w×h canvas (at least its size).
func (lb Letterbox) Canvas(w, h int) Letterbox {
	out := lb
	out.InputW, out.InputH = max(w, lb.ResizedW), max(h, lb.ResizedH)
	out.PadX = int(math.Round(float64(out.InputW-lb.ResizedW)/2 - 0.1))
	out.PadY = int(math.Round(float64(out.InputH-lb.ResizedH)/2 - 0.1))
	return out
}

// ToSource maps a box from input pixels back to source pixels, clipped to the frame.
func (lb Letterbox) ToSource(b scan.Box) scan.Box {
	m := func(v float64, pad int, limit int) float64 {
		s := (v - float64(pad)) / lb.Scale
		return math.Max(0, math.Min(float64(limit), s))
	}
	return scan.Box{
		m(b[0], lb.PadX, lb.SrcW), m(b[1], lb.PadY, lb.SrcH),
		m(b[2], lb.PadX, lb.SrcW), m(b[3], lb.PadY, lb.SrcH),
	}
}
