package app

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/vidsift/vidsift/engine/query"
	"github.com/vidsift/vidsift/engine/results"
)

const allClasses = ""

// filterView narrows what the grid shows without rescanning: a search
// that takes find expressions ('dog & person', '(cat | dog) & !horse'),
// completing class names and showing per-class counts; a minimum
// duration and "Same frame", as find's --min-duration and --together; a
// minimum confidence down to the scan's floor; a file-name search and
// grouping by video (the contact sheet).
type filterView struct {
	onChange func()          // the filters changed: redraw what is shown
	names    func() []string // the classes expressions may name (the model's)
	search   *widget.SelectEntry
	problem  *widget.Label // why the expression typed is not applied
	expr     query.Expr    // the expression applied (nil: none)
	same     *widget.Check
	minDur   *widget.Entry // seconds a class must be seen for to count (find --min-duration)
	counts   *widget.Label
	seen     map[string]int // per-class counts, for completion
	offered  []string       // the completions offered now
	conf     *widget.Slider
	confText *widget.Label
	name     *widget.Entry
	group    *widget.Check
	count    *widget.Label
	box      *fyne.Container
	quiet    bool // set while the view updates itself
}

func newFilterView(onChange func(), names func() []string) *filterView {
	f := &filterView{onChange: onChange, names: names, seen: map[string]int{}}
	f.search = widget.NewSelectEntry(nil)
	f.search.SetPlaceHolder("Search: dog & person, car | truck, (cat | dog) & !horse, \"traffic light\"")
	f.search.OnChanged = f.onSearch
	f.problem = widget.NewLabel("")
	f.problem.Importance = widget.DangerImportance
	f.problem.Hide()
	f.same = widget.NewCheck("Same frame", func(bool) {
		if !f.quiet {
			onChange()
		}
	})
	f.minDur = widget.NewEntry()
	f.minDur.SetPlaceHolder("0")
	f.minDur.Validator = func(text string) error {
		if _, ok := parseMinDuration(text); !ok {
			return fmt.Errorf("seconds, e.g. 2 or 0.5")
		}
		return nil
	}
	f.minDur.OnChanged = func(text string) {
		if _, ok := parseMinDuration(text); ok {
			f.changed()
		}
	}
	f.counts = widget.NewLabel("")
	f.counts.Truncation = fyne.TextTruncateEllipsis
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
	minDur := container.NewBorder(nil, nil, widget.NewLabel("Seen for ≥"), widget.NewLabel("s"), f.minDur)
	f.box = container.NewVBox(
		container.NewBorder(nil, nil, nil, container.NewHBox(minDur, f.same), f.search),
		f.problem, f.counts,
		container.NewGridWithColumns(2, f.name, container.NewBorder(nil, nil, nil, f.group, confBox)),
		f.count,
	)
	return f
}

// onSearch applies the expression typed, once it reads and names known
// classes; meanwhile the last good one stays and the problem is shown.
func (f *filterView) onSearch(text string) {
	f.complete(text)
	if strings.TrimSpace(text) == "" {
		f.setProblem("")
		f.expr = nil
		f.changed()
		return
	}
	e, err := query.Parse(text)
	if err == nil {
		e, err = query.Resolve(e, f.names())
	}
	if err != nil {
		f.setProblem(worded(err).Error())
		return
	}
	f.setProblem("")
	f.expr = e
	f.changed()
}

func (f *filterView) changed() {
	if !f.quiet {
		f.onChange()
	}
}

func (f *filterView) setProblem(text string) {
	f.problem.SetText(text)
	if text == "" {
		f.problem.Hide()
	} else {
		f.problem.Show()
	}
}

// complete offers the class names that start like the word being typed,
// each as the whole expression with that word completed.
func (f *filterView) complete(text string) {
	cut := strings.LastIndexAny(text, "!&|() \"") + 1
	prefix := strings.ToLower(text[cut:])
	var opts []string
	if prefix != "" {
		names := append([]string(nil), f.names()...)
		sort.Slice(names, func(i, j int) bool {
			if f.seen[names[i]] != f.seen[names[j]] {
				return f.seen[names[i]] > f.seen[names[j]]
			}
			return names[i] < names[j]
		})
		for _, n := range names {
			if strings.HasPrefix(strings.ToLower(n), prefix) && len(opts) < 8 {
				opts = append(opts, text[:cut]+query.Class{Name: n}.String())
			}
		}
	}
	f.offered = opts
	f.search.SetOptions(opts)
}

func (f *filterView) onConfidenceChanged(v float64) {
	f.confText.SetText(fmt.Sprintf("≥ %.2f", v))
	f.changed()
}

func (f *filterView) object() fyne.CanvasObject { return f.box }

// reset starts a new run's view: no expression, confidence at the scan's floor.
func (f *filterView) reset(floor float32) {
	f.quiet = true
	defer func() { f.quiet = false }()
	f.search.SetText("")
	f.expr = nil
	f.setProblem("")
	f.conf.Min = float64(floor)
	f.conf.SetValue(float64(floor))
	f.confText.SetText(fmt.Sprintf("≥ %.2f", floor))
}

func (f *filterView) query() results.Query {
	q := results.Query{MinConfidence: float32(f.conf.Value), Name: f.name.Text, GroupByFile: f.group.Checked}
	q = q.Where(f.expr, f.same.Checked)
	q.MinDuration, _ = parseMinDuration(f.minDur.Text)
	return q
}

// parseMinDuration reads the minimum duration typed: seconds, "" for none.
func parseMinDuration(text string) (float64, bool) {
	text = strings.TrimSpace(text)
	if text == "" {
		return 0, true
	}
	d, err := strconv.ParseFloat(text, 64)
	if err != nil || d < 0 || d > 86400 {
		return 0, false
	}
	return d, true
}

// update shows the per-class counts and how much is shown.
func (f *filterView) update(counts map[string]int, shown, total int) {
	f.seen = counts
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
	parts := make([]string, len(names))
	for i, c := range names {
		parts[i] = fmt.Sprintf("%s %d", c, counts[c])
	}
	text := "Frames per class: " + strings.Join(parts, " · ")
	if len(parts) == 0 {
		text = "Frames per class: none yet"
	}
	if f.counts.Text != text {
		f.counts.SetText(text)
	}
	f.count.SetText(fmt.Sprintf("Showing %d of %d frames", shown, total))
}

// chooseClass shows one class ("" for all), as a user typing its name would.
func (f *filterView) chooseClass(class string) {
	if class == allClasses {
		f.search.SetText("")
		return
	}
	f.search.SetText(query.Class{Name: class}.String())
}
