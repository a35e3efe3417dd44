package ocr

import (
	"math"
	"slices"
)

// The DB post-process of PaddleOCR's inference defaults for PP-OCRv4
// (tools/infer/utility.py, ppocr/postprocess/db_postprocess.py).
const (
	binaryThresh  = 0.3  // det_db_thresh: a pixel is text above it
	boxThresh     = 0.6  // det_db_box_thresh: a box's mean probability
	unclipRatio   = 1.5  // det_db_unclip_ratio
	minBoxSide    = 3    // DBPostProcess.min_size
	maxCandidates = 1000 // DBPostProcess.max_candidates
)

// probMap is the detector's per-pixel text probability.
type probMap struct {
	W, H int
	P    []float32
}

// dbBoxes finds the text boxes in a probability map, in map pixels, in
// get_mini_boxes order (see miniBox). Each 8-connected region above
// binaryThresh gives one candidate: its min-area rectangle, kept when its
// mean probability reaches boxThresh, then unclipped.
//
// OpenCV's findContours (RETR_LIST) also returns the inner border of holes
// in a region; PaddleOCR then scores them as boxes of their own, which
// mostly fail boxThresh. Regions here have no holes to give such boxes.
func dbBoxes(m probMap) [][4]point {
	var boxes [][4]point
	for _, region := range regions(m, binaryThresh, maxCandidates) {
		box, side := miniBox(minAreaRect(region))
		if side < minBoxSide {
			continue
		}
		if boxScore(m, box) < boxThresh {
			continue
		}
		r := unclip(box, box[0].dist(box[1]), box[1].dist(box[2]), unclipRatio)
		box, side = miniBox(r)
		if side < minBoxSide+2 {
			continue
		}
		boxes = append(boxes, box)
	}
	return boxes
}

// regions labels the 8-connected regions of pixels above thresh (at most
// limit, in raster order of their first pixel) and returns, for each, the
// pixel centres at the ends of each of its rows: enough for the convex
// hull, which is all minAreaRect looks at.
func regions(m probMap, thresh float32, limit int) [][]point {
	seen := make([]bool, len(m.P))
	var out [][]point
	var stack []int
	for start, p := range m.P {
		if seen[start] || p <= thresh {
			continue
		}
		if len(out) == limit {
			break
		}
		// The region's first pixel in raster order is on its top row.
		top := start / m.W
		var rows [][2]int // per row from top: the least and greatest x
		seen[start] = true
		stack = append(stack[:0], start)
		for len(stack) > 0 {
			i := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			x, y := i%m.W, i/m.W
			for len(rows) <= y-top {
				rows = append(rows, [2]int{m.W, -1})
			}
			r := &rows[y-top]
			r[0], r[1] = min(r[0], x), max(r[1], x)
			for dy := -1; dy <= 1; dy++ {
				for dx := -1; dx <= 1; dx++ {
					nx, ny := x+dx, y+dy
					if nx < 0 || ny < 0 || nx >= m.W || ny >= m.H {
						continue
					}
					j := ny*m.W + nx
					if !seen[j] && m.P[j] > thresh {
						seen[j] = true
						stack = append(stack, j)
					}
				}
			}
		}
		pts := make([]point, 0, 2*len(rows))
		for dy, r := range rows {
			y := float64(top + dy)
			pts = append(pts, point{float64(r[0]), y}, point{float64(r[1]), y})
		}
		out = append(out, pts)
	}
	return out
}

// boxScore is the mean probability inside the box (box_score_fast: the
// polygon filled with its corners truncated to whole pixels, edges in).
func boxScore(m probMap, box [4]point) float64 {
	xmin, xmax, ymin, ymax := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, p := range box {
		xmin, xmax = math.Min(xmin, p.X), math.Max(xmax, p.X)
		ymin, ymax = math.Min(ymin, p.Y), math.Max(ymax, p.Y)
	}
	x0, x1 := clampi(int(math.Floor(xmin)), 0, m.W-1), clampi(int(math.Ceil(xmax)), 0, m.W-1)
	y0, y1 := clampi(int(math.Floor(ymin)), 0, m.H-1), clampi(int(math.Ceil(ymax)), 0, m.H-1)
	var q [4]point
	for i, p := range box {
		q[i] = point{math.Trunc(p.X - float64(x0)), math.Trunc(p.Y - float64(y0))}
	}
	var sum float64
	var n int
	for y := y0; y <= y1; y++ {
		for x := x0; x <= x1; x++ {
			if insideQuad(q, point{float64(x - x0), float64(y - y0)}) {
				sum += float64(m.P[y*m.W+x])
				n++
			}
		}
	}
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}

// sortBoxes orders boxes top to bottom, then left to right within a line
// (PaddleOCR's sorted_boxes: by the top-left corner, boxes whose tops are
// within 10 pixels counting as one line).
func sortBoxes(boxes [][4]point) {
	slices.SortStableFunc(boxes, func(a, b [4]point) int {
		if c := cmpf(a[0].Y, b[0].Y); c != 0 {
			return c
		}
		return cmpf(a[0].X, b[0].X)
	})
	for i := 0; i < len(boxes)-1; i++ {
		for j := i; j >= 0; j-- {
			if math.Abs(boxes[j+1][0].Y-boxes[j][0].Y) < 10 && boxes[j+1][0].X < boxes[j][0].X {
				boxes[j], boxes[j+1] = boxes[j+1], boxes[j]
			} else {
				break
			}
		}
	}
}
