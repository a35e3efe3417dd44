package app

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// The sizes the main window must hold at, smallest to largest and back.
var layoutSizes = []fyne.Size{
	{Width: 800, Height: 600}, {Width: 1024, Height: 768}, {Width: 1280, Height: 800}, {Width: 1920, Height: 1080},
	{Width: 2560, Height: 1440}, {Width: 3840, Height: 2160}, {Width: 800, Height: 600},
}

// TestLayoutHolds: from 800×600 to 3840×2160, at first launch and with
// search results, the window asks for no more than 800×600, and no widget
// of it is smaller than it needs (a slider at zero width, a cut-off
// button), overlaps another or runs past its row. Typing searches, long
// and invalid ones too, never grows what the window asks for; an unknown
// class is answered in a short line naming the classes it may mean.
// Screenshots at 800×600, 1280×800 and 2560×1440 go to
// testdata/generated/artifacts (layout-*.png).
func TestLayoutHolds(t *testing.T) {
	withModel(t)
	u, loop := newTestUI(t)
	check := func(stage string) {
		t.Helper()
		for _, size := range layoutSizes {
			u.win.Resize(size)
			u.win.Content().Refresh() // lay out afresh, as the window does when what it holds changes
			if min := windowMinSize(u.win); min.Width > 800 || min.Height > 600 {
				t.Errorf("%s at %v: the window asks for %v, more than 800×600", stage, size, min)
			}
			for _, p := range layoutProblems(u.win.Content()) {
				t.Errorf("%s at %v: %s", stage, size, p)
			}
			if size.Width == 800 || size.Width == 1280 || size.Width == 2560 {
				artifact(t, fmt.Sprintf("layout-%s-%.0fx%.0f.png", strings.ReplaceAll(stage, " ", "-"), size.Width, size.Height), u.win)
			}
		}
	}
	check("first launch")

	drop(u, shared(t, "testdata/photos"), shared(t, "testdata/videos/dog_person_vp9.webm"))
	test.Tap(u.toolbar.start)
	loop.until(t, "the run to finish", func() bool { return u.coll.Summary().Files == 7 && !u.activity.Running() })
	u.filters.search.SetText("person & !horse")
	if u.query().Expr == nil || len(u.Shown()) == 0 {
		t.Fatalf("person & !horse: %d frames shown (%q)", len(u.Shown()), u.filters.problem.Text)
	}
	check("search results")

	// Typing never widens what the window asks for; at 800×600 a problem
	// that wraps may take a line more, within the window, and at 1280×800
	// not even that.
	u.win.Canvas().Focus(u.filters.search)
	for _, size := range []fyne.Size{{Width: 800, Height: 600}, {Width: 1280, Height: 800}} {
		u.win.Resize(size)
		u.filters.search.SetText("")
		u.win.Content().Refresh()
		before := windowMinSize(u.win)
		for _, typed := range []string{
			"pe", "dog & p", "preson", "traffic & cat",
			strings.Repeat("supercalifragilistic", 6),
			"(cat | dog) & !" + strings.Repeat("horse_", 20),
			`said:"` + strings.Repeat("a very long phrase ", 6),
			"dog & & cat | (",
		} {
			u.filters.search.SetText("")
			for _, r := range typed {
				test.Type(u.filters.search, string(r))
				u.filters.object().Refresh() // the bar lays its rows out again: a wrapped problem takes its height
				min := windowMinSize(u.win)
				if min.Width > before.Width || min.Height > size.Height || size.Width > 800 && min.Height > before.Height {
					t.Fatalf("at %v, typing %q: at %q the window asks for %v, %v before", size, typed, u.filters.search.Text, min, before)
				}
			}
			u.win.Content().Refresh()
			for _, p := range layoutProblems(u.win.Content()) {
				t.Errorf("at %v, typed %q: %s", size, typed, p)
			}
		}
	}

	u.win.Resize(fyne.NewSize(800, 600))
	for typed, want := range map[string]string{
		"pe":            "no class 'pe' — did you mean person?",
		"preson":        "no class 'preson' — did you mean person?",
		"traffic & cat": `no class 'traffic' — did you mean "traffic light"?`,
	} {
		u.filters.search.SetText(typed)
		if !u.filters.problem.Visible() || u.filters.problem.Text != want {
			t.Errorf("%q: the problem says %q (shown %v), want %q", typed, u.filters.problem.Text, u.filters.problem.Visible(), want)
		}
	}
	u.filters.search.SetText("dog & p")
	if got := u.filters.problem.Text; !strings.HasPrefix(got, "no class 'p' — did you mean ") || strings.Count(got, ",")+strings.Count(got, " or ") > 2 {
		t.Errorf("dog & p: %q, want at most three classes", got)
	}
	u.win.Content().Refresh()
	artifact(t, "layout-unknown-class-800x600.png", u.win)
	u.filters.search.SetText("person")
	if u.filters.problem.Visible() || !u.filters.counts.Visible() || u.query().Expr == nil {
		t.Errorf("person: problem %q shown %v, counts shown %v", u.filters.problem.Text, u.filters.problem.Visible(), u.filters.counts.Visible())
	}
}

