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
	Keyframes       int
	Detections      int
	ModelLoads      int64
	Elapsed         time.Duration
	// InferenceBusy is the wall time during which at least one inference ran.
	InferenceBusy time.Duration
	// FirstResult is the time from the run's start to its first analysed keyframe.
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
	s.Keyframes += len(res.Keyframes)
	for _, k := range res.Keyframes {
		s.Detections += len(k.Detections)
	}
}
