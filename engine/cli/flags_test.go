package cli

import (
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/vidsift/vidsift/engine/config"
	"github.com/vidsift/vidsift/engine/settings"
)

// TestConfigFlags: each setting's flag is declared from its row, and a
// flag the user sets reaches its key, typed as the key's default; a flag
// left alone does not hide the environment or config file.
func TestConfigFlags(t *testing.T) {
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	seen := map[string]bool{}
	for _, row := range settings.Table {
		if row.Flag == "" {
			continue
		}
		if seen[row.Flag] {
			t.Errorf("--%s twice", row.Flag)
		}
		seen[row.Flag] = true
		addConfigFlags(fs, row.Flag)
		if got := fs.Lookup(row.Flag).Annotations[keyAnnotation]; len(got) != 1 || got[0] != row.Key {
			t.Errorf("--%s sets %v, want %s", row.Flag, got, row.Key)
		}
	}
	if err := fs.Parse([]string{"--max-gap", "1.5", "--cuts=false", "--conf", "0.4", "--classes", "dog,cat", "--workers", "3", "--library", "off"}); err != nil {
		t.Fatal(err)
	}
	v := viper.New()
	v.Set(settings.IoU, 0.5) // as the config file would
	bindFlags(v, fs)
	if d, err := config.Duration(v.Get(settings.MaxGap)); err != nil || d != 1500*time.Millisecond {
		t.Errorf("--max-gap 1.5: %v %v", v.Get(settings.MaxGap), err)
	}
	if v.GetBool(settings.Cuts) || v.GetFloat64(settings.Confidence) != 0.4 || v.GetInt(settings.Workers) != 3 ||
		v.GetString(settings.Library) != "off" || len(v.GetStringSlice(settings.Classes)) != 2 {
		t.Errorf("set flags: cuts %v conf %v workers %v library %q classes %v", v.Get(settings.Cuts), v.Get(settings.Confidence),
			v.Get(settings.Workers), v.Get(settings.Library), v.Get(settings.Classes))
	}
	if v.GetFloat64(settings.IoU) != 0.5 {
		t.Errorf("--iou left alone overrode the config file: %v", v.Get(settings.IoU))
	}
}

// TestSwitchFlags: a switch alone turns it on, =false or =0 off, and a
// value that is neither is refused naming the flag and the values it
// takes, not strconv's internals.
func TestSwitchFlags(t *testing.T) {
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	addConfigFlags(fs, "cuts", "rect", "reuse-similar")
	if err := fs.Parse([]string{"--cuts", "--rect=0", "--reuse-similar=False"}); err != nil {
		t.Fatal(err)
	}
	v := viper.New()
	bindFlags(v, fs)
	if !v.GetBool(settings.Cuts) || v.GetBool(settings.Rect) || v.GetBool(settings.ReuseSimilar) {
		t.Errorf("--cuts --rect=0 --reuse-similar=False: cuts %v rect %v reuse_similar %v", v.Get(settings.Cuts), v.Get(settings.Rect), v.Get(settings.ReuseSimilar))
	}
	isolated(t)
	for _, cmd := range []string{"scan", "watch"} {
		code, _, stderr := vidsift(t, cmd, "--cuts=maybe", t.TempDir())
		if code != ExitUsage || !strings.Contains(stderr, `"maybe" for "--cuts"`) || !strings.Contains(stderr, "true or false") ||
			strings.Contains(stderr, "strconv") || strings.Contains(stderr, "ParseBool") {
			t.Errorf("%s --cuts=maybe: exit %d\n%s", cmd, code, stderr)
		}
	}
	if _, _, stderr := vidsift(t, "scan", "--help"); !strings.Contains(stderr, "--cuts ") || strings.Contains(stderr, "--cuts bool") {
		t.Errorf("scan --help does not list --cuts as a switch:\n%s", stderr)
	}
}
