// Package store is the results library: every finished file of every run,
// in SQLite (pure Go, WAL, one transaction per file) under the user's data
// folder, with frame thumbnails in a cache folder beside it named by
// content hash. A file already finished with the same content (its
// fingerprint, see engine/fingerprint), model and settings that change
// detections is reused instead of scanned again, wherever it was stored:
// the library follows files that move, are renamed, copied or touched.
package store

import (
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/google/renameio/v2"
	"github.com/vidsift/vidsift/engine/query"
	"github.com/vidsift/vidsift/engine/scan"
)

// FileName is the library's database file inside the data folder.
const FileName = "library.db"

// Library is an open results library. It is safe for concurrent use.
type Library struct {
	db     *sql.DB
	path   string
	thumbs string
	// borrowed: thumbs is the folder libraries used to share (see
	// adoptSharedThumbs), read where it cannot be adopted: only the
	// thumbnails this library names there are its own.
	borrowed bool
}

// sharedThumbs is the thumbnails folder every library in a folder used to
// share, and the default library's own still.
const sharedThumbs = "thumbs"

// ThumbnailFolder is where the library at path keeps its thumbnails:
// "thumbs" beside the default library.db, where they always were, and
// "NAME.thumbs" beside a library of another NAME, so that libraries in one
// folder never count or delete each other's.
func ThumbnailFolder(path string) string {
	dir, name := filepath.Split(path)
	if name == FileName {
		return filepath.Join(dir, sharedThumbs)
	}
	return filepath.Join(dir, name+".thumbs")
}

// ErrReadOnly says the library cannot be written: it lies on a
// read-only medium, or this user may not write it or its folder.
var ErrReadOnly = errors.New("the library is read-only (a read-only medium, or no permission to write it)")

// What a library that cannot be used at all is: something else (not
// SQLite, another program's database, a folder), a vidsift library SQLite
// cannot read whole (cut short by a full disk or a copy that stopped,
// overwritten in part), or one written by a newer vidsift.
var (
	ErrNotLibrary  = errors.New("not a vidsift library")
	ErrDamaged     = errors.New("the library is damaged (truncated or corrupt)")
	ErrNewerSchema = errors.New("the library was written by a newer vidsift")
)

// ErrUnreadLog says a library that cannot be written has a write-ahead
// log beside it (the last changes of a vidsift that did not close it)
// which SQLite cannot read there: reading without it would show the
// library as it was before them.
var ErrUnreadLog = errors.New("its write-ahead log holds changes that cannot be read where the library lies (read-only, with no -shm file beside it)")

// SQLite's primary result codes that say what a library is.
const (
	sqliteBusy     = 5
	sqliteReadOnly = 8
	sqliteCorrupt  = 11
	sqliteCantOpen = 14
	sqliteNotADB   = 26
)

func sqliteCode(err error) int {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() & 0xff
	}
	return 0
}

// readOnly says err is SQLite (or the file system) refusing to write.
func readOnly(err error) bool {
	return sqliteCode(err) == sqliteReadOnly || errors.Is(err, syscall.EROFS) || errors.Is(err, syscall.EACCES)
}

// unopened says why SQLite could not open or read the library at path
// (err), in this package's errors where it can tell.
func unopened(path string, err error) error {
	switch sqliteCode(err) {
	case sqliteNotADB:
		return fmt.Errorf("%w: not a SQLite database (%v)", ErrNotLibrary, err)
	case sqliteCorrupt:
		return fmt.Errorf("%w: %v", ErrDamaged, err)
	case sqliteCantOpen:
		// A library in WAL mode needs its -shm file: on a read-only mount
		// SQLite cannot create it and says only that it cannot open.
		if !writableFolder(filepath.Dir(path)) {
			return ErrReadOnly
		}
	}
	if readOnly(err) {
		return ErrReadOnly
	}
	return err
}

// writableFolder says whether a file can be made in dir, by making one.
func writableFolder(dir string) bool {
	f, err := os.CreateTemp(dir, ".vidsift-probe-*")
	if err != nil {
		return false
	}
	f.Close()
	os.Remove(f.Name())
	return true
}

