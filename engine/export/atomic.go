package export

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/google/renameio/v2"
)

// ErrIsFolder says an export's file is a folder.
var ErrIsFolder = errors.New("it is a folder, not a file")

// CheckTarget says, before the work that makes it, whether a file can be
// written at path: it is no folder, and it lies in a folder that exists.
func CheckTarget(path string) error {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return fmt.Errorf("cannot write %s: %w", path, ErrIsFolder)
	}
	dir := filepath.Dir(path)
	st, err := os.Stat(dir)
	switch {
	case err != nil:
		return fmt.Errorf("cannot write %s: %w", path, err)
	case !st.IsDir():
		return fmt.Errorf("cannot write %s: %s is not a folder", path, dir)
	}
	return nil
}

// atomicWrite writes through a temp file in the target's folder and renames
// it over path only when everything was written and synced.
func atomicWrite(path string, write func(io.Writer) error) error {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		// Said before writing: the rename would fail naming the temp file.
		return fmt.Errorf("cannot write %s: %w", path, ErrIsFolder)
	}
	pf, err := renameio.NewPendingFile(path, renameio.WithPermissions(0o644))
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	defer pf.Cleanup()
	if err := write(pf); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	if err := pf.CloseAtomicallyReplace(); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	return nil
}
