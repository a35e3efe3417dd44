package store

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/vidsift/vidsift/engine/paths"
)

// Stats describes a library.
type Stats struct {
	Files    int            // stored results (one per path, model and settings)
	Paths    int            // distinct paths
	ByStatus map[string]int // results by status: ok, partial, failed
	// Fingerprinted counts the results that know their file's content.
	Fingerprinted int
	Frames        int
	Detections    int
	Models        []ModelStats
	// DatabaseBytes is the database with its write-ahead log;
	// ThumbnailBytes the thumbnail cache (Thumbnails files).
	DatabaseBytes  int64
	ThumbnailBytes int64
	Thumbnails     int
	Oldest, Newest string // when the oldest and newest results were made (RFC 3339), "" when empty
}

// ModelStats is what one model made.
type ModelStats struct {
	SHA256  string
	Files   int
	Classes int // class names the library knows for it (0: not kept)
}

// Stats reads the library's figures.
func (s *Library) Stats() (Stats, error) {
	st := Stats{ByStatus: map[string]int{}}
	err := s.db.QueryRow(`SELECT COUNT(*), COUNT(DISTINCT path), COUNT(NULLIF(fingerprint, '')),
		COALESCE(MIN(scanned_at), ''), COALESCE(MAX(scanned_at), ''),
		(SELECT COUNT(*) FROM frames), (SELECT COUNT(*) FROM detections) FROM files`).
		Scan(&st.Files, &st.Paths, &st.Fingerprinted, &st.Oldest, &st.Newest, &st.Frames, &st.Detections)
	if err != nil {
		return st, err
	}
	rows, err := s.db.Query(`SELECT status, COUNT(*) FROM files GROUP BY status`)
	if err != nil {
		return st, err
	}
	err = eachRow(rows, func(r *sql.Rows) error {
		var status string
		var n int
		if err := r.Scan(&status, &n); err != nil {
			return err
		}
		st.ByStatus[status] = n
		return nil
	})
	if err != nil {
		return st, err
	}
	rows, err = s.db.Query(`SELECT f.model_sha, COUNT(*), COALESCE(m.names, '[]') FROM files f LEFT JOIN models m ON m.sha=f.model_sha GROUP BY f.model_sha ORDER BY COUNT(*) DESC, f.model_sha`)
	if err != nil {
		return st, err
	}
	err = eachRow(rows, func(r *sql.Rows) error {
		var m ModelStats
		var names string
		if err := r.Scan(&m.SHA256, &m.Files, &names); err != nil {
			return err
		}
		var list []string
		_ = json.Unmarshal([]byte(names), &list)
		m.Classes = len(list)
		st.Models = append(st.Models, m)
		return nil
	})
	if err != nil {
		return st, err
	}
	for _, suffix := range []string{"", "-wal"} {
		if fi, err := os.Stat(s.path + suffix); err == nil {
			st.DatabaseBytes += fi.Size()
		}
	}
	if s.borrowed {
		names, err := s.thumbNames()
		for _, name := range names {
			if fi, err := os.Stat(thumbFile(s.thumbs, name)); err == nil {
				st.Thumbnails++
				st.ThumbnailBytes += fi.Size()
			}
		}
		return st, err
	}
	err = filepath.WalkDir(s.thumbs, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if d.Type().IsRegular() && strings.HasSuffix(d.Name(), ".jpg") {
			if fi, err := d.Info(); err == nil {
				st.Thumbnails++
				st.ThumbnailBytes += fi.Size()
			}
		}
		return nil
	})
	return st, err
}

// Missing is a stored file whose path is gone and whose content is not
// stored at another path that exists: its results are all the library
// has of it.
type Missing struct {
	Path     string
	Results  int    // its stored results (models and settings)
	LastSeen string // when the newest of them was made
}

