package pipeline

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/vidsift/vidsift/engine/scan"
	"github.com/vidsift/vidsift/engine/store"
	"github.com/vidsift/vidsift/internal/testenv"
)

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	os.MkdirAll(filepath.Dir(dst), 0o755)
	out, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestCopiesInOneRun: three copies of a clip in one run (two workers,
// so the copies would be decoded at once): the model runs on one, the
// others are answered from its result once it is kept, each reported ok
// with the same detections and kept at its own path.
func TestCopiesInOneRun(t *testing.T) {
	dir := t.TempDir()
	clip := testenv.Fixture(t, "h264.mp4")
	copies := []string{filepath.Join(dir, "a.mp4"), filepath.Join(dir, "b", "copy.mp4"), filepath.Join(dir, "c.mp4")}
	for _, c := range copies {
		copyFile(t, clip, c)
	}
	lib, err := store.Open(filepath.Join(t.TempDir(), store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	cfg := testConfig(t, 2, 1)
	cfg.Thumbs = JPEGThumbs
	cfg.Library = lib.ForRun(cfg.Params, false)
	fromLibrary := 0
	res := collect(context.Background(), cfg, []string{dir}, func(ev scan.Event) {
		if f, ok := ev.(scan.FileFinished); ok && f.FromLibrary {
			fromLibrary++
		}
	})
	if res.err != nil {
		t.Fatal(res.err)
	}
	first := res.files[copies[0]]
	if s := res.summary; s.Files != 3 || s.OK != 3 || s.Skipped != 2 || fromLibrary != 2 || s.Fingerprinted != 3 ||
		s.Inferences != len(first.Frames) || len(first.Frames) == 0 {
		t.Errorf("summary %+v (%d from the library); want 3 ok, 2 reused, the inferences of one copy (%d)", s, fromLibrary, len(first.Frames))
	}
	for _, c := range copies {
		if !reflect.DeepEqual(res.files[c].Frames, first.Frames) || res.files[c].Status != scan.StatusOK {
			t.Errorf("%s: %s, %d frames; want those of %s", c, res.files[c].Status, len(res.files[c].Frames), copies[0])
		}
	}
	if st, _ := lib.Stats(); st.Paths != 3 || st.Files != 3 || st.Thumbnails != len(first.Frames) {
		t.Errorf("library %+v; want 3 paths sharing one file's thumbnails", st)
	}
}

// refusingLibrary fails the files it was told to, as the library does
// for a file that changes while it is fingerprinted.
type refusingLibrary struct {
	keepLibrary
	refuse map[string]error
}

func (l *refusingLibrary) Reuse(path string) (scan.Known, error) { return scan.Known{}, l.refuse[path] }

// TestLibraryRefuses: a file the library cannot read whole fails with the
// library's reason; the rest of the batch is scanned.
func TestLibraryRefuses(t *testing.T) {
	dir := t.TempDir()
	clip := testenv.Fixture(t, "h264.mp4")
	a, b := filepath.Join(dir, "a.mp4"), filepath.Join(dir, "b.mp4")
	copyFile(t, clip, a)
	copyFile(t, clip, b)
	cfg := testConfig(t, 1, 1)
	cfg.Library = &refusingLibrary{keepLibrary{thumbs: map[string]map[int][]byte{}},
		map[string]error{a: errors.New("the file changed while it was read (still being written?)")}}
	res := collect(context.Background(), cfg, []string{dir}, nil)
	if f := res.files[a]; f.Status != scan.StatusFailed || !strings.Contains(f.Error, "changed while it was read") {
		t.Errorf("the refused file: %s %q", f.Status, f.Error)
	}
	if f := res.files[b]; f.Status != scan.StatusOK || len(f.Frames) != 2 {
		t.Errorf("the other file: %s, %d frames", f.Status, len(f.Frames))
	}
	if s := res.summary; s.Files != 2 || s.Failed != 1 || s.OK != 1 {
		t.Errorf("summary %+v", s)
	}
}
