package scan

import "fmt"

// Precision is how finely Clock writes a time.
type Precision int

const (
	// Seconds: whole seconds, for spans, find's lines and progress.
	Seconds Precision = iota
	// Tenths: a frame's time where frames are listed (the grid, the detail view).
	Tenths
)

// Clock writes seconds from a video's start as m:ss, or h:mm:ss from an
// hour on, with tenths (m:ss.s) at Tenths. Whole seconds are cut, not
// rounded, so a span never seems to start before its first frame.
func Clock(s float64, p Precision) string {
	s = max(s, 0)
	if p == Tenths {
		tenths := int(s*10 + 1e-6)
		t := tenths / 10
		if t >= 3600 {
			return fmt.Sprintf("%d:%02d:%02d.%d", t/3600, t/60%60, t%60, tenths%10)
		}
		return fmt.Sprintf("%d:%02d.%d", t/60, t%60, tenths%10)
	}
	t := int(s + 1e-6)
	if t >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", t/3600, t/60%60, t%60)
	}
	return fmt.Sprintf("%d:%02d", t/60, t%60)
}
