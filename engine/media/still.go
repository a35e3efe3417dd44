package media

import (
	"context"
	"errors"
	"fmt"
	"image"
)

var errFound = errors.New("found")

// ReadKeyframe decodes keyframe number index of path again, upright, scaled
// to at most maxSide pixels on its long side (0 = full size). The detail
// view uses it to show a sharp frame without keeping full frames around.
func ReadKeyframe(ctx context.Context, path string, index, maxSide int, opts Options) (*image.RGBA, error) {
	f, err := Open(ctx, path, opts)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var img *image.RGBA
	_, err = f.Keyframes(ctx, func(k *Keyframe) error {
		if k.Index < index {
			return nil
		}
		w, h := fit(k.Width, k.Height, maxSide)
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
	if err == nil {
		err = fmt.Errorf("%s has no keyframe %d", path, index)
	}
	return nil, err
}

// fit scales w×h down so that its long side is at most limit (0: no limit).
func fit(w, h, limit int) (int, int) {
	if limit <= 0 || (w <= limit && h <= limit) {
		return w, h
	}
	if w >= h {
		return limit, max(1, (h*limit+w/2)/w)
	}
	return max(1, (w*limit+h/2)/h), limit
}
