package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/pflag"

	"github.com/vidsift/vidsift/engine/export"
	"github.com/vidsift/vidsift/engine/paths"
	"github.com/vidsift/vidsift/engine/query"
	"github.com/vidsift/vidsift/engine/scan"
	"github.com/vidsift/vidsift/engine/store"
)

// exportOptions are `vidsift export`'s flags.
type exportOptions struct {
	libraryFlags
	missingFlags
	selectionFlags
	outputFlags
	labelFlags
	Where    string
	Together bool
}

func (o *exportOptions) AddFlags(fs *pflag.FlagSet) {
	o.outputFlags.AddFlags(fs)
	o.labelFlags.AddFlags(fs)
	o.selectionFlags.AddFlags(fs)
	fs.StringVar(&o.Where, "where", "", "only files where a find expression holds, e.g. 'dog & person' (vidsift find --help)")
	fs.BoolVar(&o.Together, "together", false, "with --where: only the frames where the expression holds")
	o.libraryFlags.AddFlags(fs)
	o.missingFlags.AddFlags(fs)
}

// labelFlags name the exports for labelling tools.
type labelFlags struct {
	COCO, Images, YOLO string
	FullRes, Force     bool
}

func (o *labelFlags) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.COCO, "coco", "", "write a COCO dataset to FILE: each analysed frame an image, boxes as annotations")
	fs.StringVar(&o.Images, "images", "", "the COCO images' folder (default: FILE's name + _images beside it)")
	fs.StringVar(&o.YOLO, "yolo", "", "write a YOLO dataset to DIR: images/, labels/ and data.yaml")
	fs.BoolVar(&o.FullRes, "full-res", false, "decode the frames again at full size for --coco/--yolo (default: the library's thumbnails)")
	fs.BoolVar(&o.Force, "force", false, "write --coco's images or --yolo into a folder that holds other files than an earlier export's (none of them is deleted)")
}

// runExport writes the latest stored result of every file in the library
// (or of those at or under PATHs), without scanning.
func runExport(ctx context.Context, e env, opts exportOptions, paths []string) error {
	if opts.JSON == "" && opts.CSV == "" && opts.COCO == "" && opts.YOLO == "" {
		return errNeedsUsage
	}
	if opts.Together && opts.Where == "" {
		return usagef("--together needs --where EXPR")
	}
	if (opts.Images != "" && opts.COCO == "") || ((opts.FullRes || opts.Force) && opts.COCO == "" && opts.YOLO == "") {
		return usagef("--images needs --coco FILE, and --full-res and --force --coco or --yolo")
	}
	if opts.Confidence < 0 || opts.Confidence > 1 {
		return usagef("--conf must be between 0 and 1")
	}
	if err := opts.outputFlags.check(); err != nil {
		return err
	}
	if err := opts.labelFlags.check(); err != nil {
		return err
	}
	roots, err := absPaths(paths)
	if err != nil {
		return usageError{err}
	}
	db, path, err := openLibrary(e, false)
	if err != nil {
		return err
	}
	defer db.Close()
	scope := store.Scope{Roots: roots, IncludeMissing: opts.IncludeMissing}
	stored, err := db.Latest(scope)
	if err != nil {
		return err
	}
	if opts.Where != "" {
		if stored, err = where(db, stored, opts.Where, opts.Together, float32(opts.Confidence), scope); err != nil {
			return err
		}
	}
	sel := selectStored(stored, roots, float32(opts.Confidence))
	if len(roots) > 0 && len(sel.results) == 0 {
		if missing, err := db.Missing(roots); err == nil && len(missing) > 0 && !opts.IncludeMissing {
			return usagef("the library holds only missing files at or under %s (%d; --include-missing exports them, vidsift library missing lists them)", strings.Join(roots, ", "), len(missing))
		}
		return usagef("the library holds nothing at or under %s", strings.Join(roots, ", "))
	}
	keep, err := sel.classSet(splitClasses(opts.Classes))
	if err != nil {
		return usageError{err}
	}
	// What each file was made with comes from its row; workers and
	// threads are not recorded (0).
	doc := export.Build(sel.results, sel.summary, export.Options{Params: sel.params,
		MinConfidence: float32(opts.Confidence), Classes: keep})
	err = writeExports(doc, opts.outputFlags, e.stdout)
	if opts.COCO != "" || opts.YOLO != "" {
		err = errors.Join(err, writeLabels(ctx, e, db, sel, keep, opts.labelFlags))
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "exported %d files (%d detections) from %s\n", len(doc.Files), doc.Summary.Detections, path)
	return nil
}

