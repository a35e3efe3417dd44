package ocr

import (
	"math"
	"testing"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

// rectPixels are the pixel centres of a w×h block rotated by angle
// (radians) about (cx, cy): what a text region of the map looks like.
func rectPixels(w, h, angle, cx, cy float64) []point {
	var pts []point
	u := point{math.Cos(angle), math.Sin(angle)}
	n := perpendicular(u)
	for a := -w / 2; a <= w/2; a += 0.25 {
		for b := -h / 2; b <= h/2; b += 0.25 {
			pts = append(pts, point{cx, cy}.add(u.scale(a)).add(n.scale(b)))
		}
	}
	return pts
}

func TestConvexHull(t *testing.T) {
	// A square with points inside and on its edges: only the corners stay.
	pts := []point{{0, 0}, {4, 0}, {4, 4}, {0, 4}, {2, 2}, {2, 0}, {4, 2}, {1, 3}, {0, 0}}
	hull := convexHull(pts)
	if len(hull) != 4 {
		t.Fatalf("hull %v, want the 4 corners", hull)
	}
	for _, c := range []point{{0, 0}, {4, 0}, {4, 4}, {0, 4}} {
		found := false
		for _, h := range hull {
			found = found || h == c
		}
		if !found {
			t.Errorf("hull %v lacks corner %v", hull, c)
		}
	}
	if got := convexHull([]point{{1, 1}, {1, 1}}); len(got) != 1 {
		t.Errorf("one repeated point: hull %v", got)
	}
}

func TestMinAreaRect(t *testing.T) {
	for _, tc := range []struct {
		name        string
		pts         []point
		long, short float64
		angle       float64 // of the long side, degrees, modulo 180
	}{
		{"axis-aligned block of 10×5 pixels", blockPixels(3, 7, 10, 5), 9, 4, 0},
		{"rotated 30°", rectPixels(40, 10, math.Pi/6, 50, 50), 40, 10, 30},
		{"rotated −20°", rectPixels(60, 16, -math.Pi/9, 80, 40), 60, 16, 160},
		{"a line of pixels", blockPixels(0, 0, 8, 1), 7, 0, 0},
	} {
		r := minAreaRect(tc.pts)
		long, short := math.Max(r.W, r.H), math.Min(r.W, r.H)
		if !near(long, tc.long, 1e-6) || !near(short, tc.short, 1e-6) {
			t.Errorf("%s: sides %.3f×%.3f, want %.3f×%.3f", tc.name, long, short, tc.long, tc.short)
			continue
		}
		// The long side's direction.
		a, b := r.Corners[0], r.Corners[1]
		if r.H > r.W {
			b = r.Corners[3]
		}
		deg := math.Mod(math.Atan2(b.Y-a.Y, b.X-a.X)*180/math.Pi+360, 180)
		if !near(deg, tc.angle, 1e-6) && !near(math.Abs(deg-tc.angle), 180, 1e-6) {
			t.Errorf("%s: long side at %.3f°, want %.3f°", tc.name, deg, tc.angle)
		}
		// Every point lies in the rectangle.
		for _, p := range tc.pts {
			if tc.short > 0 && !insideQuad(r.Corners, p) && !insideQuad(grow(r.Corners, 1e-6), p) {
				t.Errorf("%s: %v outside %v", tc.name, p, r.Corners)
				break
			}
		}
	}
}

func blockPixels(x0, y0, w, h int) []point {
	var pts []point
	for y := y0; y < y0+h; y++ {
		for x := x0; x < x0+w; x++ {
			pts = append(pts, point{float64(x), float64(y)})
		}
	}
	return pts
}

// grow moves each corner away from the centre by d (a tolerance).
func grow(q [4]point, d float64) [4]point {
	c := q[0].add(q[2]).scale(0.5)
	for i := range q {
		q[i] = q[i].add(q[i].sub(c).unit().scale(d))
	}
	return q
}

func TestMiniBoxOrder(t *testing.T) {
	// A box tilted a little clockwise on screen: corners given in any order.
	r := rotatedRect{Corners: [4]point{{102, 30}, {0, 10}, {2, 0}, {100, 40}}, W: 100, H: 10}
	box, side := miniBox(r)
	// Leftmost two: (0,10) and (2,0): the upper, (2,0), first; the lower last.
	// Rightmost two: (100,40) and (102,30): the upper second, the lower third.
	if box != [4]point{{2, 0}, {102, 30}, {100, 40}, {0, 10}} || side != 10 {
		t.Errorf("box %v side %v", box, side)
	}
}

func TestUnclip(t *testing.T) {
	// A 40×10 box at 30°: the DB offset is area·ratio/perimeter =
	// 400·1.5/100 = 6 on every side, so it becomes 52×22 about the same
	// centre and at the same angle.
	r := minAreaRect(rectPixels(40, 10, math.Pi/6, 50, 50))
	box, _ := miniBox(r)
	out := unclip(box, box[0].dist(box[1]), box[1].dist(box[2]), 1.5)
	long, short := math.Max(out.W, out.H), math.Min(out.W, out.H)
	if !near(long, 52, 1e-6) || !near(short, 22, 1e-6) {
		t.Errorf("unclipped to %.3f×%.3f, want 52×22", long, short)
	}
	// Its corners agree with the sides it reports, and the centre stays.
	c := out.Corners
	if !near(c[0].dist(c[1]), out.W, 1e-6) || !near(c[1].dist(c[2]), out.H, 1e-6) {
		t.Errorf("corners %v do not span %.3f×%.3f", c, out.W, out.H)
	}
	if centre := c[0].add(c[2]).scale(0.5); !centre.near(point{50, 50}, 1e-6) {
		t.Errorf("centre moved to %v", centre)
	}
	for _, p := range box {
		if !insideQuad(c, p) {
			t.Errorf("corner %v of the box is outside the unclipped one", p)
		}
	}
}

func (p point) near(q point, tol float64) bool { return p.dist(q) <= tol }

func TestClockwise(t *testing.T) {
	q := [4]point{{100, 40}, {0, 10}, {2, 0}, {102, 30}}
	if got := clockwise(q); got != [4]point{{2, 0}, {102, 30}, {100, 40}, {0, 10}} {
		t.Errorf("clockwise %v", got)
	}
}

func TestRegionsAndBoxes(t *testing.T) {
	// A text block on a 100×60 map; two blocks touching only at a corner,
	// which 8-connectivity joins into one region whose rectangle is mostly
	// empty (its mean is below box_thresh); a single noisy pixel, a region
	// too small for a box.
	m := probMap{W: 100, H: 60, P: make([]float32, 100*60)}
	fill := func(x0, y0, w, h int, p float32) {
		for y := y0; y < y0+h; y++ {
			for x := x0; x < x0+w; x++ {
				m.P[y*m.W+x] = p
			}
		}
	}
	fill(10, 5, 40, 8, 0.9)
	fill(10, 30, 10, 10, 0.8)
	fill(20, 40, 10, 10, 0.8)
	m.P[55*m.W+90] = 0.95
	regs := regions(m, binaryThresh, maxCandidates)
	if len(regs) != 3 {
		t.Fatalf("%d regions, want 3", len(regs))
	}
	if got := regions(m, binaryThresh, 2); len(got) != 2 {
		t.Errorf("limit 2 gave %d regions", len(got))
	}

	boxes := dbBoxes(m)
	if len(boxes) != 1 {
		t.Fatalf("%d boxes, want 1 (the block's): %v", len(boxes), boxes)
	}
	// The first: the block's pixel centres span 39×7, unclipped by
	// 39·7·1.5/92 ≈ 4.45 per side.
	d := 39.0 * 7 * 1.5 / 92
	want := [4]point{{10 - d, 5 - d}, {49 + d, 5 - d}, {49 + d, 12 + d}, {10 - d, 12 + d}}
	for i := range want {
		if !boxes[0][i].near(want[i], 1e-6) {
			t.Errorf("box %v, want %v", boxes[0], want)
			break
		}
	}

	// A faint region (mean below box_thresh) gives no box.
	fill(60, 5, 30, 8, 0.4)
	if got := dbBoxes(m); len(got) != 1 {
		t.Errorf("the faint region gave a box: %v", got)
	}
}

func TestBoxScore(t *testing.T) {
	m := probMap{W: 20, H: 20, P: make([]float32, 400)}
	for y := 5; y <= 9; y++ {
		for x := 5; x <= 14; x++ {
			m.P[y*m.W+x] = 1
		}
	}
	if s := boxScore(m, [4]point{{5, 5}, {14, 5}, {14, 9}, {5, 9}}); !near(s, 1, 1e-9) {
		t.Errorf("score of the block itself %.3f, want 1", s)
	}
	// Twice as tall: half the pixels are text.
	if s := boxScore(m, [4]point{{5, 5}, {14, 5}, {14, 14}, {5, 14}}); !near(s, 0.5, 1e-9) {
		t.Errorf("score %.3f, want 0.5", s)
	}
}

func TestSortBoxes(t *testing.T) {
	line := func(x, y float64) [4]point { return [4]point{{x, y}, {x + 10, y}, {x + 10, y + 5}, {x, y + 5}} }
	// Two lines; in the first the right word's top is 4 pixels higher.
	boxes := [][4]point{line(50, 40), line(60, 10), line(0, 14), line(0, 41)}
	sortBoxes(boxes)
	want := [][4]point{line(0, 14), line(60, 10), line(0, 41), line(50, 40)}
	for i := range want {
		if boxes[i][0] != want[i][0] {
			t.Fatalf("order %v, want %v", boxes, want)
		}
	}
}
