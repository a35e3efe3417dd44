// Package export writes scan results as the vidsift.scan/v2 JSON document and
// as CSV, atomically (temp file, then rename), so a crash never leaves a
// truncated export behind.
package export

import (
	"encoding/json"
	"io"
	"math"
	"reflect"
	"sort"
	"time"

	"github.com/vidsift/vidsift/engine/scan"
	"github.com/vidsift/vidsift/engine/settings"
)

// Schema names the JSON format.
const Schema = "vidsift.scan/v2"

// Document is the JSON export: one scan, or what the library holds.
type Document struct {
	Schema   string   `json:"schema"`   // always Schema
	Created  string   `json:"created"`  // when the document was written, RFC 3339 UTC
	Model    Model    `json:"model"`    // the detector that made the results
	Settings Settings `json:"settings"` // what the scan was asked for
	Files    []File   `json:"files"`    // sorted by path
	Summary  Summary  `json:"summary"`  // totals of the run
}

// Model identifies the detector.
type Model struct {
	Path      string   `json:"path"`       // the model file as loaded ("" in a library export)
	SHA256    string   `json:"sha256"`     // of the model file: what identifies it
	InputSize [2]int   `json:"input_size"` // network input, width and height in pixels
	Classes   []string `json:"classes"`    // class names by class_id, from the model's metadata
}

// Settings are the scan settings the results depend on or were filtered
// by: each setting of settings.Table with a JSON name, in the table's
// order, by that name ("confidence", "max_gap_s"...; the table's help says
// what each means).
type Settings struct {
	// Values holds the settings by JSON name; a setting missing from it
	// reads as its zero value.
	Values map[string]any
	// Mixed names the settings, and "model", whose value differs between
	// the files (results from the library, made by scans with different
	// settings): they read 0 (or "") here, and each file's own settings
	// say what it was made with. Absent when the files agree.
	Mixed []string
}

// FileSettings are what one file was made with, written for every file
// when the files' settings differ (Settings.Mixed): the model, then each
// setting that changes results, by JSON name.
type FileSettings struct {
	ModelSHA256 string
	InputSize   [2]int
	Values      map[string]any
}

// File is one scanned file.
type File struct {
	Path   string  `json:"path"`   // absolute, as found on disk
	Status string  `json:"status"` // "ok", "partial" (damaged; the frames found are listed) or "failed"
	Error  string  `json:"error"`  // why a file failed or is partial; "" when ok
	Media  Media   `json:"media"`  // what the file holds
	Frames []Frame `json:"frames"` // the analysed frames, in time order
	Spans  []Span  `json:"spans"`  // when each class is seen, by start time then class
	// Subtitles are the cues of the file's text subtitle tracks and
	// sidecar files, by start time; absent when it has none (or they were
	// not read).
	Subtitles []Subtitle `json:"subtitles,omitempty"`
	// Worker names the cluster worker that scanned the file (scan --nats);
	// absent for a file scanned on this computer.
	Worker string `json:"worker,omitempty"`
	// Settings are what this file was made with, when the files' settings
	// differ (Settings.Mixed); absent when they agree.
	Settings *FileSettings `json:"settings,omitempty"`
	// LibraryError says why the results library could not keep this
	// file's result (a full disk, say); absent when it kept it, or when
	// the scan ran without a library.
	LibraryError string `json:"library_error,omitempty"`
}

// Media describes the video stream that was scanned.
type Media struct {
	Container string  `json:"container"`  // FFmpeg's demuxer name, e.g. "mov,mp4,m4a,3gp,3g2,mj2"
	Codec     string  `json:"codec"`      // FFmpeg's decoder name, e.g. "h264"
	Width     int     `json:"width"`      // upright display width in pixels (rotation and pixel aspect applied)
	Height    int     `json:"height"`     // upright display height in pixels
	Duration  float64 `json:"duration_s"` // seconds; 0 for a photo or when unknown
	FPS       float64 `json:"fps"`        // average frames per second; 0 for a photo or when unknown
	// KeyframeInterval is the longest distance between two keyframes,
	// seconds (0: one keyframe, or a photo).
	KeyframeInterval float64 `json:"keyframe_interval_s"`
}

