package ocr

import (
	"fmt"
	"image"
	"slices"
	"testing"
	"time"
)

// BenchmarkRead reads the shared text photos at several detection sizes
// (one intra-op thread) and reports ms per photo and, for choosing the
// default, the truth words found of all (words, and hard ones) and the
// part of the time the detector takes.
//
//	go test -run '^$' -bench BenchmarkRead -benchtime 3x ./engine/ocr
func BenchmarkRead(b *testing.B) {
	truth := readTruth(b)
	names := make([]string, 0, len(truth))
	for n := range truth {
		names = append(names, n)
	}
	slices.Sort(names)
	photos := make([]image.Image, len(names))
	for i, n := range names {
		photos[i] = decodePhoto(b, n)
	}
	for _, side := range []int{640, 960, 1280} {
		b.Run(fmt.Sprintf("side=%d", side), func(b *testing.B) {
			r := loadReader(b, Options{DetectSide: side})
			var words, wordsFound, hard, hardFound int
			var detect time.Duration
			for b.Loop() {
				words, wordsFound, hard, hardFound, detect = 0, 0, 0, 0, 0
				for i, img := range photos {
					start := time.Now()
					if _, err := r.Detect(img); err != nil {
						b.Fatal(err)
					}
					detect += time.Since(start)
					lines, err := r.Read(img)
					if err != nil {
						b.Fatal(err)
					}
					want := truth[names[i]]
					for _, w := range want.Words {
						if _, folded := found(lines, w); folded {
							wordsFound++
						}
					}
					for _, w := range want.Hard {
						if exact, _ := found(lines, w); exact {
							hardFound++
						}
					}
					words, hard = words+len(want.Words), hard+len(want.Hard)
				}
			}
			// Detect runs twice per photo here (once alone, once in Read).
			perPhoto := float64(b.Elapsed().Milliseconds())/float64(b.N*len(photos)) - float64(detect.Milliseconds())/float64(len(photos))
			b.ReportMetric(perPhoto, "ms/photo")
			b.ReportMetric(float64(detect.Milliseconds())/float64(len(photos)), "ms-detect/photo")
			b.ReportMetric(float64(wordsFound), "words")
			b.ReportMetric(float64(hardFound), "hard")
			b.Logf("side %d: words %d/%d, hard %d/%d, %.0f ms per photo (detection %.0f ms)",
				side, wordsFound, words, hardFound, hard, perPhoto, float64(detect.Milliseconds())/float64(len(photos)))
		})
	}
}
