package store

import (
	"database/sql"
	"errors"
	"os"
	"strings"

	"github.com/vidsift/vidsift/engine/fingerprint"
	"github.com/vidsift/vidsift/engine/scan"
)

// Fingerprint returns the content fingerprint of the file at path (see
// engine/fingerprint) with the size and modification time it was taken
// at. A fingerprint taken before at the same path, size and mtime comes
// from the library's cache, so an unchanged file costs a stat; otherwise
// the file is read (read is true) and the cache remembers it.
func (s *Library) Fingerprint(path string) (fp string, st fingerprint.Stat, read bool, err error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", fingerprint.Stat{}, false, err
	}
	st = fingerprint.StatOf(fi)
	err = s.db.QueryRow(`SELECT fingerprint FROM fingerprints WHERE path=? AND size=? AND mtime_ns=?`, path, st.Size, st.ModTime).Scan(&fp)
	if err == nil && current(fp) {
		return fp, st, false, nil
	}
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", st, false, databaseError{err}
	}
	if fp, st, err = fingerprint.Of(path); err != nil {
		return "", st, true, err
	}
	// A cache that cannot remember it (a full disk) still returns the
	// fingerprint, with the error.
	if _, err = s.db.Exec(`INSERT INTO fingerprints (path, size, mtime_ns, fingerprint) VALUES (?,?,?,?)
		ON CONFLICT(path) DO UPDATE SET size=excluded.size, mtime_ns=excluded.mtime_ns, fingerprint=excluded.fingerprint`,
		path, st.Size, st.ModTime, fp); err != nil {
		return fp, st, true, databaseError{err}
	}
	return fp, st, true, nil
}

// databaseError is a failure of the library's own database (a full disk,
// a damaged file), as against one of the file it was asked about.
type databaseError struct{ error }

func (e databaseError) Unwrap() error { return e.error }

// current says a fingerprint is of the version this build computes.
func current(fp string) bool { return strings.HasPrefix(fp, "v1:") && fingerprint.Version == 1 }

// Reuse returns a stored result that stands in for a scan of id (its
// Fingerprint taken): one of the same content, parameters and engine
// revision that finished ok or partial, wherever it was stored. The one at
// id.Path comes first; a result stored before the library knew
// fingerprints stands in when its path, size and mtime match, and gains
// the fingerprint. The library then records what happened:
//   - same path (a touched file): the row takes the new size and mtime;
//   - another path that no longer exists (a moved or renamed file): that
//     path's results of this content move to id.Path, all models and
//     settings, replacing what id.Path held for them;
//   - another path that still exists (a copy): id.Path gets its own row,
//     sharing the thumbnails.
//
// The returned result carries id.Path.
func (s *Library) Reuse(id Identity) (Stored, bool, error) {
	row, err := s.byContent(id)
	if err != nil {
		return Stored{}, false, err
	}
	if row.id == 0 {
		if row, err = s.legacy(id); err != nil || row.id == 0 {
			return Stored{}, false, err
		}
	}
	fileID, stored := row.id, row.path
	switch {
	case stored == id.Path && row.size == id.Size && row.mtime == id.ModTime && row.fingerprint == id.Fingerprint:
		// unchanged: nothing to record
	case stored == id.Path:
		_, err = s.db.Exec(`UPDATE files SET size=?, mtime_ns=?, fingerprint=? WHERE id=?`, id.Size, id.ModTime, id.Fingerprint, fileID)
	case gone(stored):
		err = s.move(stored, id)
	default:
		fileID, err = s.copyRow(fileID, id)
	}
	if err != nil {
		return Stored{}, false, err
	}
	st, err := s.load(fileID)
	st.Result.Path = id.Path
	return st, err == nil, err
}

// storedRow is a stored result's row and the file it was last seen as.
type storedRow struct {
	id          int64 // 0: none
	path        string
	size, mtime int64
	fingerprint string
}

// byContent finds the result of id's content and parameters: at id.Path
// if there is one, else the most recent.
func (s *Library) byContent(id Identity) (storedRow, error) {
	var r storedRow
	if id.Fingerprint == "" {
		return r, nil
	}
	err := s.db.QueryRow(`SELECT id, path, size, mtime_ns, fingerprint FROM files WHERE fingerprint=? AND `+sameScan+` AND revision=? AND status IN ('ok','partial')
		ORDER BY path=? DESC, scanned_at DESC LIMIT 1`,
		append(append([]any{id.Fingerprint}, id.scanArgs()...), id.Revision, id.Path)...).Scan(&r.id, &r.path, &r.size, &r.mtime, &r.fingerprint)
	if errors.Is(err, sql.ErrNoRows) {
		return storedRow{}, nil
	}
	return r, err
}

// legacy finds a result stored without a fingerprint at id's path, size
// and mtime.
func (s *Library) legacy(id Identity) (storedRow, error) {
	r := storedRow{path: id.Path, size: id.Size, mtime: id.ModTime}
	err := s.db.QueryRow(`SELECT id FROM files WHERE path=? AND size=? AND mtime_ns=? AND fingerprint='' AND `+sameScan+` AND revision=? AND status IN ('ok','partial')`,
		append(append([]any{id.Path, id.Size, id.ModTime}, id.scanArgs()...), id.Revision)...).Scan(&r.id)
	if errors.Is(err, sql.ErrNoRows) {
		return storedRow{}, nil
	}
	return r, err
}

