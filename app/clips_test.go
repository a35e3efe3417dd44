package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/vidsift/vidsift/engine/clips"
	"github.com/vidsift/vidsift/engine/media"
	"github.com/vidsift/vidsift/engine/query"
	"github.com/vidsift/vidsift/engine/store"
)

// TestClips: Save clip… cuts the moment of the frame shown (its name
// proposed in the dialog), and Export → Clips of a search writes the files
// vidsift clips writes for that expression.
func TestClips(t *testing.T) {
	withModel(t)
	u, loop := newTestUI(t)
	videos := shared(t, "testdata/videos")
	drop(u, videos)
	test.Tap(u.toolbar.start)
	loop.until(t, "the scan to finish", func() bool { f, _ := u.coll.FileCounts(); return f > 0 && !u.activity.Running() })
	u.filters.search.SetText("person")
	loop.until(t, "the search", func() bool { return u.query().Expr != nil && len(u.Shown()) > 0 })

	pos := -1 // a frame that shows a person
	for i, id := range u.Shown() {
		for _, d := range u.query().Shown(u.coll.Item(id)) {
			if d.Class == "person" && pos < 0 {
				pos = i
			}
		}
	}
	u.detail.open(pos)
	m, name, ok := u.detail.clipProposal()
	id, _ := u.detail.current()
	item := u.coll.Item(id)
	if !ok || m.Start > item.Time || m.End < item.Time || name != clips.Name(item.Path, m, filepath.Ext(item.Path)) {
		t.Fatalf("the proposal for %s at %.3f: %v %q %v", item.Path, item.Time, m, name, ok)
	}
	u.detail.saveClipDialog()
	u.detail.win.Resize(fyne.NewSize(1280, 760))
	artifact(t, "save-clip-dialog.png", u.detail.win)
	dst := filepath.Join(t.TempDir(), name)
	c, err := u.detail.saveClipTo(item.Path, m, dst)
	if err != nil || c.CutStart > m.Start+0.001 {
		t.Fatalf("save clip: %+v %v", c, err)
	}
	f, err := media.Open(context.Background(), c.Output, media.Options{})
	if err != nil {
		t.Fatalf("the saved clip: %v", err)
	}
	f.Close()

	// Export → Clips of the search, against what vidsift clips cuts for
	// "person": the library's matches, shaped by the same engine code.
	dir := t.TempDir()
	written, err := ExportClips(context.Background(), u.clipSources(true), u.clipsExpression(true), dir, func(clips.Outcome) {})
	if err != nil || len(written) == 0 {
		t.Fatalf("export clips: %d, %v", len(written), err)
	}
	var got []string
	for _, c := range written {
		got = append(got, filepath.Base(c.Output))
		if c.Expression != "person" {
			t.Errorf("%s: expression %q", c.Output, c.Expression)
		}
	}
	lib := u.library
	e, _ := query.Parse("person")
	matches, err := lib.Find(e, query.Options{}, store.Scope{})
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := lib.Latest(store.Scope{})
	byPath := map[string]store.Stored{}
	for _, st := range stored {
		byPath[st.Result.Path] = st
	}
	var want []string
	for _, m := range matches {
		st := byPath[m.Path]
		var times []float64
		for _, k := range st.Result.Frames {
			times = append(times, k.Time)
		}
		for _, mo := range clips.Moments(m.Ranges, times, st.Result.Media.Duration, clips.DefaultOptions) {
			want = append(want, clips.Name(m.Path, mo, filepath.Ext(m.Path)))
		}
	}
	sort.Strings(got)
	sort.Strings(want)
	if len(got) != len(want) || len(got) == 0 {
		t.Fatalf("the app cut %q; vidsift clips cuts %q", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("the app cut %q; vidsift clips cuts %q", got, want)
			break
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "clips.json")); err != nil {
		t.Errorf("no clips.json: %v", err)
	}
}

// TestClipsPhotos: photos have no moments: Export → Clips skips them (as
// photos, not failures) and writes nothing for them, and Save clip… on a
// photo says why it cuts nothing.
func TestClipsPhotos(t *testing.T) {
	withModel(t)
	u, loop := newTestUI(t)
	drop(u, shared(t, "testdata/photos"))
	test.Tap(u.toolbar.start)
	loop.until(t, "the scan to finish", func() bool { f, _ := u.coll.FileCounts(); return f > 0 && !u.activity.Running() })

	dir := t.TempDir()
	photos := 0
	written, err := ExportClips(context.Background(), u.clipSources(false), "", dir, func(o clips.Outcome) {
		if errors.Is(o.Err, clips.ErrPhoto) {
			photos++
		} else {
			t.Errorf("%s: %v", o.Source, o.Err)
		}
	})
	entries, _ := os.ReadDir(dir)
	if err != nil || len(written) != 0 || photos == 0 || len(entries) != 1 || entries[0].Name() != "clips.json" {
		t.Errorf("export clips of photos: %d written, %d photos skipped, %v; the folder holds %v", len(written), photos, err, entries)
	}

	u.detail.open(0)
	if !u.detail.saveClip.Disabled() {
		t.Error("Save clip… is offered on a photo")
	}
	u.detail.saveClipDialog()
	top := u.detail.win.Canvas().Overlays().Top()
	if said := strings.Join(textsIn(top), " "); !strings.Contains(said, "is a photo") {
		t.Errorf("Save clip… on a photo says %q", said)
	}
}

