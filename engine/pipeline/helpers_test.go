package pipeline

import (
	"context"
	"sync"
	"testing"

	"github.com/vidsift/vidsift/engine/detect"
	"github.com/vidsift/vidsift/engine/groundtruth"
	"github.com/vidsift/vidsift/engine/scan"
	"github.com/vidsift/vidsift/internal/testenv"
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
	return Config{Params: scan.Params{Confidence: 0.25, IoU: 0.7}, Detector: sharedModel(t), Workers: workers, Streams: streams}
}

type runResult struct {
	files     map[string]scan.FileResult
	order     []string // scan.FileFinished order
	summary   scan.Summary
	err       error
	analysed  []scan.FrameAnalysed
	started   scan.RunStarted
	eventKind []string
}

// collect runs the pipeline to the end; onEvent (optional) sees every event.
func collect(ctx context.Context, cfg Config, inputs []string, onEvent func(scan.Event)) runResult {
	res := runResult{files: map[string]scan.FileResult{}}
	for ev := range Run(ctx, cfg, inputs) {
		if onEvent != nil {
			onEvent(ev)
		}
		switch e := ev.(type) {
		case scan.RunStarted:
			res.started = e
			res.eventKind = append(res.eventKind, "run-started")
		case scan.FrameAnalysed:
			res.analysed = append(res.analysed, e)
		case scan.FileFinished:
			res.files[e.Result.Path] = e.Result
			res.order = append(res.order, e.Result.Path)
		case scan.RunFinished:
			res.summary, res.err = e.Summary, e.Err
			res.eventKind = append(res.eventKind, "run-finished")
		}
	}
	return res
}

// dets converts a file's keyframes for the ground-truth checks.
func dets(f scan.FileResult) []groundtruth.Frame {
	return groundtruth.Frames(f.Frames, func(k scan.Frame) bool { return (k.Kind == scan.KeyFrame) }, func(k scan.Frame) []scan.Detection { return k.Detections },
		func(d scan.Detection) groundtruth.Det {
			return groundtruth.Det{Class: d.Class, Confidence: float64(d.Confidence), Box: d.Box}
		})
}

// scanned converts a run's files for groundtruth.Differences.
func scanned(files map[string]scan.FileResult) []groundtruth.File {
	var out []groundtruth.File
	for _, f := range files {
		out = append(out, groundtruth.File{Path: f.Path, Status: string(f.Status), Frames: dets(f)})
	}
	return out
}
