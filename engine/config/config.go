// Package config holds the settings (settings.Table) in viper, for the CLI
// and the app, and says where the model and the ONNX Runtime library are
// found.
//
// Precedence: flags (the CLI) or the window's choices (the app) >
// environment (VIDSIFT_*) > config file ($XDG_CONFIG_HOME/vidsift/config.yaml)
// > defaults. Nothing here writes the config file: it holds what the user
// edits by hand.
package config

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/viper"
	"github.com/vidsift/vidsift/engine/scan"
	"github.com/vidsift/vidsift/engine/settings"
)

// Library file name of ONNX Runtime 1.24.1 as shipped in onnxruntime-node.
const RuntimeLibraryName = "libonnxruntime.so.1"

// DefaultModelNames are the model files looked for, in order of preference.
// The int8 model comes first: it holds every ground-truth expectation and
// runs faster end to end than float32 (docs/benchmarks.md has the dated figures);
// of each, the dynamic-shape export first, which runs each frame on its
// own rectangle (Params.Rect); plain Ultralytics exports are the fallback.
var DefaultModelNames = []string{"yolov8n_int8_dynamic.onnx", "yolov8n_int8.onnx", "yolov8n_dynamic.onnx", "yolov8n.onnx"}

// Default is key's default value (nil for an unknown key): a float64,
// int, bool, string, []string or time.Duration.
func Default(key string) any {
	if row := settings.ByKey(key); row != nil {
		return row.Default
	}
	return nil
}

// Keys lists every key, sorted.
func Keys() []string {
	keys := make([]string, 0, len(settings.Table))
	for _, row := range settings.Table {
		keys = append(keys, row.Key)
	}
	sort.Strings(keys)
	return keys
}

// Defaults returns a viper instance that holds the defaults only.
func Defaults() *viper.Viper {
	v := viper.New()
	for _, row := range settings.Table {
		v.SetDefault(row.Key, row.Default)
	}
	return v
}

// New returns a viper instance with defaults, VIDSIFT_* environment
// variables and the user's config file (if any) loaded.
func New() (*viper.Viper, error) {
	v := Defaults()
	v.SetEnvPrefix(settings.EnvPrefix)
	v.AutomaticEnv()

	if path := ConfigFile(); path != "" {
		if _, err := os.Stat(path); err == nil {
			v.SetConfigFile(path)
			if err := v.ReadInConfig(); err != nil {
				return nil, fmt.Errorf("config file %s: %w", path, err)
			}
		}
	}
	return v, nil
}

// ConfigFile is $XDG_CONFIG_HOME/vidsift/config.yaml.
func ConfigFile() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "vidsift", "config.yaml")
}

// DataDir is $XDG_DATA_HOME/vidsift (default ~/.local/share/vidsift), where
// setup installs the ONNX Runtime library and the default model.
func DataDir() string {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "vidsift")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return filepath.Join(home, ".local", "share", "vidsift")
}

// LibraryFile is where the results library lives: the configured path,
// else DataDir/library.db; "" when the user turned it off ("off").
func LibraryFile(v *viper.Viper) string {
	switch p := v.GetString(settings.Library); p {
	case "off", "none", "false":
		return ""
	case "":
		return filepath.Join(DataDir(), "library.db")
	default:
		return p
	}
}

// Load reads and validates the scan settings from v (their Params.Model
// is left for the model to fill in): every row of settings.Table with a
// field, read as its default's type, then each row's range check.
func Load(v *viper.Viper) (scan.Settings, error) {
	var s scan.Settings
	var errs []error
	unread := map[string]bool{}
	for _, row := range settings.Table {
		if row.Field == nil {
			continue
		}
		if err := read(v, row, &s); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", row.Key, err))
			unread[row.Key] = true
		}
	}
	for _, row := range settings.Table {
		if row.Check != nil && !unread[row.Key] {
			if err := row.Check(s, v.Get(row.Key)); err != nil {
				errs = append(errs, err)
			}
		}
	}
	// Keyframes only decodes no packet between keyframes: no cut frames
	// either, and the results say so.
	s.Sampling.Cuts = s.Sampling.Cuts && s.Sampling.MaxGap > 0
	return s, errors.Join(errs...)
}

// read sets row's field in s from v, parsed as the row's default's type.
// A switch must say true or false (viper's GetBool reads "yes" or a typo
// as false), and a duration takes a bare number of seconds too.
func read(v *viper.Viper, row settings.Setting, s *scan.Settings) error {
	field := row.Field(s)
	switch row.Default.(type) {
	case float64:
		switch p := field.(type) {
		case *float32:
			*p = float32(v.GetFloat64(row.Key))
		case *float64:
			*p = v.GetFloat64(row.Key)
		}
	case int:
		*field.(*int) = v.GetInt(row.Key)
	case string:
		*field.(*string) = v.GetString(row.Key)
	case []string:
		*field.(*[]string) = splitList(v.GetStringSlice(row.Key))
	case bool:
		b, err := Bool(v.Get(row.Key))
		if err != nil {
			return err
		}
		*field.(*bool) = b
	case time.Duration:
		d, err := Duration(v.Get(row.Key))
		if err != nil {
			return err
		}
		switch p := field.(type) {
		case *time.Duration:
			*p = d
		case *float64: // seconds
			*p = d.Seconds()
		}
	}
	return nil
}

