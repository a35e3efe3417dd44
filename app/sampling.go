package app

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/vidsift/vidsift/engine/config"
	"github.com/vidsift/vidsift/engine/scan"
)

// samplingPreset is one choice of the Sampling setting.
type samplingPreset struct {
	name           string
	maxGap, minGap time.Duration
	cuts           bool
}

const customSampling = "Custom"

var samplingPresets = []samplingPreset{
	{"Keyframes only (fastest)", 0, scan.DefaultMinGap, false},
	{"Balanced", scan.DefaultMaxGap, scan.DefaultMinGap, true},
	{"Thorough", 500 * time.Millisecond, scan.DefaultMinGap, true},
}

// samplingView is the Sampling setting: a preset, or custom gaps and cut
// frames.
type samplingView struct {
	preset         *widget.Select
	maxGap, minGap *widget.Entry
	cuts           *widget.Check
	custom         *fyne.Container
	box            *fyne.Container
}

func newSamplingView(sampling scan.Sampling) *samplingView {
	v := &samplingView{}
	var names []string
	for _, p := range samplingPresets {
		names = append(names, p.name)
	}
	maxGap, minGap := duration(sampling.MaxGap), duration(sampling.MinGap)
	v.maxGap, v.minGap = widget.NewEntry(), widget.NewEntry()
	v.maxGap.SetText(seconds(maxGap))
	v.minGap.SetText(seconds(minGap))
	v.maxGap.Validator, v.minGap.Validator = validDuration, validDuration
	v.cuts = widget.NewCheck("Cut frames: the first frame of each shot between keyframes (needs a max gap)", nil)
	v.cuts.SetChecked(sampling.Cuts)
	v.custom = container.NewVBox(container.NewGridWithColumns(2,
		container.NewBorder(nil, nil, widget.NewLabel("Max gap (s)"), nil, v.maxGap),
		container.NewBorder(nil, nil, widget.NewLabel("Min gap (s)"), nil, v.minGap)), v.cuts)
	v.preset = widget.NewSelect(append(names, customSampling), v.onPreset)
	v.preset.SetSelected(presetOf(maxGap, minGap, sampling.Cuts))
	v.box = container.NewVBox(
		container.NewBorder(nil, nil, widget.NewLabel("Sampling"), nil, v.preset), v.custom)
	return v
}

func (v *samplingView) object() fyne.CanvasObject { return v.box }

// onPreset fills the gaps of a preset in; Custom lets the user type them.
func (v *samplingView) onPreset(name string) {
	for _, p := range samplingPresets {
		if p.name == name {
			v.maxGap.SetText(seconds(p.maxGap))
			v.minGap.SetText(seconds(p.minGap))
			v.cuts.SetChecked(p.cuts)
			v.custom.Hide()
			return
		}
	}
	v.custom.Show()
}

// policy is the sampling to scan with; a custom value that does not parse
// counts as the default. Keyframes only has no cut frames (as config.Load).
func (v *samplingView) policy() scan.Sampling {
	s := scan.Sampling{MaxGap: parseSeconds(v.maxGap.Text, scan.DefaultMaxGap), MinGap: parseSeconds(v.minGap.Text, scan.DefaultMinGap)}
	s.Cuts = v.cuts.Checked && s.MaxGap > 0
	return s
}

func presetOf(maxGap, minGap time.Duration, cuts bool) string {
	for _, p := range samplingPresets {
		if p.maxGap == maxGap && p.minGap == minGap && (p.cuts == cuts || maxGap == 0) {
			return p.name
		}
	}
	return customSampling
}

func duration(seconds float64) time.Duration { return time.Duration(seconds * float64(time.Second)) }

func seconds(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) }

func parseSeconds(s string, fallback time.Duration) float64 {
	d, err := config.Duration(strings.TrimSpace(s))
	if err != nil || d < 0 {
		d = fallback
	}
	return d.Seconds()
}

func validDuration(s string) error {
	if d, err := config.Duration(strings.TrimSpace(s)); err != nil || d < 0 {
		return fmt.Errorf("seconds (1.5) or a duration (1500ms)")
	}
	return nil
}
