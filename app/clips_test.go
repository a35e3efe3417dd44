package app

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
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
	if _, _, ok := u.detail.clipProposal(); !ok {
		t.Fatal("no detection on the first photo to propose a clip for")
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
