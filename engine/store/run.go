package store

import (
	"sync"

	"github.com/vidsift/vidsift/engine/scan"
)

// RunDB is the library as one run sees it (a pipeline.ResultsDB): the
// model and settings are fixed, and each file's identity is taken when the
// run first asks about it, so a file that changes during the scan is
// stored under its old identity and redone next time.
type RunDB struct {
	store    *Store
	params   scan.Params
	rescan   bool
	mu       sync.Mutex
	ids      map[string]Identity
	model    sync.Once // the model's classes are remembered with the first file
	modelErr error
}

// ForRun binds the store to a run's settings. With rescan, nothing is
// reused, but every finished file is still kept.
func (s *Store) ForRun(p scan.Params, rescan bool) *RunDB {
	return &RunDB{store: s, params: p, rescan: rescan, ids: map[string]Identity{}}
}

// Reuse returns the stored result of path if it finished ok or partial
// with the same identity.
func (l *RunDB) Reuse(path string) (scan.FileResult, map[int][]byte, bool) {
	id, err := IdentityOf(path, l.params)
	if err != nil {
		return scan.FileResult{}, nil, false // the scan will report why
	}
	l.mu.Lock()
	l.ids[path] = id
	l.mu.Unlock()
	if l.rescan {
		return scan.FileResult{}, nil, false
	}
	st, ok, err := l.store.Lookup(id)
	if err != nil || !ok {
		return scan.FileResult{}, nil, false
	}
	thumbs := map[int][]byte{}
	for idx, name := range st.Thumbs {
		if b, err := l.store.Thumbnail(name); err == nil {
			thumbs[idx] = b
		}
	}
	return st.Result, thumbs, true
}

// Keep stores a finished file under the identity it had when the run began.
func (l *RunDB) Keep(res scan.FileResult, thumbs map[int][]byte) error {
	l.model.Do(func() {
		if len(l.params.Model.Names) > 0 {
			l.modelErr = l.store.rememberModel(l.params.Model.SHA256, l.params.Model.Names)
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
			return err
		}
	}
	return l.store.Save(id, res, thumbs)
}
