package ocr

import (
	"fmt"
	"math"
)

// Seen remembers the boxes of the last picture read in a video and what
// each said, so that the next picture reads again only the boxes whose
// content changed: a caption that stays on screen is detected in every
// frame but read once. The zero value remembers nothing.
type Seen struct{ lines []seenLine }

type seenLine struct {
	box  [4]float64
	look look
	line Line
}

// A box's look is the mean luma of a lookW×lookH grid over its bounds:
// enough to tell a changed word, blind to compression noise.
const (
	lookW = 32
	lookH = 8
	// sameBox is the overlap (IoU) above which two boxes are the same
	// place, and sameLookMean/Max the mean and largest cell differences
	// (of 255) under which the crops are the same words.
	sameBox      = 0.8
	sameLookMean = 4
	sameLookMax  = 32
	// For a box that moved; other words of its size differ by 20 and more.
	movedLookMean = 8
	movedLookMax  = 64
)

type look [lookW * lookH]uint8

// Counts says how much of a picture's text was read by the recogniser.
type Counts struct {
	// Cleared says the probe saw no text: the full detection did not run.
	Cleared bool
	Boxes   int // text boxes detected
	Read    int // of which read by the recogniser; the others repeated a seen box
}

// Picture is a picture the reader asks for at the sizes it needs, as
// packed R, G, B bytes: a decoded video frame scales itself (FFmpeg's
// scaler) more cheaply than the reader would, and a frame the probe
// clears is never made at full size.
type Picture interface {
	Size() (w, h int)
	RGB(w, h int, dst []byte) error
}

// ReadRGB reads the text in a w×h picture of packed R, G, B bytes as Read
// does, reading only the boxes seen does not already know (seen may be
// nil) and then remembering this picture's boxes in it.
func (r *Reader) ReadRGB(pix []byte, w, h int, seen *Seen) ([]Line, Counts, error) {
	if w <= 0 || h <= 0 || len(pix) < 3*w*h {
		return nil, Counts{}, fmt.Errorf("picture of %d bytes is not %d×%d RGB", len(pix), w, h)
	}
	return r.ReadPicture(rgbPicture{W: w, H: h, Pix: pix}, seen)
}

// rgbPicture scales packed RGB as Read scales the pictures it is given.
type rgbPicture bgr

func (p rgbPicture) Size() (int, int) { return p.W, p.H }

func (p rgbPicture) RGB(w, h int, dst []byte) error {
	if w == p.W && h == p.H {
		copy(dst, p.Pix)
		return nil
	}
	copy(dst, resize(bgr(p), w, h).Pix) // the channels' order does not matter to scaling
	return nil
}

// ReadPicture reads the text in p as ReadRGB does: p is asked for the
// sizes the detector sees, and at its own size only when there are boxes
// to read; the lines' boxes are in p's pixels.
func (r *Reader) ReadPicture(p Picture, seen *Seen) ([]Line, Counts, error) {
	W, H := p.Size()
	scaled := func(w, h int) (bgr, error) {
		b := bgr{W: w, H: h, Pix: make([]byte, 3*w*h)}
		if err := p.RGB(w, h, b.Pix); err != nil {
			return bgr{}, err
		}
		for i := 0; i < len(b.Pix); i += 3 {
			b.Pix[i], b.Pix[i+2] = b.Pix[i+2], b.Pix[i]
		}
		return b, nil
	}
	quads, cleared, err := r.detectScaled(W, H, scaled)
	if err != nil {
		return nil, Counts{}, err
	}
	c := Counts{Cleared: cleared, Boxes: len(quads)}
	if len(quads) == 0 {
		if seen != nil {
			seen.lines = seen.lines[:0]
		}
		return nil, c, nil
	}
	src, err := scaled(W, H)
	if err != nil {
		return nil, Counts{}, err
	}
	all := make([]Line, len(quads))
	looks := make([]look, len(quads))
	var toRead []Quad
	var at []int
	for i, q := range quads {
		b := q.Bounds()
		looks[i] = lookOf(src, b)
		if s := seen.find(b, &looks[i]); s != nil {
			all[i] = Line{Text: s.Text, Confidence: s.Confidence, Quad: q, Box: b}
			continue
		}
		toRead, at = append(toRead, q), append(at, i)
	}
	read, err := r.recognise(src, toRead)
	if err != nil {
		return nil, Counts{}, err
	}
	c.Read = len(read)
	for k, l := range read {
		all[at[k]] = l
	}
	if seen != nil {
		seen.lines = seen.lines[:0]
		for i, l := range all {
			// Boxes read as nothing are remembered too: they are not
			// read again while they stay the same.
			seen.lines = append(seen.lines, seenLine{box: l.Box, look: looks[i], line: l})
		}
	}
	lines := make([]Line, 0, len(all))
	for _, l := range all {
		if l.Text != "" {
			lines = append(lines, l)
		}
	}
	return lines, c, nil
}