// Frame is one analysed frame.
type Frame struct {
	Index      int         `json:"index"`               // 0-based position among the file's analysed frames
	Time       float64     `json:"time_s"`              // seconds from the start of the video, to the millisecond
	Key        bool        `json:"key"`                 // a keyframe; false for a gap or cut frame decoded between keyframes
	Kind       string      `json:"kind"`                // why it was analysed: "key" (a keyframe), "gap" (the longest stretch allowed ran out), "cut" (the first frame of a shot)
	SameAs     *int        `json:"same_as,omitempty"`   // the frame whose detections this one repeats (it looked the same); absent: inferred
	Thumbnail  string      `json:"thumbnail,omitempty"` // the --thumbs JPEG with boxes drawn, when written
	Detections []Detection `json:"detections"`          // by confidence, highest first
	// Text is the lines of text read in the frame; absent when it shows
	// none (or text was not read).
	Text []TextLine `json:"text,omitempty"`
}

// TextLine is a line of text read in a frame.
type TextLine struct {
	Text       string     `json:"text"`       // as read (UTF-8, NFC)
	Confidence float64    `json:"confidence"` // the reader's, 0..1
	Box        [4]float64 `json:"box"`        // x1,y1,x2,y2 around the line in upright frame pixels, as a detection's
}

// Detection is one object found in a frame.
type Detection struct {
	Class      string     `json:"class"`      // the model's name for the class
	ClassID    int        `json:"class_id"`   // index into model.classes
	Confidence float64    `json:"confidence"` // 0..1
	Box        [4]float64 `json:"box"`        // x1,y1,x2,y2 in upright frame pixels (media.width × media.height), origin top left
}

// Subtitle is one cue of a subtitle track or sidecar file.
type Subtitle struct {
	// Track is the subtitle stream's index in the file, or "sidecar" for a
	// file beside it (named by Sidecar).
	Track    any     `json:"track"`
	Sidecar  string  `json:"sidecar,omitempty"`
	Language string  `json:"language"` // the track's language tag, or the sidecar name's ("" when none)
	Start    float64 `json:"start_s"`
	End      float64 `json:"end_s"`
	Text     string  `json:"text"` // as the track says it, markup stripped, a line break between lines
}

// Span is a stretch of consecutive analysed frames in which a class is seen.
type Span struct {
	Class         string  `json:"class"`
	Start         float64 `json:"start_s"`        // time of the first frame that shows it
	End           float64 `json:"end_s"`          // time of the last consecutive frame that shows it
	MaxConfidence float64 `json:"max_confidence"` // its best detection within the span
}

// Summary totals a run (or, in a library export, the files exported).
type Summary struct {
	Files         int     `json:"files"`          // finished: ok + partial + failed
	OK            int     `json:"ok"`             // files with status "ok"
	Partial       int     `json:"partial"`        // files with status "partial"
	Failed        int     `json:"failed"`         // files with status "failed"
	Skipped       int     `json:"skipped"`        // files whose stored results were reused instead of scanned
	NotStored     int     `json:"not_stored"`     // files the results library could not keep (each has a library_error)
	Fingerprinted int     `json:"fingerprinted"`  // files the library read (1 MiB at most) to know their content; others were cached
	Ignored       int     `json:"ignored"`        // files in the folders that are not media
	Frames        int     `json:"frames"`         // frames analysed (or replayed from the library)
	Keyframes     int     `json:"keyframes"`      // of which keyframes
	Cuts          int     `json:"cuts"`           // of which cut frames (the first frame of a shot between keyframes)
	Inferences    int     `json:"inferences"`     // of which the model ran on in this run (the others repeat a similar frame, or the library's)
	Detections    int     `json:"detections"`     // detections reported (after the class filter)
	ModelLoads    int64   `json:"model_loads"`    // models this process loaded
	Elapsed       float64 `json:"elapsed_s"`      // wall time of the run in seconds
	FirstResult   float64 `json:"first_result_s"` // from the run's start to its first analysed frame, seconds
	PeakRSSMB     float64 `json:"peak_rss_mb"`    // the process's peak resident memory when the run ended (Linux; 0 elsewhere)
}

