package cli

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/vidsift/vidsift/engine/config"
	"github.com/vidsift/vidsift/engine/export"
)

// Settings reach commands one way: a flag that sets a config key is a row
// of configFlags, declared by addConfigFlags with the key's default and
// bound to the key by bindFlags; the command reads the setting from viper,
// where the environment and the config file set it too.

// configFlag is a flag that sets a config key.
type configFlag struct{ name, key, help string }

var configFlags = []configFlag{
	{"conf", config.Confidence, "drop detections below this confidence, 0..1"},
	{"iou", config.IoU, "IoU above which NMS drops the weaker box of a class"},
	{"classes", config.Classes, "only these classes, e.g. person,dog (default: all)"},
	{"workers", config.Workers, "files decoded at once"},
	{"threads", config.Threads, "total inference threads"},
	{"model", config.Model, "YOLO ONNX model file (default: the one setup installed)"},
	{"onnxruntime-library", config.RuntimeLibrary, "path of libonnxruntime.so.1 (default: the one setup installed)"},
	{"intra-op-threads", config.IntraOpThreads, "ONNX Runtime threads per inference; threads/intra-op-threads run at once"},
	{"decoder-threads", config.DecoderThreads, "FFmpeg threads per file (0: FFmpeg decides)"},
	{"decoder-thread-type", config.DecoderThreadType, "FFmpeg threading: frame, slice, or empty for both"},
	{"file-timeout", config.FileTimeout, "give up on one file after this long"},
	{"max-gap", config.MaxGap, "longest stretch of video without an analysed frame, e.g. 2, 0.5 or 1500ms (0: keyframes only)"},
	{"min-gap", config.MinGap, "skip a keyframe this close to the previous analysed one (0: every keyframe)"},
	{"cuts", config.Cuts, "analyse the first frame of each shot that starts between keyframes (only with --max-gap above 0; =false: keyframes and gap frames only)"},
	{"reuse-similar", config.ReuseSimilar, "a frame that looks the same as the last inferred one repeats its detections (=false: infer every frame)"},
	{"rect", config.Rect, "a model of dynamic input size runs each frame on its own rectangle, not the full square (=false: square)"},
	{"nats", config.Nats, "URL of the cluster's hub, e.g. nats://hub.local:4222 (VIDSIFT_NATS)"},
	{"library", config.Library, `results library (default: the data folder's library.db; "off": none)`},
	{"token", config.NatsToken, "cluster token (VIDSIFT_NATS_TOKEN)"},
	{"user", config.NatsUser, "cluster user, with --password (VIDSIFT_NATS_USER)"},
	{"password", config.NatsPassword, "cluster password (VIDSIFT_NATS_PASSWORD)"},
	{"tls-cert", config.NatsTLSCert, "TLS certificate file (PEM)"},
	{"tls-key", config.NatsTLSKey, "TLS key file (PEM) of --tls-cert"},
	{"tls-ca", config.NatsTLSCA, "CA file (PEM) to trust, and for a hub to check client certificates against"},
}

// keyAnnotation marks a flag declared from configFlags with its key.
const keyAnnotation = "vidsift-config-key"

// addConfigFlags declares the named rows of configFlags, each typed and
// defaulted by its key's default.
func addConfigFlags(fs *pflag.FlagSet, names ...string) {
	for _, name := range names {
		addConfigFlag(fs, name, "")
	}
}

// addConfigFlag declares one row; help, when given, words the flag for this
// command instead of the row's text.
func addConfigFlag(fs *pflag.FlagSet, name, help string) {
	i := slices.IndexFunc(configFlags, func(f configFlag) bool { return f.name == name })
	if i < 0 {
		panic("cli: no config flag " + name) // a programming error, caught by any test of the command
	}
	row := configFlags[i]
	if help == "" {
		help = row.help
	}
	switch d := config.Default(row.key).(type) {
	case float64:
		fs.Float64(name, d, help)
	case int:
		fs.Int(name, d, help)
	case bool:
		fs.Var(&switchValue{d}, name, help)
		fs.Lookup(name).NoOptDefVal = "true" // --cuts alone turns it on
	case string:
		fs.String(name, d, help)
	case []string:
		fs.StringSlice(name, d, help)
	case time.Duration:
		fs.Var(&durationValue{d}, name, help)
	default:
		panic(fmt.Sprintf("cli: config key %s has a default of type %T", row.key, d))
	}
	_ = fs.SetAnnotation(name, keyAnnotation, []string{row.key}) // the flag was just declared
}

