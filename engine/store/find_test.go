package store

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vidsift/vidsift/engine/query"
	"github.com/vidsift/vidsift/engine/scan"
)

// synthetic fills a library with files of frames 1 s apart and random
// detections: person in about half the files, dog in about a tenth, and
// other classes; each file's classes come and go in runs of frames. Each
// file has cuesPerFile subtitle cues, 1.5 s long, 2 s apart, from a few
// lines: "fire" is said in about a fifth of the cues, "zebra" in one in
// 2,000; and textsPerFile lines of text read in its frames, from a few
// signs: "exit" in about a third, "zebra" in one in 1,600.
func synthetic(t testing.TB, path string, files, framesPerFile, detsPerFile, cuesPerFile, textsPerFile int) *Library {
	t.Helper()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.rememberModel("synthetic", []string{"person", "dog", "car", "cat", "bicycle", "truck", "horse"}); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	tx, err := s.db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	fileStmt, _ := tx.Prepare(`INSERT INTO files (path, size, mtime_ns, model_sha, params, revision, status, scanned_at)
		VALUES (?, 1, 1, 'synthetic', ?, ?, 'ok', ?)`)
	frameStmt, _ := tx.Prepare(`INSERT INTO frames (file_id, idx, time_s, key, width, height) VALUES (?, ?, ?, 1, 640, 480)`)
	detStmt, _ := tx.Prepare(`INSERT INTO detections (file_id, frame_idx, seq, class_id, class, confidence, x1, y1, x2, y2) VALUES (?,?,?,?,?,?,0,0,10,10)`)
	cueStmt, _ := tx.Prepare(`INSERT INTO cues (file_id, seq, track, start_s, end_s, text, words) VALUES (?,?,2,?,?,?,?)`)
	textStmt, _ := tx.Prepare(`INSERT INTO texts (file_id, frame_idx, line, text, words, confidence, x1, y1, x2, y2) VALUES (?,?,?,?,?,0.9,0,0,10,10)`)
	signs := []string{"EMERGENCY EXIT", "Exit 12", "NO ENTRY", "ALLYEAR SALE", "Café du Monde", "FIRE EXIT →", "Sale 50% off", "出口", "Main St", "Ex-Libris"}
	// The text comes from its own generator: the detections and cues are
	// those the library had before text was read.
	textRng := rand.New(rand.NewPCG(3, 4))
	lines := []string{"Fire! Get out!", "Where is the dog?", "The campfire is warm.", "Get OUT of the car, please.", "Café au lait, s'il vous plaît",
		"It's a fire drill.", "Nothing to see here", "The dog and the person left", "Call the fire brigade", "Exit on the left"}
	others := []string{"car", "cat", "bicycle", "truck", "horse"}
	at := time.Unix(0, 0).UTC()
	for f := 0; f < files; f++ {
		r, err := fileStmt.Exec(fmt.Sprintf("/archive/%02d/clip%05d.mp4", f%50, f), params("synthetic").Key(), scan.ResultsRevision, at.Format(time.RFC3339Nano))
		if err != nil {
			t.Fatal(err)
		}
		id, _ := r.LastInsertId()
		for k := 0; k < framesPerFile; k++ {
			if _, err := frameStmt.Exec(id, k, float64(k)); err != nil {
				t.Fatal(err)
			}
		}
		for c := 0; c < cuesPerFile; c++ {
			line := lines[rng.IntN(len(lines))]
			if rng.IntN(2000) == 0 {
				line = "Mind the zebra crossing" // rare: in about 2.5 % of files of 50 cues
			}
			if _, err := cueStmt.Exec(id, c, 2*float64(c), 2*float64(c)+1.5, line, query.Fold(line)); err != nil {
				t.Fatal(err)
			}
		}
		onFrame := map[int]int{} // frame -> its lines so far
		for l := 0; l < textsPerFile; l++ {
			sign := signs[textRng.IntN(len(signs))]
			if textRng.IntN(1600) == 0 {
				sign = "ZEBRA CROSSING" // rare: in about 3 % of files of 50 lines
			}
			// A sign stays in view a few frames.
			k := (textRng.IntN(framesPerFile) + l%3) % framesPerFile
			if _, err := textStmt.Exec(id, k, onFrame[k], sign, textWords(sign)); err != nil {
				t.Fatal(err)
			}
			onFrame[k]++
		}
		var classes []string
		if rng.IntN(2) == 0 {
			classes = append(classes, "person")
		}
		if rng.IntN(10) == 0 {
			classes = append(classes, "dog")
		}
		for len(classes) < 3 {
			classes = append(classes, others[rng.IntN(len(others))])
		}
		seq := map[int]int{}
		for d := 0; d < detsPerFile; d++ {
			c := classes[d%len(classes)]
			// A run of frames for each class: where it starts, then on.
			k := (rng.IntN(framesPerFile/2) + d) % framesPerFile
			if _, err := detStmt.Exec(id, k, seq[k], 0, c, 0.2+0.8*rng.Float64()); err != nil {
				t.Fatal(err)
			}
			seq[k]++
		}
	}
	if _, err := tx.Exec(fillFileClasses); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	return s
}

