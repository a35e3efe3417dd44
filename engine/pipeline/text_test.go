package pipeline

import (
	"context"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/vidsift/vidsift/engine/detect"
	"github.com/vidsift/vidsift/engine/ocr"
	"github.com/vidsift/vidsift/engine/query"
	"github.com/vidsift/vidsift/engine/scan"
	"github.com/vidsift/vidsift/internal/testenv"
)

var (
	textOnce   sync.Once
	textReader *ocr.Reader
	textErr    error
)

// sharedText loads the text models once for the test binary.
func sharedText(t testing.TB) *ocr.Reader {
	t.Helper()
	sharedModel(t) // ONNX Runtime
	dir := testenv.Shared(t, "models/ocr")
	textOnce.Do(func() {
		textReader, textErr = ocr.Load(dir, ocr.Options{Session: detect.Options{IntraOpThreads: 1}})
	})
	if textErr != nil {
		t.Fatal(textErr)
	}
	return textReader
}

func textConfig(t testing.TB) Config {
	cfg := testConfig(t, 2, 2)
	cfg.ReuseSimilar = true
	cfg.Sampling = scan.DefaultParams().Sampling
	cfg.Text = scan.DefaultParams().Text
	cfg.TextReader = sharedText(t)
	return cfg
}

// readWords is the folded text read in a file, all frames together.
func readWords(res scan.FileResult) string {
	var b strings.Builder
	for _, k := range res.Frames {
		for _, l := range k.Text {
			b.WriteString(l.Text + " ")
		}
	}
	return b.String()
}

// TestReadsText: a scan with text reads the words on screen (the plaque
// panned, the names of the lower thirds) with boxes in frame pixels; a
// frame that reuses another's detections repeats its text; boxes that look
// as they did are not read again; a scan without a reader reads none.
func TestReadsText(t *testing.T) {
	plaque := testenv.Fixture(t, "text/pan_blue_plaque.mp4")
	third := testenv.Fixture(t, "text/lower_third.mp4")
	cfg := textConfig(t)
	run := collect(context.Background(), cfg, []string{plaque, third}, nil)
	if run.err != nil {
		t.Fatal(run.err)
	}
	if cfg.bindModels(); cfg.Text.Models != sharedText(t).SHA256() || !cfg.Text.On {
		t.Fatalf("text settings bound as %+v", cfg.Text)
	}
	want := map[string][]string{plaque: {"Octavia", "Hill", "Reformer", "garden", "cottages"}, third: {"Maria", "Lopez", "Okafor", "Weather"}}
	for path, words := range want {
		res := run.files[path]
		if res.Status != scan.StatusOK || res.TextKey != cfg.Text.Key() {
			t.Fatalf("%s: %s %q, text key %q; want ok and %q", path, res.Status, res.Error, res.TextKey, cfg.Text.Key())
		}
		for _, w := range words {
			if !(query.Text{Words: w}).In(readWords(res)) {
				t.Errorf("%s: %q not read in %q", path, w, readWords(res))
			}
		}
		byIndex := map[int]scan.Frame{}
		for _, k := range res.Frames {
			byIndex[k.Index] = k
			for _, l := range k.Text {
				if b := l.Box; b[0] < 0 || b[1] < 0 || b[2] > float64(k.Width) || b[3] > float64(k.Height) || b[0] >= b[2] || b[1] >= b[3] {
					t.Errorf("%s frame %d: %q at %v, outside %d×%d", path, k.Index, l.Text, b, k.Width, k.Height)
				}
				if l.Confidence < cfg.Text.MinConfidence {
					t.Errorf("%s frame %d: %q read with %.2f", path, k.Index, l.Text, l.Confidence)
				}
			}
		}
		for _, k := range res.Frames {
			if k.Reused && !reflect.DeepEqual(k.Text, byIndex[k.SameAs].Text) {
				t.Errorf("%s frame %d reuses frame %d's detections, but its text %v differs from %v", path, k.Index, k.SameAs, k.Text, byIndex[k.SameAs].Text)
			}
		}
	}
	s := run.summary
	if s.TextFrames == 0 || s.TextFrames > s.Frames || s.TextRead == 0 || s.TextRead >= s.TextBoxes {
		t.Errorf("text read in %d of %d frames, %d of %d boxes; want some boxes left unread as seen", s.TextFrames, s.Frames, s.TextRead, s.TextBoxes)
	}
	t.Logf("%d frames, text read in %d; %d boxes, %d read", s.Frames, s.TextFrames, s.TextBoxes, s.TextRead)

	cfg.TextReader = nil
	off := collect(context.Background(), cfg, []string{third}, nil)
	if res := off.files[third]; res.TextKey != "" || readWords(res) != "" || off.summary.TextFrames != 0 {
		t.Errorf("without a text reader: key %q, text %q", res.TextKey, readWords(res))
	}
}

// holdingLibrary holds results as the library does: by path, whatever
// the settings, and takes text and subtitles given to them.
type holdingLibrary struct {
	mu       sync.Mutex
	held     map[string]scan.FileResult
	keptText map[string]string // path → the key KeepText was given
}

