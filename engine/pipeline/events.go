package pipeline

// Event is sent on a run's channel; it is one of the types below.
type Event interface{ event() }

// RunStarted comes first: how many files will be scanned.
type RunStarted struct {
	Files   int
	Ignored int
}

// FileStarted says a worker began decoding Path.
type FileStarted struct{ Path string }

// KeyframeAnalysed carries one keyframe's detections and thumbnail.
// Reused is set for keyframes replayed from the library, not analysed now.
type KeyframeAnalysed struct {
	Path     string
	Keyframe Keyframe
	Reused   bool
}

// FileFinished carries a file's full result. Reused says it came from the
// library; ResultsDBErr says the library could not keep it.
type FileFinished struct {
	Result       FileResult
	Reused       bool
	ResultsDBErr error
}

// RunFinished comes last. Err is the context's error if the run was cancelled.
type RunFinished struct {
	Summary Summary
	Err     error
}

func (RunStarted) event()       {}
func (FileStarted) event()      {}
func (KeyframeAnalysed) event() {}
func (FileFinished) event()     {}
func (RunFinished) event()      {}
