package pipeline

import (
	"errors"
	"fmt"
	"sort"
	"sync"

	"github.com/vidsift/vidsift/engine/media"
	"github.com/vidsift/vidsift/engine/ocr"
	"github.com/vidsift/vidsift/engine/scan"
)

// fileState gathers one file's frames as inference finishes them.
type fileState struct {
	path      string
	duration  float64 // seconds, known once opened
	info      scan.MediaInfo
	mu        sync.Mutex
	frames    []scan.Frame
	pending   int  // frames handed to inference (or waiting to reuse detections) and not back yet
	decoded   bool // decoding finished (successfully or not)
	outcome   media.Outcome
	err       error
	finished  bool
	cancelled bool
	thumbs    map[int][]byte // JPEG thumbnails for the library
	// The subtitles, read by the decode worker once the frames are.
	subtitles     []scan.Cue
	subtitlesRead bool

	// Near-duplicate reuse. The decode worker alone touches lastLook and
	// lastInferred; inferred and waiting are guarded by mu.
	lastLook     *look
	lastInferred int
	// Text, touched by the decode worker alone: what was seen in the last
	// frame read (its boxes, for ocr), its lines (for the frames that
	// reuse it), and the first failure, after which none is read.
	seen     ocr.Seen
	lastText []scan.TextLine
	textErr  error
	inferred map[int]inferred   // frames the model ran on (or failed on), by index
	waiting  map[int][]inferJob // reused frames waiting for their source's detections
}

// frameDone takes back a frame handed to inference (nil: dropped) and
// finishes the file if it was the last and decoding is over.
func (r *runner) frameDone(fs *fileState, frame *scan.Frame) {
	fs.mu.Lock()
	if frame != nil {
		fs.frames = append(fs.frames, *frame)
	}
	fs.pending--
	ready := fs.decoded && fs.pending == 0 && !fs.finished
	if ready {
		fs.finished = true
	}
	fs.mu.Unlock()
	if ready {
		r.finish(fs)
	}
}

// decodeDone records how decoding ended and finishes the file if no frame
// is still out.
func (r *runner) decodeDone(fs *fileState, out media.Outcome, err error) {
	fs.mu.Lock()
	fs.decoded = true
	fs.outcome = out
	if err != nil && fs.err == nil {
		fs.err = err
	}
	if r.ctx.Err() != nil && err != nil && errors.Is(err, r.ctx.Err()) {
		fs.cancelled = true
	}
	ready := fs.pending == 0 && !fs.finished
	if ready {
		fs.finished = true
	}
	fs.mu.Unlock()
	if ready {
		r.finish(fs)
	}
}

// finish reports a file whose decode and inference are both complete.
func (r *runner) finish(fs *fileState) {
	if fs.cancelled || r.ctx.Err() != nil && fs.err == nil && len(fs.frames) < fs.outcome.Frames {
		r.mu.Lock()
		r.sum.Cancelled++
		r.mu.Unlock()
		return
	}
	sort.Slice(fs.frames, func(i, j int) bool { return fs.frames[i].Index < fs.frames[j].Index })
	res := scan.FileResult{Path: fs.path, Media: fs.info, Frames: fs.frames, Status: scan.StatusOK,
		Subtitles: fs.subtitles, SubtitlesRead: fs.subtitlesRead, TextKey: r.cfg.Text.Key()}
	if fs.textErr != nil {
		// Its detections stand; its text is read again next time.
		r.send(scan.Notice{Text: fmt.Sprintf("%s: text: %v", fs.path, fs.textErr)})
		res.DropText()
	}
	switch {
	case fs.err != nil:
		res.Status, res.Error = scan.StatusFailed, fs.err.Error()
		res.Frames, res.Subtitles, res.SubtitlesRead, res.TextKey = nil, nil, false, ""
	case fs.outcome.Damage != "":
		res.Status, res.Error = scan.StatusPartial, fs.outcome.Damage
	}
	r.finished(res, fs.thumbs)
}

// finished is the one way a file this run scanned (here or on a Remote)
// ends: the library keeps it, its copies waiting in feed may ask the
// library, and fileFinished counts it and sends it with its thumbnails.
func (r *runner) finished(res scan.FileResult, thumbs map[int][]byte) {
	var libErr error
	if r.cfg.Library != nil {
		if libErr = r.cfg.Library.Keep(res, thumbs); libErr != nil {
			r.mu.Lock()
			r.sum.LibraryErrors++
			r.mu.Unlock()
		}
	}
	r.mu.Lock()
	if fp, ok := r.printOf[res.Path]; ok {
		delete(r.printOf, res.Path)
		close(r.content[fp]) // its copies may ask the library now
	}
	r.mu.Unlock()
	r.fileFinished(scan.FileFinished{Result: res, Thumbs: thumbs, Params: r.cfg.Params, LibraryErr: libErr})
}

// fileFinished is the one place a run sends FileFinished, after counting
// the file in the summary. Three paths lead here:
//   - finished: a file this run scanned, here or on a Remote (or failed
//     because the library could not read it whole), once the library kept it;
//   - replay (from reuse): a file the library answered for, FromLibrary;
//   - run: a path named explicitly that discovery failed, which the
//     library never sees.
//
// It always arrives, even after cancellation: a consumer draining after
// cancel must see every result that was completed.
func (r *runner) fileFinished(e scan.FileFinished) {
	r.mu.Lock()
	r.sum.Add(e.Result, e.FromLibrary)
	r.mu.Unlock()
	r.events <- e
}

// sendFrames sends a finished file's frames, each with its JPEG.
func sendFrames(res scan.FileResult, thumbs map[int][]byte, fromLibrary bool, send func(scan.Event)) {
	for _, k := range res.Frames {
		send(scan.FrameAnalysed{Path: res.Path, Frame: k, JPEG: thumbs[k.Index], Duration: res.Media.Duration, FromLibrary: fromLibrary})
	}
}
