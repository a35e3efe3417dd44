package ocr

import (
	"image"
	"image/color"
	"math"
	"testing"
)

func TestDetectSize(t *testing.T) {
	for _, tc := range []struct{ w, h, side, wantW, wantH int }{
		{7680, 4320, 960, 960, 544}, // 8K: scaled to the limit (540 rounds to 544)
		{727, 610, 960, 736, 608},   // under the limit: only rounded to 32
		{64, 48, 960, 64, 64},       // 48/32 = 1.5 rounds half to even: 2
		{80, 16, 960, 64, 32},       // 80/32 = 2.5 rounds to 2; 16 rounds up to 32, never below
		{1, 1, 960, 32, 32},
		{1920, 1080, 640, 640, 352}, // 360 → 352
		{1080, 1920, 1280, 704, 1280},
	} {
		if w, h := detectSize(tc.w, tc.h, tc.side); w != tc.wantW || h != tc.wantH {
			t.Errorf("%d×%d at %d: %d×%d, want %d×%d", tc.w, tc.h, tc.side, w, h, tc.wantW, tc.wantH)
		}
	}
}

func TestToBGR(t *testing.T) {
	rgba := image.NewRGBA(image.Rect(10, 20, 12, 21)) // an offset origin
	rgba.Set(10, 20, color.RGBA{200, 100, 50, 255})
	rgba.Set(11, 20, color.RGBA{1, 2, 3, 255})
	gray := image.NewGray(image.Rect(0, 0, 1, 1))
	gray.SetGray(0, 0, color.Gray{77})
	ycc := image.NewYCbCr(image.Rect(0, 0, 2, 2), image.YCbCrSubsampleRatio420)
	for i := range ycc.Y {
		ycc.Y[i] = 81
	}
	ycc.Cb[0], ycc.Cr[0] = 90, 240 // a red
	r, g, b := color.YCbCrToRGB(81, 90, 240)
	for _, tc := range []struct {
		img  image.Image
		want []byte
	}{
		{rgba, []byte{50, 100, 200, 3, 2, 1}},
		{gray, []byte{77, 77, 77}},
		{ycc, []byte{b, g, r, b, g, r, b, g, r, b, g, r}},
	} {
		got := toBGR(tc.img)
		if string(got.Pix) != string(tc.want) {
			t.Errorf("%T: %v, want %v", tc.img, got.Pix, tc.want)
		}
	}
}

func TestResize(t *testing.T) {
	// A horizontal ramp keeps its ends and halves its steps when doubled
	// (OpenCV's pixel-centre geometry: the first column is replicated).
	src := bgr{W: 3, H: 1, Pix: []byte{0, 0, 0, 100, 100, 100, 200, 200, 200}}
	got := resize(src, 6, 2)
	want := []byte{0, 25, 75, 125, 175, 200}
	for y := range 2 {
		for x := range 6 {
			if p := got.at(x, y); p[0] != want[x] || p[1] != want[x] || p[2] != want[x] {
				t.Fatalf("(%d,%d) = %v, want %d", x, y, p, want[x])
			}
		}
	}
}

