package app

import (
	"path/filepath"
	"testing"

	"github.com/vidsift/vidsift/engine/settings"
	"github.com/vidsift/vidsift/internal/testenv"
)

// The app's tests find their assets through testenv, as the engine's do:
// a missing asset fails under CI and skips elsewhere.

func shared(t testing.TB, rel string) string { return testenv.Shared(t, rel) }

func fixture(t testing.TB, name string) string { return testenv.Fixture(t, name) }

// withModel isolates the test and names the shared float32 model, the
// runtime and a results library of the test's own.
func withModel(t testing.TB) {
	model, lib := testenv.Model(t), testenv.Library(t)
	testenv.Isolate(t)
	t.Setenv(settings.EnvVar(settings.Model), model)
	t.Setenv(settings.EnvVar(settings.RuntimeLibrary), lib)
	t.Setenv(settings.EnvVar(settings.Library), filepath.Join(t.TempDir(), "library.db"))
}
