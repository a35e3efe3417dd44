package export

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
)

// ManifestName is the file in a folder an export writes (--yolo's, the
// COCO images') that lists what vidsift wrote there, so that the next
// export into it replaces those files and no others.
const ManifestName = ".vidsift-export.json"

// ErrNotExport says an export's folder holds files that no vidsift export
// wrote: writing into it would mix them with the export.
var ErrNotExport = errors.New("it is not empty and holds no vidsift export")

// manifest is ManifestName's content.
type manifest struct {
	Kind  string   `json:"vidsift_export"` // what wrote the folder: "yolo", "coco images"
	Files []string `json:"files"`          // relative to the folder, slash-separated, sorted
}

// exportFolder is a folder an export is writing: what the export before
// it wrote there (old), and what this one writes.
type exportFolder struct {
	dir, kind string
	old       []string
	// foreign: the files a forced export found in a folder no export
	// wrote. Those it writes over are never listed as vidsift's, so no
	// later export deletes them.
	foreign map[string]bool
}

// YOLOFolder is the kind of a --yolo folder.
const YOLOFolder = "yolo"

// COCOImagesFolder is the kind of the images folder of the COCO file
// file: the images of one COCO file, so that another COCO file's export
// into the same folder (which would delete the images the first names)
// is refused like any folder of other files.
func COCOImagesFolder(file string) string {
	if abs, err := filepath.Abs(file); err == nil {
		file = abs
	}
	return "coco images of " + filepath.ToSlash(file)
}

// CheckFolder says, before the work, whether an export of kind may write
// into dir (see openFolder); it changes nothing.
func CheckFolder(dir, kind string, force bool) error {
	_, err := inspectFolder(dir, kind, force)
	return err
}

// openFolder readies dir for an export of kind: a new or empty folder, or
// one that an export of the same kind wrote. Any other folder with files
// in it is refused (ErrNotExport) unless force, and then nothing of it is
// deleted.
func openFolder(dir, kind string, force bool) (*exportFolder, error) {
	f, err := inspectFolder(dir, kind, force)
	if err != nil {
		return nil, err
	}
	return f, os.MkdirAll(dir, 0o755)
}

// inspectFolder is openFolder without making the folder.
func inspectFolder(dir, kind string, force bool) (*exportFolder, error) {
	f := &exportFolder{dir: dir, kind: kind}
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return f, nil
	case err != nil:
		return nil, fmt.Errorf("cannot write into %s: %w", dir, err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, ManifestName))
	switch {
	case err == nil:
		var m manifest
		if err := json.Unmarshal(raw, &m); err == nil && m.Kind == kind {
			f.old = m.Files
			return f, nil
		}
	case !errors.Is(err, os.ErrNotExist):
		return nil, fmt.Errorf("cannot write into %s: %w", dir, err)
	}
	if len(entries) > 0 && !force {
		return nil, fmt.Errorf("cannot write into %s: %w", dir, ErrNotExport)
	}
	if len(entries) > 0 {
		f.foreign = map[string]bool{}
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				rel, _ := filepath.Rel(dir, path)
				f.foreign[filepath.ToSlash(rel)] = true
			}
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("cannot write into %s: %w", dir, err)
		}
	}
	return f, nil
}

// begin records, before anything is written, every file the folder may
// hold of vidsift's once this export is written (or stops half-way): the
// old export's and the new one's.
func (f *exportFolder) begin(files []string) error {
	return f.record(append(slices.Clone(f.old), files...))
}

// finish deletes what the old export wrote that this one did not, and
// records this one's files alone.
func (f *exportFolder) finish(files []string) error {
	keep := map[string]bool{}
	for _, name := range files {
		keep[name] = true
	}
	var errs []error
	var left []string // old files that could not be deleted: still vidsift's
	for _, name := range f.old {
		// Only a file named inside the folder: a manifest edited by hand
		// must not delete anything outside it.
		if keep[name] || !filepath.IsLocal(filepath.FromSlash(name)) || name == ManifestName {
			continue
		}
		path := filepath.Join(f.dir, filepath.FromSlash(name))
		if st, err := os.Lstat(path); err != nil || !st.Mode().IsRegular() {
			continue
		}
		if err := os.Remove(path); err != nil {
			errs, left = append(errs, err), append(left, name)
		}
	}
	return errors.Join(append(errs, f.record(append(slices.Clone(files), left...)))...)
}

// record writes the manifest listing files (less the foreign ones).
func (f *exportFolder) record(files []string) error {
	files = slices.DeleteFunc(slices.Clone(files), func(name string) bool { return f.foreign[name] })
	slices.Sort(files)
	raw, err := json.MarshalIndent(manifest{Kind: f.kind, Files: slices.Compact(files)}, "", " ")
	if err != nil {
		return err
	}
	return atomicWrite(filepath.Join(f.dir, ManifestName), func(w io.Writer) error {
		_, err := w.Write(append(raw, '\n'))
		return err
	})
}
