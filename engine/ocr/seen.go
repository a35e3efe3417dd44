package ocr

import (
	"fmt"
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
)

type look [lookW * lookH]uint8

// Counts says how much of a picture's text was read by the recogniser.
type Counts struct {
	// Cleared says the probe saw no text: the full detection did not run.
	Cleared bool
	Boxes   int // text boxes detected
	Read    int // of which read by the recogniser; the others repeated a seen box
}

// ReadRGB reads the text in a w×h picture of packed R, G, B bytes as Read
// does, reading only the boxes seen does not already know (seen may be
// nil) and then remembering this picture's boxes in it.
func (r *Reader) ReadRGB(pix []byte, w, h int, seen *Seen) ([]Line, Counts, error) {
	if w <= 0 || h <= 0 || len(pix) < 3*w*h {
		return nil, Counts{}, fmt.Errorf("picture of %d bytes is not %d×%d RGB", len(pix), w, h)
	}
	src := bgr{W: w, H: h, Pix: make([]byte, 3*w*h)}
	for i := 0; i < len(src.Pix); i += 3 {
		src.Pix[i], src.Pix[i+1], src.Pix[i+2] = pix[i+2], pix[i+1], pix[i]
	}
	return r.readSeen(src, seen)
}

func (r *Reader) readSeen(src bgr, seen *Seen) ([]Line, Counts, error) {
	quads, cleared, err := r.detectProbed(src)
	if err != nil {
		return nil, Counts{}, err
	}
	c := Counts{Cleared: cleared, Boxes: len(quads)}
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

// find is the remembered line at nearly box b whose crop looks like lk.
func (s *Seen) find(b [4]float64, lk *look) *Line {
	if s == nil {
		return nil
	}
	for i := range s.lines {
		l := &s.lines[i]
		if iou(l.box, b) >= sameBox && sameLook(&l.look, lk) {
			return &l.line
		}
	}
	return nil
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

func sameLook(a, b *look) bool {
	sum := 0
	for i := range a {
		d := int(a[i]) - int(b[i])
		if d < 0 {
			d = -d
		}
		if d > sameLookMax {
			return false
		}
		sum += d
	}
	return sum <= sameLookMean*len(a)
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
