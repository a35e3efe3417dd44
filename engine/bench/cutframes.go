package bench

import (
	"context"
	"path/filepath"
	"runtime"

	"github.com/vidsift/vidsift/engine/detect"
	"github.com/vidsift/vidsift/engine/media"
	"github.com/vidsift/vidsift/engine/scan"
)

// CutFramesReport is what cut frames (Sampling.Cuts) cost: each clip
// scanned at the default policy with cuts off and on, the decoder's work
// from a decode-only pass of each, and the scans' wall time, the best of
// cutFrameRounds.
type CutFramesReport struct {
	Files []CutFramesFile `json:"files"`
	// Totals over the files, and the ratios on ÷ off (goal ≤ 1.25 for both).
	FramesOff   int     `json:"frames_off"`
	FramesOn    int     `json:"frames_on"`
	FramesRatio float64 `json:"frames_ratio"`
	WallOffSec  float64 `json:"wall_off_s"`
	WallOnSec   float64 `json:"wall_on_s"`
	WallRatio   float64 `json:"wall_ratio"`
}

// CutFramesFile is one clip's figures.
type CutFramesFile struct {
	Name       string  `json:"name"`
	FramesOff  int     `json:"frames_off"` // analysed with cuts off
	FramesOn   int     `json:"frames_on"`  // analysed with cuts on
	Cuts       int     `json:"cuts"`       // of which cut frames
	Candidates int     `json:"candidates"` // packets decoded to look for a cut
	DecodedOff int     `json:"decoded_off"`
	DecodedOn  int     `json:"decoded_on"` // frames the decoder produced
	WallOffSec float64 `json:"wall_off_s"`
	WallOnSec  float64 `json:"wall_on_s"`
}

const cutFrameRounds = 3

func (rep *Report) cutFrameCosts(ctx context.Context, o Options) error {
	m, err := detect.Load(o.Model, detect.Options{IntraOpThreads: 1})
	if err != nil {
		return err
	}
	defer m.Close()
	on := scan.DefaultParams().Sampling
	off := on
	off.Cuts = false
	cr := &CutFramesReport{}
	rep.CutFrames = cr
	cpu := runtime.NumCPU()
	for _, path := range o.Clips {
		f := CutFramesFile{Name: filepath.Base(path)}
		offOut, err := decodeOnly(ctx, path, off)
		if err != nil {
			return err
		}
		onOut, err := decodeOnly(ctx, path, on)
		if err != nil {
			return err
		}
		f.DecodedOff, f.DecodedOn, f.Candidates = offOut.Decoded, onOut.Decoded, onOut.CutCandidates
		o.Log("cut frames: %s, cuts off and on, best of %d", f.Name, cutFrameRounds)
		for round := 0; round < cutFrameRounds; round++ {
			for _, run := range []struct {
				s      scan.Sampling
				frames *int
				wall   *float64
			}{{off, &f.FramesOff, &f.WallOffSec}, {on, &f.FramesOn, &f.WallOnSec}} {
				r, err := scanOnce(ctx, m, []string{path}, run.s, true, cpu)
				if err != nil {
					return err
				}
				*run.frames = r.sum.Frames
				if run.s.Cuts {
					f.Cuts = r.sum.Cuts
				}
				if sec := r.sum.Elapsed.Seconds(); round == 0 || sec < *run.wall {
					*run.wall = sec
				}
			}
		}
		cr.Files = append(cr.Files, f)
		cr.FramesOff += f.FramesOff
		cr.FramesOn += f.FramesOn
		cr.WallOffSec += f.WallOffSec
		cr.WallOnSec += f.WallOnSec
	}
	if cr.FramesOff > 0 {
		cr.FramesRatio = float64(cr.FramesOn) / float64(cr.FramesOff)
	}
	if cr.WallOffSec > 0 {
		cr.WallRatio = cr.WallOnSec / cr.WallOffSec
	}
	return nil
}

// decodeOnly decodes path at a policy without inference.
func decodeOnly(ctx context.Context, path string, s scan.Sampling) (media.Outcome, error) {
	f, err := media.Open(ctx, path, media.Options{Sampling: s})
	if err != nil {
		return media.Outcome{}, err
	}
	defer f.Close()
	return f.Frames(ctx, func(*media.Frame) error { return nil })
}
