package session

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vidsift/vidsift/engine/ocr"
	"github.com/vidsift/vidsift/internal/testenv"
)

// textModels copies the shared text models into a folder of the test's,
// where change (may be nil) can spoil them.
func textModels(t *testing.T, change func(dir string)) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{ocr.DetectorFile, ocr.RecogniserFile, ocr.DictionaryFile} {
		data, err := os.ReadFile(filepath.Join(testenv.Shared(t, "models/ocr"), name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if change != nil {
		change(dir)
	}
	return dir
}

// TestTextModels: a session reads text with the text models; without
// them, or with a corrupt file or a model of other shapes, it opens all
// the same, reads no text and says why (TextWarning); closing it frees
// the text models it loaded.
func TestTextModels(t *testing.T) {
	before := ocr.OpenObjects()
	write := func(name string, data []byte) func(string) {
		return func(dir string) {
			if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	yolo, err := os.ReadFile(testenv.Model(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		dir    string
		reason string // in TextWarning; "" reads text
	}{
		{"installed", textModels(t, nil), ""},
		{"not installed", "", "not installed"},
		{"corrupt detector", textModels(t, write(ocr.DetectorFile, []byte("not a model"))), "not a readable ONNX file"},
		{"the object model as recogniser", textModels(t, write(ocr.RecogniserFile, yolo)), "not the expected model"},
		{"empty dictionary", textModels(t, write(ocr.DictionaryFile, nil)), "dictionary"},
	} {
		opts := modelOptions(t)
		opts.TextModels = c.dir
		s, err := Open(opts)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		w := s.TextWarning()
		on := s.Config().Text.On
		switch {
		case c.reason == "" && (w != nil || !on):
			t.Errorf("%s: warning %v, text on %v", c.name, w, on)
		case c.reason == "not installed":
			if !errors.Is(w, ErrNoTextModels) || on {
				t.Errorf("%s: warning %v, text on %v", c.name, w, on)
			}
		case c.reason != "" && (w == nil || on || !strings.Contains(w.Error(), c.reason)):
			t.Errorf("%s: warning %v, text on %v; want no text, and why (%q)", c.name, w, on, c.reason)
		}
		if run := scanClip(t, s); len(run.files) != 1 || run.files[0].Result.Status != "ok" || run.files[0].Result.TextKey != s.Config().Text.Key() {
			t.Errorf("%s: the scan gave %+v", c.name, run.files)
		}
		s.Close()
		if open := ocr.OpenObjects(); open != before {
			t.Errorf("%s: %d text ONNX Runtime objects open after Close, %d before", c.name, open, before)
		}
	}
}
