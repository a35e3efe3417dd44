package scan

import "sort"

// Span is a stretch of consecutive analysed frames in which a class is seen.
type Span struct {
	Class         string
	Start, End    float64
	MaxConfidence float32
}

// Spans merges, for each class, consecutive analysed frames where it is
// detected (a Filter's Frames limits the classes or confidence first).
// Spans come ordered by start time, then class name.
func Spans(frames []Frame) []Span {
	open := map[string]*Span{}
	var spans []Span
	var order []string
	for _, f := range frames {
		best := map[string]float32{}
		for _, d := range f.Detections {
			if c, ok := best[d.Class]; !ok || d.Confidence > c {
				best[d.Class] = d.Confidence
			}
		}
		// Close spans whose class is absent from this frame.
		for _, cls := range order {
			if s := open[cls]; s != nil {
				if _, seen := best[cls]; !seen {
					spans = append(spans, *s)
					open[cls] = nil
				}
			}
		}
		for cls, conf := range best {
			if s := open[cls]; s != nil {
				s.End = f.Time
				s.MaxConfidence = max(s.MaxConfidence, conf)
				continue
			}
			if _, known := open[cls]; !known {
				order = append(order, cls)
			}
			open[cls] = &Span{Class: cls, Start: f.Time, End: f.Time, MaxConfidence: conf}
		}
	}
	for _, cls := range order {
		if s := open[cls]; s != nil {
			spans = append(spans, *s)
		}
	}
	sort.Slice(spans, func(i, j int) bool {
		if spans[i].Start != spans[j].Start {
			return spans[i].Start < spans[j].Start
		}
		return spans[i].Class < spans[j].Class
	})
	return spans
}
