package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"

	"github.com/vidsift/vidsift/engine/fingerprint"
	"github.com/vidsift/vidsift/engine/pipeline"
	"github.com/vidsift/vidsift/engine/scan"
)

// Submitter queues a run's files for the cluster's workers and hands
// their results back to the run: it is the pipeline.Remote of a scan
// that runs on a cluster. One Submitter may serve several runs, one after
// another.
type Submitter struct {
	nc    *nats.Conn
	url   string
	queue Queue

	mu      sync.Mutex
	timings []FileTiming
}

// FileTiming is how long one file took, as the submitter and its worker saw it.
type FileTiming struct {
	Path   string
	Worker string
	// RoundTrip runs from the job's publish to its result's arrival.
	RoundTrip time.Duration
	// Scan is the worker's own time for the file, from taking the job to
	// having its result.
	Scan time.Duration
}

// NewSubmitter uses nc (see Connect); queue tunes redelivery (zero:
// DefaultQueue). What it has to say goes to the run as notices.
func NewSubmitter(nc *nats.Conn, queue Queue) *Submitter {
	return &Submitter{nc: nc, url: nc.ConnectedUrlRedacted(), queue: queue.orDefault()}
}

// Timings returns the timings of every file whose result came back.
func (s *Submitter) Timings() []FileTiming {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]FileTiming(nil), s.timings...)
}

// submission is one run on the cluster.
type submission struct {
	s       *Submitter
	js      jetstream.JetStream
	jobs    jetstream.Stream
	results jetstream.ObjectStore
	runs    jetstream.KeyValue
	run     string
	report  pipeline.RemoteReport
	// textModels are the SHA-256s of the text models' files, shared with
	// the workers when the run reads text (Settings.TextModels).
	textModels [3]string

	pending   map[string]string // job ID -> path, until its result is in
	published map[string]time.Time
	bySeq     map[uint64]string // jobs stream sequence -> job ID
	refusals  map[string]string // job ID -> the last worker's reason for not scanning it
	workers   map[string]time.Time
	said      map[string]bool // notices already shown
	waiting   bool            // "waiting for workers" is showing
}

// Scan implements pipeline.Remote.
func (s *Submitter) Scan(ctx context.Context, cfg pipeline.Config, files []pipeline.RemoteFile, report pipeline.RemoteReport) error {
	js, err := jetstream.New(s.nc)
	if err != nil {
		return err
	}
	u := &submission{s: s, js: js, run: strings.ToLower(nuid.Next()), report: report,
		pending: map[string]string{}, published: map[string]time.Time{}, bySeq: map[uint64]string{},
		refusals: map[string]string{}, workers: map[string]time.Time{}, said: map[string]bool{}}
	if err := u.prepare(ctx, cfg); err != nil {
		return err
	}
	defer u.cleanup()

	events := make(chan *nats.Msg, 256)
	for _, subj := range []string{presenceSubj, progressSubject(u.run), noticeSubject(u.run), maxDeliveriesAdvisory()} {
		sub, err := s.nc.ChanSubscribe(subj, events)
		if err != nil {
			return err
		}
		defer sub.Unsubscribe()
	}
	_ = s.nc.Publish(rollCallSubj, nil)

	cons, err := u.resultsConsumer(ctx)
	if err != nil {
		return err
	}
	if err := u.publish(ctx, cfg, files); err != nil {
		return u.stop(err)
	}
	results := make(chan jetstream.Msg)
	fetchCtx, stopFetch := context.WithCancel(ctx)
	defer stopFetch()
	go fetchResults(fetchCtx, cons, results)

	alive := time.NewTicker(runAliveEvery)
	defer alive.Stop()
	look := time.NewTicker(time.Second)
	defer look.Stop()
	for len(u.pending) > 0 {
		select {
		case m := <-results:
			u.result(ctx, m)
		case m := <-events:
			u.event(ctx, m)
		case <-alive.C:
			_, _ = u.runs.Put(ctx, u.run, []byte("alive"))
		case <-look.C:
			u.lookForWorkers()
		case <-ctx.Done():
			return u.stop(ctx.Err())
		}
	}
	return nil
}

