package pipeline

import (
	"errors"
	"fmt"

	"github.com/vidsift/vidsift/engine/media"
	"github.com/vidsift/vidsift/engine/scan"
)

// The text of a frame is read on the decode worker, while the frame is at
// hand, at up to twice the text detector's side: the detector sees the
// picture scaled down to its side, the recogniser crops the boxes from
// this sharper one. FFmpeg's scaler makes each size from the decoded
// frame (framePicture), the sharp one only where there are boxes.
const textScale = 2

// framePicture is a decoded frame as the text reader sees it.
type framePicture struct {
	k    *media.Frame
	w, h int // the sharp size
}

func (p framePicture) Size() (int, int)               { return p.w, p.h }
func (p framePicture) RGB(w, h int, dst []byte) error { return p.k.RGB(w, h, dst) }

// readText reads the text in frame k of fs (Config.TextReader), boxes in
// frame pixels. A box that looks as it did in the file's last frame read
// repeats what it said (ocr.Seen). A failure is the file's text error: its
// detections stand, its text is left unread.
func (r *runner) readText(fs *fileState, k *media.Frame, buf *scratch) []scan.TextLine {
	if fs.textErr != nil {
		return nil
	}
	w, h := scan.Fit(k.Width, k.Height, textScale*r.cfg.Text.DetectSide)
	lines, counts, err := r.cfg.TextReader.ReadPicture(framePicture{k: k, w: w, h: h}, &fs.seen)
	if err != nil {
		fs.textErr = err
		return nil
	}
	r.mu.Lock()
	r.sum.TextFrames++
	if counts.Cleared {
		r.sum.TextCleared++
	}
	r.sum.TextBoxes += counts.Boxes
	r.sum.TextRead += counts.Read
	r.mu.Unlock()
	sx, sy := float64(k.Width)/float64(w), float64(k.Height)/float64(h)
	out := make([]scan.TextLine, 0, len(lines))
	for _, l := range lines {
		if l.Confidence < r.cfg.Text.MinConfidence {
			continue
		}
		out = append(out, scan.TextLine{Text: l.Text, Confidence: l.Confidence,
			Box: scan.Box{l.Box[0] * sx, l.Box[1] * sy, l.Box[2] * sx, l.Box[3] * sy}})
	}
	return out
}

// lacks says whether a stored result lacks what this run reads: text
// with this run's text settings, or subtitles read by this engine's
// reader.
func (r *runner) lacks(res *scan.FileResult) bool {
	return r.cfg.Text.On && res.TextKey != r.cfg.Text.Key() || !res.SubtitlesRead && !res.Media.Still
}

// complete gives a file the library holds the text and subtitles it
// lacks, without running the detector, keeps them, and replays the file.
// What cannot be read is a notice: the file is replayed with what it has.
func (r *runner) complete(path string, known *scan.Known, buf *scratch) {
	res := &known.Result
	if key := r.cfg.Text.Key(); r.cfg.Text.On && res.TextKey != key {
		text, err := r.textOnly(path, res, buf)
		switch {
		case err != nil:
			if r.ctx.Err() != nil {
				r.cancelled(1)
				return
			}
			r.send(scan.Notice{Text: fmt.Sprintf("%s: text: %v", path, err)})
			res.DropText()
		default:
			res.TextKey = key
			if err := r.cfg.Library.KeepText(path, key, text); err != nil {
				r.send(scan.Notice{Text: fmt.Sprintf("%s: the library could not keep its text: %v", path, err)})
			}
		}
	}
	if !res.SubtitlesRead && !res.Media.Still {
		// Kept from before its subtitles were read: read them now and
		// keep them.
		if res.Subtitles, res.SubtitlesRead = r.readSubtitles(path); res.SubtitlesRead {
			if err := r.cfg.Library.KeepSubtitles(path, res.Subtitles); err != nil {
				r.send(scan.Notice{Text: fmt.Sprintf("%s: the library could not keep its subtitles: %v", path, err)})
			}
		}
	}
	r.replay(*res, known.Thumbs)
}

// errRead stops decoding once the last stored frame is read.
var errRead = errors.New("every frame read")

// textOnly reads the text of a stored result's frames: the file is
// decoded with the same sampling, which gives the same frames, and only
// the text reader runs on them. It fills res's frames and returns their
// text by frame index.
func (r *runner) textOnly(path string, res *scan.FileResult, buf *scratch) (map[int][]scan.TextLine, error) {
	at := make(map[int]int, len(res.Frames))
	last := -1
	for i, k := range res.Frames {
		at[k.Index] = i
		last = max(last, k.Index)
	}
	text := make(map[int][]scan.TextLine, len(res.Frames))
	if last < 0 {
		return text, nil
	}
	f, err := media.Open(r.ctx, path, r.mediaOptions())
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fs := &fileState{path: path}
	_, err = f.Frames(r.ctx, func(k *media.Frame) error {
		i, ok := at[k.Index]
		if !ok {
			return nil
		}
		frame := &res.Frames[i]
		if frame.Width != k.Width || frame.Height != k.Height || frame.Time != k.Time {
			return fmt.Errorf("frame %d decodes at %.3f s, %d×%d; the library has it at %.3f s, %d×%d",
				k.Index, k.Time, k.Width, k.Height, frame.Time, frame.Width, frame.Height)
		}
		if frame.Reused {
			frame.Text = text[frame.SameAs]
		} else if frame.Text = r.readText(fs, k, buf); fs.textErr != nil {
			return fs.textErr
		}
		text[k.Index] = frame.Text
		if k.Index == last {
			return errRead
		}
		return nil
	})
	if err != nil && !errors.Is(err, errRead) {
		return nil, err
	}
	if len(text) != len(res.Frames) {
		return nil, fmt.Errorf("%d of the %d frames the library holds were decoded again", len(text), len(res.Frames))
	}
	return text, nil
}
