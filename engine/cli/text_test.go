package cli

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/vidsift/vidsift/engine/query"
	"github.com/vidsift/vidsift/engine/settings"
	"github.com/vidsift/vidsift/internal/testenv"
)

// TestText: without the text models a scan reads no text and says once how
// to get them; with them, the next scan gives the kept result its text
// without the detector, and the words are searched with find (alone, with
// classes, --together) and cut out with clips; a scan with --text=false
// shows none and leaves the library's.
func TestText(t *testing.T) {
	isolated(t)
	t.Setenv("VIDSIFT_MODEL", testenv.Model(t))
	dir := t.TempDir()
	video := filepath.Join(dir, "news.mp4")
	copyFile(t, testenv.Fixture(t, "text/lower_third.mp4"), video)

	js := filepath.Join(dir, "scan.json")
	code, out := scanCmd(t, "--json", js, video)
	if code != ExitOK || strings.Count(out, "not reading text: the text models are not installed") != 1 {
		t.Fatalf("scan without the text models: exit %d\n%s", code, out)
	}
	first := readDoc(t, js)
	for _, k := range first.Files[0].Frames {
		if len(k.Text) > 0 {
			t.Fatalf("text read without the text models: %+v", k.Text)
		}
	}
	if v := first.Settings.Values["text"]; v != false {
		t.Errorf("the settings block says text %v, though none was read", v)
	}

	t.Setenv(settings.EnvVar(settings.TextModels), testenv.Shared(t, "models/ocr"))
	csvPath := filepath.Join(dir, "scan.csv")
	code, out = scanCmd(t, "--json", js, "--csv", csvPath, video)
	if code != ExitOK || strings.Contains(out, "not reading text") {
		t.Fatalf("scan with the text models: exit %d\n%s", code, out)
	}
	doc := readDoc(t, js)
	if s := doc.Summary; s.Skipped != 1 || s.Inferences != 0 {
		t.Errorf("the kept result was scanned again to read its text: %+v", s)
	}
	var read strings.Builder
	lines := 0
	f := doc.Files[0]
	for _, k := range f.Frames {
		for _, l := range k.Text {
			read.WriteString(l.Text + " ")
			lines++
			if b := l.Box; b[0] < 0 || b[2] > float64(f.Media.Width) || b[1] < 0 || b[3] > float64(f.Media.Height) || l.Confidence < 0.5 || l.Confidence > 1 {
				t.Errorf("frame %d: %+v", k.Index, l)
			}
		}
	}
	for _, w := range []string{"Maria Lopez", "Okafor", "Weather Desk"} {
		if !(query.Text{Words: w}).In(read.String()) {
			t.Errorf("%q not read in %q", w, read.String())
		}
	}
	if v := doc.Settings.Values["text"]; v != true {
		t.Errorf("the settings block says text %v", v)
	}
	textRows := 0
	for _, r := range readCSV(t, csvPath) {
		if r[13] == "text" {
			textRows++
		}
	}
	if textRows != lines {
		t.Errorf("%d CSV rows of kind text for %d lines", textRows, lines)
	}

	for expr, want := range map[string]bool{
		"text:maria":                  true,
		`text:"maria lopez"`:          true,
		"text:MARIALOPEZ":             true, // spaces aside: the reader may join words
		"person & text:okafor":        true,
		"text:octavia":                false,
		"text:maria & !text:weather":  false, // per file: both are on screen
		"text:maria | said:anything":  true,
		"text:maria & said:anything":  false,
		"!text:maria & text:silva":    false,
		"text:silva & !text:zanzibar": true,
	} {
		if got := len(findPaths(t, expr)) == 1; got != want {
			t.Errorf("find %s: %v, want %v", expr, got, want)
		}
	}
	// When: Maria Lopez's lower third is on screen from 0.5 s to 3.3 s,
	// James Okafor's from 3.8 s to 6.5 s.
	code, stdout, stderr := vidsift(t, "find", "--together", `person & text:"maria lopez"`)
	if code != ExitOK || !strings.Contains(stdout, "news.mp4") || strings.Contains(stdout, "0:04") || strings.Contains(stdout, "0:06") {
		t.Errorf("find --together person & text:\"maria lopez\": exit %d\n%s%s", code, stdout, stderr)
	}
	clipsOut := filepath.Join(t.TempDir(), "clips")
	if code, _, stderr := vidsift(t, "clips", "--out", clipsOut, "text:okafor"); code != ExitOK {
		t.Fatalf("clips text:okafor: exit %d\n%s", code, stderr)
	}
	clipDoc := testenv.ReadJSON[clipsDoc](t, filepath.Join(clipsOut, "clips.json"))
	if len(clipDoc.Clips) != 1 {
		t.Fatalf("clips text:okafor: %+v", clipDoc)
	}
	if c := clipDoc.Clips[0]; c.Start < 3 || c.Start > 6.5 || c.End > 8 {
		t.Errorf("the clip of text:okafor: %+v; the name is on screen from 3.8 s to 6.5 s", c)
	}

	// Text off: none shown, the library keeps what it read.
	code, out = scanCmd(t, "--json", js, "--text=false", video)
	if code != ExitOK || strings.Contains(out, "not reading text") {
		t.Fatalf("scan --text=false: exit %d\n%s", code, out)
	}
	for _, k := range readDoc(t, js).Files[0].Frames {
		if len(k.Text) > 0 {
			t.Errorf("--text=false shows frame %d's text %+v", k.Index, k.Text)
		}
	}
	if paths := findPaths(t, "text:maria"); len(paths) != 1 {
		t.Errorf("after a scan with --text=false, find text:maria: %v", paths)
	}
}
