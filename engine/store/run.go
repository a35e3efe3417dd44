package store

import (
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/vidsift/vidsift/engine/scan"
)

// RunLibrary is the library as one run sees it (a pipeline.Library): the
// model and settings are fixed, and each file's identity (fingerprint
// included) is taken when the run first asks about it, so a file that
// changes during the scan is stored under its old identity and redone
// next time.
type RunLibrary struct {
	lib      *Library
	params   scan.Params
	rescan   bool
	mu       sync.Mutex
	ids      map[string]Identity
	model    sync.Once // the model's classes are remembered with the first file
	modelErr error
}

// ForRun binds the store to a run's settings. With rescan, nothing is
// reused, but every finished file is still kept.
func (s *Library) ForRun(p scan.Params, rescan bool) *RunLibrary {
	return &RunLibrary{lib: s, params: p, rescan: rescan, ids: map[string]Identity{}}
}

// Reuse fingerprints path (from the cache when it is unchanged) and
// returns the stored result of the same content and settings, if one
// finished ok or partial (see Library.Reuse). A file that cannot be
// fingerprinted because it is not there or not readable is left to the
// scan to report; one that changes while read is an error. When the
// library's database fails (a full disk), nothing is found: the file is
// scanned, and Keep says whether the library can hold it.
func (l *RunLibrary) Reuse(path string) (scan.Known, error) {
	fp, st, read, err := l.lib.Fingerprint(path)
	known := scan.Known{Fingerprint: fp, Read: read}
	var dbErr databaseError
	switch {
	case errors.Is(err, os.ErrNotExist) || errors.Is(err, os.ErrPermission):
		return known, nil
	case errors.As(err, &dbErr) && fp == "":
		return known, nil
	case errors.As(err, &dbErr):
		// Fingerprinted, but the cache could not remember it: the
		// stored results may still be read.
	case err != nil:
		return known, err
	}
	id := Identity{Path: path, Size: st.Size, ModTime: st.ModTime, Fingerprint: fp, Params: l.params, Revision: scan.ResultsRevision}
	l.mu.Lock()
	l.ids[path] = id
	l.mu.Unlock()
	if l.rescan {
		return known, nil
	}
	stored, ok, err := l.lib.Reuse(id)
	if err != nil || !ok {
		return known, nil // an error is the database's: scan the file
	}
	known.Found, known.Result, known.Thumbs = true, stored.Result, map[int][]byte{}
	for idx, name := range stored.Thumbs {
		if b, err := l.lib.Thumbnail(name); err == nil {
			known.Thumbs[idx] = b
		}
	}
	return known, nil
}

// Keep stores a finished file under the identity it had when the run
// began. A failed file that is no longer there is not kept: there is
// nothing to redo or show.
func (l *RunLibrary) Keep(res scan.FileResult, thumbs map[int][]byte) error {
	l.model.Do(func() {
		if len(l.params.Model.Names) > 0 {
			l.modelErr = l.lib.rememberModel(l.params.Model.SHA256, l.params.Model.Names)
		}
	})
	if l.modelErr != nil {
		return l.modelErr
	}
	l.mu.Lock()
	id, ok := l.ids[res.Path]
	l.mu.Unlock()
	if !ok {
		var err error
		if id, err = IdentityOf(res.Path, l.params); err != nil {
			if res.Status == scan.StatusFailed && errors.Is(err, os.ErrNotExist) {
				return nil
			}
			return err
		}
	}
	return l.lib.Save(id, res, thumbs)
}

// KeepSubtitles gives the stored result Reuse found for path the cues
// read since (Library.KeepSubtitles).
func (l *RunLibrary) KeepSubtitles(path string, cues []scan.Cue) error {
	l.mu.Lock()
	id, ok := l.ids[path]
	l.mu.Unlock()
	if !ok {
		return fmt.Errorf("%s: not a file this run asked about", path)
	}
	return l.lib.KeepSubtitles(id, cues)
}

// KeepText gives the stored result Reuse found for path the text read
// since, with the scan.Text.Key it was read with (Library.KeepText).
func (l *RunLibrary) KeepText(path, key string, text map[int][]scan.TextLine) error {
	l.mu.Lock()
	id, ok := l.ids[path]
	l.mu.Unlock()
	if !ok {
		return fmt.Errorf("%s: not a file this run asked about", path)
	}
	return l.lib.KeepText(id, key, text)
}
