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
		p.Apply(FrameAnalysed{})
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
