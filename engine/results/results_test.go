package results

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"testing"

	"github.com/vidsift/vidsift/engine/query"
	"github.com/vidsift/vidsift/engine/scan"
)

func det(class string, conf float32) scan.Detection {
	return scan.Detection{Class: class, Confidence: conf, Box: scan.Box{1, 1, 5, 5}}
}

func thumb(v uint8) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, 32, 18))
	for i := range img.Pix {
		img.Pix[i] = v
	}
	return img
}

// feed plays a small run: b.mp4 starts first, a.mp4's keyframes arrive
// out of order, c.jpg fails.
func feed(c *Collection) {
	evs := []scan.Event{
		scan.RunStarted{Files: 3},
		scan.FileStarted{Path: "/v/b.mp4"},
		scan.FileStarted{Path: "/v/a.mp4"},
		scan.FrameAnalysed{Path: "/v/b.mp4", Frame: scan.Frame{Index: 0, Time: 0, Detections: []scan.Detection{det("dog", 0.9)}}, Thumbnail: thumb(10)},
		scan.FrameAnalysed{Path: "/v/a.mp4", Frame: scan.Frame{Index: 1, Time: 2, Detections: []scan.Detection{det("person", 0.3)}}, Thumbnail: thumb(20)},
		scan.FrameAnalysed{Path: "/v/a.mp4", Frame: scan.Frame{Index: 0, Time: 0, Detections: nil}, Thumbnail: thumb(30)},
		scan.FrameAnalysed{Path: "/v/b.mp4", Frame: scan.Frame{Index: 1, Time: 2, Detections: []scan.Detection{det("dog", 0.5), det("person", 0.8)}}, Thumbnail: thumb(40)},
		scan.FileFinished{Result: scan.FileResult{Path: "/v/b.mp4", Status: scan.StatusOK}},
		scan.FileFinished{Result: scan.FileResult{Path: "/v/a.mp4", Status: scan.StatusPartial, Error: "truncated"}},
		scan.FileFinished{Result: scan.FileResult{Path: "/v/c.jpg", Status: scan.StatusFailed, Error: "empty file"}},
		scan.RunFinished{Summary: scan.Summary{Files: 3}},
	}
	for _, e := range evs {
		c.Add(e)
	}
}

func TestSelect(t *testing.T) {
	c := New(t.TempDir(), 1<<20)
	c.Reset(0.25)
	feed(c)
	cases := []struct {
		q    Query
		want string
	}{
		{Query{}, "[0 1 2 3]"},
		{Query{GroupByFile: true}, "[2 1 0 3]"}, // a.mp4 by index, then b.mp4
		{Query{Order: ByFile}, "[2 1 0 3]"},
		{Query{Order: ByConfidence}, "[0 3 1 2]"},                    // dog 0.9, person 0.8, person 0.3, nothing
		{Query{Order: ByConfidence, GroupByFile: true}, "[2 1 0 3]"}, // the contact sheet stays by file
		{Query{Order: ByConfidence, Classes: map[string]bool{"dog": true}}, "[0 3]"},
		{Query{Order: ByConfidence, Wanted: map[string]bool{"person": true}}, "[3 1]"}, // the confidence of what is shown: person 0.8, 0.3
		{Query{Classes: map[string]bool{"dog": true}}, "[0 3]"},
		{Query{MinConfidence: 0.6}, "[0 3]"},                                      // dog 0.9; person 0.8
		{Query{MinConfidence: 0.6, Classes: map[string]bool{"dog": true}}, "[0]"}, // only 0.9
		{Query{Name: "A.MP4"}, "[1 2]"},
		{Query{Name: "a.mp4", Classes: map[string]bool{"cat": true}}, "[]"},
		{Query{Wanted: map[string]bool{"dog": true}}, "[0 3]"},                                        // only dogs are reported
		{Query{Wanted: map[string]bool{"dog": true}, Classes: map[string]bool{"person": true}}, "[]"}, // nothing in both
	}
	for _, tc := range cases {
		if got := fmt.Sprint(c.Select(tc.q)); got != tc.want {
			t.Errorf("%+v: %s, want %s", tc.q, got, tc.want)
		}
	}
	// Items: 0 b@0 dog; 1 a@2 person 0.3; 2 a@0 nothing; 3 b@2 dog 0.5 + person 0.8.
	for _, tc := range []struct {
		expr     string
		together bool
		conf     float32
		want     string
	}{
		{"dog & person", false, 0, "[0 3]"},  // every frame of b.mp4
		{"dog & person", true, 0, "[3]"},     // only the frame with both
		{"person & !dog", false, 0, "[1 2]"}, // a.mp4
		{"person & !dog", true, 0, "[1]"},
		{"dog & person", false, 0.6, "[0 3]"}, // b.mp4: a dog ≥ 0.6 in frame 0, a person in frame 3
		{"dog & person", true, 0.6, "[]"},     // frame 3's dog is 0.5
		{"!dog", true, 0.6, "[1 2 3]"},
	} {
		e, err := query.Parse(tc.expr)
		if err != nil {
			t.Fatal(err)
		}
		q := Query{MinConfidence: tc.conf}.Where(e, tc.together)
		if got := fmt.Sprint(c.Select(q)); got != tc.want {
			t.Errorf("%s together=%v conf=%.1f: %s, want %s", tc.expr, tc.together, tc.conf, got, tc.want)
		}
	}
	// Boxes shown are those of the classes named positively.
	e, _ := query.Parse("dog & !cat")
	if shown := (Query{}.Where(e, false)).Shown(c.Item(3)); len(shown) != 1 || shown[0].Class != "dog" {
		t.Errorf("shown %v, want the dog only", shown)
	}
	counts := c.ClassCounts(Query{Classes: map[string]bool{"dog": true}})
	if counts["dog"] != 2 || counts["person"] != 2 {
		t.Errorf("counts %v", counts)
	}
	if counts := c.ClassCounts(Query{MinConfidence: 0.6}); counts["dog"] != 1 || counts["person"] != 1 {
		t.Errorf("counts at 0.6 %v", counts)
	}
	if counts := c.ClassCounts(Query{Wanted: map[string]bool{"dog": true}}); counts["dog"] != 2 || counts["person"] != 0 {
		t.Errorf("counts within reported classes %v", counts)
	}
}