// Missing lists the missing files at or under roots (all when none),
// sorted by path. It stats every stored path under roots.
func (s *Library) Missing(roots []string) ([]Missing, error) {
	where, args := underRoots("path", roots)
	rows, err := s.db.Query(`SELECT path, COUNT(*), MAX(scanned_at) FROM files WHERE `+where+` GROUP BY path ORDER BY path`, args...)
	if err != nil {
		return nil, err
	}
	var all []Missing
	err = eachRow(rows, func(r *sql.Rows) error {
		var m Missing
		if err := r.Scan(&m.Path, &m.Results, &m.LastSeen); err != nil {
			return err
		}
		all = append(all, m)
		return nil
	})
	if err != nil {
		return nil, err
	}
	paths := make([]string, len(all))
	for i, m := range all {
		paths[i] = m.Path
	}
	missing, err := s.missingAmong(paths)
	if err != nil {
		return nil, err
	}
	var out []Missing
	for _, m := range all {
		if missing[m.Path] {
			out = append(out, m)
		}
	}
	return out, nil
}

// missingAmong says which of the stored paths are missing: gone, with no
// fingerprint of theirs stored at another path that exists.
func (s *Library) missingAmong(paths []string) (map[string]bool, error) {
	out := map[string]bool{}
	for _, p := range paths {
		if !gone(p) {
			continue
		}
		rows, err := s.db.Query(`SELECT DISTINCT o.path FROM files f JOIN files o ON o.fingerprint=f.fingerprint AND o.path<>f.path
			WHERE f.path=? AND f.fingerprint<>''`, p)
		if err != nil {
			return nil, err
		}
		elsewhere := false
		err = eachRow(rows, func(r *sql.Rows) error {
			if elsewhere {
				return nil // one existing copy is enough: stat no more
			}
			var other string
			if err := r.Scan(&other); err != nil {
				return err
			}
			elsewhere = !gone(other)
			return nil
		})
		if err != nil {
			return nil, err
		}
		out[p] = !elsewhere
	}
	return out, nil
}

// Forgotten says what Forget, Prune or Relocate changed (or, dry, would).
type Forgotten struct {
	Paths      int // distinct paths
	Results    int // stored results
	Thumbnails int // thumbnail files no stored frame names any more
}

// Forget removes every stored result at or under each of paths (a
// folder prefix: /a/1 does not reach /a/10), of any model or settings,
// with their cached fingerprints, in one transaction; then the thumbnails
// no stored frame names any more. With dry, it only counts.
func (s *Library) Forget(paths []string, dry bool) (Forgotten, error) {
	if len(paths) == 0 {
		return Forgotten{}, nil
	}
	where, args := underRoots("path", paths)
	return s.forget(where, args, dry)
}

