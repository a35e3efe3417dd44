package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/pflag"

	"github.com/vidsift/vidsift/engine/config"
	"github.com/vidsift/vidsift/engine/export"
	"github.com/vidsift/vidsift/engine/pipeline"
	"github.com/vidsift/vidsift/engine/store"
)

// Export runs `vidsift export [--json FILE] [--csv FILE] [--classes a,b]
// [--conf X] [PATH...]`: the latest stored result of every file in the
// library (or of those at or under PATHs), without scanning.
func Export(args []string, stdout, stderr io.Writer) int {
	fs := pflag.NewFlagSet("export", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: vidsift export [--json FILE] [--csv FILE] [--classes a,b] [--conf X] [PATH...]\n\nWrites what the results library holds (the latest result of each file, or of the files at or\nunder PATHs) without scanning.\n\nFlags:\n%s", fs.FlagUsages())
	}
	jsonPath := fs.String("json", "", "write JSON to FILE")
	csvPath := fs.String("csv", "", "write CSV to FILE")
	classes := fs.StringSlice("classes", nil, "only these classes")
	minConf := fs.Float64("conf", 0, "only detections at least this confident (below the scans' own floor there are none)")
	fs.String("library", "", "results library (default: the data folder's library.db)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return ExitOK
		}
		return ExitUsage
	}
	if *jsonPath == "" && *csvPath == "" {
		fs.Usage()
		return ExitUsage
	}
	if *minConf < 0 || *minConf > 1 {
		fmt.Fprintln(stderr, "vidsift: --conf must be between 0 and 1")
		return ExitUsage
	}
	var roots []string
	for _, p := range fs.Args() {
		abs, err := filepath.Abs(p)
		if err != nil {
			fmt.Fprintln(stderr, "vidsift:", err)
			return ExitUsage
		}
		roots = append(roots, abs)
	}
	v, err := config.New()
	if err != nil {
		fmt.Fprintln(stderr, "vidsift:", err)
		return ExitUsage
	}
	bind(v, fs, map[string]string{"library": config.LibraryPath})
	path := config.LibraryFile(v)
	if path == "" {
		fmt.Fprintln(stderr, "vidsift: the library is turned off; nothing to export")
		return ExitUsage
	}
	if _, err := os.Stat(path); err != nil {
		fmt.Fprintf(stderr, "vidsift: no results library at %s yet: scan something first (vidsift scan PATH)\n", path)
		return ExitUsage
	}
	lib, err := store.Open(path)
	if err != nil {
		fmt.Fprintln(stderr, "vidsift:", err)
		return ExitUsage
	}
	defer lib.Close()
	stored, err := lib.Latest()
	if err != nil {
		fmt.Fprintln(stderr, "vidsift:", err)
		return ExitSomeBad
	}
	var results []pipeline.FileResult
	var sum pipeline.Summary
	known := map[string]bool{}
	shas := map[string]bool{}
	for _, st := range stored {
		r := st.Result
		if !underAny(r.Path, roots) {
			continue
		}
		if *minConf > 0 {
			r = atLeast(r, float32(*minConf))
		}
		results = append(results, r)
		shas[st.ModelSHA] = true
		sum.Add(r)
		for _, k := range r.Keyframes {
			for _, d := range k.Detections {
				known[d.Class] = true
			}
		}
	}
	if len(roots) > 0 && len(results) == 0 {
		fmt.Fprintf(stderr, "vidsift: the library holds nothing at or under %s\n", strings.Join(roots, ", "))
		return ExitUsage
	}
	opts := export.Options{Settings: export.Settings{Classes: splitClasses(*classes), Confidence: *minConf}}
	if len(opts.Settings.Classes) > 0 {
		opts.Classes = map[string]bool{}
		for _, c := range opts.Settings.Classes {
			if !known[c] {
				names := make([]string, 0, len(known))
				for n := range known {
					names = append(names, n)
				}
				sort.Strings(names)
				fmt.Fprintf(stderr, "vidsift: the library holds no %q; it holds: %s\n", c, strings.Join(names, ", "))
				return ExitUsage
			}
			opts.Classes[c] = true
		}
	}
	doc := export.Build(results, sum, opts)
	if len(shas) == 1 {
		for sha := range shas {
			doc.Model.SHA256 = sha
		}
	}
	code := ExitOK
	if !writeExports(stderr, doc, *jsonPath, *csvPath) {
		code = ExitSomeBad
	}
	fmt.Fprintf(stderr, "exported %d files (%d detections) from %s\n", len(doc.Files), doc.Summary.Detections, path)
	return code
}

// underAny reports whether path is one of roots or inside one (no roots:
// everything is).
func underAny(path string, roots []string) bool {
	if len(roots) == 0 {
		return true
	}
	for _, r := range roots {
		if path == r || strings.HasPrefix(path, strings.TrimSuffix(r, string(filepath.Separator))+string(filepath.Separator)) {
			return true
		}
	}
	return false
}

// atLeast returns r with only the detections of confidence ≥ conf.
func atLeast(r pipeline.FileResult, conf float32) pipeline.FileResult {
	kfs := make([]pipeline.Keyframe, len(r.Keyframes))
	for i, k := range r.Keyframes {
		kfs[i] = k
		kfs[i].Detections = nil
		for _, d := range k.Detections {
			if d.Confidence >= conf {
				kfs[i].Detections = append(kfs[i].Detections, d)
			}
		}
	}
	r.Keyframes = kfs
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

// writeExports writes doc to the JSON and CSV paths that are set and says
// whether every write succeeded (failures are reported on stderr).
func writeExports(stderr io.Writer, doc export.Document, jsonPath, csvPath string) bool {
	ok := true
	if jsonPath != "" {
		if err := export.WriteJSON(jsonPath, doc); err != nil {
			fmt.Fprintln(stderr, "vidsift:", err)
			ok = false
		}
	}
	if csvPath != "" {
		if err := export.WriteCSV(csvPath, doc); err != nil {
			fmt.Fprintln(stderr, "vidsift:", err)
			ok = false
		}
	}
	return ok
}
