// Package settings declares every setting once, as a row of Table: its
// config key (config.yaml, and VIDSIFT_KEY in the environment), its flag,
// default and help, its name in exports, whether it changes what a scan
// finds (then it is part of scan.Params and of the library's key), and
// how the app shows it. Config defaults and parsing (engine/config), the
// CLI's flags, the app's saved state and Settings panel, the exports'
// settings block and docs/settings.md all come from the table.
//
// A new setting is a row here, a field in scan.Settings (scan.Params and
// its key, when it changes results) and its use.
package settings

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/vidsift/vidsift/engine/scan"
)

// Setting is one row of Table.
type Setting struct {
	Key  string // config key; the environment variable is EnvVar(Key)
	Flag string // the CLI flag, without dashes ("": none)
	// Default is a float64, int, bool, string, []string or time.Duration:
	// its type is the setting's type (a time.Duration setting also takes a
	// bare number of seconds).
	Default any
	Help    string // the flag's help, and the docs' meaning
	// See links the docs' page (relative to docs/) that says more ("": none).
	See string
	// DefaultText words the default in the docs when its value depends on
	// the machine or is found at run time ("" : the value itself).
	DefaultText string
	// JSON names the setting in an export's settings block ("": absent).
	JSON string
	// Result: the setting changes what a scan finds. It is a field of
	// scan.Params (and of its key, so the library reuses a result only for
	// the same value), cluster jobs carry it, and an export whose files
	// were made with different values names it in "mixed".
	Result bool
	// App says how the desktop app shows the setting.
	App Show
	// Field points at the setting's field in s (nil: not a scan setting;
	// the front ends read it by key). A time.Duration setting may point at
	// a float64 of seconds, as scan.Sampling's gaps are.
	Field func(s *scan.Settings) any
	// Check refuses a value out of range; raw is the value as given, for
	// the message. Settings holds every field already read.
	Check func(s scan.Settings, raw any) error
}

// Show is how the app shows a setting.
type Show struct {
	Kind  ShowKind
	Label string // a Check's text
}

// ShowKind is one way the app shows a setting.
type ShowKind int

const (
	// Hidden: not in the app's window; config.yaml and VIDSIFT_* set it.
	Hidden ShowKind = iota
	// Check: a check box with Label, drawn from this table in the
	// Settings panel, remembered between starts.
	Check
	// Custom: a control of its own in the Settings panel (a slider, the
	// class list, the sampling presets...), remembered between starts.
	Custom
)

// EnvPrefix starts the environment variable of every key: VIDSIFT_CONFIDENCE.
const EnvPrefix = "VIDSIFT"

// EnvVar is the environment variable that sets key.
func EnvVar(key string) string { return EnvPrefix + "_" + strings.ToUpper(key) }

// ByKey is the row of key (nil: none).
func ByKey(key string) *Setting {
	i := slices.IndexFunc(Table, func(s Setting) bool { return s.Key == key })
	if i < 0 {
		return nil
	}
	return &Table[i]
}

// ByFlag is the row of the flag named name (nil: none).
func ByFlag(name string) *Setting {
	i := slices.IndexFunc(Table, func(s Setting) bool { return s.Flag == name })
	if i < 0 {
		return nil
	}
	return &Table[i]
}

// Value is the setting's value in s as an export writes it: thresholds
// to 4 decimals (the engine holds them as float32, and 0.7 would print as
// 0.699999988), seconds to the millisecond, lists sorted and never null.
// It is nil for a row without Field.
func (row Setting) Value(s scan.Settings) any {
	if row.Field == nil {
		return nil
	}
	switch p := row.Field(&s).(type) {
	case *float32:
		return round(float64(*p), 4)
	case *float64:
		return round(*p, 3)
	case *bool:
		return *p
	case *int:
		return *p
	case *string:
		return *p
	case *time.Duration:
		return round(p.Seconds(), 3)
	case *[]string:
		out := append([]string{}, *p...)
		slices.Sort(out)
		return out
	default:
		panic(fmt.Sprintf("settings: %s points at a %T", row.Key, p))
	}
}

func round(x float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(x*p) / p
}
