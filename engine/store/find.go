package store

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/vidsift/vidsift/engine/paths"
	"github.com/vidsift/vidsift/engine/query"
	"github.com/vidsift/vidsift/engine/scan"
)

// Match is a file where a find expression holds, with when.
type Match struct {
	Path   string
	Ranges []query.Range
}

// file is a stored result: its row id and path.
type file struct {
	id   int64
	path string
}

// latest is the most recently stored result of each path: what Latest
// and Find read.
const latest = `latest AS (SELECT f.id, f.path FROM files f
	JOIN (SELECT path, MAX(scanned_at) AS at FROM files GROUP BY path) l ON f.path=l.path AND f.scanned_at=l.at)`

// Scope is which stored files Find and Latest answer from: those at or
// under one of Roots (all when none), less the missing ones (see
// Missing) unless IncludeMissing.
type Scope struct {
	Roots          []string
	IncludeMissing bool
}

// present drops the missing paths (by path) unless the scope includes them.
func (s *Library) present(sc Scope, paths []string) (map[string]bool, error) {
	if sc.IncludeMissing {
		return map[string]bool{}, nil
	}
	return s.missingAmong(paths)
}

// Find answers a find expression (names resolved, see ClassNames) from
// the library, without scanning: the files in scope, by the latest stored
// result of each path, where e holds, sorted by path.
//
// SQLite's indexes pick the candidates: the files that detect the classes
// e names positively (negations cannot narrow them, since a class seen
// only briefly may not count), say its said: words or show its text:
// words. query.MatchFile then decides on each candidate's frames and cues.
func (s *Library) Find(e query.Expr, o query.Options, sc Scope) ([]Match, error) {
	where, args := underRoots("latest.path", sc.Roots)
	q := `WITH ` + latest + ` SELECT latest.id, latest.path FROM latest WHERE ` + where
	cand, err := s.candidates(e, float64(o.MinConfidence))
	if err != nil {
		return nil, err
	}
	if cand != nil {
		list, err := json.Marshal(cand)
		if err != nil {
			return nil, err
		}
		q += ` AND latest.id IN (SELECT value FROM json_each(?))`
		args = append(args, string(list))
	}
	rows, err := s.db.Query(q+` ORDER BY latest.path`, args...)
	if err != nil {
		return nil, err
	}
	var files []file
	err = eachRow(rows, func(r *sql.Rows) error {
		var f file
		if err := r.Scan(&f.id, &f.path); err != nil {
			return err
		}
		files = append(files, f)
		return nil
	})
	if err != nil {
		return nil, err
	}

	frames := map[int64][]scan.Frame{}
	if !query.SaidOnly(e) { // what is said is decided on the cues alone
		if frames, err = s.classFrames(files, query.Names(e), texts(e)); err != nil {
			return nil, err
		}
	}
	cues := map[int64][]scan.Cue{}
	if len(said(e)) > 0 {
		ids := make([]int64, len(files))
		for i, f := range files {
			ids[i] = f.id
		}
		if cues, err = s.cues(ids); err != nil {
			return nil, err
		}
	}
	var out []Match
	for _, f := range files {
		if ok, ranges := query.MatchFile(e, frames[f.id], cues[f.id], o); ok {
			out = append(out, Match{Path: f.path, Ranges: ranges})
		}
	}
	paths := make([]string, len(out))
	for i, m := range out {
		paths[i] = m.Path
	}
	missing, err := s.present(sc, paths)
	if err != nil {
		return nil, err
	}
	kept := out[:0]
	for _, m := range out {
		if !missing[m.Path] {
			kept = append(kept, m)
		}
	}
	return kept, nil
}

