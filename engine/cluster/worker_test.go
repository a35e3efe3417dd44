package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/vidsift/vidsift/engine/detect"
	"github.com/vidsift/vidsift/engine/scan"
)

// TestWorkerRefusesWhatItCannotHonour: a job of another results revision
// or protocol, or with a field this worker does not know (a setting of a
// newer build it would otherwise scan without), is refused with a reason
// sent to its run, without loading a model, and stays queued for a worker
// that can honour it.
func TestWorkerRefusesWhatItCannotHonour(t *testing.T) {
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
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan error, 1)
	go func() {
		stopped <- RunWorker(ctx, nc, WorkerOptions{Name: "old", Models: ModelCache{Dir: t.TempDir()},
			LoadModel: func(string) (*detect.Model, error) {
				t.Error("the worker loaded a model for a job it must refuse")
				return nil, errors.New("no")
			}})
	}()
	defer func() {
		cancel()
		if err := <-stopped; err != nil {
			t.Error(err)
		}
	}()

	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := setup(ctx, js, Queue{}, true); err != nil {
		t.Fatal(err)
	}
	runs, err := js.KeyValue(ctx, runsBucket)
	if err != nil {
		t.Fatal(err)
	}
	// A job as protocol 1 wrote it, word for word.
	const protocol1 = `{"Protocol":1,"Revision":3,"Run":"v1","ID":"c","Path":"/z.mp4","Settings":{"ModelSHA":"83de8f0d","ModelSize":0,` +
		`"Confidence":0.25,"IoU":0.7,"Sampling":{"MaxGap":2,"MinGap":0.5},"ReuseSimilar":true,"ThumbSize":0,"FileTimeout":600000000000}}`
	// Today's job with a setting this build does not know.
	unknown := strings.Replace(string(mustJSON(Job{Protocol: Protocol, Revision: scan.ResultsRevision, Run: "future", ID: "d", Path: "/w.mp4",
		Settings: Settings{Params: scan.DefaultParams()}})), `"ReuseSimilar":true`, `"ReuseSimilar":true,"Cuts":true`, 1)
	if !strings.Contains(unknown, `"Cuts":true`) {
		t.Fatalf("no unknown field in %s", unknown)
	}
	// A job of protocol 6 reading text: its worker read none (a worker of
	// 6 refuses today's jobs by their protocol alike, in readJob).
	protocol6 := strings.Replace(string(mustJSON(Job{Protocol: 6, Revision: scan.ResultsRevision, Run: "v6", ID: "e", Path: "/v.mp4",
		Settings: Settings{Params: scan.DefaultParams()}})), `"TextModels":["","",""],`, "", 1)
	if strings.Contains(protocol6, "TextModels") || !strings.Contains(protocol6, `"Text":{"On":true`) {
		t.Fatalf("not a protocol 6 job reading text: %s", protocol6)
	}
	for _, c := range []struct {
		job  Job
		raw  string // the message, when not job
		want string
	}{
		{Job{Protocol: Protocol, Revision: scan.ResultsRevision + 1, Run: "newer", ID: "a", Path: "/x.mp4"}, "", "results revision"},
		{Job{Protocol: Protocol + 1, Revision: scan.ResultsRevision, Run: "stranger", ID: "b", Path: "/y.mp4"}, "", "protocol"},
		{Job{Run: "v1", ID: "c"}, protocol1, "job protocol 1, this worker speaks " + strconv.Itoa(Protocol)},
		{Job{Run: "future", ID: "d"}, unknown, `cannot read the job completely (json: unknown field "Cuts")`},
		{Job{Run: "v6", ID: "e"}, protocol6, "job protocol 6, this worker speaks " + strconv.Itoa(Protocol)},
	} {
		msg := mustJSON(c.job)
		if c.raw != "" {
			msg = []byte(c.raw)
		}
		if _, err := runs.Put(ctx, c.job.Run, []byte("alive")); err != nil {
			t.Fatal(err)
		}
		notices, err := nc.SubscribeSync(noticeSubject(c.job.Run))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := js.Publish(ctx, jobsSubject(c.job.Run), msg); err != nil {
			t.Fatal(err)
		}
		m, err := notices.NextMsg(time.Minute)
		if err != nil {
			t.Fatalf("%s: no notice: %v", c.want, err)
		}
		var n Notice
		if err := json.Unmarshal(m.Data, &n); err != nil {
			t.Fatal(err)
		}
		if n.Worker != "old" || n.ID != c.job.ID || !strings.Contains(n.Text, c.want) {
			t.Errorf("notice %+v; want worker old, job %s, %q", n, c.job.ID, c.want)
		}
	}
	if n, err := QueuedJobs(ctx, nc); err != nil || n != 5 {
		t.Errorf("queued jobs after the refusals: %d, %v; want 5", n, err)
	}
}

// TestHubRefusesOpenListen: beyond loopback only with credentials.
func TestHubRefusesOpenListen(t *testing.T) {
	for _, listen := range []string{"0.0.0.0:0", "[::]:0"} {
		if _, err := StartHub(HubOptions{Listen: listen, StoreDir: t.TempDir()}); !errors.Is(err, ErrOpenHub) || strings.Contains(err.Error(), "--token") {
			t.Errorf("%s without credentials: %v", listen, err)
		}
	}
	hub, err := StartHub(HubOptions{Listen: "0.0.0.0:0", StoreDir: t.TempDir(), Auth: Auth{Token: "t"}})
	if err != nil {
		t.Fatalf("0.0.0.0 with a token: %v", err)
	}
	hub.Shutdown()
	if _, err := StartHub(HubOptions{Listen: "127.0.0.1:0", StoreDir: t.TempDir(), Auth: Auth{User: "u"}}); err == nil {
		t.Error("a user without a password was accepted")
	}
}
