package pipeline

import (
	"github.com/vidsift/vidsift/engine/scan"
)

// fileJob is a decode worker's work: a file to scan, or one the library
// holds (known) to complete with the text or subtitles it lacks.
type fileJob struct {
	path  string
	known *scan.Known
}

// feed hands the workers the files the library cannot answer for, and
// those it holds that lack text or subtitles. A copy of a file this run
// is scanning (the same fingerprint) waits until the others are fed, and
// is then answered from the first copy's result (scanned only if that one
// failed).
func (r *runner) feed(files []string, jobs chan<- fileJob) {
	var copies []string
	var waits []<-chan struct{}
	send := func(j fileJob) bool {
		select {
		case jobs <- j:
			return true
		case <-r.ctx.Done():
			return false
		}
	}
	for i, p := range files {
		a, first, known := r.reuse(p, true)
		switch a {
		case answered:
			continue
		case copyOf:
			copies, waits = append(copies, p), append(waits, first)
			continue
		}
		if !send(fileJob{path: p, known: known}) {
			r.cancelled(len(files) - i + len(copies))
			return
		}
	}
	for i, p := range copies {
		select {
		case <-waits[i]:
		case <-r.ctx.Done():
			r.cancelled(len(copies) - i)
			return
		}
		a, _, known := r.reuse(p, false)
		if a == answered {
			continue
		}
		if !send(fileJob{path: p, known: known}) {
			r.cancelled(len(copies) - i)
			return
		}
	}
}

// answer is what the library made of a file before the run scans it.
type answer int

const (
	toScan     answer = iota
	answered          // reused from the library, or failed
	copyOf            // a copy of a file this run is scanning: ask again once it finishes
	toComplete        // held by the library without the text or subtitles this run reads
)

// reuse asks the library about a file: it replays a stored result, or
// fails the file when the library could not read it whole. With
// waitForCopies, a file of the same content as one this run scans is a
// copyOf it: the channel closes once that one finished. A stored result
// that lacks the text or subtitles this run reads is toComplete, with
// what the library knows.
func (r *runner) reuse(path string, waitForCopies bool) (answer, <-chan struct{}, *scan.Known) {
	if r.cfg.Library == nil || r.ctx.Err() != nil {
		return toScan, nil, nil
	}
	known, err := r.cfg.Library.Reuse(path)
	r.mu.Lock()
	if known.Read {
		r.sum.Fingerprinted++
	}
	fp := known.Fingerprint
	if err == nil && !known.Found && fp != "" {
		if first, scanning := r.content[fp]; scanning && waitForCopies {
			r.mu.Unlock()
			return copyOf, first, nil
		} else if !scanning {
			r.content[fp], r.printOf[path] = make(chan struct{}), fp
		}
	}
	r.fingerprints[path] = fp
	r.mu.Unlock()
	switch {
	case err != nil:
		r.finished(scan.FileResult{Path: path, Status: scan.StatusFailed, Error: err.Error()}, nil)
		return answered, nil, nil
	case !known.Found:
		return toScan, nil, nil
	}
	if !r.cfg.Text.On {
		known.Result.DropText() // a run that reads no text shows none; the library keeps it
	}
	if r.lacks(&known.Result) {
		return toComplete, nil, &known
	}
	r.replay(known.Result, known.Thumbs)
	return answered, nil, nil
}

// replay answers a file from the library's result for it, as Replay does,
// its FileFinished through fileFinished; it counts as skipped (reused).
func (r *runner) replay(res scan.FileResult, thumbs map[int][]byte) {
	r.mu.Lock()
	r.sum.Skipped++
	r.mu.Unlock()
	replayFrames(res, thumbs, r.send)
	r.fileFinished(replayed(res, thumbs, r.cfg.Params))
}

// Replay sends the events of a file the library holds, as a run that
// reuses it does: FileStarted, a FrameAnalysed for each frame with its
// JPEG thumbnail (thumbs, by frame index), and FileFinished, all
// FromLibrary. A front end that shows the library calls it too.
func Replay(res scan.FileResult, thumbs map[int][]byte, p scan.Params, send func(scan.Event)) {
	replayFrames(res, thumbs, send)
	send(replayed(res, thumbs, p))
}

// replayFrames sends the events of a file the library holds up to its
// FileFinished.
func replayFrames(res scan.FileResult, thumbs map[int][]byte, send func(scan.Event)) {
	send(scan.FileStarted{Path: res.Path})
	sendFrames(res, thumbs, true, send)
}

// replayed is the FileFinished of a file the library holds.
func replayed(res scan.FileResult, thumbs map[int][]byte, p scan.Params) scan.FileFinished {
	return scan.FileFinished{Result: res, Thumbs: thumbs, Params: p, FromLibrary: true}
}
