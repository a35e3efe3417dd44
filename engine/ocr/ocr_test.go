package ocr

import (
	"encoding/json"
	"errors"
	"image"
	_ "image/jpeg"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/vidsift/vidsift/engine/detect"
	"github.com/vidsift/vidsift/engine/query"
	"github.com/vidsift/vidsift/internal/testenv"
	xdraw "golang.org/x/image/draw"
)

// The shared photos with text, and what a person reads in them.
const truthFile = "testdata/text/truth.json"

type photoTruth struct {
	Words, Hard, Absent []string
}

func initRuntime(t testing.TB) {
	t.Helper()
	if err := detect.Init(testenv.Library(t)); err != nil {
		t.Fatal(err)
	}
}

func loadReader(t testing.TB, opts Options) *Reader {
	t.Helper()
	initRuntime(t)
	opts.Session.IntraOpThreads = 1
	r, err := Load(testenv.Shared(t, "models/ocr"), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	return r
}

func readTruth(t testing.TB) map[string]photoTruth {
	t.Helper()
	raw := testenv.ReadJSON[map[string]any](t, testenv.Shared(t, truthFile))
	truth := map[string]photoTruth{}
	for name, v := range raw {
		m, ok := v.(map[string]any)
		if !ok {
			continue // _about
		}
		list := func(key string) []string {
			var out []string
			for _, w := range m[key].([]any) {
				out = append(out, w.(string))
			}
			return out
		}
		truth[name] = photoTruth{Words: list("words"), Hard: list("hard"), Absent: list("absent")}
	}
	if len(truth) == 0 {
		t.Fatal("truth.json names no photos")
	}
	return truth
}

func decodePhoto(t testing.TB, name string) image.Image {
	t.Helper()
	f, err := os.Open(testenv.Shared(t, filepath.Join("testdata/text", name)))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return img
}

// squash is how truth.json's words are matched: case-insensitive, spaces
// removed (a word may come joined with its neighbours).
func squash(s string) string { return strings.ToLower(strings.ReplaceAll(s, " ", "")) }

// confusable folds the two confusions the PP-OCRv4 recogniser makes on
// the receipt's dot-matrix-like font (a narrow O read as the digit 0, an
// l as the digit 1: "0rder", "Appr0va1", the crop itself being right):
// the words are held to the text with these folded, and the test logs
// which words needed it.
func confusable(s string) string {
	return strings.NewReplacer("0", "o", "1", "l").Replace(squash(s))
}

// found says whether word is in one of the lines, as read or with the
// digit/letter confusions folded.
func found(lines []Line, word string) (exact, folded bool) {
	for _, l := range lines {
		exact = exact || strings.Contains(squash(l.Text), squash(word))
		folded = folded || strings.Contains(confusable(l.Text), confusable(word))
	}
	return exact, folded
}

// TestReadPhotos holds the reader to the photos: every word a person
// reads there is found, no absent word is; hard words are counted.
func TestReadPhotos(t *testing.T) {
	r := loadReader(t, Options{})
	truth := readTruth(t)
	names := slices.Sorted(func(yield func(string) bool) {
		for n := range truth {
			if !yield(n) {
				return
			}
		}
	})
	for _, name := range names {
		want := truth[name]
		t.Run(name, func(t *testing.T) {
			img := decodePhoto(t, name)
			lines, err := r.Read(img)
			if err != nil {
				t.Fatal(err)
			}
			var texts []string
			for _, l := range lines {
				texts = append(texts, l.Text)
				if l.Confidence < DefaultMinConfidence || l.Confidence > 1 {
					t.Errorf("%q: confidence %v", l.Text, l.Confidence)
				}
				b := l.Box
				if b[0] < 0 || b[1] < 0 || b[2] > float64(img.Bounds().Dx()) || b[3] > float64(img.Bounds().Dy()) || b[0] >= b[2] || b[1] >= b[3] {
					t.Errorf("%q: box %v outside the %v picture", l.Text, b, img.Bounds().Size())
				}
			}
			var missing, viaFold []string
			for _, w := range want.Words {
				exact, folded := found(lines, w)
				if !folded {
					missing = append(missing, w)
				} else if !exact {
					viaFold = append(viaFold, w)
				}
			}
			if len(missing) > 0 {
				t.Errorf("words not found: %q\nread: %q", missing, texts)
			}
			for _, w := range want.Absent {
				if exact, folded := found(lines, w); exact || folded {
					t.Errorf("absent word %q found in %q", w, texts)
				}
			}
			hard := 0
			for _, w := range want.Hard {
				if exact, _ := found(lines, w); exact {
					hard++
				}
			}
			t.Logf("%d lines; words %d/%d (%d as read, %q only with 0/O and 1/l folded), hard %d/%d, absent found 0/%d",
				len(lines), len(want.Words)-len(missing), len(want.Words), len(want.Words)-len(missing)-len(viaFold), viaFold,
				hard, len(want.Hard), len(want.Absent))
		})
	}
}

// TestDetectThenRecognise: the two halves give what Read gives, one line
// per box, so a caller can read again only the boxes that changed.
func TestDetectThenRecognise(t *testing.T) {
	r := loadReader(t, Options{})
	img := decodePhoto(t, "blue_plaque.jpg")
	quads, err := r.Detect(img)
	if err != nil {
		t.Fatal(err)
	}
	if len(quads) == 0 {
		t.Fatal("no text boxes on the plaque")
	}
	lines, err := r.Recognise(img, quads)
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != len(quads) {
		t.Fatalf("%d lines for %d boxes", len(lines), len(quads))
	}
	read, err := r.Read(img)
	if err != nil {
		t.Fatal(err)
	}
	var kept []Line
	for i, l := range lines {
		if l.Quad != quads[i] {
			t.Errorf("line %d is at %v, its box at %v", i, l.Quad, quads[i])
		}
		if l.Text != "" {
			kept = append(kept, l)
		}
	}
	if !slices.Equal(kept, read) {
		t.Errorf("Detect+Recognise %v\nRead %v", kept, read)
	}
	// One box alone reads as it did among the others.
	one, err := r.Recognise(img, quads[2:3])
	if err != nil {
		t.Fatal(err)
	}
	if one[0].Text != lines[2].Text {
		t.Errorf("box 2 alone reads %q, among the others %q", one[0].Text, lines[2].Text)
	}
}

// scaled draws img at w×h.
func scaled(img image.Image, w, h int) *image.RGBA {
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	xdraw.ApproxBiLinear.Scale(out, out.Bounds(), img, img.Bounds(), xdraw.Src, nil)
	return out
}

// TestFrameSizes: a tiny frame and an 8K one are read without trouble;
// the 8K one at the detection limit, its boxes back in its own pixels.
func TestFrameSizes(t *testing.T) {
	r := loadReader(t, Options{})
	photo := decodePhoto(t, "mall_sale_sign.jpg")

	tiny := scaled(photo, 64, 48)
	lines, err := r.Read(tiny)
	if err != nil {
		t.Fatalf("64×48: %v", err)
	}
	if len(lines) > 3 {
		t.Errorf("64×48: %d lines: %v", len(lines), lines)
	}
	for _, img := range []image.Image{image.NewRGBA(image.Rect(0, 0, 1, 1)), image.NewGray(image.Rect(0, 0, 3, 200))} {
		if lines, err := r.Read(img); err != nil || len(lines) != 0 {
			t.Errorf("%v blank picture: %v, %v", img.Bounds().Size(), lines, err)
		}
	}
	if _, err := r.Read(image.NewRGBA(image.Rectangle{})); err == nil {
		t.Error("an empty picture read without error")
	}

	native, err := r.Read(photo)
	if err != nil {
		t.Fatal(err)
	}
	const w8k, h8k = 7680, 4320
	big := scaled(photo, w8k, h8k)
	lines, err = r.Read(big)
	if err != nil {
		t.Fatalf("8K: %v", err)
	}
	// The words found at the photo's size are found at 8K, where they
	// are where the photo has them, scaled.
	sx, sy := float64(w8k)/float64(photo.Bounds().Dx()), float64(h8k)/float64(photo.Bounds().Dy())
	for _, word := range []string{"SALE", "ROUND", "OCBC"} {
		var at8k, atNative *Line
		for i := range lines {
			if strings.Contains(squash(lines[i].Text), squash(word)) {
				at8k = &lines[i]
			}
		}
		for i := range native {
			if strings.Contains(squash(native[i].Text), squash(word)) {
				atNative = &native[i]
			}
		}
		if at8k == nil || atNative == nil {
			t.Errorf("%q: at 8K %v, at the photo's size %v", word, at8k, atNative)
			continue
		}
		// Centres agree within a few detector pixels (8K is read at 960).
		cx := (at8k.Box[0] + at8k.Box[2]) / 2
		cy := (at8k.Box[1] + at8k.Box[3]) / 2
		nx := (atNative.Box[0] + atNative.Box[2]) / 2 * sx
		ny := (atNative.Box[1] + atNative.Box[3]) / 2 * sy
		if tol := 4 * float64(w8k) / DefaultDetectSide; abs(cx-nx) > tol || abs(cy-ny) > tol {
			t.Errorf("%q at 8K centred at (%.0f,%.0f), the photo's scaled (%.0f,%.0f)", word, cx, cy, nx, ny)
		}
	}
}

func abs(v float64) float64 { return max(v, -v) }

// TestLoadErrors: missing, corrupt and wrong models are refused with an
// error naming the file.
func TestLoadErrors(t *testing.T) {
	initRuntime(t)
	shared := testenv.Shared(t, "models/ocr")
	yolo := testenv.Model(t)
	copyFile := func(t *testing.T, from, to string) {
		data, err := os.ReadFile(from)
		if err != nil {
			t.Fatal(err)
		}
		testenv.WriteFile(t, to, data, 0o644)
	}
	// kit is a model folder with the shared files, one changed by edit.
	kit := func(t *testing.T, edit func(dir string)) string {
		dir := t.TempDir()
		for _, f := range []string{DetectorFile, RecogniserFile, DictionaryFile} {
			copyFile(t, filepath.Join(shared, f), filepath.Join(dir, f))
		}
		edit(dir)
		return dir
	}
	truncate := func(name string) func(string) {
		return func(dir string) {
			p := filepath.Join(dir, name)
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			testenv.WriteFile(t, p, data[:len(data)/2], 0o644)
		}
	}
	for _, tc := range []struct {
		name string
		edit func(dir string)
		file string // the file the error must name
		says string // and what it must say
	}{
		{"no folder", func(dir string) { os.RemoveAll(dir) }, DictionaryFile, "no such file"},
		{"no detector", func(dir string) { os.Remove(filepath.Join(dir, DetectorFile)) }, DetectorFile, "no such file"},
		{"no recogniser", func(dir string) { os.Remove(filepath.Join(dir, RecogniserFile)) }, RecogniserFile, "no such file"},
		{"corrupt detector", func(dir string) {
			testenv.WriteFile(t, filepath.Join(dir, DetectorFile), []byte("not a model"), 0o644)
		}, DetectorFile, "not a readable ONNX file"},
		{"half a recogniser", truncate(RecogniserFile), RecogniserFile, "not a readable ONNX file"},
		{"YOLO as the detector", func(dir string) { copyFile(t, yolo, filepath.Join(dir, DetectorFile)) }, DetectorFile, "not the expected model"},
		{"YOLO as the recogniser", func(dir string) { copyFile(t, yolo, filepath.Join(dir, RecogniserFile)) }, RecogniserFile, "not the expected model"},
		{"detector as the recogniser", func(dir string) {
			copyFile(t, filepath.Join(shared, DetectorFile), filepath.Join(dir, RecogniserFile))
		}, RecogniserFile, "not the expected model"},
		{"a dictionary of another model", func(dir string) {
			p := filepath.Join(dir, DictionaryFile)
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.SplitAfter(string(data), "\n")
			testenv.WriteFile(t, p, []byte(strings.Join(lines[:1000], "")), 0o644)
		}, RecogniserFile, "6625 classes"},
		{"a binary dictionary", func(dir string) {
			testenv.WriteFile(t, filepath.Join(dir, DictionaryFile), []byte{0xff, 0x00, 0xfe}, 0o644)
		}, DictionaryFile, "not UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := OpenObjects()
			r, err := Load(kit(t, tc.edit), Options{})
			if err == nil {
				r.Close()
				t.Fatal("loaded")
			}
			if !strings.Contains(err.Error(), tc.file) || !strings.Contains(err.Error(), tc.says) {
				t.Errorf("error %q does not name %s and say %q", err, tc.file, tc.says)
			}
			t.Log(err)
			if strings.Contains(tc.says, "no such file") && !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("error %q is not fs.ErrNotExist", err)
			}
			if n := OpenObjects() - before; n != 0 {
				t.Errorf("%d ONNX Runtime objects left open", n)
			}
		})
	}
}

