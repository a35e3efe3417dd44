package scan

import (
	"testing"
)

// TestParamsKey: the library matches stored results by this text, so it
// is pinned: the defaults' key is this literal, thresholds print as the
// user typed them (float32, not 0.699999988), and it reads back.
func TestParamsKey(t *testing.T) {
	p := DefaultParams()
	p.Model = Model{SHA256: "abc", InputW: 640, InputH: 640, Names: []string{"person"}}
	const want = `{"conf":0.25,"iou":0.7,"input_w":640,"input_h":640,"max_gap":2,"min_gap":0.5,"reuse_similar":true,"rect":true,"cuts":true}`
	if got := p.Key(); got != want {
		t.Errorf("key of the defaults\n got %s\nwant %s", got, want)
	}
	// A square scan without cut frames has the key libraries stored
	// before Rect and Cuts existed.
	square := p
	square.Rect, square.Sampling.Cuts = false, false
	if got, old := square.Key(), `{"conf":0.25,"iou":0.7,"input_w":640,"input_h":640,"max_gap":2,"min_gap":0.5,"reuse_similar":true}`; got != old {
		t.Errorf("key of a square scan\n got %s\nwant %s", got, old)
	}
	var back Params
	back.Model.SHA256 = "abc"
	if err := back.ParseKey(p.Key()); err != nil || !back.Equal(p) || back.Confidence != 0.25 || back.Sampling.MinGap != 0.5 || !back.Rect || !back.Sampling.Cuts {
		t.Errorf("read back: %+v %v", back, err)
	}
	for _, change := range []func(*Params){
		func(p *Params) { p.Model.SHA256 = "def" },
		func(p *Params) { p.Model.InputH = 384 },
		func(p *Params) { p.Confidence = 0.3 },
		func(p *Params) { p.IoU = 0.5 },
		func(p *Params) { p.Sampling.MaxGap = 1 },
		func(p *Params) { p.Sampling.MinGap = 0 },
		func(p *Params) { p.ReuseSimilar = false },
		func(p *Params) { p.Rect = false },
		func(p *Params) { p.Sampling.Cuts = false },
	} {
		q := p
		change(&q)
		if q.Equal(p) {
			t.Errorf("%+v counts as the same scan as %+v", q, p)
		}
	}
	if err := back.ParseKey("not json"); err == nil {
		t.Error("a key that is not one was read")
	}
}

func TestStreams(t *testing.T) {
	for _, c := range []struct{ threads, intraOp, want int }{{4, 1, 4}, {4, 2, 2}, {3, 2, 1}, {1, 4, 1}, {0, 0, 1}} {
		s := Settings{Threads: c.threads, IntraOpThreads: c.intraOp}
		if got := s.Streams(); got != c.want {
			t.Errorf("%d threads of %d: %d streams, want %d", c.threads, c.intraOp, got, c.want)
		}
	}
}

func TestSpans(t *testing.T) {
	det := func(class string, conf float32) Detection { return Detection{Class: class, Confidence: conf} }
	frames := []Frame{
		{Time: 0, Detections: []Detection{det("dog", 0.5), det("dog", 0.9)}},
		{Time: 2, Detections: []Detection{det("dog", 0.6), det("person", 0.4)}},
		{Time: 4},
		{Time: 6, Detections: []Detection{det("dog", 0.3)}},
	}
	got := Spans(frames)
	want := []Span{{"dog", 0, 2, 0.9}, {"person", 2, 2, 0.4}, {"dog", 6, 6, 0.3}}
	if len(got) != len(want) {
		t.Fatalf("spans %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("span %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	if only := Spans(Filter{Classes: map[string]bool{"person": true}}.Frames(frames)); len(only) != 1 || only[0].Class != "person" {
		t.Errorf("person only: %+v", only)
	}
}
