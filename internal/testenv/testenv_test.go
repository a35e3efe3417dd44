package testenv

import (
	"os"
	"testing"

	"github.com/vidsift/vidsift/engine/config"
	"github.com/vidsift/vidsift/engine/settings"
)

func TestIsolate(t *testing.T) {
	for _, key := range config.Keys() {
		t.Setenv(settings.EnvVar(key), "from the user")
	}
	t.Setenv("XDG_DATA_HOME", "/home/user/.local/share")
	t.Run("isolated", func(t *testing.T) {
		Isolate(t)
		for _, key := range config.Keys() {
			if v, set := os.LookupEnv(settings.EnvVar(key)); set {
				t.Errorf("%s is still set (%q)", settings.EnvVar(key), v)
			}
		}
		for _, env := range XDGFolders {
			if entries, err := os.ReadDir(os.Getenv(env)); err != nil || len(entries) != 0 {
				t.Errorf("%s=%s is not an empty folder (%v)", env, os.Getenv(env), err)
			}
		}
	})
	if os.Getenv("XDG_DATA_HOME") != "/home/user/.local/share" || os.Getenv(settings.EnvVar(settings.Model)) != "from the user" {
		t.Error("the environment was not restored after the test")
	}
}
