// Package pipeline is the bulk engine: it discovers media in the inputs,
// decodes frames (keyframes, gap frames and cut frames) on several workers, runs one shared model on them and
// streams typed events. Data flows one way: files → frames → detections → events.
package pipeline

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/vidsift/vidsift/engine/detect"
	"github.com/vidsift/vidsift/engine/media"
	"github.com/vidsift/vidsift/engine/scan"
)

// Config drives one run.
type Config struct {
	// Params are what the scan finds. Run takes Params.Model from
	// Detector, so the identity it reports is the model's own.
	scan.Params
	Detector *detect.Model // shared by every stream; loaded once by the caller
	// Workers is how many files are decoded at once.
	Workers int
	// Streams is how many goroutines call the model concurrently. Each Run
	// uses the intra-op threads the model was loaded with (Settings.Streams).
	Streams        int
	DecoderThreads int
	ThreadType     string
	FileTimeout    time.Duration
	// FFmpegLog receives FFmpeg's messages about the files (nil: dropped;
	// a damaged file's result says what FFmpeg reported either way).
	FFmpegLog *slog.Logger
	// Thumbs says which thumbnails the run makes.
	Thumbs Thumbs
	// Library, when set, replays files it already holds with the same
	// identity instead of scanning them, and keeps every file this run finishes.
	Library Library
	// Remote, when set, scans the files on other machines; Detector is then
	// the model they must use, but it does not run here.
	Remote Remote
}

// Thumbs says which thumbnails a run makes (scan.ThumbSize on the long side).
type Thumbs int

const (
	// NoThumbs makes none: the fastest, for a scan whose thumbnails nobody keeps.
	NoThumbs Thumbs = iota
	// JPEGThumbs makes a JPEG of each frame: in its FrameAnalysed event,
	// and all of a file's in its FileFinished (what the library keeps).
	JPEGThumbs
	// ImageThumbs adds the decoded image to FrameAnalysed, for a consumer
	// that draws on it without decoding the JPEG again.
	ImageThumbs
)

// NewConfig is the configuration a scan with settings s runs with on
// this machine, with det as its model; the caller adds thumbnails, the
// library and a Remote.
func NewConfig(det *detect.Model, s scan.Settings) Config {
	cfg := Config{Params: s.Params, Detector: det, Workers: s.Workers, Streams: s.Streams(),
		DecoderThreads: s.DecoderThreads, ThreadType: s.DecoderThreadType, FileTimeout: s.FileTimeout}
	cfg.bindDetector()
	return cfg
}

// bindDetector makes Params say what Detector is and can run: its
// identity, and rectangular only where its input size is dynamic.
func (c *Config) bindDetector() {
	if c.Detector != nil {
		c.Model = c.Detector.ID()
		c.Rect = c.Rect && c.Detector.Dynamic()
	}
}

// Run scans inputs and returns the event channel. The channel yields
// RunStarted first and RunFinished last, then closes; the caller must drain
// it. Cancelling ctx stops the run promptly: files not finished by then are
// not reported, files already finished are.
func Run(ctx context.Context, cfg Config, inputs []string) <-chan scan.Event {
	events := make(chan scan.Event, 64)
	go func() {
		defer close(events)
		r := newRunner(ctx, cfg, events)
		r.run(inputs)
	}()
	return events
}

type runner struct {
	ctx    context.Context
	cfg    Config
	events chan<- scan.Event
	start  time.Time

	slots chan *detect.Buffers // free tensor sets; their count bounds memory
	infer chan inferJob

	mu  sync.Mutex
	sum scan.Summary
	// Files this run scans, by content: a channel that closes when the
	// file of that fingerprint finishes (content), the fingerprint of
	// such a file (printOf), and every fingerprint the library took.
	content      map[string]chan struct{}
	printOf      map[string]string
	fingerprints map[string]string
	busy         int       // inference calls in flight
	busySince    time.Time // when busy last went from 0 to 1
}

type inferJob struct {
	file  *fileState
	frame scan.Frame
	slot  *detect.Buffers // nil for a reused frame
	thumb *image.RGBA     // the thumbnail, with ImageThumbs
	jpeg  []byte          // the thumbnail as JPEG
}

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

	// Near-duplicate reuse. The decode worker alone touches lastLook and
	// lastInferred; inferred and waiting are guarded by mu.
	lastLook     *look
	lastInferred int
	inferred     map[int]inferred   // frames the model ran on (or failed on), by index
	waiting      map[int][]inferJob // reused frames waiting for their source's detections
}

// inferred is how inference went for a frame others may reuse: ok false
// means it failed or was cancelled, and frames reusing it are dropped too.
type inferred struct {
	dets []scan.Detection
	ok   bool
}