// notAFolder refuses a library path that is a folder (SQLite would say
// only that it cannot open it).
func notAFolder(path string) error {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return fmt.Errorf("%w: it is a folder, not a file", ErrNotLibrary)
	}
	return nil
}

// Open opens (creating and migrating when needed) the library at path.
// A library that cannot be written fails with ErrReadOnly; OpenReadOnly
// reads it still. One that cannot be used fails with ErrNotLibrary,
// ErrDamaged or ErrNewerSchema.
func Open(path string) (*Library, error) {
	if err := notAFolder(path); err != nil {
		return nil, fmt.Errorf("library %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		if readOnly(err) {
			err = ErrReadOnly
		}
		return nil, fmt.Errorf("library %s: %w", path, err)
	}
	// WAL is set once the file is known to be a library (migrate): the
	// journal mode is written into the file, another program's included.
	db, err := open(path, "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)")
	if err != nil {
		return nil, fmt.Errorf("library %s: %w", path, unopened(path, err))
	}
	s := &Library{db: db, path: path, thumbs: ThumbnailFolder(path)}
	if err := s.migrate(); err != nil {
		db.Close()
		return nil, fmt.Errorf("library %s: %w", path, unopened(path, err))
	}
	if err := s.adoptSharedThumbs(); err != nil {
		db.Close()
		if readOnly(err) {
			err = ErrReadOnly
		}
		return nil, fmt.Errorf("library %s: its thumbnails: %w", path, err)
	}
	return s, nil
}

