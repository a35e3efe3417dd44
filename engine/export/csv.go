package export

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// CSVHeader is the first row of every CSV export. A row is a detection
// (kind key, gap or cut: its frame's kind), a line of text read in a frame
// (kind text: its frame, confidence, box and text; no class), or a
// subtitle cue (kind cue: time_s to end_s, its text, track and language;
// no frame, no box).
var CSVHeader = []string{"path", "time_s", "frame", "key", "class", "class_id", "confidence",
	"x1", "y1", "x2", "y2", "frame_width", "frame_height", "kind", "text", "end_s", "track", "language"}

// EncodeCSV writes one row per detection of doc (already class-filtered by
// Build) and per line of text, frame by frame, then one per subtitle cue,
// file by file. No cell is ever a formula (SafeText).
func EncodeCSV(w io.Writer, doc Document) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	num := func(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }
	for _, f := range doc.Files {
		for _, k := range f.Frames {
			for _, d := range k.Detections {
				row := []string{
					SafeText(f.Path), num(k.Time), strconv.Itoa(k.Index), strconv.FormatBool(k.Key), SafeText(d.Class),
					strconv.Itoa(d.ClassID), num(d.Confidence),
					num(d.Box[0]), num(d.Box[1]), num(d.Box[2]), num(d.Box[3]),
					strconv.Itoa(f.Media.Width), strconv.Itoa(f.Media.Height), k.Kind, "", "", "", "",
				}
				if err := cw.Write(row); err != nil {
					return err
				}
			}
			for _, l := range k.Text {
				row := []string{
					SafeText(f.Path), num(k.Time), strconv.Itoa(k.Index), strconv.FormatBool(k.Key), "", "", num(l.Confidence),
					num(l.Box[0]), num(l.Box[1]), num(l.Box[2]), num(l.Box[3]),
					strconv.Itoa(f.Media.Width), strconv.Itoa(f.Media.Height), "text", SafeText(l.Text), "", "", "",
				}
				if err := cw.Write(row); err != nil {
					return err
				}
			}
		}
		for _, c := range f.Subtitles {
			track := fmt.Sprint(c.Track)
			if c.Sidecar != "" {
				track = "sidecar"
			}
			row := []string{SafeText(f.Path), num(c.Start), "", "", "", "", "", "", "", "", "", "", "", "cue",
				SafeText(c.Text), num(c.End), track, SafeText(c.Language)}
			if err := cw.Write(row); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// DecodeCSV reads an export's rows back, without the header, refusing
// anything that does not start with CSVHeader.
func DecodeCSV(r io.Reader) ([][]string, error) {
	rows, err := csv.NewReader(r).ReadAll()
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 || !slices.Equal(rows[0], CSVHeader) {
		return nil, fmt.Errorf("not a vidsift CSV export: the header is not %s", strings.Join(CSVHeader, ","))
	}
	return rows[1:], nil
}

// WriteCSV writes doc's detections to path atomically.
func WriteCSV(path string, doc Document) error {
	return atomicWrite(path, func(w io.Writer) error { return EncodeCSV(w, doc) })
}

// SafeText guards a text cell against formula injection in spreadsheets:
// a cell starting with = + - @ tab or CR gets a leading apostrophe.
func SafeText(s string) string {
	if s != "" {
		switch s[0] {
		case '=', '+', '-', '@', '\t', '\r':
			return "'" + s
		}
	}
	return s
}
