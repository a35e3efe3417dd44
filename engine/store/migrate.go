package store

import (
	"database/sql"
	"fmt"
	"time"

	"github.com/vidsift/vidsift/engine/scan"
)

// A migration takes the schema one version further, inside a transaction.
type migration func(tx *sql.Tx) error

// exec is a migration that is SQL only.
func exec(q string) migration {
	return func(tx *sql.Tx) error {
		_, err := tx.Exec(q)
		return err
	}
}

// migrations[i] takes the schema from version i to i+1. The version lives
// in SQLite's user_version; append, never edit, a released migration.
var migrations = []migration{
	exec(`CREATE TABLE files (
		id INTEGER PRIMARY KEY,
		path TEXT NOT NULL,
		size INTEGER NOT NULL,
		mtime_ns INTEGER NOT NULL,
		model_sha TEXT NOT NULL,
		conf REAL NOT NULL,
		iou REAL NOT NULL,
		input_w INTEGER NOT NULL,
		input_h INTEGER NOT NULL,
		status TEXT NOT NULL CHECK (status IN ('ok','partial','failed')),
		error TEXT NOT NULL DEFAULT '',
		container TEXT NOT NULL DEFAULT '',
		codec TEXT NOT NULL DEFAULT '',
		width INTEGER NOT NULL DEFAULT 0,
		height INTEGER NOT NULL DEFAULT 0,
		duration REAL NOT NULL DEFAULT 0,
		fps REAL NOT NULL DEFAULT 0,
		scanned_at TEXT NOT NULL,
		UNIQUE (path, model_sha, conf, iou, input_w, input_h)
	);
	CREATE TABLE keyframes (
		file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
		idx INTEGER NOT NULL,
		time_s REAL NOT NULL,
		width INTEGER NOT NULL,
		height INTEGER NOT NULL,
		thumb TEXT NOT NULL DEFAULT '',
		PRIMARY KEY (file_id, idx)
	);
	CREATE TABLE detections (
		file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
		kf_idx INTEGER NOT NULL,
		seq INTEGER NOT NULL,
		class_id INTEGER NOT NULL,
		class TEXT NOT NULL,
		confidence REAL NOT NULL,
		x1 REAL NOT NULL, y1 REAL NOT NULL, x2 REAL NOT NULL, y2 REAL NOT NULL,
		PRIMARY KEY (file_id, kf_idx, seq)
	);
	CREATE INDEX files_path ON files(path);`),
	// 2: which engine revision made a result (pipeline.ResultsRevision);
	// rows from before it count as revision 1 and are not reused.
	exec(`ALTER TABLE files ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;`),
	// 3: the sampling policy joins the identity (a new UNIQUE, so the files
	// table is rebuilt, SQLite's way: new table, copy, drop, rename; foreign
	// keys are off meanwhile, see migrate); rows from before it were
	// keyframes only. Keyframes become frames: keyframes, or gap frames, and
	// frames that repeat another's detections.
	exec(`CREATE TABLE files_new (
		id INTEGER PRIMARY KEY,
		path TEXT NOT NULL,
		size INTEGER NOT NULL,
		mtime_ns INTEGER NOT NULL,
		model_sha TEXT NOT NULL,
		conf REAL NOT NULL,
		iou REAL NOT NULL,
		input_w INTEGER NOT NULL,
		input_h INTEGER NOT NULL,
		max_gap REAL NOT NULL DEFAULT 0,
		min_gap REAL NOT NULL DEFAULT 0,
		reuse_similar INTEGER NOT NULL DEFAULT 0,
		revision INTEGER NOT NULL DEFAULT 1,
		status TEXT NOT NULL CHECK (status IN ('ok','partial','failed')),
		error TEXT NOT NULL DEFAULT '',
		container TEXT NOT NULL DEFAULT '',
		codec TEXT NOT NULL DEFAULT '',
		width INTEGER NOT NULL DEFAULT 0,
		height INTEGER NOT NULL DEFAULT 0,
		duration REAL NOT NULL DEFAULT 0,
		fps REAL NOT NULL DEFAULT 0,
		keyframe_interval REAL NOT NULL DEFAULT 0,
		scanned_at TEXT NOT NULL,
		UNIQUE (path, model_sha, conf, iou, input_w, input_h, max_gap, min_gap, reuse_similar)
	);
	INSERT INTO files_new (id, path, size, mtime_ns, model_sha, conf, iou, input_w, input_h, revision, status, error,
		container, codec, width, height, duration, fps, scanned_at)
		SELECT id, path, size, mtime_ns, model_sha, conf, iou, input_w, input_h, revision, status, error,
		container, codec, width, height, duration, fps, scanned_at FROM files;
	DROP TABLE files;
	ALTER TABLE files_new RENAME TO files;
	CREATE INDEX files_path ON files(path);
	ALTER TABLE keyframes RENAME TO frames;
	ALTER TABLE frames ADD COLUMN key INTEGER NOT NULL DEFAULT 1;
	ALTER TABLE frames ADD COLUMN same_as INTEGER;
	ALTER TABLE detections RENAME COLUMN kf_idx TO frame_idx;`),
	// 4: find. The class names of each model results came from (find
	// accepts those); each file's classes with their best confidence,
	// indexed by class, which answers "which files show a dog" without
	// reading every detection; the latest result of each path, indexed.
	exec(`CREATE TABLE models (
		sha TEXT PRIMARY KEY,
		names TEXT NOT NULL -- JSON array, by class id
	);
	CREATE TABLE file_classes (
		file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
		class TEXT NOT NULL,
		max_conf REAL NOT NULL,
		PRIMARY KEY (file_id, class)
	);
	` + fillFileClasses + `;
	CREATE INDEX file_classes_class ON file_classes(class, max_conf, file_id);
	CREATE INDEX files_path_scanned ON files(path, scanned_at);`),
	// 5: the settings that change results are one canonical column,
	// params (scan.Params.Key, the model's SHA-256 beside it), so a new
	// setting is a new field of that text and never again a table rebuild.
	// The rebuild (for the new UNIQUE) computes each row's key from its old
	// columns in Go, as scan.Params.Key writes it for the same settings,
	// so existing results stay reusable.
	paramsColumn,
	// 6: files are known by content. Each result gains its file's
	// fingerprint ('' for results from before: they gain it the next time
	// their file is seen unchanged); fingerprints are cached by path,
	// size and mtime, so an unchanged file is not read again.
	exec(`ALTER TABLE files ADD COLUMN fingerprint TEXT NOT NULL DEFAULT '';
	CREATE INDEX files_fingerprint ON files(fingerprint, model_sha, params);
	CREATE TABLE fingerprints (
		path TEXT PRIMARY KEY,
		size INTEGER NOT NULL,
		mtime_ns INTEGER NOT NULL,
		fingerprint TEXT NOT NULL -- "v1:" and hex, engine/fingerprint
	);`),
	// 7: each frame says why it was analysed (scan.FrameKind): a keyframe,
	// a gap frame or a cut frame. Frames stored before were keyframes or
	// gap frames, as key says; key stays, true for keyframes only.
	exec(`ALTER TABLE frames ADD COLUMN kind TEXT NOT NULL DEFAULT 'key' CHECK (kind IN ('key','gap','cut'));
	UPDATE frames SET kind = CASE WHEN key THEN 'key' ELSE 'gap' END;`),
	// 8: subtitle cues, searched by said: through a full-text index, and
	// which reader read a file's subtitles (scan.SubtitlesRevision; 0:
	// none, as for every file stored before).
	exec(`ALTER TABLE files ADD COLUMN subtitles INTEGER NOT NULL DEFAULT 0;
	CREATE TABLE cues (
		id INTEGER PRIMARY KEY,
		file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
		seq INTEGER NOT NULL,
		track INTEGER NOT NULL,
		sidecar TEXT NOT NULL DEFAULT '',
		language TEXT NOT NULL DEFAULT '',
		start_s REAL NOT NULL,
		end_s REAL NOT NULL,
		text TEXT NOT NULL,
		words TEXT NOT NULL, -- query.Fold(text): what said: compares, and the index holds
		UNIQUE (file_id, seq)
	);
	CREATE VIRTUAL TABLE cues_fts USING fts5(words, content='cues', content_rowid='id', tokenize='unicode61 remove_diacritics 0');
	CREATE TRIGGER cues_added AFTER INSERT ON cues BEGIN
		INSERT INTO cues_fts(rowid, words) VALUES (new.id, new.words);
	END;
	CREATE TRIGGER cues_deleted AFTER DELETE ON cues BEGIN
		INSERT INTO cues_fts(cues_fts, rowid, words) VALUES ('delete', old.id, old.words);
	END;`),
	// 9: the text read in frames, searched by text: through a trigram
	// index (a word is found inside the words a reader joined), and the
	// settings it was read with (scan.Text.Key; '': none read, as for
	// every file stored before).
	exec(`ALTER TABLE files ADD COLUMN text_key TEXT NOT NULL DEFAULT '';
	CREATE TABLE texts (
		id INTEGER PRIMARY KEY,
		file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
		frame_idx INTEGER NOT NULL,
		line INTEGER NOT NULL,
		text TEXT NOT NULL,
		words TEXT NOT NULL, -- query.Fold(text) without its spaces: what text: compares, and the index holds
		confidence REAL NOT NULL,
		x1 REAL NOT NULL, y1 REAL NOT NULL, x2 REAL NOT NULL, y2 REAL NOT NULL,
		UNIQUE (file_id, frame_idx, line)
	);
	CREATE VIRTUAL TABLE texts_fts USING fts5(words, content='texts', content_rowid='id', tokenize='trigram');
	CREATE TRIGGER texts_added AFTER INSERT ON texts BEGIN
		INSERT INTO texts_fts(rowid, words) VALUES (new.id, new.words);
	END;
	CREATE TRIGGER texts_deleted AFTER DELETE ON texts BEGIN
		INSERT INTO texts_fts(texts_fts, rowid, words) VALUES ('delete', old.id, old.words);
	END;`),
}

