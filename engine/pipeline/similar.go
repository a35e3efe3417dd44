package pipeline

// Near-duplicate frames (a static camera, a paused screen) can repeat the
// detections of the last frame the model ran on. The test must never hide
// a small new object, so it is local: the frame is cut into a grid of
// cells, and one cell whose mean brightness moved more than cellThreshold
// makes the frame different. A whole-frame average or one perceptual hash
// would let a person covering 3 % of the picture through.

const (
	gridCols, gridRows = 24, 16
	// cellThreshold is in luma levels (0..255). Compression noise on a
	// still scene moves a cell's mean by 1–3 levels; a person walking into
	// a quarter of a cell moves it by well over 10.
	cellThreshold = 8
)

// look is a frame's mean luma per grid cell, row by row.
type look [gridCols * gridRows]float32

// lookOf measures packed RGB24 pixels of a w×h frame. It runs on every
// analysed frame, so it sums integer luma (BT.601 weights in 1/256ths)
// per cell and divides once.
func lookOf(rgb []byte, w, h int) *look {
	var sum [gridCols * gridRows]uint64
	var n [gridCols * gridRows]uint32
	col := make([]int, w)
	for x := range col {
		col[x] = x * gridCols / w
	}
	for y := 0; y < h; y++ {
		row := (y * gridRows / h) * gridCols
		p := rgb[y*w*3 : (y+1)*w*3]
		for x, c := range col {
			sum[row+c] += uint64(77*uint32(p[3*x]) + 150*uint32(p[3*x+1]) + 29*uint32(p[3*x+2]))
			n[row+c]++
		}
	}
	var lk look
	for i := range lk {
		if n[i] > 0 {
			lk[i] = float32(sum[i]) / float32(n[i]) / 256
		}
	}
	return &lk
}

// sameLook says no cell of b moved more than cellThreshold from a.
func sameLook(a, b *look) bool {
	for i := range a {
		if d := a[i] - b[i]; d > cellThreshold || d < -cellThreshold {
			return false
		}
	}
	return true
}
