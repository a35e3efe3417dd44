package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"strings"

	"github.com/spf13/pflag"

	"github.com/vidsift/vidsift/engine/config"
	"github.com/vidsift/vidsift/engine/export"
	"github.com/vidsift/vidsift/engine/query"
	"github.com/vidsift/vidsift/engine/scan"
	"github.com/vidsift/vidsift/engine/store"
)

// findOptions are `vidsift find`'s flags.
type findOptions struct {
	libraryFlags
	missingFlags
	outputFlags
	findFlags
	Null bool
}

func (o *findOptions) AddFlags(fs *pflag.FlagSet) {
	o.findFlags.AddFlags(fs)
	o.outputFlags.AddFlags(fs)
	fs.Lookup("csv").Usage = "write one row per span (path, start_s, end_s) as CSV to FILE"
	fs.BoolVar(&o.Null, "null", false, "print only each matching file's path, ended by a NUL instead of a newline (for xargs -0, as find -print0)")
	o.libraryFlags.AddFlags(fs)
	o.missingFlags.AddFlags(fs)
}

// findFlags say what counts for an expression (find, clips).
type findFlags struct {
	Confidence  float64
	MinDuration durationValue
	Together    bool
}

func (o *findFlags) AddFlags(fs *pflag.FlagSet) {
	fs.Float64Var(&o.Confidence, "conf", 0, "only detections at least this confident count, 0..1")
	fs.Var(&o.MinDuration, "min-duration", "only a class's spans at least this long count, e.g. 3s or 3")
	fs.BoolVar(&o.Together, "together", false, "the expression must hold within one analysed frame, not across the file")
}

func (o findFlags) options() query.Options {
	return query.Options{MinConfidence: float32(o.Confidence), MinDuration: o.MinDuration.d.Seconds(), Together: o.Together}
}

// found is what an expression matched in the library.
type found struct {
	db      *store.Library
	path    string // the library's
	expr    query.Expr
	scope   store.Scope
	matches []store.Match
	hidden  int // matches left out because their files are missing
}

// findInLibrary answers EXPR [PATH...] (args) from the library; the
// caller closes found.db.
func findInLibrary(e env, o findFlags, includeMissing bool, args []string) (*found, error) {
	if len(args) == 0 {
		return nil, errNeedsUsage
	}
	if o.Confidence < 0 || o.Confidence > 1 {
		return nil, usagef("--conf must be between 0 and 1")
	}
	if o.MinDuration.d < 0 {
		return nil, usagef("--min-duration must not be negative")
	}
	expr, err := query.Parse(args[0])
	if err != nil {
		return nil, usagef("%q: %v", args[0], err)
	}
	roots, err := absPaths(args[1:])
	if err != nil {
		return nil, usageError{err}
	}
	db, path, err := openLibrary(e, false)
	if err != nil {
		return nil, err
	}
	f := &found{db: db, path: path, expr: expr, scope: store.Scope{Roots: roots, IncludeMissing: includeMissing}}
	if err := f.answer(e, o, args[1:]); err != nil {
		db.Close()
		return nil, err
	}
	return f, nil
}

// answer resolves f.expr's names, checks the PATHs (given as typed) and
// finds the matches, counting those left out as missing.
func (f *found) answer(e env, o findFlags, given []string) error {
	names, err := f.db.ClassNames()
	if err != nil {
		return err
	}
	if f.expr, err = query.Resolve(f.expr, names); err != nil {
		return usageError{err}
	}
	for i, root := range f.scope.Roots {
		// A path that is gone may still be in the library (files that
		// moved or were deleted); one that never was is a mistake.
		if _, err := os.Lstat(root); !errors.Is(err, fs.ErrNotExist) {
			continue
		}
		held, err := f.db.Holds(root)
		if err != nil {
			return fmt.Errorf("%s: %w", f.path, err)
		}
		if !held {
			return usagef("%s does not exist, and the library holds nothing at or under it", given[i])
		}
	}
	if err := f.sayConfidenceFloor(e, o.Confidence); err != nil {
		return err
	}
	// Missing files are left out here, not by Find, to say how many were.
	all := f.scope
	all.IncludeMissing = true
	if f.matches, err = f.db.Find(f.expr, o.options(), all); err != nil {
		return fmt.Errorf("%s: %w", f.path, err)
	}
	if f.scope.IncludeMissing || len(f.matches) == 0 {
		return nil
	}
	paths := make([]string, len(f.matches))
	for i, m := range f.matches {
		paths[i] = m.Path
	}
	missing, err := f.db.MissingAmong(paths)
	if err != nil {
		return fmt.Errorf("%s: %w", f.path, err)
	}
	kept := f.matches[:0]
	for _, m := range f.matches {
		if !missing[m.Path] {
			kept = append(kept, m)
		}
	}
	f.hidden, f.matches = len(f.matches)-len(kept), kept
	return nil
}

