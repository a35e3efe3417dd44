package query

import (
	"math"
	"slices"
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

// Match evaluates e on one file's analysed frames (in time order); it is
// MatchFile without subtitles.
func Match(e Expr, frames []scan.Frame, o Options) (bool, []Range) {
	return MatchFile(e, frames, nil, o)
}

// MatchFile evaluates e on one file's analysed frames (in time order) and
// subtitle cues. It reports whether the expression holds, and when:
//   - per file, the spans of the atoms e names positively, merged: a
//     class's or a text's runs of consecutive frames that show it, a
//     said's cues;
//   - with Together, the runs of consecutive frames where it holds (a
//     frame hears the cues its time falls in); an expression of said
//     atoms alone, the stretches of the cues' timeline where it holds.
//
// MinDuration counts for every atom's spans alike.
func MatchFile(e Expr, frames []scan.Frame, cues []scan.Cue, o Options) (bool, []Range) {
	counted := make([]scan.Frame, len(frames))
	keep := scan.Filter{MinConfidence: o.MinConfidence}
	for i, k := range frames {
		counted[i] = scan.Frame{Index: k.Index, Time: k.Time, Detections: keep.Detections(k.Detections), Text: k.Text}
	}
	spans := atomSpans(e, counted, cues, o.MinDuration)
	if o.Together {
		if SaidOnly(e) {
			return matchCues(e, spans)
		}
		return matchFrames(e, counted, spans)
	}
	if !e.Eval(func(a Atom) bool { return len(spans[Key(a)]) > 0 }) {
		return false, nil
	}
	var ranges []Range
	walkAtoms(e, false, func(a Atom, negated bool) {
		if !negated {
			ranges = append(ranges, spans[Key(a)]...)
		}
	})
	return true, merge(ranges)
}

// Key names an atom by what it matches, not where it stands: "class
// dog", "text fire exit", "said get out" (words folded).
func Key(a Atom) string {
	switch x := a.(type) {
	case Class:
		return "class " + x.Name
	case Text:
		return "text " + Fold(x.Words)
	case Said:
		return "said " + Fold(x.Words)
	}
	return ""
}

// atomSpans are, by key, the spans of each atom of e that count (as the
// scan JSON writes times, rounded to the ms, and at least minDuration
// long): a class's and a text's runs of consecutive frames that show it,
// a said's cues that hold it, merged.
func atomSpans(e Expr, frames []scan.Frame, cues []scan.Cue, minDuration float64) map[string][]Range {
	long := func(r Range) bool { return r.End-r.Start >= minDuration-1e-9 }
	out := map[string][]Range{}
	var classSpans []scan.Span
	classesDone := false
	walkAtoms(e, false, func(a Atom, _ bool) {
		k := Key(a)
		if _, done := out[k]; done {
			return
		}
		var rs []Range
		switch x := a.(type) {
		case Class:
			if !classesDone {
				classSpans, classesDone = scan.Spans(frames), true
			}
			for _, s := range classSpans {
				if r := (Range{ms(s.Start), ms(s.End)}); s.Class == x.Name && long(r) {
					rs = append(rs, r)
				}
			}
		case Text:
			open := false
			for _, k := range frames {
				t := ms(k.Time)
				switch {
				case !readIn(k.Text, x):
					open = false
				case open:
					rs[len(rs)-1].End = t
				default:
					rs, open = append(rs, Range{t, t}), true
				}
			}
			rs = slices.DeleteFunc(rs, func(r Range) bool { return !long(r) })
		case Said:
			for _, c := range cues {
				if r := (Range{ms(c.Start), ms(c.End)}); x.In(c.Text) && long(r) {
					rs = append(rs, r)
				}
			}
			rs = merge(rs)
		}
		out[k] = rs
	})
	return out
}

// readIn reports whether one of a frame's lines of text holds t.
func readIn(lines []scan.TextLine, t Text) bool {
	for _, l := range lines {
		if t.In(l.Text) {
			return true
		}
	}
	return false
}

// SaidOnly reports whether e's atoms are all said atoms: it is decided
// on a file's cues alone.
func SaidOnly(e Expr) bool {
	only := true
	walkAtoms(e, false, func(a Atom, _ bool) {
		if _, ok := a.(Said); !ok {
			only = false
		}
	})
	return only
}

// matchFrames evaluates e on each frame: a class or a text is in a frame
// when it is seen there and the frame lies in one of its spans that
// count; a said, when the frame's time lies in one of its cues that count.
func matchFrames(e Expr, frames []scan.Frame, spans map[string][]Range) (bool, []Range) {
	var ranges []Range
	open := false
	for _, k := range frames {
		t := ms(k.Time)
		holds := e.Eval(func(a Atom) bool {
			switch x := a.(type) {
			case Class:
				return seenIn(k.Detections, x.Name) && Within(spans[Key(a)], t)
			case Text:
				return readIn(k.Text, x) && Within(spans[Key(a)], t)
			}
			return Within(spans[Key(a)], t)
		})
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

// matchCues evaluates an expression of said atoms on the cues' timeline:
// at each cue boundary and in each stretch between two, joining the
// pieces where it holds.
func matchCues(e Expr, spans map[string][]Range) (bool, []Range) {
	var bounds []float64
	for _, rs := range spans {
		for _, r := range rs {
			bounds = append(bounds, r.Start, r.End)
		}
	}
	slices.Sort(bounds)
	bounds = slices.Compact(bounds)
	at := func(t float64) bool {
		return e.Eval(func(a Atom) bool { return Within(spans[Key(a)], t) })
	}
	var ranges []Range
	open := false
	piece := func(r Range, holds bool) {
		switch {
		case holds && open:
			ranges[len(ranges)-1].End = r.End
		case holds:
			ranges, open = append(ranges, r), true
		default:
			open = false
		}
	}
	for i, b := range bounds {
		piece(Range{b, b}, at(b))
		if i+1 < len(bounds) {
			next := bounds[i+1]
			piece(Range{b, next}, at((b+next)/2))
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
