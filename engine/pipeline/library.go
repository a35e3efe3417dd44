package pipeline

import "github.com/vidsift/vidsift/engine/scan"

// Library keeps finished results between runs (engine/store implements
// it). Reuse is asked once per file before it is scanned (again for a
// second copy of a file this run scanned, once the first is kept); an
// error fails the file with it (the file changed while the library read
// it, say), so a library whose own storage fails (a full disk) answers
// nothing found instead and the file is scanned. Keep gets every file this
// run finishes (with JPEG thumbnails by frame index when the run makes
// thumbnails); its error goes out with the file's FileFinished, the
// result unchanged. KeepSubtitles gives a file Reuse found, kept from
// before its subtitles were read, the cues read since; KeepText gives one
// kept without text, or with text of other settings, the text read since
// (by frame index) and its Text.Key.
type Library interface {
	Reuse(path string) (scan.Known, error)
	Keep(res scan.FileResult, thumbs map[int][]byte) error
	KeepSubtitles(path string, cues []scan.Cue) error
	KeepText(path, key string, text map[int][]scan.TextLine) error
}