// adoptSharedThumbs gives a library that kept its thumbnails in the
// folder libraries used to share (before each had its own) a folder of
// its own, the first time it is opened to write: hard links to (or, where
// the file system has none, copies of) the thumbnails its rows name, made
// in a temporary folder renamed into place, so that it is whole or absent.
// The shared folder is left as it was, for the other libraries beside.
func (s *Library) adoptSharedThumbs() error {
	shared := filepath.Join(filepath.Dir(s.path), sharedThumbs)
	if s.thumbs == shared || exists(s.thumbs) || !exists(shared) {
		return nil
	}
	names, err := s.thumbNames()
	if err != nil || len(names) == 0 {
		return err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(s.path), "."+filepath.Base(s.thumbs)+"-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp) // left only when the rename failed
	for _, name := range names {
		src, dst := thumbFile(shared, name), thumbFile(tmp, name)
		if !exists(src) {
			continue // deleted by another library's upkeep: the loss this folder ends
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if os.Link(src, dst) == nil {
			continue
		}
		jpg, err := os.ReadFile(src)
		if err == nil {
			err = os.WriteFile(dst, jpg, 0o644)
		}
		if err != nil {
			return err
		}
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	if err := os.Rename(tmp, s.thumbs); err != nil && !exists(s.thumbs) {
		return err
	}
	return nil // adopted here, or by another vidsift opening the library at once
}

// thumbNames lists the thumbnails the library's frames name.
func (s *Library) thumbNames() ([]string, error) {
	rows, err := s.db.Query(`SELECT DISTINCT thumb FROM frames WHERE thumb<>''`)
	if err != nil {
		return nil, err
	}
	var names []string
	err = eachRow(rows, func(r *sql.Rows) error {
		var name string
		if err := r.Scan(&name); err != nil {
			return err
		}
		if thumbName(name) {
			names = append(names, name)
		}
		return nil
	})
	return names, err
}

// thumbName says name is one putThumb makes (a SHA-256 in hex, ".jpg"):
// only such names are read, linked or deleted under a thumbnails folder,
// whatever a damaged or hostile library's rows say.
func thumbName(name string) bool {
	hash, ok := strings.CutSuffix(name, ".jpg")
	if !ok || len(hash) != 2*sha256.Size {
		return false
	}
	_, err := hex.DecodeString(hash)
	return err == nil
}

// thumbFile is where the thumbnail name lies in the folder dir.
func thumbFile(dir, name string) string { return filepath.Join(dir, name[:2], name) }

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// OpenReadOnly opens the library at path to read it only (find, export,
// stats, missing), on a read-only medium too: SQLite takes no locks and
// writes nothing, so nobody may change the library meanwhile. A library
// of an older schema cannot be read so (it needs migrating), nor one whose
// write-ahead log cannot be read (ErrUnreadLog).
func OpenReadOnly(path string) (*Library, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("library %s: %w", path, err)
	}
	if err := notAFolder(path); err != nil {
		return nil, fmt.Errorf("library %s: %w", path, err)
	}
	// immutable ignores a write-ahead log: with one beside the library, read
	// it as SQLite reads a WAL library read-only, which needs its -shm file.
	query := "mode=ro&immutable=1"
	pendingLog := false
	if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() > 0 {
		query, pendingLog = "mode=ro", true
	}
	db, err := open(path, query)
	if err != nil {
		return nil, fmt.Errorf("library %s: %w", path, err)
	}
	var v int
	if err := db.QueryRow(`PRAGMA user_version`).Scan(&v); err != nil {
		db.Close()
		if pendingLog && sqliteCode(err) == sqliteCantOpen {
			return nil, fmt.Errorf("library %s: %w", path, ErrUnreadLog)
		}
		return nil, fmt.Errorf("library %s: %w", path, unopened(path, err))
	}
	if v != len(migrations) {
		db.Close()
		if v > len(migrations) {
			return nil, fmt.Errorf("library %s: %w (schema version %d, this vidsift reads %d)", path, ErrNewerSchema, v, len(migrations))
		}
		return nil, fmt.Errorf("library %s: schema version %d, this vidsift reads %d; opening it to upgrade needs write access", path, v, len(migrations))
	}
	s := &Library{db: db, path: path, thumbs: ThumbnailFolder(path)}
	if shared := filepath.Join(filepath.Dir(path), sharedThumbs); !exists(s.thumbs) && exists(shared) {
		// Not adopted yet (see adoptSharedThumbs), and it cannot be here.
		s.thumbs, s.borrowed = shared, true
	}
	return s, nil
}

// open opens the SQLite database at path with URI parameters query.
func open(path, query string) (*sql.DB, error) {
	// The path goes into a URI: escape what SQLite would read as its query
	// or fragment ("?", "#") and the escape character itself.
	uriPath := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	db, err := sql.Open("sqlite", "file:"+uriPath+"?"+query)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1) // one writer; SQLite serialises anyway
	return db, nil
}

// Close closes the database.
func (s *Library) Close() error { return s.db.Close() }

// Identity says when a stored result may stand in for a scan: the same
// content (Fingerprint; Lookup takes path, size and mtime instead),
// scanned with the same Params by an engine of the same
// scan.ResultsRevision.
type Identity struct {
	Path        string
	Size        int64
	ModTime     int64  // nanoseconds
	Fingerprint string // "" when unknown
	Params      scan.Params
	Revision    int
}

// IdentityOf stats path now.
func IdentityOf(path string, p scan.Params) (Identity, error) {
	st, err := os.Stat(path)
	if err != nil {
		return Identity{}, err
	}
	return Identity{Path: path, Size: st.Size(), ModTime: st.ModTime().UnixNano(), Params: p, Revision: scan.ResultsRevision}, nil
}

// sameScan matches the rows made by the same model and settings as an
// identity's scanArgs.
const sameScan = `model_sha=? AND params=?`

func (id Identity) scanArgs() []any { return []any{id.Params.Model.SHA256, id.Params.Key()} }

// Lookup returns the stored result for id if it finished ok or partial.
func (s *Library) Lookup(id Identity) (Stored, bool, error) {
	row := s.db.QueryRow(`SELECT id, status, error, container, codec, width, height, duration, fps, keyframe_interval
		FROM files WHERE path=? AND size=? AND mtime_ns=? AND `+sameScan+` AND revision=? AND status IN ('ok','partial')`,
		append([]any{id.Path, id.Size, id.ModTime}, append(id.scanArgs(), id.Revision)...)...)
	var fileID int64
	res := scan.FileResult{Path: id.Path}
	var status string
	err := row.Scan(&fileID, &status, &res.Error, &res.Media.Container, &res.Media.Codec,
		&res.Media.Width, &res.Media.Height, &res.Media.Duration, &res.Media.FPS, &res.Media.KeyframeInterval)
	if errors.Is(err, sql.ErrNoRows) {
		return Stored{}, false, nil
	}
	if err != nil {
		return Stored{}, false, err
	}
	res.Status = scan.Status(status)
	st := Stored{Result: res}
	if err := s.fill(fileID, &st); err != nil {
		return st, false, err
	}
	return st, true, nil
}

// fill reads a stored file's frames, detections, text, thumbnail names
// and subtitles.
func (s *Library) fill(fileID int64, st *Stored) error {
	if err := s.fillFile(fileID, &st.Result); err != nil {
		return err
	}
	rows, err := s.db.Query(`SELECT idx, time_s, kind, same_as, width, height, thumb FROM frames WHERE file_id=? ORDER BY idx`, fileID)
	if err != nil {
		return err
	}
	var frames []scan.Frame
	st.Thumbs = map[int]string{}
	pos := map[int]int{} // frame index -> position in frames
	err = eachRow(rows, func(r *sql.Rows) error {
		var k scan.Frame
		var thumb string
		var sameAs sql.NullInt64
		if err := r.Scan(&k.Index, &k.Time, &k.Kind, &sameAs, &k.Width, &k.Height, &thumb); err != nil {
			return err
		}
		k.Reused, k.SameAs = sameAs.Valid, int(sameAs.Int64)
		pos[k.Index] = len(frames)
		frames = append(frames, k)
		if thumb != "" {
			st.Thumbs[k.Index] = thumb
		}
		return nil
	})
	if err != nil {
		return err
	}
	defer func() { st.Result.Frames = frames }()
	// The detections and the lines of text in one query (what, line says:
	// a detection's class and id, or a line's text), as many as before
	// text was read.
	drows, err := s.db.Query(`SELECT 0, frame_idx, seq, class_id, class, confidence, x1, y1, x2, y2 FROM detections WHERE file_id=?
		UNION ALL SELECT 1, frame_idx, line, 0, text, confidence, x1, y1, x2, y2 FROM texts WHERE file_id=?
		ORDER BY 1, 2, 3`, fileID, fileID)
	if err != nil {
		return err
	}
	return eachRow(drows, func(r *sql.Rows) error {
		var isText bool
		var idx, seq, classID int
		var what string
		var conf float64
		var box scan.Box
		if err := r.Scan(&isText, &idx, &seq, &classID, &what, &conf, &box[0], &box[1], &box[2], &box[3]); err != nil {
			return err
		}
		p, ok := pos[idx]
		switch {
		case !ok:
		case isText:
			frames[p].Text = append(frames[p].Text, scan.TextLine{Text: what, Confidence: float32(conf), Box: box})
		default:
			frames[p].Detections = append(frames[p].Detections, scan.Detection{ClassID: classID, Class: what, Confidence: float32(conf), Box: box})
		}
		return nil
	})
}

// fillFile reads a stored file's cues, whether the current reader read
// them (a result stored before reads none), and the settings its text was
// read with.
func (s *Library) fillFile(fileID int64, res *scan.FileResult) error {
	// One query: the file's reader revision and text key on every row, its
	// cues (none: one row of NULLs).
	rows, err := s.db.Query(`SELECT f.subtitles, f.text_key, c.track, c.sidecar, c.language, c.start_s, c.end_s, c.text
		FROM files f LEFT JOIN cues c ON c.file_id=f.id WHERE f.id=? ORDER BY c.seq`, fileID)
	if err != nil {
		return err
	}
	res.Subtitles = nil
	return eachRow(rows, func(r *sql.Rows) error {
		var rev int
		var track sql.NullInt64
		var c scan.Cue
		var sidecar, language, text sql.NullString
		var start, end sql.NullFloat64
		if err := r.Scan(&rev, &res.TextKey, &track, &sidecar, &language, &start, &end, &text); err != nil {
			return err
		}
		res.SubtitlesRead = rev >= scan.SubtitlesRevision
		if track.Valid {
			c.Track, c.Sidecar, c.Language, c.Start, c.End, c.Text = int(track.Int64), sidecar.String, language.String, start.Float64, end.Float64, text.String
			res.Subtitles = append(res.Subtitles, c)
		}
		return nil
	})
}

// cues reads the cues of the files, by file, in their order.
func (s *Library) cues(files []int64) (map[int64][]scan.Cue, error) {
	list, err := json.Marshal(files)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.Query(`SELECT file_id, track, sidecar, language, start_s, end_s, text FROM cues
		WHERE file_id IN (SELECT value FROM json_each(?)) ORDER BY file_id, seq`, string(list))
	if err != nil {
		return nil, err
	}
	out := map[int64][]scan.Cue{}
	err = eachRow(rows, func(r *sql.Rows) error {
		var id int64
		var c scan.Cue
		if err := r.Scan(&id, &c.Track, &c.Sidecar, &c.Language, &c.Start, &c.End, &c.Text); err != nil {
			return err
		}
		out[id] = append(out[id], c)
		return nil
	})
	return out, err
}

// Save stores a finished file in one transaction, replacing what was stored
// for the same path, model and settings. thumbs maps frame index to JPEG
// bytes (optional); they are written to the cache folder by content hash.
func (s *Library) Save(id Identity, res scan.FileResult, thumbs map[int][]byte) error {
	names := map[int]string{}
	for idx, jpg := range thumbs {
		name, err := s.putThumb(jpg)
		if err != nil {
			return err
		}
		names[idx] = name
	}
	tx, err := s.db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`DELETE FROM files WHERE path=? AND `+sameScan, append([]any{id.Path}, id.scanArgs()...)...); err != nil {
		return err
	}
	m := res.Media
	r, err := tx.Exec(`INSERT INTO files (path, size, mtime_ns, fingerprint, model_sha, params,
		revision, status, error, container, codec, width, height, duration, fps, keyframe_interval, scanned_at, subtitles, text_key)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		append(append([]any{id.Path, id.Size, id.ModTime, id.Fingerprint}, id.scanArgs()...), id.Revision,
			string(res.Status), res.Error, m.Container, m.Codec, m.Width, m.Height, m.Duration, m.FPS, m.KeyframeInterval,
			time.Now().UTC().Format(time.RFC3339Nano), subtitlesRevision(res), res.TextKey)...)
	if err != nil {
		return err
	}
	fileID, err := r.LastInsertId()
	if err != nil {
		return err
	}
	best := map[string]float32{} // each class's best confidence in the file
	for _, k := range res.Frames {
		for _, d := range k.Detections {
			if c, ok := best[d.Class]; !ok || d.Confidence > c {
				best[d.Class] = d.Confidence
			}
		}
	}
	for class, conf := range best {
		if _, err := tx.Exec(`INSERT INTO file_classes (file_id, class, max_conf) VALUES (?,?,?)`, fileID, class, float64(conf)); err != nil {
			return err
		}
	}
	for _, k := range res.Frames {
		var sameAs sql.NullInt64
		if k.Reused {
			sameAs = sql.NullInt64{Int64: int64(k.SameAs), Valid: true}
		}
		if _, err := tx.Exec(`INSERT INTO frames (file_id, idx, time_s, key, kind, same_as, width, height, thumb) VALUES (?,?,?,?,?,?,?,?,?)`,
			fileID, k.Index, k.Time, k.Kind == scan.KeyFrame, k.Kind, sameAs, k.Width, k.Height, names[k.Index]); err != nil {
			return err
		}
		for seq, d := range k.Detections {
			if _, err := tx.Exec(`INSERT INTO detections (file_id, frame_idx, seq, class_id, class, confidence, x1, y1, x2, y2) VALUES (?,?,?,?,?,?,?,?,?,?)`,
				fileID, k.Index, seq, d.ClassID, d.Class, float64(d.Confidence), d.Box[0], d.Box[1], d.Box[2], d.Box[3]); err != nil {
				return err
			}
		}
		if err := putText(tx, fileID, k.Index, k.Text); err != nil {
			return err
		}
	}
	if err := putCues(tx, fileID, res.Subtitles); err != nil {
		return err
	}
	return tx.Commit()
}

// subtitlesRevision is what the files.subtitles column says of res.
func subtitlesRevision(res scan.FileResult) int {
	if res.SubtitlesRead {
		return scan.SubtitlesRevision
	}
	return 0
}

func putCues(tx *sql.Tx, fileID int64, cues []scan.Cue) error {
	for seq, c := range cues {
		if _, err := tx.Exec(`INSERT INTO cues (file_id, seq, track, sidecar, language, start_s, end_s, text, words) VALUES (?,?,?,?,?,?,?,?,?)`,
			fileID, seq, c.Track, c.Sidecar, c.Language, c.Start, c.End, c.Text, query.Fold(c.Text)); err != nil {
			return err
		}
	}
	return nil
}

// storedFile is the row of id's stored result, for KeepSubtitles and
// KeepText to add to.
func storedFile(tx *sql.Tx, id Identity) (int64, error) {
	var fileID int64
	err := tx.QueryRow(`SELECT id FROM files WHERE path=? AND size=? AND mtime_ns=? AND `+sameScan+` AND revision=?`,
		append([]any{id.Path, id.Size, id.ModTime}, append(id.scanArgs(), id.Revision)...)...).Scan(&fileID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("%s: the library no longer holds its result as it was (the file changed, or was scanned again meanwhile)", id.Path)
	}
	return fileID, err
}

// KeepSubtitles gives the stored result of id, kept from a scan before its
// subtitles were read (scan.SubtitlesRevision), the cues read since,
// without touching its frames: the detector need not run again.
func (s *Library) KeepSubtitles(id Identity, cues []scan.Cue) error {
	tx, err := s.db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	fileID, err := storedFile(tx, id)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(`DELETE FROM cues WHERE file_id=?`, fileID); err != nil {
		return err
	}
	if err := putCues(tx, fileID, cues); err != nil {
		return err
	}
	if _, err := tx.Exec(`UPDATE files SET subtitles=? WHERE id=?`, scan.SubtitlesRevision, fileID); err != nil {
		return err
	}
	return tx.Commit()
}

// putText stores the lines of text read in one frame.
func putText(tx *sql.Tx, fileID int64, frame int, lines []scan.TextLine) error {
	for i, l := range lines {
		if _, err := tx.Exec(`INSERT INTO texts (file_id, frame_idx, line, text, words, confidence, x1, y1, x2, y2) VALUES (?,?,?,?,?,?,?,?,?,?)`,
			fileID, frame, i, l.Text, textWords(l.Text), float64(l.Confidence), l.Box[0], l.Box[1], l.Box[2], l.Box[3]); err != nil {
			return err
		}
	}
	return nil
}

// textWords is a line of text as text: compares it (query.Text.In): folded,
// spaces left out.
func textWords(text string) string { return strings.ReplaceAll(query.Fold(text), " ", "") }

// KeepText gives the stored result of id the text read since in its frames
// (by frame index; a frame not in text has none), with key the
// scan.Text.Key it was read with, replacing all the text it had, without
// touching its frames or detections: the detector need not run again. Text
// for a frame the result does not have is refused.
func (s *Library) KeepText(id Identity, key string, text map[int][]scan.TextLine) error {
	tx, err := s.db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	fileID, err := storedFile(tx, id)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(`DELETE FROM texts WHERE file_id=?`, fileID); err != nil {
		return err
	}
	for idx, lines := range text {
		if len(lines) == 0 {
			continue
		}
		var n int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM frames WHERE file_id=? AND idx=?`, fileID, idx).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("%s: text for frame %d, which its stored result does not have", id.Path, idx)
		}
		if err := putText(tx, fileID, idx, lines); err != nil {
			return err
		}
	}
	if _, err := tx.Exec(`UPDATE files SET text_key=? WHERE id=?`, key, fileID); err != nil {
		return err
	}
	return tx.Commit()
}

