package store

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/vidsift/vidsift/engine/query"
	"github.com/vidsift/vidsift/engine/scan"
)

// TestSubtitlesKept: a result's cues are stored as read (right-to-left,
// CJK, markup-free formula-like text, a long line) and read back with
// it; a result kept from before its subtitles were read says so, gains
// them by KeepSubtitles without its frames changing, and find's said:
// then finds it; a rescan replaces the cues, and the index forgets the
// old ones.
func TestSubtitlesKept(t *testing.T) {
	s, _ := openTemp(t)
	id := Identity{Path: "/v/a.mp4", Size: 100, ModTime: 7, Params: params("abc"), Revision: scan.ResultsRevision}
	cues := []scan.Cue{
		{Track: 2, Language: "eng", Start: 1, End: 2.5, Text: "Fire! Get out."},
		{Track: 2, Language: "eng", Start: 3, End: 4, Text: `=HYPERLINK("http://x", "click")`},
		{Track: 3, Language: "ara", Start: 1, End: 2, Text: "اخرج من هنا"},
		{Track: -1, Sidecar: "a.zh.srt", Language: "zh", Start: 5, End: 6, Text: "出口 在 左边"},
		{Track: 2, Language: "eng", Start: 7, End: 9, Text: strings.Repeat("long line ", 1000)},
	}
	before := sampleResult(id.Path) // as stored before subtitles were read
	if err := s.Save(id, before, nil); err != nil {
		t.Fatal(err)
	}
	st, ok, err := s.Lookup(id)
	if err != nil || !ok || st.Result.SubtitlesRead || len(st.Result.Subtitles) != 0 {
		t.Fatalf("before: found %v, read %v, %d cues, %v", ok, st.Result.SubtitlesRead, len(st.Result.Subtitles), err)
	}
	frames := st.Result.Frames
	find := func(expr string) []Match {
		t.Helper()
		e, err := query.Parse(expr)
		if err != nil {
			t.Fatal(err)
		}
		m, err := s.Find(e, query.Options{}, all)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	if m := find("said:fire"); len(m) != 0 {
		t.Errorf("said:fire before any cue: %+v", m)
	}

	if err := s.KeepSubtitles(id, cues); err != nil {
		t.Fatal(err)
	}
	st, ok, err = s.Lookup(id)
	if err != nil || !ok || !st.Result.SubtitlesRead || !reflect.DeepEqual(st.Result.Subtitles, cues) || !reflect.DeepEqual(st.Result.Frames, frames) {
		t.Fatalf("kept: read %v, cues %+v, frames kept %v, %v", st.Result.SubtitlesRead, st.Result.Subtitles, reflect.DeepEqual(st.Result.Frames, frames), err)
	}
	for expr, want := range map[string]string{
		"said:fire":           "[{1 2.5}]",
		`said:"get out"`:      "[{1 2.5}]",
		"said:hyperlink":      "[{3 4}]",
		"said:اخرج":           "[{1 2}]",
		"said:出口":             "[{5 6}]",
		`said:"line long"`:    "[{7 9}]",
		"said:campfire":       "",
		"said:fire & said:出口": "[{1 2.5} {5 6}]",
	} {
		got := ""
		if m := find(expr); len(m) == 1 {
			got = fmt.Sprint(m[0].Ranges)
		}
		if got != want {
			t.Errorf("%s: %q, want %q", expr, got, want)
		}
	}

	again := sampleResult(id.Path)
	again.SubtitlesRead, again.Subtitles = true, []scan.Cue{{Track: 2, Start: 0, End: 1, Text: "Water, please"}}
	if err := s.Save(id, again, nil); err != nil {
		t.Fatal(err)
	}
	if m := find("said:fire"); len(m) != 0 {
		t.Errorf("said:fire after a rescan said otherwise: %+v", m)
	}
	if m := find("said:water"); len(m) != 1 {
		t.Errorf("said:water after the rescan: %+v", m)
	}
	var indexed int
	if err := s.db.QueryRow(`SELECT COUNT(*) FROM cues_fts WHERE cues_fts MATCH 'fire'`).Scan(&indexed); err != nil || indexed != 0 {
		t.Errorf("the index still holds %d cues of the replaced result (%v)", indexed, err)
	}
}