// gone says nothing is at path any more (an error other than "does not
// exist", such as a permission, does not count).
func gone(path string) bool {
	_, err := os.Lstat(path)
	return errors.Is(err, os.ErrNotExist)
}

// move gives id.Path the results stored at from for id's content, in one
// transaction: what id.Path held for the same model and settings goes.
func (s *Library) move(from string, id Identity) error {
	tx, err := s.db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`DELETE FROM files WHERE path=? AND (model_sha, params) IN
		(SELECT model_sha, params FROM files WHERE path=? AND fingerprint=?)`, id.Path, from, id.Fingerprint); err != nil {
		return err
	}
	if _, err := tx.Exec(`UPDATE files SET path=?, size=?, mtime_ns=? WHERE path=? AND fingerprint=?`,
		id.Path, id.Size, id.ModTime, from, id.Fingerprint); err != nil {
		return err
	}
	if _, err := tx.Exec(`DELETE FROM fingerprints WHERE path=?`, from); err != nil {
		return err
	}
	return tx.Commit()
}

// copyRow stores the result src again for id.Path, frames, detections,
// text, cues and thumbnail names included, in one transaction, and returns its row.
func (s *Library) copyRow(src int64, id Identity) (int64, error) {
	tx, err := s.db.Begin()
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`DELETE FROM files WHERE path=? AND `+sameScan, append([]any{id.Path}, id.scanArgs()...)...); err != nil {
		return 0, err
	}
	r, err := tx.Exec(`INSERT INTO files (path, size, mtime_ns, fingerprint, model_sha, params, revision, status, error,
		container, codec, width, height, duration, fps, keyframe_interval, scanned_at, subtitles, text_key)
		SELECT ?, ?, ?, fingerprint, model_sha, params, revision, status, error,
		container, codec, width, height, duration, fps, keyframe_interval, scanned_at, subtitles, text_key FROM files WHERE id=?`,
		id.Path, id.Size, id.ModTime, src)
	if err != nil {
		return 0, err
	}
	dst, err := r.LastInsertId()
	if err != nil {
		return 0, err
	}
	for _, q := range []string{
		`INSERT INTO frames (file_id, idx, time_s, key, kind, same_as, width, height, thumb)
			SELECT ?, idx, time_s, key, kind, same_as, width, height, thumb FROM frames WHERE file_id=?`,
		`INSERT INTO detections (file_id, frame_idx, seq, class_id, class, confidence, x1, y1, x2, y2)
			SELECT ?, frame_idx, seq, class_id, class, confidence, x1, y1, x2, y2 FROM detections WHERE file_id=?`,
		`INSERT INTO file_classes (file_id, class, max_conf) SELECT ?, class, max_conf FROM file_classes WHERE file_id=?`,
		`INSERT INTO texts (file_id, frame_idx, line, text, words, confidence, x1, y1, x2, y2)
			SELECT ?, frame_idx, line, text, words, confidence, x1, y1, x2, y2 FROM texts WHERE file_id=?`,
		`INSERT INTO cues (file_id, seq, track, sidecar, language, start_s, end_s, text, words)
			SELECT ?, seq, track, sidecar, language, start_s, end_s, text, words FROM cues WHERE file_id=?`,
	} {
		if _, err := tx.Exec(q, dst, src); err != nil {
			return 0, err
		}
	}
	return dst, tx.Commit()
}

// load reads one stored result by its row.
func (s *Library) load(fileID int64) (Stored, error) {
	var st Stored
	res := &st.Result
	var status, params string
	err := s.db.QueryRow(`SELECT path, status, error, container, codec, width, height, duration, fps, keyframe_interval, scanned_at, model_sha, params
		FROM files WHERE id=?`, fileID).Scan(&res.Path, &status, &res.Error, &res.Media.Container, &res.Media.Codec,
		&res.Media.Width, &res.Media.Height, &res.Media.Duration, &res.Media.FPS, &res.Media.KeyframeInterval, &st.ScannedAt, &st.Params.Model.SHA256, &params)
	if err != nil {
		return st, err
	}
	if err := st.Params.ParseKey(params); err != nil {
		return st, err
	}
	res.Status = scan.Status(status)
	if err := s.fill(fileID, &st); err != nil {
		return st, err
	}
	// The text's settings are its own key's (Params.Key leaves them out).
	st.Params.Text, err = scan.ParseTextKey(res.TextKey)
	return st, err
}

// FileState is a stored file as its latest result saw it.
type FileState struct {
	Size        int64
	ModTime     int64  // nanoseconds
	Fingerprint string // "" when not known
}

// LastSeen returns, for every stored path, the file as its latest result
// saw it, without reading any frame (clips checks a source against it).
func (s *Library) LastSeen() (map[string]FileState, error) {
	rows, err := s.db.Query(`WITH ` + latest + ` SELECT f.path, f.size, f.mtime_ns, f.fingerprint FROM files f JOIN latest ON f.id=latest.id`)
	if err != nil {
		return nil, err
	}
	out := map[string]FileState{}
	err = eachRow(rows, func(r *sql.Rows) error {
		var p string
		var st FileState
		if err := r.Scan(&p, &st.Size, &st.ModTime, &st.Fingerprint); err != nil {
			return err
		}
		out[p] = st
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
