package watch

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/fsnotify/fsnotify"

	"github.com/vidsift/vidsift/engine/fingerprint"
	"github.com/vidsift/vidsift/engine/media"
	"github.com/vidsift/vidsift/engine/paths"
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

type devIno struct{ dev, ino uint64 }

// walk visits the folder dir and every folder under it, as discovery
// does (hidden entries skipped, symlinks followed, loops cut), watching
// each folder before reading it so that nothing created meanwhile is
// missed; file gets each media candidate with its stat.
func (t *tree) walk(dir string, visited map[devIno]bool, file func(string, fingerprint.Stat)) {
	st, err := os.Stat(dir)
	if err != nil || !st.IsDir() {
		return
	}
	if s, ok := st.Sys().(*syscall.Stat_t); ok {
		id := devIno{uint64(s.Dev), uint64(s.Ino)}
		if visited[id] {
			return // a symlink loop, or a folder reached twice
		}
		visited[id] = true
	}
	if !t.folders[dir] {
		if t.fsw != nil && t.watchErr == nil {
			if err := t.fsw.Add(dir); err != nil {
				t.watchErr = err
			}
		}
		t.folders[dir] = true
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		p := filepath.Join(dir, e.Name())
		if !e.IsDir() && e.Type()&os.ModeSymlink == 0 && !media.IsCandidate(p) {
			continue // not media: no stat
		}
		fi, err := os.Stat(p) // follows symlinks
		switch {
		case err != nil:
		case fi.IsDir():
			t.walk(p, visited, file)
		case fi.Mode().IsRegular() && media.IsCandidate(p):
			file(p, fingerprint.StatOf(fi))
		}
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
