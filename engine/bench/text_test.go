package bench

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vidsift/vidsift/internal/testenv"
)

// TestTextRecall: words are found as text: finds them (case, accents and
// punctuation aside, joined to their neighbours), each distinct word of a
// file once, hard and absent words counted apart, files matched by the
// end of their path, and files on one side only left out.
func TestTextRecall(t *testing.T) {
	truth := TextTruth{
		"text/sign.mp4": {
			Text: []TextSpan{
				{Start: 0, End: 3, Words: []string{"ALL", "YEAR", "Café", "1887-90"}},
				{Start: 4, End: 6, Words: []string{"year", "Exit"}}, // "year" again: YEAR is one word
			},
			Hard:   []string{"ROBINSONS", "VISA"},
			Absent: []string{"PIZZA", "Octavia"},
		},
		"text/plain.mp4":  {Absent: []string{"SALE"}},
		"text/unread.mp4": {Text: []TextSpan{{Words: []string{"never"}}}},
	}
	read := map[string]string{
		"/videos/text/sign.mp4":  "ALLYEAR\ncafe — 1887–90\nrobinsons visa\nPIZZA!",
		"/videos/text/plain.mp4": "nothing much",
		"/videos/other.mp4":      "Octavia",
	}
	r := TextRecall(truth, read)
	if r.Words != 5 || r.Found != 4 || r.Hard != 2 || r.HardFound != 2 || r.Absent != 3 || r.AbsentFound != 1 || len(r.Files) != 2 {
		t.Fatalf("recall %+v", r)
	}
	sign := r.Files[1]
	if sign.File != "text/sign.mp4" || !slices.Equal(sign.Missed, []string{"Exit"}) || !slices.Equal(sign.AbsentFound, []string{"PIZZA"}) {
		t.Errorf("sign %+v", sign)
	}
	if plain := r.Files[0]; plain.File != "text/plain.mp4" || plain.Words != 0 || len(plain.AbsentFound) != 0 {
		t.Errorf("plain %+v", plain)
	}
	if got := r.Ratio(); got != 0.8 {
		t.Errorf("ratio %v", got)
	}
	// A word split by the reader is not found ("OC BC" holds OCBC, "OC" "BC" on two lines too:
	// spaces and line breaks are ignored alike), a word missing a letter is not.
	r = TextRecall(TextTruth{"a.mp4": {Text: []TextSpan{{Words: []string{"OCBC", "Bank"}}}}}, map[string]string{"a.mp4": "OC\nBC Bnk"})
	if r.Found != 1 || r.Files[0].Missed[0] != "Bank" {
		t.Errorf("split and misread: %+v", r)
	}
}

// TestTextTruthFile: the repository's text_truth.json names generated
// fixtures that exist, each word in a span inside its video.
func TestTextTruthFile(t *testing.T) {
	truth, err := LoadTextTruth(filepath.Join(testenv.RepoRoot(), "testdata", "text_truth.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(truth) < 5 {
		t.Fatalf("%d files in text_truth.json", len(truth))
	}
	plain := 0
	for name, f := range truth {
		testenv.Fixture(t, name)
		if len(f.Words()) == 0 {
			plain++
		}
		for _, s := range f.Text {
			if s.Start < 0 || s.End <= s.Start || len(s.Words) == 0 {
				t.Errorf("%s: span %+v", name, s)
			}
		}
	}
	if plain == 0 {
		t.Error("no video without text, to count words made up")
	}
}

// requireTesseract returns the tesseract CLI, or stops the test: it
// fails under CI, where setup --test installs it.
func requireTesseract(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("tesseract"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("missing the tesseract CLI (setup --test installs tesseract-ocr): %v", err)
		}
		t.Skipf("missing the tesseract CLI: apt-get install tesseract-ocr (%v)", err)
	}
}

// TestByHandText runs the by-hand pipeline on the lower thirds: it reads
// some of the names (Tesseract reads clean captions), none of the absent
// words, and takes time; a file that is not a video is an error naming it.
func TestByHandText(t *testing.T) {
	requireTesseract(t)
	video := testenv.Fixture(t, "text/lower_third.mp4")
	truth, err := LoadTextTruth(filepath.Join(testenv.RepoRoot(), "testdata", "text_truth.json"))
	if err != nil {
		t.Fatal(err)
	}
	read, took, err := ByHandText(context.Background(), []string{video})
	if err != nil {
		t.Fatal(err)
	}
	r := TextRecall(truth, read)
	if len(r.Files) != 1 || r.Found == 0 || r.AbsentFound != 0 || took <= 0 {
		t.Errorf("read %q in %v: recall %+v", read[video], took, r)
	}
	t.Logf("by hand: %d/%d words in %v (missed %q)", r.Found, r.Words, took, r.Files[0].Missed)

	notVideo := testenv.Fixture(t, "text.mp4")
	if _, _, err := ByHandText(context.Background(), []string{notVideo}); err == nil || !strings.Contains(err.Error(), notVideo) {
		t.Errorf("a text file named .mp4: %v", err)
	}
}

// TestByHandTextWithoutTesseract: without tesseract on PATH the error says so.
func TestByHandTextWithoutTesseract(t *testing.T) {
	ffmpeg, err := exec.LookPath("ffmpeg")
	if err != nil {
		t.Skip("no ffmpeg CLI")
	}
	bin := t.TempDir()
	testenv.Symlink(t, ffmpeg, filepath.Join(bin, "ffmpeg"))
	t.Setenv("PATH", bin)
	if _, _, err := ByHandText(context.Background(), []string{"x.mp4"}); !errors.Is(err, ErrNoTesseract) {
		t.Errorf("error %v", err)
	}
}