// sayConfidenceFloor says, once, when --conf asks for less than the scans
// in scope kept: the library holds nothing below a scan's floor, so the
// floor applies there instead.
func (f *found) sayConfidenceFloor(e env, conf float64) error {
	if conf <= 0 {
		return nil
	}
	floors, err := f.db.ConfidenceFloors(f.scope.Roots)
	if err != nil {
		return fmt.Errorf("%s: %w", f.path, err)
	}
	if len(floors) == 0 || float32(conf) >= floors[len(floors)-1] {
		return nil
	}
	highest := floors[len(floors)-1]
	if floors[0] > float32(conf) {
		fmt.Fprintf(e.stderr, "vidsift: --conf %v is below the confidence the scans kept (%s): the library holds no weaker detections, so that applies\n",
			conf, floorsText(floors))
	} else {
		fmt.Fprintf(e.stderr, "vidsift: --conf %v is below the confidence some scans kept (up to %v): the library holds no weaker detections of theirs, so their files count from their own\n",
			conf, highest)
	}
	return nil
}

// runFind answers a find expression from the library, without scanning.
func runFind(_ context.Context, e env, opts findOptions, args []string) error {
	if err := opts.outputFlags.check(); err != nil {
		return err
	}
	f, err := findInLibrary(e, opts.findFlags, opts.IncludeMissing, args)
	if err != nil {
		return err
	}
	defer f.db.Close()
	matches, expr, o := f.matches, f.expr, opts.options()
	lines := e.stdout
	if opts.JSON == stdoutName || opts.CSV == stdoutName {
		lines = e.stderr // standard output carries the document
	}
	for _, m := range matches {
		if opts.Null {
			fmt.Fprint(lines, m.Path+"\x00")
		} else {
			fmt.Fprintln(lines, findLine(m))
		}
	}
	if f.hidden > 0 {
		files := map[bool]string{true: "its file is", false: "their files are"}[f.hidden == 1]
		fmt.Fprintf(e.stderr, "vidsift: %s left out: %s missing (gone, the content stored nowhere else); --include-missing lists them\n",
			plural(f.hidden, "match", "matches"), files)
	}
	doc := export.FindDocument{Query: expr.String(), Together: o.Together, Confidence: opts.Confidence,
		MinDuration: o.MinDuration, Files: []export.FindFile{}}
	for _, m := range matches {
		file := export.FindFile{Path: m.Path, Spans: []export.FindSpan{}}
		for _, r := range m.Ranges {
			file.Spans = append(file.Spans, export.FindSpan{Start: r.Start, End: r.End})
		}
		doc.Files = append(doc.Files, file)
	}
	var werr error
	if opts.JSON != "" {
		werr = writeExport(opts.JSON, e.stdout, doc, export.WriteFindJSON, export.EncodeFindJSON)
	}
	if opts.CSV != "" {
		werr = errors.Join(werr, writeExport(opts.CSV, e.stdout, doc, export.WriteFindCSV, export.EncodeFindCSV))
	}
	if werr != nil {
		return werr
	}
	if len(matches) == 0 {
		return ErrNoMatch
	}
	return nil
}

// openLibrary opens the results library the settings name for a command
// that reads it (find, export, library stats) or, with write, changes it
// (library prune). A library that cannot be written is read all the same.
func openLibrary(e env, write bool) (*store.Library, string, error) {
	path := config.LibraryFile(e.v)
	if path == "" {
		return nil, "", usagef("the library is turned off (--library off): there is nothing to read")
	}
	if _, err := os.Stat(path); err != nil {
		return nil, "", usagef("no results library at %s yet: scan something first (vidsift scan PATH)", path)
	}
	db, err := store.Open(path)
	switch {
	case errors.Is(err, store.ErrReadOnly) && write:
		return nil, "", usagef("%v: this command changes it; copy the library and its thumbnails folder %s somewhere writable, keeping their names, and name the copy with --library",
			err, store.ThumbnailFolder(path))
	case errors.Is(err, store.ErrReadOnly):
		db, err = store.OpenReadOnly(path)
	}
	if err != nil {
		return nil, "", usageError{err}
	}
	return db, path, nil
}

// floorsText writes the scans' confidences: "0.25", or "0.25–0.5".
func floorsText(floors []float32) string {
	if len(floors) == 1 {
		return fmt.Sprint(floors[0])
	}
	return fmt.Sprintf("%v–%v", floors[0], floors[len(floors)-1])
}

// findLine is one matching file: its path (escaped, see displayPath) and
// when, e.g. "clip.mp4  0:12.4–0:20.1, 1:05.0–1:09.6".
func findLine(m store.Match) string {
	path := displayPath(m.Path)
	if len(m.Ranges) == 0 {
		return path
	}
	parts := make([]string, len(m.Ranges))
	for i, r := range m.Ranges {
		parts[i] = spanText(r.Start, r.End)
	}
	return path + "  " + strings.Join(parts, ", ")
}

// spanText writes a span in tenths, the precision of frame times: the
// start cut down and the end rounded up, so what was seen at 1.96 s is
// not printed as over by 1.9 s.
func spanText(start, end float64) string {
	up := math.Ceil(end*10-1e-6) / 10
	return scan.Clock(start, scan.Tenths) + "–" + scan.Clock(up, scan.Tenths)
}

// plural is n with the noun for one or for many: "1 match", "3 matches".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return thousands(n) + " " + many
}

// clock writes a span's edge: whole seconds.
func clock(s float64) string { return scan.Clock(s, scan.Seconds) }
