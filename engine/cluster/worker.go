package cluster

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/vidsift/vidsift/engine/detect"
	"github.com/vidsift/vidsift/engine/fingerprint"
	"github.com/vidsift/vidsift/engine/ocr"
	"github.com/vidsift/vidsift/engine/pipeline"
	"github.com/vidsift/vidsift/engine/scan"
)

// WorkerOptions configure a worker.
type WorkerOptions struct {
	Name    string // how results and refusals name this worker
	Paths   PathPolicy
	Workers int // files scanned at once
	Threads int // inference threads in all
	Models  ModelCache
	// LoadModel loads a model file for inference (the front end knows
	// where ONNX Runtime is).
	LoadModel func(path string) (*detect.Model, error)
	// Queue is used only when this worker is the first to create the jobs
	// consumer; a submitter's settings replace it.
	Queue Queue
	Log   *slog.Logger
	// OnJob, when set, is called with a job's path as the worker takes it,
	// before the file is opened.
	OnJob func(path string)
}

// worker is one `vidsift worker` process.
type worker struct {
	o       WorkerOptions
	nc      *nats.Conn
	js      jetstream.JetStream
	runs    jetstream.KeyValue
	results jetstream.ObjectStore
	cons    jetstream.Consumer

	mu      sync.Mutex
	models  map[string]*detect.Model
	readers map[scan.Text]*ocr.Reader    // text readers, by their settings
	running map[string]map[*fileRun]bool // the files in progress of each run
	loadMu  sync.Mutex
}

// RunWorker takes file jobs until ctx ends, at most o.Workers at a time,
// and returns after the files in progress were handed back.
func RunWorker(ctx context.Context, nc *nats.Conn, o WorkerOptions) error {
	o.Workers, o.Threads = max(1, o.Workers), max(1, o.Threads)
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	w := &worker{o: o, nc: nc, js: js, models: map[string]*detect.Model{}, readers: map[scan.Text]*ocr.Reader{}, running: map[string]map[*fileRun]bool{}}
	defer w.closeModels()
	var cons jetstream.Consumer
	if err := retry(ctx, w.warn, "joining the queue", func() (err error) {
		_, cons, err = setup(ctx, js, o.Queue, false)
		if err != nil {
			return err
		}
		if w.runs, err = js.KeyValue(ctx, runsBucket); err != nil {
			return err
		}
		w.results, err = js.ObjectStore(ctx, resultsBucket)
		return err
	}); err != nil {
		return err
	}
	w.cons = cons

	cancelSub, err := nc.Subscribe(cancelSubject("*"), func(m *nats.Msg) {
		w.cancelRun(strings.TrimPrefix(m.Subject, cancelSubject("")))
	})
	if err != nil {
		return err
	}
	defer cancelSub.Unsubscribe()
	stopPresence, err := w.announce()
	if err != nil {
		return err
	}
	defer stopPresence()
	o.Log.Info("worker ready", "name", o.Name, "workers", o.Workers, "threads", o.Threads)

	slots := make(chan struct{}, o.Workers)
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			return nil
		}
		// Take one job only when a slot is free: a job fetched ahead would
		// wait without heartbeats and could go to a second worker.
		msg, err := next(ctx, cons)
		if err != nil {
			<-slots
			if ctx.Err() != nil {
				return nil
			}
			if !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, nats.ErrTimeout) {
				o.Log.Warn("taking a job", "err", err)
				pause(ctx, time.Second)
			}
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			w.handle(ctx, msg)
		}()
	}
}

// next waits up to 2 s for one job.
func next(ctx context.Context, cons jetstream.Consumer) (jetstream.Msg, error) {
	wait, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	return cons.Next(jetstream.FetchContext(wait))
}

// announce says this worker is here, now, when a submitter calls the
// roll, and every few seconds; the returned func says goodbye.
func (w *worker) announce() (func(), error) {
	here := mustJSON(Presence{Worker: w.o.Name})
	sub, err := w.nc.Subscribe(rollCallSubj, func(*nats.Msg) { _ = w.nc.Publish(presenceSubj, here) })
	if err != nil {
		return nil, err
	}
	_ = w.nc.Publish(presenceSubj, here)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(5 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				_ = w.nc.Publish(presenceSubj, here)
			case <-stop:
				return
			}
		}
	}()
	return func() {
		close(stop)
		<-done
		_ = sub.Unsubscribe()
		_ = w.nc.Publish(presenceSubj, mustJSON(Presence{Worker: w.o.Name, Bye: true}))
		_ = w.nc.Flush()
	}, nil
}

