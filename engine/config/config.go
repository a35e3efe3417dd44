// Package config holds the settings shared by the CLI and the app: viper keys,
// defaults, and where the model and the ONNX Runtime library are found.
//
// Precedence: flags > environment (VIDSIFT_*) > config file
// ($XDG_CONFIG_HOME/vidsift/config.yaml) > defaults. Nothing here writes the
// config file: it holds what the user edits by hand.
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
)

// Keys shared by every front end.
const (
	Confidence        = "confidence"
	IoU               = "iou"
	Classes           = "classes"
	Workers           = "workers"
	Threads           = "threads"
	Model             = "model"
	RuntimeLibrary    = "onnxruntime_library"
	DecoderThreads    = "decoder_threads"
	DecoderThreadType = "decoder_thread_type" // frame, slice or "" (both)
	IntraOpThreads    = "intra_op_threads"
	FileTimeout       = "file_timeout"
	MaxGap            = "max_gap"       // longest stretch without an analysed frame; 0: keyframes only
	MinGap            = "min_gap"       // shortest distance between analysed keyframes; 0: every keyframe
	Cuts              = "cuts"          // the first frame of a shot between keyframes is analysed (with max_gap > 0)
	ReuseSimilar      = "reuse_similar" // near-duplicate frames repeat the detections of the last inferred one
	Rect              = "rect"          // dynamic models run each frame on its own stride-multiple rectangle
	Library           = "library"       // the results library; "off" scans without one
	// A cluster (NATS JetStream) to scan on instead of this computer, and
	// how to reach it. The hub takes the same credentials.
	Nats         = "nats" // URL; "" scans here
	NatsToken    = "nats_token"
	NatsUser     = "nats_user"
	NatsPassword = "nats_password"
	NatsTLSCert  = "nats_tls_cert"
	NatsTLSKey   = "nats_tls_key"
	NatsTLSCA    = "nats_tls_ca"
)

// Library file name of ONNX Runtime 1.24.1 as shipped in onnxruntime-node.
const RuntimeLibraryName = "libonnxruntime.so.1"

// DefaultModelNames are the model files looked for, in order of preference.
// The int8 model comes first: it holds every ground-truth expectation and
// runs faster end to end than float32 (the README has the dated figures);
// of each, the dynamic-shape export first, which runs each frame on its
// own rectangle (Params.Rect); plain Ultralytics exports are the fallback.
var DefaultModelNames = []string{"yolov8n_int8_dynamic.onnx", "yolov8n_int8.onnx", "yolov8n_dynamic.onnx", "yolov8n.onnx"}

// EnvPrefix starts the environment variable of every key: VIDSIFT_CONFIDENCE.
const EnvPrefix = "VIDSIFT"

// defaults holds every key with its default value; the scan settings'
// are scan.DefaultSettings.
func defaults() map[string]any {
	d := scan.DefaultSettings()
	return map[string]any{
		Confidence:        scan.DefaultConfidence,
		IoU:               scan.DefaultIoU,
		Classes:           d.Classes,
		Workers:           d.Workers,
		Threads:           d.Threads,
		Model:             "",
		RuntimeLibrary:    "",
		DecoderThreads:    d.DecoderThreads,
		DecoderThreadType: d.DecoderThreadType,
		IntraOpThreads:    d.IntraOpThreads,
		FileTimeout:       d.FileTimeout,
		MaxGap:            scan.DefaultMaxGap,
		MinGap:            scan.DefaultMinGap,
		Cuts:              d.Sampling.Cuts,
		ReuseSimilar:      d.ReuseSimilar,
		Rect:              d.Rect,
		Library:           "",
		Nats:              "",
		NatsToken:         "",
		NatsUser:          "",
		NatsPassword:      "",
		NatsTLSCert:       "",
		NatsTLSKey:        "",
		NatsTLSCA:         "",
	}
}

// Default is key's default value (nil for an unknown key): a float64,
// int, bool, string, []string or time.Duration.
func Default(key string) any { return defaults()[key] }

