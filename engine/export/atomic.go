package export

import (
	"fmt"
	"io"

	"github.com/google/renameio/v2"
)

// atomicWrite writes through a temp file in the target's folder and renames
// it over path only when everything was written and synced.
func atomicWrite(path string, write func(io.Writer) error) error {
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
