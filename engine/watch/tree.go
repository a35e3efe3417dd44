package watch

import (
	"errors"
	"os"
	"path/filepath"
	"strings"

	"github.com/fsnotify/fsnotify"

	"github.com/vidsift/vidsift/engine/fingerprint"
	"github.com/vidsift/vidsift/engine/media"
	"github.com/vidsift/vidsift/engine/paths"
	"github.com/vidsift/vidsift/engine/pipeline"
)

// tree is what a watch knows of its folders: the media files under them
// with the stat each had when last scanned (or found, at the start), and
// the folders it watches. fsw is nil when it only walks (polling).
type tree struct {
	roots   []string
	known   map[string]fingerprint.Stat
	folders map[string]bool
	fsw     *fsnotify.Watcher
	// watchErr is the first folder that could not be watched (ENOSPC at
	// max_user_watches, say): from then on the watch polls.
	watchErr error
}

func newTree(roots []string, fsw *fsnotify.Watcher) *tree {
	return &tree{roots: roots, known: map[string]fingerprint.Stat{}, folders: map[string]bool{}, fsw: fsw}
}

// walker walks folders as discovery does (pipeline.Walk), watching each
// folder before reading it so that nothing created meanwhile is missed;
// file gets each media candidate with its stat.
func (t *tree) walker(file func(string, fingerprint.Stat)) *pipeline.Walk {
	return &pipeline.Walk{
		Folder: func(dir string) {
			if !t.folders[dir] {
				if t.fsw != nil && t.watchErr == nil {
					if err := t.fsw.Add(dir); err != nil {
						t.watchErr = err
					}
				}
				t.folders[dir] = true
			}
		},
		File: func(p string, fi os.FileInfo) { file(p, fingerprint.StatOf(fi)) },
	}
}

// candidate says path is a media file a watch scans, with its stat.
func candidate(path string) (fingerprint.Stat, bool) {
	if strings.HasPrefix(filepath.Base(path), ".") || !media.IsCandidate(path) {
		return fingerprint.Stat{}, false
	}
	fi, err := os.Stat(path)
	if err != nil || !fi.Mode().IsRegular() {
		return fingerprint.Stat{}, false // gone, a FIFO, a device
	}
	return fingerprint.StatOf(fi), true
}

// forgetFolder drops a folder that went, with the folders under it, and
// returns the known files that were in it.
func (t *tree) forgetFolder(dir string) []string {
	for f := range t.folders {
		if paths.Under(f, dir) {
			delete(t.folders, f)
		}
	}
	var gone []string
	for p := range t.known {
		if paths.Under(p, dir) {
			gone = append(gone, p)
		}
	}
	return gone
}

// isOverflow says an fsnotify error means events were lost.
func isOverflow(err error) bool { return errors.Is(err, fsnotify.ErrEventOverflow) }
