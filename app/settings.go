package app

import (
	"fmt"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/spf13/viper"

	"github.com/vidsift/vidsift/engine/detect"
	"github.com/vidsift/vidsift/engine/scan"
	"github.com/vidsift/vidsift/engine/settings"
)

type settingsView struct {
	settingsDeps
	problem    *widget.Label // why config.yaml or VIDSIFT_* could not be used
	conf       *widget.Slider
	confLabel  *widget.Label
	search     *widget.Entry
	checks     *widget.CheckGroup
	checksList *passingScroll // the wheel goes on to the panel at its ends
	picked     map[string]bool
	pickedInfo *widget.Label
	workers    *widget.Select
	modelInfo  *widget.Label
	rescan     *widget.Check
	// switches are the settings the table shows as check boxes, by key.
	switches  map[string]*widget.Check
	rect      *widget.Check // switches[rect]: the model line says how the model runs
	modelErr  error         // why the last model picked did not load
	samples   *samplingView
	runOn     *runOnView
	modelFile string
	box       *fyne.Container
}

// settingsDeps is what the settings panel needs of the window around it.
type settingsDeps struct {
	cfg *viper.Viper // flags, VIDSIFT_*, config.yaml and the saved choices, in viper's precedence
	// configured are the scan settings cfg gives (UI.configured)
	configured func() (scan.Settings, error)
	onCluster  *bool                // whether scans went to the cluster when the app closed (nil: not saved)
	win        fyne.Window          // parent of the model file dialog
	model      func() *detect.Model // the loaded model, whose classes are offered
	loadModel  func(path string)    // load another model ("" = the default lookup)
	onChange   func()               // the classes to report changed
}

// newSettingsView shows the settings cfg holds: the last-used ones (the
// saved layer), else VIDSIFT_* and config.yaml, else the defaults.
func newSettingsView(deps settingsDeps) *settingsView {
	s := &settingsView{settingsDeps: deps, picked: map[string]bool{}, switches: map[string]*widget.Check{}}
	def, err := deps.configured()
	s.problem = widget.NewLabel("")
	s.problem.Wrapping = fyne.TextWrapWord
	s.problem.Importance = widget.DangerImportance
	s.problem.Hide()
	if err != nil {
		s.problem.SetText(err.Error() + "; the defaults stand in here, and Start refuses until it is fixed")
		s.problem.Show()
	}
	nats := deps.cfg.GetString(settings.Nats)
	onCluster := nats != ""
	if deps.onCluster != nil {
		onCluster = *deps.onCluster
	}
	s.confLabel = widget.NewLabel("")
	s.conf = widget.NewSlider(0.05, 0.95)
	s.conf.Step = 0.01
	s.conf.OnChanged = s.onConfidenceChanged
	s.conf.SetValue(float64(def.Confidence))

	for _, c := range def.Classes {
		s.picked[c] = true
	}
	s.pickedInfo = widget.NewLabel("")
	s.checks = widget.NewCheckGroup(nil, s.onChecks)
	s.search = widget.NewEntry()
	s.search.SetPlaceHolder("Search classes…")
	s.search.OnChanged = func(string) { s.fillChecks() }
	clear := widget.NewButton("All classes", s.onAllClasses)

	var opts []string
	for i := 1; i <= 2*runtime.NumCPU(); i++ {
		opts = append(opts, strconv.Itoa(i))
	}
	s.workers = widget.NewSelect(opts, nil)
	s.workers.SetSelected(strconv.Itoa(def.Workers))

	s.modelFile = deps.cfg.GetString(settings.Model)
	s.modelInfo = widget.NewLabel("Loading model…")
	s.modelInfo.Wrapping = fyne.TextWrapWord
	choose := widget.NewButton("Choose model…", s.chooseModel)
	s.rescan = widget.NewCheck("Rescan files the library already holds", nil)
	switches := container.NewVBox()
	for _, row := range settings.Table {
		if row.App.Kind != settings.Check {
			continue
		}
		text, note := switchText(row.App.Label)
		c := widget.NewCheck(text, nil)
		c.SetChecked(*row.Field(&def).(*bool))
		s.switches[row.Key] = c
		switches.Add(c)
		if note != "" { // under the box's text
			switches.Add(container.New(layout.NewCustomPaddedLayout(0, 0, theme.IconInlineSize()+theme.Padding()*2, 0), smallNote(note)))
		}
	}
	s.rect = s.switches[settings.Rect]
	s.rect.OnChanged = func(bool) { s.showModel(s.model(), s.modelErr) } // the model line says how it runs
	s.samples = newSamplingView(def.Sampling)
	s.runOn = newRunOnView(nats, onCluster)

	s.checksList = newPassingScroll(s.checks)
	s.checksList.SetMinSize(fyne.NewSize(0, 180))
	// Two confidences: this one decides what a scan records; the grid's
	// "Show confidence" only hides weaker ones of what was recorded.
	confHint := smallNote("Detections below it are not recorded. The grid's Show confidence slider hides weaker ones afterwards, without rescanning.")
	s.box = container.NewVBox(
		s.problem,
		s.confLabel, s.conf, confHint,
		widget.NewLabel("Classes to report"), s.search, s.checksList, container.NewBorder(nil, nil, nil, clear, s.pickedInfo),
		container.NewBorder(nil, nil, widget.NewLabel("Workers (files at once)"), nil, s.workers),
		s.samples.object(),
		switches,
		s.rescan,
		s.runOn.object(),
		widget.NewLabel("Model"), s.modelInfo, choose,
	)
	s.fillChecks()
	return s
}