// paramsColumn is migration 5.
func paramsColumn(tx *sql.Tx) error {
	if _, err := tx.Exec(`CREATE TABLE files_new (
		id INTEGER PRIMARY KEY,
		path TEXT NOT NULL,
		size INTEGER NOT NULL,
		mtime_ns INTEGER NOT NULL,
		model_sha TEXT NOT NULL,
		params TEXT NOT NULL, -- scan.Params.Key(): what changes results, but the model
		revision INTEGER NOT NULL DEFAULT 1,
		status TEXT NOT NULL CHECK (status IN ('ok','partial','failed')),
		error TEXT NOT NULL DEFAULT '',
		container TEXT NOT NULL DEFAULT '',
		codec TEXT NOT NULL DEFAULT '',
		width INTEGER NOT NULL DEFAULT 0,
		height INTEGER NOT NULL DEFAULT 0,
		duration REAL NOT NULL DEFAULT 0,
		fps REAL NOT NULL DEFAULT 0,
		keyframe_interval REAL NOT NULL DEFAULT 0,
		scanned_at TEXT NOT NULL,
		UNIQUE (path, model_sha, params)
	)`); err != nil {
		return err
	}
	rows, err := tx.Query(`SELECT id, conf, iou, input_w, input_h, max_gap, min_gap, reuse_similar FROM files`)
	if err != nil {
		return err
	}
	keys := map[int64]string{}
	err = eachRow(rows, func(r *sql.Rows) error {
		var id int64
		var conf, iou float64
		var p scan.Params
		if err := r.Scan(&id, &conf, &iou, &p.Model.InputW, &p.Model.InputH, &p.Sampling.MaxGap, &p.Sampling.MinGap, &p.ReuseSimilar); err != nil {
			return err
		}
		// Stored as float64(float32): converting back is exact.
		p.Confidence, p.IoU = float32(conf), float32(iou)
		keys[id] = p.Key()
		return nil
	})
	if err != nil {
		return err
	}
	for id, key := range keys {
		if _, err := tx.Exec(`INSERT INTO files_new (id, path, size, mtime_ns, model_sha, params, revision, status, error,
			container, codec, width, height, duration, fps, keyframe_interval, scanned_at)
			SELECT id, path, size, mtime_ns, model_sha, ?, revision, status, error,
			container, codec, width, height, duration, fps, keyframe_interval, scanned_at FROM files WHERE id=?`, key, id); err != nil {
			return err
		}
	}
	_, err = tx.Exec(`DROP TABLE files;
	ALTER TABLE files_new RENAME TO files;
	CREATE INDEX files_path ON files(path);
	CREATE INDEX files_path_scanned ON files(path, scanned_at);`)
	return err
}

