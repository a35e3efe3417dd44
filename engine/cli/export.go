package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/spf13/pflag"

	"github.com/vidsift/vidsift/engine/config"
	"github.com/vidsift/vidsift/engine/export"
	"github.com/vidsift/vidsift/engine/pipeline"
	"github.com/vidsift/vidsift/engine/store"
)

// Export runs `vidsift export [--json FILE] [--csv FILE] [--classes a,b]`:
// the latest stored result of every file in the library, without scanning.
func Export(args []string, stdout, stderr io.Writer) int {
	fs := pflag.NewFlagSet("export", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: vidsift export [--json FILE] [--csv FILE] [--classes a,b]\n\nWrites what the results library holds (the latest result of each file) without scanning.\n\nFlags:\n%s", fs.FlagUsages())
	}
	jsonPath := fs.String("json", "", "write JSON to FILE")
	csvPath := fs.String("csv", "", "write CSV to FILE")
	classes := fs.StringSlice("classes", nil, "only these classes")
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
		results = append(results, r)
		shas[st.ModelSHA] = true
		sum.Add(r)
		for _, k := range r.Keyframes {
			for _, d := range k.Detections {
				known[d.Class] = true
			}
		}
	}
	opts := export.Options{Settings: export.Settings{Classes: splitClasses(*classes)}}
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