// prepare makes sure the queue exists, shares the models and marks the run alive.
func (u *submission) prepare(ctx context.Context, cfg pipeline.Config) error {
	if cfg.Text.On {
		if cfg.TextReader == nil {
			return errors.New("the run reads text, but has no text reader")
		}
		var err error
		if u.textModels, err = hashTextModels(cfg.TextReader); err != nil {
			return err
		}
	}
	err := retry(ctx, u.say, "setting up the queue", func() (err error) {
		if u.jobs, _, err = setup(ctx, u.js, u.s.queue, true); err != nil {
			if errors.Is(err, jetstream.ErrJetStreamNotEnabled) || errors.Is(err, jetstream.ErrJetStreamNotEnabledForAccount) {
				return retryStop{fmt.Errorf("the NATS server at %s has no JetStream: run `vidsift hub`, or nats-server with -js", u.s.url)}
			}
			return err
		}
		if u.results, err = u.js.ObjectStore(ctx, resultsBucket); err != nil {
			return err
		}
		if u.runs, err = u.js.KeyValue(ctx, runsBucket); err != nil {
			return err
		}
		if _, err = u.runs.Put(ctx, u.run, []byte("alive")); err != nil {
			return err
		}
		if err := shareModel(ctx, u.js, cfg.Detector.Path, cfg.Detector.SHA256); err != nil {
			return err
		}
		if cfg.Text.On {
			return shareTextModels(ctx, u.js, cfg.TextReader, u.textModels)
		}
		return nil
	})
	var stop retryStop
	if errors.As(err, &stop) {
		return stop.error
	}
	return err
}

// retryStop ends a retry at once.
type retryStop struct{ error }

// resultsConsumer is the run's own durable consumer of its results; it
// outlives a hub restart, and the hub forgets it an hour after the run.
func (u *submission) resultsConsumer(ctx context.Context) (jetstream.Consumer, error) {
	stream, err := u.js.Stream(ctx, resultsStream)
	if err != nil {
		return nil, err
	}
	return stream.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{
		Durable: "run-" + u.run, FilterSubject: resultsSubject(u.run),
		AckPolicy: jetstream.AckExplicitPolicy, AckWait: 30 * time.Second, InactiveThreshold: time.Hour,
	})
}

// publish queues one job per file. The message ID is the run and the
// file's identity, so a publish retried after a lost reply is not queued
// twice. A file the run's library did not fingerprint is read here.
func (u *submission) publish(ctx context.Context, cfg pipeline.Config, files []pipeline.RemoteFile) error {
	set := Settings{Params: cfg.Params, TextModels: u.textModels, Thumbs: min(cfg.Thumbs, pipeline.JPEGThumbs), FileTimeout: cfg.FileTimeout}
	for _, f := range files {
		path, fp := f.Path, f.Fingerprint
		if fp == "" {
			var err error
			if fp, _, err = fingerprint.Of(path); err != nil {
				u.report.Finished(scan.FileResult{Path: path, Status: scan.StatusFailed, Error: err.Error()}, nil)
				continue
			}
		}
		id := jobID(path, fp)
		if _, dup := u.pending[id]; dup {
			continue
		}
		job := mustJSON(Job{Protocol: Protocol, Revision: scan.ResultsRevision, Run: u.run, ID: id, Path: path, Fingerprint: fp, Settings: set})
		var ack *jetstream.PubAck
		if err := retry(ctx, u.say, "queueing a job", func() (err error) {
			ack, err = u.js.Publish(ctx, jobsSubject(u.run), job, jetstream.WithMsgID(u.run+"."+id))
			return err
		}); err != nil {
			return err
		}
		u.pending[id], u.published[id], u.bySeq[ack.Sequence] = path, time.Now(), id
	}
	return nil
}

// fetchResults pulls the run's results, a few at a time, until ctx ends;
// while the hub is away it keeps trying (the publishing side says so).
func fetchResults(ctx context.Context, cons jetstream.Consumer, out chan<- jetstream.Msg) {
	for ctx.Err() == nil {
		batch, err := cons.Fetch(16, jetstream.FetchMaxWait(time.Second))
		if err != nil {
			pause(ctx, 250*time.Millisecond)
			continue
		}
		for m := range batch.Messages() {
			select {
			case out <- m:
			case <-ctx.Done():
				return
			}
		}
		if err := batch.Error(); err != nil && !errors.Is(err, nats.ErrTimeout) {
			pause(ctx, 250*time.Millisecond)
		}
	}
}

// result takes one file's result: the run keeps it, then it is acked.
func (u *submission) result(ctx context.Context, m jetstream.Msg) {
	var r Result
	if err := json.Unmarshal(m.Data(), &r); err != nil {
		_ = m.Term()
		return
	}
	path, ok := u.pending[r.ID]
	if !ok { // a second delivery's result: the first one counted
		_ = u.results.Delete(ctx, r.Object)
		_ = m.Ack()
		return
	}
	data, err := u.results.GetBytes(ctx, r.Object)
	if err != nil {
		u.say(fmt.Sprintf("cannot read the result of %s from the hub yet (%v); trying again", path, err))
		_ = m.NakWithDelay(time.Second)
		return
	}
	var p Payload
	if err := json.Unmarshal(data, &p); err != nil {
		p = Payload{Result: scan.FileResult{Status: scan.StatusFailed, Error: fmt.Sprintf("worker %s sent an unreadable result: %v", r.Worker, err)}}
	}
	p.Result.Path, p.Result.Worker = path, r.Worker
	delete(u.pending, r.ID)
	u.report.Finished(p.Result, p.Thumbs)
	u.s.mu.Lock()
	u.s.timings = append(u.s.timings, FileTiming{Path: path, Worker: r.Worker,
		RoundTrip: time.Since(u.published[r.ID]), Scan: time.Duration(r.ScanS * float64(time.Second))})
	u.s.mu.Unlock()
	_ = u.results.Delete(ctx, r.Object)
	_ = m.Ack()
}

