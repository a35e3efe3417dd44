package export

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"
)

// FindSchema names the find document's format.
const FindSchema = "vidsift.find/v1"

// FindDocument is what `vidsift find --json` writes.
type FindDocument struct {
	Schema      string     `json:"schema"`         // FindSchema
	Query       string     `json:"query"`          // the expression, names as the models spell them
	Together    bool       `json:"together"`       // evaluated per analysed frame, not per file
	Confidence  float64    `json:"confidence"`     // detections below this did not count
	MinDuration float64    `json:"min_duration_s"` // spans shorter than this (seconds) did not count
	Files       []FindFile `json:"files"`          // the matching files, by path; empty when none
}

// FindFile is one matching file.
type FindFile struct {
	Path  string     `json:"path"`
	Spans []FindSpan `json:"spans"` // when: per file, the spans of the classes named positively, merged; with together, runs of frames
}

// FindSpan is a stretch of the video, in seconds.
type FindSpan struct {
	Start float64 `json:"start_s"`
	End   float64 `json:"end_s"`
}

// WriteFindJSON writes doc as JSON to path, atomically.
func WriteFindJSON(path string, doc FindDocument) error {
	return atomicWrite(path, func(w io.Writer) error { return EncodeFindJSON(w, doc) })
}

// EncodeFindJSON writes doc as JSON to w.
func EncodeFindJSON(w io.Writer, doc FindDocument) error {
	doc.Schema = FindSchema
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// WriteFindCSV writes doc as CSV (see EncodeFindCSV) to path, atomically.
func WriteFindCSV(path string, doc FindDocument) error {
	return atomicWrite(path, func(w io.Writer) error { return EncodeFindCSV(w, doc) })
}

// EncodeFindCSV writes one row per span (path,start_s,end_s), a file
// without spans as one row with empty times, to w.
func EncodeFindCSV(w io.Writer, doc FindDocument) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"path", "start_s", "end_s"}); err != nil {
		return err
	}
	for _, f := range doc.Files {
		if len(f.Spans) == 0 {
			if err := cw.Write([]string{f.Path, "", ""}); err != nil {
				return err
			}
		}
		for _, s := range f.Spans {
			if err := cw.Write([]string{f.Path, strconv.FormatFloat(s.Start, 'f', 3, 64), strconv.FormatFloat(s.End, 'f', 3, 64)}); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}
