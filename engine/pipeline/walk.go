package pipeline

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/vidsift/vidsift/engine/media"
)

// Walk visits folder trees the way a scan discovers media: hidden entries
// are skipped, symlinks followed, and loops cut by remembering each
// folder's device and inode. The zero Walk is ready; one Walk visits a
// folder once however many trees lead to it.
type Walk struct {
	// Folder, when set, is called for each folder before it is read (a
	// watch watches it there, so that nothing created meanwhile is missed).
	Folder func(dir string)
	// File gets each regular media candidate, with what stat says of it.
	File func(path string, fi os.FileInfo)
	// Other, when set, counts an entry that is neither: not media, a
	// dangling link, an unreadable folder.
	Other func()

	visited map[devIno]bool
}

type devIno struct{ dev, ino uint64 }

// Dir walks the folder dir and every folder under it.
func (w *Walk) Dir(dir string) {
	st, err := os.Stat(dir)
	if err != nil || !st.IsDir() {
		w.other()
		return
	}
	if s, ok := st.Sys().(*syscall.Stat_t); ok {
		id := devIno{uint64(s.Dev), uint64(s.Ino)}
		if w.visited[id] {
			return // a symlink loop, or a folder reached twice
		}
		if w.visited == nil {
			w.visited = map[devIno]bool{}
		}
		w.visited[id] = true
	}
	if w.Folder != nil {
		w.Folder(dir)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		w.other()
		return
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		p := filepath.Join(dir, e.Name())
		if !e.IsDir() && e.Type()&os.ModeSymlink == 0 && !media.IsCandidate(p) {
			w.other() // not media: no stat
			continue
		}
		fi, err := os.Stat(p) // follows symlinks
		switch {
		case err != nil:
			w.other() // a dangling link, or gone meanwhile
		case fi.IsDir():
			w.Dir(p)
		case fi.Mode().IsRegular() && media.IsCandidate(p):
			w.File(p, fi)
		default:
			w.other()
		}
	}
}

func (w *Walk) other() {
	if w.Other != nil {
		w.Other()
	}
}
