package pipeline

import (
	"image"

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