func newRunner(ctx context.Context, cfg Config, events chan<- scan.Event) *runner {
	if cfg.Workers < 1 {
		cfg.Workers = 1
	}
	if cfg.Streams < 1 {
		cfg.Streams = 1
	}
	cfg.bindDetector() // whoever built cfg, it reports the model's own identity
	return &runner{ctx: ctx, cfg: cfg, events: events, start: time.Now(),
		content: map[string]chan struct{}{}, printOf: map[string]string{}, fingerprints: map[string]string{}}
}

// send delivers an event. After cancellation, progress events may be
// dropped, but FileFinished (like RunStarted and RunFinished) always arrives.
func (r *runner) send(e scan.Event) {
	select {
	case r.events <- e:
	case <-r.ctx.Done():
		// Still deliver finished files: a consumer draining after cancel must
		// see every result that was completed.
		if _, ok := e.(scan.FileFinished); ok {
			r.events <- e
		}
	}
}

func (r *runner) run(inputs []string) {
	d := discover(inputs)
	r.sum.Ignored = d.ignored
	r.events <- scan.RunStarted{Files: len(d.files) + len(d.failed), Ignored: d.ignored}
	for _, f := range d.failed {
		r.count(f, false)
		r.send(scan.FileFinished{Result: f, Params: r.cfg.Params})
	}

	err := r.scan(d.files)
	r.sum.ModelLoads = detect.Loads()
	r.sum.Elapsed = time.Since(r.start)
	r.sum.PeakRSS = peakRSS()
	if err == nil {
		err = r.ctx.Err()
	}
	r.events <- scan.RunFinished{Summary: r.sum, Err: err}
}

func (r *runner) scan(files []string) error {
	if len(files) == 0 {
		return nil
	}
	if r.cfg.Detector == nil {
		return errors.New("pipeline: no model")
	}
	if r.cfg.Remote != nil {
		return r.scanRemote(files)
	}
	// One tensor set per stream plus one per decode worker, so every worker
	// can prepare its next frame while the streams are busy.
	nslots := r.cfg.Streams + r.cfg.Workers
	r.slots = make(chan *detect.Buffers, nslots)
	defer func() {
		close(r.slots)
		for b := range r.slots {
			b.Free()
		}
	}()
	for i := 0; i < nslots; i++ {
		b, err := r.cfg.Detector.NewBuffers()
		if err != nil {
			return fmt.Errorf("pipeline: tensors: %w", err)
		}
		r.slots <- b
	}
	r.infer = make(chan inferJob)

	var inferWG sync.WaitGroup
	for i := 0; i < r.cfg.Streams; i++ {
		inferWG.Add(1)
		go func() {
			defer inferWG.Done()
			r.inferLoop()
		}()
	}

	jobs := make(chan string)
	var decodeWG sync.WaitGroup
	for i := 0; i < r.cfg.Workers; i++ {
		decodeWG.Add(1)
		go func() {
			defer decodeWG.Done()
			rgb := &scratch{}
			for path := range jobs {
				r.decodeFile(path, rgb)
			}
		}()
	}
	r.feed(files, jobs)
	close(jobs)
	decodeWG.Wait()
	close(r.infer)
	inferWG.Wait()
	return nil
}

// feed hands the workers the files the library cannot answer for. A copy
// of a file this run is scanning (the same fingerprint) waits until the
// others are fed, and is then answered from the first copy's result
// (scanned only if that one failed).
func (r *runner) feed(files []string, jobs chan<- string) {
	var copies []string
	var waits []<-chan struct{}
	send := func(p string) bool {
		select {
		case jobs <- p:
			return true
		case <-r.ctx.Done():
			return false
		}
	}
	for i, p := range files {
		switch a, first := r.reuse(p, true); {
		case a == answered:
			continue
		case a == copyOf:
			copies, waits = append(copies, p), append(waits, first)
			continue
		}
		if !send(p) {
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
		if a, _ := r.reuse(p, false); a == answered {
			continue
		}
		if !send(p) {
			r.cancelled(len(copies) - i)
			return
		}
	}
}

func (r *runner) cancelled(n int) {
	r.mu.Lock()
	r.sum.Cancelled += n
	r.mu.Unlock()
}

// answer is what the library made of a file before the run scans it.
type answer int

const (
	toScan   answer = iota
	answered        // reused from the library, or failed
	copyOf          // a copy of a file this run is scanning: ask again once it finishes
)

// reuse asks the library about a file: it replays a stored result, or
// fails the file when the library could not read it whole. With
// waitForCopies, a file of the same content as one this run scans is a
// copyOf it: the channel closes once that one finished.
func (r *runner) reuse(path string, waitForCopies bool) (answer, <-chan struct{}) {
	if r.cfg.Library == nil || r.ctx.Err() != nil {
		return toScan, nil
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
			return copyOf, first
		} else if !scanning {
			r.content[fp], r.printOf[path] = make(chan struct{}), fp
		}
	}
	r.fingerprints[path] = fp
	r.mu.Unlock()
	switch {
	case err != nil:
		r.finished(scan.FileResult{Path: path, Status: scan.StatusFailed, Error: err.Error()}, nil)
		return answered, nil
	case !known.Found:
		return toScan, nil
	}
	r.mu.Lock()
	r.sum.Skipped++
	r.mu.Unlock()
	r.count(known.Result, true)
	Replay(known.Result, known.Thumbs, r.cfg.Params, r.send)
	return answered, nil
}

