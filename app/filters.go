package app

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
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
	// words counts the words of what was read and said, for completion
	// (results.Collection.Words).
	words    func() (text, said map[string]int)
	search   *searchEntry  // Esc clears it
	problem  *widget.Label // why the expression typed is not applied, in the counts' place
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

func newFilterView(onChange func(), names func() []string, words func() (text, said map[string]int)) *filterView {
	f := &filterView{onChange: onChange, names: names, words: words, seen: map[string]int{}}
	f.search = newSearchEntry()
	f.search.SetPlaceHolder("Search: dog & person, car | truck, text:exit")
	f.search.OnChanged = f.onSearch
	f.problem = widget.NewLabel("")
	f.problem.Importance = widget.DangerImportance
	f.problem.Wrapping = fyne.TextWrapWord
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
	// "Show": this slider hides weaker detections of what was scanned;
	// Settings' minimum confidence decides what a scan records.
	confBox := container.NewBorder(nil, nil, widget.NewLabel("Show confidence"), f.confText, f.conf)
	minDurField := container.New(layout.NewGridWrapLayout(fyne.NewSize(72, f.minDur.MinSize().Height)), f.minDur)
	minDur := container.NewBorder(nil, nil, widget.NewLabel("Seen for ≥"), widget.NewLabel("s"), minDurField)
	// Every row's minimum fits the grid's side of an 800 px window, the
	// search field keeping most of its width; what is typed never widens
	// it (the problem wraps in the counts' place).
	f.box = container.NewVBox(
		container.NewBorder(nil, nil, nil, f.same, f.search),
		container.NewBorder(nil, nil, minDur, nil, f.name),
		container.NewBorder(nil, nil, nil, f.group, confBox),
		container.NewBorder(nil, nil, nil, f.count, container.NewStack(f.counts, f.problem)),
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
		e, err = f.resolve(e)
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
		f.counts.Show()
	} else {
		f.counts.Hide()
		f.problem.Show()
	}
}

// resolve names e's classes as the model does. A word that names no class
// is answered with the classes it may have meant, not the model's list.
func (f *filterView) resolve(e query.Expr) (query.Expr, error) {
	names := f.names()
	known := make(map[string]bool, len(names))
	for _, n := range names {
		known[strings.ToLower(n)] = true
	}
	for _, c := range query.Names(e) {
		if !known[strings.ToLower(c.Name)] {
			return nil, f.unknownClass(c.Name, names)
		}
	}
	return query.Resolve(e, names)
}

// unknownClass says that word names no class and offers at most three
// that it may have meant: "no class 'pe' — did you mean person?".
func (f *filterView) unknownClass(word string, names []string) error {
	shown := word
	if r := []rune(word); len(r) > 24 {
		shown = string(r[:24]) + "…"
	}
	if len(names) == 0 {
		return fmt.Errorf("no class '%s': no model is loaded yet", shown)
	}
	near := closeNames(word, names, f.seen)
	if len(near) == 0 {
		return fmt.Errorf("no class '%s' among the model's %d", shown, len(names))
	}
	for i, n := range near {
		near[i] = query.Class{Name: n}.String() // "traffic light" quoted, as it is to be typed
	}
	last := near[len(near)-1]
	if len(near) > 1 {
		last = strings.Join(near[:len(near)-1], ", ") + " or " + last
	}
	return fmt.Errorf("no class '%s' — did you mean %s?", shown, last)
}

// closeNames are the (at most three) names word may have meant: those it
// begins, then those that hold it, then those a typo or two away; the
// classes seen most often first among equals.
func closeNames(word string, names []string, seen map[string]int) []string {
	w := strings.ToLower(word)
	type candidate struct {
		name string
		rank int // 0 begins with w, 1 holds it, 2+ the edits away
	}
	var found []candidate
	for _, n := range names {
		l := strings.ToLower(n)
		switch d := editDistance(w, l); {
		case strings.HasPrefix(l, w):
			found = append(found, candidate{n, 0})
		case strings.Contains(l, w):
			found = append(found, candidate{n, 1})
		case d <= max(1, len([]rune(w))/3):
			found = append(found, candidate{n, 1 + d})
		}
	}
	sort.Slice(found, func(i, j int) bool {
		a, b := found[i], found[j]
		if a.rank != b.rank {
			return a.rank < b.rank
		}
		if seen[a.name] != seen[b.name] {
			return seen[a.name] > seen[b.name]
		}
		return a.name < b.name
	})
	var out []string
	for _, c := range found[:min(len(found), 3)] {
		out = append(out, c.name)
	}
	return out
}

// editDistance counts the letters to insert, delete or change, and
// neighbours to swap, to turn a into b (optimal string alignment).
func editDistance(a, b string) int {
	s, t := []rune(a), []rune(b)
	d := make([][]int, len(s)+1)
	for i := range d {
		d[i] = make([]int, len(t)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(s); i++ {
		for j := 1; j <= len(t); j++ {
			cost := 1
			if s[i-1] == t[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && s[i-1] == t[j-2] && s[i-2] == t[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(s)][len(t)]
}

// complete offers the class names that start like the word being typed,
// or after text: or said: the words read or said that do, each as the
// whole expression with that word completed.
func (f *filterView) complete(text string) {
	if opts, ok := f.completeWords(text); ok {
		f.offered = opts
		f.search.SetOptions(opts)
		return
	}
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

// completeWords offers, when text ends in a text: or said: atom being
// typed (text:ex, said:"get o), the words of the loaded results that
// start like its last word, folded as the search compares them, the most
// frequent first (in frames for text:, in cues for said:). It reports
// whether text ends in such an atom.
func (f *filterView) completeWords(text string) ([]string, bool) {
	var head, typed, tail string
	var said bool
	atom := func(before string) (string, bool, bool) { // the prefix as typed, said or not, whether there is one
		if n := len(before); n >= 5 {
			switch p := before[n-5:]; strings.ToLower(p) {
			case "text:":
				return p, false, true
			case "said:":
				return p, true, true
			}
		}
		return "", false, false
	}
	if q := strings.LastIndexByte(text, '"'); strings.Count(text, `"`)%2 == 1 {
		// In a quoted phrase: its last word.
		if _, s, ok := atom(text[:q]); ok {
			i := q + 1 + strings.LastIndexByte(text[q+1:], ' ') + 1
			head, typed, tail, said = text[:i], text[i:], `"`, s
		} else {
			return nil, false
		}
	} else {
		cut := strings.LastIndexAny(text, "!&|() \"") + 1
		word := text[cut:]
		if len(word) < 5 {
			return nil, false
		}
		p, s, ok := atom(word[:5])
		if !ok {
			return nil, false
		}
		head, typed, said = text[:cut]+p, word[5:], s
	}
	textWords, saidWords := f.words()
	counts := textWords
	if said {
		counts = saidWords
	}
	prefix := query.Fold(typed)
	var found []string
	for w := range counts {
		if strings.HasPrefix(w, prefix) {
			found = append(found, w)
		}
	}
	sort.Slice(found, func(i, j int) bool {
		if counts[found[i]] != counts[found[j]] {
			return counts[found[i]] > counts[found[j]]
		}
		return found[i] < found[j]
	})
	opts := make([]string, 0, 8)
	for _, w := range found[:min(len(found), 8)] {
		opts = append(opts, head+w+tail)
	}
	return opts, true
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