// modelFlags choose the detector: the model and the ONNX Runtime library.
type modelFlags struct{}

func (modelFlags) AddFlags(fs *pflag.FlagSet) { addConfigFlags(fs, "model", "onnxruntime-library") }

// libraryFlags choose the results library.
type libraryFlags struct{}

func (libraryFlags) AddFlags(fs *pflag.FlagSet) { addConfigFlags(fs, "library") }

// missingFlags say whether a command that reads the library lists the
// files `vidsift library missing` would list.
type missingFlags struct{ IncludeMissing bool }

func (o *missingFlags) AddFlags(fs *pflag.FlagSet) {
	fs.BoolVar(&o.IncludeMissing, "include-missing", false, "also the stored files that are gone, their content stored nowhere else (vidsift library missing)")
}

// selectionFlags narrow which detections count.
type selectionFlags struct {
	Classes    []string
	Confidence float64
}

func (o *selectionFlags) AddFlags(fs *pflag.FlagSet) {
	fs.StringSliceVar(&o.Classes, "classes", nil, "only these classes, e.g. person,dog (default: all)")
	fs.Float64Var(&o.Confidence, "conf", 0, "only detections at least this confident, 0..1 (scan default: 0.25)")
}

// outputFlags name the files a command writes; stdoutName writes to
// standard output instead.
type outputFlags struct{ JSON, CSV string }

// stdoutName, as an output's file, is standard output.
const stdoutName = "-"

func (o *outputFlags) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.JSON, "json", "", "write the results as JSON to FILE (-: standard output)")
	fs.StringVar(&o.CSV, "csv", "", "write one row per detection as CSV to FILE (-: standard output)")
}

// check refuses, before any work, outputs that cannot be written: both
// to standard output, or a file that is a folder or lies in none.
func (o outputFlags) check() error {
	if o.JSON == stdoutName && o.CSV == stdoutName {
		return usagef("--json - and --csv - cannot both write to standard output")
	}
	for _, out := range []struct{ flag, path string }{{"--json", o.JSON}, {"--csv", o.CSV}} {
		if out.path == "" || out.path == stdoutName {
			continue
		}
		if err := export.CheckTarget(out.path); err != nil {
			return usageError{fmt.Errorf("%s: %w", out.flag, err)}
		}
	}
	return nil
}

// samplingFlags choose the frames analysed (scan.Sampling says what
// each does); the durations take a bare number of seconds too.
type samplingFlags struct{}

func (samplingFlags) AddFlags(fs *pflag.FlagSet) {
	addConfigFlags(fs, "max-gap", "min-gap", "cuts", "reuse-similar", "rect")
}

// durationValue is a flag that takes a Go duration or a bare number of
// seconds. Its type is not "duration", so viper hands its text to
// config.Duration instead of reading "1" as one nanosecond.
type durationValue struct{ d time.Duration }

func (v *durationValue) String() string { return v.d.String() }
func (v *durationValue) Type() string   { return "seconds" }
func (v *durationValue) Set(s string) error {
	d, err := config.Duration(s)
	if err == nil {
		v.d = d
	}
	return err
}

// switchValue is a flag that turns a setting on or off, read as the
// config file's switches are (config.Bool), so a value that is neither
// names the values it takes instead of strconv's wording. Its type is
// "bool", so help and viper treat it as pflag's own.
type switchValue struct{ on bool }

func (v *switchValue) String() string   { return strconv.FormatBool(v.on) }
func (v *switchValue) Type() string     { return "bool" }
func (v *switchValue) IsBoolFlag() bool { return true }
func (v *switchValue) Set(s string) error {
	on, err := config.Bool(s)
	if err != nil {
		return errors.New("it takes true or false (or 1, 0, t, f)")
	}
	v.on = on
	return nil
}

// bindFlags makes the flags the user set override VIDSIFT_* and the
// config file, key by key; flags left alone leave those in charge.
func bindFlags(v *viper.Viper, fs *pflag.FlagSet) {
	fs.Visit(func(f *pflag.Flag) {
		if key := f.Annotations[keyAnnotation]; len(key) == 1 {
			_ = v.BindPFlag(key[0], f) // only fails for a nil flag
		}
	})
}