// TestClassListPassesTheWheel: at 800×600 the wheel over the Settings'
// class list scrolls the list to its end, then the panel around it, as it
// does anywhere else in the panel: the list does not hold the wheel.
func TestClassListPassesTheWheel(t *testing.T) {
	withModel(t)
	u, _ := newTestUI(t)
	u.win.Resize(fyne.NewSize(800, 600))
	u.win.Content().Refresh()
	panel := leftPanel(t, u)
	var list *container.Scroll    // the scroller holding the class list
	var listObj fyne.CanvasObject // it, as the window holds it
	walkObjects(panel, func(o fyne.CanvasObject) {
		switch s := o.(type) {
		case *container.Scroll:
			if s.Content == u.settings.checks {
				list, listObj = s, s
			}
		case *passingScroll:
			if s.Content == u.settings.checks {
				list, listObj = s.Scroll, s
			}
		}
	})
	if list == nil {
		t.Fatal("no scroller holds the class list")
	}
	d := fyne.CurrentApp().Driver()
	// Bring the list to the top of the panel, as a person scrolling to it would.
	panel.ScrollToOffset(fyne.NewPos(0, d.AbsolutePositionForObject(listObj).Y-d.AbsolutePositionForObject(panel.Content).Y))
	over := d.AbsolutePositionForObject(listObj).AddXY(40, 40)
	start := panel.Offset.Y
	for i := 0; i < 400 && panel.Offset.Y == start; i++ {
		test.Scroll(u.win.Canvas(), over, 0, -40)
	}
	if list.Offset.Y == 0 || panel.Offset.Y <= start {
		t.Errorf("400 turns of the wheel over the class list: the list moved to %.0f, the panel from %.0f to %.0f", list.Offset.Y, start, panel.Offset.Y)
	}
}

// TestConfidenceControlsSayWhatTheyDo: the Settings' confidence says it is
// what a scan records, the grid's that it is what is shown.
func TestConfidenceControlsSayWhatTheyDo(t *testing.T) {
	withModel(t)
	u, _ := newTestUI(t)
	if got := u.settings.confLabel.Text; !strings.HasPrefix(got, "Minimum confidence to record: ") {
		t.Errorf("Settings: %q", got)
	}
	var words []string
	walkObjects(u.filters.object(), func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok {
			words = append(words, l.Text)
		}
	})
	if !strings.Contains(strings.Join(words, "|"), "Show confidence|≥ 0.") {
		t.Errorf("the grid's confidence is labelled %q", words)
	}
}

// leftPanel is the scroller holding the queue and settings.
func leftPanel(t *testing.T, u *UI) *container.Scroll {
	var panel *container.Scroll
	walkObjects(u.win.Content(), func(o fyne.CanvasObject) {
		if s, ok := o.(*container.Scroll); ok && panel == nil {
			panel = s
		}
	})
	if panel == nil {
		t.Fatal("no scrolling panel")
	}
	return panel
}

