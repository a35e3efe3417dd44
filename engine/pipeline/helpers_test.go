package pipeline

import (
	"context"
	"sync"
	"testing"

	"github.com/vidsift/vidsift/engine/detect"
	"github.com/vidsift/vidsift/engine/groundtruth"
	"github.com/vidsift/vidsift/engine/internal/testenv"
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
	analysed  []FrameAnalysed
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
		case FrameAnalysed:
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

// dets converts a file's keyframes for the ground-truth checks.
func dets(f FileResult) []groundtruth.Frame {
	return groundtruth.Frames(f.Frames, func(k Frame) bool { return k.Key }, func(k Frame) []detect.Detection { return k.Detections },
		func(d detect.Detection) groundtruth.Det {
			return groundtruth.Det{Class: d.Class, Confidence: float64(d.Confidence), Box: d.Box}
		})
}

// scanned converts a run's files for groundtruth.Differences.
func scanned(files map[string]FileResult) []groundtruth.File {
	var out []groundtruth.File
	for _, f := range files {
		out = append(out, groundtruth.File{Path: f.Path, Status: string(f.Status), Frames: dets(f)})
	}
	return out
}
