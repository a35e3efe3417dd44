package media

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/vidsift/vidsift/engine/scan"
	"github.com/vidsift/vidsift/internal/testenv"
)

// stretches returns the longest stretch of f's video without an analysed
// frame, the one up to its end included.
func longestStretch(frames []Frame, end float64) float64 {
	longest, last := 0.0, 0.0
	for _, fr := range frames {
		longest = max(longest, fr.Time-last)
		last = fr.Time
	}
	return max(longest, end-last)
}

// TestMaxGapGuarantee: on the shared clips and the long-GOP fixtures, no
// stretch of video, the one to the end included, is longer than the gap
// plus one frame interval; keyframes all stay; and keyframes 2.002 s apart
// at 30 fps need no gap frame for a 2 s gap.
func TestMaxGapGuarantee(t *testing.T) {
	videos, err := filepath.Glob(filepath.Join(testenv.Shared(t, "testdata/videos"), "*"))
	if err != nil {
		t.Fatal(err)
	}
	videos = append(videos, testenv.Fixture(t, "static_10s_gop.mp4"), testenv.Fixture(t, "one_keyframe_person.mkv"))
	for _, p := range videos {
		keyOnly, err := keyframeTimes(t, p)
		if err != nil {
			t.Fatal(err)
		}
		for _, gap := range []float64{2, 0.5} {
			info, out, frames, _, err := decodeAll(t, p, Options{Sampling: scan.Sampling{MaxGap: gap}})
			if err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			interval := 1 / info.FPS
			end := info.Duration
			if got := longestStretch(frames, end); got > gap+interval+1e-3 {
				t.Errorf("%s, gap %.1f s: a stretch of %.3f s without an analysed frame", filepath.Base(p), gap, got)
			}
			if out.Keyframes != len(keyOnly) || out.Frames != len(frames) {
				t.Errorf("%s, gap %.1f s: %d keyframes of %d frames; keyframes only gives %d", filepath.Base(p), gap, out.Keyframes, out.Frames, len(keyOnly))
			}
			if filepath.Base(p) == "dog_person_vp9.webm" && gap == 2 && len(frames) != len(keyOnly) {
				t.Errorf("keyframes 2.002 s apart got %d gap frames", len(frames)-len(keyOnly))
			}
		}
	}
	checkAllFreed(t)
}

func keyframeTimes(t *testing.T, p string) ([]float64, error) {
	_, _, frames, _, err := decodeAll(t, p, Options{})
	var times []float64
	for _, f := range frames {
		times = append(times, f.Time)
	}
	return times, err
}

// TestMinGap: all-intra 10 fps MJPEG costs at most 2 analysed frames per
// second plus the first, and a min gap of 0 keeps every keyframe.
func TestMinGap(t *testing.T) {
	p := testenv.Fixture(t, "mjpeg_10fps.avi")
	info, out, frames, _, err := decodeAll(t, p, Options{Sampling: scan.Sampling{MaxGap: 2, MinGap: 0.5}})
	if err != nil {
		t.Fatal(err)
	}
	if limit := int(2*info.Duration) + 1; len(frames) > limit || out.Keyframes != len(frames) {
		t.Errorf("%d frames (%d keyframes) for %.1f s, want at most %d", len(frames), out.Keyframes, info.Duration, limit)
	}
	for i := 1; i < len(frames); i++ {
		if d := frames[i].Time - frames[i-1].Time; d < 0.5-1e-6 {
			t.Errorf("keyframes %.3f s apart at %.3f s", d, frames[i].Time)
		}
	}
	_, _, all, _, err := decodeAll(t, p, Options{Sampling: scan.Sampling{MaxGap: 2}})
	if err != nil || len(all) < 95 {
		t.Errorf("min gap 0 analysed %d frames of 100 (%v)", len(all), err)
	}
}

// TestCancelMidGOP: cancelling while gap-frame packets wait in the buffer
// and the decoder is in the middle of a group of pictures frees everything.
func TestCancelMidGOP(t *testing.T) {
	p := testenv.Fixture(t, "static_10s_gop.mp4")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f, err := Open(ctx, p, Options{Sampling: scan.Sampling{MaxGap: 2}})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	_, err = f.Frames(ctx, func(fr *Frame) error {
		if n++; n == 3 { // a gap frame, 4 s into a 10 s GOP
			if fr.Kind == scan.KeyFrame {
				t.Errorf("frame 3 at %.1f s is a keyframe", fr.Time)
			}
			cancel()
		}
		return nil
	})
	f.Close()
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err %v, want context.Canceled", err)
	}
	checkAllFreed(t)
}
