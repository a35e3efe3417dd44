package app

import (
	"fmt"
	"image/color"
	"math"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/vidsift/vidsift/engine/export"
	"github.com/vidsift/vidsift/engine/results"
	"github.com/vidsift/vidsift/engine/scan"
)

// Timeline geometry, in device-independent pixels. A compact timeline
// (the contact sheet's strip) has thin lanes, at most compactLanes.
const (
	laneHeight   = 14 // tall enough to point at a cue and click it
	laneGap      = 3
	tickHeight   = 7
	axisHeight   = 16 // the time axis's labels, under the ticks
	axisSpacing  = 64 // at least this far apart
	labelWidth   = 96
	markerWidth  = 3
	markerHead   = 11 // the current frame's mark: a head this wide over its line
	compactLane  = 5
	compactGap   = 1
	compactLanes = 6
)

// saidColor is the colour of subtitle cues' bars: no class has it.
var saidColor = color.NRGBA{R: 215, G: 215, B: 225, A: 255}

// timeline draws when things happen in one video: one lane per class with
// its spans as coloured bars, a "Said" lane per subtitle track with its
// cues as bars, a tick at each analysed frame and the current frame
// marked. A tap picks the analysed frame nearest to it, or on a cue the
// frame nearest to the cue's start; pointing at a cue tells its text.
// Compact, it leaves the lanes' names out (the contact sheet's strip).
type timeline struct {
	widget.BaseWidget
	compact  bool
	duration float64   // seconds; the frames' last time when unknown
	frames   []float64 // analysed frames' times, in order
	lanes    []lane    // the classes', then the Said lanes
	current  int       // index in frames; -1: none
	onPick   func(frame int)
	// onCue, when set, hears of the cue tapped or pointed at (nil: the
	// pointer left the cues).
	onCue func(c *scan.Cue, tapped bool)
}

type lane struct {
	class string // the lane's name: a class, or "Said" and the track
	color color.Color
	spans []scan.Span
	cues  []scan.Cue // of a Said lane
}

func newTimeline(compact bool, onPick func(frame int)) *timeline {
	t := &timeline{compact: compact, current: -1, onPick: onPick}
	t.ExtendBaseWidget(t)
	return t
}

// set shows a video: its duration, analysed frames' times, class spans
// (classIDs colour them as the boxes are), subtitle cues and the current
// frame.
func (t *timeline) set(duration float64, frames []float64, spans []scan.Span, classIDs map[string]int, cues []scan.Cue, current int) {
	t.duration, t.frames, t.current = duration, frames, current
	if n := len(frames); n > 0 && t.duration < frames[n-1] {
		t.duration = frames[n-1]
	}
	byClass := map[string]*lane{}
	t.lanes = nil
	for _, s := range spans {
		l := byClass[s.Class]
		if l == nil {
			l = &lane{class: s.Class, color: export.ClassColor(classIDs[s.Class])}
			byClass[s.Class] = l
		}
		l.spans = append(l.spans, s)
	}
	for _, l := range byClass {
		t.lanes = append(t.lanes, *l)
	}
	sort.Slice(t.lanes, func(i, j int) bool { return t.lanes[i].class < t.lanes[j].class })
	said := saidLanes(cues, t.compact)
	if keep := compactLanes - len(said); t.compact && len(t.lanes) > keep {
		// The classes seen longest keep a lane.
		seen := func(l lane) (s float64) {
			for _, sp := range l.spans {
				s += sp.End - sp.Start + 0.001
			}
			return s
		}
		sort.SliceStable(t.lanes, func(i, j int) bool { return seen(t.lanes[i]) > seen(t.lanes[j]) })
		t.lanes = t.lanes[:keep]
		sort.Slice(t.lanes, func(i, j int) bool { return t.lanes[i].class < t.lanes[j].class })
	}
	t.lanes = append(t.lanes, said...)
	t.Refresh()
}

