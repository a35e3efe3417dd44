package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/vidsift/vidsift/engine/pipeline"
	"github.com/vidsift/vidsift/engine/scan"
	"github.com/vidsift/vidsift/engine/watch"
)

// WatchReport is what a watch costs: how soon a settled file's result is
// in the library, and the CPU an idle watch of a large tree uses.
type WatchReport struct {
	SettleSec float64        `json:"settle_s"`
	Latency   []WatchLatency `json:"latency"`
	// The idle tree: TreeFiles media files (tiny, not decodable: the
	// first scan fails each at once) in TreeFolders folders, watched for
	// IdleSec after the first scan; IdleCPUPercent is of one core.
	TreeFiles      int     `json:"tree_files"`
	TreeFolders    int     `json:"tree_folders"`
	IdleSec        float64 `json:"idle_s"`
	IdleCPUPercent float64 `json:"idle_cpu_percent"`
	// WalkMs is one walk of the tree (what --poll costs each time).
	WalkMs float64 `json:"walk_ms"`
}

// WatchLatency is one clip copied into a watched folder: from the moment
// it settled (its last write + SettleSec) to its result in the library.
type WatchLatency struct {
	Name       string  `json:"name"`
	LatencySec float64 `json:"latency_s"`
}

// watchCosts measures the latency on o.Clips and the idle CPU on a tree of
// o.WatchFiles files over o.WatchIdle.
func (rep *Report) watchCosts(ctx context.Context, o Options) error {
	wr := &WatchReport{SettleSec: watch.DefaultSettle.Seconds()}
	rep.Watch = wr
	dir, err := os.MkdirTemp("", "vidsift-bench-watch-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	ls, err := openLibraryScan(dir, o.Model)
	if err != nil {
		return err
	}
	defer ls.close()
	cfg := ls.config()

	incoming := filepath.Join(dir, "incoming")
	if err := os.MkdirAll(incoming, 0o755); err != nil {
		return err
	}
	wctx, stop := context.WithCancel(ctx)
	events := watch.Run(wctx, cfg, []string{incoming}, watch.Options{})
	if err := waitFor(events, func(ev scan.Event) bool { _, ok := ev.(scan.Watching); return ok }); err != nil {
		stop()
		return err
	}
	for _, c := range o.Clips {
		dst := filepath.Join(incoming, filepath.Base(c))
		o.Log("watch: %s copied in", filepath.Base(c))
		b, err := os.ReadFile(c)
		if err == nil {
			err = os.WriteFile(dst, b, 0o644)
		}
		if err != nil {
			stop()
			return err
		}
		settled := time.Now().Add(watch.DefaultSettle)
		if err := waitFor(events, func(ev scan.Event) bool {
			f, ok := ev.(scan.FileFinished)
			return ok && f.Result.Path == dst
		}); err != nil {
			stop()
			return err
		}
		wr.Latency = append(wr.Latency, WatchLatency{Name: filepath.Base(c), LatencySec: time.Since(settled).Seconds()})
	}
	stop()
	for range events {
	}
	if o.WatchFiles <= 0 {
		return nil
	}

	tree := filepath.Join(dir, "tree")
	wr.TreeFiles, wr.TreeFolders = o.WatchFiles, 1+(o.WatchFiles+99)/100
	for i := 0; i < o.WatchFiles; i++ {
		p := filepath.Join(tree, fmt.Sprintf("%03d", i/100), fmt.Sprintf("%05d.mp4", i))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(fmt.Sprint("not a video ", i)), 0o644); err != nil {
			return err
		}
	}
	o.Log("watch: the first scan of %d files", o.WatchFiles)
	wctx, stop = context.WithCancel(ctx)
	defer stop()
	events = watch.Run(wctx, cfg, []string{tree}, watch.Options{})
	done := 0
	if err := waitFor(events, func(ev scan.Event) bool {
		if _, ok := ev.(scan.FileFinished); ok {
			done++
		}
		return done == o.WatchFiles
	}); err != nil {
		return err
	}
	o.Log("watch: idle for %s", o.WatchIdle)
	before := cpuTime()
	start := time.Now()
	idle := time.NewTimer(o.WatchIdle)
	defer idle.Stop()
	for waiting := true; waiting; {
		select {
		case ev := <-events:
			if _, ok := ev.(scan.FileFinished); ok {
				return fmt.Errorf("an idle watch scanned %v", ev)
			}
		case <-idle.C:
			waiting = false
		}
	}
	wall := time.Since(start)
	wr.IdleSec = wall.Seconds()
	wr.IdleCPUPercent = 100 * (cpuTime() - before).Seconds() / wall.Seconds()
	walkStart := time.Now()
	n := len(pipeline.Discover([]string{tree}))
	wr.WalkMs = float64(time.Since(walkStart).Microseconds()) / 1000
	if n != o.WatchFiles {
		return fmt.Errorf("the walk found %d of %d files", n, o.WatchFiles)
	}
	stop()
	for range events {
	}
	return nil
}

// waitFor reads events until done says so (or they end: an error).
func waitFor(events <-chan scan.Event, done func(scan.Event) bool) error {
	for ev := range events {
		if done(ev) {
			return nil
		}
	}
	return fmt.Errorf("the watch ended early")
}

// cpuTime is the CPU this process used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
