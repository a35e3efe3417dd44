package pipeline

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/vidsift/vidsift/engine/media"
	"github.com/vidsift/vidsift/engine/scan"
)

// discovery is what walking the inputs found.
type discovery struct {
	files   []string          // candidates to decode, absolute, sorted, unique
	failed  []scan.FileResult // paths named explicitly that cannot be scanned at all
	ignored int               // entries inside folders that are not media candidates
}

// discover expands the user's inputs. Paths named explicitly are always
// candidates (and fail clearly if unusable); inside folders only files with
// video/image extensions are, hidden entries are skipped, symlinks are
// followed and loops are cut by remembering visited folders.
func discover(inputs []string) discovery {
	var d discovery
	seen := map[string]bool{}
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			d.files = append(d.files, p)
		}
	}
	fail := func(p string, err error) {
		if !seen[p] {
			seen[p] = true
			d.failed = append(d.failed, scan.FileResult{Path: p, Status: scan.StatusFailed, Error: err.Error()})
		}
	}
	walk := Walk{File: func(p string, _ os.FileInfo) { add(p) }, Other: func() { d.ignored++ }}
	for _, in := range inputs {
		abs, err := filepath.Abs(in)
		if err != nil {
			fail(in, err)
			continue
		}
		st, err := os.Stat(abs)
		switch {
		case err != nil:
			fail(abs, describeStatErr(err))
		case st.IsDir():
			walk.Dir(abs)
		case st.Mode().IsRegular():
			add(abs)
		default:
			fail(abs, fmt.Errorf("not a regular file (%s)", media.FileKind(st.Mode())))
		}
	}
	sort.Strings(d.files)
	sort.Slice(d.failed, func(i, j int) bool { return d.failed[i].Path < d.failed[j].Path })
	return d
}

func describeStatErr(err error) error {
	switch {
	case os.IsNotExist(err):
		return fmt.Errorf("no such file or folder")
	case os.IsPermission(err):
		return fmt.Errorf("permission denied")
	}
	return err
}

// Discover expands inputs as a run would and returns the media candidates,
// sorted (paths that cannot be scanned at all are left out).
func Discover(inputs []string) []string { return discover(inputs).files }