// handle scans one job's file and acks the job once its result is published.
func (w *worker) handle(ctx context.Context, msg jetstream.Msg) {
	job, why, err := readJob(msg.Data())
	if err != nil {
		w.o.Log.Warn("dropping a job that is not JSON", "err", err)
		_ = msg.Term()
		return
	}
	log := w.o.Log.With("run", job.Run, "path", job.Path)
	if why == "" {
		why = refuses(job)
	}
	if why != "" {
		// Another worker, or this one upgraded, may honour it later.
		w.notice(job, why)
		log.Warn("refusing a job", "why", why)
		_ = msg.NakWithDelay(10 * time.Second)
		return
	}
	if _, err := w.runs.Get(ctx, job.Run); errors.Is(err, jetstream.ErrKeyNotFound) {
		_ = msg.Term() // its run was stopped or its submitter is gone
		return
	}
	if w.o.OnJob != nil {
		w.o.OnJob(job.Path)
	}

	fileCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	file := &fileRun{cancel: cancel}
	defer w.track(job.Run, file)()
	_ = w.nc.Publish(progressSubject(job.Run), mustJSON(Progress{ID: job.ID, Worker: w.o.Name}))
	stopBeat := w.heartbeat(fileCtx, msg, job.Run, w.ackWait(ctx))

	start := time.Now()
	log.Info("scanning")
	res, thumbs, err := w.scan(fileCtx, job)
	stopBeat()
	switch {
	case file.wasStopped():
		log.Info("abandoned: its run was stopped", "seconds", time.Since(start).Seconds())
		_ = msg.Term()
		return
	case ctx.Err() != nil:
		_ = msg.Nak() // shutting down: someone else takes it now
		return
	case err != nil:
		w.notice(job, err.Error())
		log.Warn("cannot scan the job", "err", err)
		_ = msg.NakWithDelay(10 * time.Second)
		return
	}
	res.Path, res.Worker = job.Path, w.o.Name
	if err := w.publish(ctx, job, msg, res, thumbs, time.Since(start)); err != nil {
		log.Warn("result not sent; the job goes back to the queue", "err", err)
		_ = msg.Nak()
		return
	}
	if err := retry(ctx, w.warn, "acking a job", func() error { return msg.DoubleAck(ctx) }); err != nil {
		log.Warn("job not acked; it may be scanned again", "err", err)
	}
	log.Info("done", "status", res.Status, "frames", len(res.Frames), "seconds", time.Since(start).Seconds())
}

