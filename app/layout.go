package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
)

// shareLayout lays its objects out in a row, each at least as wide as it
// needs, the width left over shared evenly. Unlike a grid (whose minimum
// is the widest cell times the columns) its minimum is the sum of what the
// objects need, so a row of a wide and a narrow control fits at 800 px.
type shareLayout struct{}

func (shareLayout) MinSize(objects []fyne.CanvasObject) fyne.Size {
	var size fyne.Size
	n := 0
	for _, o := range objects {
		if !o.Visible() {
			continue
		}
		m := o.MinSize()
		size.Width += m.Width
		size.Height = max(size.Height, m.Height)
		n++
	}
	if n > 1 {
		size.Width += theme.Padding() * float32(n-1)
	}
	return size
}

func (l shareLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	var visible []fyne.CanvasObject
	for _, o := range objects {
		if o.Visible() {
			visible = append(visible, o)
		}
	}
	if len(visible) == 0 {
		return
	}
	extra := max(0, size.Width-l.MinSize(objects).Width) / float32(len(visible))
	x := float32(0)
	for _, o := range visible {
		w := o.MinSize().Width + extra
		o.Move(fyne.NewPos(x, 0))
		o.Resize(fyne.NewSize(w, size.Height))
		x += w + theme.Padding()
	}
}

// shareRow is a row whose objects share the width left over evenly.
func shareRow(objects ...fyne.CanvasObject) *fyne.Container {
	return container.New(shareLayout{}, objects...)
}

// passingScroll is a vertical scroller inside another: the wheel scrolls
// it until it can go no further that way, then the one around it (as a
// browser does), so a list in a scrolling panel does not hold the wheel.
type passingScroll struct {
	*container.Scroll
	outer *container.Scroll // set once the panel around it is built
}

func newPassingScroll(content fyne.CanvasObject) *passingScroll {
	s := &passingScroll{Scroll: &container.Scroll{Direction: container.ScrollVerticalOnly, Content: content}}
	s.ExtendBaseWidget(s)
	return s
}

func (s *passingScroll) Scrolled(ev *fyne.ScrollEvent) {
	before := s.Offset
	s.Scroll.Scrolled(ev)
	if s.Offset == before && s.outer != nil {
		s.outer.Scrolled(ev)
	}
}
