package pipeline

import (
	"testing"
	"time"
)

func TestProgress(t *testing.T) {
	clock := time.Unix(0, 0)
	p := &Progress{now: func() time.Time { return clock }}
	p.started = clock
	if p.ETA() != 0 || p.Rate() != 0 || p.Fraction() != 0 {
		t.Error("numbers before the run started")
	}
	p.Apply(RunStarted{Files: 4})
	p.Apply(FileStarted{Path: "/a/b/one.mp4"})
	for i := 0; i < 10; i++ {
		p.Apply(KeyframeAnalysed{})
	}
	clock = clock.Add(5 * time.Second)
	p.Apply(FileFinished{})
	if p.Current != "one.mp4" || p.Done != 1 || p.Total != 4 || p.Fraction() != 0.25 {
		t.Errorf("%+v", p)
	}
	if p.Rate() != 2 {
		t.Errorf("rate %v, want 2 keyframes/s", p.Rate())
	}
	if p.ETA() != 15*time.Second {
		t.Errorf("ETA %v, want 15s", p.ETA())
	}
}

func TestActivityRefusesSecondRun(t *testing.T) {
	var a Activity
	cfg := Config{} // no model: the run ends at once for an empty input list
	ch, err := a.Start(t.Context(), cfg, []string{t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Start(t.Context(), cfg, nil); err != ErrBusy || !a.Running() {
		t.Errorf("second Start while the first is undrained: %v", err)
	}
	for range ch {
	}
	a.Wait()
	if a.Running() {
		t.Error("still running after the channel closed")
	}
	ch, err = a.Start(t.Context(), cfg, nil)
	if err != nil {
		t.Fatalf("Start after the first run ended: %v", err)
	}
	for range ch {
	}
}
