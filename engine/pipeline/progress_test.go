package pipeline

import (
	"testing"
	"time"

	"github.com/vidsift/vidsift/engine/scan"
)

func TestProgress(t *testing.T) {
	clock := time.Unix(0, 0)
	p := &Progress{now: func() time.Time { return clock }}
	p.started = clock
	if p.ETA() != 0 || p.Rate() != 0 || p.Fraction() != 0 {
		t.Error("numbers before the run started")
	}
	p.Apply(scan.RunStarted{Files: 4})
	p.Apply(scan.FileStarted{Path: "/a/b/one.mp4"})
	for i := 0; i < 10; i++ {
		p.Apply(scan.FrameAnalysed{})
	}
	clock = clock.Add(5 * time.Second)
	p.Apply(scan.FileFinished{})
	if p.Current != "one.mp4" || p.Done != 1 || p.Total != 4 || p.Fraction() != 0.25 {
		t.Errorf("%+v", p)
	}
	if p.Rate() != 2 {
		t.Errorf("rate %v, want 2 frames/s", p.Rate())
	}
	if p.ETA() != 15*time.Second {
		t.Errorf("ETA %v, want 15s", p.ETA())
	}
	// A 2-hour recording says how far into it the scan is; a short clip
	// and frames of another file started earlier do not.
	p.Apply(scan.FileStarted{Path: "/a/long.mkv"})
	p.Apply(scan.FrameAnalysed{Path: "/a/long.mkv", Frame: scan.Frame{Time: 750}, Duration: 7200})
	p.Apply(scan.FrameAnalysed{Path: "/a/b/one.mp4", Frame: scan.Frame{Time: 9}, Duration: 10})
	if got := p.Where(); got != "12:30 of 2:00:00" {
		t.Errorf("where %q", got)
	}
	p.Apply(scan.FileStarted{Path: "/a/short.mp4"})
	p.Apply(scan.FrameAnalysed{Path: "/a/short.mp4", Frame: scan.Frame{Time: 4}, Duration: 20})
	if got := p.Where(); got != "" {
		t.Errorf("a 20 s clip: where %q", got)
	}
}
