package app

import (
	"context"
	"os"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/vidsift/vidsift/engine/cluster"
	"github.com/vidsift/vidsift/engine/detect"
	"github.com/vidsift/vidsift/engine/settings"
)

// TestRunOnCluster: with Run on set to a cluster, Start queues the files
// on the hub and says it waits for workers; once one joins, every file
// comes back scanned by it, into the grid, and the setting is remembered.
func TestRunOnCluster(t *testing.T) {
	withModel(t)
	videos := shared(t, "testdata/videos")
	auth := cluster.Auth{Token: "t0k3n"}
	hub, err := cluster.StartHub(cluster.HubOptions{Listen: "127.0.0.1:0", StoreDir: t.TempDir(), Auth: auth})
	if err != nil {
		t.Fatal(err)
	}
	defer hub.Shutdown()

	u, loop := newTestUI(t)
	u.settings.runOn.setCluster(hub.URL())
	u.settings.runOn.token.SetText(auth.Token)
	drop(u, videos)
	test.Tap(u.toolbar.start)
	loop.until(t, "waiting for workers", func() bool { return strings.Contains(u.progress.label.Text, "waiting for workers") })

	// A worker joins, in this process (ONNX Runtime is loaded already).
	nc, err := cluster.Connect(hub.URL(), auth, "test worker")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan error, 1)
	go func() {
		stopped <- cluster.RunWorker(ctx, nc, cluster.WorkerOptions{
			Name: "in-process", Workers: 1, Threads: 1, Models: cluster.ModelCache{Dir: t.TempDir()},
			LoadModel: func(path string) (*detect.Model, error) {
				return detect.Load(path, detect.Options{IntraOpThreads: 1})
			},
		})
	}()
	defer func() {
		cancel()
		if err := <-stopped; err != nil {
			t.Errorf("worker: %v", err)
		}
		nc.Close()
	}()
	loop.until(t, "the run to finish", func() bool { return !u.activity.Running() })

	entries, err := os.ReadDir(videos)
	if err != nil {
		t.Fatal(err)
	}
	results := u.Results().Results(nil)
	if len(results) != len(entries) {
		t.Fatalf("%d results for %d videos", len(results), len(entries))
	}
	frames := 0
	for _, r := range results {
		if r.Status != "ok" || r.Worker != "in-process" || len(r.Frames) == 0 {
			t.Errorf("%s: %s by %q with %d frames (%s)", r.Path, r.Status, r.Worker, len(r.Frames), r.Error)
		}
		frames += len(r.Frames)
	}
	if len(u.Shown()) != frames {
		t.Errorf("grid shows %d of %d frames", len(u.Shown()), frames)
	}
	if st := loadState(u.statePath); st.Settings[settings.Nats] != hub.URL() || st.OnCluster == nil || !*st.OnCluster {
		t.Errorf("Run on not remembered: %+v", st)
	}
}