// TestRotateCrop cuts a rotated rectangle out of a picture: the upright
// crop has its left half red and its right half blue, as drawn.
func TestRotateCrop(t *testing.T) {
	const w, h = 120.0, 30.0
	angle := 25 * math.Pi / 180
	centre := point{100, 90}
	u := point{math.Cos(angle), math.Sin(angle)}
	n := perpendicular(u)
	src := bgr{W: 200, H: 180, Pix: make([]byte, 3*200*180)}
	for y := range src.H {
		for x := range src.W {
			d := point{float64(x), float64(y)}.sub(centre)
			a, b := d.dot(u), d.dot(n)
			p := src.at(x, y)
			switch {
			case math.Abs(a) > w/2 || math.Abs(b) > h/2:
				p[0], p[1], p[2] = 255, 255, 255
			case a < 0:
				p[0], p[1], p[2] = 0, 0, 255 // red, as B, G, R
			default:
				p[0], p[1], p[2] = 255, 0, 0 // blue
			}
		}
	}
	corner := func(a, b float64) image.Point {
		c := centre.add(u.scale(a)).add(n.scale(b))
		return image.Point{int(math.Round(c.X)), int(math.Round(c.Y))}
	}
	q := Quad{corner(-w/2, -h/2), corner(w/2, -h/2), corner(w/2, h/2), corner(-w/2, h/2)}
	crop, ok := rotateCrop(src, q)
	if !ok {
		t.Fatal("no crop")
	}
	if math.Abs(float64(crop.W)-w) > 2 || math.Abs(float64(crop.H)-h) > 2 {
		t.Fatalf("crop %d×%d, want about %.0f×%.0f", crop.W, crop.H, w, h)
	}
	// Away from the borders (resampled), each half is its colour.
	for y := 4; y < crop.H-4; y++ {
		for x := 4; x < crop.W-4; x++ {
			if math.Abs(float64(x)-float64(crop.W)/2) < 4 {
				continue
			}
			p := crop.at(x, y)
			red := x < crop.W/2
			if red && (p[2] < 200 || p[0] > 55) || !red && (p[0] < 200 || p[2] > 55) {
				t.Fatalf("crop pixel (%d,%d) = BGR %v, want %s", x, y, p, map[bool]string{true: "red", false: "blue"}[red])
			}
		}
	}

	// The same box given standing up (corners a quarter turn on) is at
	// least 1.5 times taller than wide: it comes out turned upright, with
	// the red half (now the crop's top) on the right after numpy's rot90.
	tall := Quad{q[1], q[2], q[3], q[0]}
	crop, ok = rotateCrop(src, tall)
	if !ok || crop.W < crop.H {
		t.Fatalf("tall crop %d×%d, want turned to wide", crop.W, crop.H)
	}
	if p := crop.at(crop.W/4, crop.H/2); p[0] < 200 {
		t.Errorf("left quarter of the turned crop is BGR %v, want blue", p)
	}
	if p := crop.at(3*crop.W/4, crop.H/2); p[2] < 200 {
		t.Errorf("right quarter of the turned crop is BGR %v, want red", p)
	}

	// A degenerate box crops nothing.
	if _, ok := rotateCrop(src, Quad{{5, 5}, {5, 5}, {5, 5}, {5, 5}}); ok {
		t.Error("a point cropped")
	}
}

func TestHomographyMapsCorners(t *testing.T) {
	q := [4]point{{10, 20}, {110, 35}, {105, 70}, {5, 50}}
	m, ok := homography(q, 100, 40)
	if !ok {
		t.Fatal("no homography")
	}
	for i, c := range [4]point{{0, 0}, {100, 0}, {100, 40}, {0, 40}} {
		z := m[6]*c.X + m[7]*c.Y + m[8]
		got := point{(m[0]*c.X + m[1]*c.Y + m[2]) / z, (m[3]*c.X + m[4]*c.Y + m[5]) / z}
		if !got.near(q[i], 1e-9) {
			t.Errorf("corner %v maps to %v, want %v", c, got, q[i])
		}
	}
}

func TestDetInput(t *testing.T) {
	// One pixel of B=255, G=0, R=128: each channel normalised with its
	// own mean and deviation, B first.
	data := make([]float32, 3)
	detInput(bgr{W: 1, H: 1, Pix: []byte{255, 0, 128}}, data)
	want := []float32{(1 - 0.485) / 0.229, (0 - 0.456) / 0.224, (128.0/255 - 0.406) / 0.225}
	for i := range want {
		if math.Abs(float64(data[i]-want[i])) > 1e-5 {
			t.Errorf("channel %d: %v, want %v", i, data[i], want[i])
		}
	}
}

func TestRecInput(t *testing.T) {
	// A 24×12 crop (aspect 2) of black on the left, white on the right
	// becomes 96×48 in a 320-wide input: −1 and 1, then zero padding.
	crop := bgr{W: 24, H: 12, Pix: make([]byte, 3*24*12)}
	for y := range 12 {
		for x := 12; x < 24; x++ {
			p := crop.at(x, y)
			p[0], p[1], p[2] = 255, 255, 255
		}
	}
	const width = 320
	data := make([]float32, 3*recHeight*width)
	recInput(crop, width, data)
	plane := recHeight * width
	for c := range 3 {
		for _, tc := range []struct {
			x    int
			want float32
		}{{0, -1}, {40, -1}, {56, 1}, {95, 1}, {96, 0}, {319, 0}} {
			if got := data[c*plane+20*width+tc.x]; got != tc.want {
				t.Errorf("channel %d, x %d: %v, want %v", c, tc.x, got, tc.want)
			}
		}
	}
}
