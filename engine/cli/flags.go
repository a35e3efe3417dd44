package cli

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/vidsift/vidsift/engine/config"
	"github.com/vidsift/vidsift/engine/export"
	"github.com/vidsift/vidsift/engine/settings"
)

// Settings reach commands one way: a flag that sets a config key is
// declared from its row of settings.Table (addConfigFlags: the row's flag
// name, help and default) and bound to the key by bindFlags; the command
// reads the setting from viper, where the environment and the config file
// set it too.

// keyAnnotation marks a flag declared from settings.Table with its key.
const keyAnnotation = "vidsift-config-key"

// addConfigFlags declares the settings whose flags are named, each typed
// and defaulted by its default.
func addConfigFlags(fs *pflag.FlagSet, names ...string) {
	for _, name := range names {
		addConfigFlag(fs, name, "")
	}
}

// addConfigFlag declares one setting's flag; help, when given, words the
// flag for this command instead of the row's text.
func addConfigFlag(fs *pflag.FlagSet, name, help string) {
	row := settings.ByFlag(name)
	if row == nil {
		panic("cli: no setting has the flag --" + name) // a programming error, caught by any test of the command
	}
	if help == "" {
		help = row.Help
	}
	switch d := row.Default.(type) {
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
		panic(fmt.Sprintf("cli: setting %s has a default of type %T", row.Key, d))
	}
	_ = fs.SetAnnotation(name, keyAnnotation, []string{row.Key}) // the flag was just declared
}

// modelFlags choose the models: the detector, the ONNX Runtime library
// and the text models.
type modelFlags struct{}

func (modelFlags) AddFlags(fs *pflag.FlagSet) {
	addConfigFlags(fs, "model", "onnxruntime-library", "text-models")
}

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
// each does); the durations take a bare number of seconds too. They also
// declare every other setting that changes what a scan finds, so that a
// new one is a flag of scan and watch without a line here.
type samplingFlags struct{}

func (samplingFlags) AddFlags(fs *pflag.FlagSet) {
	addConfigFlags(fs, "max-gap", "min-gap", "cuts", "reuse-similar", "rect")
	for _, row := range settings.Table {
		if row.Result && row.Flag != "" && fs.Lookup(row.Flag) == nil {
			addConfigFlag(fs, row.Flag, "")
		}
	}
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