// fillFileClasses derives file_classes from the detections.
const fillFileClasses = `INSERT INTO file_classes (file_id, class, max_conf)
	SELECT file_id, class, MAX(confidence) FROM detections GROUP BY file_id, class`

// SchemaVersion is the version this build writes.
func SchemaVersion() int { return len(migrations) }

func (s *Library) migrate() error {
	// One statement, one snapshot: another vidsift creating the library
	// at this moment commits its tables and their version together.
	var v, tables int
	if err := s.db.QueryRow(`SELECT (SELECT user_version FROM pragma_user_version), (SELECT COUNT(*) FROM sqlite_master)`).Scan(&v, &tables); err != nil {
		return err // Open says what the file is
	}
	if v > len(migrations) {
		return fmt.Errorf("%w: schema version %d, newer than this vidsift understands (%d): upgrade vidsift", ErrNewerSchema, v, len(migrations))
	}
	if v == 0 && tables > 0 {
		// Version 0 is a new, empty database: one with tables is another
		// program's, which a migration must not fill with vidsift's.
		return fmt.Errorf("%w: a SQLite database of another program (%d tables or indexes, none of vidsift's schema)", ErrNotLibrary, tables)
	}
	// The journal mode is kept in the file: once WAL, every connection is.
	if err := whileBusy(func() error {
		_, err := s.db.Exec(`PRAGMA journal_mode=WAL`)
		return err
	}); err != nil {
		return err
	}
	if v == len(migrations) {
		return nil
	}
	return migrateFile(s.path)
}

