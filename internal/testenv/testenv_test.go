package testenv

import (
	"os"
	"testing"

	"github.com/vidsift/vidsift/engine/config"
)

func TestIsolate(t *testing.T) {
	for _, key := range config.Keys() {
		t.Setenv(config.EnvVar(key), "from the user")
	}
	t.Setenv("XDG_DATA_HOME", "/home/user/.local/share")
	t.Run("isolated", func(t *testing.T) {
		Isolate(t)
		for _, key := range config.Keys() {
			if v, set := os.LookupEnv(config.EnvVar(key)); set {
				t.Errorf("%s is still set (%q)", config.EnvVar(key), v)
			}
		}
		for _, env := range XDGFolders {
			if entries, err := os.ReadDir(os.Getenv(env)); err != nil || len(entries) != 0 {
				t.Errorf("%s=%s is not an empty folder (%v)", env, os.Getenv(env), err)
			}
		}
	})
	if os.Getenv("XDG_DATA_HOME") != "/home/user/.local/share" || os.Getenv(config.EnvVar(config.Model)) != "from the user" {
		t.Error("the environment was not restored after the test")
	}
}
