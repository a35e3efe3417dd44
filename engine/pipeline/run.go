// Package pipeline is the bulk engine: it discovers media in the inputs,
// decodes frames (keyframes, gap frames and cut frames) on several workers, runs one shared model on them and
// streams typed events. Data flows one way: files → frames → detections → events.
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/vidsift/vidsift/engine/detect"
	"github.com/vidsift/vidsift/engine/ocr"
	"github.com/vidsift/vidsift/engine/scan"
)

// A run's work is spread over this package's files by concern: run.go is
// its lifecycle (Run, its goroutines, the summary, RunFinished); feed.go
// hands the workers their files and answers from the library what it
// holds; decode.go turns a file into frames ready for the model; infer.go
// runs the model, or reuses a near-duplicate's detections; text.go reads
// the text in frames, and completes a file the library holds with the
// text and subtitles it lacks; finish.go ends a file once all its frames
// are back and sends its FileFinished.

// Config drives one run.
type Config struct {
	// Params are what the scan finds. Run takes Params.Model from
	// Detector, so the identity it reports is the model's own.
	scan.Params
	Detector *detect.Model // shared by every stream; loaded once by the caller
	// TextReader reads the text in frames when Params.Text.On (shared by
	// every decode worker; loaded once by the caller). Without it no
	// text is read, and Params.Text.On is false.
	TextReader *ocr.Reader
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
// this machine, with det as its model and text (nil: none) as its text
// reader; the caller adds thumbnails, the library and a Remote.
func NewConfig(det *detect.Model, text *ocr.Reader, s scan.Settings) Config {
	cfg := Config{Params: s.Params, Detector: det, TextReader: text, Workers: s.Workers, Streams: s.Streams(),
		DecoderThreads: s.DecoderThreads, ThreadType: s.DecoderThreadType, FileTimeout: s.FileTimeout}
	cfg.bindModels()
	return cfg
}

// bindModels makes Params say what Detector and TextReader are and can
// run: the detector's identity, rectangular only where its input size is
// dynamic, and text read only with a reader, whose models it names.
func (c *Config) bindModels() {
	if c.Detector != nil {
		c.Model = c.Detector.ID()
		c.Rect = c.Rect && c.Detector.Dynamic()
	}
	c.Text.On = c.Text.On && c.TextReader != nil
	c.Text.Models = ""
	if c.Text.On {
		c.Text.Models = c.TextReader.SHA256()
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

func newRunner(ctx context.Context, cfg Config, events chan<- scan.Event) *runner {
	if cfg.Workers < 1 {
		cfg.Workers = 1
	}
	if cfg.Streams < 1 {
		cfg.Streams = 1
	}
	cfg.bindModels() // whoever built cfg, it reports the models' own identity
	return &runner{ctx: ctx, cfg: cfg, events: events, start: time.Now(),
		content: map[string]chan struct{}{}, printOf: map[string]string{}, fingerprints: map[string]string{}}
}

// send delivers an event, or drops it once the run is cancelled. Those
// that always arrive are sent otherwise: RunStarted and RunFinished by run,
// FileFinished by fileFinished.
func (r *runner) send(e scan.Event) {
	select {
	case r.events <- e:
	case <-r.ctx.Done():
	}
}

func (r *runner) run(inputs []string) {
	d := discover(inputs)
	r.sum.Ignored = d.ignored
	r.events <- scan.RunStarted{Files: len(d.files) + len(d.failed), Ignored: d.ignored}
	for _, f := range d.failed {
		r.fileFinished(scan.FileFinished{Result: f, Params: r.cfg.Params})
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

	jobs := make(chan fileJob)
	var decodeWG sync.WaitGroup
	for i := 0; i < r.cfg.Workers; i++ {
		decodeWG.Add(1)
		go func() {
			defer decodeWG.Done()
			rgb := &scratch{}
			for j := range jobs {
				if j.known != nil {
					r.complete(j.path, j.known, rgb)
				} else {
					r.decodeFile(j.path, rgb)
				}
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

func (r *runner) cancelled(n int) {
	r.mu.Lock()
	r.sum.Cancelled += n
	r.mu.Unlock()
}
