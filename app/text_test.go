package app

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"

	"github.com/vidsift/vidsift/engine/clips"
	"github.com/vidsift/vidsift/engine/export"
	"github.com/vidsift/vidsift/engine/media"
	"github.com/vidsift/vidsift/engine/query"
	"github.com/vidsift/vidsift/engine/scan"
	"github.com/vidsift/vidsift/engine/settings"
	"github.com/vidsift/vidsift/internal/testenv"
)

// The cues of the video textVideo makes (its subtitle track).
const saidSRT = `1
00:00:01,000 --> 00:00:02,500
Is that your dog?

2
00:00:05,000 --> 00:00:06,500
Fire! Get out, now.

3
00:00:07,000 --> 00:00:07,800
All year round.
`

// textVideo makes an 8 s video with words on screen and said: the
// shared dog and person clip, the shared photo of a mall's sale sign
// ("ALL YEAR ROUND", "OCBC Bank", "SALE") over it from 3 s to 6 s, and a
// SubRip track with saidSRT's cues.
func textVideo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	srt := filepath.Join(dir, "said.srt")
	testenv.WriteFile(t, srt, []byte(saidSRT), 0o644)
	out := filepath.Join(dir, "sign_and_dog.mkv")
	cmd := exec.Command("ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
		"-t", "8", "-i", shared(t, "testdata/videos/dog_person_vp9.webm"),
		"-loop", "1", "-t", "8", "-i", shared(t, "testdata/text/mall_sale_sign.jpg"),
		"-i", srt,
		"-filter_complex", "[1:v]scale=-2:400[sign];[0:v][sign]overlay=x=(W-w)/2:y=40:enable='between(t,3,6)'[v]",
		"-map", "[v]", "-map", "2", "-c:v", "libx264", "-preset", "ultrafast", "-g", "30", "-pix_fmt", "yuv420p",
		"-c:s", "srt", "-metadata:s:s:0", "language=eng", "-t", "8", out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, b)
	}
	return out
}

// scanWithText scans paths in the app with the text models, as a user
// whose setup installed them does.
func scanWithText(t *testing.T, u *UI, loop *mainLoop, paths ...string) {
	t.Helper()
	t.Setenv(settings.EnvVar(settings.TextModels), shared(t, "models/ocr"))
	drop(u, paths...)
	test.Tap(u.toolbar.start)
	loop.until(t, "the scan to finish", func() bool {
		f, _ := u.coll.FileCounts()
		return f == len(paths) && !u.activity.Running()
	})
	read := 0
	for _, res := range u.coll.Results(nil) {
		for _, k := range res.Frames {
			read += len(k.Text)
		}
	}
	if read == 0 {
		t.Fatal("the scan read no text")
	}
}

// TestTextBoxes: lines of text read in a frame are drawn on its grid
// thumbnail and on the detail view's sharp frame, in their own style
// (dashed yellow and black, apart from the detections' class colours),
// and the detail view lists the words with how sure the reader was.
func TestTextBoxes(t *testing.T) {
	withModel(t)
	u, loop := newTestUI(t)
	photo := shared(t, "testdata/text/mall_sale_sign.jpg")
	scanWithText(t, u, loop, textVideo(t), photo)
	u.Window().Resize(fyne.NewSize(1280, 800))
	artifact(t, "text-grid.png", u.Window())

	pos := -1
	for i, id := range u.Shown() {
		if u.coll.Item(id).Path == photo {
			pos = i
		}
	}
	if pos < 0 {
		t.Fatal("the photo is not shown")
	}
	item := u.coll.Item(u.Shown()[pos])
	if len(item.Text) < 4 || len(item.Detections) == 0 {
		t.Fatalf("the photo's frame: %d lines of text, %d detections", len(item.Text), len(item.Detections))
	}
	thumb, err := u.coll.Thumbnail(item.ID)
	if err != nil {
		t.Fatal(err)
	}
	plain := image.NewRGBA(thumb.Bounds())
	draw.Draw(plain, plain.Bounds(), thumb, thumb.Bounds().Min, draw.Src)
	scale := float64(plain.Bounds().Dx()) / float64(item.Width)
	export.DrawDetections(plain, scale, item.Detections)
	outlined(t, "the thumbnail", u.grid.render(item), plain, scale, item.Text)

	u.detail.open(pos)
	loop.until(t, "the sharp frame", func() bool {
		return u.detail.img.Image != nil && u.detail.img.Image.Bounds().Dx() > thumb.Bounds().Dx()
	})
	said := strings.Join(textsIn(u.detail.win.Content()), "\n")
	for _, l := range item.Text {
		if want := fmt.Sprintf("%s”  %.2f", l.Text, l.Confidence); !strings.Contains(said, want) {
			t.Errorf("the detail view does not list %q: %s", want, said)
		}
	}
	sharp := u.detail.img.Image
	plain, err = media.ReadFrameAt(context.Background(), photo, 0, detailSide, media.Options{})
	if err != nil {
		t.Fatal(err)
	}
	scale = float64(plain.Bounds().Dx()) / float64(item.Width)
	export.DrawDetections(plain, scale, item.Detections)
	outlined(t, "the detail view's frame", sharp, plain, scale, item.Text)
	artifact(t, "text-detail.png", u.detail.win)
}

