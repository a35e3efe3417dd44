package app

import (
	"fmt"
	"sort"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/vidsift/vidsift/engine/results"
)

const allClasses = ""

// filterView narrows what the grid shows without rescanning: one class
// (with per-class counts), a minimum confidence down to the scan's floor, a
// file-name search and grouping by video.
type filterView struct {
	onChange func() // the filters changed: redraw what is shown
	class    *widget.Select
	classes  map[string]string // option label -> class
	chosen   string            // class, or allClasses
	conf     *widget.Slider
	confText *widget.Label
	name     *widget.Entry
	group    *widget.Check
	count    *widget.Label
	box      *fyne.Container
	quiet    bool // set while the view updates itself
}

func newFilterView(onChange func()) *filterView {
	f := &filterView{onChange: onChange, classes: map[string]string{}}
	f.class = widget.NewSelect(nil, f.onClassSelected)
	f.class.PlaceHolder = "All classes"
	f.confText = widget.NewLabel("")
	f.conf = widget.NewSlider(0.25, 0.95)
	f.conf.Step = 0.01
	f.conf.OnChanged = f.onConfidenceChanged
	f.name = widget.NewEntry()
	f.name.SetPlaceHolder("File name contains…")
	f.name.OnChanged = func(string) { onChange() }
	f.group = widget.NewCheck("Group by video", func(bool) { onChange() })
	f.count = widget.NewLabel("")
	f.reset(0.25)
	confBox := container.NewBorder(nil, nil, widget.NewLabel("Confidence"), f.confText, f.conf)
	f.box = container.NewVBox(
		container.NewGridWithColumns(2, f.class, f.name),
		container.NewBorder(nil, nil, nil, f.group, confBox),
		f.count,
	)
	return f
}

func (f *filterView) onClassSelected(label string) {
	if f.quiet {
		return
	}
	f.chosen = f.classes[label]
	f.onChange()
}

func (f *filterView) onConfidenceChanged(v float64) {
	f.confText.SetText(fmt.Sprintf("≥ %.2f", v))
	if !f.quiet {
		f.onChange()
	}
}

func (f *filterView) object() fyne.CanvasObject { return f.box }

// reset starts a new run's view: every class, confidence at the scan's floor.
func (f *filterView) reset(floor float32) {
	f.quiet = true
	defer func() { f.quiet = false }()
	f.chosen = allClasses
	f.class.ClearSelected()
	f.conf.Min = float64(floor)
	f.conf.SetValue(float64(floor))
	f.confText.SetText(fmt.Sprintf("≥ %.2f", floor))
}

func (f *filterView) query() results.Query {
	q := results.Query{MinConfidence: float32(f.conf.Value), Name: f.name.Text, GroupByFile: f.group.Checked}
	if f.chosen != allClasses {
		q.Classes = map[string]bool{f.chosen: true}
	}
	return q
}

// update rebuilds the class choices with their counts.
func (f *filterView) update(counts map[string]int, shown, total int) {
	names := make([]string, 0, len(counts))
	for c := range counts {
		names = append(names, c)
	}
	sort.Slice(names, func(i, j int) bool {
		if counts[names[i]] != counts[names[j]] {
			return counts[names[i]] > counts[names[j]]
		}
		return names[i] < names[j]
	})
	f.classes = map[string]string{"All classes": allClasses}
	opts := []string{"All classes"}
	selected := "All classes"
	for _, c := range names {
		label := fmt.Sprintf("%s (%d)", c, counts[c])
		f.classes[label] = c
		opts = append(opts, label)
		if c == f.chosen {
			selected = label
		}
	}
	if f.chosen != allClasses && selected == "All classes" {
		label := fmt.Sprintf("%s (0)", f.chosen) // keep the user's choice visible
		f.classes[label] = f.chosen
		opts = append(opts, label)
		selected = label
	}
	f.quiet = true
	f.class.Options = opts
	f.class.Selected = selected
	f.class.Refresh()
	f.quiet = false
	f.count.SetText(fmt.Sprintf("Showing %d of %d frames", shown, total))
}

// chooseClass selects a class ("" for all), as a user would in the list.
func (f *filterView) chooseClass(class string) {
	f.chosen = class
	f.onChange()
}