// saidLanes are the Said lanes of cues: one per subtitle track or
// sidecar file, named by its language when there are several; compact,
// one for them all.
func saidLanes(cues []scan.Cue, compact bool) []lane {
	type source struct {
		track   int
		sidecar string
	}
	var order []source
	bySource := map[source]*lane{}
	for _, c := range cues {
		src := source{c.Track, c.Sidecar}
		if compact {
			src = source{}
		}
		l := bySource[src]
		if l == nil {
			l = &lane{class: "Said", color: saidColor}
			bySource[src] = l
			order = append(order, src)
		}
		l.cues = append(l.cues, c)
	}
	out := make([]lane, 0, len(order))
	for _, src := range order {
		l := *bySource[src]
		if len(order) > 1 {
			l.class = "Said " + trackName(l.cues[0])
		}
		out = append(out, l)
	}
	return out
}

// trackName names a cue's subtitle track: its language, else its stream
// or sidecar file.
func trackName(c scan.Cue) string {
	switch {
	case c.Language != "":
		return c.Language
	case c.Sidecar != "":
		return c.Sidecar
	}
	return fmt.Sprintf("#%d", c.Track)
}

// left is where the time axis starts.
func (t *timeline) left() float32 {
	if t.compact {
		return 0
	}
	return labelWidth
}

// x is where time s lies on a timeline w wide.
func (t *timeline) x(s float64, w float32) float32 {
	if t.duration <= 0 {
		return t.left()
	}
	return t.left() + float32(s/t.duration)*(w-t.left()-markerWidth)
}

// Tapped picks the analysed frame nearest to the tap, or on a cue the one
// nearest to the cue's start.
func (t *timeline) Tapped(ev *fyne.PointEvent) {
	if len(t.frames) == 0 || t.onPick == nil {
		return
	}
	w := t.Size().Width
	x := ev.Position.X
	if c := t.cueAt(ev.Position); c != nil {
		x = t.x(c.Start, w)
		if t.onCue != nil {
			t.onCue(c, true)
		}
	}
	best, dist := 0, float32(math.MaxFloat32)
	for i, s := range t.frames {
		if d := float32(math.Abs(float64(t.x(s, w) - x))); d < dist {
			best, dist = i, d
		}
	}
	t.onPick(best)
}

// cueAt is the cue drawn at p, if any: its bar, or a few pixels beside a
// short one.
func (t *timeline) cueAt(p fyne.Position) *scan.Cue {
	lh, gap := t.lane()
	i := int(p.Y / (lh + gap))
	if p.Y < 0 || i >= len(t.lanes) || p.Y-float32(i)*(lh+gap) > lh {
		return nil
	}
	w := t.Size().Width
	var best *scan.Cue
	dist := float32(3) // the slack, in pixels
	for k := range t.lanes[i].cues {
		c := &t.lanes[i].cues[k]
		x0, x1 := t.x(c.Start, w), t.x(c.End, w)
		d := max(x0-p.X, p.X-x1, 0)
		if d <= dist {
			best, dist = c, d
		}
	}
	return best
}

// MouseIn, MouseMoved and MouseOut tell onCue of the cue pointed at.
func (t *timeline) MouseIn(ev *desktop.MouseEvent) { t.MouseMoved(ev) }

func (t *timeline) MouseMoved(ev *desktop.MouseEvent) {
	if t.onCue != nil {
		t.onCue(t.cueAt(ev.Position), false)
	}
}

func (t *timeline) MouseOut() {
	if t.onCue != nil {
		t.onCue(nil, false)
	}
}

// cueSaid is a cue as a line: its times and its text on one line.
func cueSaid(c scan.Cue) string {
	text := strings.Join(strings.Fields(c.Text), " ")
	return fmt.Sprintf("%s–%s  %s", clock(c.Start), clock(c.End), shorten(text, listedRunes))
}

func (t *timeline) CreateRenderer() fyne.WidgetRenderer {
	return &timelineRenderer{t: t}
}

