// Package testenv finds the shared assets and generated fixtures that tests
// need. When one is missing a test fails under CI (CI=true) and is skipped,
// with the command that provides it, elsewhere.
package testenv

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/vidsift/vidsift/engine/config"
)

// RepoRoot is the checkout's top folder.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// Shared returns the path of a file under ../shared, or stops the test.
func Shared(t testing.TB, rel string) string {
	t.Helper()
	return require(t, filepath.Join(RepoRoot(), "..", "shared", rel),
		"the shared assets (../shared beside the checkout)")
}

// Fixture returns the path of a generated fixture under testdata/generated.
func Fixture(t testing.TB, name string) string {
	t.Helper()
	return require(t, filepath.Join(RepoRoot(), "testdata", "generated", name),
		"generated fixtures: run `make fixtures`")
}

// Model returns the float32 YOLOv8n model from the shared assets.
func Model(t testing.TB) string { return Shared(t, "models/yolov8n.onnx") }

func require(t testing.TB, path, what string) string {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("missing %s: %v", what, err)
		}
		t.Skipf("missing %s: %v", what, err)
	}
	abs, _ := filepath.Abs(path)
	return abs
}

// Library returns the ONNX Runtime library that setup installed (or that
// VIDSIFT_ONNXRUNTIME_LIBRARY names).
func Library(t testing.TB) string {
	t.Helper()
	v, err := config.New()
	if err != nil {
		t.Fatal(err)
	}
	lib := config.FindLibrary(v)
	if !filepath.IsAbs(lib) {
		lib = filepath.Join(config.DataDir(), config.LibraryName)
	}
	return require(t, lib, "the ONNX Runtime library: run `make setup`")
}
