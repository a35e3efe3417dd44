package scan

import (
	"testing"
)

func TestSparseKeyframeFiles(t *testing.T) {
	results := []FileResult{
		{Media: MediaInfo{KeyframeInterval: 2}},
		{Media: MediaInfo{KeyframeInterval: 10}},
		{Media: MediaInfo{KeyframeInterval: 5}}, // not more than 5 s
		{Media: MediaInfo{KeyframeInterval: 7.5}},
		{}, // a photo
	}
	if n, widest := SparseKeyframeFiles(results); n != 2 || widest != 10 {
		t.Errorf("%d files, widest %v; want 2, 10", n, widest)
	}
}
