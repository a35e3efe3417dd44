package app

import (
	"fmt"
	"reflect"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/vidsift/vidsift/engine/query"
	"github.com/vidsift/vidsift/engine/store"
	"github.com/vidsift/vidsift/internal/testenv"
)

// TestSearchIsFind: the search bar answers as `vidsift find` does (the
// library's Find): for three expressions with a minimum duration, one of
// them per frame (Same frame), it selects the same files with the same
// ranges, the grid shows frames of those files only, and the minimum
// duration changes the answer.
func TestSearchIsFind(t *testing.T) {
	withModel(t)
	u, loop := newTestUI(t)
	drop(u, testenv.GroundTruthMedia(t)...)
	test.Tap(u.toolbar.start)
	loop.until(t, "the run to finish", func() bool { return u.coll.Summary().Files > 0 && !u.activity.Running() })

	for _, c := range []struct {
		expr     string
		minDur   string
		together bool
	}{
		{"person", "2", false},
		{"car | bus", "1", false},
		{"person & !bicycle", "3", true},
	} {
		name := fmt.Sprintf("%s ≥%ss together=%v", c.expr, c.minDur, c.together)
		u.filters.same.SetChecked(c.together)
		u.filters.search.SetText(c.expr)
		u.filters.minDur.SetText(c.minDur)
		q := u.query()
		if q.Expr == nil || q.MinDuration == 0 {
			t.Fatalf("%s: the search did not apply (%q)", name, u.filters.problem.Text)
		}
		got := u.coll.Matches(q)
		want := map[string][]query.Range{}
		matches, err := u.library.Find(q.Expr, query.Options{MinDuration: q.MinDuration, Together: c.together}, store.Scope{})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range matches {
			want[m.Path] = m.Ranges
		}
		if len(want) == 0 || !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n search %v\n   find %v", name, got, want)
		}
		for _, id := range u.Shown() {
			it := u.coll.Item(id)
			if _, ok := want[it.Path]; !ok || c.together && !query.Within(want[it.Path], it.Time) {
				t.Errorf("%s: the grid shows %s at %.1f s", name, it.Path, it.Time)
			}
		}
		u.filters.minDur.SetText("")
		if all := u.coll.Matches(u.query()); reflect.DeepEqual(all, got) {
			t.Errorf("%s: the minimum duration changed nothing (%v)", name, all)
		}
	}
}

// TestSearchSaid: the search takes said: as find does, on the cues a scan
// read, and on the cues of files the library answered for.
func TestSearchSaid(t *testing.T) {
	withModel(t)
	u, loop := newTestUI(t)
	video := fixture(t, "subtitles/tracks.mkv")
	drop(u, video)
	test.Tap(u.toolbar.start)
	loop.until(t, "the run to finish", func() bool { return u.coll.Summary().Files == 1 && !u.activity.Running() })
	frames := len(u.Shown())
	u.filters.search.SetText("text:exit")
	if u.query().Expr == nil || len(u.Shown()) != 0 { // searched, as find does: this file shows no text
		t.Errorf("text:exit: %q, %d frames shown", u.filters.problem.Text, len(u.Shown()))
	}
	for expr, want := range map[string]int{`said:"hello world"`: frames, "said:cafe & !said:goodbye": frames, "said:goodbye": 0} {
		u.filters.search.SetText(expr)
		if q := u.query(); q.Expr == nil {
			t.Fatalf("%s: the search did not apply (%q)", expr, u.filters.problem.Text)
		}
		if got := len(u.Shown()); got != want || frames == 0 {
			t.Errorf("%s: %d of %d frames shown, want %d", expr, got, frames, want)
		}
		lib, err := u.library.Find(u.query().Expr, query.Options{}, store.Scope{})
		if err != nil || (len(lib) > 0) != (want > 0) {
			t.Errorf("%s: find says %v (%v)", expr, lib, err)
		}
	}
}
