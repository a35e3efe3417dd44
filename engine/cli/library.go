package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/spf13/pflag"

	"github.com/vidsift/vidsift/engine/store"
)

// libraryOptions are `vidsift library`'s flags.
type libraryOptions struct {
	libraryFlags
	JSON   bool
	DryRun bool
}

func (o *libraryOptions) AddFlags(fs *pflag.FlagSet) {
	o.libraryFlags.AddFlags(fs)
	fs.BoolVar(&o.JSON, "json", false, "print JSON on stdout instead of text")
	fs.BoolVar(&o.DryRun, "dry-run", false, "prune, relocate, forget: say what would change, change nothing")
}

const libraryAbout = `The results library's upkeep. Every command is one transaction.
  stats                  files by status, frames, detections, models, size on disk, oldest and newest scan
  missing [PATH...]      stored files that are gone, their content stored at no other path that exists
  prune [PATH...]        forget the missing files (a drive that is not mounted looks missing: mount it,
                         or name PATHs, and try --dry-run first)
  relocate OLD NEW       the files stored at or under the folder OLD are now under NEW (a drive mounted
                         elsewhere, a moved archive): rewrites the paths without reading any file
  forget PATH...         forget everything stored at or under PATHs
A thumbnail is deleted once no stored frame names it.`

// librarySubcommands are `vidsift library`'s commands.
var librarySubcommands = map[string]bool{"stats": true, "missing": true, "prune": true, "relocate": true, "forget": true}

// runLibrary runs one of the library's upkeep commands.
func runLibrary(_ context.Context, e env, opts libraryOptions, args []string) error {
	if len(args) == 0 {
		return errNeedsUsage
	}
	sub, args := args[0], args[1:]
	if err := refuseSweepingPaths(sub, args); err != nil {
		return err
	}
	paths, err := absPaths(args)
	if err != nil {
		return usageError{err}
	}
	switch {
	case sub == "relocate" && len(args) != 2:
		return usagef("library relocate takes OLD and NEW, two folders")
	case sub == "forget" && len(args) == 0:
		return usagef("library forget takes the files or folders to forget")
	case sub == "stats" && len(args) != 0:
		return usagef("library stats takes no paths")
	}
	db, path, err := openLibrary(e, sub == "prune" || sub == "relocate" || sub == "forget")
	if err != nil {
		return err
	}
	defer db.Close()
	out := libraryOutput{e: e, json: opts.JSON, dry: opts.DryRun}
	switch sub {
	case "stats":
		st, err := db.Stats()
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		return out.stats(path, st)
	case "missing":
		missing, err := db.Missing(paths)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		return out.missing(missing)
	case "prune":
		missing, f, err := db.Prune(paths, opts.DryRun)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		return out.forgotten(pruned, missing, f)
	case "forget":
		f, err := db.Forget(paths, opts.DryRun)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if f.Paths == 0 {
			fmt.Fprintf(e.stderr, "vidsift: the library holds nothing at or under %s\n", strings.Join(paths, ", "))
		}
		return out.forgotten(forgot, nil, f)
	case "relocate":
		f, err := db.Relocate(paths[0], paths[1], opts.DryRun)
		var onto store.RelocateError
		switch {
		case errors.As(err, &onto):
			return fmt.Errorf("relocate refused: %w; they may be other files, so nothing was merged. Scan %s instead (results follow files by content), or `vidsift library forget %s` first",
				err, paths[0], onto.New)
		case err != nil:
			return fmt.Errorf("%s: %w", path, err)
		}
		if f.Paths == 0 {
			fmt.Fprintf(e.stderr, "vidsift: the library holds nothing at or under %s\n", paths[0])
		} else if _, err := os.Stat(paths[1]); err != nil {
			fmt.Fprintf(e.stderr, "vidsift: note: %s is not there now (%v)\n", paths[1], err)
		}
		return out.forgotten(relocated, nil, f)
	}
	return usagef("library: unknown command %q (stats, missing, prune, relocate, forget)", sub)
}

// refuseSweepingPaths refuses PATHs that would reach far more than meant:
// an empty one (an unset shell variable) would be the working folder, and
// forgetting or relocating the root would touch every stored file.
func refuseSweepingPaths(sub string, args []string) error {
	for _, a := range args {
		if strings.TrimSpace(a) == "" {
			return usagef("library %s: an empty PATH (an unset variable?) is refused: name the folder", sub)
		}
		if sub != "forget" && sub != "relocate" {
			continue
		}
		if abs, err := filepath.Abs(a); err == nil && abs == filepath.Dir(abs) {
			return usagef("library %s: %s is the root: it reaches every stored file, so it is refused (to start afresh, name a new library with --library)", sub, abs)
		}
	}
	return nil
}

// libraryOutput prints what a library command did, as text or JSON.
type libraryOutput struct {
	e    env
	json bool
	dry  bool
}

