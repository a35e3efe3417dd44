package pipeline

import "github.com/vidsift/vidsift/engine/scan"

// ResultsDB keeps finished results between runs (engine/store implements it). Reuse is asked once per
// file before it is scanned; Keep gets every file this run finishes (with
// JPEG thumbnails by frame index when the run makes thumbnails).
type ResultsDB interface {
	Reuse(path string) (scan.FileResult, map[int][]byte, bool)
	Keep(res scan.FileResult, thumbs map[int][]byte) error
}