// putThumb writes a JPEG once under its content hash and returns its name.
func (s *Library) putThumb(jpg []byte) (string, error) {
	sum := sha256.Sum256(jpg)
	name := hex.EncodeToString(sum[:]) + ".jpg"
	path := thumbFile(s.thumbs, name)
	if _, err := os.Stat(path); err == nil {
		return name, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", fmt.Errorf("thumbnail cache: %w", err)
	}
	if err := renameio.WriteFile(path, jpg, 0o644); err != nil {
		return "", fmt.Errorf("thumbnail cache: %w", err)
	}
	return name, nil
}

// Thumbnail reads a stored thumbnail by the name Save gave it.
func (s *Library) Thumbnail(name string) ([]byte, error) {
	if !thumbName(name) {
		return nil, fmt.Errorf("bad thumbnail name %q", name)
	}
	return os.ReadFile(thumbFile(s.thumbs, name))
}

// Stored is one stored file with its thumbnails' names and the
// parameters it was made with (Latest fills in their model's class names).
type Stored struct {
	Result    scan.FileResult
	Thumbs    map[int]string // frame index -> thumbnail name
	ScannedAt string
	Params    scan.Params
	// The file as it was when scanned (or last seen unchanged): whoever
	// goes back to it (clips) can tell it moved or changed since.
	Size        int64
	ModTime     int64  // nanoseconds
	Fingerprint string // "" for results from before schema 6 not seen since
}

