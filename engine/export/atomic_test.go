package export

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestWriteFailureLeavesNothing: a write that fails half way (a full disk,
// injected) returns a clear error, keeps the previous export intact and
// leaves no temp file behind.
func TestWriteFailureLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "out.json")
	if err := os.WriteFile(p, []byte("previous export"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := atomicWrite(p, func(w io.Writer) error {
		w.Write([]byte(`{"schema": "vidsift.scan/v1", "files": [`))
		return errors.New("write /x: no space left on device")
	})
	if err == nil || !strings.Contains(err.Error(), "cannot write") || !strings.Contains(err.Error(), "no space left") {
		t.Errorf("error %v", err)
	}
	if b, _ := os.ReadFile(p); string(b) != "previous export" {
		t.Errorf("the previous export was touched: %q", b)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("left behind: %v", entries)
	}
}
