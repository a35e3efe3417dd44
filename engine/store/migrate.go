package store

import "fmt"

// migrations[i] takes the schema from version i to i+1. The version lives
// in SQLite's user_version; append, never edit, a released migration.
var migrations = []string{
	`CREATE TABLE files (
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
	CREATE INDEX files_path ON files(path);`,
	// 2: which engine revision made a result (pipeline.ResultsRevision);
	// rows from before it count as revision 1 and are not reused.
	`ALTER TABLE files ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;`,
}

// SchemaVersion is the version this build writes.
func SchemaVersion() int { return len(migrations) }

func (s *Store) migrate() error {
	var v int
	if err := s.db.QueryRow(`PRAGMA user_version`).Scan(&v); err != nil {
		return fmt.Errorf("not a vidsift library (or unreadable): %w", err)
	}
	if v > len(migrations) {
		return fmt.Errorf("the library has schema version %d, newer than this vidsift understands (%d): upgrade vidsift", v, len(migrations))
	}
	for ; v < len(migrations); v++ {
		tx, err := s.db.Begin()
		if err != nil {
			return err
		}
		if _, err := tx.Exec(migrations[v]); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration to schema %d: %w", v+1, err)
		}
		if _, err := tx.Exec(fmt.Sprintf(`PRAGMA user_version = %d`, v+1)); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}
