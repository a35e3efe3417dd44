package cluster

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/vidsift/vidsift/engine/detect"
	"github.com/vidsift/vidsift/engine/ocr"
	"github.com/vidsift/vidsift/engine/pipeline"
	"github.com/vidsift/vidsift/engine/query"
	"github.com/vidsift/vidsift/engine/scan"
	"github.com/vidsift/vidsift/internal/testenv"
)

// textModelNames are the files of a text models folder, in the order
// ocr.Reader.SHA256 hashes them.
var textModelNames = [3]string{ocr.DetectorFile, ocr.RecogniserFile, ocr.DictionaryFile}

// loadDetector loads ONNX Runtime and the shared YOLOv8n, as a front end does.
func loadDetector(t *testing.T) *detect.Model {
	t.Helper()
	if err := detect.Init(testenv.Library(t)); err != nil {
		t.Fatal(err)
	}
	m, err := detect.Load(testenv.Model(t), detect.Options{IntraOpThreads: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	return m
}

// loadTextReader loads the shared text models for t's settings.
func loadTextReader(t *testing.T, text scan.Text) *ocr.Reader {
	t.Helper()
	r, err := ocr.Load(testenv.Shared(t, "models/ocr"), ocr.Options{Session: detect.Options{IntraOpThreads: 1},
		DetectSide: text.DetectSide, MinConfidence: text.MinConfidence})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	return r
}

// startTestWorker runs a worker in this process on its own connection,
// with cache as its model cache, until the test ends or the returned
// func stops it.
func startTestWorker(t *testing.T, url, name, cache string) (stop func()) {
	t.Helper()
	nc, err := Connect(url, Auth{}, name)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan error, 1)
	go func() {
		stopped <- RunWorker(ctx, nc, WorkerOptions{Name: name, Workers: 1, Threads: 1, Models: ModelCache{Dir: cache},
			LoadModel: func(path string) (*detect.Model, error) { return detect.Load(path, detect.Options{IntraOpThreads: 1}) }})
	}()
	done := false
	stop = func() {
		if done {
			return
		}
		done = true
		cancel()
		if err := <-stopped; err != nil {
			t.Errorf("worker %s: %v", name, err)
		}
		nc.Close()
	}
	t.Cleanup(stop)
	return stop
}

// scanFile scans path with cfg to the end (until ctx ends, for a run that
// cannot finish); onNotice sees the run's notices.
func scanFile(ctx context.Context, t *testing.T, cfg pipeline.Config, path string, onNotice func(string)) scan.FileResult {
	t.Helper()
	var res scan.FileResult
	for ev := range pipeline.Run(ctx, cfg, []string{path}) {
		switch e := ev.(type) {
		case scan.FileFinished:
			res = e.Result
		case scan.Notice:
			if onNotice != nil {
				onNotice(e.Text)
			}
		case scan.RunFinished:
			if e.Err != nil && ctx.Err() == nil {
				t.Fatalf("scan of %s: %v", path, e.Err)
			}
		}
	}
	return res
}

func readText(res scan.FileResult) string {
	var b strings.Builder
	for _, k := range res.Frames {
		for _, l := range k.Text {
			b.WriteString(l.Text + " ")
		}
	}
	return b.String()
}

// sameText reports how the text of the frames of got differs from want's.
func sameText(t *testing.T, got, want scan.FileResult) {
	t.Helper()
	if len(got.Frames) != len(want.Frames) {
		t.Fatalf("%d frames, locally %d", len(got.Frames), len(want.Frames))
	}
	for i, k := range got.Frames {
		w := want.Frames[i]
		if k.Index != w.Index || len(k.Text) != len(w.Text) {
			t.Errorf("frame %d: %d text lines %v; locally frame %d, %d lines %v", k.Index, len(k.Text), k.Text, w.Index, len(w.Text), w.Text)
			continue
		}
		for j, l := range k.Text {
			wl := w.Text[j]
			if l.Text != wl.Text || math.Abs(float64(l.Confidence-wl.Confidence)) > 1e-3 {
				t.Errorf("frame %d line %d: %q (%.3f), locally %q (%.3f)", k.Index, j, l.Text, l.Confidence, wl.Text, wl.Confidence)
			}
			for c := range l.Box {
				if math.Abs(l.Box[c]-wl.Box[c]) > 1 {
					t.Errorf("frame %d line %q: box %v, locally %v", k.Index, l.Text, l.Box, wl.Box)
					break
				}
			}
		}
	}
}

// TestClusterReadsText: a worker reads the text in frames as a local scan
// does, with the text models it fetched from the hub (the submitter's,
// byte for byte); it fetches them once, keeps them for other settings,
// and a text model corrupt in the hub's bucket is refused with a reason
// the run shows, leaving nothing in the worker's cache.
func TestClusterReadsText(t *testing.T) {
	video := testenv.Fixture(t, "text/lower_third.mp4")
	det := loadDetector(t)
	settings := scan.Settings{Params: scan.DefaultParams(), Workers: 1, Threads: 1, IntraOpThreads: 1}
	reader := loadTextReader(t, settings.Text)
	local := pipeline.NewConfig(det, reader, settings)
	want := scanFile(context.Background(), t, local, video, nil)
	if want.Status != scan.StatusOK || want.TextKey == "" || !(query.Text{Words: "Maria Lopez"}).In(readText(want)) {
		t.Fatalf("local scan: %s %q, text key %q, text %q", want.Status, want.Error, want.TextKey, readText(want))
	}

	hub, err := StartHub(HubOptions{Listen: "127.0.0.1:0", StoreDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer hub.Shutdown()
	nc, err := Connect(hub.URL(), Auth{}, "submitter")
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	cache1 := t.TempDir()
	stop1 := startTestWorker(t, hub.URL(), "w1", cache1)

	remote := local
	remote.Remote = NewSubmitter(nc, Queue{})
	got := scanFile(context.Background(), t, remote, video, nil)
	if got.Status != scan.StatusOK || got.Worker != "w1" {
		t.Fatalf("cluster scan: %s by %q: %s", got.Status, got.Worker, got.Error)
	}
	if got.TextKey != want.TextKey {
		t.Errorf("cluster text key %q, local %q", got.TextKey, want.TextKey)
	}
	sameText(t, got, want)

	// The worker keeps the submitter's text models, byte for byte.
	shas := [3]string{}
	for i, name := range textModelNames {
		data, err := os.ReadFile(filepath.Join(testenv.Shared(t, "models/ocr"), name))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		shas[i] = hex.EncodeToString(sum[:])
		kept, err := os.ReadFile(filepath.Join(cache1, "ocr-"+reader.SHA256(), name))
		if err != nil {
			t.Errorf("the worker's text models: %v", err)
		} else if sha256.Sum256(kept) != sum {
			t.Errorf("the worker's %s differs from the submitter's", name)
		}
	}

	// The dictionary in the hub's bucket goes bad. A worker that fetched
	// the models already does not fetch them again, for other settings
	// too; the submitter, finding them there, does not share them again.
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	obs, err := js.ObjectStore(context.Background(), modelsBucket)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := obs.PutBytes(context.Background(), shas[2], []byte("not the dictionary\n")); err != nil {
		t.Fatal(err)
	}
	stricter := settings
	stricter.Text.MinConfidence = 0.6
	remote2 := pipeline.NewConfig(det, loadTextReader(t, stricter.Text), stricter)
	remote2.Remote = remote.Remote
	again := scanFile(context.Background(), t, remote2, video, func(n string) {
		if strings.Contains(n, "does not scan") {
			t.Errorf("the worker fetched the text models again: %s", n)
		}
	})
	if again.Status != scan.StatusOK || again.TextKey != remote2.Text.Key() || again.TextKey == got.TextKey || readText(again) == "" {
		t.Errorf("second cluster scan: %s %q, text key %q (want %q), text %q", again.Status, again.Error, again.TextKey, remote2.Text.Key(), readText(again))
	}

	// A worker without them fetches the bad dictionary and refuses the job.
	stop1()
	cache2 := t.TempDir()
	startTestWorker(t, hub.URL(), "w2", cache2)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var refusal string
	res := scanFile(ctx, t, remote, video, func(n string) {
		if strings.Contains(n, "worker w2 does not scan") {
			refusal = n
			cancel()
		}
	})
	if refusal == "" {
		t.Fatalf("no refusal; the file came back %s (%q), text key %q", res.Status, res.Error, res.TextKey)
	}
	t.Log(refusal)
	for _, want := range []string{ocr.DictionaryFile, short(shas[2]), "sha256"} {
		if !strings.Contains(refusal, want) {
			t.Errorf("refusal %q does not say %q", refusal, want)
		}
	}
	entries, err := os.ReadDir(cache2)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "ocr") {
			t.Errorf("the refused text models left %s in the worker's cache", e.Name())
		}
	}
}

// TestWorkerTextModelsChecked: text models are fetched only as the job
// names them: files that do not hash together to the job's text models,
// or a name that is not a sha256, are refused and leave nothing in the
// cache; a cached folder whose models are not the job's is refused and
// removed.
func TestWorkerTextModelsChecked(t *testing.T) {
	if err := detect.Init(testenv.Library(t)); err != nil {
		t.Fatal(err)
	}
	reader := loadTextReader(t, scan.DefaultParams().Text)
	hub, err := StartHub(HubOptions{Listen: "127.0.0.1:0", StoreDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer hub.Shutdown()
	nc, err := Connect(hub.URL(), Auth{}, "test")
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	ctx := context.Background()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := setup(ctx, js, Queue{}, true); err != nil {
		t.Fatal(err)
	}
	files, err := hashTextModels(reader)
	if err != nil {
		t.Fatal(err)
	}
	if err := shareTextModels(ctx, js, reader, files); err != nil {
		t.Fatal(err)
	}
	cache := ModelCache{Dir: t.TempDir()}
	other := strings.Repeat("ab", 32) // a sha256, not of these models
	for _, c := range []struct{ models, want string }{
		{other, "together have sha256"},
		{"../../elsewhere", "not a sha256"},
	} {
		if _, err := cache.fetchText(ctx, js, files, c.models); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("text models %q: %v; want %q", c.models, err, c.want)
		}
	}
	if entries, _ := os.ReadDir(cache.Dir); len(entries) != 0 {
		t.Errorf("refused text models left %v in the cache", entries)
	}
	dir, err := cache.fetchText(ctx, js, files, reader.SHA256())
	if err != nil || dir != cache.TextDir(reader.SHA256()) {
		t.Fatalf("fetching the text models: %q, %v", dir, err)
	}

	// The job's models by name, others in the folder.
	w := &worker{o: WorkerOptions{Name: "w", Models: cache, Log: slog.New(slog.DiscardHandler)}, js: js, readers: map[scan.Text]*ocr.Reader{}}
	defer w.closeModels()
	if err := os.Rename(dir, cache.TextDir(other)); err != nil {
		t.Fatal(err)
	}
	job := Settings{Params: scan.DefaultParams(), TextModels: files}
	job.Params.Text.Models = other
	if r, err := w.textReader(ctx, job); r != nil || err == nil || !strings.Contains(err.Error(), "changed in its cache") {
		t.Errorf("a cached folder of other models: %v, %v", r, err)
	}
	if _, err := os.Stat(cache.TextDir(other)); !os.IsNotExist(err) {
		t.Errorf("the folder of other models is still cached: %v", err)
	}
	job.Params.Text.Models = reader.SHA256()
	if r, err := w.textReader(ctx, job); err != nil || r.SHA256() != reader.SHA256() {
		t.Errorf("the job's models: %v", err)
	}
}
