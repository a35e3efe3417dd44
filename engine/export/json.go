// Package export writes scan results as the vidsift.scan/v1 JSON document and
// as CSV, atomically (temp file, then rename), so a crash never leaves a
// truncated export behind.
package export

import (
	"encoding/json"
	"io"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/vidsift/vidsift/engine/detect"
	"github.com/vidsift/vidsift/engine/pipeline"
)

// Schema names the JSON format.
const Schema = "vidsift.scan/v1"

// Document is the JSON export.
type Document struct {
	Schema   string   `json:"schema"`
	Created  string   `json:"created"`
	Model    Model    `json:"model"`
	Settings Settings `json:"settings"`
	Files    []File   `json:"files"`
	Summary  Summary  `json:"summary"`
}

type Model struct {
	Path      string   `json:"path"`
	SHA256    string   `json:"sha256"`
	InputSize [2]int   `json:"input_size"`
	Classes   []string `json:"classes"`
}

type Settings struct {
	Confidence float64  `json:"confidence"`
	IoU        float64  `json:"iou"`
	Classes    []string `json:"classes"`
	Workers    int      `json:"workers"`
	Threads    int      `json:"threads"`
}

type File struct {
	Path      string     `json:"path"`
	Status    string     `json:"status"`
	Error     string     `json:"error"`
	Media     Media      `json:"media"`
	Keyframes []Keyframe `json:"keyframes"`
	Spans     []Span     `json:"spans"`
}

type Media struct {
	Container string  `json:"container"`
	Codec     string  `json:"codec"`
	Width     int     `json:"width"`
	Height    int     `json:"height"`
	Duration  float64 `json:"duration_s"`
	FPS       float64 `json:"fps"`
}

type Keyframe struct {
	Index      int         `json:"index"`
	Time       float64     `json:"time_s"`
	Thumbnail  string      `json:"thumbnail,omitempty"`
	Detections []Detection `json:"detections"`
}

type Detection struct {
	Class      string     `json:"class"`
	ClassID    int        `json:"class_id"`
	Confidence float64    `json:"confidence"`
	Box        [4]float64 `json:"box"`
}

type Span struct {
	Class         string  `json:"class"`
	Start         float64 `json:"start_s"`
	End           float64 `json:"end_s"`
	MaxConfidence float64 `json:"max_confidence"`
}

type Summary struct {
	Files       int     `json:"files"`
	OK          int     `json:"ok"`
	Partial     int     `json:"partial"`
	Failed      int     `json:"failed"`
	Skipped     int     `json:"skipped"`
	Ignored     int     `json:"ignored"`
	Keyframes   int     `json:"keyframes"`
	Detections  int     `json:"detections"`
	ModelLoads  int64   `json:"model_loads"`
	Elapsed     float64 `json:"elapsed_s"`
	FirstResult float64 `json:"first_result_s"`
	PeakRSSMB   float64 `json:"peak_rss_mb"`
}

// Options say what goes into an export.
type Options struct {
	Model    *detect.Model
	Settings Settings
	// Classes limits the detections and spans written (nil: all classes).
	Classes map[string]bool
	// Thumbnail names the thumbnail of a keyframe, or "" (nil: none).
	Thumbnail func(path string, index int) string
}

func (o Options) keep(class string) bool { return o.Classes == nil || o.Classes[class] }

// Build assembles the JSON document. Files are sorted by path; the summary's
// detection count is what the document holds after the class filter.
func Build(results []pipeline.FileResult, sum pipeline.Summary, o Options) Document {
	doc := Document{
		Schema:   Schema,
		Created:  time.Now().UTC().Format(time.RFC3339),
		Settings: o.Settings,
		Files:    make([]File, 0, len(results)),
	}
	if doc.Settings.Classes == nil {
		doc.Settings.Classes = []string{}
	}
	doc.Settings.Classes = slices.Sorted(slices.Values(doc.Settings.Classes))
	// The engine holds thresholds as float32: 0.7 would print as 0.699999988.
	doc.Settings.Confidence = round(doc.Settings.Confidence, 4)
	doc.Settings.IoU = round(doc.Settings.IoU, 4)
	if m := o.Model; m != nil {
		doc.Model = Model{Path: m.Path, SHA256: m.SHA256, InputSize: [2]int{m.InputW, m.InputH}, Classes: m.Names}
	}
	sorted := append([]pipeline.FileResult(nil), results...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Path < sorted[j].Path })
	detections := 0
	for _, r := range sorted {
		f := File{
			Path: r.Path, Status: string(r.Status), Error: r.Error,
			Media: Media{
				Container: r.Media.Container, Codec: r.Media.Codec,
				Width: r.Media.Width, Height: r.Media.Height,
				Duration: round(r.Media.Duration, 3), FPS: round(r.Media.FPS, 3),
			},
			Keyframes: make([]Keyframe, 0, len(r.Keyframes)),
			Spans:     []Span{},
		}
		for _, k := range r.Keyframes {
			kf := Keyframe{Index: k.Index, Time: round(k.Time, 3), Detections: []Detection{}}
			if o.Thumbnail != nil {
				kf.Thumbnail = o.Thumbnail(r.Path, k.Index)
			}
			for _, d := range k.Detections {
				if !o.keep(d.Class) {
					continue
				}
				kf.Detections = append(kf.Detections, Detection{
					Class: d.Class, ClassID: d.ClassID, Confidence: round(float64(d.Confidence), 4),
					Box: [4]float64{round(d.Box[0], 1), round(d.Box[1], 1), round(d.Box[2], 1), round(d.Box[3], 1)},
				})
			}
			detections += len(kf.Detections)
			f.Keyframes = append(f.Keyframes, kf)
		}
		for _, s := range pipeline.Spans(r.Keyframes, o.keep) {
			f.Spans = append(f.Spans, Span{Class: s.Class, Start: round(s.Start, 3), End: round(s.End, 3), MaxConfidence: round(float64(s.MaxConfidence), 4)})
		}
		doc.Files = append(doc.Files, f)
	}
	doc.Summary = Summary{
		Files: sum.Files, OK: sum.OK, Partial: sum.Partial, Failed: sum.Failed,
		Skipped: sum.Skipped, Ignored: sum.Ignored, Keyframes: sum.Keyframes,
		Detections: detections, ModelLoads: sum.ModelLoads, Elapsed: round(sum.Elapsed.Seconds(), 3),
		FirstResult: round(sum.FirstResult.Seconds(), 3), PeakRSSMB: round(float64(sum.PeakRSS)/(1<<20), 1),
	}
	return doc
}

// EncodeJSON writes doc, indented, to w.
func EncodeJSON(w io.Writer, doc Document) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// WriteJSON writes doc to path atomically.
func WriteJSON(path string, doc Document) error {
	return atomicWrite(path, func(w io.Writer) error { return EncodeJSON(w, doc) })
}

func round(x float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(x*p) / p
}