type timelineRenderer struct {
	t       *timeline
	objects []fyne.CanvasObject
	size    fyne.Size
}

// lane is the height of a lane and the gap below it.
func (t *timeline) lane() (float32, float32) {
	if t.compact {
		return compactLane, compactGap
	}
	return laneHeight, laneGap
}

// height is the timeline's: its lanes, the ticks and (not compact) the
// time axis.
func (r *timelineRenderer) height() float32 {
	return r.lanesHeight() + tickHeight + 2 + r.t.axis()
}

// lanesHeight is the height of the lanes.
func (r *timelineRenderer) lanesHeight() float32 {
	lanes := max(1, len(r.t.lanes))
	if r.t.compact {
		lanes = compactLanes // every strip as tall, so contact sheet rows align
	}
	h, gap := r.t.lane()
	return float32(lanes) * (h + gap)
}

// axis is the height of the time axis (none when compact).
func (t *timeline) axis() float32 {
	if t.compact {
		return 0
	}
	return axisHeight
}

// axisStep is the time between two labels of the axis: a round step
// that leaves them at least axisSpacing apart on a timeline w wide.
func (t *timeline) axisStep(w float32) float64 {
	span := float64(w - t.left() - markerWidth)
	if t.duration <= 0 || span <= 0 {
		return 0
	}
	for _, step := range []float64{0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200} {
		if step/t.duration*span >= axisSpacing {
			return step
		}
	}
	return 3600 * math.Ceil(t.duration/3600/(span/axisSpacing))
}

// axisLabel writes a time on the axis: m:ss, or m:ss.s under a second's steps.
func axisLabel(s, step float64) string {
	if step < 1 {
		return clock(s)
	}
	return scan.Clock(s, scan.Seconds)
}

func (r *timelineRenderer) MinSize() fyne.Size {
	w := float32(160)
	if !r.t.compact {
		w += labelWidth
	}
	return fyne.NewSize(w, r.height())
}

func (r *timelineRenderer) Layout(size fyne.Size) {
	r.size = size
	r.build()
}

func (r *timelineRenderer) Refresh() { r.build() }

