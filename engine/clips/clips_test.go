package clips

import (
	"reflect"
	"strings"
	"testing"

	"github.com/vidsift/vidsift/engine/query"
)

func TestMoments(t *testing.T) {
	frames := []float64{0, 2, 4, 6, 8, 10, 20, 30}
	for _, c := range []struct {
		name   string
		ranges []query.Range
		dur    float64
		want   []Moment
	}{
		{"extended to the next frame, padded", []query.Range{{Start: 4, End: 6}}, 40, []Moment{{3, 9}}},
		{"at 0 and at the end: clipped", []query.Range{{Start: 0, End: 0}, {Start: 30, End: 30}}, 30.5, []Moment{{0, 3}, {29, 30.5}}},
		{"closer than the merge gap: joined", []query.Range{{Start: 2, End: 2}, {Start: 7, End: 7}}, 40, []Moment{{1, 9}}},
		{"exactly the merge gap apart: kept apart", []query.Range{{Start: 2, End: 2}, {Start: 8, End: 8}}, 40, []Moment{{1, 5}, {7, 11}}},
		{"apart: kept apart", []query.Range{{Start: 2, End: 2}, {Start: 20, End: 20}}, 40, []Moment{{1, 5}, {19, 31}}},
		{"unknown duration", []query.Range{{Start: 30, End: 30}}, 0, []Moment{{29, 31}}},
		{"at the last analysed frame: on to the end", []query.Range{{Start: 20, End: 30}}, 35, []Moment{{19, 35}}},
	} {
		if got := Moments(c.ranges, frames, c.dur, Options{Pad: 1, Merge: 2}); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

func TestName(t *testing.T) {
	a := Name("/videos/a/walk.mp4", Moment{12, 20}, ".mp4")
	b := Name("/videos/b/walk.mp4", Moment{12, 20}, ".mp4")
	if !strings.HasPrefix(a, "walk_12.000-20.000_") || !strings.HasSuffix(a, ".mp4") || a == b {
		t.Errorf("names %q and %q", a, b)
	}
	hostile := Name("/v/../x/new\nline:'quote' \xff.mkv", Moment{0, 1.5}, ".mkv")
	if strings.ContainsAny(hostile, "/\n:'\xff ") {
		t.Errorf("hostile name %q", hostile)
	}
}
