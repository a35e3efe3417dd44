package app

import (
	"context"
	"errors"
	"fmt"
	"image"
	"math"
	"os/exec"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/vidsift/vidsift/engine/export"
	"github.com/vidsift/vidsift/engine/media"
	"github.com/vidsift/vidsift/engine/results"
	"github.com/vidsift/vidsift/engine/scan"
)

// detailSide is the long side, in pixels, of the frame the detail view decodes.
const detailSide = 1600

// detailView shows one frame large, decoded again from the video so it
// is sharp, with every box, the file's class spans and navigation.
type detailView struct {
	detailDeps
	win       fyne.Window
	pos       int // position among the items shown
	img       *canvas.Image
	title     *widget.Label
	info      *widget.Label
	dets      *widget.Label
	words     *widget.Label // the text read in the frame
	spans     *widget.Label
	cues      *widget.Label   // the subtitles around the frame's time
	heard     *widget.Label   // the cue pointed at or tapped on the timeline
	side      *fyne.Container // the texts beside the frame
	play      *widget.Button
	saveClip  *widget.Button
	clipSaid  *widget.Label // the moment Save clip… cuts, or why there is none
	said      *widget.Label // why the player or the folder could not be opened
	tappedCue string        // what showCue says of the cue tapped last
	shownPath string        // the file of the frame shown
	// timeline shows when the file's classes are seen; a tap on it moves
	// to the nearest frame shown in the grid.
	timeline *timeline
	frames   videoFrames // of the file shown
	gen      int         // bumps on each navigation so stale decodes are dropped
	// stopDecode cancels the decode of the frame shown before, so
	// holding an arrow key does not pile up 1600 px decodes.
	stopDecode context.CancelFunc
}

// detailDeps is what the detail view needs of the window around it.
type detailDeps struct {
	app       fyne.App
	ctx       context.Context // cancelled when the app closes
	do        func(func())    // runs fn on the main goroutine
	items     browsing
	coll      *results.Collection
	thumbnail func(results.Item) image.Image // the grid's thumbnail, shown until the sharp frame is decoded
}

func newDetailView(deps detailDeps) *detailView { return &detailView{detailDeps: deps} }

// open shows the frame at position pos of the grid.
func (d *detailView) open(pos int) {
	if pos < 0 || pos >= d.items.shownCount() {
		return
	}
	if d.win == nil {
		d.build()
	}
	d.pos = pos
	d.show()
	d.win.Show()
}