// event handles what workers and the hub say on plain subjects.
func (u *submission) event(ctx context.Context, m *nats.Msg) {
	switch {
	case m.Subject == presenceSubj:
		var p Presence
		if json.Unmarshal(m.Data, &p) != nil || p.Worker == "" {
			return
		}
		_, known := u.workers[p.Worker]
		if p.Bye {
			delete(u.workers, p.Worker)
		} else {
			u.workers[p.Worker] = time.Now()
		}
		if known == p.Bye {
			u.sayWorkers()
		}
	case m.Subject == progressSubject(u.run):
		var p Progress
		if json.Unmarshal(m.Data, &p) == nil {
			if path, ok := u.pending[p.ID]; ok {
				u.workers[p.Worker] = time.Now()
				u.report.Started(path, p.Worker)
			}
		}
	case m.Subject == noticeSubject(u.run):
		var n Notice
		if json.Unmarshal(m.Data, &n) != nil {
			return
		}
		path, ok := u.pending[n.ID]
		if !ok {
			return
		}
		u.refusals[n.ID] = fmt.Sprintf("worker %s: %s", n.Worker, n.Text)
		u.say(fmt.Sprintf("worker %s does not scan %s: %s", n.Worker, path, n.Text))
	default: // a job was handed out MaxDeliver times
		var a struct {
			StreamSeq  uint64 `json:"stream_seq"`
			Deliveries int    `json:"deliveries"`
		}
		if json.Unmarshal(m.Data, &a) != nil {
			return
		}
		id, ok := u.bySeq[a.StreamSeq]
		path, pending := u.pending[id]
		if !ok || !pending {
			return
		}
		why := fmt.Sprintf("crashed %d workers (each one that took it died or lost the hub before it finished)", a.Deliveries)
		if r := u.refusals[id]; r != "" {
			why = fmt.Sprintf("no worker would scan it after %d tries; last, %s", a.Deliveries, r)
		}
		delete(u.pending, id)
		u.report.Finished(scan.FileResult{Path: path, Status: scan.StatusFailed, Error: why}, nil)
		_ = u.jobs.DeleteMsg(ctx, a.StreamSeq)
	}
}

// lookForWorkers forgets workers not heard from in 15 s, and says so
// when none is left.
func (u *submission) lookForWorkers() {
	changed := false
	for name, seen := range u.workers {
		if time.Since(seen) > 15*time.Second {
			delete(u.workers, name)
			changed = true
		}
	}
	if changed || len(u.workers) == 0 && !u.waiting {
		u.sayWorkers()
	}
}

func (u *submission) sayWorkers() {
	if len(u.workers) == 0 {
		if !u.waiting {
			u.waiting = true
			u.report.Notice(fmt.Sprintf("waiting for workers at %s (start one with: vidsift worker --nats %s)", u.s.url, u.s.url))
		}
		return
	}
	u.waiting = false
	names := make([]string, 0, len(u.workers))
	for n := range u.workers {
		names = append(names, n)
	}
	sort.Strings(names)
	u.report.Notice(fmt.Sprintf("%d worker(s) at %s: %s", len(names), u.s.url, strings.Join(names, ", ")))
}

// say shows a notice once.
func (u *submission) say(text string) {
	if !u.said[text] {
		u.said[text] = true
		u.report.Notice(text)
	}
}

// stop withdraws a run that ends early: its queued jobs are removed and
// workers abandon its files in progress.
func (u *submission) stop(err error) error {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	// Workers first: the run's key gone, a worker drops any job of it it
	// takes next, and the cancel abandons the files in progress, however
	// long a busy hub then takes to purge the queue.
	_ = u.runs.Delete(ctx, u.run)
	_ = u.s.nc.Publish(cancelSubject(u.run), nil)
	_ = u.s.nc.Flush()
	_ = u.jobs.Purge(ctx, jetstream.WithPurgeSubject(jobsSubject(u.run)))
	return err
}

// cleanup forgets the run on the hub.
func (u *submission) cleanup() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = u.runs.Delete(ctx, u.run)
	if stream, err := u.js.Stream(ctx, resultsStream); err == nil {
		_ = stream.DeleteConsumer(ctx, "run-"+u.run)
		_ = stream.Purge(ctx, jetstream.WithPurgeSubject(resultsSubject(u.run)))
	}
}
