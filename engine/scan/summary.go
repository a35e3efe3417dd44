package scan

import "time"

// Summary totals a run.
type Summary struct {
	Files   int // files finished (ok + partial + failed)
	OK      int
	Partial int
	Failed  int
	Skipped int // files whose stored results were reused instead of scanning
	// Fingerprinted counts the files the library read to know their
	// content (the others' fingerprints were cached for their size and mtime).
	Fingerprinted int
	// LibraryErrors counts finished files the library failed to keep.
	LibraryErrors int
	Ignored       int
	Cancelled     int // files queued but not finished because the run was cancelled
	Frames        int // analysed frames (keyframes, gap frames and cut frames)
	Keyframes     int // of which keyframes
	Cuts          int // of which cut frames
	Inferences    int // frames the model ran on in this run (the others repeat a similar frame's detections, or come from the library)
	// TextFrames counts the frames whose text this run read (the others
	// repeat a similar frame's, come from the library, or read none);
	// TextBoxes the text boxes found in them, TextRead those the
	// recogniser read (the others looked as in the frame before).
	// TextCleared counts the TextFrames the text detector's probe found
	// without text (the full detection did not run).
	TextFrames  int
	TextCleared int
	TextBoxes   int
	TextRead    int
	Detections  int
	ModelLoads  int64
	Elapsed     time.Duration
	// InferenceBusy is the wall time during which at least one inference ran.
	InferenceBusy time.Duration
	// FirstResult is the time from the run's start to its first analysed frame.
	FirstResult time.Duration
	// PeakRSS is the process's peak resident memory in bytes when the run
	// ended (Linux; 0 elsewhere).
	PeakRSS int64
}

// Add counts one finished file into the summary; a file the library
// answered for (fromLibrary) counts no inference.
func (s *Summary) Add(res FileResult, fromLibrary bool) {
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
		switch k.Kind {
		case KeyFrame:
			s.Keyframes++
		case CutFrame:
			s.Cuts++
		}
		if !k.Reused && !fromLibrary {
			s.Inferences++
		}
		s.Detections += len(k.Detections)
	}
}

// SparseKeyframes is the keyframe interval, in seconds, above which a scan
// of keyframes only may miss what is on screen between them.
const SparseKeyframes = 5.0

// SparseKeyframeFiles counts the results whose keyframes lie more than
// SparseKeyframes apart, and the widest interval among them: what both
// front ends warn about when the scan looked at keyframes only.
func SparseKeyframeFiles(results []FileResult) (files int, widest float64) {
	for _, r := range results {
		if k := r.Media.KeyframeInterval; k > SparseKeyframes {
			files, widest = files+1, max(widest, k)
		}
	}
	return files, widest
}
