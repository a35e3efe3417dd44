package clips

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"syscall"
	"testing"

	"github.com/vidsift/vidsift/engine/query"
	"github.com/vidsift/vidsift/internal/testenv"
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

// interruptedSource is a copy of a shared clip with three moments.
func interruptedSource(t *testing.T) Source {
	t.Helper()
	raw, err := os.ReadFile(testenv.Shared(t, "testdata/videos/street_bikes_h264.mp4"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "street_bikes_h264.mp4")
	testenv.WriteFile(t, path, raw, 0o644)
	return Source{Path: path, Ranges: []query.Range{{Start: 1, End: 1}, {Start: 4, End: 4}, {Start: 8, End: 8}},
		FrameTimes: []float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, Duration: 10}
}

// clipFiles are the clips in dir, and the temporary files left there.
func clipFiles(t *testing.T, dir string) (clips, parts []string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		switch {
		case strings.HasSuffix(e.Name(), ".part"):
			parts = append(parts, e.Name())
		case e.Name() != "clips.json":
			clips = append(clips, filepath.Join(dir, e.Name()))
		}
	}
	return clips, parts
}

// listed are the outputs dir's clips.json lists, sorted.
func listed(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	for _, c := range testenv.ReadJSON[Manifest](t, filepath.Join(dir, "clips.json")).Clips {
		out = append(out, c.Output)
	}
	sort.Strings(out)
	return out
}

// cancelOnClip is a context cancelled once a clip file appears in dir:
// as an interrupt that comes after a cut completed but before Run looked.
type cancelOnClip struct {
	context.Context
	cancel context.CancelFunc
	dir    string
}

func (c cancelOnClip) Err() error {
	if entries, _ := os.ReadDir(c.dir); slices.ContainsFunc(entries, func(e os.DirEntry) bool {
		return strings.HasSuffix(e.Name(), ".mp4") && !strings.HasPrefix(e.Name(), ".")
	}) {
		c.cancel()
	}
	return c.Context.Err()
}

// TestRunInterrupted: interrupted, after its first clip's event or just
// after a cut completed, Run returns every clip it completed, and
// clips.json lists them all; nothing partial is left.
func TestRunInterrupted(t *testing.T) {
	src := interruptedSource(t)
	o := Options{Pad: 0, Merge: 0}

	dir := filepath.Join(t.TempDir(), "after-event")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	written, err := Run(ctx, []Source{src}, "person", dir, o, false, func(r Outcome) {
		if r.Err == nil {
			cancel()
		}
	})
	checkInterrupted(t, dir, written, err)

	dir = filepath.Join(t.TempDir(), "after-cut")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	inner, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	written, err = Run(cancelOnClip{inner, cancel2, dir}, []Source{src}, "person", dir, o, false, func(Outcome) {})
	checkInterrupted(t, dir, written, err)
}

func checkInterrupted(t *testing.T, dir string, written []Clip, err error) {
	t.Helper()
	if !errors.Is(err, context.Canceled) {
		t.Errorf("%s: %v, want interrupted", dir, err)
	}
	files, parts := clipFiles(t, dir)
	var outputs []string
	for _, c := range written {
		outputs = append(outputs, c.Output)
	}
	sort.Strings(outputs)
	if len(files) == 0 || len(files) == 3 || !slices.Equal(files, outputs) || !slices.Equal(files, listed(t, dir)) || len(parts) > 0 {
		t.Errorf("%s: clips %v, returned %v, clips.json lists %v, temporary files %v", dir, files, outputs, listed(t, dir), parts)
	}
}

// TestRunAgain: after a run killed before it wrote clips.json, and that
// left a temporary file, a run again removes the temporary file, skips
// the clips there, and clips.json lists them as the first run cut them.
func TestRunAgain(t *testing.T) {
	src := interruptedSource(t)
	o := Options{Pad: 0, Merge: 0}
	dir := filepath.Join(t.TempDir(), "clips")
	first, err := Run(context.Background(), []Source{src}, "person", dir, o, false, func(Outcome) {})
	if err != nil || len(first) != 3 {
		t.Fatalf("%d clips, %v", len(first), err)
	}
	// As kill -9 leaves it: no clips.json, a temporary file.
	if err := os.Remove(filepath.Join(dir, "clips.json")); err != nil {
		t.Fatal(err)
	}
	part := filepath.Join(dir, ".street_bikes_h264_9.000-10.000_12345678.12345.part")
	testenv.WriteFile(t, part, []byte("half a clip"), 0o644)
	keep := filepath.Join(dir, ".notes.part") // not ours
	testenv.WriteFile(t, keep, []byte("mine"), 0o644)
	dated := filepath.Join(dir, ".backup.20240101.part") // not ours either
	testenv.WriteFile(t, dated, []byte("mine"), 0o644)
	// Another run's cut, still writing: it holds its part's lock.
	writing := filepath.Join(dir, ".street_bikes_h264_1.000-2.000_12345678.999.part")
	testenv.WriteFile(t, writing, []byte("a clip on its way"), 0o644)
	held, err := os.Open(writing)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	if err := syscall.Flock(int(held.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}

	var skipped int
	again, err := Run(context.Background(), []Source{src}, "person", dir, o, false, func(r Outcome) {
		if errors.Is(r.Err, ErrExists) {
			skipped++
		}
	})
	if err != nil || len(again) != 0 || skipped != 3 {
		t.Errorf("again: %d written, %d skipped, %v", len(again), skipped, err)
	}
	if _, err := os.Stat(part); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the killed run's temporary file: %v", err)
	}
	for _, p := range []string{keep, dated, writing} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s, not a killed run's: %v", filepath.Base(p), err)
		}
	}
	got := testenv.ReadJSON[Manifest](t, filepath.Join(dir, "clips.json")).Clips
	if !reflect.DeepEqual(got, first) {
		t.Errorf("clips.json lists\n%+v\nthe first run cut\n%+v", got, first)
	}
}