// Options say what goes into an export.
type Options struct {
	// ModelPath is the model file as loaded ("" for results from the library).
	ModelPath string
	// Params says what each result was made with, by path (a run's
	// FileFinished events, the library's rows). Asked, when set, stands
	// for the files Params lacks: a run's own parameters.
	Params map[string]scan.Params
	Asked  *scan.Params
	// Workers and Threads say how the run spread its work (0: not
	// recorded, as for results from the library).
	Workers, Threads int
	// MinConfidence is the floor the caller filtered the results at (an
	// export's --conf); the settings report the higher of it and the scan's.
	MinConfidence float32
	// Classes limits the detections and spans written (nil: all classes).
	Classes map[string]bool
	// Thumbnail names the thumbnail of a frame, or "" (nil: none).
	Thumbnail func(path string, index int) string
	// NotStored says, by path, why the results library could not keep a
	// file's result (File.LibraryError).
	NotStored map[string]string
}

// madeWith is what the result at path was made with, its confidence
// raised to the floor the export filtered at.
func (o Options) madeWith(path string) (scan.Params, bool) {
	p, ok := o.Params[path]
	if !ok && o.Asked != nil {
		p, ok = *o.Asked, true
	}
	p.Confidence = max(p.Confidence, o.MinConfidence)
	return p, ok
}

// Build assembles the JSON document. Files are sorted by path; the summary's
// detection count is what the document holds after the class filter.
func Build(results []scan.FileResult, sum scan.Summary, o Options) Document {
	doc := Document{
		Schema:  Schema,
		Created: time.Now().UTC().Format(time.RFC3339),
		Files:   make([]File, 0, len(results)),
	}
	sorted := append([]scan.FileResult(nil), results...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Path < sorted[j].Path })
	perFile := doc.describe(sorted, o)
	detections := 0
	for _, r := range sorted {
		f := File{
			Path: r.Path, Status: string(r.Status), Error: r.Error, Worker: r.Worker, LibraryError: o.NotStored[r.Path],
			Media: Media{
				Container: r.Media.Container, Codec: r.Media.Codec,
				Width: r.Media.Width, Height: r.Media.Height,
				Duration: round(r.Media.Duration, 3), FPS: round(r.Media.FPS, 3),
				KeyframeInterval: round(r.Media.KeyframeInterval, 3),
			},
			Frames: make([]Frame, 0, len(r.Frames)),
			Spans:  []Span{},
		}
		if perFile {
			if p, ok := o.madeWith(r.Path); ok {
				f.Settings = &FileSettings{ModelSHA256: p.Model.SHA256, InputSize: [2]int{p.Model.InputW, p.Model.InputH}, Values: map[string]any{}}
				for _, row := range settings.Table {
					if row.Result && row.JSON != "" {
						f.Settings.Values[row.JSON] = row.Value(scan.Settings{Params: p})
					}
				}
			}
		}
		for _, k := range r.Frames {
			fr := Frame{Index: k.Index, Time: round(k.Time, 3), Key: k.Kind == scan.KeyFrame, Kind: string(k.Kind), Detections: []Detection{}}
			if k.Reused {
				fr.SameAs = &k.SameAs
			}
			if o.Thumbnail != nil {
				fr.Thumbnail = o.Thumbnail(r.Path, k.Index)
			}
			for _, d := range (scan.Filter{Classes: o.Classes}).Detections(k.Detections) {
				fr.Detections = append(fr.Detections, Detection{
					Class: d.Class, ClassID: d.ClassID, Confidence: round(float64(d.Confidence), 4),
					Box: [4]float64{round(d.Box[0], 1), round(d.Box[1], 1), round(d.Box[2], 1), round(d.Box[3], 1)},
				})
			}
			detections += len(fr.Detections)
			for _, l := range k.Text {
				fr.Text = append(fr.Text, TextLine{Text: l.Text, Confidence: round(float64(l.Confidence), 4),
					Box: [4]float64{round(l.Box[0], 1), round(l.Box[1], 1), round(l.Box[2], 1), round(l.Box[3], 1)}})
			}
			f.Frames = append(f.Frames, fr)
		}
		for _, c := range r.Subtitles {
			sub := Subtitle{Track: c.Track, Language: c.Language, Start: round(c.Start, 3), End: round(c.End, 3), Text: c.Text}
			if c.Track < 0 {
				sub.Track, sub.Sidecar = "sidecar", c.Sidecar
			}
			f.Subtitles = append(f.Subtitles, sub)
		}
		for _, s := range scan.Spans((scan.Filter{Classes: o.Classes}).Frames(r.Frames)) {
			f.Spans = append(f.Spans, Span{Class: s.Class, Start: round(s.Start, 3), End: round(s.End, 3), MaxConfidence: round(float64(s.MaxConfidence), 4)})
		}
		doc.Files = append(doc.Files, f)
	}
	doc.Summary = Summary{
		Files: sum.Files, OK: sum.OK, Partial: sum.Partial, Failed: sum.Failed,
		Skipped: sum.Skipped, NotStored: len(o.NotStored), Fingerprinted: sum.Fingerprinted, Ignored: sum.Ignored, Frames: sum.Frames, Keyframes: sum.Keyframes, Cuts: sum.Cuts, Inferences: sum.Inferences,
		Detections: detections, ModelLoads: sum.ModelLoads, Elapsed: round(sum.Elapsed.Seconds(), 3),
		FirstResult: round(sum.FirstResult.Seconds(), 3), PeakRSSMB: round(float64(sum.PeakRSS)/(1<<20), 1),
	}
	return doc
}

