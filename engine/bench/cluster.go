package bench

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"time"

	"github.com/vidsift/vidsift/engine/cluster"
	"github.com/vidsift/vidsift/engine/detect"
	"github.com/vidsift/vidsift/engine/pipeline"
	"github.com/vidsift/vidsift/engine/scan"
)

// ClusterReport is what scanning through a hub costs and how it scales,
// on loopback: a hub in the bench's process and `vidsift worker` processes.
type ClusterReport struct {
	Files int `json:"files"`
	// InferenceScaling is the inference-only speedup of two streams of one
	// thread over one (pre-decoded keyframes): the most two workers can get.
	InferenceScaling float64 `json:"inference_scaling"`
	OneWorkerSec     float64 `json:"one_worker_s"`
	TwoWorkersSec    float64 `json:"two_workers_s"`
	// Scaling is OneWorkerSec ÷ TwoWorkersSec; ScalingRatio is Scaling ÷
	// InferenceScaling (target ≥ 0.9).
	Scaling      float64 `json:"scaling"`
	ScalingRatio float64 `json:"scaling_ratio"`
	// QueueOverheadMs is, per file, the time from the job's publish to its
	// result's arrival less the worker's scan time, one file in flight at
	// a time; ScanMs is the mean scan time and OverheadFraction the ratio
	// of the means (target ≤ 0.01).
	OverheadFiles    int     `json:"overhead_files"`
	QueueOverheadMs  float64 `json:"queue_overhead_ms"`
	ScanMs           float64 `json:"scan_ms"`
	OverheadFraction float64 `json:"overhead_fraction"`
}

// clusterFiles is how many files the scaling runs scan.
const clusterFiles = 30

// cluster measures the cluster on the clips: 2 workers × 1 thread against
// 1 × 1, and the queue's overhead per file.
func (rep *Report) cluster(ctx context.Context, o Options) error {
	c := &ClusterReport{Files: clusterFiles}
	o.Log("cluster: inference-only scaling, 2 streams over 1")
	p, err := prepare(ctx, o)
	if err != nil {
		return err
	}
	one, two := Layout{Goroutines: 1, IntraOp: 1, Session: "default"}, Layout{Goroutines: 2, IntraOp: 1, Session: "default"}
	for round := 0; round < 2; round++ { // best of two, as for the ceiling
		for _, l := range []*Layout{&one, &two} {
			m := *l
			if err := measureLayout(o.Model, p, &m); err != nil {
				return err
			}
			l.KeyframesSec = max(l.KeyframesSec, m.KeyframesSec)
		}
	}
	c.InferenceScaling = two.KeyframesSec / one.KeyframesSec

	store, err := os.MkdirTemp("", "vidsift-bench-hub-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(store)
	hub, err := cluster.StartHub(cluster.HubOptions{Listen: "127.0.0.1:0", StoreDir: store})
	if err != nil {
		return err
	}
	defer hub.Shutdown()
	nc, err := cluster.Connect(hub.URL(), cluster.Auth{}, "vidsift bench")
	if err != nil {
		return err
	}
	defer nc.Close()
	model, err := detect.Load(o.Model, detect.Options{IntraOpThreads: 1})
	if err != nil {
		return err
	}
	defer model.Close()
	sub := cluster.NewSubmitter(nc, cluster.Queue{})
	scanFiles := func(files []string) (time.Duration, error) {
		cfg := pipeline.NewConfig(model, nil, scan.Settings{Params: scan.Params{Confidence: scan.DefaultConfidence, IoU: scan.DefaultIoU}, Workers: 1, Threads: 1})
		cfg.Remote = sub
		var sum scan.RunFinished
		for ev := range pipeline.Run(ctx, cfg, files) {
			if f, ok := ev.(scan.RunFinished); ok {
				sum = f
			}
		}
		if sum.Err != nil {
			return 0, sum.Err
		}
		if sum.Summary.Failed > 0 {
			return 0, fmt.Errorf("%d of the cluster benchmark files failed", sum.Summary.Failed)
		}
		return sum.Summary.Elapsed, nil
	}
	files, cleanup, err := Repeat(o.Clips, clusterFiles)
	if err != nil {
		return err
	}
	defer cleanup()

	for i, name := range []string{"bench-w1", "bench-w2"} {
		stop, err := startWorker(o, hub.URL(), name)
		if err != nil {
			return err
		}
		defer stop()
		// Warm up: every worker fetches and loads the model before the clock runs.
		if _, err := scanFiles(files[:4]); err != nil {
			return err
		}
		o.Log("cluster: %d worker(s) × 1 thread, %d files", i+1, len(files))
		el, err := scanFiles(files)
		if err != nil {
			return err
		}
		if i == 0 {
			c.OneWorkerSec = el.Seconds()
			// The queue's overhead: one file in flight at a time, so no
			// file waits for a busy worker.
			o.Log("cluster: queue overhead, one file at a time on one worker")
			before := len(sub.Timings())
			for round := 0; round < 3; round++ {
				for _, clip := range o.Clips {
					if _, err := scanFiles([]string{clip}); err != nil {
						return err
					}
				}
			}
			var over, busy time.Duration
			ts := sub.Timings()[before:]
			for _, t := range ts {
				over += t.RoundTrip - t.Scan
				busy += t.Scan
			}
			c.OverheadFiles = len(ts)
			c.QueueOverheadMs = float64(over.Milliseconds()) / float64(len(ts))
			c.ScanMs = float64(busy.Milliseconds()) / float64(len(ts))
			c.OverheadFraction = over.Seconds() / busy.Seconds()
		} else {
			c.TwoWorkersSec = el.Seconds()
		}
	}
	c.Scaling = c.OneWorkerSec / c.TwoWorkersSec
	c.ScalingRatio = c.Scaling / c.InferenceScaling
	rep.Cluster = c
	return nil
}

// startWorker starts `vidsift worker` with one file at a time and one
// inference thread, and a model cache of its own.
func startWorker(o Options, url, name string) (stop func(), err error) {
	cache, err := os.MkdirTemp("", "vidsift-bench-cache-")
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(o.Self, "worker", "--nats", url, "--name", name, "--workers", "1", "--threads", "1",
		"--onnxruntime-library", o.RuntimeLibrary)
	cmd.Env = append(os.Environ(), "XDG_CACHE_HOME="+cache)
	if err := cmd.Start(); err != nil {
		os.RemoveAll(cache)
		return nil, err
	}
	return func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
		os.RemoveAll(cache)
	}, nil
}
