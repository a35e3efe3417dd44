package ocr

import (
	"image"
	"image/color"
	"image/draw"
	"slices"
	"testing"
)

// rgbOf is img as packed R, G, B bytes, as a decoded video frame comes.
func rgbOf(img image.Image) ([]byte, int, int) {
	b := img.Bounds()
	pix := make([]byte, 0, 3*b.Dx()*b.Dy())
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
			pix = append(pix, c.R, c.G, c.B)
		}
	}
	return pix, b.Dx(), b.Dy()
}

// TestSeen: a picture read again with what was seen reads no box and says
// the same; a box whose words are painted over is read again, and only
// it; without Seen every box is read.
func TestSeen(t *testing.T) {
	r := loadReader(t, Options{})
	img := decodePhoto(t, "blue_plaque.jpg")
	pix, w, h := rgbOf(img)

	plain, err := r.Read(img)
	if err != nil {
		t.Fatal(err)
	}
	var seen Seen
	first, c, err := r.ReadRGB(pix, w, h, &seen)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(first, plain) {
		t.Fatalf("ReadRGB read\n%v\nRead\n%v", first, plain)
	}
	if c.Boxes < 3 || c.Read != c.Boxes {
		t.Fatalf("first read: %+v; want every box read, at least 3", c)
	}

	again, c2, err := r.ReadRGB(pix, w, h, &seen)
	if err != nil {
		t.Fatal(err)
	}
	if c2.Read != 0 || c2.Boxes != c.Boxes || !slices.Equal(again, first) {
		t.Fatalf("the same picture again: %+v, %v; want nothing read and the same lines", c2, again)
	}

	// Paint over the first line's words: that box is read again and no
	// longer says what it said; the others repeat.
	changed := image.NewRGBA(img.Bounds())
	draw.Draw(changed, changed.Bounds(), img, img.Bounds().Min, draw.Src)
	b := first[0].Box
	area := image.Rect(int(b[0]), int(b[1]), int(b[2])+1, int(b[3])+1)
	draw.Draw(changed, area, &image.Uniform{color.RGBA{200, 40, 40, 255}}, image.Point{}, draw.Src)
	pix2, _, _ := rgbOf(changed)
	var fresh Seen
	want, cw, err := r.ReadRGB(pix2, w, h, &fresh)
	if err != nil {
		t.Fatal(err)
	}
	got, c3, err := r.ReadRGB(pix2, w, h, &seen)
	if err != nil {
		t.Fatal(err)
	}
	if c3.Read == 0 || c3.Read >= cw.Read {
		t.Errorf("one line painted over: %d of %d boxes read again; want some, fewer than all (%d)", c3.Read, c3.Boxes, cw.Read)
	}
	// The lines left alone say what they said (read afresh, in other
	// batches, their confidences may differ a little).
	said := map[[4]float64]string{}
	for _, l := range first {
		said[l.Box] = l.Text
	}
	if len(got) != len(want) {
		t.Errorf("with what was seen, %d lines:\n%v\nread afresh, %d:\n%v", len(got), got, len(want), want)
	}
	for _, l := range got {
		if l.Text == first[0].Text {
			t.Errorf("%q, painted over, is still read", l.Text)
		} else if was, ok := said[l.Box]; ok && was != l.Text {
			t.Errorf("the line at %v said %q and now %q, unchanged", l.Box, was, l.Text)
		}
	}

	none, c4, err := r.ReadRGB(pix, w, h, nil)
	if err != nil || c4.Read != c4.Boxes || !slices.Equal(none, first) {
		t.Errorf("without Seen: %+v %v (%v)", c4, none, err)
	}
	if _, _, err := r.ReadRGB(pix[:10], w, h, nil); err == nil {
		t.Error("a short buffer was read")
	}
}

// TestSeenMoved: in a pan, words that move are not read again.
func TestSeenMoved(t *testing.T) {
	r := loadReader(t, Options{})
	// A window of the sign at most the detector's side, so that it sees
	// the pixels themselves, then the window moved 32 pixels right and
	// down, as a pan does: a move of whole detector strides, which the
	// detector follows exactly on any CPU (no resampling in between).
	photo := decodePhoto(t, "mall_sale_sign.jpg")
	b := image.Rect(0, 0, DefaultDetectSide*2/3, DefaultDetectSide/2)
	img, moved := image.NewRGBA(b), image.NewRGBA(b)
	draw.Draw(img, b, photo, photo.Bounds().Min.Add(image.Pt(40, 40)), draw.Src)
	draw.Draw(moved, b, photo, photo.Bounds().Min.Add(image.Pt(72, 72)), draw.Src)
	var seen Seen
	pix, w, h := rgbOf(img)
	first, c1, err := r.ReadRGB(pix, w, h, &seen)
	if err != nil {
		t.Fatal(err)
	}
	pix2, _, _ := rgbOf(moved)
	lines, c2, err := r.ReadRGB(pix2, w, h, &seen)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("before the move %d of %d boxes read; after it %d of %d", c1.Read, c1.Boxes, c2.Read, c2.Boxes)
	// Boxes cut by the picture's edge after the move, or found a few
	// pixels off the words, are read again; the others repeat.
	if c1.Read < 4 || c2.Read >= c2.Boxes {
		t.Errorf("moved: %d of %d boxes read again (first: %d of %d); want some repeated", c2.Read, c2.Boxes, c1.Read, c1.Boxes)
	}
	said := map[string]bool{}
	for _, l := range first {
		said[l.Text] = true
	}
	for _, l := range lines {
		if !said[l.Text] {
			t.Logf("%q read after the move, not before", l.Text)
		}
	}
}

// TestSeenChangedInPlace: a box that stays where it was and changes (here
// its last character brightened, as a digit of a clock or a score turns)
// is held to the strict match, not the looser one of a box that moved:
// it is read again.
func TestSeenChangedInPlace(t *testing.T) {
	r := loadReader(t, Options{})
	img := decodePhoto(t, "blue_plaque.jpg")
	pix, w, h := rgbOf(img)
	var seen Seen
	first, _, err := r.ReadRGB(pix, w, h, &seen)
	if err != nil || len(first) == 0 {
		t.Fatalf("%v, %v", first, err)
	}
	l := first[len(first)-1] // the last line: "1887-90"
	b := l.Box
	changed := append([]byte(nil), pix...)
	x0 := int(b[2] - (b[2]-b[0])/7)
	for y := int(b[1]); y <= int(b[3]); y++ {
		for x := x0; x <= int(b[2]); x++ {
			for c := range 3 {
				i := 3*(y*w+x) + c
				changed[i] = byte(min(255, int(changed[i])+45))
			}
		}
	}
	_, c, err := r.ReadRGB(changed, w, h, &seen)
	if err != nil {
		t.Fatal(err)
	}
	if c.Read == 0 {
		t.Errorf("%q changed in place (its last seventh brightened) and was not read again: %+v", l.Text, c)
	}
}
