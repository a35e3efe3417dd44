package pipeline

import "time"

// Summary totals a run.
type Summary struct {
	Files   int // files finished (ok + partial + failed)
	OK      int
	Partial int
	Failed  int
	Skipped int // files whose stored results were reused instead of scanning
	// ResultsDBErrors counts finished files the library failed to keep.
	ResultsDBErrors int
	Ignored         int
	Cancelled       int // files queued but not finished because the run was cancelled
	Frames          int // analysed frames (keyframes and gap frames)
	Keyframes       int // of which keyframes
	Inferences      int // frames the model ran on (the others repeat a similar frame's detections)
	Detections      int
	ModelLoads      int64
	Elapsed         time.Duration
	// InferenceBusy is the wall time during which at least one inference ran.
	InferenceBusy time.Duration
	// FirstResult is the time from the run's start to its first analysed frame.
	FirstResult time.Duration
	// PeakRSS is the process's peak resident memory in bytes when the run
	// ended (Linux; 0 elsewhere).
	PeakRSS int64
}

// Add counts one finished file into the summary.
func (s *Summary) Add(res FileResult) {
	s.Files++
	switch res.Status {
	case StatusOK:
		s.OK++
	case StatusPartial:
		s.Partial++
	default:
		s.Failed++
	}
	s.Frames += len(res.Frames)
	for _, k := range res.Frames {
		if k.Key {
			s.Keyframes++
		}
		if !k.Reused {
			s.Inferences++
		}
		s.Detections += len(k.Detections)
	}
}
