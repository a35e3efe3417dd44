package pipeline

import (
	"image"

	"github.com/vidsift/vidsift/engine/detect"
	"github.com/vidsift/vidsift/engine/media"
)

// Status is a file's outcome.
type Status string

const (
	StatusOK      Status = "ok"      // every frame decoded, no damage seen
	StatusPartial Status = "partial" // frames produced, but the file is damaged
	StatusFailed  Status = "failed"  // nothing usable; Error says why
)

// ResultsRevision numbers what the engine makes of a file. Bump it when a
// change gives different results for the same file, model and settings
// (decoding, geometry, detection), so results stored by an older engine are
// redone rather than reused. 2: sample aspect ratio applied, cover art
// skipped, photos turned upright by their EXIF orientation. 3: frames
// between keyframes (the sampling policy, which is part of the identity).
const ResultsRevision = 3

// Frame is one analysed frame: a keyframe, or a gap frame between keyframes.
type Frame struct {
	Index  int     // 0-based among the file's analysed frames
	Time   float64 // seconds
	Key    bool    // a keyframe; false for a gap frame
	Width  int     // upright frame size
	Height int
	// Reused says the frame looked the same as an earlier one of the file
	// (Config.ReuseSimilar), so the model did not run on it: it repeats the
	// detections of frame SameAs.
	Reused     bool
	SameAs     int
	Detections []detect.Detection // every class the model found, boxes in frame pixels
	// Thumbnail is the upright frame, at most ThumbSize on its long side.
	// It is set only in FrameAnalysed events, never kept in FileResult.
	Thumbnail *image.RGBA
	// ThumbnailJPEG is the same thumbnail compressed, set when a ResultsDB
	// is configured; frames replayed from the library carry only this one.
	ThumbnailJPEG []byte
}

// FileResult is everything found in one file.
type FileResult struct {
	Path   string
	Status Status
	Error  string
	Media  media.Info // KeyframeInterval is known once the file is decoded
	Frames []Frame    // in order, without thumbnails
	// Worker names the cluster worker that scanned the file; empty when
	// it was scanned here.
	Worker string `json:",omitempty"`
}
