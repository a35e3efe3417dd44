package app

import (
	"image"
	"image/color"
	"image/draw"
	"math"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"github.com/vidsift/vidsift/engine/query"
	"github.com/vidsift/vidsift/engine/results"
	"github.com/vidsift/vidsift/engine/scan"
)

// Text boxes are drawn apart from detections: a dashed outline of
// alternating yellow and black (no class colour is yellow, and one of the
// two shows on any background), and the words, black on yellow, below
// the box when they fit, with no class or confidence.
var (
	textBoxColor  = color.RGBA{255, 214, 0, 255}
	textDashColor = color.RGBA{0, 0, 0, 255}
)

// shownText returns the lines of text of item the search lets through:
// with a search that names text: positively, the lines that hold its
// words; otherwise every line.
func shownText(q results.Query, item results.Item) []scan.TextLine {
	wanted := positiveTexts(q.Expr)
	if len(wanted) == 0 {
		return item.Text
	}
	var out []scan.TextLine
	for _, l := range item.Text {
		for _, w := range wanted {
			if w.In(l.Text) {
				out = append(out, l)
				break
			}
		}
	}
	return out
}

// positiveTexts are the text: atoms e names under an even number of !.
func positiveTexts(e query.Expr) []query.Text {
	var out []query.Text
	var walk func(query.Expr, bool)
	walk = func(e query.Expr, negated bool) {
		switch x := e.(type) {
		case query.Text:
			if !negated {
				out = append(out, x)
			}
		case query.Not:
			walk(x.X, !negated)
		case query.And:
			walk(x.L, negated)
			walk(x.R, negated)
		case query.Or:
			walk(x.L, negated)
			walk(x.R, negated)
		}
	}
	if e != nil {
		walk(e, false)
	}
	return out
}

var wordsFont = sync.OnceValues(func() (*opentype.Font, error) { return opentype.Parse(goregular.TTF) })

// wordsFace is Go Regular at about 1/64 of the image width, 10 to 28 px:
// smaller than a detection's label, as text boxes are often small. A face
// is not safe for concurrent use, so each drawing gets its own.
func wordsFace(imageWidth int) font.Face {
	size := math.Max(10, math.Min(28, float64(imageWidth)/64))
	if f, err := wordsFont(); err == nil {
		if face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull}); err == nil {
			return face
		}
	}
	return basicfont.Face7x13
}

// drawTextLines draws lines' boxes (in source pixels, times scale) onto
// img in the text style, each labelled with its words where they fit: no
// wider than the box and its height, on the picture, and over no other
// line's label.
func drawTextLines(img *image.RGBA, scale float64, lines []scan.TextLine) {
	if len(lines) == 0 {
		return
	}
	width := img.Bounds().Dx()
	face := wordsFace(width)
	defer face.Close()
	m := face.Metrics()
	ascent, textH := m.Ascent.Ceil(), (m.Ascent + m.Descent).Ceil()
	pad := max(1, textH/6)
	thick := max(2, width/500)
	dash := 3 * thick
	var labels []image.Rectangle
	for _, l := range lines {
		r := image.Rect(int(l.Box[0]*scale), int(l.Box[1]*scale), int(math.Ceil(l.Box[2]*scale)), int(math.Ceil(l.Box[3]*scale))).Intersect(img.Bounds())
		if r.Empty() {
			continue
		}
		for t := 0; t < thick; t++ {
			in := r.Inset(t)
			if in.Empty() {
				break
			}
			dashedRect(img, in, dash)
		}
		w := font.MeasureString(face, l.Text).Ceil() + 2*pad
		h := textH + pad
		if w > r.Dx()+r.Dy() {
			continue // the words would run far past their box
		}
		label := image.Rect(r.Min.X, r.Max.Y, r.Min.X+w, r.Max.Y+h) // below the box
		if !label.In(img.Bounds()) {
			label = label.Sub(image.Pt(0, r.Dy()+h)) // above it
		}
		if !label.In(img.Bounds()) || overlapsAny(label, labels) {
			continue
		}
		labels = append(labels, label)
		draw.Draw(img, label, &image.Uniform{textBoxColor}, image.Point{}, draw.Src)
		dr := font.Drawer{Dst: img, Src: image.NewUniform(textDashColor), Face: face, Dot: fixed.P(label.Min.X+pad, label.Min.Y+pad/2+ascent)}
		dr.DrawString(l.Text)
	}
}

// dashedRect outlines r one pixel wide in dashes of n pixels, yellow and
// black in turn, going round it.
func dashedRect(img *image.RGBA, r image.Rectangle, n int) {
	i := 0
	set := func(x, y int) {
		c := textBoxColor
		if (i/n)%2 == 1 {
			c = textDashColor
		}
		img.SetRGBA(x, y, c)
		i++
	}
	for x := r.Min.X; x < r.Max.X; x++ {
		set(x, r.Min.Y)
	}
	for y := r.Min.Y + 1; y < r.Max.Y; y++ {
		set(r.Max.X-1, y)
	}
	for x := r.Max.X - 2; x >= r.Min.X; x-- {
		set(x, r.Max.Y-1)
	}
	for y := r.Max.Y - 2; y > r.Min.Y; y-- {
		set(r.Min.X, y)
	}
}

func overlapsAny(r image.Rectangle, others []image.Rectangle) bool {
	for _, o := range others {
		if r.Overlaps(o) {
			return true
		}
	}
	return false
}