// textsIn are the texts of the labels in o and below it.
func textsIn(o fyne.CanvasObject) []string {
	var out []string
	switch v := o.(type) {
	case nil:
		return nil
	case *widget.Label:
		return []string{v.Text}
	case *fyne.Container:
		for _, c := range v.Objects {
			out = append(out, textsIn(c)...)
		}
		return out
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(v).Objects() {
			out = append(out, textsIn(c)...)
		}
	}
	return out
}

// TestExportClipsFinished: Export → Clips that runs to its end says what
// it wrote, not "Stopped", and the clips are readable by others as every
// other output is (0644 less the umask).
func TestExportClipsFinished(t *testing.T) {
	withModel(t)
	u, loop := newTestUI(t)
	drop(u, shared(t, "testdata/videos/plant_cup_realshort.mp4"))
	test.Tap(u.toolbar.start)
	loop.until(t, "the scan to finish", func() bool { f, _ := u.coll.FileCounts(); return f > 0 && !u.activity.Running() })

	dir := t.TempDir()
	u.exportClipsTo(dir, false)
	var said string
	loop.until(t, "the export's last word", func() bool {
		said = strings.Join(textsIn(u.win.Canvas().Overlays().Top()), " ")
		return strings.Contains(said, "written to")
	})
	if !strings.Contains(said, " written to "+dir) || strings.Contains(said, "Stopped") {
		t.Errorf("a finished export says %q", said)
	}
	artifactSizes(t, "export-clips-done", u.Window())
	umask := syscall.Umask(0)
	syscall.Umask(umask)
	clipsWritten, _ := filepath.Glob(filepath.Join(dir, "*.mp4"))
	if len(clipsWritten) == 0 {
		t.Fatalf("no clip in %s", dir)
	}
	for _, c := range clipsWritten {
		if fi, err := os.Stat(c); err != nil || fi.Mode().Perm() != 0o644&^os.FileMode(umask) {
			t.Errorf("%s: mode %v (%v), want %v", c, fi.Mode().Perm(), err, 0o644&^os.FileMode(umask))
		}
	}
}

// TestSaveClipNearby: searching for a person, on the room just before one
// walks in (at 3 s), Save clip… is offered and cuts from that frame
// through the person's visit; on a photo it is not offered
// (TestClipsPhotos).
func TestSaveClipNearby(t *testing.T) {
	withModel(t)
	u, loop := newTestUI(t)
	video := fixture(t, "small_person_walks_in.mp4")
	drop(u, video)
	test.Tap(u.toolbar.start)
	loop.until(t, "the scan to finish", func() bool { f, _ := u.coll.FileCounts(); return f > 0 && !u.activity.Running() })
	u.filters.search.SetText("person")
	loop.until(t, "the search", func() bool { return u.query().Expr != nil && len(u.Shown()) > 0 })

	before, firstPerson := -1, -1.0 // the last frame without the person; when it is first seen
	for _, id := range u.Shown() {
		it := u.coll.Item(id)
		for _, d := range u.query().Shown(it) {
			if d.Class == "person" && (firstPerson < 0 || it.Time < firstPerson) {
				firstPerson = it.Time
			}
		}
	}
	for i, id := range u.Shown() {
		if it := u.coll.Item(id); it.Time < firstPerson && (before < 0 || it.Time > u.coll.Item(u.Shown()[before]).Time) {
			before = i
		}
	}
	if before < 0 || firstPerson < 3 {
		t.Fatalf("want a frame before the person and the person after 3 s: %d, %.3f", before, firstPerson)
	}
	u.detail.open(before)
	defer u.detail.close()
	id, _ := u.detail.current()
	at := u.coll.Item(id).Time
	m, name, ok := u.detail.clipProposal()
	if !ok || u.detail.saveClip.Disabled() || m.Start > at || m.End < firstPerson {
		t.Fatalf("at %.3f (the person from %.3f): moment %+v %v, Save clip… disabled %v, said %q", at, firstPerson, m, ok, u.detail.saveClip.Disabled(), u.detail.clipSaid.Text)
	}
	if !strings.Contains(u.detail.clipSaid.Text, "Save clip… cuts it") {
		t.Errorf("the clip line says %q", u.detail.clipSaid.Text)
	}
	artifactSizes(t, "save-clip-nearby", u.detail.win)
	c, err := u.detail.saveClipTo(video, m, filepath.Join(t.TempDir(), name))
	if err != nil || c.CutEnd < firstPerson {
		t.Fatalf("the clip: %+v %v", c, err)
	}
}

