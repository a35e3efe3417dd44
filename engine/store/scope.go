package store

import (
	"database/sql"
	"fmt"
	"slices"

	"github.com/vidsift/vidsift/engine/scan"
)

// What a front end asks about a scope to explain an answer: which matches
// were left out as missing, whether a path that is gone was ever stored,
// and what confidence the stored scans kept.

// MissingAmong says which of the stored paths are missing (see Missing):
// those Find and Latest leave out unless the scope includes them.
func (s *Library) MissingAmong(paths []string) (map[string]bool, error) {
	return s.missingAmong(paths)
}

// Holds says whether any result is stored at or under root.
func (s *Library) Holds(root string) (bool, error) {
	where, args := underRoots("path", []string{root})
	var n int
	err := s.db.QueryRow(`SELECT COUNT(*) FROM (SELECT 1 FROM files WHERE `+where+` LIMIT 1)`, args...).Scan(&n)
	return n > 0, err
}

// ConfidenceFloors are the scan confidences (scan.Params.Confidence) of
// the latest results at or under roots (all when none), distinct and
// ascending: the library holds no detection below its scan's floor.
func (s *Library) ConfidenceFloors(roots []string) ([]float32, error) {
	where, args := underRoots("f.path", roots)
	rows, err := s.db.Query(`WITH `+latest+` SELECT DISTINCT f.params FROM files f JOIN latest ON f.id=latest.id WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	var floors []float32
	err = eachRow(rows, func(r *sql.Rows) error {
		var key string
		if err := r.Scan(&key); err != nil {
			return err
		}
		var p scan.Params
		if err := p.ParseKey(key); err != nil {
			return fmt.Errorf("stored parameters %q: %w", key, err)
		}
		if !slices.Contains(floors, p.Confidence) {
			floors = append(floors, p.Confidence)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.Sort(floors)
	return floors, nil
}