// Keys lists every key, sorted.
func Keys() []string {
	keys := make([]string, 0, len(defaults()))
	for k := range defaults() {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// EnvVar is the environment variable that sets key.
func EnvVar(key string) string { return EnvPrefix + "_" + strings.ToUpper(key) }

// New returns a viper instance with defaults, VIDSIFT_* environment
// variables and the user's config file (if any) loaded.
func New() (*viper.Viper, error) {
	v := viper.New()
	for k, d := range defaults() {
		v.SetDefault(k, d)
	}
	v.SetEnvPrefix(EnvPrefix)
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
	switch p := v.GetString(Library); p {
	case "off", "none", "false":
		return ""
	case "":
		return filepath.Join(DataDir(), "library.db")
	default:
		return p
	}
}

// Load reads and validates the scan settings from v (their Params.Model
// is left for the model to fill in).
func Load(v *viper.Viper) (scan.Settings, error) {
	s := scan.Settings{
		Classes:           splitList(v.GetStringSlice(Classes)),
		Workers:           v.GetInt(Workers),
		Threads:           v.GetInt(Threads),
		DecoderThreads:    v.GetInt(DecoderThreads),
		DecoderThreadType: v.GetString(DecoderThreadType),
		IntraOpThreads:    v.GetInt(IntraOpThreads),
	}
	s.Confidence = float32(v.GetFloat64(Confidence))
	s.IoU = float32(v.GetFloat64(IoU))
	var maxGap, minGap time.Duration
	var cuts bool
	var errs []error
	// viper's GetBool reads "yes" or a typo as false: a switch that is not
	// true or false is an error instead.
	for key, b := range map[string]*bool{ReuseSimilar: &s.ReuseSimilar, Rect: &s.Rect, Cuts: &cuts} {
		var err error
		if *b, err = Bool(v.Get(key)); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", key, err))
		}
	}
	for key, d := range map[string]*time.Duration{FileTimeout: &s.FileTimeout, MaxGap: &maxGap, MinGap: &minGap} {
		var err error
		if *d, err = Duration(v.Get(key)); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", key, err))
		}
	}
	if s.Confidence <= 0 || s.Confidence >= 1 {
		errs = append(errs, fmt.Errorf("%s must be between 0 and 1, got %v", Confidence, v.Get(Confidence)))
	}
	if s.IoU <= 0 || s.IoU > 1 {
		errs = append(errs, fmt.Errorf("%s must be in (0, 1], got %v", IoU, v.Get(IoU)))
	}
	if s.Workers < 1 || s.Workers > 256 {
		errs = append(errs, fmt.Errorf("%s must be 1..256, got %v", Workers, v.Get(Workers)))
	}
	threadsOK := s.Threads >= 1 && s.Threads <= 256
	if !threadsOK {
		errs = append(errs, fmt.Errorf("%s must be 1..256, got %v", Threads, v.Get(Threads)))
	}
	if s.DecoderThreads < 0 || s.DecoderThreads > 64 {
		errs = append(errs, fmt.Errorf("%s must be 0..64, got %v", DecoderThreads, v.Get(DecoderThreads)))
	}
	if t := s.DecoderThreadType; t != "" && t != "frame" && t != "slice" {
		errs = append(errs, fmt.Errorf("%s must be frame, slice or empty (both), got %q", DecoderThreadType, t))
	}
	// Held against threads only when threads is valid: a bad threads is
	// one error, not two.
	if s.IntraOpThreads < 1 || threadsOK && s.IntraOpThreads > s.Threads {
		errs = append(errs, fmt.Errorf("%s must be 1..%s (%d), got %v", IntraOpThreads, Threads, s.Threads, v.Get(IntraOpThreads)))
	}
	if s.FileTimeout < 0 {
		errs = append(errs, fmt.Errorf("%s must not be negative", FileTimeout))
	}
	if maxGap < 0 || maxGap > time.Hour {
		errs = append(errs, fmt.Errorf("%s must be 0 (keyframes only) up to 1h, got %v", MaxGap, maxGap))
	}
	if minGap < 0 || minGap > time.Hour {
		errs = append(errs, fmt.Errorf("%s must be 0 (every keyframe) up to 1h, got %v", MinGap, minGap))
	}
	// Keyframes only decodes no packet between keyframes: no cut frames
	// either, and the results say so.
	s.Sampling = scan.Sampling{MaxGap: maxGap.Seconds(), MinGap: minGap.Seconds(), Cuts: cuts && maxGap > 0}
	return s, errors.Join(errs...)
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
	if p := v.GetString(Model); p != "" {
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

// FindRuntimeLibrary returns the ONNX Runtime library to load: the configured one,
// else DataDir's, else one beside the executable, else the bare name for the
// system loader to resolve.
func FindRuntimeLibrary(v *viper.Viper) string {
	if p := v.GetString(RuntimeLibrary); p != "" {
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
