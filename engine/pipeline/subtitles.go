package pipeline

import (
	"fmt"
	"path/filepath"
	"slices"

	"github.com/vidsift/vidsift/engine/scan"
	"github.com/vidsift/vidsift/engine/subtitles"
)

// readSubtitles reads a video's text subtitle tracks and sidecar files
// (no model runs: it costs a read of the file's packets when it has a
// text track, else little more than opening it). What could not be read
// as it should is a notice; the cues that were read count all the same.
// read is false only when the file could not be read at all.
func (r *runner) readSubtitles(path string) (cues []scan.Cue, read bool) {
	res, err := subtitles.Read(r.ctx, path, subtitles.Options{Log: r.cfg.FFmpegLog})
	for _, w := range res.Warnings {
		r.send(scan.Notice{Text: fmt.Sprintf("%s: subtitles: %s", path, w)})
	}
	for _, t := range res.Tracks {
		if t.Err != nil {
			r.send(scan.Notice{Text: fmt.Sprintf("%s: subtitles: %v", path, t.Err)})
		}
	}
	if err != nil && len(res.Tracks) == 0 {
		if r.ctx.Err() == nil {
			r.send(scan.Notice{Text: fmt.Sprintf("%s: subtitles: %v", path, err)})
		}
		return nil, false
	}
	for _, c := range res.Cues {
		cue := scan.Cue{Track: c.Track, Language: c.Language, Start: c.Start, End: c.End, Text: c.Text}
		if c.Track == subtitles.SidecarTrack {
			cue.Sidecar = filepath.Base(c.Sidecar)
		}
		cues = append(cues, cue)
	}
	slices.SortStableFunc(cues, func(a, b scan.Cue) int {
		switch {
		case a.Start < b.Start:
			return -1
		case a.Start > b.Start:
			return 1
		}
		return 0
	})
	return cues, true
}