// outlined checks that each line's box is drawn on got, which is plain
// (the picture with its detection boxes) with the lines' boxes added:
// pixels of every box's top edge differ from plain and are yellow, the
// text style's colour.
func outlined(t *testing.T, what string, got image.Image, plain *image.RGBA, scale float64, lines []scan.TextLine) {
	t.Helper()
	if got == nil || got.Bounds() != plain.Bounds() {
		t.Fatalf("%s: no picture, or not of %v", what, plain.Bounds())
	}
	for _, l := range lines {
		y := int(l.Box[1] * scale)
		yellow := 0
		for x := int(l.Box[0] * scale); x < int(l.Box[2]*scale); x++ {
			r, g, b, _ := got.At(x, y).RGBA()
			if got.At(x, y) != color.Color(plain.RGBAAt(x, y)) && r>>8 > 200 && g>>8 > 170 && b>>8 < 80 {
				yellow++
			}
		}
		if yellow < 2 {
			t.Errorf("%s: the box of %q is not drawn in yellow (%d pixels of its top edge)", what, l.Text, yellow)
		}
	}
}

// TestSaidLane: a video's subtitle cues are a Said lane of the detail
// view's timeline, a bar from each cue's start to its end; pointing at a
// bar tells the cue's text, tapping it tells it and moves to the frame
// nearest its start; the detail view lists the cues around the frame's
// time with the one said then marked.
func TestSaidLane(t *testing.T) {
	withModel(t)
	u, loop := newTestUI(t)
	video := textVideo(t)
	drop(u, video)
	test.Tap(u.toolbar.start)
	loop.until(t, "the scan to finish", func() bool { f, _ := u.coll.FileCounts(); return f == 1 && !u.activity.Running() })
	f, _ := u.coll.File(video)
	if len(f.Subtitles) != 3 {
		t.Fatalf("the video's cues: %v", f.Subtitles)
	}
	at := func(time float64) int { // the grid position of the frame nearest time
		best := -1
		for i, id := range u.Shown() {
			if best < 0 || math.Abs(u.coll.Item(id).Time-time) < math.Abs(u.coll.Item(u.Shown()[best]).Time-time) {
				best = i
			}
		}
		return best
	}
	u.detail.open(at(5.5))
	u.detail.win.Resize(fyne.NewSize(1280, 760))
	tl := u.detail.timeline
	said := -1
	for i, l := range tl.lanes {
		if l.class == "Said" {
			said = i
		}
	}
	if said < 0 || len(tl.lanes[said].cues) != 3 {
		t.Fatalf("no Said lane of 3 cues: %+v", tl.lanes)
	}
	lh, gap := tl.lane()
	y := float32(said)*(lh+gap) + lh/2
	var bars []fyne.CanvasObject
	for _, o := range test.WidgetRenderer(tl).Objects() {
		if r, ok := o.(*canvas.Rectangle); ok && r.FillColor == color.Color(saidColor) {
			bars = append(bars, r)
		}
	}
	if len(bars) != 3 {
		t.Fatalf("%d cue bars drawn, want 3", len(bars))
	}
	for i, c := range f.Subtitles {
		b := bars[i]
		x0, x1 := tl.x(c.Start, tl.Size().Width), tl.x(c.End, tl.Size().Width)
		if math.Abs(float64(b.Position().X-x0)) > 1 || math.Abs(float64(b.Position().X+b.Size().Width-x1)) > 1 || b.Position().Y > y || b.Position().Y+b.Size().Height < y {
			t.Errorf("cue %q: bar at %v %v, want x %.0f–%.0f through y %.0f", c.Text, b.Position(), b.Size(), x0, x1, y)
		}
	}

	cueList := strings.Join(textsIn(u.detail.win.Content()), "\n")
	for _, want := range []string{"→ 0:05.0–0:06.5  Fire! Get out, now.", "    0:01.0–0:02.5  Is that your dog?", "    0:07.0–0:07.8  All year round."} {
		if !strings.Contains(cueList, want) {
			t.Errorf("the detail view does not list %q:\n%s", want, cueList)
		}
	}

	mid := func(c scan.Cue) fyne.Position { return fyne.NewPos(tl.x((c.Start+c.End)/2, tl.Size().Width), y) }
	tl.MouseMoved(&desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: mid(f.Subtitles[2])}})
	if !u.detail.heard.Visible() || !strings.Contains(u.detail.heard.Text, "Said 0:07.0–0:07.8  All year round.") {
		t.Errorf("pointing at the last cue tells %q", u.detail.heard.Text)
	}
	artifact(t, "said-lane.png", u.detail.win)
	tl.MouseOut()
	if u.detail.heard.Text != cueHint {
		t.Errorf("the pointer left the cues, and %q is still told", u.detail.heard.Text)
	}
	tl.Tapped(&fyne.PointEvent{Position: mid(f.Subtitles[0])})
	id, _ := u.detail.current()
	if got := u.coll.Item(id).Time; got != u.coll.Item(u.Shown()[at(f.Subtitles[0].Start)]).Time || !strings.Contains(u.detail.heard.Text, "Is that your dog?") {
		t.Errorf("tapping the first cue shows the frame at %.2f s and tells %q", got, u.detail.heard.Text)
	}
	if cueList := strings.Join(textsIn(u.detail.win.Content()), "\n"); !strings.Contains(cueList, "→ 0:01.0–0:02.5  Is that your dog?") {
		t.Errorf("at the first cue the detail view lists:\n%s", cueList)
	}
}

