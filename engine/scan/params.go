package scan

import (
	"encoding/json"
	"runtime"
	"time"
)

// Model identifies a detector by value: what its results depend on.
type Model struct {
	SHA256 string   // of the model file
	InputW int      // network input, pixels
	InputH int      //
	Names  []string // class names by class id
}

// Sampling says which frames of a video are analysed.
type Sampling struct {
	// MaxGap (seconds) bounds every stretch of the video without an
	// analysed frame, to the end included, to MaxGap plus one frame
	// interval: frames between keyframes ("gap frames") are decoded where
	// keyframes lie further apart. 0: keyframes only.
	MaxGap float64
	// MinGap (seconds) skips a keyframe that comes less than this after the
	// previous analysed keyframe (all-intra video). 0: every keyframe.
	MinGap float64
	// Cuts analyses the first frame of a shot that starts between
	// keyframes ("cut frames"), found where a packet far larger than its
	// neighbours decodes to a different picture. Only with MaxGap > 0.
	Cuts bool
}

// Params are the settings that change what a scan finds: two scans of a
// file by engines of the same ResultsRevision with equal Params find the
// same. The library reuses a result only for equal Params, cluster jobs
// carry them, and exports report them. A new setting that changes results
// is a field here and in paramsKey, and a row of settings.Table (which
// declares its flag, config key, JSON name and how the app shows it).
type Params struct {
	Model      Model
	Confidence float32 // detections below it are dropped
	IoU        float32 // NMS overlap above which the weaker box of a class is dropped
	Sampling   Sampling
	// ReuseSimilar lets a frame that looks the same as the last frame the
	// model ran on repeat its detections.
	ReuseSimilar bool
	// Rect letterboxes each frame to the smallest stride-multiple
	// rectangle around it instead of the model's full square input. In a
	// run's Params it is the mode used: false for a model of fixed input
	// size, whatever was asked.
	Rect bool
	// Text says whether and how the text written in frames is read. It
	// keys the text results only (Text.Key), not Key: changing it reads
	// text again over kept detections, and changing the rest keeps nothing.
	Text Text
}

// TextRevision numbers how the engine reads text in frames (engine/ocr,
// the crops it reads again or not): text stored by an older reader is read
// again, without the detector.
const TextRevision = 1

// Text are the settings of reading text in frames.
type Text struct {
	On bool
	// Models is the SHA-256 of the text models (detector, recogniser and
	// dictionary together); the run fills it in once they are loaded.
	Models string
	// DetectSide bounds the longer side of the picture the text detector
	// sees: smaller is faster and misses smaller text.
	DetectSide int
	// MinConfidence drops lines read with less, 0..1.
	MinConfidence float32
}

// textKey is the canonical form of Text; its fields are never renamed.
type textKey struct {
	Revision      int     `json:"rev"`
	Models        string  `json:"models"`
	DetectSide    int     `json:"side"`
	MinConfidence float32 `json:"min_conf"`
}

// Key identifies the text a scan with t reads: equal keys read the same
// text from the same frames. "" when text is off.
func (t Text) Key() string {
	if !t.On {
		return ""
	}
	b, err := json.Marshal(textKey{Revision: TextRevision, Models: t.Models, DetectSide: t.DetectSide, MinConfidence: t.MinConfidence})
	if err != nil {
		panic(err) // plain numbers and a string
	}
	return string(b)
}

// ParseTextKey reads a Key back ("" is text off).
func ParseTextKey(key string) (Text, error) {
	if key == "" {
		return Text{}, nil
	}
	var k textKey
	if err := json.Unmarshal([]byte(key), &k); err != nil {
		return Text{}, err
	}
	return Text{On: true, Models: k.Models, DetectSide: k.DetectSide, MinConfidence: k.MinConfidence}, nil
}

// The defaults of what a scan finds (docs/sampling.md says why): a frame at
// least every 2 s, keyframes at most two a second, near-duplicates reused.
const (
	DefaultConfidence   = 0.25
	DefaultIoU          = 0.7
	DefaultMaxGap       = 2 * time.Second
	DefaultMinGap       = 500 * time.Millisecond
	DefaultReuseSimilar = true
	DefaultCuts         = true
	DefaultRect         = true
	// Text: on where the text models are installed (a run without them
	// reads none); the detector's side measured in docs/text.md.
	DefaultText              = true
	DefaultTextSide          = 640
	DefaultTextMinConfidence = 0.5
)

