package app

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// The Run on choices.
const (
	runHere    = "This computer"
	runCluster = "Cluster at URL"
)

// runOnView is the Run on setting: scan on this computer, or on the
// cluster whose hub is at a URL (`vidsift hub`, workers on other boxes).
// Credentials come from VIDSIFT_NATS_TOKEN (or _USER and _PASSWORD) or
// config.yaml, or the token typed here, which is never saved.
type runOnView struct {
	choice *widget.RadioGroup
	url    *widget.Entry
	token  *widget.Entry
	box    *fyne.Container
}

func newRunOnView(url string, onCluster bool) *runOnView {
	r := &runOnView{url: widget.NewEntry(), token: widget.NewPasswordEntry()}
	r.url.SetPlaceHolder("nats://hub.local:4222")
	r.url.SetText(url)
	r.token.SetPlaceHolder("token (default: VIDSIFT_NATS_TOKEN or config.yaml)")
	r.choice = widget.NewRadioGroup([]string{runHere, runCluster}, func(string) { r.enable() })
	r.choice.Horizontal = true
	r.choice.Required = true
	if onCluster && url != "" {
		r.choice.SetSelected(runCluster)
	} else {
		r.choice.SetSelected(runHere)
	}
	r.enable()
	r.box = container.NewVBox(widget.NewLabel("Run on"), r.choice, r.url, r.token)
	return r
}

func (r *runOnView) object() fyne.CanvasObject { return r.box }

func (r *runOnView) enable() {
	if r.choice.Selected == runCluster {
		r.url.Enable()
		r.token.Enable()
	} else {
		r.url.Disable()
		r.token.Disable()
	}
}

// cluster returns the hub's URL and the token typed (maybe "") when the
// scan runs on a cluster.
func (r *runOnView) cluster() (url, token string, ok bool) {
	url = strings.TrimSpace(r.url.Text)
	if r.choice.Selected != runCluster || url == "" {
		return "", "", false
	}
	return url, r.token.Text, true
}

// setCluster chooses the cluster at url ("" for this computer).
func (r *runOnView) setCluster(url string) {
	r.url.SetText(url)
	if url == "" {
		r.choice.SetSelected(runHere)
	} else {
		r.choice.SetSelected(runCluster)
	}
}
