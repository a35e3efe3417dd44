package pipeline

import (
	"context"
	"encoding/json"
	"os"
	"sync"
	"testing"

	"github.com/vidsift/vidsift/engine/detect"
	"github.com/vidsift/vidsift/engine/testenv"
)

var (
	modelOnce sync.Once
	model     *detect.Model
	modelErr  error
)

// sharedModel loads the float32 YOLOv8n once for the whole test binary, as
// the app does: every test shares it.
func sharedModel(t testing.TB) *detect.Model {
	t.Helper()
	lib, path := testenv.Library(t), testenv.Model(t)
	modelOnce.Do(func() {
		if modelErr = detect.Init(lib); modelErr != nil {
			return
		}
		model, modelErr = detect.Load(path, detect.Options{IntraOpThreads: 1})
	})
	if modelErr != nil {
		t.Fatal(modelErr)
	}
	return model
}

func testConfig(t testing.TB, workers, streams int) Config {
	return Config{Model: sharedModel(t), Confidence: 0.25, IoU: 0.7, Workers: workers, Streams: streams, ThumbSize: -1}
}

type runResult struct {
	files     map[string]FileResult
	order     []string // FileFinished order
	summary   Summary
	err       error
	analysed  []KeyframeAnalysed
	started   RunStarted
	eventKind []string
}

// collect runs the pipeline to the end; onEvent (optional) sees every event.
func collect(ctx context.Context, cfg Config, inputs []string, onEvent func(Event)) runResult {
	res := runResult{files: map[string]FileResult{}}
	for ev := range Run(ctx, cfg, inputs) {
		if onEvent != nil {
			onEvent(ev)
		}
		switch e := ev.(type) {
		case RunStarted:
			res.started = e
			res.eventKind = append(res.eventKind, "run-started")
		case KeyframeAnalysed:
			res.analysed = append(res.analysed, e)
		case FileFinished:
			res.files[e.Result.Path] = e.Result
			res.order = append(res.order, e.Result.Path)
		case RunFinished:
			res.summary, res.err = e.Summary, e.Err
			res.eventKind = append(res.eventKind, "run-finished")
		}
	}
	return res
}

// expectation is one entry of ground_truth.json or testdata/fixtures.json.
type expectation struct {
	Status    string               `json:"status"`
	Keyframes *int                 `json:"keyframes"`
	Width     int                  `json:"width"`
	Height    int                  `json:"height"`
	Codec     string               `json:"codec"`
	Expect    map[string][2]int    `json:"expect"`
	Present   []string             `json:"present"`
	Either    [][]string           `json:"either"`
	Absent    []string             `json:"absent"`
	Boxes     [][2]json.RawMessage `json:"boxes"`
	Times     []float64            `json:"times"`
	Error     string               `json:"error"`
}

func loadExpectations(t testing.TB, path string) map[string]expectation {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(raw, &all); err != nil {
		t.Fatal(err)
	}
	out := map[string]expectation{}
	for k, v := range all {
		if k[0] == '_' {
			continue
		}
		var e expectation
		if err := json.Unmarshal(v, &e); err != nil {
			t.Fatalf("%s: %s: %v", path, k, err)
		}
		out[k] = e
	}
	return out
}

// box reads one ["class", [x1,y1,x2,y2]] entry.
func (e expectation) box(t testing.TB, i int) (string, detect.Box) {
	var cls string
	var b detect.Box
	if err := json.Unmarshal(e.Boxes[i][0], &cls); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(e.Boxes[i][1], &b); err != nil {
		t.Fatal(err)
	}
	return cls, b
}
