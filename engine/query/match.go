package query

import (
	"math"
	"sort"

	"github.com/vidsift/vidsift/engine/scan"
)

// Options refine what counts as seen.
type Options struct {
	// MinConfidence: only detections at least this confident count.
	MinConfidence float32
	// MinDuration (seconds): only a class's spans at least this long
	// count; a span lasts end − start as the scan JSON reports them (ms).
	MinDuration float64
	// Together evaluates the expression on each analysed frame instead of
	// on the set of classes the whole file shows.
	Together bool
}

// Range is a stretch of a video, in seconds.
type Range struct{ Start, End float64 }

// Match evaluates e on one file's analysed frames (in time order). It
// reports whether the expression holds, and when:
//   - per file, the spans of the classes e names positively, merged;
//   - with Together, the runs of consecutive frames where it holds.
func Match(e Expr, frames []scan.Frame, o Options) (bool, []Range) {
	counted := make([]scan.Frame, len(frames))
	keep := scan.Filter{MinConfidence: o.MinConfidence}
	for i, k := range frames {
		counted[i] = scan.Frame{Index: k.Index, Time: k.Time, Detections: keep.Detections(k.Detections)}
	}
	// Spans as the scan JSON writes them (times rounded to the ms),
	// without those shorter than MinDuration.
	var spans []scan.Span
	for _, s := range scan.Spans(counted) {
		s.Start, s.End = ms(s.Start), ms(s.End)
		if s.End-s.Start >= o.MinDuration-1e-9 {
			spans = append(spans, s)
		}
	}
	if o.Together {
		return matchFrames(e, counted, spans)
	}
	present := map[string]bool{}
	for _, s := range spans {
		present[s.Class] = true
	}
	if !e.Eval(func(c string) bool { return present[c] }) {
		return false, nil
	}
	positive := map[string]bool{}
	for _, c := range Positive(e) {
		positive[c] = true
	}
	var ranges []Range
	for _, s := range spans {
		if positive[s.Class] {
			ranges = append(ranges, Range{s.Start, s.End})
		}
	}
	return true, merge(ranges)
}

// matchFrames evaluates e on each frame: a class is in a frame when it is
// detected there and the frame lies in one of its spans that count.
func matchFrames(e Expr, frames []scan.Frame, spans []scan.Span) (bool, []Range) {
	var ranges []Range
	open := false
	for _, k := range frames {
		t := ms(k.Time)
		holds := e.Eval(func(c string) bool { return seenIn(k.Detections, c) && inSpan(spans, c, t) })
		switch {
		case holds && open:
			ranges[len(ranges)-1].End = t
		case holds:
			ranges, open = append(ranges, Range{t, t}), true
		default:
			open = false
		}
	}
	return len(ranges) > 0, ranges
}

func seenIn(dets []scan.Detection, class string) bool {
	for _, d := range dets {
		if d.Class == class {
			return true
		}
	}
	return false
}

func inSpan(spans []scan.Span, class string, t float64) bool {
	for _, s := range spans {
		if s.Class == class && s.Start <= t && t <= s.End {
			return true
		}
	}
	return false
}

// merge joins overlapping or touching ranges, in time order.
func merge(rs []Range) []Range {
	if len(rs) == 0 {
		return nil
	}
	sort.Slice(rs, func(i, j int) bool { return rs[i].Start < rs[j].Start })
	out := []Range{rs[0]}
	for _, r := range rs[1:] {
		last := &out[len(out)-1]
		if r.Start <= last.End {
			last.End = max(last.End, r.End)
			continue
		}
		out = append(out, r)
	}
	return out
}

func ms(s float64) float64 { return math.Round(s*1000) / 1000 }

// Within reports whether time t (seconds, as a scan reports it) lies in
// one of the ranges.
func Within(rs []Range, t float64) bool {
	t = ms(t)
	for _, r := range rs {
		if r.Start <= t && t <= r.End {
			return true
		}
	}
	return false
}