// busyFor is how long a library may stay locked by another vidsift
// before opening it fails: the connections' busy_timeout.
const busyFor = 10 * time.Second

// whileBusy runs f until it is not refused for a lock another connection
// holds, for busyFor at most. Switching the journal mode needs the file to
// itself, and SQLite gives up on it at once, without its busy handler:
// several vidsifts opening a new library together would otherwise fail.
func whileBusy(f func() error) error {
	wait, deadline := time.Millisecond, time.Now().Add(busyFor)
	for {
		err := f()
		if sqliteCode(err) != sqliteBusy || time.Now().After(deadline) {
			return err
		}
		time.Sleep(wait)
		wait = min(2*wait, 50*time.Millisecond)
	}
}

// migrateFile brings the library at path to this build's schema, one
// migration a transaction. Each takes the write lock first (BEGIN
// IMMEDIATE) and reads the version under it: several vidsifts opening a
// new or older library at once migrate it once, in turn. A table rebuild
// drops a table others refer to, so foreign keys are off on this
// connection (SQLite ignores the pragma inside a transaction) and checked
// before each migration commits.
func migrateFile(path string) error {
	db, err := open(path, "_txlock=immediate&_pragma=busy_timeout(10000)&_pragma=foreign_keys(0)")
	if err != nil {
		return err
	}
	defer db.Close()
	for {
		tx, err := db.Begin()
		if err != nil {
			return err
		}
		var v int
		if err := tx.QueryRow(`PRAGMA user_version`).Scan(&v); err != nil {
			tx.Rollback()
			return err
		}
		if v >= len(migrations) {
			return tx.Rollback() // done, here or by another vidsift
		}
		if err := migrations[v](tx); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration to schema %d: %w", v+1, err)
		}
		if bad, err := violations(tx); err != nil || bad > 0 {
			tx.Rollback()
			return fmt.Errorf("migration to schema %d: %d foreign key violations (%v)", v+1, bad, err)
		}
		if _, err := tx.Exec(fmt.Sprintf(`PRAGMA user_version = %d`, v+1)); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
}

// violations counts rows whose foreign keys point nowhere.
func violations(tx *sql.Tx) (int, error) {
	rows, err := tx.Query(`PRAGMA foreign_key_check`)
	if err != nil {
		return 0, err
	}
	n := 0
	err = eachRow(rows, func(*sql.Rows) error {
		n++
		return nil
	})
	return n, err
}
