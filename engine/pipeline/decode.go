package pipeline

import (
	"bytes"
	"image"
	"image/jpeg"

	"github.com/vidsift/vidsift/engine/detect"
	"github.com/vidsift/vidsift/engine/media"
	"github.com/vidsift/vidsift/engine/scan"
)

// scratch holds a decode worker's reusable RGB buffers.
type scratch struct{ model, thumb []byte }

// grow resizes b to n bytes, reallocating only when it is too small.
func grow(b []byte, n int) []byte {
	if cap(b) < n {
		return make([]byte, n)
	}
	return b[:n]
}

// decodeFile decodes one file on a decode worker and hands each frame it
// samples to analyse; the file finishes once decoding and all its frames are done.
func (r *runner) decodeFile(path string, buf *scratch) {
	fs := &fileState{path: path}
	r.send(scan.FileStarted{Path: path})
	f, err := media.Open(r.ctx, path, r.mediaOptions())
	if err != nil {
		r.decodeDone(fs, media.Outcome{}, err)
		return
	}
	defer f.Close()
	reuse := r.cfg.ReuseSimilar && !f.Info().Still
	fs.duration = f.Info().Duration

	out, err := f.Frames(r.ctx, func(k *media.Frame) error { return r.analyse(fs, k, buf, reuse) })
	fs.info = f.Info() // after decoding: a photo's orientation comes with its frame
	if err == nil && !fs.info.Still {
		fs.subtitles, fs.subtitlesRead = r.readSubtitles(path)
	}
	r.decodeDone(fs, out, err)
}

// mediaOptions are how the run's files are decoded: the same frames for
// the same Sampling.
func (r *runner) mediaOptions() media.Options {
	return media.Options{DecoderThreads: r.cfg.DecoderThreads, ThreadType: r.cfg.ThreadType,
		Timeout: r.cfg.FileTimeout, Sampling: r.cfg.Sampling, Log: r.cfg.FFmpegLog}
}

// analyse prepares one decoded frame: its model input, thumbnail, text
// and, when it looks like the last frame the model ran on, reuse of that
// frame's detections (and text) instead of an inference.
func (r *runner) analyse(fs *fileState, k *media.Frame, buf *scratch, reuse bool) error {
	lb, err := r.cfg.Detector.Letterbox(k.Width, k.Height, r.cfg.Rect)
	if err != nil {
		return err
	}
	buf.model = grow(buf.model, lb.ResizedW*lb.ResizedH*3)
	if err := k.RGB(lb.ResizedW, lb.ResizedH, buf.model); err != nil {
		return err
	}
	frame := scan.Frame{Index: k.Index, Time: k.Time, Kind: k.Kind, Width: k.Width, Height: k.Height}
	if reuse {
		lk := lookOf(buf.model, lb.ResizedW, lb.ResizedH)
		if fs.lastLook != nil && sameLook(fs.lastLook, lk) {
			frame.Reused, frame.SameAs = true, fs.lastInferred
		} else {
			fs.lastLook, fs.lastInferred = lk, k.Index
		}
	}
	if r.cfg.Text.On {
		if frame.Reused {
			frame.Text = fs.lastText
		} else {
			frame.Text = r.readText(fs, k, buf)
			fs.lastText = frame.Text
		}
	}
	var img *image.RGBA
	var jpg []byte
	if r.cfg.Thumbs != NoThumbs {
		thumb, err := r.thumbnail(k, buf)
		if err != nil {
			return err
		}
		jpg = encodeJPEG(thumb)
		if r.cfg.Thumbs == ImageThumbs {
			img = thumb
		}
	}
	fs.mu.Lock()
	fs.pending++
	fs.mu.Unlock()
	if frame.Reused {
		r.reuseDetections(inferJob{file: fs, frame: frame, thumb: img, jpeg: jpg})
		return nil
	}
	var slot *detect.Buffers
	select {
	case slot = <-r.slots:
	case <-r.ctx.Done():
		r.frameDone(fs, nil)
		return r.ctx.Err()
	}
	if err := slot.Prepare(lb, buf.model); err != nil {
		r.slots <- slot
		r.frameDone(fs, nil)
		return err
	}
	select {
	case r.infer <- inferJob{file: fs, frame: frame, slot: slot, thumb: img, jpeg: jpg}:
		return nil
	case <-r.ctx.Done():
		r.slots <- slot
		r.frameDone(fs, nil)
		return r.ctx.Err()
	}
}

// thumbnail is frame k at scan.ThumbSize on its long side.
func (r *runner) thumbnail(k *media.Frame, buf *scratch) (*image.RGBA, error) {
	tw, th := scan.Fit(k.Width, k.Height, scan.ThumbSize)
	buf.thumb = grow(buf.thumb, tw*th*3)
	if err := k.RGB(tw, th, buf.thumb); err != nil {
		return nil, err
	}
	img := image.NewRGBA(image.Rect(0, 0, tw, th))
	for i, j := 0, 0; i < len(buf.thumb); i, j = i+3, j+4 {
		img.Pix[j], img.Pix[j+1], img.Pix[j+2], img.Pix[j+3] = buf.thumb[i], buf.thumb[i+1], buf.thumb[i+2], 255
	}
	return img, nil
}

func encodeJPEG(img image.Image) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: scan.JPEGQuality}); err != nil {
		return nil
	}
	return b.Bytes()
}