// Replay sends the events of a file the library holds, as a run that
// reuses it does: FileStarted, a FrameAnalysed for each frame with its
// JPEG thumbnail (thumbs, by frame index), and FileFinished, all
// FromLibrary. A front end that shows the library calls it too.
func Replay(res scan.FileResult, thumbs map[int][]byte, p scan.Params, send func(scan.Event)) {
	send(scan.FileStarted{Path: res.Path})
	sendFrames(res, thumbs, true, send)
	send(scan.FileFinished{Result: res, Thumbs: thumbs, Params: p, FromLibrary: true})
}

// sendFrames sends a finished file's frames, each with its JPEG.
func sendFrames(res scan.FileResult, thumbs map[int][]byte, fromLibrary bool, send func(scan.Event)) {
	for _, k := range res.Frames {
		send(scan.FrameAnalysed{Path: res.Path, Frame: k, JPEG: thumbs[k.Index], Duration: res.Media.Duration, FromLibrary: fromLibrary})
	}
}

// scratch holds a decode worker's reusable RGB buffers.
type scratch struct{ model, thumb []byte }

func grow(b []byte, n int) []byte {
	if cap(b) < n {
		return make([]byte, n)
	}
	return b[:n]
}

func (r *runner) decodeFile(path string, buf *scratch) {
	fs := &fileState{path: path}
	r.send(scan.FileStarted{Path: path})
	opts := media.Options{DecoderThreads: r.cfg.DecoderThreads, ThreadType: r.cfg.ThreadType,
		Timeout: r.cfg.FileTimeout, Sampling: r.cfg.Sampling, Log: r.cfg.FFmpegLog}
	f, err := media.Open(r.ctx, path, opts)
	if err != nil {
		r.decodeDone(fs, media.Outcome{}, err)
		return
	}
	defer f.Close()
	reuse := r.cfg.ReuseSimilar && !f.Info().Still
	fs.duration = f.Info().Duration

	out, err := f.Frames(r.ctx, func(k *media.Frame) error { return r.analyse(fs, k, buf, reuse) })
	fs.info = f.Info() // after decoding: a photo's orientation comes with its frame
	r.decodeDone(fs, out, err)
}

// analyse prepares one decoded frame: its model input, thumbnail and, when
// it looks like the last frame the model ran on, reuse of that frame's
// detections instead of an inference.
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
	res := scan.FileResult{Path: fs.path, Media: fs.info, Frames: fs.frames, Status: scan.StatusOK}
	switch {
	case fs.err != nil:
		res.Status, res.Error = scan.StatusFailed, fs.err.Error()
		res.Frames = nil
	case fs.outcome.Damage != "":
		res.Status, res.Error = scan.StatusPartial, fs.outcome.Damage
	}
	r.finished(res, fs.thumbs)
}

// finished is the one way a file this run scanned (here or on a Remote)
// ends: the library keeps it, the summary counts it, and FileFinished
// carries it with its thumbnails.
func (r *runner) finished(res scan.FileResult, thumbs map[int][]byte) {
	var libErr error
	if r.cfg.Library != nil {
		if libErr = r.cfg.Library.Keep(res, thumbs); libErr != nil {
			r.mu.Lock()
			r.sum.LibraryErrors++
			r.mu.Unlock()
		}
	}
	r.count(res, false)
	r.mu.Lock()
	if fp, ok := r.printOf[res.Path]; ok {
		delete(r.printOf, res.Path)
		close(r.content[fp]) // its copies may ask the library now
	}
	r.mu.Unlock()
	r.send(scan.FileFinished{Result: res, Thumbs: thumbs, Params: r.cfg.Params, LibraryErr: libErr})
}

func encodeJPEG(img image.Image) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: scan.JPEGQuality}); err != nil {
		return nil
	}
	return b.Bytes()
}

func (r *runner) count(res scan.FileResult, fromLibrary bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sum.Add(res, fromLibrary)
}