// readJob decodes a job strictly: a job of another protocol, or with a
// field this worker does not know (a setting it would otherwise scan
// without), is refused, and why says so; the job then holds what its
// header says (run, ID, path), enough to tell its run. err is for a
// message that is not a job at all.
func readJob(data []byte) (job Job, why string, err error) {
	var header struct {
		Protocol int
		Run, ID  string
		Path     string
	}
	if err := json.Unmarshal(data, &header); err != nil {
		return Job{}, "", err
	}
	job = Job{Protocol: header.Protocol, Run: header.Run, ID: header.ID, Path: header.Path}
	if header.Protocol != Protocol {
		return job, fmt.Sprintf("job protocol %d, this worker speaks %d: run the same vidsift version on both sides", header.Protocol, Protocol), nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var full Job
	if err := dec.Decode(&full); err != nil {
		return job, fmt.Sprintf("cannot read the job completely (%v): run the same vidsift version on both sides", err), nil
	}
	return full, "", nil
}

// refuses says why this worker cannot honour a job it could read ("" if it can).
func refuses(job Job) string {
	switch {
	case job.Revision != scan.ResultsRevision:
		return fmt.Sprintf("results revision %d asked, this worker's engine makes %d: run the same vidsift version on both sides", job.Revision, scan.ResultsRevision)
	case job.Settings.Params.Sampling.MaxGap < 0 || job.Settings.Params.Sampling.MinGap < 0:
		return "negative sampling gaps"
	}
	return ""
}

// scan resolves the job's path and scans the file. A file this worker may
// not or cannot open is a failed result naming the worker; err is only for
// what stops it from honouring the job at all (the models).
func (w *worker) scan(ctx context.Context, job Job) (scan.FileResult, map[int][]byte, error) {
	failed := func(format string, a ...any) (scan.FileResult, map[int][]byte, error) {
		return scan.FileResult{Status: scan.StatusFailed, Error: fmt.Sprintf(format, a...)}, nil, nil
	}
	local, err := w.o.Paths.Resolve(job.Path)
	var ref refusal
	switch {
	case errors.As(err, &ref):
		return failed("worker %s refused it: %v", w.o.Name, ref)
	case err != nil:
		return failed("worker %s cannot read it: %v", w.o.Name, err)
	}
	if st, err := os.Stat(local); err != nil {
		return failed("worker %s cannot read it: %v", w.o.Name, err)
	} else if !st.Mode().IsRegular() {
		return failed("worker %s refused it: %s is not a regular file", w.o.Name, local)
	}
	if job.Fingerprint != "" {
		fp, _, err := fingerprint.Of(local)
		switch {
		case err != nil:
			return failed("worker %s cannot read it: %v", w.o.Name, err)
		case fp != job.Fingerprint:
			return failed("worker %s refused it: %s holds other content than the submitter's file (a stale copy, or a path mapping to the wrong folder)", w.o.Name, local)
		}
	} else if f, err := os.Open(local); err != nil {
		return failed("worker %s cannot read it: %v", w.o.Name, err)
	} else {
		f.Close()
	}
	s := job.Settings
	model, err := w.model(ctx, s.Params.Model.SHA256)
	if err != nil {
		return scan.FileResult{}, nil, err
	}
	if id := model.ID(); id.InputW != s.Params.Model.InputW || id.InputH != s.Params.Model.InputH {
		return scan.FileResult{}, nil, fmt.Errorf("worker %s: model %s takes %d×%d, the job asks for %d×%d",
			w.o.Name, short(id.SHA256), id.InputW, id.InputH, s.Params.Model.InputW, s.Params.Model.InputH)
	}
	text, err := w.textReader(ctx, s)
	if err != nil {
		return scan.FileResult{}, nil, err
	}
	// One file at a time per slot, with its share of the inference threads.
	cfg := pipeline.NewConfig(model, text, scan.Settings{Params: s.Params, Workers: 1,
		Threads: max(1, w.o.Threads/w.o.Workers), IntraOpThreads: 1, FileTimeout: s.FileTimeout})
	cfg.Thumbs = min(s.Thumbs, pipeline.JPEGThumbs)
	cfg.FFmpegLog = w.o.Log
	var res scan.FileResult
	var thumbs map[int][]byte
	for ev := range pipeline.Run(ctx, cfg, []string{local}) {
		if f, ok := ev.(scan.FileFinished); ok {
			res, thumbs = f.Result, f.Thumbs
		}
	}
	return res, thumbs, nil
}

// model returns the loaded model with this sha256, fetching it from the
// hub the first time.
func (w *worker) model(ctx context.Context, sha string) (*detect.Model, error) {
	w.loadMu.Lock()
	defer w.loadMu.Unlock()
	w.mu.Lock()
	m := w.models[sha]
	w.mu.Unlock()
	if m != nil {
		return m, nil
	}
	path, err := w.o.Models.fetch(ctx, w.js, sha)
	if err != nil {
		return nil, fmt.Errorf("worker %s has no model %s: %w", w.o.Name, short(sha), err)
	}
	if m, err = w.o.LoadModel(path); err != nil {
		return nil, fmt.Errorf("worker %s cannot load model %s: %w", w.o.Name, short(sha), err)
	}
	if m.SHA256 != sha {
		m.Close()
		return nil, fmt.Errorf("worker %s: model %s changed in its cache", w.o.Name, short(sha))
	}
	w.mu.Lock()
	w.models[sha] = m
	w.mu.Unlock()
	w.o.Log.Info("model ready", "sha256", sha, "path", path)
	return m, nil
}

// textReader returns the text reader the job's text settings ask for
// (nil when it reads no text), fetching the text models from the hub the
// first time. A reader is loaded for its settings, so there is one per
// setting, all from one folder of the cache. Its models must be the
// job's: the results then carry the job's text key.
func (w *worker) textReader(ctx context.Context, s Settings) (*ocr.Reader, error) {
	t := s.Params.Text
	if !t.On {
		return nil, nil
	}
	w.loadMu.Lock()
	defer w.loadMu.Unlock()
	w.mu.Lock()
	r := w.readers[t]
	w.mu.Unlock()
	if r != nil {
		return r, nil
	}
	dir, err := w.o.Models.fetchText(ctx, w.js, s.TextModels, t.Models)
	if err != nil {
		return nil, fmt.Errorf("worker %s has no text models %s: %w", w.o.Name, short(t.Models), err)
	}
	// One intra-op thread, as the detector's sessions have.
	r, err = ocr.Load(dir, ocr.Options{Session: detect.Options{IntraOpThreads: 1}, DetectSide: t.DetectSide, MinConfidence: t.MinConfidence})
	if err != nil {
		return nil, fmt.Errorf("worker %s cannot load text models %s: %w", w.o.Name, short(t.Models), err)
	}
	if r.SHA256() != t.Models {
		r.Close()
		// Fetched whole and checked, so changed since: fetch it again next time.
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("worker %s: text models %s changed in its cache (%s has sha256 %s); removed", w.o.Name, short(t.Models), dir, short(r.SHA256()))
	}
	w.mu.Lock()
	w.readers[t] = r
	w.mu.Unlock()
	w.o.Log.Info("text models ready", "sha256", t.Models, "path", dir, "side", t.DetectSide, "min_confidence", t.MinConfidence)
	return r, nil
}

func (w *worker) closeModels() {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, m := range w.models {
		m.Close()
	}
	for _, r := range w.readers {
		r.Close()
	}
}

func short(sha string) string { return sha[:min(12, len(sha))] }

// heartbeat tells the queue the file is in progress every AckWait/3, and
// cancels the file when its run is gone; the returned func stops it.
func (w *worker) heartbeat(ctx context.Context, msg jetstream.Msg, run string, ackWait time.Duration) func() {
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(max(100*time.Millisecond, ackWait/3))
		defer t.Stop()
		for {
			select {
			case <-t.C:
				_ = msg.InProgress()
				if _, err := w.runs.Get(ctx, run); errors.Is(err, jetstream.ErrKeyNotFound) {
					w.cancelRun(run)
				}
			case <-stop:
				return
			case <-ctx.Done():
				return
			}
		}
	}()
	return func() { close(stop); <-done }
}

