package app

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/vidsift/vidsift/engine/config"
)

// The app's tests find their assets here: the engine's test support is
// internal to engine/ (Go's internal rule), so the app keeps these few
// lines of its own. A missing asset fails under CI and skips elsewhere.

// repoRoot is the checkout's top folder.
func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(filepath.Dir(file))
}

// asset returns path if it exists, else fails (CI) or skips the test.
func asset(t testing.TB, path, hint string) string {
	t.Helper()
	_, err := os.Stat(path)
	switch {
	case err == nil:
		return path
	case os.Getenv("CI") != "":
		t.Fatalf("missing %s (%s): %v", path, hint, err)
	default:
		t.Skipf("missing %s (%s): %v", path, hint, err)
	}
	return ""
}

func shared(t testing.TB, rel string) string {
	return asset(t, filepath.Join(filepath.Dir(repoRoot()), "shared", rel), "../shared beside the checkout")
}

func fixture(t testing.TB, name string) string {
	return asset(t, filepath.Join(repoRoot(), "testdata", "generated", name), "run `make fixtures`")
}

// runtimeLibrary is looked up once, before a test isolates the environment.
var runtimeLibrary = func() string {
	if v, err := config.New(); err == nil {
		if lib := config.FindRuntimeLibrary(v); filepath.IsAbs(lib) {
			return lib
		}
	}
	return filepath.Join(config.DataDir(), config.RuntimeLibraryName)
}()

// isolate clears every VIDSIFT_* key (viper ignores empty variables) and
// points every XDG folder at an empty temp dir: the user's config, model,
// library and app state stay untouched.
func isolate(t testing.TB) {
	for _, key := range config.Keys() {
		t.Setenv(config.EnvVar(key), "")
	}
	for _, env := range []string{"XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"} {
		t.Setenv(env, t.TempDir())
	}
}

// withModel isolates the test and names the shared float32 model, the
// runtime and a results library of the test's own.
func withModel(t testing.TB) {
	model := shared(t, "models/yolov8n.onnx")
	lib := asset(t, runtimeLibrary, "run `make setup`")
	isolate(t)
	t.Setenv(config.EnvVar(config.Model), model)
	t.Setenv(config.EnvVar(config.RuntimeLibrary), lib)
	t.Setenv(config.EnvVar(config.Library), filepath.Join(t.TempDir(), "library.db"))
}
