package ocr

import (
	"encoding/json"
	"fmt"
	"image"
	_ "image/png"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vidsift/vidsift/engine/query"
	"github.com/vidsift/vidsift/internal/testenv"
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

// textFixture is one entry of testdata/text_truth.json: the words a
// person reads in a video of generated/text/ (spans flattened), the hard
// ones, and the absent ones.
type textFixture struct {
	Text []struct {
		Start float64  `json:"start_s"`
		End   float64  `json:"end_s"`
		Words []string `json:"words"`
	} `json:"text"`
	Hard   []string `json:"hard"`
	Absent []string `json:"absent"`
}

// sideRecall counts truth words found (as `text:` finds them: query.Text.In)
// in what was read.
type sideRecall struct{ words, found, hard, hardFound, absentFound, lines int }

func (c *sideRecall) add(read string, lines int, words, hard, absent []string) {
	in := func(w string) bool { return query.Text{Words: w}.In(read) }
	var seen []string // a word said twice ("the") counts once, as engine/bench's TextRecall counts it
	for _, w := range words {
		if slices.Contains(seen, query.Fold(w)) {
			continue
		}
		seen = append(seen, query.Fold(w))
		c.words++
		if in(w) {
			c.found++
		}
	}
	for _, w := range hard {
		c.hard++
		if in(w) {
			c.hardFound++
		}
	}
	for _, w := range absent {
		if in(w) {
			c.absentFound++
		}
	}
	c.lines += lines
}

// fixtureFrames decodes the frames a by-hand reader looks at (ffmpeg's
// fps=1/2, a frame every 2 s) of each video in text_truth.json.
func fixtureFrames(b *testing.B) (map[string][]image.Image, map[string]textFixture) {
	b.Helper()
	truth := testenv.ReadJSON[map[string]json.RawMessage](b, filepath.Join(testenv.RepoRoot(), "testdata", "text_truth.json"))
	frames := map[string][]image.Image{}
	fixtures := map[string]textFixture{}
	for name, raw := range truth {
		if strings.HasPrefix(name, "_") {
			continue
		}
		var fx textFixture
		if err := json.Unmarshal(raw, &fx); err != nil {
			b.Fatalf("text_truth.json %s: %v", name, err)
		}
		fixtures[name] = fx
		dir := b.TempDir()
		out, err := exec.Command("ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-i", testenv.Fixture(b, name),
			"-vf", "fps=1/2", filepath.Join(dir, "frame%04d.png")).CombinedOutput()
		if err != nil {
			b.Fatalf("ffmpeg %s: %v\n%s", name, err, out)
		}
		pngs, _ := filepath.Glob(filepath.Join(dir, "frame*.png"))
		slices.Sort(pngs)
		for _, p := range pngs {
			f, err := os.Open(p)
			if err != nil {
				b.Fatal(err)
			}
			img, _, err := image.Decode(f)
			f.Close()
			if err != nil {
				b.Fatalf("%s: %v", p, err)
			}
			frames[name] = append(frames[name], img)
		}
	}
	return frames, fixtures
}

// BenchmarkDetectSide chooses the text detector's size: for each side,
// the words found (against testdata/text_truth.json on the frames a
// by-hand reader takes of generated/text/, and against truth.json on the
// shared photos), absent words found and lines read in plain footage,
// with ms per frame to read it all and to detect only (one intra-op
// thread). A scan's economy reads again only the boxes whose crop
// changed, so detection is what each analysed frame pays. On a busy
// machine one pass is noise: each picture is read readRounds times and
// detected detectRounds times, the sides taking turns, and its fastest
// time kept.
//
//	go test -run '^$' -bench BenchmarkDetectSide -benchtime 1x ./engine/ocr
func BenchmarkDetectSide(b *testing.B) {
	const readRounds, detectRounds = 3, 5
	frames, fixtures := fixtureFrames(b)
	names := slices.Sorted(maps.Keys(frames))
	truth := readTruth(b)
	photoNames := slices.Sorted(maps.Keys(truth))
	photos := make([]image.Image, len(photoNames))
	for i, n := range photoNames {
		photos[i] = decodePhoto(b, n)
	}
	var all []image.Image // the frames, then the photos
	for _, n := range names {
		all = append(all, frames[n]...)
	}
	nFrames := len(all)
	all = append(all, photos...)
	sides := []int{480, 640, 736, 960, 1280}
	readers := make([]*Reader, len(sides))
	for i, side := range sides {
		readers[i] = loadReader(b, Options{DetectSide: side})
	}
	type result struct {
		videos, stills            sideRecall
		plainLines                int
		read, detect, detectPhoto time.Duration
	}
	results := make([]result, len(sides))
	// fastest[i][k] is side i's fastest time on picture k of all.
	fastest := func(rounds int, run func(r *Reader, img image.Image) error) [][]time.Duration {
		best := make([][]time.Duration, len(sides))
		for i := range best {
			best[i] = slices.Repeat([]time.Duration{time.Hour}, len(all))
		}
		for range rounds {
			for k, img := range all { // the sides in turn on each picture, in the same moment of the machine's load
				for i, r := range readers {
					start := time.Now()
					if err := run(r, img); err != nil {
						b.Fatal(err)
					}
					best[i][k] = min(best[i][k], time.Since(start))
				}
			}
		}
		return best
	}
	sum := func(ds []time.Duration) (total time.Duration) {
		for _, d := range ds {
			total += d
		}
		return total
	}
	for b.Loop() {
		for i, r := range readers {
			var res result
			for _, name := range names {
				var read []string
				lines := 0
				for _, img := range frames[name] {
					ls, err := r.Read(img)
					if err != nil {
						b.Fatal(err)
					}
					for _, l := range ls {
						read = append(read, l.Text)
					}
					lines += len(ls)
				}
				fx := fixtures[name]
				var words []string
				for _, span := range fx.Text {
					words = append(words, span.Words...)
				}
				if len(words) == 0 {
					res.plainLines += lines
				}
				res.videos.add(strings.Join(read, "\n"), lines, words, fx.Hard, fx.Absent)
				if testing.Verbose() {
					b.Logf("side %d %s: read %q", sides[i], name, read)
				}
			}
			for k, img := range photos {
				ls, err := r.Read(img)
				if err != nil {
					b.Fatal(err)
				}
				var read []string
				for _, l := range ls {
					read = append(read, l.Text)
				}
				want := truth[photoNames[k]]
				res.stills.add(strings.Join(read, "\n"), len(ls), want.Words, want.Hard, want.Absent)
			}
			results[i] = res
		}
		read := fastest(readRounds, func(r *Reader, img image.Image) error { _, err := r.Read(img); return err })
		detect := fastest(detectRounds, func(r *Reader, img image.Image) error { _, err := r.Detect(img); return err })
		for i := range results {
			results[i].read = sum(read[i][:nFrames])
			results[i].detect = sum(detect[i][:nFrames])
			results[i].detectPhoto = sum(detect[i][nFrames:])
		}
	}
	ms := func(d time.Duration, n int) float64 { return float64(d.Microseconds()) / 1000 / float64(n) }
	// One Log, so that the benchmark's output is not cut short (run with -v).
	table := fmt.Sprintf("%d frames of %d videos, %d photos\n", nFrames, len(names), len(photos)) +
		"| side | video words | video hard | absent read | lines in plain | photo words | photo hard | photo absent | ms/frame read | ms/frame detect | ms/photo detect |\n"
	for i, side := range sides {
		res := results[i]
		table += fmt.Sprintf("| %d | %d/%d | %d/%d | %d | %d | %d/%d | %d/%d | %d | %.0f | %.0f | %.0f |\n", side,
			res.videos.found, res.videos.words, res.videos.hardFound, res.videos.hard, res.videos.absentFound, res.plainLines,
			res.stills.found, res.stills.words, res.stills.hardFound, res.stills.hard, res.stills.absentFound,
			ms(res.read, nFrames), ms(res.detect, nFrames), ms(res.detectPhoto, len(photos)))
	}
	b.Log(table)
}