// bruteForce evaluates e on every latest file, in Go: what Find must equal.
func bruteForce(t *testing.T, s *Library, e query.Expr, o query.Options, roots []string) []Match {
	t.Helper()
	stored, err := s.Latest(all)
	if err != nil {
		t.Fatal(err)
	}
	var out []Match
	for _, st := range stored {
		if len(roots) > 0 && !underAny(st.Result.Path, roots) {
			continue
		}
		if ok, ranges := query.MatchFile(e, st.Result.Frames, st.Result.Subtitles, o); ok {
			out = append(out, Match{Path: st.Result.Path, Ranges: ranges})
		}
	}
	return out
}

func underAny(path string, roots []string) bool {
	for _, r := range roots {
		if rel, err := filepath.Rel(r, path); err == nil && rel != ".." && !filepath.IsAbs(rel) && (len(rel) < 3 || rel[:3] != "../") {
			return true
		}
	}
	return false
}

// TestFindAgreesWithGo: the indexed candidates never lose a match that a
// plain evaluation of every file finds, for every kind of expression.
func TestFindAgreesWithGo(t *testing.T) {
	s := synthetic(t, filepath.Join(t.TempDir(), "lib.db"), 400, 20, 50, 8, 10)
	defer s.Close()
	names, err := s.ClassNames()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		expr  string
		o     query.Options
		roots []string
	}{
		{expr: "dog & person"},
		{expr: "dog | horse"},
		{expr: "person & !dog"},
		{expr: "!person"},
		{expr: "(cat | dog) & !horse", o: query.Options{MinConfidence: 0.6}},
		{expr: "dog & person", o: query.Options{Together: true}},
		{expr: "person", o: query.Options{MinDuration: 3}},
		{expr: "!person", o: query.Options{MinDuration: 3}},
		{expr: "person & car", o: query.Options{MinDuration: 2, Together: true}},
		{expr: "person", roots: []string{"/archive/07", "/archive/1", "/archive/33/"}}, // /archive/1 holds nothing: /archive/10 is not under it
		// Long expressions (a generated query): 500 terms must not hit
		// SQLite's limits on nesting or compound SELECTs.
		{expr: strings.Repeat("cat | dog | horse | ", 166) + "truck"},
		{expr: strings.Repeat("person & ", 499) + "car"},
		{expr: strings.Repeat("(", 300) + "dog" + strings.Repeat(" | horse)", 300) + " & !cat"},
		{expr: strings.Repeat("!cat & ", 250) + "(dog | !truck)"},
		// What is said, alone and with classes.
		{expr: "said:fire"},
		{expr: `said:"get out"`},
		{expr: "said:cafe | said:exit"},
		{expr: "said:fire & !said:campfire & dog"},
		{expr: "person & said:fire", o: query.Options{Together: true}},
		{expr: "said:fire & !said:drill", o: query.Options{Together: true, MinDuration: 1}},
		{expr: "!said:fire"},
		{expr: strings.Repeat("said:exit | ", 100) + "said:fire"},
		// What is written, alone, with classes and with what is said: a
		// word of the trigram index, words a reader joined, rare words,
		// words too short for a trigram.
		{expr: "text:exit"},
		{expr: `text:"all year"`},
		{expr: "text:zebra"},
		{expr: "text:ex"},
		{expr: "text:出口"},
		{expr: "text:cafe | text:e"},
		{expr: "person & text:exit"},
		{expr: "person & text:exit", o: query.Options{Together: true}},
		{expr: "text:exit & !text:emergency"},
		{expr: "text:exit & !text:emergency", o: query.Options{Together: true}},
		{expr: "said:fire | text:fire"},
		{expr: "said:fire & text:fire", o: query.Options{Together: true}},
		{expr: "text:sale", o: query.Options{MinDuration: 2}},
		{expr: "!text:exit"},
		{expr: strings.Repeat("text:entry | ", 100) + "text:zebra"},
		{expr: strings.Repeat("text:entry & ", 100) + "dog"},
	} {
		e, err := query.Parse(c.expr)
		if err != nil {
			t.Fatal(err)
		}
		if len(c.expr) > 60 {
			c.expr = c.expr[:60] + "…"
		}
		if e, err = query.Resolve(e, names); err != nil {
			t.Fatal(err)
		}
		got, err := s.Find(e, c.o, Scope{Roots: c.roots, IncludeMissing: true})
		if err != nil {
			t.Fatalf("%s: %v", c.expr, err)
		}
		want := bruteForce(t, s, e, c.o, c.roots)
		if len(want) == 0 {
			t.Errorf("%s %+v: nothing matches, the case proves nothing", c.expr, c.o)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s %+v: Find gives %d files, the plain evaluation %d", c.expr, c.o, len(got), len(want))
		}
	}
}

