package ocr

import (
	"image"
	"image/color"
	"math"
)

// bgr is an 8-bit picture with packed B, G, R bytes per pixel: the order
// PaddleOCR's models see (it reads images with OpenCV), so the normalisation
// constants apply to the channels in the same order.
type bgr struct {
	W, H int
	Pix  []byte // 3·W·H
}

func (b bgr) at(x, y int) []byte {
	i := 3 * (y*b.W + x)
	return b.Pix[i : i+3 : i+3]
}

// toBGR converts any image; decoded JPEGs (YCbCr) and RGBA take fast paths.
func toBGR(img image.Image) bgr {
	r := img.Bounds()
	out := bgr{W: r.Dx(), H: r.Dy(), Pix: make([]byte, 3*r.Dx()*r.Dy())}
	i := 0
	switch src := img.(type) {
	case *image.YCbCr:
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				yi, ci := src.YOffset(x, y), src.COffset(x, y)
				cr, cg, cb := color.YCbCrToRGB(src.Y[yi], src.Cb[ci], src.Cr[ci])
				out.Pix[i], out.Pix[i+1], out.Pix[i+2] = cb, cg, cr
				i += 3
			}
		}
	case *image.RGBA:
		fromRGBA(out.Pix, src.Pix, src.PixOffset(r.Min.X, r.Min.Y), src.Stride, r.Dx(), r.Dy())
	case *image.NRGBA:
		fromRGBA(out.Pix, src.Pix, src.PixOffset(r.Min.X, r.Min.Y), src.Stride, r.Dx(), r.Dy())
	default:
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
				out.Pix[i], out.Pix[i+1], out.Pix[i+2] = c.B, c.G, c.R
				i += 3
			}
		}
	}
	return out
}

// fromRGBA copies w×h pixels of 4 bytes, R, G, B and A (an RGBA or NRGBA
// picture's rows from off, stride apart), to dst as B, G, R.
func fromRGBA(dst, pix []byte, off, stride, w, h int) {
	i := 0
	for y := 0; y < h; y++ {
		row := pix[off+y*stride:]
		for x := 0; x < w; x++ {
			dst[i], dst[i+1], dst[i+2] = row[4*x+2], row[4*x+1], row[4*x]
			i += 3
		}
	}
}

// resize scales b to w×h bilinearly with OpenCV's INTER_LINEAR geometry
// (pixel centres aligned, edges replicated).
func resize(b bgr, w, h int) bgr {
	out := bgr{W: w, H: h, Pix: make([]byte, 3*w*h)}
	type tap struct {
		i0, i1 int
		f      float32
	}
	taps := func(dst, src int) []tap {
		t := make([]tap, dst)
		scale := float64(src) / float64(dst)
		for d := range t {
			s := math.Max((float64(d)+0.5)*scale-0.5, 0)
			i0 := min(int(s), src-1)
			t[d] = tap{i0, min(i0+1, src-1), float32(s - float64(i0))}
		}
		return t
	}
	xs, ys := taps(w, b.W), taps(h, b.H)
	o := 0
	for _, ty := range ys {
		r0, r1 := b.Pix[3*ty.i0*b.W:], b.Pix[3*ty.i1*b.W:]
		for _, tx := range xs {
			a0, a1 := 3*tx.i0, 3*tx.i1
			for c := 0; c < 3; c++ {
				top := float32(r0[a0+c]) + tx.f*(float32(r0[a1+c])-float32(r0[a0+c]))
				bot := float32(r1[a0+c]) + tx.f*(float32(r1[a1+c])-float32(r1[a0+c]))
				out.Pix[o+c] = byte(top + ty.f*(bot-top) + 0.5)
			}
			o += 3
		}
	}
	return out
}

// homography maps the rectangle (0,0) (w,0) (w,h) (0,h) onto the corners
// of q (cv2.getPerspectiveTransform, solved for the inverse direction that
// warpPerspective samples with).
func homography(q [4]point, w, h float64) ([9]float64, bool) {
	from := [4]point{{0, 0}, {w, 0}, {w, h}, {0, h}}
	var a [8][9]float64
	for i := range 4 {
		x, y, u, v := from[i].X, from[i].Y, q[i].X, q[i].Y
		a[2*i] = [9]float64{x, y, 1, 0, 0, 0, -x * u, -y * u, u}
		a[2*i+1] = [9]float64{0, 0, 0, x, y, 1, -x * v, -y * v, v}
	}
	// Gaussian elimination with partial pivoting.
	for c := range 8 {
		p := c
		for r := c + 1; r < 8; r++ {
			if math.Abs(a[r][c]) > math.Abs(a[p][c]) {
				p = r
			}
		}
		if math.Abs(a[p][c]) < 1e-12 {
			return [9]float64{}, false
		}
		a[c], a[p] = a[p], a[c]
		for r := range 8 {
			if r != c {
				f := a[r][c] / a[c][c]
				for k := c; k < 9; k++ {
					a[r][k] -= f * a[c][k]
				}
			}
		}
	}
	var m [9]float64
	for i := range 8 {
		m[i] = a[i][8] / a[i][i]
	}
	m[8] = 1
	return m, true
}

// cubicWeights are OpenCV's bicubic weights (a = −0.75) for a fraction f.
func cubicWeights(f float64) [4]float64 {
	const a = -0.75
	w0 := ((a*(f+1)-5*a)*(f+1)+8*a)*(f+1) - 4*a
	w1 := ((a+2)*f-(a+3))*f*f + 1
	w2 := ((a+2)*(1-f)-(a+3))*(1-f)*(1-f) + 1
	return [4]float64{w0, w1, w2, 1 - w0 - w1 - w2}
}

// warp samples the quadrilateral q of src into an upright w×h picture, as
// cv2.warpPerspective with INTER_CUBIC and BORDER_REPLICATE does in
// PaddleOCR's get_rotate_crop_image.
func warp(src bgr, q [4]point, w, h int) (bgr, bool) {
	m, ok := homography(q, float64(w), float64(h))
	if !ok {
		return bgr{}, false
	}
	out := bgr{W: w, H: h, Pix: make([]byte, 3*w*h)}
	o := 0
	for y := range h {
		for x := range w {
			fx, fy := float64(x), float64(y)
			z := m[6]*fx + m[7]*fy + m[8]
			sx := (m[0]*fx + m[1]*fy + m[2]) / z
			sy := (m[3]*fx + m[4]*fy + m[5]) / z
			x0, y0 := math.Floor(sx), math.Floor(sy)
			wx, wy := cubicWeights(sx-x0), cubicWeights(sy-y0)
			var acc [3]float64
			for j := range 4 {
				yy := clampi(int(y0)-1+j, 0, src.H-1)
				for i := range 4 {
					xx := clampi(int(x0)-1+i, 0, src.W-1)
					p := src.at(xx, yy)
					f := wx[i] * wy[j]
					acc[0] += f * float64(p[0])
					acc[1] += f * float64(p[1])
					acc[2] += f * float64(p[2])
				}
			}
			for c := range 3 {
				out.Pix[o+c] = byte(math.Max(0, math.Min(255, math.Round(acc[c]))))
			}
			o += 3
		}
	}
	return out, true
}

// rot90 turns b a quarter counter-clockwise (numpy's rot90).
func rot90(b bgr) bgr {
	out := bgr{W: b.H, H: b.W, Pix: make([]byte, len(b.Pix))}
	for y := range out.H {
		for x := range out.W {
			copy(out.at(x, y), b.at(b.W-1-y, x))
		}
	}
	return out
}

func clampi(v, lo, hi int) int { return max(lo, min(hi, v)) }