// fileRun is a file in progress, cancelled when its run is stopped.
type fileRun struct {
	mu      sync.Mutex
	stopped bool
	cancel  context.CancelFunc
}

func (f *fileRun) stop() {
	f.mu.Lock()
	f.stopped = true
	f.mu.Unlock()
	f.cancel()
}

func (f *fileRun) wasStopped() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.stopped
}

// ackWait is the queue's ack wait now: a submitter may have changed it
// since this worker started.
func (w *worker) ackWait(ctx context.Context) time.Duration {
	if info, err := w.cons.Info(ctx); err == nil {
		return info.Config.AckWait
	}
	return w.cons.CachedInfo().Config.AckWait
}

// track registers a file in progress for run; the returned func
// unregisters it.
func (w *worker) track(run string, f *fileRun) func() {
	w.mu.Lock()
	if w.running[run] == nil {
		w.running[run] = map[*fileRun]bool{}
	}
	w.running[run][f] = true
	w.mu.Unlock()
	return func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		delete(w.running[run], f)
		if len(w.running[run]) == 0 {
			delete(w.running, run)
		}
	}
}

// cancelRun abandons every file of run in progress here.
func (w *worker) cancelRun(run string) {
	w.mu.Lock()
	var files []*fileRun
	for f := range w.running[run] {
		files = append(files, f)
	}
	w.mu.Unlock()
	for _, f := range files {
		f.stop()
	}
}

// publish puts the result in the results bucket and announces it on the
// run's results subject, retrying while the hub is away.
func (w *worker) publish(ctx context.Context, job Job, msg jetstream.Msg, res scan.FileResult, thumbs map[int][]byte, took time.Duration) error {
	meta, err := msg.Metadata()
	if err != nil {
		return err
	}
	// One object and one message per delivery: a retried publish after a
	// lost reply is dropped as a duplicate, another delivery is not.
	name := fmt.Sprintf("%s/%s/%d", job.Run, job.ID, meta.NumDelivered)
	payload := mustJSON(Payload{Result: res, Thumbs: thumbs})
	if err := retry(ctx, w.warn, "storing a result", func() error {
		_, err := w.results.PutBytes(ctx, name, payload)
		return err
	}); err != nil {
		return err
	}
	out := mustJSON(Result{Run: job.Run, ID: job.ID, Worker: w.o.Name, Object: name, ScanS: took.Seconds()})
	return retry(ctx, w.warn, "sending a result", func() error {
		_, err := w.js.Publish(ctx, resultsSubject(job.Run), out, jetstream.WithMsgID(name))
		return err
	})
}

func (w *worker) warn(msg string) { w.o.Log.Warn(msg) }

// notice tells a job's run why this worker does not scan it.
func (w *worker) notice(job Job, text string) {
	_ = w.nc.Publish(noticeSubject(job.Run), mustJSON(Notice{ID: job.ID, Worker: w.o.Name, Text: text}))
}

// retry calls f until it succeeds, ctx ends or f returns a retryStop,
// backing off to 2 s; after a few failures it warns, once.
func retry(ctx context.Context, warn func(string), what string, f func() error) error {
	wait := 100 * time.Millisecond
	for i := 0; ; i++ {
		err := f()
		var stop retryStop
		if errors.As(err, &stop) {
			return err
		}
		if err == nil || ctx.Err() != nil {
			if err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
			return nil
		}
		if i == 3 {
			warn(fmt.Sprintf("the hub does not answer (%s: %v); still trying", what, err))
		}
		pause(ctx, wait)
		wait = min(2*wait, 2*time.Second)
	}
}

// pause waits d or until ctx ends.
func pause(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
