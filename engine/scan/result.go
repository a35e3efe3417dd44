package scan

// ResultsRevision numbers what the engine makes of a file. Bump it when a
// change gives different results for the same file, model and settings
// (decoding, geometry, detection), so results stored by an older engine are
// redone rather than reused. 2: sample aspect ratio applied, cover art
// skipped, photos turned upright by their EXIF orientation. 3: frames
// between keyframes (the sampling policy, which is part of the identity).
const ResultsRevision = 3

// SubtitlesRevision numbers how the engine reads a file's subtitles
// (FileResult.SubtitlesRead): a stored result read by an older reader, or
// by none, gains its subtitles again without the detector running.
const SubtitlesRevision = 1

// Status is a file's outcome.
type Status string

const (
	StatusOK      Status = "ok"      // every frame decoded, no damage seen
	StatusPartial Status = "partial" // frames produced, but the file is damaged
	StatusFailed  Status = "failed"  // nothing usable; Error says why
)

// Box is x1, y1, x2, y2 in pixels of the upright frame, origin top left.
type Box [4]float64

// Detection is one object the model found in a frame.
type Detection struct {
	ClassID    int
	Class      string
	Confidence float32
	Box        Box
}

// FrameKind says why a frame was analysed.
type FrameKind string

const (
	// KeyFrame is a keyframe of the video (or a photo).
	KeyFrame FrameKind = "key"
	// GapFrame is decoded between keyframes so that no stretch of the
	// video goes longer than Sampling.MaxGap without an analysed frame.
	GapFrame FrameKind = "gap"
	// CutFrame is the first frame of a new shot that starts between
	// keyframes (Sampling.Cuts).
	CutFrame FrameKind = "cut"
)

// Frame is one analysed frame: a keyframe, a gap frame or a cut frame.
type Frame struct {
	Index  int       // 0-based among the file's analysed frames
	Time   float64   // seconds from the stream's start
	Kind   FrameKind // why it was analysed
	Width  int       // upright frame size
	Height int
	// Reused says the frame looked the same as an earlier one of the file
	// (Params.ReuseSimilar), so the model did not run on it: it repeats the
	// detections of frame SameAs.
	Reused     bool
	SameAs     int
	Detections []Detection // every class the model found, boxes in frame pixels
	// Text is what is written in the frame, a line each (empty when text
	// was not read).
	Text []TextLine `json:",omitempty"`
}

// TextLine is a line of text read in a frame: its words as read (UTF-8,
// NFC), how sure the reader is, and where it is.
type TextLine struct {
	Text       string
	Confidence float32
	Box        Box
}

// Cue is a subtitle: its text from Start to End (seconds), from the
// file's stream Track, or from a sidecar file beside it (Track -1,
// Sidecar its name).
type Cue struct {
	Track    int
	Sidecar  string `json:",omitempty"`
	Language string `json:",omitempty"`
	Start    float64
	End      float64
	Text     string
}

// MediaInfo describes a file's video stream (or photo).
type MediaInfo struct {
	Container string
	Codec     string
	Width     int // upright display size (rotation and pixel aspect applied)
	Height    int
	Duration  float64 // seconds; 0 when unknown or a still image
	FPS       float64 // 0 for still images
	Rotation  int     // clockwise degrees applied to make frames upright: 0, 90, 180, 270
	Mirrored  bool    // then flipped left-right (a mirroring display matrix or EXIF orientation)
	Still     bool
	// KeyframeInterval is the longest distance between two keyframes, in
	// seconds; it is known once the file is decoded (0: one keyframe, or a photo).
	KeyframeInterval float64
}

// FileResult is everything found in one file.
type FileResult struct {
	Path   string
	Status Status
	Error  string
	Media  MediaInfo
	Frames []Frame // in order
	// Subtitles are the cues of the file's text subtitle tracks and
	// sidecar files, by start time, when SubtitlesRead: its tracks and
	// sidecars were read (by SubtitlesRevision's reader).
	Subtitles     []Cue `json:",omitempty"`
	SubtitlesRead bool  `json:",omitempty"`
	// TextKey is the Text.Key its frames' text was read with; "" when
	// text was not read (then no frame has Text).
	TextKey string `json:",omitempty"`
	// Worker names the cluster worker that scanned the file; empty when
	// it was scanned here.
	Worker string `json:",omitempty"`
}

// DropText leaves r without text: its frames' lines and its TextKey
// (text not read, or not wanted).
func (r *FileResult) DropText() {
	r.TextKey = ""
	for i := range r.Frames {
		r.Frames[i].Text = nil
	}
}

// Known is what a results library knows of a file before a run scans it.
type Known struct {
	// Fingerprint is the file's content fingerprint (engine/fingerprint),
	// "" when the library did not take it.
	Fingerprint string
	// Read says the library read the file for it (it had no fingerprint
	// of the file at this size and modification time).
	Read bool
	// Found says Result, a stored result, stands in for a scan (with its
	// JPEG thumbnails by frame index).
	Found  bool
	Result FileResult
	Thumbs map[int][]byte
}