func (d *detailView) build() {
	d.win = d.app.NewWindow("vidsift — frame")
	d.img = canvas.NewImageFromImage(nil)
	d.img.FillMode = canvas.ImageFillContain
	d.img.SetMinSize(fyne.NewSize(800, 450))
	d.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	d.title.Wrapping = fyne.TextWrapBreak
	d.tappedCue, d.shownPath = "", ""
	d.cues, d.heard = widget.NewLabel(""), widget.NewLabel("")
	d.cues.Wrapping, d.heard.Truncation = fyne.TextWrapWord, fyne.TextTruncateEllipsis
	d.heard.Hide()
	d.info, d.dets, d.words, d.spans = widget.NewLabel(""), widget.NewLabel(""), widget.NewLabel(""), widget.NewLabel("")
	d.info.Wrapping, d.dets.Wrapping, d.words.Wrapping, d.spans.Wrapping = fyne.TextWrapWord, fyne.TextWrapWord, fyne.TextWrapWord, fyne.TextWrapWord
	prev := widget.NewButtonWithIcon("Previous", theme.NavigateBackIcon(), func() { d.step(-1) })
	next := widget.NewButtonWithIcon("Next", theme.NavigateNextIcon(), func() { d.step(1) })
	d.play = widget.NewButtonWithIcon("Open in player", theme.MediaPlayIcon(), func() { d.openExternal(false) })
	reveal := widget.NewButtonWithIcon("Show in folder", theme.FolderOpenIcon(), func() { d.openExternal(true) })
	d.saveClip = widget.NewButtonWithIcon("Save clip…", theme.MediaVideoIcon(), d.saveClipDialog)
	d.clipSaid = widget.NewLabel("")
	d.clipSaid.Wrapping = fyne.TextWrapWord
	d.said = widget.NewLabel("")
	d.said.Wrapping = fyne.TextWrapWord
	d.said.Hide()
	closeB := widget.NewButtonWithIcon("Close", theme.CancelIcon(), d.close)
	d.side = container.NewVBox(d.title, d.info,
		widget.NewLabelWithStyle("Detections", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), d.dets,
		widget.NewLabelWithStyle("Words read", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), d.words,
		widget.NewLabelWithStyle("What is said", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), d.cues,
		widget.NewLabelWithStyle("When each class is seen", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), d.spans,
		widget.NewLabelWithStyle("Clip around this frame", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), d.clipSaid)
	side := container.NewVScroll(d.side)
	side.SetMinSize(fyne.NewSize(320, 0))
	buttons := container.NewHBox(prev, next, widget.NewSeparator(), d.play, reveal, d.saveClip, widget.NewSeparator(), closeB)
	d.timeline = newTimeline(false, d.pick)
	d.timeline.onCue = d.showCue
	d.win.SetContent(container.NewBorder(nil, container.NewVBox(d.timeline, d.heard, buttons, d.said), nil, side, d.img))
	d.win.Resize(fyne.NewSize(1280, 760))
	d.win.Canvas().SetOnTypedKey(func(k *fyne.KeyEvent) {
		if modalKey(d.win.Canvas(), k) {
			return // a dialog over the view has the keys: Esc closes it, not the view
		}
		switch k.Name {
		case fyne.KeyEscape:
			d.close()
		case fyne.KeyLeft, fyne.KeyUp:
			d.step(-1)
		case fyne.KeyRight, fyne.KeyDown:
			d.step(1)
		}
	})
	d.win.SetOnClosed(func() {
		d.cancelDecode()
		d.win = nil
	})
}

func (d *detailView) step(delta int) {
	if p := d.pos + delta; p >= 0 && p < d.items.shownCount() {
		d.pos = p
		d.show()
	}
}

// pick moves to the frame of the file nearest to its analysed frame i
// (the timeline's), among those the grid shows.
func (d *detailView) pick(i int) {
	if i < 0 || i >= len(d.frames.times) {
		return
	}
	id, ok := d.current()
	if !ok {
		return
	}
	path, at := d.coll.Item(id).Path, d.frames.times[i]
	best, dist := -1, math.MaxFloat64
	for pos := 0; pos < d.items.shownCount(); pos++ {
		it := d.coll.Item(d.items.shownID(pos))
		if it.Path == path && math.Abs(it.Time-at) < dist {
			best, dist = pos, math.Abs(it.Time-at)
		}
	}
	if best >= 0 && best != d.pos {
		d.pos = best
		d.show()
	}
}

func (d *detailView) isOpen() bool { return d.win != nil }

func (d *detailView) cancelDecode() {
	if d.stopDecode != nil {
		d.stopDecode()
		d.stopDecode = nil
	}
}

func (d *detailView) close() {
	d.cancelDecode()
	if d.win != nil {
		w := d.win
		d.win = nil
		w.Close()
	}
}

// current is the item the view shows.
func (d *detailView) current() (int, bool) {
	if d.pos < 0 || d.pos >= d.items.shownCount() {
		return 0, false
	}
	return d.items.shownID(d.pos), true
}

