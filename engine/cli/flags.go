package cli

import (
	"time"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/vidsift/vidsift/engine/config"
	"github.com/vidsift/vidsift/engine/scan"
)

// Flag groups that several commands share, each declared once.

// modelFlags choose the detector: the model and the ONNX Runtime library.
type modelFlags struct{ Model, RuntimeLibrary string }

func (o *modelFlags) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Model, "model", "", "YOLO ONNX model file (default: the one setup installed)")
	fs.StringVar(&o.RuntimeLibrary, "onnxruntime-library", "", "path of libonnxruntime.so.1 (default: the one setup installed)")
}

// libraryFlags choose the results library.
type libraryFlags struct{ ResultsDB string }

func (o *libraryFlags) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.ResultsDB, "library", "", `results library (default: the data folder's library.db; "off": none)`)
}

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

// outputFlags name the files a command writes.
type outputFlags struct{ JSON, CSV string }

func (o *outputFlags) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.JSON, "json", "", "write the results as JSON to FILE")
	fs.StringVar(&o.CSV, "csv", "", "write one row per detection as CSV to FILE")
}

// samplingFlags choose the frames analysed (scan.Sampling says what
// each does); the durations take a bare number of seconds too.
type samplingFlags struct{}

func (samplingFlags) AddFlags(fs *pflag.FlagSet) {
	fs.Var(&durationValue{scan.DefaultMaxGap}, "max-gap", "longest stretch of video without an analysed frame, e.g. 2, 0.5 or 1500ms (0: keyframes only)")
	fs.Var(&durationValue{scan.DefaultMinGap}, "min-gap", "skip a keyframe this close to the previous analysed one (0: every keyframe)")
	fs.Bool("cuts", scan.DefaultCuts, "analyse the first frame of each shot that starts between keyframes (only with --max-gap above 0; =false: keyframes and gap frames only)")
	fs.Bool("reuse-similar", scan.DefaultReuseSimilar, "a frame that looks the same as the last inferred one repeats its detections (=false: infer every frame)")
	fs.Bool("rect", scan.DefaultRect, "a model of dynamic input size runs each frame on its own rectangle, not the full square (=false: square)")
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

// flagKeys maps flags to the config keys they set.
var flagKeys = map[string]string{
	"conf": config.Confidence, "iou": config.IoU, "classes": config.Classes,
	"workers": config.Workers, "threads": config.Threads, "model": config.Model,
	"onnxruntime-library": config.RuntimeLibrary, "decoder-threads": config.DecoderThreads,
	"intra-op-threads": config.IntraOpThreads, "library": config.Library,
	"decoder-thread-type": config.DecoderThreadType, "file-timeout": config.FileTimeout,
	"max-gap": config.MaxGap, "min-gap": config.MinGap, "cuts": config.Cuts, "reuse-similar": config.ReuseSimilar, "rect": config.Rect,
	"nats": config.Nats, "token": config.NatsToken, "user": config.NatsUser, "password": config.NatsPassword,
	"tls-cert": config.NatsTLSCert, "tls-key": config.NatsTLSKey, "tls-ca": config.NatsTLSCA,
}

// bindFlags makes the flags the user set override VIDSIFT_* and the
// config file, key by key; flags left alone leave those in charge.
func bindFlags(v *viper.Viper, fs *pflag.FlagSet) {
	fs.Visit(func(f *pflag.Flag) {
		if key, ok := flagKeys[f.Name]; ok {
			_ = v.BindPFlag(key, f) // only fails for a nil flag
		}
	})
}