func (l *holdingLibrary) Reuse(path string) (scan.Known, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	res, ok := l.held[path]
	if !ok {
		return scan.Known{}, nil
	}
	res.Frames = append([]scan.Frame(nil), res.Frames...)
	return scan.Known{Found: true, Result: res}, nil
}

func (l *holdingLibrary) Keep(res scan.FileResult, _ map[int][]byte) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.held[res.Path] = res
	return nil
}

func (l *holdingLibrary) KeepSubtitles(path string, cues []scan.Cue) error { return nil }

func (l *holdingLibrary) KeepText(path, key string, text map[int][]scan.TextLine) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.keptText[path] = key
	res := l.held[path]
	res.Frames = append([]scan.Frame(nil), res.Frames...)
	for i, k := range res.Frames {
		res.Frames[i].Text = text[k.Index]
	}
	res.TextKey = key
	l.held[path] = res
	return nil
}

// TestTextOnly: a file the library holds without text gains it by a pass
// that runs no detector, and reads what a full scan with text reads; the
// text is kept with its key. A run without text replays it without.
func TestTextOnly(t *testing.T) {
	third := testenv.Fixture(t, "text/lower_third.mp4")
	cfg := textConfig(t)
	full := collect(context.Background(), cfg, []string{third}, nil).files[third]

	lib := &holdingLibrary{held: map[string]scan.FileResult{}, keptText: map[string]string{}}
	off := cfg
	off.Text.On, off.Library = false, lib
	first := collect(context.Background(), off, []string{third}, nil)
	if res := first.files[third]; res.TextKey != "" || first.summary.Inferences == 0 {
		t.Fatalf("scan without text: key %q, %d inferences", res.TextKey, first.summary.Inferences)
	}

	on := cfg
	on.Library = lib
	on.bindModels() // the key names the models, as the run reports it
	var replayed []scan.FrameAnalysed
	second := collect(context.Background(), on, []string{third}, func(ev scan.Event) {
		if e, ok := ev.(scan.FrameAnalysed); ok && e.FromLibrary {
			replayed = append(replayed, e)
		}
	})
	res := second.files[third]
	if second.summary.Inferences != 0 || second.summary.Skipped != 1 || second.summary.TextFrames == 0 {
		t.Errorf("text-only pass: %+v; want no inference, the file reused, text read", second.summary)
	}
	if res.TextKey != on.Text.Key() || lib.keptText[third] != on.Text.Key() {
		t.Errorf("text key %q, kept %q; want %q", res.TextKey, lib.keptText[third], on.Text.Key())
	}
	if len(res.Frames) != len(full.Frames) {
		t.Fatalf("%d frames after the text pass, %d in a full scan", len(res.Frames), len(full.Frames))
	}
	for i, k := range res.Frames {
		if !reflect.DeepEqual(k.Text, full.Frames[i].Text) {
			t.Errorf("frame %d: the text pass read %v, a full scan %v", k.Index, k.Text, full.Frames[i].Text)
		}
	}
	if len(replayed) != len(res.Frames) || readWords(res) == "" {
		t.Errorf("%d frames replayed of %d; text %q", len(replayed), len(res.Frames), readWords(res))
	}

	// The library now holds the text: a run with text reads nothing; one
	// without shows none.
	third2 := collect(context.Background(), on, []string{third}, nil)
	if third2.summary.TextFrames != 0 || readWords(third2.files[third]) != readWords(res) {
		t.Errorf("a third run read text again (%d frames)", third2.summary.TextFrames)
	}
	none := collect(context.Background(), off, []string{third}, nil)
	if r := none.files[third]; r.TextKey != "" || readWords(r) != "" {
		t.Errorf("a run without text replayed key %q, text %q", r.TextKey, readWords(r))
	}
	if lib.held[third].TextKey != on.Text.Key() {
		t.Error("a run without text made the library forget the text")
	}
}

// cancellingLibrary holds its files as holdingLibrary does, and cancels
// the run as soon as it is asked about one.
type cancellingLibrary struct {
	*holdingLibrary
	cancel context.CancelFunc
}

func (l cancellingLibrary) Reuse(path string) (scan.Known, error) {
	known, err := l.holdingLibrary.Reuse(path)
	l.cancel()
	return known, err
}

// TestTextOnlyCancelled: a file the library holds without text, whose run
// is cancelled before its text is read, counts once, as cancelled, and
// not as reused.
func TestTextOnlyCancelled(t *testing.T) {
	third := testenv.Fixture(t, "text/lower_third.mp4")
	cfg := textConfig(t)
	lib := &holdingLibrary{held: map[string]scan.FileResult{}, keptText: map[string]string{}}
	off := cfg
	off.Text.On, off.Library = false, lib
	if r := collect(context.Background(), off, []string{third}, nil); r.summary.OK != 1 {
		t.Fatalf("scan without text: %+v", r.summary)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	on := cfg
	on.Library = cancellingLibrary{lib, cancel}
	run := collect(ctx, on, []string{third}, nil)
	if s := run.summary; s.Files != 0 || s.Skipped != 0 || s.Cancelled != 1 {
		t.Errorf("cancelled before its text was read: %d finished, %d reused, %d cancelled; want 0, 0, 1", s.Files, s.Skipped, s.Cancelled)
	}
}
