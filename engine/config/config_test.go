package config

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// isolate points the config and data folders at empty temp dirs.
func isolate(t *testing.T) (configDir, dataDir string) {
	t.Helper()
	configDir, dataDir = t.TempDir(), t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", configDir)
	t.Setenv("XDG_DATA_HOME", dataDir)
	for _, k := range []string{"CONFIDENCE", "IOU", "CLASSES", "WORKERS", "THREADS", "MODEL", "ONNXRUNTIME_LIBRARY"} {
		t.Setenv("VIDSIFT_"+k, "")
		os.Unsetenv("VIDSIFT_" + k)
	}
	return configDir, filepath.Join(dataDir, "vidsift")
}

func TestDefaults(t *testing.T) {
	isolate(t)
	v, err := New()
	if err != nil {
		t.Fatal(err)
	}
	s, err := Load(v)
	if err != nil {
		t.Fatal(err)
	}
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
	v, err := New()
	if err != nil {
		t.Fatal(err)
	}
	s, err := Load(v)
	if err != nil {
		t.Fatal(err)
	}
	if s.Confidence != 0.6 || s.IoU != 0.5 || s.Workers != 3 || strings.Join(s.Classes, ",") != "car,truck" {
		t.Errorf("got %+v", s)
	}
}

func TestValidation(t *testing.T) {
	isolate(t)
	t.Setenv("VIDSIFT_CONFIDENCE", "1.5")
	t.Setenv("VIDSIFT_WORKERS", "0")
	v, _ := New()
	_, err := Load(v)
	if err == nil || !strings.Contains(err.Error(), "confidence") || !strings.Contains(err.Error(), "workers") {
		t.Errorf("error %v", err)
	}
}

func TestBrokenConfigFile(t *testing.T) {
	cfgDir, _ := isolate(t)
	os.MkdirAll(filepath.Join(cfgDir, "vidsift"), 0o755)
	os.WriteFile(filepath.Join(cfgDir, "vidsift", "config.yaml"), []byte("confidence: [oops\n"), 0o644)
	if _, err := New(); err == nil || !strings.Contains(err.Error(), "config.yaml") {
		t.Errorf("error %v", err)
	}
}

func TestFindModel(t *testing.T) {
	_, data := isolate(t)
	v, _ := New()
	if _, err := FindModel(v); !errors.Is(err, ErrNoModel) || !strings.Contains(err.Error(), "yolo export") {
		t.Errorf("no model: %v", err)
	}
	os.MkdirAll(data, 0o755)
	float := filepath.Join(data, "yolov8n.onnx")
	os.WriteFile(float, []byte("x"), 0o644)
	if got, err := FindModel(v); err != nil || got != float {
		t.Errorf("data dir model: %q %v", got, err)
	}
	// The int8 model is preferred when both are there.
	int8 := filepath.Join(data, "yolov8n_int8.onnx")
	os.WriteFile(int8, []byte("x"), 0o644)
	if got, err := FindModel(v); err != nil || got != int8 {
		t.Errorf("data dir int8 model: %q %v", got, err)
	}
	// An explicit choice wins, and a missing explicit file is an error.
	other := filepath.Join(t.TempDir(), "custom.onnx")
	os.WriteFile(other, []byte("x"), 0o644)
	t.Setenv("VIDSIFT_MODEL", other)
	if got, err := FindModel(v); err != nil || got != other {
		t.Errorf("explicit model: %q %v", got, err)
	}
	t.Setenv("VIDSIFT_MODEL", other+".missing")
	if _, err := FindModel(v); err == nil {
		t.Error("missing explicit model accepted")
	}
}

func TestFindLibrary(t *testing.T) {
	_, data := isolate(t)
	v, _ := New()
	if got := FindRuntimeLibrary(v); got != RuntimeLibraryName {
		t.Errorf("nothing installed: %q, want the bare name for the system loader", got)
	}
	os.MkdirAll(data, 0o755)
	os.WriteFile(filepath.Join(data, RuntimeLibraryName), []byte("x"), 0o644)
	if got := FindRuntimeLibrary(v); got != filepath.Join(data, RuntimeLibraryName) {
		t.Errorf("data dir: %q", got)
	}
}

// FuzzConfigFile: any config file content loads or fails cleanly.
func FuzzConfigFile(f *testing.F) {
	f.Add("confidence: 0.3\nclasses: [person]\n")
	f.Add("workers: -1\n")
	f.Add("{{{")
	f.Fuzz(func(t *testing.T, content string) {
		dir := t.TempDir()
		t.Setenv("XDG_CONFIG_HOME", dir)
		os.MkdirAll(filepath.Join(dir, "vidsift"), 0o755)
		os.WriteFile(filepath.Join(dir, "vidsift", "config.yaml"), []byte(content), 0o644)
		if v, err := New(); err == nil {
			_, _ = Load(v)
		}
	})
}