// classFrames reads the files' analysed frames with their detections of
// the named classes only, and their lines of text that hold one of words
// (as textWords writes them) only: in two queries, three with words.
func (s *Library) classFrames(files []file, names []query.Class, words []string) (map[int64][]scan.Frame, error) {
	ids := make([]int64, len(files))
	for i, f := range files {
		ids[i] = f.id
	}
	list, err := json.Marshal(ids)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.Query(`SELECT file_id, idx, time_s FROM frames WHERE file_id IN (SELECT value FROM json_each(?)) ORDER BY file_id, idx`, string(list))
	if err != nil {
		return nil, err
	}
	frames := map[int64][]scan.Frame{}
	type key struct {
		file int64
		idx  int
	}
	pos := map[key]int{}
	err = eachRow(rows, func(r *sql.Rows) error {
		var id int64
		var k scan.Frame
		if err := r.Scan(&id, &k.Index, &k.Time); err != nil {
			return err
		}
		pos[key{id, k.Index}] = len(frames[id])
		frames[id] = append(frames[id], k)
		return nil
	})
	if err != nil {
		return nil, err
	}
	args := []any{string(list)}
	for _, c := range names {
		args = append(args, c.Name)
	}
	marks := strings.TrimSuffix(strings.Repeat("?,", len(names)), ",")
	drows, err := s.db.Query(`SELECT file_id, frame_idx, class, confidence FROM detections
		WHERE file_id IN (SELECT value FROM json_each(?)) AND class IN (`+marks+`) ORDER BY file_id, frame_idx, seq`, args...)
	if err != nil {
		return nil, err
	}
	err = eachRow(drows, func(r *sql.Rows) error {
		var id int64
		var idx int
		var d scan.Detection
		var conf float64
		if err := r.Scan(&id, &idx, &d.Class, &conf); err != nil {
			return err
		}
		d.Confidence = float32(conf)
		if p, ok := pos[key{id, idx}]; ok {
			frames[id][p].Detections = append(frames[id][p].Detections, d)
		}
		return nil
	})
	if err != nil || len(words) == 0 {
		return frames, err
	}
	wordList, err := json.Marshal(words)
	if err != nil {
		return nil, err
	}
	trows, err := s.db.Query(`SELECT file_id, frame_idx, text FROM texts
		WHERE file_id IN (SELECT value FROM json_each(?)) AND EXISTS (SELECT 1 FROM json_each(?) w WHERE instr(words, w.value) > 0)
		ORDER BY file_id, frame_idx, line`, string(list), string(wordList))
	if err != nil {
		return nil, err
	}
	err = eachRow(trows, func(r *sql.Rows) error {
		var id int64
		var idx int
		var l scan.TextLine
		if err := r.Scan(&id, &idx, &l.Text); err != nil {
			return err
		}
		if p, ok := pos[key{id, idx}]; ok {
			frames[id][p].Text = append(frames[id][p].Text, l)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return frames, nil
}

// candidates lists the ids of the stored files where e may hold (nil:
// every file may): e with every negation taken as true, on the classes
// each file detects (the class index, file_classes), the words its
// subtitles say (the cues' full-text index) and the words written in its
// frames (the texts' trigram index). It is worked out here rather
// than in SQL: one lookup a class list and one a phrase however long e
// is, where an SQL expression of e would meet SQLite's limits on nesting
// and on compound SELECTs at a few hundred terms.
func (s *Library) candidates(e query.Expr, minConf float64) ([]int64, error) {
	if mayHold(e, func(query.Atom) bool { return false }) {
		return nil, nil // holds on a file that detects nothing: no narrowing
	}
	names, err := json.Marshal(query.Positive(e))
	if err != nil {
		return nil, err
	}
	rows, err := s.db.Query(`SELECT file_id, class FROM file_classes
		WHERE max_conf>=? AND class IN (SELECT value FROM json_each(?))`, minConf, string(names))
	if err != nil {
		return nil, err
	}
	found := map[int64]map[string]bool{} // file -> the keys of the atoms that may hold there
	var order []int64
	note := func(id int64, atom string) {
		if found[id] == nil {
			found[id] = map[string]bool{}
			order = append(order, id)
		}
		found[id][atom] = true
	}
	err = eachRow(rows, func(r *sql.Rows) error {
		var id int64
		var class string
		if err := r.Scan(&id, &class); err != nil {
			return err
		}
		note(id, query.Key(query.Class{Name: class}))
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, w := range said(e) {
		rows, err := s.db.Query(`SELECT DISTINCT c.file_id FROM cues_fts JOIN cues c ON c.id=cues_fts.rowid WHERE cues_fts MATCH ?`,
			`"`+w+`"`) // a phrase of folded words: nothing to escape
		if err != nil {
			return nil, err
		}
		err = eachRow(rows, func(r *sql.Rows) error {
			var id int64
			if err := r.Scan(&id); err != nil {
				return err
			}
			note(id, query.Key(query.Said{Words: w}))
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	shown := map[string][]int64{} // by textWords: text:"all year" and text:allyear look up once
	for _, a := range query.Atoms(e) {
		t, ok := a.(query.Text)
		if !ok {
			continue
		}
		w := textWords(t.Words)
		if _, done := shown[w]; !done {
			if shown[w], err = s.showing(w); err != nil {
				return nil, err
			}
		}
		for _, id := range shown[w] {
			note(id, query.Key(t))
		}
	}
	ids := []int64{}
	for _, id := range order {
		if mayHold(e, func(a query.Atom) bool { return found[id][query.Key(a)] }) {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// showing lists the files with a line of text that holds words (as
// textWords writes them): by the trigram index, or for words of fewer
// than three letters, which have no trigram, by reading every line.
func (s *Library) showing(words string) ([]int64, error) {
	q, arg := `SELECT DISTINCT t.file_id FROM texts_fts JOIN texts t ON t.id=texts_fts.rowid WHERE texts_fts MATCH ?`,
		`"`+words+`"` // folded letters and digits: nothing to escape
	if utf8.RuneCountInString(words) < 3 {
		q, arg = `SELECT DISTINCT file_id FROM texts WHERE instr(words, ?) > 0`, words
	}
	rows, err := s.db.Query(q, arg)
	if err != nil {
		return nil, err
	}
	var ids []int64
	err = eachRow(rows, func(r *sql.Rows) error {
		var id int64
		if err := r.Scan(&id); err != nil {
			return err
		}
		ids = append(ids, id)
		return nil
	})
	return ids, err
}

// texts lists the words of e's text atoms, as textWords writes them, each
// once.
func texts(e query.Expr) []string {
	var out []string
	for _, a := range query.Atoms(e) {
		if x, ok := a.(query.Text); ok && !slices.Contains(out, textWords(x.Words)) {
			out = append(out, textWords(x.Words))
		}
	}
	return out
}

// said lists the words of e's said atoms, folded, each once.
func said(e query.Expr) []string {
	var out []string
	for _, a := range query.Atoms(e) {
		if x, ok := a.(query.Said); ok && !slices.Contains(out, query.Fold(x.Words)) {
			out = append(out, query.Fold(x.Words))
		}
	}
	return out
}

// mayHold evaluates e with every negation true: whether e may hold in a
// file where has says which classes it detects, which words its subtitles
// say and which its frames show.
func mayHold(e query.Expr, has func(query.Atom) bool) bool {
	switch x := e.(type) {
	case query.Class, query.Said, query.Text:
		return has(x.(query.Atom))
	case query.And:
		return mayHold(x.L, has) && mayHold(x.R, has)
	case query.Or:
		return mayHold(x.L, has) || mayHold(x.R, has)
	}
	return true // a negation: any file may hold
}

// underRoots is an SQL condition on a path column: at or under one of
// roots (true when there are none). A few roots are ranges on the path
// index; many (a shell glob's worth) are one list, which SQLite's limit
// on expression depth would refuse as a chain of ORs.
func underRoots(col string, roots []string) (string, []any) {
	if len(roots) == 0 {
		return "1", nil
	}
	trimmed := make([]string, len(roots))
	for i, r := range roots {
		trimmed[i], _, _ = paths.Range(r)
	}
	if len(trimmed) > manyRoots {
		list, _ := json.Marshal(trimmed) // strings always marshal
		// The roots come as the only column of a subquery: json_each's own
		// columns (one is "path") must not hide col's. The range is
		// paths.Range's, written in SQL.
		return fmt.Sprintf("EXISTS (SELECT 1 FROM (SELECT value AS root FROM json_each(?)) WHERE %s=root OR (%s>=root||'/' AND %s<root||'0'))", col, col, col),
			[]any{string(list)}
	}
	var conds []string
	var args []any
	for _, r := range roots {
		root, from, to := paths.Range(r)
		conds = append(conds, fmt.Sprintf("(%s=? OR (%s>=? AND %s<?))", col, col, col))
		args = append(args, root, from, to)
	}
	return "(" + strings.Join(conds, " OR ") + ")", args
}

// manyRoots is where underRoots stops chaining ORs.
const manyRoots = 100

// atPaths is an SQL condition on a path column: one of paths exactly.
func atPaths(col string, paths []string) (string, []any) {
	list, _ := json.Marshal(paths)
	return col + " IN (SELECT value FROM json_each(?))", []any{string(list)}
}

// ClassNames lists the classes find may name: those of the models the
// library's results came from. For results stored before the library kept
// models' classes, the classes they detected stand in.
func (s *Library) ClassNames() ([]string, error) {
	set := map[string]bool{}
	rows, err := s.db.Query(`SELECT DISTINCT f.model_sha, m.names FROM files f LEFT JOIN models m ON m.sha=f.model_sha`)
	if err != nil {
		return nil, err
	}
	var unknown []string
	err = eachRow(rows, func(r *sql.Rows) error {
		var sha string
		var names sql.NullString
		if err := r.Scan(&sha, &names); err != nil {
			return err
		}
		if !names.Valid {
			unknown = append(unknown, sha)
			return nil
		}
		var list []string
		if err := json.Unmarshal([]byte(names.String), &list); err != nil {
			return fmt.Errorf("model %s: classes: %w", sha, err)
		}
		for _, n := range list {
			set[n] = true
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, sha := range unknown {
		crows, err := s.db.Query(`SELECT DISTINCT class FROM detections WHERE file_id IN (SELECT id FROM files WHERE model_sha=?)`, sha)
		if err != nil {
			return nil, err
		}
		err = eachRow(crows, func(r *sql.Rows) error {
			var c string
			if err := r.Scan(&c); err != nil {
				return err
			}
			set[c] = true
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	out := make([]string, 0, len(set))
	for c := range set {
		out = append(out, c)
	}
	sort.Strings(out)
	return out, nil
}

// rememberModel keeps a model's class names, for ClassNames.
func (s *Library) rememberModel(sha string, names []string) error {
	raw, err := json.Marshal(names)
	if err != nil {
		return err
	}
	_, err = s.db.Exec(`INSERT INTO models (sha, names) VALUES (?, ?) ON CONFLICT(sha) DO UPDATE SET names=excluded.names`, sha, string(raw))
	return err
}

// ModelClasses returns the class names of the model with this sha256, by
// class id. For results stored before the library kept them, the
// detections' own ids and names stand in (ids never seen become "class N").
func (s *Library) ModelClasses(sha string) ([]string, error) {
	var raw string
	err := s.db.QueryRow(`SELECT names FROM models WHERE sha=?`, sha).Scan(&raw)
	if err == nil {
		var names []string
		return names, json.Unmarshal([]byte(raw), &names)
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	rows, err := s.db.Query(`SELECT DISTINCT class_id, class FROM detections WHERE file_id IN (SELECT id FROM files WHERE model_sha=?)`, sha)
	if err != nil {
		return nil, err
	}
	var names []string
	err = eachRow(rows, func(r *sql.Rows) error {
		var id int
		var name string
		if err := r.Scan(&id, &name); err != nil {
			return err
		}
		for len(names) <= id {
			names = append(names, fmt.Sprintf("class %d", len(names)))
		}
		names[id] = name
		return nil
	})
	if err != nil {
		return nil, err
	}
	return names, nil
}
