package pipeline

import (
	"context"
	"errors"
	"sync"

	"github.com/vidsift/vidsift/engine/scan"
)

// ErrBusy is returned by Activity.Start while a run is going on.
var ErrBusy = errors.New("a scan is already running")

// Activity runs one scan at a time and lets any goroutine cancel it. A
// second Start while one runs is refused rather than queued.
type Activity struct {
	mu     sync.Mutex
	cancel context.CancelFunc
	done   chan struct{}
}

// Start begins a run and returns its events. The channel closes after
// RunFinished; until then Running reports true.
func (a *Activity) Start(parent context.Context, cfg Config, inputs []string) (<-chan scan.Event, error) {
	return a.Begin(parent, func(ctx context.Context) <-chan scan.Event { return Run(ctx, cfg, inputs) })
}

// Begin is Start for any activity whose events run gives until its
// context ends (engine/watch's Run, say): one at a time, cancelled alike.
func (a *Activity) Begin(parent context.Context, run func(context.Context) <-chan scan.Event) (<-chan scan.Event, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.cancel != nil {
		return nil, ErrBusy
	}
	ctx, cancel := context.WithCancel(parent)
	a.cancel = cancel
	a.done = make(chan struct{})
	in := run(ctx)
	// Unbuffered: the run counts as going on until its consumer has taken
	// RunFinished, so a UI never sees "idle" with events still in flight.
	out := make(chan scan.Event)
	done := a.done
	go func() {
		defer func() {
			cancel()
			a.mu.Lock()
			a.cancel = nil
			a.mu.Unlock()
			close(done)
			close(out)
		}()
		for ev := range in {
			out <- ev
		}
	}()
	return out, nil
}

// Running reports whether a run is in progress.
func (a *Activity) Running() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.cancel != nil
}

// Cancel asks the current run, if any, to stop. It does not wait.
func (a *Activity) Cancel() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.cancel != nil {
		a.cancel()
	}
}

// Wait blocks until the current run, if any, has closed its channel. The
// caller must keep draining the events meanwhile.
func (a *Activity) Wait() {
	a.mu.Lock()
	done := a.done
	a.mu.Unlock()
	if done != nil {
		<-done
	}
}