func (o libraryOutput) printJSON(v any) error {
	enc := json.NewEncoder(o.e.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func (o libraryOutput) stats(path string, st store.Stats) error {
	if o.json {
		type model struct {
			SHA256  string `json:"sha256"`
			Files   int    `json:"files"`
			Classes int    `json:"classes"`
		}
		doc := struct {
			Library        string         `json:"library"`
			Files          int            `json:"files"`
			Paths          int            `json:"paths"`
			ByStatus       map[string]int `json:"by_status"`
			Fingerprinted  int            `json:"fingerprinted"`
			Frames         int            `json:"frames"`
			Detections     int            `json:"detections"`
			Models         []model        `json:"models"`
			DatabaseBytes  int64          `json:"database_bytes"`
			ThumbnailBytes int64          `json:"thumbnail_bytes"`
			Thumbnails     int            `json:"thumbnails"`
			Oldest         string         `json:"oldest_scan"`
			Newest         string         `json:"newest_scan"`
		}{path, st.Files, st.Paths, st.ByStatus, st.Fingerprinted, st.Frames, st.Detections, []model{},
			st.DatabaseBytes, st.ThumbnailBytes, st.Thumbnails, st.Oldest, st.Newest}
		for _, m := range st.Models {
			doc.Models = append(doc.Models, model{m.SHA256, m.Files, m.Classes})
		}
		return o.printJSON(doc)
	}
	tw := tabwriter.NewWriter(o.e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "library\t%s\n", path)
	fmt.Fprintf(tw, "results\t%d (%d paths): %d ok, %d partial, %d failed; %d know their file's content\n",
		st.Files, st.Paths, st.ByStatus["ok"], st.ByStatus["partial"], st.ByStatus["failed"], st.Fingerprinted)
	fmt.Fprintf(tw, "frames\t%d\n", st.Frames)
	fmt.Fprintf(tw, "detections\t%d\n", st.Detections)
	for _, m := range st.Models {
		fmt.Fprintf(tw, "model\t%s: %d results, %d classes\n", m.SHA256, m.Files, m.Classes)
	}
	fmt.Fprintf(tw, "on disk\t%s database, %s in %d thumbnails\n", mib(st.DatabaseBytes), mib(st.ThumbnailBytes), st.Thumbnails)
	if st.Files > 0 {
		fmt.Fprintf(tw, "scanned\t%s … %s\n", st.Oldest, st.Newest)
	}
	return tw.Flush()
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

type missingJSON struct {
	Path     string `json:"path"`
	Results  int    `json:"results"`
	LastScan string `json:"last_scan"`
}

func missingDocs(missing []store.Missing) []missingJSON {
	out := []missingJSON{}
	for _, m := range missing {
		out = append(out, missingJSON{m.Path, m.Results, m.LastSeen})
	}
	return out
}

func (o libraryOutput) missing(missing []store.Missing) error {
	if o.json {
		return o.printJSON(struct {
			Missing []missingJSON `json:"missing"`
		}{missingDocs(missing)})
	}
	for _, m := range missing {
		fmt.Fprintf(o.e.stdout, "%s  (%d results, last scanned %s)\n", m.Path, m.Results, m.LastSeen)
	}
	fmt.Fprintf(o.e.stderr, "%d missing files\n", len(missing))
	return nil
}

// upkeepVerb is what an upkeep command did, and what a dry run would do.
type upkeepVerb struct{ done, would string }

var (
	pruned    = upkeepVerb{"pruned", "prune"}
	forgot    = upkeepVerb{"forgot", "forget"}
	relocated = upkeepVerb{"relocated", "relocate"}
)

func (o libraryOutput) forgotten(verb upkeepVerb, missing []store.Missing, f store.Forgotten) error {
	if o.json {
		doc := struct {
			DryRun     bool          `json:"dry_run"`
			Paths      int           `json:"paths"`
			Results    int           `json:"results"`
			Thumbnails int           `json:"thumbnails_deleted"`
			Missing    []missingJSON `json:"missing,omitempty"`
		}{o.dry, f.Paths, f.Results, f.Thumbnails, nil}
		if verb == pruned {
			doc.Missing = missingDocs(missing)
		}
		return o.printJSON(doc)
	}
	for _, m := range missing {
		fmt.Fprintln(o.e.stdout, m.Path)
	}
	if o.dry {
		fmt.Fprintf(o.e.stderr, "dry run, nothing changed: would %s %d files (%d results) and delete %d thumbnails\n", verb.would, f.Paths, f.Results, f.Thumbnails)
		return nil
	}
	fmt.Fprintf(o.e.stderr, "%s %d files (%d results); %d thumbnails deleted\n", verb.done, f.Paths, f.Results, f.Thumbnails)
	return nil
}