// BenchmarkFind: a two-class AND query, words said and words written,
// over a library of 10,000 files, 200,000 frames, 500,000 detections,
// 500,000 cues and 500,000 lines of text, the database open (target ≤ 100
// ms for the class query, a word few files say and one few files show).
func BenchmarkFind(b *testing.B) {
	s := synthetic(b, filepath.Join(b.TempDir(), "lib.db"), 10000, 20, 50, 50, 50)
	defer s.Close()
	files, frames, dets, err := s.Counts()
	if err != nil {
		b.Fatal(err)
	}
	// said:zebra is a word a few files say; said:"fire brigade" one nearly
	// every file does (the worst case: every file's cues are read).
	// text:zebra is a word a few files show, text:ex one too short for
	// the trigram index (every line is read).
	for _, expr := range []string{"dog & person", "said:zebra", `said:"fire brigade"`, "text:zebra", "text:ex", "person & text:zebra"} {
		e, err := query.Parse(expr)
		if err != nil {
			b.Fatal(err)
		}
		benchFind(b, s, e, expr, files, frames, dets)
	}
}

func benchFind(b *testing.B, s *Library, e query.Expr, name string, files, frames, dets int) {
	// With the missing files left out, as find does by default, every match
	// is stat'ed; these paths do not exist, so each is also looked up for a
	// copy elsewhere: the worst case.
	for _, sc := range []struct {
		name  string
		scope Scope
	}{{"all", all}, {"missing-left-out", Scope{}}} {
		b.Run(name+"/"+sc.name, func(b *testing.B) {
			var matched int
			for b.Loop() {
				m, err := s.Find(e, query.Options{}, sc.scope)
				if err != nil {
					b.Fatal(err)
				}
				matched = len(m)
			}
			b.ReportMetric(float64(matched)/float64(files)*100, "%matched")
			b.Logf("%d files, %d frames, %d detections, %d cues, %d lines of text; %d match", files, frames, dets, 50*files, 50*files, matched)
		})
	}
}