// DefaultParams are the defaults, for any model.
func DefaultParams() Params {
	return Params{Confidence: DefaultConfidence, IoU: DefaultIoU, ReuseSimilar: DefaultReuseSimilar, Rect: DefaultRect,
		Sampling: Sampling{MaxGap: DefaultMaxGap.Seconds(), MinGap: DefaultMinGap.Seconds(), Cuts: DefaultCuts},
		Text:     Text{On: DefaultText, DetectSide: DefaultTextSide, MinConfidence: DefaultTextMinConfidence}}
}

// Equal reports whether p and o find the same objects (class names aside,
// which the model's SHA-256 fixes); their Text may differ.
func (p Params) Equal(o Params) bool {
	return p.Model.SHA256 == o.Model.SHA256 && p.Key() == o.Key()
}

// paramsKey is the canonical form of Params less the model's SHA-256 and
// names. Its fields are in a fixed order and never renamed: stored keys
// must stay comparable. A new field is appended with omitempty, its zero
// value meaning what scans did before it existed, so that existing keys
// stay valid.
type paramsKey struct {
	Conf         float32 `json:"conf"`
	IoU          float32 `json:"iou"`
	InputW       int     `json:"input_w"`
	InputH       int     `json:"input_h"`
	MaxGap       float64 `json:"max_gap"`
	MinGap       float64 `json:"min_gap"`
	ReuseSimilar bool    `json:"reuse_similar"`
	Rect         bool    `json:"rect,omitempty"` // false: square, as every scan before it
	Cuts         bool    `json:"cuts,omitempty"` // false: no cut frames, as every scan before it
}

// Key is the canonical text of p without the model's SHA-256 and Text:
// the library stores it beside the SHA-256 and matches both.
func (p Params) Key() string {
	b, err := json.Marshal(paramsKey{Conf: p.Confidence, IoU: p.IoU, InputW: p.Model.InputW, InputH: p.Model.InputH,
		MaxGap: p.Sampling.MaxGap, MinGap: p.Sampling.MinGap, ReuseSimilar: p.ReuseSimilar, Rect: p.Rect,
		Cuts: p.Sampling.Cuts})
	if err != nil {
		panic(err) // plain numbers and a bool
	}
	return string(b)
}

// ParseKey reads a Key back into p's fields (the model's SHA-256 and names
// are left as they are).
func (p *Params) ParseKey(key string) error {
	var k paramsKey
	if err := json.Unmarshal([]byte(key), &k); err != nil {
		return err
	}
	p.Confidence, p.IoU, p.Model.InputW, p.Model.InputH = k.Conf, k.IoU, k.InputW, k.InputH
	p.Sampling = Sampling{MaxGap: k.MaxGap, MinGap: k.MinGap, Cuts: k.Cuts}
	p.ReuseSimilar, p.Rect = k.ReuseSimilar, k.Rect
	return nil
}

// Settings are everything a user sets for a scan: what it finds (Params;
// their Model is filled in once the model is loaded), which classes are
// reported, and how the work is spread over this machine.
type Settings struct {
	Params
	Classes []string // the classes reported (empty: all)
	Workers int      // files decoded at once
	Threads int      // inference threads in all
	// IntraOpThreads is ONNX Runtime's threads per Run; Threads/IntraOpThreads
	// Runs go on at once (Streams).
	IntraOpThreads    int
	DecoderThreads    int    // FFmpeg threads per file (0: FFmpeg decides)
	DecoderThreadType string // frame, slice or "" (both)
	FileTimeout       time.Duration
}

// DefaultSettings are the defaults on this machine.
func DefaultSettings() Settings {
	return Settings{Params: DefaultParams(), Classes: []string{}, Workers: runtime.NumCPU(), Threads: runtime.NumCPU(),
		IntraOpThreads: 1, FileTimeout: 10 * time.Minute}
}

// Streams splits the inference threads into concurrent Run calls of
// IntraOpThreads each. The default of one thread a Run (one stream per
// thread) measured fastest on 2-core machines (docs/benchmarks.md): no synchronisation
// inside a Run, and one file's decode overlaps another's inference.
func (s Settings) Streams() int {
	return max(1, s.Threads/max(1, s.IntraOpThreads))
}
