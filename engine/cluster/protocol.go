package cluster

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/vidsift/vidsift/engine/pipeline"
	"github.com/vidsift/vidsift/engine/scan"
)

// Protocol numbers the job and result messages; a worker refuses jobs of
// another protocol, and jobs it cannot read completely, rather than
// misread them. Bump it with every change to the messages' shape. A new
// setting in scan.Params needs no bump: a worker without it refuses the
// job's unknown field (readJob), and a job without it reads as its zero
// value, which means what scans did before it (settings.Table). 2: the
// settings are scan.Params. 3: Params.Rect. 4: jobs are known by path and
// content (Job.Fingerprint). 5: Sampling.Cuts, and each result frame says
// its kind (scan.Frame.Kind). 6: results carry the file's subtitle cues
// (scan.FileResult.Subtitles, SubtitlesRead). 7: jobs name the text
// models' files (Settings.TextModels), which workers fetch from the hub to
// read text (a worker of 6 knew Params.Text but read none).
const Protocol = 7

// JetStream names. Jobs are a work queue: a job is removed once a worker
// acks it. Results are a work queue too, one consumer per run.
const (
	jobsStream     = "VIDSIFT_JOBS"
	jobsConsumer   = "workers"
	resultsStream  = "VIDSIFT_RESULTS"
	modelsBucket   = "vidsift-models"
	resultsBucket  = "vidsift-results"
	runsBucket     = "vidsift-runs" // a key per live run; workers drop jobs of runs that are gone
	presenceSubj   = "vidsift.workers.here"
	rollCallSubj   = "vidsift.workers.rollcall"
	runAliveEvery  = 10 * time.Second
	runForgetAfter = time.Minute
)

func jobsSubject(run string) string     { return "vidsift.jobs." + run }
func resultsSubject(run string) string  { return "vidsift.results." + run }
func cancelSubject(run string) string   { return "vidsift.cancel." + run }
func progressSubject(run string) string { return "vidsift.progress." + run }
func noticeSubject(run string) string   { return "vidsift.notice." + run }
func maxDeliveriesAdvisory() string {
	return "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES." + jobsStream + "." + jobsConsumer
}

// Queue tunes redelivery. AckWait is how long a silent worker keeps a
// file: workers send a heartbeat every AckWait/3 while they scan, so only
// a dead one loses it. MaxDeliver bounds how often one file is handed out.
type Queue struct {
	AckWait    time.Duration
	MaxDeliver int
}

// DefaultQueue redelivers a dead worker's file after 30 s, five times at most.
var DefaultQueue = Queue{AckWait: 30 * time.Second, MaxDeliver: 5}

func (q Queue) orDefault() Queue {
	if q.AckWait <= 0 {
		q.AckWait = DefaultQueue.AckWait
	}
	if q.MaxDeliver <= 0 {
		q.MaxDeliver = DefaultQueue.MaxDeliver
	}
	return q
}

// Settings are what a job must be scanned with: what the scan finds
// (the model by its SHA-256 and input size; the text, by the text
// models' files), the thumbnails to send back (JPEG only: an image does
// not travel) and how long the file may take.
type Settings struct {
	Params scan.Params
	// TextModels are the SHA-256s of the text models' files (ocr's
	// DetectorFile, RecogniserFile and DictionaryFile, in this order) in
	// the models bucket, when Params.Text.On; Params.Text.Models is their
	// SHA-256 together.
	TextModels  [3]string
	Thumbs      pipeline.Thumbs
	FileTimeout time.Duration
}

// Job is one file to scan.
type Job struct {
	Protocol int
	Revision int // scan.ResultsRevision the results must have
	Run      string
	ID       string // unique in the run: the file's identity (jobID)
	Path     string // as the submitter sees it; workers may map it
	// Fingerprint is the file's content (engine/fingerprint) as the
	// submitter read it: a worker refuses a file at its (mapped) path
	// that differs.
	Fingerprint string
	Settings    Settings
}

// Result is what a worker sends back for a job: a small message naming
// the object that holds the full result (NATS payloads are 1 MB at most,
// and a file's thumbnails alone may be more).
type Result struct {
	Run    string
	ID     string
	Worker string
	Object string // in resultsBucket
	ScanS  float64
}

// Payload is the object a Result names.
type Payload struct {
	Result scan.FileResult
	Thumbs map[int][]byte
}

// Progress is a worker's word that it took a job.
type Progress struct {
	ID     string
	Worker string
}

// Notice is a worker's word to a run: a refusal and why.
type Notice struct {
	ID     string
	Worker string
	Text   string
}

// Presence is a worker saying it is there.
type Presence struct {
	Worker string
	Bye    bool
}

// jobID names a file's job in a run: its path and content, so a changed
// file is a new job and two copies of one file are two jobs.
func jobID(path, fingerprint string) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "%s\x00%s", path, fingerprint))
	return hex.EncodeToString(sum[:12])
}

