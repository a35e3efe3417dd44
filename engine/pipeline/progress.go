package pipeline

import (
	"path/filepath"
	"time"

	"github.com/vidsift/vidsift/engine/scan"
)

// Progress follows a run's events and says how far it is. It is not safe
// for concurrent use: feed it from the goroutine that drains the events.
type Progress struct {
	Total   int    // files in the run
	Done    int    // files finished
	Frames  int    // frames analysed (keyframes and gap frames)
	Current string // base name of the file most recently started
	// Position and Length say how far into Current the scan is, in
	// seconds (Length 0: unknown, or a photo): a 2-hour recording is
	// one file for a long time.
	Position, Length float64
	currentPath      string
	started          time.Time
	now              func() time.Time
}

// NewProgress starts the clock.
func NewProgress() *Progress {
	p := &Progress{now: time.Now}
	p.started = p.now()
	return p
}

// Apply takes one event into account.
func (p *Progress) Apply(ev scan.Event) {
	switch e := ev.(type) {
	case scan.RunStarted:
		p.Total = e.Files
	case scan.FileStarted:
		p.Current, p.currentPath = filepath.Base(e.Path), e.Path
		p.Position, p.Length = 0, 0
	case scan.FrameAnalysed:
		if !e.FromLibrary {
			p.Frames++
		}
		if e.Path == p.currentPath {
			p.Position, p.Length = e.Frame.Time, e.Duration
		}
	case scan.FileFinished:
		p.Done++
	}
}

// Elapsed is the time since NewProgress.
func (p *Progress) Elapsed() time.Duration { return p.now().Sub(p.started) }

// Rate is frames analysed per second so far.
func (p *Progress) Rate() float64 {
	if s := p.Elapsed().Seconds(); s > 0 {
		return float64(p.Frames) / s
	}
	return 0
}

// ETA extrapolates the remaining time from the files done so far; it is 0
// (unknown) until the first file finishes.
func (p *Progress) ETA() time.Duration {
	if p.Done == 0 || p.Total <= p.Done {
		return 0
	}
	per := p.Elapsed().Seconds() / float64(p.Done)
	return time.Duration(per * float64(p.Total-p.Done) * float64(time.Second)).Round(time.Second)
}

// Fraction is Done/Total (0 when the total is not known yet).
func (p *Progress) Fraction() float64 {
	if p.Total == 0 {
		return 0
	}
	return float64(p.Done) / float64(p.Total)
}

// Where says how far into the current file the scan is, "12:30 of
// 2:00:00", for files of a minute or more; "" otherwise.
func (p *Progress) Where() string {
	if p.Length < 60 {
		return ""
	}
	return scan.Clock(p.Position, scan.Seconds) + " of " + scan.Clock(p.Length, scan.Seconds)
}