// find is the remembered line whose crop looks like lk at nearly box b,
// or, moved (a pan), of nearly b's size within moveLimit box heights.
func (s *Seen) find(b [4]float64, lk *look) *Line {
	if s == nil {
		return nil
	}
	for i := range s.lines {
		l := &s.lines[i]
		if iou(l.box, b) >= sameBox && sameLook(&l.look, lk, sameLookMean, sameLookMax) {
			return &l.line
		}
	}
	// A moved box is found anew by the detector, a pixel or two off the
	// words it found before: its grid falls a little differently.
	for i := range s.lines {
		l := &s.lines[i]
		if moved(l.box, b) && sameLook(&l.look, lk, movedLookMean, movedLookMax) {
			return &l.line
		}
	}
	return nil
}

// moveLimit bounds how far a box may move and still be the one seen, in
// box heights; moveLeast is the least it must move (a box that stayed
// where it was is held to the stricter match: one changed digit of a
// clock or a score must not pass as moved); sameSize is how much its sides
// may change.
const (
	moveLimit = 4
	moveLeast = 3 // pixels
	sameSize  = 0.1
)

// moved says b is a of nearly the same size, moved by at least moveLeast
// pixels and at most moveLimit of its heights.
func moved(a, b [4]float64) bool {
	aw, ah, bw, bh := a[2]-a[0], a[3]-a[1], b[2]-b[0], b[3]-b[1]
	if ah <= 0 || bh <= 0 || math.Abs(aw-bw) > sameSize*aw || math.Abs(ah-bh) > sameSize*ah {
		return false
	}
	d := math.Hypot(b[0]-a[0], b[1]-a[1])
	return d >= moveLeast && d <= moveLimit*ah
}

func iou(a, b [4]float64) float64 {
	w := min(a[2], b[2]) - max(a[0], b[0])
	h := min(a[3], b[3]) - max(a[1], b[1])
	if w <= 0 || h <= 0 {
		return 0
	}
	inter := w * h
	union := (a[2]-a[0])*(a[3]-a[1]) + (b[2]-b[0])*(b[3]-b[1]) - inter
	if union <= 0 {
		return 0
	}
	return inter / union
}

// sameLook says the cells of a and b differ by at most mean on average
// and most at most.
func sameLook(a, b *look, mean, most int) bool {
	sum := 0
	for i := range a {
		d := int(a[i]) - int(b[i])
		if d < 0 {
			d = -d
		}
		if d > most {
			return false
		}
		sum += d
	}
	return sum <= mean*len(a)
}

// lookOf is the mean luma of each cell of a lookW×lookH grid over box b
// of src (every cell at least one pixel).
func lookOf(src bgr, b [4]float64) look {
	var lk look
	x0, y0 := clampi(int(b[0]), 0, src.W-1), clampi(int(b[1]), 0, src.H-1)
	x1, y1 := clampi(int(b[2])+1, x0+1, src.W), clampi(int(b[3])+1, y0+1, src.H)
	w, h := x1-x0, y1-y0
	for cy := range lookH {
		ya, yb := y0+cy*h/lookH, y0+(cy+1)*h/lookH
		yb = max(yb, ya+1)
		for cx := range lookW {
			xa, xb := x0+cx*w/lookW, x0+(cx+1)*w/lookW
			xb = max(xb, xa+1)
			sum, n := 0, 0
			for y := ya; y < yb && y < src.H; y++ {
				for x := xa; x < xb && x < src.W; x++ {
					p := src.Pix[3*(y*src.W+x):]
					sum += (114*int(p[0]) + 587*int(p[1]) + 299*int(p[2])) / 1000
					n++
				}
			}
			if n > 0 {
				lk[cy*lookW+cx] = uint8(sum / n)
			}
		}
	}
	return lk
}
