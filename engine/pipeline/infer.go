package pipeline

import (
	"image"
	"time"

	"github.com/vidsift/vidsift/engine/detect"
	"github.com/vidsift/vidsift/engine/scan"
)

// inferJob is an analysed frame on its way to the model, or waiting for
// the detections of the frame it reuses.
type inferJob struct {
	file  *fileState
	frame scan.Frame
	slot  *detect.Buffers // nil for a reused frame
	thumb *image.RGBA     // the thumbnail, with ImageThumbs
	jpeg  []byte          // the thumbnail as JPEG
}

// inferred is how inference went for a frame others may reuse: ok false
// means it failed or was cancelled, and frames reusing it are dropped too.
type inferred struct {
	dets []scan.Detection
	ok   bool
}

// inferLoop is one stream: it runs the model on the frames of any file,
// and hands back each frame and its slot.
func (r *runner) inferLoop() {
	for job := range r.infer {
		if r.ctx.Err() != nil {
			r.slots <- job.slot
			r.sourceDone(job.file, job.frame.Index, nil, false)
			r.frameDone(job.file, nil)
			continue
		}
		r.busyStart()
		dets, err := r.cfg.Detector.Infer(job.slot, r.cfg.Confidence, r.cfg.IoU)
		r.busyEnd()
		r.slots <- job.slot
		if err != nil {
			job.file.mu.Lock()
			if job.file.err == nil {
				job.file.err = err
			}
			job.file.mu.Unlock()
			r.sourceDone(job.file, job.frame.Index, nil, false)
			r.frameDone(job.file, nil)
			continue
		}
		r.analysed(job, dets)
		r.sourceDone(job.file, job.frame.Index, dets, true)
	}
}

// busyStart and busyEnd time the inference calls in flight, for
// Summary.InferenceBusy.
func (r *runner) busyStart() {
	r.mu.Lock()
	if r.busy == 0 {
		r.busySince = time.Now()
	}
	r.busy++
	r.mu.Unlock()
}

func (r *runner) busyEnd() {
	r.mu.Lock()
	r.busy--
	if r.busy == 0 {
		r.sum.InferenceBusy += time.Since(r.busySince)
	}
	r.mu.Unlock()
}

// reuseDetections completes a reused frame with its source's detections,
// now if the model is done with the source, else when it is.
func (r *runner) reuseDetections(job inferJob) {
	fs := job.file
	fs.mu.Lock()
	src, done := fs.inferred[job.frame.SameAs]
	if !done {
		if fs.waiting == nil {
			fs.waiting = map[int][]inferJob{}
		}
		fs.waiting[job.frame.SameAs] = append(fs.waiting[job.frame.SameAs], job)
	}
	fs.mu.Unlock()
	switch {
	case done && src.ok:
		r.analysed(job, src.dets)
	case done:
		r.frameDone(fs, nil)
	}
}

// sourceDone records the detections of a frame the model ran on (ok false:
// it failed or was cancelled) and completes the frames waiting to reuse them.
func (r *runner) sourceDone(fs *fileState, index int, dets []scan.Detection, ok bool) {
	fs.mu.Lock()
	if fs.inferred == nil {
		fs.inferred = map[int]inferred{}
	}
	// Recorded even when it failed: a frame that reuses it later must not
	// wait for detections that will never come (its file would never finish).
	fs.inferred[index] = inferred{dets: dets, ok: ok}
	waiting := fs.waiting[index]
	delete(fs.waiting, index)
	fs.mu.Unlock()
	for _, job := range waiting {
		if ok {
			r.analysed(job, dets)
		} else {
			r.frameDone(fs, nil)
		}
	}
}

// analysed reports a frame with its detections and files it in its result.
func (r *runner) analysed(job inferJob, dets []scan.Detection) {
	job.frame.Detections = dets
	r.mu.Lock()
	if r.sum.FirstResult == 0 {
		r.sum.FirstResult = time.Since(r.start)
	}
	r.mu.Unlock()
	r.send(scan.FrameAnalysed{Path: job.file.path, Frame: job.frame, Thumbnail: job.thumb, JPEG: job.jpeg, Duration: job.file.duration})
	frame := job.frame
	if job.jpeg != nil {
		job.file.mu.Lock()
		if job.file.thumbs == nil {
			job.file.thumbs = map[int][]byte{}
		}
		job.file.thumbs[frame.Index] = job.jpeg
		job.file.mu.Unlock()
	}
	r.frameDone(job.file, &frame)
}