// where keeps the stored results where a find expression holds (with
// together, only their frames where it holds).
func where(db *store.Library, stored []store.Stored, text string, together bool, minConf float32, scope store.Scope) ([]store.Stored, error) {
	expr, err := query.Parse(text)
	if err != nil {
		return nil, usagef("--where %q: %v", text, err)
	}
	names, err := db.ClassNames()
	if err != nil {
		return nil, err
	}
	if expr, err = query.Resolve(expr, names); err != nil {
		return nil, usagef("--where: %v", err)
	}
	matches, err := db.Find(expr, query.Options{MinConfidence: minConf, Together: together}, scope)
	if err != nil {
		return nil, err
	}
	ranges := map[string][]query.Range{}
	for _, m := range matches {
		ranges[m.Path] = m.Ranges
	}
	var out []store.Stored
	for _, st := range stored {
		rs, ok := ranges[st.Result.Path]
		if !ok {
			continue
		}
		if together {
			var frames []scan.Frame
			for _, k := range st.Result.Frames {
				if query.Within(rs, k.Time) {
					frames = append(frames, k)
				}
			}
			st.Result.Frames = frames
		}
		out = append(out, st)
	}
	return out, nil
}

// storedSelection is what an export takes from the library.
type storedSelection struct {
	results   []scan.FileResult
	summary   scan.Summary
	known     map[string]bool // classes detected in results
	modelSHAs map[string]bool
	params    map[string]scan.Params    // path -> what its result was made with
	thumbs    map[string]map[int]string // path -> frame index -> thumbnail name
}

// selectStored keeps the stored results at or under roots, each with only
// its detections of at least minConf.
func selectStored(stored []store.Stored, roots []string, minConf float32) storedSelection {
	sel := storedSelection{known: map[string]bool{}, modelSHAs: map[string]bool{}, thumbs: map[string]map[int]string{},
		params: map[string]scan.Params{}}
	for _, st := range stored {
		r := st.Result
		if len(roots) > 0 && !paths.UnderAny(r.Path, roots) {
			continue
		}
		if minConf > 0 {
			r = atLeast(r, minConf)
		}
		sel.results = append(sel.results, r)
		sel.modelSHAs[st.Params.Model.SHA256] = true
		sel.params[r.Path] = st.Params
		sel.thumbs[r.Path] = st.Thumbs
		sel.summary.Add(r, false) // the library's own inferences, from when it was scanned
		for _, k := range r.Frames {
			for _, d := range k.Detections {
				sel.known[d.Class] = true
			}
		}
	}
	return sel
}

// classSet turns --classes into the set to export (nil: all), refusing a
// class the selection never shows.
func (sel storedSelection) classSet(classes []string) (map[string]bool, error) {
	if len(classes) == 0 {
		return nil, nil
	}
	set := map[string]bool{}
	for _, c := range classes {
		if !sel.known[c] {
			names := make([]string, 0, len(sel.known))
			for n := range sel.known {
				names = append(names, n)
			}
			sort.Strings(names)
			return nil, fmt.Errorf("the library holds no %q; it holds: %s", c, strings.Join(names, ", "))
		}
		set[c] = true
	}
	return set, nil
}

// absPaths makes PATHs absolute, as the library stores them.
func absPaths(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			return nil, err
		}
		out = append(out, abs)
	}
	return out, nil
}

// atLeast returns r with only the detections of confidence ≥ conf.
func atLeast(r scan.FileResult, conf float32) scan.FileResult {
	r.Frames = scan.Filter{MinConfidence: conf}.Frames(r.Frames)
	return r
}

func splitClasses(in []string) []string {
	var out []string
	for _, c := range in {
		if c = strings.TrimSpace(c); c != "" {
			out = append(out, c)
		}
	}
	return out
}

// writeExports writes doc to the JSON and CSV files that are set (one of
// them may be stdoutName: to stdout); a failed write does not stop the other.
func writeExports(doc export.Document, out outputFlags, stdout io.Writer) error {
	var errs []error
	if out.JSON != "" {
		errs = append(errs, writeExport(out.JSON, stdout, doc, export.WriteJSON, export.EncodeJSON))
	}
	if out.CSV != "" {
		errs = append(errs, writeExport(out.CSV, stdout, doc, export.WriteCSV, export.EncodeCSV))
	}
	return errors.Join(errs...)
}

// writeExport writes doc to path with write, or to stdout with encode.
func writeExport[D any](path string, stdout io.Writer, doc D, write func(string, D) error, encode func(io.Writer, D) error) error {
	if path != stdoutName {
		return write(path, doc)
	}
	if err := encode(stdout, doc); err != nil {
		return fmt.Errorf("cannot write to standard output: %w", err)
	}
	return nil
}
