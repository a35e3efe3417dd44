package session

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vidsift/vidsift/engine/config"
	"github.com/vidsift/vidsift/engine/settings"
	"github.com/vidsift/vidsift/internal/testenv"
)

func TestLoadModel(t *testing.T) {
	lib, model := testenv.Library(t), testenv.Model(t)
	testenv.Isolate(t)
	v, err := config.New()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := LoadModel(v, "", 1); !errors.Is(err, config.ErrNoModel) {
		t.Errorf("nothing installed: %v, want ErrNoModel", err)
	}
	t.Setenv(settings.EnvVar(settings.RuntimeLibrary), lib)
	t.Setenv(settings.EnvVar(settings.Model), model)
	if v, err = config.New(); err != nil {
		t.Fatal(err)
	}
	m, err := LoadModel(v, "", 1)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if m.Path != model || len(m.Names) != 80 {
		t.Errorf("loaded %s with %d classes", m.Path, len(m.Names))
	}
	version, from, err := RuntimeVersion(v)
	if err != nil || version != "1.24.1" || from != lib {
		t.Errorf("runtime %q from %s (%v), want 1.24.1 from %s", version, from, err, lib)
	}
	if _, err := LoadModel(v, filepath.Join(t.TempDir(), "missing.onnx"), 1); err == nil || !strings.Contains(err.Error(), "missing.onnx") {
		t.Errorf("a missing model: %v", err)
	}
}