// TestConcurrentReads: one Reader serves several goroutines, each getting
// what a lone Read gets, and every tensor is freed.
func TestConcurrentReads(t *testing.T) {
	r := loadReader(t, Options{DetectSide: 640})
	base := OpenObjects()
	img := decodePhoto(t, "blue_plaque.jpg")
	want, err := r.Read(img)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	results := make([][]Line, 3)
	for i := range results {
		wg.Go(func() {
			lines, err := r.Read(img)
			if err != nil {
				t.Error(err)
			}
			results[i] = lines
		})
	}
	wg.Wait()
	for i, got := range results {
		if !slices.Equal(got, want) {
			t.Errorf("goroutine %d read %v, alone %v", i, got, want)
		}
	}
	if n := OpenObjects() - base; n != 0 {
		t.Errorf("%d tensors left after the reads", n)
	}
	r.Close()
	if n := OpenObjects() - base; n != -2 {
		t.Errorf("Close freed %d sessions, want 2", -n)
	}
}

// TestReadTextFixtures holds the reader (default options) to the videos
// of generated/text/: in a frame from the middle of each span of
// testdata/text_truth.json every word of the span is found as text:
// finds it, and no absent word is read in any frame of the file.
func TestReadTextFixtures(t *testing.T) {
	r := loadReader(t, Options{})
	truth := testenv.ReadJSON[map[string]json.RawMessage](t, filepath.Join(testenv.RepoRoot(), "testdata", "text_truth.json"))
	for name, raw := range truth {
		if strings.HasPrefix(name, "_") {
			continue
		}
		var fx textFixture
		if err := json.Unmarshal(raw, &fx); err != nil {
			t.Fatalf("text_truth.json %s: %v", name, err)
		}
		t.Run(name, func(t *testing.T) {
			video := testenv.Fixture(t, name)
			type moment struct {
				at    float64
				words []string
			}
			moments := []moment{{at: 0.25}} // plain footage: one frame, no words
			if len(fx.Text) > 0 {
				moments = moments[:0]
			}
			for _, s := range fx.Text {
				moments = append(moments, moment{(s.Start + s.End) / 2, s.Words})
			}
			for _, m := range moments {
				img := frameAt(t, video, m.at)
				lines, err := r.Read(img)
				if err != nil {
					t.Fatal(err)
				}
				var texts []string
				for _, l := range lines {
					texts = append(texts, l.Text)
				}
				read := strings.Join(texts, "\n")
				for _, w := range m.words {
					if !(query.Text{Words: w}).In(read) {
						t.Errorf("at %.2f s: %q not found in %q", m.at, w, texts)
					}
				}
				for _, w := range fx.Absent {
					if (query.Text{Words: w}).In(read) {
						t.Errorf("at %.2f s: absent %q read in %q", m.at, w, texts)
					}
				}
			}
		})
	}
}

// frameAt decodes the frame of video at the given second with the ffmpeg CLI.
func frameAt(t *testing.T, video string, at float64) image.Image {
	t.Helper()
	png := filepath.Join(t.TempDir(), "frame.png")
	out, err := exec.Command("ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-ss", strconv.FormatFloat(at, 'f', 3, 64),
		"-i", video, "-frames:v", "1", png).CombinedOutput()
	if err != nil {
		t.Fatalf("ffmpeg %s at %.2f s: %v\n%s", video, at, err, out)
	}
	f, err := os.Open(png)
	if err != nil {
		t.Fatalf("%s has no frame at %.2f s: %v", video, at, err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return img
}