// TestSearchCompletesWords: after text: or said: the search offers the
// words the loaded results read or say, folded as the search compares
// them, the most frequent first; and a search with text: is applied once
// frames with text are shown, as find decides it.
func TestSearchCompletesWords(t *testing.T) {
	withModel(t)
	u, loop := newTestUI(t)
	video, photo := textVideo(t), shared(t, "testdata/text/mall_sale_sign.jpg")
	scanWithText(t, u, loop, video, photo)

	// What the search should offer, counted here from the results.
	textCount, saidCount := map[string]int{}, map[string]int{}
	for _, id := range u.Shown() {
		seen := map[string]bool{}
		for _, l := range u.coll.Item(id).Text {
			for _, w := range strings.Fields(query.Fold(l.Text)) {
				if !seen[w] {
					seen[w] = true
					textCount[w]++
				}
			}
		}
	}
	f, _ := u.coll.File(video)
	for _, c := range f.Subtitles {
		for _, w := range slices.Compact(slices.Sorted(slices.Values(strings.Fields(query.Fold(c.Text))))) {
			saidCount[w]++
		}
	}
	if textCount["sale"] == 0 || saidCount["fire"] == 0 {
		t.Fatalf("the results read %v and say %v", textCount, saidCount)
	}
	offers := func(typed string, counts map[string]int, head string) {
		t.Helper()
		u.filters.search.SetText(typed)
		got := u.filters.offered
		if len(got) == 0 {
			t.Errorf("%q offers nothing", typed)
		}
		for i, o := range got {
			w, ok := strings.CutPrefix(o, head)
			w = strings.TrimSuffix(w, `"`)
			if !ok || counts[w] == 0 {
				t.Errorf("%q offers %q, not %s and a word of the results", typed, o, head)
			} else if i > 0 {
				prev := strings.TrimSuffix(strings.TrimPrefix(got[i-1], head), `"`)
				if counts[prev] < counts[w] {
					t.Errorf("%q offers %q (%d) before %q (%d)", typed, prev, counts[prev], w, counts[w])
				}
			}
		}
	}
	offers("text:", textCount, "text:")
	offers("person & TEXT:ro", textCount, "person & TEXT:")
	if !slices.Contains(u.filters.offered, "person & TEXT:round") {
		t.Errorf("person & TEXT:ro offers %q", u.filters.offered)
	}
	offers("said:f", saidCount, "said:")
	if !slices.Contains(u.filters.offered, "said:fire") {
		t.Errorf("said:f offers %q", u.filters.offered)
	}
	offers(`dog | said:"get o`, saidCount, `dog | said:"get `)
	if !slices.Contains(u.filters.offered, `dog | said:"get out"`) {
		t.Errorf(`said:"get o offers %q`, u.filters.offered)
	}

	// The offer taken, the search applies, as find decides it on these
	// frames and cues.
	u.filters.same.SetChecked(true)
	u.filters.search.SetText("person & TEXT:round")
	q := u.query()
	if q.Expr == nil {
		t.Fatalf("text: is not searched for: %q", u.filters.problem.Text)
	}
	shown := 0
	for _, res := range u.coll.Results(nil) {
		ok, ranges := query.MatchFile(q.Expr, res.Frames, nil, query.Options{MinConfidence: q.MinConfidence, Together: true})
		if !ok {
			t.Errorf("%s: person & text:round holds nowhere", res.Path)
		}
		for _, k := range res.Frames {
			if query.Within(ranges, k.Time) {
				shown++
			}
		}
	}
	if len(u.Shown()) != shown || shown < 2 {
		t.Errorf("the grid shows %d frames, find %d", len(u.Shown()), shown)
	}
	for _, id := range u.Shown() {
		if it := u.coll.Item(id); len(shownText(q, it)) == 0 || !strings.Contains(query.Fold(shownText(q, it)[0].Text), "round") {
			t.Errorf("%s at %.1f s: the lines drawn are %v", it.Path, it.Time, shownText(q, it))
		}
	}
}

