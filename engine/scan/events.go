package scan

import "image"

// Event is sent on a run's channel; it is one of the types below.
type Event interface{ event() }

// RunStarted comes first: how many files will be scanned.
type RunStarted struct {
	Files   int
	Ignored int
}

// FileStarted says a worker began decoding Path. Worker names the
// cluster worker that took it; it is empty for a file scanned here.
type FileStarted struct {
	Path   string
	Worker string
}

// Notice is a message for the user about the run as a whole, such as a
// cluster that has no worker yet.
type Notice struct{ Text string }

// FrameAnalysed carries one frame's detections and, when the run makes
// them, its thumbnail: the upright frame at most ThumbSize on its long
// side, as JPEG and (when asked for) as the decoded image. Duration is
// the file's (seconds; 0 when unknown), so progress can say how far into
// a long file the scan is. FromLibrary is set for frames replayed from
// the library, not analysed now; those carry only the JPEG.
type FrameAnalysed struct {
	Path        string
	Frame       Frame
	Thumbnail   *image.RGBA
	JPEG        []byte
	Duration    float64
	FromLibrary bool
}

// FileFinished carries a file's full result, the JPEG thumbnails of its
// frames by frame index (when the run makes them) and the parameters the
// result was made with. FromLibrary says it came from the library;
// LibraryErr says the library could not keep it.
type FileFinished struct {
	Result      FileResult
	Thumbs      map[int][]byte
	Params      Params
	FromLibrary bool
	LibraryErr  error
}

// RunFinished comes last. Err is the context's error if the run was cancelled.
type RunFinished struct {
	Summary Summary
	Err     error
}

// Watching says where a watch stands (engine/watch): the folders it
// watches, the media files they hold, the files it found new or changed
// since it started, and, when Polling is set, why it walks the folders
// again instead of hearing of changes.
type Watching struct {
	Folders, Files int
	Found          int
	Polling        string
}

// FileGone says a watched file is no longer there. Its results stay in
// the library (vidsift library missing lists it, prune forgets it).
type FileGone struct{ Path string }

// ThumbSize is the long side of thumbnails, in pixels.
const ThumbSize = 320

// JPEGQuality is the quality of every JPEG vidsift writes: thumbnails (in
// the library, the app and --thumbs) and the images of label exports.
const JPEGQuality = 85

// Fit scales w×h down, keeping its aspect ratio, so that its long side is
// at most limit (0: no limit); never below 1 pixel.
func Fit(w, h, limit int) (int, int) {
	if limit <= 0 || (w <= limit && h <= limit) {
		return w, h
	}
	if w >= h {
		return limit, max(1, (h*limit+w/2)/w)
	}
	return max(1, (w*limit+h/2)/h), limit
}

func (RunStarted) event()    {}
func (FileStarted) event()   {}
func (FrameAnalysed) event() {}
func (FileFinished) event()  {}
func (RunFinished) event()   {}
func (Notice) event()        {}
func (Watching) event()      {}
func (FileGone) event()      {}