// forget is Forget of the rows whose path meets where.
func (s *Library) forget(where string, args []any, dry bool) (Forgotten, error) {
	tx, err := s.db.Begin()
	if err != nil {
		return Forgotten{}, err
	}
	defer tx.Rollback()
	var f Forgotten
	if err := tx.QueryRow(`SELECT COUNT(DISTINCT path), COUNT(*) FROM files WHERE `+where, args...).Scan(&f.Paths, &f.Results); err != nil {
		return f, err
	}
	rows, err := tx.Query(`SELECT DISTINCT thumb FROM frames WHERE thumb<>'' AND file_id IN (SELECT id FROM files WHERE `+where+`)`, args...)
	if err != nil {
		return f, err
	}
	var thumbs []string
	err = eachRow(rows, func(r *sql.Rows) error {
		var t string
		if err := r.Scan(&t); err != nil {
			return err
		}
		thumbs = append(thumbs, t)
		return nil
	})
	if err != nil {
		return f, err
	}
	if _, err := tx.Exec(`DELETE FROM files WHERE `+where, args...); err != nil {
		return f, err
	}
	if _, err := tx.Exec(`DELETE FROM fingerprints WHERE `+where, args...); err != nil {
		return f, err
	}
	unused, err := unnamed(tx, thumbs)
	if err != nil {
		return f, err
	}
	if s.sharesThumbs() {
		unused = nil // another library's may be among them (see sharesThumbs)
	}
	f.Thumbnails = len(unused)
	if dry {
		return f, nil // the rollback undoes it
	}
	if err := tx.Commit(); err != nil {
		return f, err
	}
	var errs []error
	for _, name := range unused {
		if err := os.Remove(thumbFile(s.thumbs, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return f, errors.Join(errs...)
}

// unnamed returns the thumbnails of names that no stored frame names.
func unnamed(tx *sql.Tx, names []string) ([]string, error) {
	if len(names) == 0 {
		return nil, nil
	}
	list, err := json.Marshal(names)
	if err != nil {
		return nil, err
	}
	rows, err := tx.Query(`SELECT DISTINCT thumb FROM frames WHERE thumb IN (SELECT value FROM json_each(?))`, string(list))
	if err != nil {
		return nil, err
	}
	used := map[string]bool{}
	err = eachRow(rows, func(r *sql.Rows) error {
		var t string
		if err := r.Scan(&t); err != nil {
			return err
		}
		used[t] = true
		return nil
	})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, n := range names {
		if !used[n] && thumbName(n) {
			out = append(out, n)
		}
	}
	return out, nil
}

// Prune forgets the missing files at or under roots (see Missing).
func (s *Library) Prune(roots []string, dry bool) ([]Missing, Forgotten, error) {
	missing, err := s.Missing(roots)
	if err != nil || len(missing) == 0 {
		return missing, Forgotten{}, err
	}
	paths := make([]string, len(missing))
	for i, m := range missing {
		paths[i] = m.Path
	}
	where, args := atPaths("path", paths)
	f, err := s.forget(where, args, dry)
	return missing, f, err
}

// RelocateError refuses a relocation onto a prefix that already holds
// results: they may be of other files, and a merge would have to pick.
type RelocateError struct {
	New     string
	Results int
}

func (e RelocateError) Error() string {
	return fmt.Sprintf("%s already holds %d stored results", e.New, e.Results)
}

// Relocate rewrites the stored paths at or under the folder old to lie
// under new instead, in one transaction, reading no file: a drive
// mounted elsewhere, or a moved archive. Cached fingerprints move too, so
// the next scan of new costs a stat per file. It refuses (RelocateError)
// when new already holds results, and prefixes inside one another.
func (s *Library) Relocate(old, new string, dry bool) (Forgotten, error) {
	old, new = filepath.Clean(old), filepath.Clean(new)
	switch {
	case old == new:
		return Forgotten{}, fmt.Errorf("%s: the old and the new prefix are the same", old)
	case paths.Under(new, old) || paths.Under(old, new):
		return Forgotten{}, fmt.Errorf("%s and %s lie inside one another", old, new)
	}
	tx, err := s.db.Begin()
	if err != nil {
		return Forgotten{}, err
	}
	defer tx.Rollback()
	var f Forgotten
	atNew, newArgs := underRoots("path", []string{new})
	var there int
	if err := tx.QueryRow(`SELECT COUNT(*) FROM files WHERE `+atNew, newArgs...).Scan(&there); err != nil {
		return f, err
	}
	if there > 0 {
		return f, RelocateError{New: new, Results: there}
	}
	atOld, oldArgs := underRoots("path", []string{old})
	if err := tx.QueryRow(`SELECT COUNT(DISTINCT path), COUNT(*) FROM files WHERE `+atOld, oldArgs...).Scan(&f.Paths, &f.Results); err != nil {
		return f, err
	}
	if _, err := tx.Exec(`DELETE FROM fingerprints WHERE `+atNew, newArgs...); err != nil {
		return f, err
	}
	for _, table := range []string{"files", "fingerprints"} {
		// substr and length count characters alike, so the prefix is cut whole.
		if _, err := tx.Exec(`UPDATE `+table+` SET path=?||substr(path, length(?)+1) WHERE `+atOld,
			append([]any{new, old}, oldArgs...)...); err != nil {
			return f, err
		}
	}
	if dry {
		return f, nil
	}
	return f, tx.Commit()
}

// sharesThumbs says the library's thumbnails folder is the one libraries
// in its folder used to share (the default library's) and another library
// beside it has not yet taken its own (adoptSharedThumbs, on its next
// writable open): a thumbnail no row of this library names may be that
// library's, so upkeep deletes none until it has.
func (s *Library) sharesThumbs() bool {
	dir := filepath.Dir(s.path)
	if s.thumbs != filepath.Join(dir, sharedThumbs) {
		return false
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return true // cannot tell: keep them
	}
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || name == filepath.Base(s.path) || exists(ThumbnailFolder(filepath.Join(dir, name))) {
			continue
		}
		if sqliteFile(filepath.Join(dir, name)) {
			return true
		}
	}
	return false
}

// sqliteFile says the file at path starts as every SQLite database does.
func sqliteFile(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 16)
	_, err = io.ReadFull(f, head)
	return err == nil && string(head) == "SQLite format 3\x00"
}
