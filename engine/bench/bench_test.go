package bench

import (
	"path/filepath"
	"testing"
)

func TestRepeat(t *testing.T) {
	files, cleanup, err := Repeat([]string{"/a/x.mp4", "/a/y.mp4"}, 5)
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	seen := map[string]bool{}
	for _, f := range files {
		seen[f] = true
	}
	if len(files) != 5 || len(seen) != 5 || filepath.Base(files[3]) != "0003_y.mp4" {
		t.Errorf("%v", files)
	}
}