// Bool reads a switch: a bool, 0 or 1, or text as strconv.ParseBool takes
// it (true, false, 1, 0, t, f, in any case).
func Bool(raw any) (bool, error) {
	switch x := raw.(type) {
	case bool:
		return x, nil
	case int:
		if x == 0 || x == 1 {
			return x == 1, nil
		}
	case string:
		if b, err := strconv.ParseBool(strings.TrimSpace(x)); err == nil {
			return b, nil
		}
	}
	return false, fmt.Errorf("%v is neither true nor false", raw)
}

// Duration reads a duration setting: a Go duration ("2s", "500ms") or a
// bare number of seconds ("1", "0.5", or a number in YAML).
func Duration(raw any) (time.Duration, error) {
	switch x := raw.(type) {
	case nil:
		return 0, nil
	case time.Duration:
		return x, nil
	case int:
		return time.Duration(x) * time.Second, nil
	case int64:
		return time.Duration(x) * time.Second, nil
	case float64:
		return seconds(x)
	case string:
		x = strings.TrimSpace(x)
		if f, err := strconv.ParseFloat(x, 64); err == nil {
			return seconds(f)
		}
		d, err := time.ParseDuration(x)
		if err != nil {
			return 0, fmt.Errorf("%q is neither seconds (1.5) nor a duration (1500ms)", x)
		}
		return d, nil
	default:
		return 0, fmt.Errorf("%v is neither seconds (1.5) nor a duration (1500ms)", raw)
	}
}

func seconds(f float64) (time.Duration, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1e9 {
		return 0, fmt.Errorf("%v seconds is out of range", f)
	}
	return time.Duration(f * float64(time.Second)), nil
}

// splitList accepts "a,b" as well as YAML lists, and drops blanks.
func splitList(in []string) []string {
	var out []string
	for _, s := range in {
		for _, p := range strings.Split(s, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// ErrNoModel says no model file was found anywhere vidsift looks.
var ErrNoModel = errors.New("no model found")

// FindModel returns the model to use: the configured one, else one of
// DefaultModelNames in DataDir, else beside the executable, else in the
// checkout's models/ folder.
func FindModel(v *viper.Viper) (string, error) {
	if p := v.GetString(settings.Model); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("model %s: %w", p, err)
		}
		return filepath.Abs(p)
	}
	var tried []string
	for _, dir := range searchDirs("models") {
		for _, name := range DefaultModelNames {
			p := filepath.Join(dir, name)
			tried = append(tried, p)
			if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
				return filepath.Abs(p)
			}
		}
	}
	return "", fmt.Errorf("%w (looked in %s)", ErrNoModel, strings.Join(tried, ", "))
}

// TextModelFiles are the files a text models folder holds: ocr's
// DetectorFile, RecogniserFile and DictionaryFile (named here because
// engine/ocr's tests import this package through internal/testenv).
var TextModelFiles = []string{"ch_PP-OCRv4_det_infer.onnx", "ch_PP-OCRv4_rec_infer.onnx", "ppocr_keys_v1.txt"}

// ErrNoTextModels says no folder with every text model file was found.
var ErrNoTextModels = errors.New("no text models found")

// FindTextModels returns the folder of the text models: the configured
// one (which must hold every TextModelFiles file), else the first "ocr"
// folder beside a place FindModel looks (DataDir's first, where setup
// installs them) that holds them all.
func FindTextModels(v *viper.Viper) (string, error) {
	if dir := v.GetString(settings.TextModels); dir != "" {
		if lacking := lackingTextModels(dir); len(lacking) > 0 {
			return "", fmt.Errorf("text models folder %s lacks %s", dir, strings.Join(lacking, ", "))
		}
		return filepath.Abs(dir)
	}
	var tried []string
	for _, dir := range searchDirs("models") {
		dir = filepath.Join(dir, "ocr")
		tried = append(tried, dir)
		if len(lackingTextModels(dir)) == 0 {
			return filepath.Abs(dir)
		}
	}
	return "", fmt.Errorf("%w (looked for %s in %s)", ErrNoTextModels, strings.Join(TextModelFiles, ", "), strings.Join(tried, ", "))
}

// lackingTextModels lists the TextModelFiles that are not regular files in dir.
func lackingTextModels(dir string) []string {
	var lacking []string
	for _, name := range TextModelFiles {
		if st, err := os.Stat(filepath.Join(dir, name)); err != nil || !st.Mode().IsRegular() {
			lacking = append(lacking, name)
		}
	}
	return lacking
}

// FindRuntimeLibrary returns the ONNX Runtime library to load: the configured one,
// else DataDir's, else one beside the executable, else the bare name for the
// system loader to resolve.
func FindRuntimeLibrary(v *viper.Viper) string {
	if p := v.GetString(settings.RuntimeLibrary); p != "" {
		return p
	}
	for _, dir := range searchDirs("") {
		p := filepath.Join(dir, RuntimeLibraryName)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p
		}
	}
	return RuntimeLibraryName
}

// searchDirs lists the data folder, the executable's folder, and (when sub
// is set) sub-folders of the executable's folder and of the working directory.
func searchDirs(sub string) []string {
	dirs := []string{DataDir()}
	if exe, err := os.Executable(); err == nil {
		exeDir := filepath.Dir(exe)
		dirs = append(dirs, exeDir)
		if sub != "" {
			dirs = append(dirs, filepath.Join(exeDir, sub))
		}
	}
	if sub != "" {
		if wd, err := os.Getwd(); err == nil {
			dirs = append(dirs, filepath.Join(wd, sub))
		}
	}
	return dirs
}