// TestSaveClipNothingNear: in a video of an empty grey picture into which
// a person's photo comes at 10 s, searching for the person, the frames
// of the first seconds are out of reach of the moment: Save clip… is
// off there and says why.
func TestSaveClipNothingNear(t *testing.T) {
	withModel(t)
	video := filepath.Join(t.TempDir(), "grey_then_person.mp4")
	cmd := exec.Command("ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
		"-f", "lavfi", "-i", "color=c=gray:s=640x480:r=10:d=14",
		"-loop", "1", "-t", "14", "-i", shared(t, "testdata/photos/astronaut_person.png"),
		"-filter_complex", "[1:v]scale=-2:400[p];[0:v][p]overlay=x=100:y=40:enable='gte(t,10)'[v]",
		"-map", "[v]", "-c:v", "libx264", "-preset", "ultrafast", "-g", "20", "-pix_fmt", "yuv420p", video)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, b)
	}
	u, loop := newTestUI(t)
	drop(u, video)
	test.Tap(u.toolbar.start)
	loop.until(t, "the scan to finish", func() bool { f, _ := u.coll.FileCounts(); return f > 0 && !u.activity.Running() })
	u.filters.search.SetText("person")
	loop.until(t, "the search", func() bool { return u.query().Expr != nil && len(u.Shown()) > 0 })

	first := -1 // the frame at the start, nothing near it
	for pos, id := range u.Shown() {
		if u.coll.Item(id).Time == 0 {
			first = pos
		}
	}
	if first < 0 {
		t.Fatalf("no frame at 0 s among %d shown", len(u.Shown()))
	}
	u.detail.open(first)
	defer u.detail.close()
	if _, _, ok := u.detail.clipProposal(); ok || !u.detail.saveClip.Disabled() {
		t.Errorf("Save clip… is offered at 0 s, the person from 10 s (disabled %v)", u.detail.saveClip.Disabled())
	}
	want := "None: the search (person) does not hold within a few seconds of this frame."
	if u.detail.clipSaid.Text != want {
		t.Errorf("the clip line says %q, want %q", u.detail.clipSaid.Text, want)
	}
	u.detail.saveClipDialog()
	if said := strings.Join(textsIn(u.detail.win.Canvas().Overlays().Top()), " "); !strings.Contains(said, want) {
		t.Errorf("Save clip… at 0 s says %q", said)
	}
}

// artifactSizes writes w's picture at the sizes a person uses, from a
// small laptop to a large screen: NAME-WxH.png among the artifacts.
func artifactSizes(t *testing.T, name string, w fyne.Window) {
	t.Helper()
	for _, s := range []fyne.Size{{Width: 800, Height: 600}, {Width: 1280, Height: 800}, {Width: 2560, Height: 1440}} {
		w.Resize(s)
		artifact(t, fmt.Sprintf("%s-%.0fx%.0f.png", name, s.Width, s.Height), w)
	}
}

// TestSaveClipOtherContainer: a clip saved under a name whose container
// cannot hold the video's streams (VP9 in FLV) goes to Matroska beside
// it, and the empty file the save dialog created under the chosen name
// does not stay.
func TestSaveClipOtherContainer(t *testing.T) {
	withModel(t)
	u, loop := newTestUI(t)
	video := shared(t, "testdata/videos/dog_person_vp9.webm")
	drop(u, video)
	test.Tap(u.toolbar.start)
	loop.until(t, "the scan to finish", func() bool { f, _ := u.coll.FileCounts(); return f > 0 && !u.activity.Running() })
	u.detail.open(0)
	defer u.detail.close()
	m, _, ok := u.detail.clipProposal()
	if !ok {
		t.Fatal("no moment at the first frame")
	}
	dst := filepath.Join(t.TempDir(), "clip.flv")
	if err := os.WriteFile(dst, nil, 0o644); err != nil { // what the save dialog leaves
		t.Fatal(err)
	}
	c, err := u.detail.saveClipTo(video, m, dst)
	if err != nil || filepath.Ext(c.Output) != ".mkv" {
		t.Fatalf("the clip: %+v %v", c, err)
	}
	if _, err := os.Stat(dst); !os.IsNotExist(err) {
		t.Errorf("the empty %s stays (%v)", dst, err)
	}
}
