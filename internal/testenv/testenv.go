// Package testenv is the tests' support, the engine's and the app's alike:
// where the shared assets and generated fixtures are, and an environment
// isolated from the user's. When an asset is missing a test fails under CI
// (CI=true) and is skipped, with the command that provides it, elsewhere.
// Only _test.go files import it.
package testenv

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/vidsift/vidsift/engine/config"
	"github.com/vidsift/vidsift/engine/groundtruth"
	"github.com/vidsift/vidsift/engine/settings"
)

// The ONNX Runtime library, looked up once before any test isolates the
// environment (Isolate clears the variables and folders the lookup reads).
var runtimeLibrary = func() string {
	v, err := config.New()
	if err != nil {
		return filepath.Join(config.DataDir(), config.RuntimeLibraryName)
	}
	lib := config.FindRuntimeLibrary(v)
	if !filepath.IsAbs(lib) {
		lib = filepath.Join(config.DataDir(), config.RuntimeLibraryName)
	}
	return lib
}()

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

// GroundTruthMedia returns the shared folders that ground_truth.json
// describes (photos/, videos/): what a test scans to hold the results to
// it. The shared testdata holds other folders too (text/, with its own
// truth), which such a scan must not meet.
func GroundTruthMedia(t testing.TB) []string {
	t.Helper()
	root := Shared(t, "testdata")
	var dirs []string
	for rel := range Expectations(t, filepath.Join(root, "ground_truth.json")) {
		dir, _, ok := strings.Cut(filepath.ToSlash(rel), "/")
		if d := filepath.Join(root, dir); ok && !slices.Contains(dirs, d) {
			dirs = append(dirs, d)
		}
	}
	if len(dirs) == 0 {
		t.Fatal("ground_truth.json names no files in folders")
	}
	sort.Strings(dirs)
	return dirs
}

// Fixture returns the path of a generated fixture under testdata/generated.
func Fixture(t testing.TB, name string) string {
	t.Helper()
	return require(t, filepath.Join(RepoRoot(), "testdata", "generated", name),
		"generated fixtures: run `make fixtures`")
}

// Model returns the float32 YOLOv8n model from the shared assets.
func Model(t testing.TB) string { return Shared(t, "models/yolov8n.onnx") }

// Library returns the ONNX Runtime library that setup installed (or that
// VIDSIFT_ONNXRUNTIME_LIBRARY named when the tests started).
func Library(t testing.TB) string {
	t.Helper()
	return require(t, runtimeLibrary, "the ONNX Runtime library: run `make setup`")
}

func require(t testing.TB, path, what string) string {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("missing %s: %v", what, err)
		}
		t.Skipf("missing %s: %v", what, err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// XDGFolders are the folders vidsift reads or writes through XDG variables.
var XDGFolders = []string{"XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"}

// Isolate gives the test an environment of its own: no config key set
// through VIDSIFT_* and every XDG folder an empty temp dir, so the user's
// config file, model, results library and app state are neither read nor
// written. The test then names what it needs (Model, Library) explicitly.
func Isolate(t testing.TB) {
	t.Helper()
	for _, key := range config.Keys() {
		env := settings.EnvVar(key)
		t.Setenv(env, "") // restored after the test
		if err := os.Unsetenv(env); err != nil {
			t.Fatal(err)
		}
	}
	for _, env := range XDGFolders {
		t.Setenv(env, t.TempDir())
	}
}

// ReadJSON decodes a JSON file a test wrote into a T.
func ReadJSON[T any](t testing.TB, path string) T {
	t.Helper()
	var v T
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return v
}

// WriteFile writes a file a test sets up, failing the test if it can't.
func WriteFile(t testing.TB, path string, data []byte, perm os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, perm); err != nil {
		t.Fatal(err)
	}
}

// Expectations reads an expectations file (ground_truth.json, fixtures.json).
func Expectations(t testing.TB, path string) map[string]groundtruth.Expectation {
	t.Helper()
	exps, err := groundtruth.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return exps
}

// Symlink makes link point at target, creating link's folder.
func Symlink(t testing.TB, target, link string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}
