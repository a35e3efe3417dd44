package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/vidsift/vidsift/engine/query"
)

// TextTruth is testdata/text_truth.json: per video, keyed by its path
// under testdata/generated ("text/lower_third.mp4"), what a person reads.
type TextTruth map[string]TextFile

// TextFile is what a person reads in one video.
type TextFile struct {
	Source string     `json:"source"` // the shared photo or clip it was made from
	Text   []TextSpan `json:"text"`
	Hard   []string   `json:"hard"`   // legible but small or blurred: counted, not required
	Absent []string   `json:"absent"` // never on screen
}

// TextSpan is a stretch of a video during which every word of Words is
// on screen.
type TextSpan struct {
	Start float64  `json:"start_s"`
	End   float64  `json:"end_s"`
	Words []string `json:"words"`
}

// Words are the distinct words of f's spans (as text: tells them apart:
// "YEAR" and "year" are one), in order of appearance.
func (f TextFile) Words() []string {
	var words, folded []string
	for _, s := range f.Text {
		for _, w := range s.Words {
			if k := query.Fold(w); !slices.Contains(folded, k) {
				words, folded = append(words, w), append(folded, k)
			}
		}
	}
	return words
}

// LoadTextTruth reads a text truth file; keys starting with "_" are notes.
func LoadTextTruth(path string) (TextTruth, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	truth := TextTruth{}
	for name, v := range raw {
		if strings.HasPrefix(name, "_") {
			continue
		}
		var f TextFile
		if err := json.Unmarshal(v, &f); err != nil {
			return nil, fmt.Errorf("%s: %s: %w", path, name, err)
		}
		truth[name] = f
	}
	return truth, nil
}

// Recall is how much of the truth a reading found, over the files scored.
type Recall struct {
	Words       int          `json:"words"`
	Found       int          `json:"found"`
	Hard        int          `json:"hard"`
	HardFound   int          `json:"hard_found"`
	Absent      int          `json:"absent"`
	AbsentFound int          `json:"absent_found"` // words read that are not there
	Files       []FileRecall `json:"files"`
}

// FileRecall is Recall for one file, with the words it missed and the
// absent words it read.
type FileRecall struct {
	File        string   `json:"file"` // the truth's key
	Words       int      `json:"words"`
	Found       int      `json:"found"`
	HardFound   int      `json:"hard_found"`
	Missed      []string `json:"missed"`
	AbsentFound []string `json:"absent_found"`
}

// Ratio is the part of the words found, 0..1 (0 without words).
func (r Recall) Ratio() float64 {
	if r.Words == 0 {
		return 0
	}
	return float64(r.Found) / float64(r.Words)
}

// TextRecall scores the text read in each file (readByFile, keyed by the
// file's path) against truth: a word is found when the file's text
// contains it as `text:` matches (query.Text.In: folded, spaces ignored,
// so "ALLYEAR" holds ALL and YEAR). A file is the truth's entry whose key
// ends its path; files on one side only are not scored.
func TextRecall(truth TextTruth, readByFile map[string]string) Recall {
	var r Recall
	keys := make([]string, 0, len(truth))
	for k := range truth {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, key := range keys {
		text, ok := readFor(key, readByFile)
		if !ok {
			continue
		}
		want := truth[key]
		in := func(w string) bool { return query.Text{Words: w}.In(text) }
		fr := FileRecall{File: key}
		for _, w := range want.Words() {
			fr.Words++
			if in(w) {
				fr.Found++
			} else {
				fr.Missed = append(fr.Missed, w)
			}
		}
		for _, w := range want.Hard {
			if in(w) {
				fr.HardFound++
			}
		}
		for _, w := range want.Absent {
			if in(w) {
				fr.AbsentFound = append(fr.AbsentFound, w)
			}
		}
		r.Words += fr.Words
		r.Found += fr.Found
		r.Hard += len(want.Hard)
		r.HardFound += fr.HardFound
		r.Absent += len(want.Absent)
		r.AbsentFound += len(fr.AbsentFound)
		r.Files = append(r.Files, fr)
	}
	return r
}

// readFor is the text read in the file whose path ends with key.
func readFor(key string, readByFile map[string]string) (string, bool) {
	for path, text := range readByFile {
		p := filepath.ToSlash(path)
		if p == key || strings.HasSuffix(p, "/"+key) {
			return text, true
		}
	}
	return "", false
}

// ByHandEvery is the by-hand pipeline's frame rate: a frame every 2 s.
const ByHandEvery = "fps=1/2"

// ErrNoTesseract says the tesseract CLI is not on PATH.
var ErrNoTesseract = errors.New("the tesseract CLI is not on PATH")

// ByHandText reads the text in files the way users do without vidsift:
// `ffmpeg -i F -vf fps=1/2 frame%04d.png`, then `tesseract frame.png -`
// for each frame, one file and one frame after the other. It returns the
// text read in each file (its frames' in order, one after the other) and
// the wall time of it all, end to end. A file ffmpeg cannot read is an
// error naming it.
func ByHandText(ctx context.Context, files []string) (map[string]string, time.Duration, error) {
	ffmpeg, err := exec.LookPath("ffmpeg")
	if err != nil {
		return nil, 0, fmt.Errorf("the by-hand text reading needs the ffmpeg CLI: %w", err)
	}
	tesseract, err := exec.LookPath("tesseract")
	if err != nil {
		return nil, 0, ErrNoTesseract
	}
	read := map[string]string{}
	start := time.Now()
	for _, file := range files {
		text, err := byHandFile(ctx, ffmpeg, tesseract, file)
		if err != nil {
			return nil, 0, fmt.Errorf("%s: %w", file, err)
		}
		read[file] = text
	}
	return read, time.Since(start), nil
}

func byHandFile(ctx context.Context, ffmpeg, tesseract, file string) (string, error) {
	dir, err := os.MkdirTemp("", "vidsift-byhand-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	cmd := exec.CommandContext(ctx, ffmpeg, "-nostdin", "-v", "error", "-i", file, "-vf", ByHandEvery, filepath.Join(dir, "frame%04d.png"))
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("ffmpeg: %v: %s", err, strings.TrimSpace(string(out)))
	}
	frames, err := filepath.Glob(filepath.Join(dir, "frame*.png"))
	if err != nil {
		return "", err
	}
	if len(frames) == 0 {
		return "", errors.New("ffmpeg wrote no frame")
	}
	slices.Sort(frames)
	var text strings.Builder
	for _, f := range frames {
		var stderr strings.Builder
		cmd := exec.CommandContext(ctx, tesseract, f, "-")
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			return "", fmt.Errorf("tesseract %s: %v: %s", filepath.Base(f), err, strings.TrimSpace(stderr.String()))
		}
		text.Write(out)
		text.WriteByte('\n')
	}
	return text.String(), nil
}
