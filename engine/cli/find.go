package cli

import (
	"context"
	"errors"
	"fmt"
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
}

func (o *findOptions) AddFlags(fs *pflag.FlagSet) {
	o.findFlags.AddFlags(fs)
	o.outputFlags.AddFlags(fs)
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
	f := &found{db: db, path: path, scope: store.Scope{Roots: roots, IncludeMissing: includeMissing}}
	names, err := db.ClassNames()
	if err != nil {
		db.Close()
		return nil, err
	}
	if f.expr, err = query.Resolve(expr, names); err != nil {
		db.Close()
		return nil, usageError{err}
	}
	if f.matches, err = db.Find(f.expr, o.options(), f.scope); err != nil {
		db.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}

// runFind answers a find expression from the library, without scanning.
func runFind(_ context.Context, e env, opts findOptions, args []string) error {
	f, err := findInLibrary(e, opts.findFlags, opts.IncludeMissing, args)
	if err != nil {
		return err
	}
	defer f.db.Close()
	matches, expr, o := f.matches, f.expr, opts.options()
	for _, m := range matches {
		fmt.Fprintln(e.stdout, findLine(m))
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
		werr = export.WriteFindJSON(opts.JSON, doc)
	}
	if opts.CSV != "" {
		werr = errors.Join(werr, export.WriteFindCSV(opts.CSV, doc))
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

// findLine is one matching file: its path and when, e.g.
// "clip.mp4  0:12–0:20, 1:05–1:09".
func findLine(m store.Match) string {
	if len(m.Ranges) == 0 {
		return m.Path
	}
	parts := make([]string, len(m.Ranges))
	for i, r := range m.Ranges {
		parts[i] = clock(r.Start) + "–" + clock(r.End)
	}
	return m.Path + "  " + strings.Join(parts, ", ")
}

// clock writes a span's edge: whole seconds.
func clock(s float64) string { return scan.Clock(s, scan.Seconds) }