// windowMinSize is the least size the window's content lets it take, as
// a desktop window limits itself to.
func windowMinSize(w fyne.Window) fyne.Size {
	min := w.Content().MinSize()
	if w.Padded() {
		min = min.Add(fyne.NewSquareSize(2 * theme.Padding()))
	}
	return min
}

// walkObjects calls fn for o and what it shows: containers' objects and
// the content of the app's holders (split, scroll, card).
func walkObjects(o fyne.CanvasObject, fn func(fyne.CanvasObject)) {
	fn(o)
	for _, child := range shownInside(o) {
		walkObjects(child, fn)
	}
}

func shownInside(o fyne.CanvasObject) []fyne.CanvasObject {
	switch x := o.(type) {
	case *fyne.Container:
		return x.Objects
	case *container.Split:
		return []fyne.CanvasObject{x.Leading, x.Trailing}
	case *container.Scroll:
		return []fyne.CanvasObject{x.Content}
	case *passingScroll:
		return []fyne.CanvasObject{x.Content}
	case *widget.Card:
		return []fyne.CanvasObject{x.Content}
	}
	return nil
}

// layoutProblems lists what is wrong with o's layout as laid out now: a
// visible widget smaller than its minimum (a zero-width slider, a cut
// label), or one that overlaps a sibling or runs past its row.
func layoutProblems(o fyne.CanvasObject) []string {
	var out []string
	var walk func(o fyne.CanvasObject, path string)
	walk = func(o fyne.CanvasObject, path string) {
		if !o.Visible() {
			return
		}
		path += "/" + describe(o)
		size, min := o.Size(), o.MinSize()
		if _, ok := o.(fyne.Widget); ok && (size.Width < min.Width-0.5 || size.Height < min.Height-0.5 || size.Width <= 0 || size.Height <= 0) {
			out = append(out, fmt.Sprintf("%s is %v, needs %v", path, size, min))
		}
		if c, ok := o.(*fyne.Container); ok && c.Layout != nil && !stacks(c.Layout) {
			var shown []fyne.CanvasObject
			for _, child := range c.Objects {
				if child.Visible() {
					shown = append(shown, child)
				}
			}
			for i, a := range shown {
				if a.Position().X < -0.5 || a.Position().Y < -0.5 ||
					a.Position().X+a.Size().Width > size.Width+0.5 || a.Position().Y+a.Size().Height > size.Height+0.5 {
					out = append(out, fmt.Sprintf("%s/%s at %v size %v runs past its container (%v)", path, describe(a), a.Position(), a.Size(), size))
				}
				for _, b := range shown[i+1:] {
					if overlap(a, b) {
						out = append(out, fmt.Sprintf("%s: %s at %v %v overlaps %s at %v %v", path, describe(a), a.Position(), a.Size(), describe(b), b.Position(), b.Size()))
					}
				}
			}
		}
		for _, child := range shownInside(o) {
			walk(child, path)
		}
	}
	walk(o, "")
	return out
}

// stacks reports whether a layout puts its objects over one another.
func stacks(l fyne.Layout) bool {
	name := reflect.TypeOf(l).String()
	return strings.Contains(name, "stack") || strings.Contains(name, "center") || strings.Contains(name, "padded") || strings.Contains(name, "max")
}

func overlap(a, b fyne.CanvasObject) bool {
	ax, ay := a.Position().X, a.Position().Y
	bx, by := b.Position().X, b.Position().Y
	w := min(ax+a.Size().Width, bx+b.Size().Width) - max(ax, bx)
	h := min(ay+a.Size().Height, by+b.Size().Height) - max(ay, by)
	return w > 0.5 && h > 0.5
}

func describe(o fyne.CanvasObject) string {
	name := reflect.TypeOf(o).String()
	switch x := o.(type) {
	case *widget.Label:
		return fmt.Sprintf("%s(%.20q)", name, x.Text)
	case *widget.Button:
		return fmt.Sprintf("%s(%q)", name, x.Text)
	case *widget.Check:
		return fmt.Sprintf("%s(%q)", name, x.Text)
	}
	return name
}