func (d *detailView) show() {
	id, ok := d.current()
	if !ok {
		return
	}
	item := d.coll.Item(id)
	q := d.items.query()
	d.title.SetText(item.Path)
	if f, ok := d.coll.File(item.Path); ok && f.Media.Still {
		d.info.SetText(fmt.Sprintf("Photo · %d×%d · %d of %d shown", item.Width, item.Height, d.pos+1, d.items.shownCount()))
	} else {
		// One fact a line: a wrapped line does not always make the label
		// taller before the next layout.
		d.info.SetText(fmt.Sprintf("Frame %d: %s\nat %s (%.3f s) · %d×%d\n%d of %d shown%s",
			item.Index+1, frameKind(item), clock(item.Time), item.Time, item.Width, item.Height, d.pos+1, d.items.shownCount(), d.keyframeInterval(item)))
	}
	var lines []string
	for _, det := range q.Shown(item) {
		lines = append(lines, fmt.Sprintf("%s %.2f  [%.0f, %.0f, %.0f, %.0f]", det.Class, det.Confidence, det.Box[0], det.Box[1], det.Box[2], det.Box[3]))
	}
	if len(lines) == 0 {
		lines = []string{"none"}
	}
	d.dets.SetText(strings.Join(lines, "\n"))
	d.words.SetText(wordsRead(shownText(q, item)))
	var spans []string
	for _, s := range d.coll.Spans(item.Path, q) {
		spans = append(spans, fmt.Sprintf("%s  %s–%s  (max %.2f)", s.Class, scan.Clock(s.Start, scan.Seconds), scan.Clock(s.End, scan.Seconds), s.MaxConfidence))
	}
	if len(spans) == 0 {
		spans = []string{"none"}
	}
	d.spans.SetText(strings.Join(spans, "\n"))
	cues := []scan.Cue(nil)
	if f, ok := d.coll.File(item.Path); ok {
		cues = f.Subtitles
	}
	d.cues.SetText(cuesAround(cues, item.Time))
	if item.Path != d.shownPath { // another file: its cues are others
		d.shownPath = item.Path
		d.tappedCue = ""
		d.showCue(nil, false)
		if len(cues) > 0 {
			d.heard.Show()
		} else {
			d.heard.Hide()
		}
	}
	d.showClip(item)
	d.said.SetText("")
	d.said.Hide()
	d.side.Refresh() // lay the texts out again: their heights changed
	d.frames = framesOf(d.coll, item.Path, q)
	d.timeline.show(d.frames, id)
	// Lay the window out again: the timeline's lanes and the line under
	// it change height from file to file.
	d.win.Content().Refresh()
	d.win.SetTitle(fmt.Sprintf("vidsift — %s @ %s", filepath.Base(item.Path), clock(item.Time)))
	if _, seeks := playerCommand(item.Path, d.videoTime(item)); seeks {
		d.play.SetText("Open in player at " + clock(item.Time))
	} else {
		d.play.SetText("Open in player")
	}

	// Show the thumbnail at once, then the sharp frame when it is decoded.
	d.img.Image = d.thumbnail(item)
	d.img.Refresh()
	d.gen++
	gen := d.gen
	d.cancelDecode()
	ctx, cancel := context.WithCancel(d.ctx)
	d.stopDecode = cancel
	go func() {
		defer cancel()
		frame, err := media.ReadFrameAt(ctx, item.Path, item.Time, detailSide, media.Options{})
		if ctx.Err() != nil {
			return // another frame is shown, or the view closed
		}
		if err != nil {
			d.do(func() {
				if gen == d.gen && d.win != nil {
					d.info.SetText(d.info.Text + "\nCould not decode the frame again: " + err.Error())
				}
			})
			return
		}
		scale := float64(frame.Bounds().Dx()) / float64(item.Width)
		export.DrawDetections(frame, scale, q.Shown(item))
		drawTextLines(frame, scale, shownText(q, item))
		d.do(func() {
			if gen == d.gen && d.win != nil {
				d.img.Image = frame
				d.img.Refresh()
			}
		})
	}()
}

// cueHint is what the line under the timeline says while no cue is
// pointed at or tapped.
const cueHint = "Point at a cue of the Said lane to read it; a tap goes to its frame."

// showCue tells the text of the cue pointed at or tapped on the
// timeline (nil: the pointer left the cues); a tapped cue's text stays
// once the pointer leaves.
func (d *detailView) showCue(c *scan.Cue, tapped bool) {
	text := d.tappedCue
	if c != nil {
		text = "Said " + cueSaid(*c)
	}
	if tapped {
		d.tappedCue = text
	}
	if text == "" {
		text = cueHint
	}
	d.heard.SetText(text)
}