func TestProblemsResultsSpans(t *testing.T) {
	c := New(t.TempDir(), 1<<20)
	c.Reset(0.25)
	feed(c)
	probs := c.Problems()
	if len(probs) != 2 || probs[0].Path != "/v/a.mp4" || probs[1].Error != "empty file" {
		t.Errorf("problems %+v", probs)
	}
	all := c.Results(nil)
	if len(all) != 3 || len(all[0].Frames) != 2 || all[1].Frames[0].Index != 0 {
		t.Errorf("results %+v", all)
	}
	dogs := c.Results(&Query{Classes: map[string]bool{"dog": true}})
	if len(dogs) != 1 || len(dogs[0].Frames) != 2 || len(dogs[0].Frames[1].Detections) != 1 {
		t.Errorf("filtered results %+v", dogs)
	}
	spans := c.Spans("/v/b.mp4", Query{})
	if fmt.Sprint(spans) != "[{dog 0 2 0.9} {person 2 2 0.8}]" {
		t.Errorf("spans %v", spans)
	}
	if done, known := c.FileCounts(); done != 3 || known != 3 {
		t.Errorf("files %d/%d", done, known)
	}
}

// TestThumbsSpill: past the memory budget thumbnails go to disk and still
// come back intact.
func TestThumbsSpill(t *testing.T) {
	c := New(t.TempDir(), 700) // room for one or two tiny JPEGs
	c.Reset(0.25)
	feed(c)
	mem, disk := c.thumbs.Stats()
	if mem > 700 || disk == 0 {
		t.Errorf("memory %d bytes, %d on disk", mem, disk)
	}
	for id, want := range []uint8{10, 20, 30, 40} {
		img, err := c.Thumbnail(id)
		if err != nil {
			t.Fatal(err)
		}
		r, _, _, _ := img.At(5, 5).RGBA()
		if got := color.GrayModel.Convert(img.At(5, 5)).(color.Gray).Y; got < want-3 || got > want+3 {
			t.Errorf("thumbnail %d: grey %d (r %d), want %d", id, got, r>>8, want)
		}
	}
	c.Reset(0.25)
	if c.Len() != 0 {
		t.Error("reset kept items")
	}
	if err := c.Close(); err != nil {
		t.Error(err)
	}
}

// TestThumbnailJPEGKeptAsIs: a keyframe that arrives with its thumbnail
// already compressed is kept as those bytes, not encoded a second time.
func TestThumbnailJPEGKeptAsIs(t *testing.T) {
	c := New(t.TempDir(), 1<<20)
	defer c.Close()
	c.Reset(0.25)
	var jpg bytes.Buffer
	if err := jpeg.Encode(&jpg, thumb(200), nil); err != nil {
		t.Fatal(err)
	}
	// The RGBA is dark and the JPEG light: which one comes back says which was kept.
	c.Add(scan.FrameAnalysed{Path: "/v/a.mp4", Frame: scan.Frame{}, Thumbnail: thumb(10), JPEG: jpg.Bytes()})
	img, err := c.Thumbnail(0)
	if err != nil {
		t.Fatal(err)
	}
	if got := color.GrayModel.Convert(img.At(5, 5)).(color.Gray).Y; got < 195 {
		t.Errorf("grey %d: the RGBA was encoded instead of keeping the JPEG", got)
	}
	if mem, _ := c.thumbs.Stats(); mem != jpg.Len() {
		t.Errorf("%d bytes kept for a %d-byte JPEG", mem, jpg.Len())
	}
}

