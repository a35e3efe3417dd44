package media

import (
	"fmt"

	"github.com/asticode/go-astiav"
)

// converter scales decoded frames to RGB24 with swscale. It keeps one scaler
// and one destination frame per output size (the pipeline asks for up to
// six: maxScalers), so steady state allocates nothing.
type converter struct {
	scalers map[scaleKey]*scaler
	rotBuf  []byte
	lookBuf []byte // cut detection's small picture
}

type scaleKey struct {
	srcW, srcH int
	srcFmt     astiav.PixelFormat
	dstW, dstH int
}

type scaler struct {
	ctx *astiav.SoftwareScaleContext
	dst *astiav.Frame
}

// maxScalers bounds the scalers kept per file: a frame is asked for up to
// six sizes (the cut look, the model's input, the thumbnail, and the text
// reader's probe, detection and sharp picture).
const maxScalers = 8

func (c *converter) get(k scaleKey) (*scaler, error) {
	if s, ok := c.scalers[k]; ok {
		return s, nil
	}
	if len(c.scalers) >= maxScalers {
		c.free() // sizes changed mid-stream; start over
	}
	ctx, err := astiav.CreateSoftwareScaleContext(k.srcW, k.srcH, k.srcFmt, k.dstW, k.dstH,
		astiav.PixelFormatRgb24, astiav.NewSoftwareScaleContextFlags(astiav.SoftwareScaleContextFlagBilinear))
	if err != nil {
		return nil, fmt.Errorf("scaler %dx%d %s → %dx%d: %w", k.srcW, k.srcH, k.srcFmt, k.dstW, k.dstH, err)
	}
	dst := astiav.AllocFrame()
	dst.SetWidth(k.dstW)
	dst.SetHeight(k.dstH)
	dst.SetPixelFormat(astiav.PixelFormatRgb24)
	if err := dst.AllocBuffer(0); err != nil {
		ctx.Free()
		dst.Free()
		return nil, fmt.Errorf("rgb frame: %w", err)
	}
	openObjects.Add(2)
	if c.scalers == nil {
		c.scalers = make(map[scaleKey]*scaler)
	}
	s := &scaler{ctx: ctx, dst: dst}
	c.scalers[k] = s
	return s, nil
}

func (c *converter) toRGB(src *astiav.Frame, rotation int, mirrored bool, w, h int, out []byte) error {
	sw, sh := w, h
	if rotation == 90 || rotation == 270 {
		sw, sh = h, w
	}
	s, err := c.get(scaleKey{src.Width(), src.Height(), src.PixelFormat(), sw, sh})
	if err != nil {
		return err
	}
	if err := s.ctx.ScaleFrame(src, s.dst); err != nil {
		return fmt.Errorf("scale: %w", err)
	}
	if rotation == 0 {
		if _, err = s.dst.ImageCopyToBuffer(out[:w*h*3], 1); err == nil && mirrored {
			mirrorRGB(out, w, h)
		}
		return err
	}
	n := sw * sh * 3
	if cap(c.rotBuf) < n {
		c.rotBuf = make([]byte, n)
	}
	buf := c.rotBuf[:n]
	if _, err := s.dst.ImageCopyToBuffer(buf, 1); err != nil {
		return err
	}
	rotateRGB(buf, sw, sh, rotation, out)
	if mirrored {
		mirrorRGB(out, w, h)
	}
	return nil
}

// mirrorRGB flips a packed RGB24 image of w×h left-right, in place.
func mirrorRGB(img []byte, w, h int) {
	for y := 0; y < h; y++ {
		row := img[y*w*3 : (y+1)*w*3]
		for l, r := 0, w-1; l < r; l, r = l+1, r-1 {
			row[l*3], row[r*3] = row[r*3], row[l*3]
			row[l*3+1], row[r*3+1] = row[r*3+1], row[l*3+1]
			row[l*3+2], row[r*3+2] = row[r*3+2], row[l*3+2]
		}
	}
}

// rotateRGB turns a packed RGB24 image of sw×sh clockwise by rotation degrees.
func rotateRGB(src []byte, sw, sh, rotation int, dst []byte) {
	dw := sw
	if rotation == 90 || rotation == 270 {
		dw = sh
	}
	for y := 0; y < sh; y++ {
		row := src[y*sw*3 : (y+1)*sw*3]
		for x := 0; x < sw; x++ {
			var dx, dy int
			switch rotation {
			case 90:
				dx, dy = sh-1-y, x
			case 180:
				dx, dy = sw-1-x, sh-1-y
			case 270:
				dx, dy = y, sw-1-x
			}
			o := (dy*dw + dx) * 3
			copy(dst[o:o+3], row[x*3:x*3+3])
		}
	}
}

func (c *converter) free() {
	for k, s := range c.scalers {
		s.ctx.Free()
		s.dst.Free()
		openObjects.Add(-2)
		delete(c.scalers, k)
	}
}