// Latest returns, for every path in scope, the most recently stored
// result (of any model or settings), sorted by path.
func (s *Library) Latest(sc Scope) ([]Stored, error) {
	where, args := underRoots("f.path", sc.Roots)
	rows, err := s.db.Query(`WITH `+latest+` SELECT f.id, f.path, f.status, f.error, f.container, f.codec, f.width, f.height, f.duration, f.fps, f.keyframe_interval, f.scanned_at, f.model_sha, f.params, f.size, f.mtime_ns, f.fingerprint
		FROM files f JOIN latest ON f.id=latest.id WHERE `+where+` ORDER BY f.path`, args...)
	if err != nil {
		return nil, err
	}
	type ref struct {
		id int64
		st Stored
	}
	var refs []ref
	err = eachRow(rows, func(row *sql.Rows) error {
		var r ref
		var status string
		res := &r.st.Result
		var info scan.MediaInfo
		var params string
		if err := row.Scan(&r.id, &res.Path, &status, &res.Error, &info.Container, &info.Codec, &info.Width, &info.Height, &info.Duration, &info.FPS, &info.KeyframeInterval, &r.st.ScannedAt, &r.st.Params.Model.SHA256, &params, &r.st.Size, &r.st.ModTime, &r.st.Fingerprint); err != nil {
			return err
		}
		if err := r.st.Params.ParseKey(params); err != nil {
			return fmt.Errorf("%s: stored parameters %q: %w", res.Path, params, err)
		}
		res.Status, res.Media = scan.Status(status), info
		refs = append(refs, r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	paths := make([]string, len(refs))
	for i, r := range refs {
		paths[i] = r.st.Result.Path
	}
	missing, err := s.present(sc, paths)
	if err != nil {
		return nil, err
	}
	out := make([]Stored, 0, len(refs))
	names := map[string][]string{} // model SHA-256 -> class names
	for _, r := range refs {
		if missing[r.st.Result.Path] {
			continue
		}
		sha := r.st.Params.Model.SHA256
		if _, ok := names[sha]; !ok {
			if names[sha], err = s.ModelClasses(sha); err != nil {
				return nil, err
			}
		}
		r.st.Params.Model.Names = names[sha]
		if err := s.fill(r.id, &r.st); err != nil {
			return nil, err
		}
		if r.st.Params.Text, err = scan.ParseTextKey(r.st.Result.TextKey); err != nil {
			return nil, fmt.Errorf("%s: stored text settings %q: %w", r.st.Result.Path, r.st.Result.TextKey, err)
		}
		out = append(out, r.st)
	}
	return out, nil
}

// Counts reports stored files, frames and detections (for tests and the app).
func (s *Library) Counts() (files, frames, detections int, err error) {
	err = s.db.QueryRow(`SELECT (SELECT COUNT(*) FROM files), (SELECT COUNT(*) FROM frames), (SELECT COUNT(*) FROM detections)`).
		Scan(&files, &frames, &detections)
	return
}
