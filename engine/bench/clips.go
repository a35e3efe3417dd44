package bench

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/vidsift/vidsift/engine/media"
)

// ClipsReport compares cutting by stream copy (media.Cut) with the
// ffmpeg CLI doing the same (`ffmpeg -ss S -to E -i SRC -c copy`), on
// the middle third of each clip; each time is the best of clipRounds.
type ClipsReport struct {
	Cuts      []ClipCut `json:"cuts"`
	VidsiftMs float64   `json:"vidsift_total_ms"`
	FFmpegMs  float64   `json:"ffmpeg_total_ms"`
	Ratio     float64   `json:"ratio"` // VidsiftMs ÷ FFmpegMs (goal ≤ 1)
}

// ClipCut is one clip's stretch and both times.
type ClipCut struct {
	Name       string  `json:"name"`
	Start, End float64 `json:"-"`
	Span       string  `json:"span"`
	VidsiftMs  float64 `json:"vidsift_ms"`
	FFmpegMs   float64 `json:"ffmpeg_ms"`
}

const clipRounds = 5

func (rep *Report) clipCosts(ctx context.Context, o Options) error {
	ffmpeg, err := exec.LookPath("ffmpeg")
	if err != nil {
		return fmt.Errorf("the ffmpeg CLI is needed to compare with: %w", err)
	}
	dir, err := os.MkdirTemp("", "vidsift-bench-clips-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	cr := &ClipsReport{}
	rep.Cutting = cr
	for _, src := range o.Clips {
		f, err := media.Open(ctx, src, media.Options{})
		if err != nil {
			return err
		}
		d := f.Info().Duration
		f.Close()
		if d <= 0 {
			continue // a photo
		}
		c := ClipCut{Name: filepath.Base(src), Start: d / 3, End: 2 * d / 3}
		c.Span = fmt.Sprintf("%.3f–%.3f s", c.Start, c.End)
		dst := filepath.Join(dir, "vidsift"+filepath.Ext(src))
		ref := filepath.Join(dir, "ffmpeg"+filepath.Ext(src))
		for i := 0; i < clipRounds; i++ {
			os.Remove(dst)
			start := time.Now()
			if _, err := media.Cut(ctx, src, dst, c.Start, c.End); err != nil {
				return fmt.Errorf("%s: %w", src, err)
			}
			ms := float64(time.Since(start).Microseconds()) / 1000
			if i == 0 || ms < c.VidsiftMs {
				c.VidsiftMs = ms
			}
			start = time.Now()
			cmd := exec.CommandContext(ctx, ffmpeg, "-v", "error", "-y", "-ss", fmt.Sprintf("%.3f", c.Start), "-to", fmt.Sprintf("%.3f", c.End),
				"-i", src, "-map", "0:v:0", "-map", "0:a?", "-c", "copy", ref)
			if out, err := cmd.CombinedOutput(); err != nil {
				return fmt.Errorf("ffmpeg on %s: %v: %s", src, err, out)
			}
			ms = float64(time.Since(start).Microseconds()) / 1000
			if i == 0 || ms < c.FFmpegMs {
				c.FFmpegMs = ms
			}
		}
		o.Log("clips: %s %s: vidsift %.1f ms, ffmpeg %.1f ms", c.Name, c.Span, c.VidsiftMs, c.FFmpegMs)
		cr.Cuts = append(cr.Cuts, c)
		cr.VidsiftMs += c.VidsiftMs
		cr.FFmpegMs += c.FFmpegMs
	}
	if cr.FFmpegMs > 0 {
		cr.Ratio = cr.VidsiftMs / cr.FFmpegMs
	}
	return nil
}
