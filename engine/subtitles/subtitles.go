// Package subtitles reads the text a video says in words: the text subtitle
// streams of its container (SubRip, ASS/SSA, mov_text, WebVTT), read from
// their packets with FFmpeg's demuxers, and the sidecar files next to it
// (clip.srt, clip.en.srt, clip.vtt, clip.ass), parsed here. Each cue has a
// start and end in seconds, its text (UTF-8, NFC, markup stripped), and the
// track and language it came from. Bitmap subtitle streams (DVD, PGS, DVB)
// are listed, not read.
package subtitles

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
)

// Limits on what one file can make.
const (
	// MaxCueRunes is where a cue's text is cut (a warning says so); a
	// 10,000-character line is kept whole.
	MaxCueRunes = 20000
	// MaxCuesPerTrack is where a track (or sidecar) stops being read (a
	// warning says so); a 100,000-cue track is read whole.
	MaxCuesPerTrack = 500000
	// MaxSidecarBytes is the largest sidecar file read; a larger one is an
	// error for that sidecar.
	MaxSidecarBytes = 64 << 20
)

// SidecarTrack is the Track (and Cue.Track) of a sidecar file: it has no
// stream index; Sidecar names the file.
const SidecarTrack = -1

// Cue is one timed piece of text.
type Cue struct {
	// Track is the container's stream index, or SidecarTrack for a sidecar
	// file, whose path is then in Sidecar.
	Track    int
	Sidecar  string
	Language string // ISO 639 code as tagged ("eng", "en", "pt-BR"); "" if none
	// Start and End are seconds from the start of the video stream (the
	// time base of engine/media's frame times), End >= Start.
	Start, End float64
	// Text is UTF-8 in NFC, trimmed, without markup; lines are joined by "\n".
	Text string
}

// Track is one subtitle stream of the container or one sidecar file.
type Track struct {
	Index    int    // stream index, or SidecarTrack
	Sidecar  string // the sidecar's path ("" for a stream)
	Codec    string // FFmpeg's codec name: subrip, ass, ssa, mov_text, webvtt, dvd_subtitle, ...
	Language string // "" if none (a stream tagged "und" too)
	Bitmap   bool   // pictures, not text: listed, not read
	Cues     int    // how many cues it gave
	// Err says why the track gave no cues (a sidecar that is binary or too
	// large, a codec not read); nil otherwise.
	Err error
}

// Result is everything read about one video's subtitles.
type Result struct {
	// Tracks lists the container's subtitle streams by index, then the
	// sidecars by name.
	Tracks []Track
	// Cues are in Tracks' order, each track's by start time.
	Cues []Cue
	// Warnings say what was read but not as it should be ("movie.fr.srt:
	// not UTF-8, read as Windows-1252"), one line each.
	Warnings []string
}

// Options tune Read. The zero value is usable.
type Options struct {
	// Log receives FFmpeg's messages about the file (nil: dropped; its
	// errors still become a warning).
	Log *slog.Logger
	// NoSidecars reads the container only.
	NoSidecars bool
}

// Read reads the subtitles of the video at path: its container's streams,
// then its sidecar files. It returns what it could read even with an
// error, which is about the container (a sidecar's failure is in its
// Track.Err): a file FFmpeg cannot open, or whose reading stopped early.
func Read(ctx context.Context, path string, opts Options) (Result, error) {
	res, err := readContainer(ctx, path, opts)
	if opts.NoSidecars {
		return res, err
	}
	sidecars, serr := Sidecars(path)
	if serr != nil {
		res.Warnings = append(res.Warnings, fmt.Sprintf("sidecars not looked for: %v", serr))
	}
	for _, sc := range sidecars {
		if cerr := ctx.Err(); cerr != nil {
			return res, cerr
		}
		tr, cues, warnings := ReadSidecar(sc, languageOf(path, sc))
		res.Tracks = append(res.Tracks, tr)
		res.Cues = append(res.Cues, cues...)
		for _, w := range warnings {
			res.Warnings = append(res.Warnings, filepath.Base(sc)+": "+w)
		}
	}
	return res, err
}