// BenchmarkSelect10k: refiltering 10,000 keyframes, as the app does on
// every slider move and up to 20 times a second during a run.
func BenchmarkSelect10k(b *testing.B) {
	c := New(b.TempDir(), 0)
	c.Reset(0.25)
	classes := []string{"person", "car", "dog", "bicycle"}
	for i := 0; i < 10000; i++ {
		c.Add(scan.FrameAnalysed{Path: fmt.Sprintf("/v/%04d.mp4", i/20), Frame: scan.Frame{
			Index: i % 20, Time: float64(i % 20), Detections: []scan.Detection{det(classes[i%4], float32(i%70)/100+0.25), det("person", 0.5)},
		}})
	}
	q := Query{Classes: map[string]bool{"dog": true}, MinConfidence: 0.5, Name: "00"}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if len(c.Select(q)) == 0 {
			b.Fatal("nothing selected")
		}
		c.ClassCounts(q)
	}
}

// TestFrameKinds: whether a frame is a keyframe, a gap frame or a reused
// one survives the collection, in its items and in the results it exports.
func TestFrameKinds(t *testing.T) {
	c := New(t.TempDir(), 1<<20)
	defer c.Close()
	frames := []scan.Frame{
		{Index: 0, Time: 0, Kind: scan.KeyFrame, Detections: []scan.Detection{det("dog", 0.9)}},
		{Index: 1, Time: 2, Detections: []scan.Detection{det("dog", 0.8)}},
		{Index: 2, Time: 4, Reused: true, SameAs: 1, Detections: []scan.Detection{det("dog", 0.8)}},
	}
	for _, f := range frames {
		c.Add(scan.FrameAnalysed{Path: "/v/a.mp4", Frame: f})
	}
	c.Add(scan.FileFinished{Result: scan.FileResult{Path: "/v/a.mp4", Status: scan.StatusOK}})
	got := c.Results(nil)[0].Frames
	for i, f := range frames {
		if (got[i].Kind == scan.KeyFrame) != (f.Kind == scan.KeyFrame) || got[i].Reused != f.Reused || got[i].SameAs != f.SameAs {
			t.Errorf("frame %d: %+v, want key %v reused %v same as %d", i, got[i], (f.Kind == scan.KeyFrame), f.Reused, f.SameAs)
		}
		if it := c.Item(i); (it.Kind == scan.KeyFrame) != (f.Kind == scan.KeyFrame) || it.Reused != f.Reused {
			t.Errorf("item %d: %+v", i, it)
		}
	}
}

// TestScannedAgain: a file scanned again (a watch saw it change) shows
// its new frames only, and counts them once.
func TestScannedAgain(t *testing.T) {
	c := New(t.TempDir(), 1<<20)
	frame := func(i int, class string) scan.Event {
		return scan.FrameAnalysed{Path: "/v/a.mp4", Frame: scan.Frame{Index: i, Kind: scan.KeyFrame, Detections: []scan.Detection{{Class: class, Confidence: 0.9}}}}
	}
	for _, ev := range []scan.Event{scan.FileStarted{Path: "/v/a.mp4"}, frame(0, "dog"), frame(1, "dog"),
		scan.FileFinished{Result: scan.FileResult{Path: "/v/a.mp4", Status: scan.StatusOK}}} {
		c.Add(ev)
	}
	if n := len(c.Select(Query{})); n != 2 {
		t.Fatalf("%d frames shown after the first scan", n)
	}
	for _, ev := range []scan.Event{scan.FileStarted{Path: "/v/a.mp4"}, frame(0, "cat"),
		scan.FileFinished{Result: scan.FileResult{Path: "/v/a.mp4", Status: scan.StatusOK}}} {
		c.Add(ev)
	}
	ids := c.Select(Query{})
	if len(ids) != 1 || c.Item(ids[0]).Detections[0].Class != "cat" {
		t.Errorf("after the second scan: %d frames shown", len(ids))
	}
	if counts := c.ClassCounts(Query{}); counts["dog"] != 0 || counts["cat"] != 1 {
		t.Errorf("counts %v", counts)
	}
	if r := c.Results(nil); len(r) != 1 || len(r[0].Frames) != 1 {
		t.Errorf("results %+v", r)
	}
}