// setup creates (or, with update, reconfigures) the streams, consumer and
// buckets that runs and workers share. Both sides call it, so either may
// come first; the submitter's queue settings win.
func setup(ctx context.Context, js jetstream.JetStream, q Queue, update bool) (jetstream.Stream, jetstream.Consumer, error) {
	q = q.orDefault()
	jobs, err := ensureStream(ctx, js, jetstream.StreamConfig{
		Name: jobsStream, Subjects: []string{"vidsift.jobs.>"}, Retention: jetstream.WorkQueuePolicy,
		Storage: jetstream.FileStorage, Duplicates: 10 * time.Minute,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("jobs stream: %w", err)
	}
	if _, err := ensureStream(ctx, js, jetstream.StreamConfig{
		Name: resultsStream, Subjects: []string{"vidsift.results.>"}, Retention: jetstream.WorkQueuePolicy,
		Storage: jetstream.FileStorage, MaxAge: 24 * time.Hour,
	}); err != nil {
		return nil, nil, fmt.Errorf("results stream: %w", err)
	}
	ccfg := jetstream.ConsumerConfig{
		Durable: jobsConsumer, AckPolicy: jetstream.AckExplicitPolicy,
		AckWait: q.AckWait, MaxDeliver: q.MaxDeliver, MaxAckPending: -1,
	}
	var cons jetstream.Consumer
	if update {
		cons, err = jobs.CreateOrUpdateConsumer(ctx, ccfg)
	} else if cons, err = jobs.Consumer(ctx, jobsConsumer); errors.Is(err, jetstream.ErrConsumerNotFound) {
		cons, err = jobs.CreateConsumer(ctx, ccfg)
		if errors.Is(err, jetstream.ErrConsumerExists) {
			cons, err = jobs.Consumer(ctx, jobsConsumer)
		}
	}
	if err != nil {
		return nil, nil, fmt.Errorf("jobs consumer: %w", err)
	}
	for _, b := range []jetstream.ObjectStoreConfig{
		{Bucket: modelsBucket, Description: "ONNX models by sha256", Storage: jetstream.FileStorage},
		{Bucket: resultsBucket, Description: "file results waiting for their run", Storage: jetstream.FileStorage, TTL: 24 * time.Hour},
	} {
		if _, err := js.ObjectStore(ctx, b.Bucket); errors.Is(err, jetstream.ErrBucketNotFound) {
			if _, err := js.CreateObjectStore(ctx, b); err != nil && !errors.Is(err, jetstream.ErrBucketExists) {
				return nil, nil, fmt.Errorf("object store %s: %w", b.Bucket, err)
			}
		} else if err != nil {
			return nil, nil, fmt.Errorf("object store %s: %w", b.Bucket, err)
		}
	}
	if _, err := js.KeyValue(ctx, runsBucket); errors.Is(err, jetstream.ErrBucketNotFound) {
		if _, err := js.CreateKeyValue(ctx, jetstream.KeyValueConfig{
			Bucket: runsBucket, TTL: runForgetAfter, Storage: jetstream.FileStorage,
		}); err != nil && !errors.Is(err, jetstream.ErrBucketExists) {
			return nil, nil, fmt.Errorf("runs bucket: %w", err)
		}
	} else if err != nil {
		return nil, nil, fmt.Errorf("runs bucket: %w", err)
	}
	return jobs, cons, nil
}

// ensureStream creates the stream of cfg, or finds it. It updates one only
// where its settings differ: every submitter and worker calls setup, and
// an update that changes nothing still rewrites the stream's store while
// others create consumers on it (which nats-server 2.15.2 does not
// guard: a data race between its UpdateConfig and ConsumerStore).
func ensureStream(ctx context.Context, js jetstream.JetStream, cfg jetstream.StreamConfig) (jetstream.Stream, error) {
	s, err := js.Stream(ctx, cfg.Name)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		s, err = js.CreateStream(ctx, cfg)
		if errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
			s, err = js.Stream(ctx, cfg.Name)
		}
	}
	if err != nil {
		return nil, err
	}
	have := s.CachedInfo().Config
	if !slices.Equal(have.Subjects, cfg.Subjects) || have.Retention != cfg.Retention || have.Storage != cfg.Storage ||
		have.Duplicates != cfg.Duplicates && cfg.Duplicates != 0 || have.MaxAge != cfg.MaxAge {
		return js.UpdateStream(ctx, cfg)
	}
	return s, nil
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only plain structs go through here
	}
	return b
}

// QueuedJobs counts the jobs waiting in the hub's queue, of every run
// (those a worker holds included, until it acks them).
func QueuedJobs(ctx context.Context, nc *nats.Conn) (uint64, error) {
	js, err := jetstream.New(nc)
	if err != nil {
		return 0, err
	}
	s, err := js.Stream(ctx, jobsStream)
	if err != nil {
		return 0, err
	}
	info, err := s.Info(ctx)
	if err != nil {
		return 0, err
	}
	return info.State.Msgs, nil
}
