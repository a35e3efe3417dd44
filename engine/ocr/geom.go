package ocr

import (
	"math"
	"slices"
)

// point is a position in pixels (x right, y down).
type point struct{ X, Y float64 }

func (p point) sub(q point) point     { return point{p.X - q.X, p.Y - q.Y} }
func (p point) add(q point) point     { return point{p.X + q.X, p.Y + q.Y} }
func (p point) scale(f float64) point { return point{p.X * f, p.Y * f} }
func (p point) dot(q point) float64   { return p.X*q.X + p.Y*q.Y }
func (p point) cross(q point) float64 { return p.X*q.Y - p.Y*q.X }
func (p point) dist(q point) float64  { return math.Hypot(p.X-q.X, p.Y-q.Y) }
func (p point) unit() point           { return p.scale(1 / math.Hypot(p.X, p.Y)) }
func perpendicular(u point) point     { return point{-u.Y, u.X} }
func isZero(p point) bool             { return p.X == 0 && p.Y == 0 }

// cross3 is the cross product of a−o and b−o: its sign says on which side
// of the line o→a the point b lies.
func cross3(o, a, b point) float64 { return a.sub(o).cross(b.sub(o)) }

// convexHull returns the convex hull of pts counter-clockwise (in y-down
// pixels, clockwise on screen), without collinear points (Andrew's
// monotone chain).
func convexHull(pts []point) []point {
	ps := slices.Clone(pts)
	slices.SortFunc(ps, func(a, b point) int {
		if a.X != b.X {
			return cmpf(a.X, b.X)
		}
		return cmpf(a.Y, b.Y)
	})
	ps = slices.Compact(ps)
	if len(ps) < 3 {
		return ps
	}
	hull := make([]point, 0, 2*len(ps))
	for _, p := range ps { // lower chain
		for len(hull) >= 2 && cross3(hull[len(hull)-2], hull[len(hull)-1], p) <= 0 {
			hull = hull[:len(hull)-1]
		}
		hull = append(hull, p)
	}
	lower := len(hull) + 1
	for i := len(ps) - 2; i >= 0; i-- { // upper chain
		p := ps[i]
		for len(hull) >= lower && cross3(hull[len(hull)-2], hull[len(hull)-1], p) <= 0 {
			hull = hull[:len(hull)-1]
		}
		hull = append(hull, p)
	}
	return hull[:len(hull)-1]
}

func cmpf(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// rotatedRect is a rectangle at any angle: its corners in cyclic order and
// its side lengths (W along corners 0→1, H along 1→2).
type rotatedRect struct {
	Corners [4]point
	W, H    float64
}

// minAreaRect is the smallest-area rectangle around pts (OpenCV's
// minAreaRect): one of its sides lies on an edge of the convex hull, so
// each hull edge is tried as a direction.
func minAreaRect(pts []point) rotatedRect {
	hull := convexHull(pts)
	switch len(hull) {
	case 0:
		return rotatedRect{}
	case 1:
		p := hull[0]
		return rotatedRect{Corners: [4]point{p, p, p, p}}
	}
	best := rotatedRect{W: math.Inf(1), H: math.Inf(1)}
	for i := range hull {
		edge := hull[(i+1)%len(hull)].sub(hull[i])
		if isZero(edge) {
			continue
		}
		u := edge.unit()
		n := perpendicular(u)
		minU, maxU := math.Inf(1), math.Inf(-1)
		minN, maxN := math.Inf(1), math.Inf(-1)
		for _, p := range hull {
			a, b := p.dot(u), p.dot(n)
			minU, maxU = math.Min(minU, a), math.Max(maxU, a)
			minN, maxN = math.Min(minN, b), math.Max(maxN, b)
		}
		w, h := maxU-minU, maxN-minN
		if w*h < best.W*best.H || math.IsInf(best.W, 1) {
			at := func(a, b float64) point { return u.scale(a).add(n.scale(b)) }
			best = rotatedRect{
				Corners: [4]point{at(minU, minN), at(maxU, minN), at(maxU, maxN), at(minU, maxN)},
				W:       w, H: h,
			}
		}
	}
	return best
}

// miniBox orders a rectangle's corners as PaddleOCR's get_mini_boxes:
// of the two leftmost corners the upper is first and the lower last, of
// the two rightmost the upper second and the lower third. It returns the
// shorter side too.
func miniBox(r rotatedRect) ([4]point, float64) {
	c := r.Corners
	slices.SortStableFunc(c[:], func(a, b point) int { return cmpf(a.X, b.X) })
	var box [4]point
	if c[1].Y > c[0].Y {
		box[0], box[3] = c[0], c[1]
	} else {
		box[0], box[3] = c[1], c[0]
	}
	if c[3].Y > c[2].Y {
		box[1], box[2] = c[2], c[3]
	} else {
		box[1], box[2] = c[3], c[2]
	}
	return box, math.Min(r.W, r.H)
}

// unclip grows a text rectangle (corners in cyclic order, sides w and h)
// by the DB paper's offset distance d = area·ratio/perimeter on every
// side. PaddleOCR offsets the polygon with round joins (pyclipper) and
// takes the min-area rectangle of the result; for a rectangle that is
// exactly the rectangle grown by d, so no polygon clipping is needed.
func unclip(box [4]point, w, h, ratio float64) rotatedRect {
	if w <= 0 || h <= 0 {
		return rotatedRect{Corners: box, W: w, H: h}
	}
	d := w * h * ratio / (2 * (w + h))
	var out [4]point
	for i, p := range box {
		next, prev := box[(i+1)%4], box[(i+3)%4]
		out[i] = p.add(p.sub(next).unit().scale(d)).add(p.sub(prev).unit().scale(d))
	}
	return rotatedRect{Corners: out, W: box[0].dist(box[1]) + 2*d, H: box[1].dist(box[2]) + 2*d}
}

// clockwise orders four corners as PaddleOCR's order_points_clockwise:
// top-left has the least x+y, bottom-right the most, top-right the least
// y−x of the other two and bottom-left the most.
func clockwise(q [4]point) [4]point {
	sum := func(p point) float64 { return p.X + p.Y }
	lo, hi := 0, 0
	for i := range q {
		if sum(q[i]) < sum(q[lo]) {
			lo = i
		}
		if sum(q[i]) > sum(q[hi]) {
			hi = i
		}
	}
	if lo == hi { // all four on one anti-diagonal: any split will do
		hi = (lo + 2) % 4
	}
	var rest []point
	for i := range q {
		if i != lo && i != hi {
			rest = append(rest, q[i])
		}
	}
	tr, bl := rest[0], rest[1]
	if tr.Y-tr.X > bl.Y-bl.X {
		tr, bl = bl, tr
	}
	return [4]point{q[lo], tr, q[hi], bl}
}

// insideQuad says whether p is inside or on the edge of the convex
// quadrilateral q (either winding).
func insideQuad(q [4]point, p point) bool {
	var pos, neg bool
	for i := range q {
		c := cross3(q[i], q[(i+1)%4], p)
		pos = pos || c > 1e-9
		neg = neg || c < -1e-9
	}
	return !(pos && neg)
}
