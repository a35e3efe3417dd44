package config_test

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spf13/viper"

	"github.com/vidsift/vidsift/engine/config"
	"github.com/vidsift/vidsift/engine/ocr"
	"github.com/vidsift/vidsift/engine/scan"
	"github.com/vidsift/vidsift/engine/settings"
	"github.com/vidsift/vidsift/internal/testenv"
)

// isolate clears the user's settings (testenv.Isolate) and returns the
// empty config folder and the data folder vidsift will look in.
func isolate(t *testing.T) (configDir, dataDir string) {
	t.Helper()
	testenv.Isolate(t)
	return os.Getenv("XDG_CONFIG_HOME"), filepath.Join(os.Getenv("XDG_DATA_HOME"), "vidsift")
}

// loadSettings is config.New and config.Load that must succeed.
func loadSettings(t *testing.T) scan.Settings {
	t.Helper()
	s, err := config.Load(newConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// newConfig is config.New that must succeed.
func newConfig(t *testing.T) *viper.Viper {
	t.Helper()
	v, err := config.New()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestDefaults(t *testing.T) {
	isolate(t)
	s := loadSettings(t)
	if s.Confidence != 0.25 || s.IoU != 0.7 || s.Workers != runtime.NumCPU() || s.Threads != runtime.NumCPU() || len(s.Classes) != 0 || s.FileTimeout != 10*time.Minute {
		t.Errorf("defaults %+v", s)
	}
}

// TestPrecedence: environment beats the config file, which beats defaults.
func TestPrecedence(t *testing.T) {
	cfgDir, _ := isolate(t)
	if err := os.MkdirAll(filepath.Join(cfgDir, "vidsift"), 0o755); err != nil {
		t.Fatal(err)
	}
	yaml := "confidence: 0.4\niou: 0.5\nclasses: [person, dog]\nworkers: 3\n"
	if err := os.WriteFile(filepath.Join(cfgDir, "vidsift", "config.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("VIDSIFT_CONFIDENCE", "0.6")
	t.Setenv("VIDSIFT_CLASSES", "car,truck")
	s := loadSettings(t)
	if s.Confidence != 0.6 || s.IoU != 0.5 || s.Workers != 3 || strings.Join(s.Classes, ",") != "car,truck" {
		t.Errorf("got %+v", s)
	}
}

func TestValidation(t *testing.T) {
	isolate(t)
	t.Setenv("VIDSIFT_CONFIDENCE", "1.5")
	t.Setenv("VIDSIFT_WORKERS", "0")
	v := newConfig(t)
	_, err := config.Load(v)
	if err == nil || !strings.Contains(err.Error(), "confidence") || !strings.Contains(err.Error(), "workers") {
		t.Errorf("error %v", err)
	}
}

// TestZeroThreads: threads 0 is one error, about threads; the intra-op
// threads are not also refused for exceeding it.
func TestZeroThreads(t *testing.T) {
	isolate(t)
	t.Setenv("VIDSIFT_THREADS", "0")
	_, err := config.Load(newConfig(t))
	if err == nil || !strings.Contains(err.Error(), "threads must be 1..256") || strings.Contains(err.Error(), settings.IntraOpThreads) {
		t.Errorf("error %v", err)
	}
	t.Setenv("VIDSIFT_INTRA_OP_THREADS", "0")
	if _, err := config.Load(newConfig(t)); err == nil || !strings.Contains(err.Error(), settings.IntraOpThreads+" must be 1..") {
		t.Errorf("intra-op threads 0 with threads 0: error %v", err)
	}
}

func TestBrokenConfigFile(t *testing.T) {
	cfgDir, _ := isolate(t)
	testenv.WriteFile(t, filepath.Join(cfgDir, "vidsift", "config.yaml"), []byte("confidence: [oops\n"), 0o644)
	if _, err := config.New(); err == nil || !strings.Contains(err.Error(), "config.yaml") {
		t.Errorf("error %v", err)
	}
}

func TestFindModel(t *testing.T) {
	_, data := isolate(t)
	v := newConfig(t)
	if _, err := config.FindModel(v); !errors.Is(err, config.ErrNoModel) || strings.Contains(err.Error(), "--model") || !strings.Contains(err.Error(), "looked in") {
		t.Errorf("no model: %v", err)
	}
	float := filepath.Join(data, "yolov8n.onnx")
	testenv.WriteFile(t, float, []byte("x"), 0o644)
	if got, err := config.FindModel(v); err != nil || got != float {
		t.Errorf("data dir model: %q %v", got, err)
	}
	// The int8 model is preferred when both are there.
	int8 := filepath.Join(data, "yolov8n_int8.onnx")
	testenv.WriteFile(t, int8, []byte("x"), 0o644)
	if got, err := config.FindModel(v); err != nil || got != int8 {
		t.Errorf("data dir int8 model: %q %v", got, err)
	}
	// An explicit choice wins, and a missing explicit file is an error.
	other := filepath.Join(t.TempDir(), "custom.onnx")
	testenv.WriteFile(t, other, []byte("x"), 0o644)
	t.Setenv("VIDSIFT_MODEL", other)
	if got, err := config.FindModel(v); err != nil || got != other {
		t.Errorf("explicit model: %q %v", got, err)
	}
	t.Setenv("VIDSIFT_MODEL", other+".missing")
	if _, err := config.FindModel(v); err == nil {
		t.Error("missing explicit model accepted")
	}
}

func TestFindLibrary(t *testing.T) {
	_, data := isolate(t)
	v := newConfig(t)
	if got := config.FindRuntimeLibrary(v); got != config.RuntimeLibraryName {
		t.Errorf("nothing installed: %q, want the bare name for the system loader", got)
	}
	testenv.WriteFile(t, filepath.Join(data, config.RuntimeLibraryName), []byte("x"), 0o644)
	if got := config.FindRuntimeLibrary(v); got != filepath.Join(data, config.RuntimeLibraryName) {
		t.Errorf("data dir: %q", got)
	}
}

// TestFindTextModels: the configured folder when it holds every file,
// else the data folder's ocr/ when it holds them all; a folder that lacks
// one is never taken, and the error says what was looked for where.
func TestFindTextModels(t *testing.T) {
	_, data := isolate(t)
	if want := []string{ocr.DetectorFile, ocr.RecogniserFile, ocr.DictionaryFile}; !slices.Equal(config.TextModelFiles, want) {
		t.Fatalf("TextModelFiles %v, engine/ocr loads %v", config.TextModelFiles, want)
	}
	v := newConfig(t)
	installed := filepath.Join(data, "ocr")
	_, err := config.FindTextModels(v)
	if !errors.Is(err, config.ErrNoTextModels) || !strings.Contains(err.Error(), installed) || !strings.Contains(err.Error(), ocr.DetectorFile) {
		t.Errorf("nothing installed: %v", err)
	}
	// Two of the three files are not the models.
	for _, name := range config.TextModelFiles[:2] {
		testenv.WriteFile(t, filepath.Join(installed, name), []byte("x"), 0o644)
	}
	if got, err := config.FindTextModels(v); !errors.Is(err, config.ErrNoTextModels) {
		t.Errorf("a folder without the dictionary: %q %v", got, err)
	}
	testenv.WriteFile(t, filepath.Join(installed, ocr.DictionaryFile), []byte("x"), 0o644)
	if got, err := config.FindTextModels(v); err != nil || got != installed {
		t.Errorf("installed by setup: %q %v, want %s", got, err, installed)
	}
	// A configured folder wins, and one that lacks a file is an error naming it.
	mine := t.TempDir()
	for _, name := range []string{ocr.DetectorFile, ocr.DictionaryFile} {
		testenv.WriteFile(t, filepath.Join(mine, name), []byte("x"), 0o644)
	}
	t.Setenv(settings.EnvVar(settings.TextModels), mine)
	if got, err := config.FindTextModels(v); err == nil || !strings.Contains(err.Error(), mine) || !strings.Contains(err.Error(), ocr.RecogniserFile) || strings.Contains(err.Error(), ocr.DictionaryFile) {
		t.Errorf("configured folder without the recogniser: %q %v", got, err)
	}
	testenv.WriteFile(t, filepath.Join(mine, ocr.RecogniserFile), []byte("x"), 0o644)
	if got, err := config.FindTextModels(v); err != nil || got != mine {
		t.Errorf("configured folder: %q %v, want %s", got, err, mine)
	}
}

// FuzzConfigFile: any config file content either fails with an error
// that names the file or a key, or loads settings that keep every range
// Load promises.
func FuzzConfigFile(f *testing.F) {
	f.Add("confidence: 0.3\nclasses: [person]\n")
	f.Add("workers: -1\n")
	f.Add("iou: 1\nthreads: 4\nintra_op_threads: 2\nfile_timeout: 90\n")
	f.Add("decoder_thread_type: slice\n")
	f.Add("{{{")
	f.Fuzz(func(t *testing.T, content string) {
		cfgDir, _ := isolate(t)
		testenv.WriteFile(t, filepath.Join(cfgDir, "vidsift", "config.yaml"), []byte(content), 0o644)
		v, err := config.New()
		if err != nil {
			if !strings.Contains(err.Error(), "config.yaml") {
				t.Errorf("an unreadable file's error does not name it: %v", err)
			}
			return
		}
		s, err := config.Load(v)
		if err != nil {
			return
		}
		if s.Confidence <= 0 || s.Confidence >= 1 || s.IoU <= 0 || s.IoU > 1 ||
			s.Workers < 1 || s.Workers > 256 || s.Threads < 1 || s.Threads > 256 ||
			s.IntraOpThreads < 1 || s.IntraOpThreads > s.Threads || s.DecoderThreads < 0 || s.FileTimeout < 0 {
			t.Errorf("Load accepted out-of-range settings %+v from %q", s, content)
		}
		if tt := s.DecoderThreadType; tt != "" && tt != "frame" && tt != "slice" {
			t.Errorf("Load accepted decoder thread type %q", tt)
		}
		for _, c := range s.Classes {
			if strings.TrimSpace(c) != c || c == "" || strings.Contains(c, ",") {
				t.Errorf("class %q is not split and trimmed", c)
			}
		}
	})
}

// TestCuts: cut frames are on by default, off by the config file or the
// environment, and never on with keyframes only (max_gap 0), which
// decodes nothing between keyframes.
func TestCuts(t *testing.T) {
	cfgDir, _ := isolate(t)
	if s := loadSettings(t); !s.Sampling.Cuts {
		t.Error("cut frames off by default")
	}
	testenv.WriteFile(t, filepath.Join(cfgDir, "vidsift", "config.yaml"), []byte("cuts: false\n"), 0o644)
	if s := loadSettings(t); s.Sampling.Cuts {
		t.Error("cuts: false in config.yaml left them on")
	}
	t.Setenv(settings.EnvVar(settings.Cuts), "true")
	if s := loadSettings(t); !s.Sampling.Cuts {
		t.Errorf("%s=true left them off", settings.EnvVar(settings.Cuts))
	}
	t.Setenv(settings.EnvVar(settings.MaxGap), "0")
	if s := loadSettings(t); s.Sampling.Cuts {
		t.Error("cut frames on with keyframes only")
	}
	// A switch that is neither true nor false is an error naming its key, not false.
	t.Setenv(settings.EnvVar(settings.Cuts), "yes please")
	t.Setenv(settings.EnvVar(settings.Rect), "off")
	if _, err := config.Load(newConfig(t)); err == nil || !strings.Contains(err.Error(), "cuts: yes please is neither true nor false") || !strings.Contains(err.Error(), "rect:") {
		t.Errorf("bad switches: %v", err)
	}
}

// TestDurationsInSeconds: every duration setting takes a bare number of
// seconds as well as a Go duration, from the config file and the
// environment alike, and a bad one is an error naming its key.
func TestDurationsInSeconds(t *testing.T) {
	cfgDir, _ := isolate(t)
	testenv.WriteFile(t, filepath.Join(cfgDir, "vidsift", "config.yaml"), []byte("max_gap: 1.5\nmin_gap: 250ms\nfile_timeout: 90\n"), 0o644)
	s := loadSettings(t)
	if s.Sampling != (scan.Sampling{MaxGap: 1.5, MinGap: 0.25, Cuts: true}) || s.FileTimeout != 90*time.Second {
		t.Errorf("from config.yaml: max gap %v, min gap %v, timeout %v", s.Sampling.MaxGap, s.Sampling.MinGap, s.FileTimeout)
	}
	t.Setenv(settings.EnvVar(settings.MaxGap), "0.5")
	t.Setenv(settings.EnvVar(settings.MinGap), "0")
	if s := loadSettings(t); s.Sampling != (scan.Sampling{MaxGap: 0.5, Cuts: true}) {
		t.Errorf("from the environment: max gap %v, min gap %v", s.Sampling.MaxGap, s.Sampling.MinGap)
	}
	t.Setenv(settings.EnvVar(settings.MaxGap), "soon")
	if _, err := config.Load(newConfig(t)); err == nil || !strings.Contains(err.Error(), "max_gap") {
		t.Errorf("a bad duration: %v", err)
	}
	for in, want := range map[any]time.Duration{"2s": 2 * time.Second, "1": time.Second, 3: 3 * time.Second, 0.25: 250 * time.Millisecond, nil: 0} {
		if got, err := config.Duration(in); err != nil || got != want {
			t.Errorf("Duration(%v) = %v, %v; want %v", in, got, err, want)
		}
	}
}