// describe fills the model and settings blocks from what the files were
// made with, and reports whether they differ (each file then says its own).
func (doc *Document) describe(results []scan.FileResult, o Options) (perFile bool) {
	var made []scan.Params
	for _, r := range results {
		if p, ok := o.madeWith(r.Path); ok {
			made = append(made, p)
		}
	}
	if len(made) == 0 && o.Asked != nil {
		p, _ := o.madeWith("")
		made = append(made, p)
	}
	// How the run spread its work, and the classes reported.
	run := scan.Settings{Workers: o.Workers, Threads: o.Threads}
	for c := range o.Classes {
		run.Classes = append(run.Classes, c)
	}
	doc.Settings = Settings{Values: map[string]any{}}
	for _, row := range settings.Table {
		if row.JSON != "" && !row.Result {
			doc.Settings.Values[row.JSON] = row.Value(run)
		}
	}
	doc.Model.Path = o.ModelPath
	if len(made) == 0 {
		return false
	}
	first := made[0]
	differs := func(f func(scan.Params) any) bool {
		for _, p := range made[1:] {
			if !reflect.DeepEqual(f(p), f(first)) {
				return true
			}
		}
		return false
	}
	if differs(func(p scan.Params) any { return [3]any{p.Model.SHA256, p.Model.InputW, p.Model.InputH} }) {
		doc.Settings.Mixed = append(doc.Settings.Mixed, "model")
	} else {
		doc.Model.SHA256, doc.Model.InputSize, doc.Model.Classes = first.Model.SHA256, [2]int{first.Model.InputW, first.Model.InputH}, first.Model.Names
	}
	for _, row := range settings.Table {
		if !row.Result || row.JSON == "" {
			continue
		}
		value := func(p scan.Params) any { return row.Value(scan.Settings{Params: p}) }
		if differs(value) {
			doc.Settings.Mixed = append(doc.Settings.Mixed, row.JSON)
			continue
		}
		doc.Settings.Values[row.JSON] = value(first)
	}
	return len(doc.Settings.Mixed) > 0
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