// build lays every shape out again: a timeline has tens of them, cheap
// to make.
func (r *timelineRenderer) build() {
	t, w := r.t, r.size.Width
	if w <= 0 {
		w = r.MinSize().Width
	}
	var objs []fyne.CanvasObject
	bg := canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground))
	bg.Move(fyne.NewPos(t.left(), 0))
	bg.Resize(fyne.NewSize(w-t.left(), r.lanesHeight()+tickHeight+2))
	objs = append(objs, bg)
	lh, gap := t.lane()
	for i, l := range t.lanes {
		y := float32(i) * (lh + gap)
		if !t.compact {
			label := canvas.NewText(l.class, theme.Color(theme.ColorNameForeground))
			label.TextSize = 11
			label.Move(fyne.NewPos(0, y-1))
			objs = append(objs, label)
		}
		for _, s := range l.spans {
			objs = append(objs, t.bar(l.color, s.Start, s.End, y, w))
		}
		for _, c := range l.cues {
			objs = append(objs, t.bar(l.color, c.Start, c.End, y, w))
		}
	}
	tickTop := r.lanesHeight() + 1
	for _, s := range t.frames {
		tick := canvas.NewRectangle(theme.Color(theme.ColorNamePlaceHolder))
		tick.Move(fyne.NewPos(t.x(s, w), tickTop))
		tick.Resize(fyne.NewSize(1, tickHeight))
		objs = append(objs, tick)
	}
	axisTop := tickTop + tickHeight + 1
	cur := t.current >= 0 && t.current < len(t.frames)
	if !t.compact {
		// The current frame's time is written on the axis; the labels it
		// would cover are left out.
		var curLabel *canvas.Text
		var curLeft, curRight float32
		if cur {
			at := t.frames[t.current]
			curLabel = canvas.NewText(clock(at), theme.Color(theme.ColorNamePrimary))
			curLabel.TextSize, curLabel.TextStyle = 11, fyne.TextStyle{Bold: true}
			lw := curLabel.MinSize().Width
			curLeft = min(max(t.left(), t.x(at, w)-lw/2), w-lw)
			curRight = curLeft + lw
			curLabel.Move(fyne.NewPos(curLeft, axisTop))
		}
		if step := t.axisStep(w); step > 0 {
			for s := 0.0; s <= t.duration+1e-9; s += step {
				x := t.x(s, w)
				mark := canvas.NewRectangle(theme.Color(theme.ColorNameForeground))
				mark.Move(fyne.NewPos(x, axisTop-2))
				mark.Resize(fyne.NewSize(1, 4))
				objs = append(objs, mark)
				label := canvas.NewText(axisLabel(s, step), theme.Color(theme.ColorNameForeground))
				label.TextSize = 10
				lw := label.MinSize().Width
				lx := min(max(t.left(), x-lw/2), w-lw)
				if cur && lx < curRight+8 && lx+lw > curLeft-8 {
					continue
				}
				label.Move(fyne.NewPos(lx, axisTop+1))
				objs = append(objs, label)
			}
		}
		if curLabel != nil {
			objs = append(objs, curLabel)
		}
	}
	if cur {
		// A line through every lane with a head above it, in the
		// theme's primary colour: the frame shown.
		x := t.x(t.frames[t.current], w)
		marker := canvas.NewRectangle(theme.Color(theme.ColorNamePrimary))
		marker.Move(fyne.NewPos(x-1, 0))
		marker.Resize(fyne.NewSize(markerWidth, axisTop))
		head := canvas.NewRectangle(theme.Color(theme.ColorNamePrimary))
		head.CornerRadius = 2
		head.Move(fyne.NewPos(x+0.5-float32(markerHead)/2, 0))
		head.Resize(fyne.NewSize(markerHead, 5))
		objs = append(objs, marker, head)
	}
	r.objects = objs
}

// bar is a lane's bar from start to end, at least 3 pixels wide.
func (t *timeline) bar(c color.Color, start, end float64, y, w float32) *canvas.Rectangle {
	lh, _ := t.lane()
	// A cue can run past the video's end (a subtitle track longer than
	// the video): its bar stops at the timeline's.
	x0, x1 := t.x(start, w), min(t.x(end, w), w-markerWidth)
	bar := canvas.NewRectangle(c)
	bar.Move(fyne.NewPos(x0, y))
	bar.Resize(fyne.NewSize(max(3, x1-x0), lh))
	return bar
}

func (r *timelineRenderer) Objects() []fyne.CanvasObject { return r.objects }
func (r *timelineRenderer) Destroy()                     {}

// videoFrames is what a timeline shows of one file, at a query's filters.
type videoFrames struct {
	duration float64
	times    []float64 // analysed frames' times
	items    []int     // their item IDs
	spans    []scan.Span
	classIDs map[string]int
	cues     []scan.Cue // the file's subtitles
}

func framesOf(coll *results.Collection, path string, q results.Query) videoFrames {
	v := videoFrames{classIDs: map[string]int{}}
	f, ok := coll.File(path)
	if !ok {
		return v
	}
	v.duration, v.cues = f.Media.Duration, f.Subtitles
	for _, id := range f.Items {
		it := coll.Item(id)
		v.times = append(v.times, it.Time)
		v.items = append(v.items, id)
		for _, d := range it.Detections {
			v.classIDs[d.Class] = d.ClassID
		}
	}
	v.spans = coll.Spans(path, q)
	return v
}

// show puts v on t with the frame of item id marked (if it is one of v's).
func (t *timeline) show(v videoFrames, current int) {
	cur := -1
	for i, id := range v.items {
		if id == current {
			cur = i
		}
	}
	t.set(v.duration, v.times, v.spans, v.classIDs, v.cues, cur)
}
