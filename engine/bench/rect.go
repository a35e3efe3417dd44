package bench

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/vidsift/vidsift/engine/detect"
	"github.com/vidsift/vidsift/engine/media"
	"github.com/vidsift/vidsift/engine/pipeline"
	"github.com/vidsift/vidsift/engine/scan"
)

// Group is a set of files measured together (one PATH).
type Group struct {
	Name  string
	Files []string
}

// RectReport compares square and rectangular inference with one model of
// dynamic input size, on each group of files.
type RectReport struct {
	Model string    `json:"model"`
	Sets  []RectSet `json:"sets"`
}

// RectSet is one group's figures. The frames/s scans look at keyframes
// only with every one inferred (no reuse), as the end-to-end layout runs
// do, over the group repeated to at least rectFrames frames; workers =
// threads = NumCPU, no library. DefaultSquareSec and DefaultRectSec are
// the full defaults' wall times (gap frames, reuse on) over the group once.
type RectSet struct {
	Name      string   `json:"name"`
	Files     int      `json:"files"`
	Frames    int      `json:"frames"`
	Shapes    []string `json:"shapes"` // the rectangles the frames ran at
	SquareFPS float64  `json:"square_frames_per_s"`
	RectFPS   float64  `json:"rect_frames_per_s"`
	Speedup   float64  `json:"speedup"` // RectFPS ÷ SquareFPS
	// CeilingFPS is the inference ceiling for rectangular runs: frames ÷
	// the sum of each frame's inference time at its own shape, with one
	// stream per CPU (frames pre-decoded, best of two passes).
	CeilingFPS       float64 `json:"rect_ceiling_frames_per_s"`
	CeilingRatio     float64 `json:"rect_ceiling_ratio"` // RectFPS ÷ CeilingFPS (target ≥ 0.85)
	DefaultSquareSec float64 `json:"default_square_s"`
	DefaultRectSec   float64 `json:"default_rect_s"`
}

// rect measures every group with o.Model, which must be of dynamic input size.
func (rep *Report) rect(ctx context.Context, o Options) error {
	m, err := detect.Load(o.Model, detect.Options{IntraOpThreads: 1})
	if err != nil {
		return err
	}
	defer m.Close()
	if !m.Dynamic() {
		return fmt.Errorf("%s has a fixed input size: square and rectangular are the same for it (measure a `dynamic=True` export)", o.Model)
	}
	rep.Rect = &RectReport{Model: o.Model}
	cpu := runtime.NumCPU()
	for _, g := range o.Groups {
		frames, err := decodeRect(ctx, m, g.Files)
		if err != nil {
			return err
		}
		copies := (rectFrames + len(frames) - 1) / len(frames)
		files, cleanup, err := Repeat(g.Files, copies*len(g.Files))
		if err != nil {
			return err
		}
		once := frames
		for range copies - 1 {
			frames = append(frames, once...) // the ceiling over as many frames as the scans
		}
		set := RectSet{Name: g.Name, Files: len(files)}
		every := scan.Params{Confidence: scan.DefaultConfidence, IoU: scan.DefaultIoU} // keyframes only, no reuse
		for _, rect := range []bool{false, true} {
			p := every
			p.Rect = rect
			o.Log("rect: %s ×%d, %s", g.Name, copies, m.Shape(rect))
			sum, err := scanWith(ctx, m, files, p, cpu)
			if err != nil {
				cleanup()
				return err
			}
			set.Frames = sum.Frames
			fps := float64(sum.Frames) / sum.Elapsed.Seconds()
			d := scan.DefaultParams()
			d.Rect = rect
			def, err := scanWith(ctx, m, g.Files, d, cpu)
			if err != nil {
				cleanup()
				return err
			}
			if rect {
				set.RectFPS, set.DefaultRectSec = fps, def.Elapsed.Seconds()
			} else {
				set.SquareFPS, set.DefaultSquareSec = fps, def.Elapsed.Seconds()
			}
		}
		cleanup()
		set.Speedup = set.RectFPS / set.SquareFPS
		seen := map[string]bool{}
		for _, f := range frames {
			if s := fmt.Sprintf("%d×%d", f.lb.InputW, f.lb.InputH); !seen[s] {
				seen[s] = true
				set.Shapes = append(set.Shapes, s)
			}
		}
		for pass := 0; pass < 2; pass++ {
			c, err := rectCeiling(m, frames, cpu)
			if err != nil {
				return err
			}
			set.CeilingFPS = max(set.CeilingFPS, c)
		}
		set.CeilingRatio = set.RectFPS / set.CeilingFPS
		rep.Rect.Sets = append(rep.Rect.Sets, set)
	}
	return nil
}

// scanWith scans files as `vidsift scan` would with p, without a library.
func scanWith(ctx context.Context, m *detect.Model, files []string, p scan.Params, cpu int) (scan.Summary, error) {
	cfg := pipeline.NewConfig(m, nil, scan.Settings{Params: p, Workers: cpu, Threads: cpu, IntraOpThreads: 1})
	var sum scan.Summary
	for ev := range pipeline.Run(ctx, cfg, files) {
		if f, ok := ev.(scan.RunFinished); ok {
			if f.Err != nil {
				return sum, f.Err
			}
			sum = f.Summary
		}
	}
	if sum.Failed > 0 {
		return sum, fmt.Errorf("%d of the files failed", sum.Failed)
	}
	return sum, nil
}

// rectFrame is one pre-decoded frame: its letterbox and resized RGB.
type rectFrame struct {
	lb  detect.Letterbox
	rgb []byte
}

// rectFrames is how many frames each group's scans analyse at least.
const rectFrames = 60

// decodeRect decodes the keyframes of files, each resized for its own
// rectangle.
func decodeRect(ctx context.Context, m *detect.Model, files []string) ([]rectFrame, error) {
	var out []rectFrame
	for _, path := range files {
		f, err := media.Open(ctx, path, media.Options{})
		if err != nil {
			return nil, err
		}
		_, err = f.Frames(ctx, func(k *media.Frame) error {
			lb, err := m.Letterbox(k.Width, k.Height, true)
			if err != nil {
				return err
			}
			rgb := make([]byte, lb.ResizedW*lb.ResizedH*3)
			if err := k.RGB(lb.ResizedW, lb.ResizedH, rgb); err != nil {
				return err
			}
			out = append(out, rectFrame{lb: lb, rgb: rgb})
			return nil
		})
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Base(path), err)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no frames in %d files", len(files))
	}
	return out, nil
}

// rectCeiling runs every frame once at its own shape on streams
// goroutines, timing each inference alone (not the letterboxing), and
// returns frames ÷ (Σ inference time ÷ streams).
func rectCeiling(m *detect.Model, frames []rectFrame, streams int) (float64, error) {
	var mu sync.Mutex
	var next int
	var total time.Duration
	var firstErr error
	var wg sync.WaitGroup
	for g := 0; g < streams; g++ {
		b, err := m.NewBuffers()
		if err != nil {
			return 0, err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer b.Free()
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= len(frames) {
					return
				}
				if err := b.Prepare(frames[i].lb, frames[i].rgb); err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
					return
				}
				start := time.Now()
				_, err := m.Infer(b, scan.DefaultConfidence, scan.DefaultIoU)
				took := time.Since(start)
				mu.Lock()
				total += took
				if err != nil && firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return 0, firstErr
	}
	return float64(len(frames)) / (total.Seconds() / float64(streams)), nil
}
