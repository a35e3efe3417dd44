package pipeline

import (
	"testing"

	"github.com/vidsift/vidsift/engine/media"
)

func TestSparseKeyframeFiles(t *testing.T) {
	results := []FileResult{
		{Media: media.Info{KeyframeInterval: 2}},
		{Media: media.Info{KeyframeInterval: 10}},
		{Media: media.Info{KeyframeInterval: 5}}, // not more than 5 s
		{Media: media.Info{KeyframeInterval: 7.5}},
		{}, // a photo
	}
	if n, widest := SparseKeyframeFiles(results); n != 2 || widest != 10 {
		t.Errorf("%d files, widest %v; want 2, 10", n, widest)
	}
}
