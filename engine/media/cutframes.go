package media

import (
	"slices"

	"github.com/asticode/go-astiav"
)

// Cut frames: a shot that starts between keyframes, and ends before the
// next analysed frame, would never be looked at. Decoding every frame to
// compare pictures costs more than the inference it saves, so the packets
// point the way: a non-key packet that opens a new shot is mostly
// intra-coded, many times larger than its neighbours. Only such a packet is
// decoded (with the chain of packets up to it), and its frame is analysed
// only if the picture as a whole differs from the last analysed frame — a
// coarse rule, unlike the reuse test in pipeline/similar.go, so that motion
// within a shot does not qualify.
const (
	// cutWindow non-key packet sizes make the running median a packet is
	// held against; cutMinPackets must be seen before any is a candidate.
	cutWindow     = 32
	cutMinPackets = 4
	// A candidate is at least cutSizeRatio times the median size and
	// cutUpperRatio times the upper quartile. Measured on the compilations
	// (testdata/generated/shots, and the same shots in VP9 and MPEG-4
	// Part 2): the first P-frame of a shot is 22–800× the median in H.264
	// and HEVC, 7–150× in VP9 and MPEG-4 Part 2. Motion within a shot
	// reaches 15× on street footage and 50× where a person walks into a
	// static scene (whose other packets are nearly empty); those fail the
	// picture test below. The quartile keeps footage with repeated frames
	// (10 fps made 25 fps: most packets nearly empty) from making every
	// real frame a candidate: 296 of 750 packets of the bench's HD clip
	// by the median alone, 19 with both.
	cutSizeRatio  = 6
	cutUpperRatio = 2.5
	// cutMinBytes keeps tiny packets out whatever the ratio.
	cutMinBytes = 1024
	// The picture test: the frame scaled to cutLookSize² pixels is cut into
	// cutGrid² cells; it is a new shot when at least cutCellShare of the
	// cells moved more than cutCellThreshold luma levels from the last
	// analysed frame.
	cutLookSize      = 32
	cutGrid          = 8
	cutCellThreshold = 24
	cutCellShare     = 0.5
)

// packetSizes keeps the sizes of the last cutWindow non-key packets.
type packetSizes struct {
	ring   [cutWindow]int
	n      int // sizes seen, up to cutWindow
	next   int
	sorted []int
}

// outlier notes size and says whether it stands far above the packets
// before it.
func (p *packetSizes) outlier(size int) bool {
	out := false
	if p.n >= cutMinPackets && size >= cutMinBytes {
		p.sorted = append(p.sorted[:0], p.ring[:p.n]...)
		slices.Sort(p.sorted)
		out = size >= cutSizeRatio*max(1, p.sorted[p.n/2]) && float64(size) >= cutUpperRatio*float64(p.sorted[p.n*3/4])
	}
	p.ring[p.next] = size
	p.next = (p.next + 1) % cutWindow
	p.n = min(p.n+1, cutWindow)
	return out
}

// shotLook is a frame's mean luma per cell of a cutGrid² grid.
type shotLook [cutGrid * cutGrid]float32

// lookOf measures a decoded frame. Rotation does not matter: every frame of
// a file is measured the same way.
func (c *converter) lookOf(f *astiav.Frame) (shotLook, error) {
	var lk shotLook
	if cap(c.lookBuf) < cutLookSize*cutLookSize*3 {
		c.lookBuf = make([]byte, cutLookSize*cutLookSize*3)
	}
	rgb := c.lookBuf[:cutLookSize*cutLookSize*3]
	if err := c.toRGB(f, 0, false, cutLookSize, cutLookSize, rgb); err != nil {
		return lk, err
	}
	const cell = cutLookSize / cutGrid
	for y := 0; y < cutLookSize; y++ {
		for x := 0; x < cutLookSize; x++ {
			p := rgb[(y*cutLookSize+x)*3:]
			lk[(y/cell)*cutGrid+x/cell] += float32(77*uint32(p[0])+150*uint32(p[1])+29*uint32(p[2])) / 256
		}
	}
	for i := range lk {
		lk[i] /= cell * cell
	}
	return lk, nil
}

// changedShare is the share of cells that moved more than cutCellThreshold.
func changedShare(a, b *shotLook) float64 {
	n := 0
	for i := range a {
		if d := a[i] - b[i]; d > cutCellThreshold || d < -cutCellThreshold {
			n++
		}
	}
	return float64(n) / float64(len(a))
}

// newShot says b shows another shot than a.
func newShot(a, b *shotLook) bool { return changedShare(a, b) >= cutCellShare }