// values are the settings the panel shows, by config key: the app's
// layer of the config (UI.scanSettings) and what it saves.
func (s *settingsView) values() map[string]any {
	sampling := s.sampling()
	v := map[string]any{
		settings.Confidence: s.conf.Value,
		settings.Classes:    s.pickedClasses(),
		settings.Workers:    s.workerCount(),
		settings.Model:      s.modelFile,
		settings.MaxGap:     sampling.MaxGap,
		settings.MinGap:     sampling.MinGap,
		settings.Cuts:       sampling.Cuts,
		settings.Nats:       strings.TrimSpace(s.runOn.url.Text),
	}
	for key, c := range s.switches {
		v[key] = c.Checked
	}
	return v
}

func (s *settingsView) object() fyne.CanvasObject { return s.box }

func (s *settingsView) onConfidenceChanged(v float64) {
	s.confLabel.SetText(fmt.Sprintf("Minimum confidence to record: %.2f", v))
}

// switchText is a check box's text and the note in brackets after it,
// shown under it in small type: "Rectangular inference (models of dynamic
// input size)" whole is wider than the panel at 800 px.
func switchText(label string) (text, note string) {
	if text, note, ok := strings.Cut(label, " ("); ok && strings.HasSuffix(note, ")") {
		return text, strings.TrimSuffix(note, ")")
	}
	return label, ""
}

// smallNote is a note in small type, wrapped to the panel's width.
func smallNote(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	l.SizeName = theme.SizeNameCaptionText
	return l
}

// scrollsWithin passes the wheel on to the panel the settings scroll in
// where the class list ends.
func (s *settingsView) scrollsWithin(panel *container.Scroll) { s.checksList.outer = panel }

// onAllClasses drops every pick: all classes are reported.
func (s *settingsView) onAllClasses() {
	s.picked = map[string]bool{}
	s.fillChecks()
	s.onChange()
}

// modelPath is the chosen model, or "" for the default lookup.
func (s *settingsView) modelPath() string { return s.modelFile }

func (s *settingsView) confidence() float32 { return float32(s.conf.Value) }

// sampling is the policy to scan with.
func (s *settingsView) sampling() scan.Sampling { return s.samples.policy() }

func (s *settingsView) workerCount() int {
	n, err := strconv.Atoi(s.workers.Selected)
	if err != nil || n < 1 {
		return scan.DefaultSettings().Workers
	}
	return n
}

// classes returns the picked classes (nil: all).
func (s *settingsView) classes() map[string]bool {
	if len(s.picked) == 0 {
		return nil
	}
	out := make(map[string]bool, len(s.picked))
	for c := range s.picked {
		out[c] = true
	}
	return out
}

// pickedClasses returns the picked classes, sorted (empty: all).
func (s *settingsView) pickedClasses() []string {
	out := []string{}
	for c := range s.picked {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// setClasses replaces the picked classes (used by tests and restore).
func (s *settingsView) setClasses(names ...string) {
	s.picked = map[string]bool{}
	for _, n := range names {
		s.picked[n] = true
	}
	s.fillChecks()
}

// fillChecks shows the model's classes that match the search, keeping picks.
func (s *settingsView) fillChecks() {
	var names []string
	if m := s.model(); m != nil {
		names = m.Names
	}
	term := strings.ToLower(strings.TrimSpace(s.search.Text))
	var opts, sel []string
	for _, n := range names {
		if term == "" || strings.Contains(strings.ToLower(n), term) {
			opts = append(opts, n)
			if s.picked[n] {
				sel = append(sel, n)
			}
		}
	}
	onChanged := s.checks.OnChanged
	s.checks.OnChanged = nil // programmatic change: not the user's
	s.checks.Options = opts
	s.checks.Selected = sel
	s.checks.Refresh()
	s.checks.OnChanged = onChanged
	s.updatePickedInfo()
}

func (s *settingsView) onChecks(selected []string) {
	shown := map[string]bool{}
	for _, o := range s.checks.Options {
		shown[o] = true
		delete(s.picked, o)
	}
	for _, c := range selected {
		if shown[c] {
			s.picked[c] = true
		}
	}
	s.updatePickedInfo()
	s.onChange()
}

func (s *settingsView) updatePickedInfo() {
	if len(s.picked) == 0 {
		s.pickedInfo.SetText("Reporting every class")
		return
	}
	var names []string
	for c := range s.picked {
		names = append(names, c)
	}
	sort.Strings(names)
	s.pickedInfo.SetText("Reporting: " + strings.Join(names, ", "))
}

func (s *settingsView) chooseModel() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		r.Close()
		s.modelFile = r.URI().Path()
		s.loadModel(s.modelFile)
	}, s.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".onnx"}))
	d.Show()
}

// showModel describes the loaded model, or why there is none.
func (s *settingsView) showModel(m *detect.Model, err error) {
	s.modelErr = err
	describe := func(m *detect.Model) string {
		return fmt.Sprintf("%s\n%d classes, input %d×%d, runs %s", m.Path, len(m.Names), m.InputW, m.InputH, m.Shape(s.rect.Checked))
	}
	switch {
	case err != nil && m != nil:
		// A failed pick keeps the model that works: say which one scans.
		s.modelInfo.SetText("Could not load that model: " + worded(err).Error() + "\nStill using " + describe(m))
	case err != nil:
		s.modelInfo.SetText("No usable model: " + worded(err).Error())
	case m != nil:
		s.modelInfo.SetText(describe(m))
	}
	if m != nil {
		// Classes picked for another model that this one lacks would hide everything.
		for c := range s.picked {
			if !slices.Contains(m.Names, c) {
				delete(s.picked, c)
			}
		}
	}
	s.fillChecks()
}