// cuesAround lists the cues near time at: up to cuesBeside said before
// it, those said at it (marked →, or a → line saying nothing is) and up
// to cuesBeside after. Cues of several tracks name theirs.
func cuesAround(cues []scan.Cue, at float64) string {
	if len(cues) == 0 {
		return "none"
	}
	tracks := map[[2]any]bool{}
	for _, c := range cues {
		tracks[[2]any{c.Track, c.Sidecar}] = true
	}
	line := func(c scan.Cue, mark string) string {
		if len(tracks) > 1 {
			return fmt.Sprintf("%s[%s] %s", mark, trackName(c), cueSaid(c))
		}
		return mark + cueSaid(c)
	}
	const cuesBeside = 2
	var before, now, after []string
	for _, c := range cues {
		switch {
		case c.End < at:
			before = append(before, line(c, "    "))
		case c.Start <= at:
			now = append(now, line(c, "→ "))
		default:
			after = append(after, line(c, "    "))
		}
	}
	if len(now) == 0 {
		now = []string{fmt.Sprintf("→ nothing said at %s", clock(at))}
	}
	before = before[max(0, len(before)-cuesBeside):]
	after = after[:min(len(after), cuesBeside)]
	return strings.Join(append(append(before, now...), after...), "\n")
}

// wordsRead lists lines of text, each with how sure the reader is.
func wordsRead(lines []scan.TextLine) string {
	if len(lines) == 0 {
		return "none"
	}
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = fmt.Sprintf("“%s”  %.2f", shorten(l.Text, listedRunes), l.Confidence)
	}
	return strings.Join(out, "\n")
}

// listedRunes bounds a line of text or a cue as the detail view lists
// it: a 10,000-character line would bury the rest.
const listedRunes = 160

// shorten cuts s to n runes, marking the cut.
func shorten(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// frameKind says how the frame came to be analysed.
func frameKind(item results.Item) string {
	kind := "keyframe"
	switch item.Kind {
	case scan.GapFrame:
		kind = "gap frame (between keyframes)"
	case scan.CutFrame:
		kind = "cut frame (the first of a new shot, between keyframes)"
	}
	if item.Reused {
		return fmt.Sprintf("%s, like frame %d: detections reused", kind, item.SameAs+1)
	}
	return kind
}

// keyframeInterval describes the file's keyframe spacing, once known.
func (d *detailView) keyframeInterval(item results.Item) string {
	if f, ok := d.coll.File(item.Path); ok && f.Media.KeyframeInterval > 0 {
		return fmt.Sprintf("\nkeyframes up to %.1f s apart", f.Media.KeyframeInterval)
	}
	return ""
}

// videoTime is the item's time when it is a frame of a video, or -1 for
// a photo.
func (d *detailView) videoTime(item results.Item) float64 {
	if f, ok := d.coll.File(item.Path); ok && f.Media.FPS > 0 {
		return item.Time
	}
	return -1
}

// openExternal opens the video at this frame's time in a player that
// can seek (mpv, VLC), else in the system's default one; or its folder.
func (d *detailView) openExternal(folder bool) {
	id, ok := d.current()
	if !ok {
		return
	}
	item := d.coll.Item(id)
	target, at := item.Path, d.videoTime(item)
	if folder {
		target, at = filepath.Dir(target), -1
	}
	cmd, seeks := playerCommand(target, at)
	// Said once under the buttons (a second click says the same), with
	// what to do about it.
	say := func(err error) {
		d.said.SetText(openFailed(target, folder, err))
		d.said.Show()
	}
	// xdg-open fails once it has looked for an application (exit status
	// 3: a tool it needs is missing; 4: nothing opened the file); a
	// player's own exit status is not about opening.
	var failed func(error)
	if !seeks {
		failed = func(err error) {
			d.do(func() {
				if d.win != nil {
					say(err)
				}
			})
		}
	}
	if err := startDetached(cmd, failed); err != nil {
		say(err)
	}
}

// openFailed words why target could not be opened (by a player, by
// xdg-open, or xdg-open itself missing) and what to do.
func openFailed(target string, folder bool, err error) string {
	var exit *exec.ExitError
	nothingOpened := errors.As(err, &exit) && (exit.ExitCode() == 3 || exit.ExitCode() == 4)
	switch {
	case !errors.Is(err, exec.ErrNotFound) && !nothingOpened:
		return fmt.Sprintf("Could not open %s: %v", target, err)
	case folder:
		return "No file manager found: open the folder yourself: " + target
	}
	return "No video player found: install one (e.g. sudo apt install vlc) or open the file yourself: " + target
}
