package export

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"sync"

	"github.com/vidsift/vidsift/engine/scan"
	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// ThumbPath names a frame's thumbnail: <dir>/<first 16 hex of
// sha256(path)>/<index>.jpg. Hashing keeps hostile or huge file names out of
// the folder structure.
func ThumbPath(dir, mediaPath string, index int) string {
	sum := sha256.Sum256([]byte(mediaPath))
	return filepath.Join(dir, hex.EncodeToString(sum[:])[:16], strconv.Itoa(index)+".jpg")
}

// WriteThumbnail draws dets (in frame pixels of a frameW-wide frame) onto a
// copy of the thumbnail (thumb, or else the JPEG jpg) and saves it as JPEG
// at path, atomically.
func WriteThumbnail(path string, thumb *image.RGBA, jpg []byte, frameW int, dets []scan.Detection) error {
	var src image.Image = thumb
	if thumb == nil {
		var err error
		if src, err = jpeg.Decode(bytes.NewReader(jpg)); err != nil {
			return fmt.Errorf("thumbnail of %s: %w", path, err)
		}
	}
	img := image.NewRGBA(src.Bounds())
	draw.Draw(img, img.Bounds(), src, src.Bounds().Min, draw.Src)
	DrawDetections(img, float64(img.Bounds().Dx())/float64(frameW), dets)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("thumbnail folder: %w", err)
	}
	return atomicWrite(path, func(w io.Writer) error { return jpeg.Encode(w, img, &jpeg.Options{Quality: scan.JPEGQuality}) })
}

// DrawDetections draws each box, scaled by scale, with its class and
// confidence. Lines and labels grow with the image, so a 320 px thumbnail
// and a 1600 px frame both read well.
func DrawDetections(img *image.RGBA, scale float64, dets []scan.Detection) {
	if len(dets) == 0 {
		return
	}
	width := img.Bounds().Dx()
	face := labelFace(width)
	defer face.Close()
	m := face.Metrics()
	ascent, textH := m.Ascent.Ceil(), (m.Ascent + m.Descent).Ceil()
	pad := max(2, textH/6)
	thick := max(2, width/400)
	for _, d := range dets {
		c := ClassColor(d.ClassID)
		r := image.Rect(int(d.Box[0]*scale), int(d.Box[1]*scale), int(d.Box[2]*scale), int(d.Box[3]*scale)).Intersect(img.Bounds())
		if r.Empty() {
			continue
		}
		for t := 0; t < thick; t++ {
			in := r.Inset(t)
			if in.Empty() {
				break
			}
			hline(img, in.Min.X, in.Max.X, in.Min.Y, c)
			hline(img, in.Min.X, in.Max.X, in.Max.Y-1, c)
			vline(img, in.Min.X, in.Min.Y, in.Max.Y, c)
			vline(img, in.Max.X-1, in.Min.Y, in.Max.Y, c)
		}
		label := fmt.Sprintf("%s %.2f", d.Class, d.Confidence)
		w := font.MeasureString(face, label).Ceil() + 2*pad
		h := textH + pad
		top := r.Min.Y - h // above the box, or inside it at the top edge
		if top < 0 {
			top = r.Min.Y
		}
		bg := image.Rect(r.Min.X, top, r.Min.X+w, top+h).Intersect(img.Bounds())
		draw.Draw(img, bg, &image.Uniform{c}, image.Point{}, draw.Src)
		dr := font.Drawer{Dst: img, Src: image.White, Face: face, Dot: fixed.P(r.Min.X+pad, top+pad/2+ascent)}
		dr.DrawString(label)
	}
}

var labelFont = sync.OnceValues(func() (*opentype.Font, error) { return opentype.Parse(gobold.TTF) })

// labelFace is Go Bold at about 1/48 of the image width, 13 to 36 px. A
// face is not safe for concurrent use, so each drawing gets its own.
func labelFace(imageWidth int) font.Face {
	size := math.Max(13, math.Min(36, float64(imageWidth)/48))
	if f, err := labelFont(); err == nil {
		if face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull}); err == nil {
			return face
		}
	}
	return basicfont.Face7x13 // the embedded font cannot fail to parse; this is belt and braces
}

func hline(img *image.RGBA, x0, x1, y int, c color.RGBA) {
	for x := x0; x < x1; x++ {
		img.SetRGBA(x, y, c)
	}
}

func vline(img *image.RGBA, x, y0, y1 int, c color.RGBA) {
	for y := y0; y < y1; y++ {
		img.SetRGBA(x, y, c)
	}
}

// palette gives classes stable, distinct colours.
var palette = []color.RGBA{
	{230, 25, 75, 255}, {60, 180, 75, 255}, {0, 130, 200, 255}, {245, 130, 48, 255},
	{145, 30, 180, 255}, {70, 160, 160, 255}, {240, 50, 230, 255}, {128, 128, 0, 255},
	{0, 128, 128, 255}, {170, 110, 40, 255}, {128, 0, 0, 255}, {0, 0, 128, 255},
}

// ClassColor is the colour boxes of a class are drawn in.
func ClassColor(id int) color.RGBA {
	if id < 0 {
		id = -id
	}
	return palette[id%len(palette)]
}
