package scan

// Filter says which detections count: those of some classes, at or above a
// confidence. The zero Filter keeps every detection.
type Filter struct {
	Classes       map[string]bool // empty: every class
	MinConfidence float32
}

// Keeps reports whether d passes the filter.
func (f Filter) Keeps(d Detection) bool {
	return (len(f.Classes) == 0 || f.Classes[d.Class]) && d.Confidence >= f.MinConfidence
}

// Detections returns the detections of dets that pass, in order, in a
// slice of their own (nil when none do).
func (f Filter) Detections(dets []Detection) []Detection {
	var out []Detection
	for _, d := range dets {
		if f.Keeps(d) {
			out = append(out, d)
		}
	}
	return out
}

// Frames returns copies of frames with only the detections that pass.
func (f Filter) Frames(frames []Frame) []Frame {
	out := make([]Frame, len(frames))
	for i, k := range frames {
		out[i] = k
		out[i].Detections = f.Detections(k.Detections)
	}
	return out
}
