package media

import (
	"context"
	"errors"
	"fmt"
	"image"

	"github.com/asticode/go-astiav"
	"github.com/vidsift/vidsift/engine/scan"
)

var errFound = errors.New("found")

// ReadFrameAt decodes the frame of path shown at time t (seconds, as a
// scan reports it: to the millisecond) again, upright, scaled to at most
// maxSide pixels on its long side (0 = full size). It seeks to the keyframe
// before t and decodes every reference frame from there, so it finds
// keyframes and gap frames alike, whatever sampling the scan used. The
// detail view uses it to show a sharp frame without keeping frames around.
func ReadFrameAt(ctx context.Context, path string, t float64, maxSide int, opts Options) (*image.RGBA, error) {
	img, err := readFrameAt(ctx, path, t, maxSide, opts, t > 0)
	if img == nil && t > 0 && ctx.Err() == nil {
		// Some containers seek somewhere unhelpful (a raw elementary
		// stream has no index): decode from the top instead.
		img, err = readFrameAt(ctx, path, t, maxSide, opts, false)
	}
	return img, err
}

func readFrameAt(ctx context.Context, path string, t float64, maxSide int, opts Options, seek bool) (*image.RGBA, error) {
	// The smallest gap analyses every frame a scan could have analysed.
	opts.Sampling = scan.Sampling{MaxGap: 1e-6}
	f, err := Open(ctx, path, opts)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if seek && !f.info.Still {
		f.seekBefore(t)
	}
	const tolerance = 0.0015 // times are rounded to the millisecond
	var img *image.RGBA
	_, err = f.Frames(ctx, func(k *Frame) error {
		switch {
		case k.Time < t-tolerance:
			return nil
		case k.Time > t+tolerance:
			return errPassed
		}
		w, h := scan.Fit(k.Width, k.Height, maxSide)
		rgb := make([]byte, w*h*3)
		if err := k.RGB(w, h, rgb); err != nil {
			return err
		}
		img = image.NewRGBA(image.Rect(0, 0, w, h))
		for i, j := 0, 0; i < len(rgb); i, j = i+3, j+4 {
			img.Pix[j], img.Pix[j+1], img.Pix[j+2], img.Pix[j+3] = rgb[i], rgb[i+1], rgb[i+2], 255
		}
		return errFound
	})
	if img != nil {
		return img, nil
	}
	switch {
	case err == nil || errors.Is(err, errPassed):
		err = fmt.Errorf("%s has no frame at %.3f s", path, t)
	case ctx.Err() == nil:
		err = fmt.Errorf("%s has no frame at %.3f s: %w", path, t, err)
	}
	return nil, err
}

var errPassed = errors.New("passed")

// seekBefore moves to the keyframe at or before t. Where the container
// cannot seek, decoding starts from the top.
func (m *File) seekBefore(t float64) {
	tb := m.stream.TimeBase()
	start := m.stream.StartTime()
	if start == astiav.NoPtsValue {
		start = 0
	}
	ts := start + int64(t/tb.Float64())
	if err := m.fc.SeekFrame(m.stream.Index(), ts, astiav.NewSeekFlags(astiav.SeekFlagBackward)); err != nil {
		m.fc.SeekFrame(m.stream.Index(), start, astiav.NewSeekFlags(astiav.SeekFlagBackward)) //nolint:errcheck // from the top, as opened
	}
}
