package pipeline

import (
	"image"
	"sort"
	"time"

	"github.com/vidsift/vidsift/engine/detect"
	"github.com/vidsift/vidsift/engine/media"
)

// Status is a file's outcome.
type Status string

const (
	StatusOK      Status = "ok"      // every keyframe decoded, no damage seen
	StatusPartial Status = "partial" // keyframes produced, but the file is damaged
	StatusFailed  Status = "failed"  // nothing usable; Error says why
)

// ResultsRevision numbers what the engine makes of a file. Bump it when a
// change gives different results for the same file, model and settings
// (decoding, geometry, detection), so results stored by an older engine are
// redone rather than reused. 2: sample aspect ratio applied, cover art
// skipped, photos turned upright by their EXIF orientation.
const ResultsRevision = 2

// Keyframe is one analysed keyframe.
type Keyframe struct {
	Index      int     // 0-based among the file's keyframes
	Time       float64 // seconds
	Width      int     // upright frame size
	Height     int
	Detections []detect.Detection // every class the model found, boxes in frame pixels
	// Thumbnail is the upright keyframe, at most ThumbSize on its long side.
	// It is set only in KeyframeAnalysed events, never kept in FileResult.
	Thumbnail *image.RGBA
	// ThumbnailJPEG is the same thumbnail compressed, set when a Library is
	// configured; keyframes reused from the library carry only this one.
	ThumbnailJPEG []byte
}

// FileResult is everything found in one file.
type FileResult struct {
	Path      string
	Status    Status
	Error     string
	Media     media.Info
	Keyframes []Keyframe // in order, without thumbnails
}

// Summary totals a run.
type Summary struct {
	Files   int // files finished (ok + partial + failed)
	OK      int
	Partial int
	Failed  int
	Skipped int // files whose stored results were reused instead of scanning
	// LibraryErrors counts finished files the library failed to keep.
	LibraryErrors int
	Ignored       int
	Cancelled     int // files queued but not finished because the run was cancelled
	Keyframes     int
	Detections    int
	ModelLoads    int64
	Elapsed       time.Duration
	// InferenceBusy is the wall time during which at least one inference ran.
	InferenceBusy time.Duration
	// FirstResult is the time from the run's start to its first analysed keyframe.
	FirstResult time.Duration
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
// library; LibraryErr says the library could not keep it.
type FileFinished struct {
	Result     FileResult
	Reused     bool
	LibraryErr error
}

// Library keeps finished results between runs. Reuse is asked once per
// file before it is scanned; Keep gets every file this run finishes (with
// JPEG thumbnails by keyframe index when the run makes thumbnails).
type Library interface {
	Reuse(path string) (FileResult, map[int][]byte, bool)
	Keep(res FileResult, thumbs map[int][]byte) error
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

// Span is a stretch of consecutive keyframes in which a class is seen.
type Span struct {
	Class         string
	Start, End    float64
	MaxConfidence float32
}

// Spans merges, for each class, consecutive keyframes where it is detected
// (keep, when non-nil, limits the classes). Spans come ordered by start
// time, then class name.
func Spans(kfs []Keyframe, keep func(string) bool) []Span {
	open := map[string]*Span{}
	var spans []Span
	var order []string
	for _, kf := range kfs {
		best := map[string]float32{}
		for _, d := range kf.Detections {
			if keep != nil && !keep(d.Class) {
				continue
			}
			if c, ok := best[d.Class]; !ok || d.Confidence > c {
				best[d.Class] = d.Confidence
			}
		}
		// Close spans whose class is absent from this keyframe.
		for _, cls := range order {
			if s := open[cls]; s != nil {
				if _, seen := best[cls]; !seen {
					spans = append(spans, *s)
					open[cls] = nil
				}
			}
		}
		for cls, conf := range best {
			if s := open[cls]; s != nil {
				s.End = kf.Time
				s.MaxConfidence = max(s.MaxConfidence, conf)
				continue
			}
			if _, known := open[cls]; !known {
				order = append(order, cls)
			}
			open[cls] = &Span{Class: cls, Start: kf.Time, End: kf.Time, MaxConfidence: conf}
		}
	}
	for _, cls := range order {
		if s := open[cls]; s != nil {
			spans = append(spans, *s)
		}
	}
	sortSpans(spans)
	return spans
}

func sortSpans(s []Span) {
	sort.Slice(s, func(i, j int) bool {
		if s[i].Start != s[j].Start {
			return s[i].Start < s[j].Start
		}
		return s[i].Class < s[j].Class
	})
}
