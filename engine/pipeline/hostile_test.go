package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vidsift/vidsift/engine/scan"
	"github.com/vidsift/vidsift/internal/testenv"
)

// TestHostileNames: long, non-UTF-8 and quote/space/newline names scan like any other.
func TestHostileNames(t *testing.T) {
	src := testenv.Fixture(t, "h264.mp4")
	dir := t.TempDir()
	names := []string{
		strings.Repeat("long", 60) + ".mp4", // 244 bytes
		"bad-\xff\xfe-utf8.mp4",
		"with space 'single' \"double\".mp4",
		"new\nline.mp4",
		"=cmd|' -C calc'!A0.mp4",
		"-starts-with-dash.mp4",
	}
	for _, n := range names {
		if err := os.Symlink(src, filepath.Join(dir, n)); err != nil {
			t.Fatalf("%q: %v", n, err)
		}
	}
	res := collect(context.Background(), testConfig(t, 2, 2), []string{dir}, nil)
	if res.summary.OK != len(names) || res.summary.Failed != 0 {
		t.Fatalf("%d ok, %d failed of %d", res.summary.OK, res.summary.Failed, len(names))
	}
	for _, n := range names {
		f, ok := res.files[filepath.Join(dir, n)]
		if !ok || len(f.Frames) != 2 {
			t.Errorf("%q: %v", n, f)
		}
	}
}

// TestManyNonMedia: a folder of 10,000 non-media files is walked, every one
// ignored, and nothing is opened.
func TestManyNonMedia(t *testing.T) {
	dir := t.TempDir()
	for i := 0; i < 10000; i++ {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("note%05d.txt", i)), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res := collect(context.Background(), testConfig(t, 2, 1), []string{dir}, nil)
	if res.summary.Ignored != 10000 || res.summary.Files != 0 || res.started.Files != 0 {
		t.Errorf("%+v", res.summary)
	}
}

// TestFileVanishes: a file deleted after discovery fails clearly and the
// rest of the batch completes.
func TestFileVanishes(t *testing.T) {
	dir := t.TempDir()
	videos, _ := filepath.Glob(filepath.Join(testenv.Shared(t, "testdata/videos"), "*"))
	for i := 0; i < 6; i++ {
		v := videos[i%len(videos)]
		if err := os.Symlink(v, filepath.Join(dir, fmt.Sprintf("%d_%s", i, filepath.Base(v)))); err != nil {
			t.Fatal(err)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	victim := filepath.Join(dir, entries[len(entries)-1].Name())
	replaced := filepath.Join(dir, entries[len(entries)-2].Name())
	res := collect(context.Background(), testConfig(t, 1, 1), []string{dir}, func(ev scan.Event) {
		if _, ok := ev.(scan.RunStarted); ok {
			for _, err := range []error{os.Remove(victim), os.Remove(replaced), os.WriteFile(replaced, []byte("now it is text"), 0o644)} {
				if err != nil {
					t.Error(err)
				}
			}
		}
	})
	if f := res.files[victim]; f.Status != scan.StatusFailed || !strings.Contains(f.Error, "no such file") {
		t.Errorf("deleted file: %s %q", f.Status, f.Error)
	}
	if f := res.files[replaced]; f.Status != scan.StatusFailed {
		t.Errorf("file replaced by text: %s %q", f.Status, f.Error)
	}
	if res.summary.OK != 4 || res.summary.Failed != 2 {
		t.Errorf("%+v", res.summary)
	}
}