// TestClipsOfWords: Save clip… and Export → Clips cut the moments of a
// search for words on screen (text:, from the frames that show them) and
// said (said:, from the cues' times), as vidsift clips shapes them; on a
// frame before the first moment (within its reach: the video is short)
// the proposal is that moment stretched back to hold the frame.
func TestClipsOfWords(t *testing.T) {
	withModel(t)
	u, loop := newTestUI(t)
	video := textVideo(t)
	scanWithText(t, u, loop, video)
	res := u.coll.Results(nil)[0]
	f, _ := u.coll.File(video)
	var times []float64
	for _, k := range res.Frames {
		times = append(times, k.Time)
	}
	for _, expr := range []string{"text:sale", "said:fire", "said:fire | text:ocbc"} {
		u.filters.search.SetText(expr)
		q := u.query()
		if q.Expr == nil {
			t.Fatalf("%s: not searched for: %q", expr, u.filters.problem.Text)
		}
		// What vidsift clips cuts: find's ranges, shaped by the engine.
		ok, ranges := query.MatchFile(q.Expr, res.Frames, f.Subtitles, query.Options{MinConfidence: q.MinConfidence})
		want := clips.Moments(ranges, times, res.Media.Duration, clips.DefaultOptions)
		if !ok || len(want) == 0 {
			t.Fatalf("%s holds nowhere in the video", expr)
		}
		inside, outside := -1, -1
		for pos, id := range u.Shown() {
			switch at := u.coll.Item(id).Time; {
			case query.Within(ranges, at) && inside < 0:
				inside = pos
			case at < want[0].Start && outside < 0:
				outside = pos
			}
		}
		if inside < 0 || outside < 0 {
			t.Fatalf("%s: no frame shown inside (%d) and outside (%d) %v", expr, inside, outside, want)
		}
		u.detail.open(inside)
		m, name, ok := u.detail.clipProposal()
		item := u.coll.Item(u.Shown()[inside])
		if !ok || !slices.Contains(want, m) || name != clips.Name(video, m, ".mkv") {
			t.Fatalf("%s: at %.2f s Save clip… proposes %v %q (%v); vidsift clips cuts %v", expr, item.Time, m, name, ok, want)
		}
		c, err := u.detail.saveClipTo(video, m, filepath.Join(t.TempDir(), name))
		if err != nil || c.CutStart > m.Start+0.001 {
			t.Fatalf("%s: save clip: %+v %v", expr, c, err)
		}
		if clip, err := media.Open(context.Background(), c.Output, media.Options{}); err != nil {
			t.Errorf("%s: the saved clip: %v", expr, err)
		} else {
			clip.Close()
		}
		u.detail.open(outside)
		at := u.coll.Item(u.Shown()[outside]).Time
		if m, _, ok := u.detail.clipProposal(); !ok || m.Start > at || m.End != want[0].End {
			t.Errorf("%s: at %.2f s, before the moment %v, Save clip… proposes %v (%v)", expr, at, want[0], m, ok)
		}
		u.detail.close()

		dir := t.TempDir()
		written, err := ExportClips(context.Background(), u.clipSources(true), u.clipsExpression(true), dir, func(clips.Outcome) {})
		var got, wantNames []string
		for _, c := range written {
			got = append(got, filepath.Base(c.Output))
		}
		for _, m := range want {
			wantNames = append(wantNames, clips.Name(video, m, ".mkv"))
		}
		if err != nil || !slices.Equal(got, wantNames) {
			t.Errorf("%s: Export → Clips cut %q (%v); vidsift clips cuts %q", expr, got, err, wantNames)
		}
	}
}
