package settings_test

import (
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vidsift/vidsift/engine/scan"
	"github.com/vidsift/vidsift/engine/settings"
	"github.com/vidsift/vidsift/internal/testenv"
)

var update = flag.Bool("update", false, "rewrite docs/settings.md's table from the settings table")

// TestTable: keys, flags and JSON names are unique; each default is of a
// type the front ends read; a field has its default's type (a duration
// may be seconds); a setting that changes results has a field and a JSON
// name; a check box is a switch with a label.
func TestTable(t *testing.T) {
	keys, flags, names := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, row := range settings.Table {
		if keys[row.Key] || row.Flag != "" && flags[row.Flag] || row.JSON != "" && names[row.JSON] {
			t.Errorf("%s: key, flag or JSON name twice", row.Key)
		}
		keys[row.Key], flags[row.Flag], names[row.JSON] = true, true, true
		if row.Help == "" {
			t.Errorf("%s: no help", row.Key)
		}
		var field any
		if row.Field != nil {
			var s scan.Settings
			field = row.Field(&s)
		}
		switch row.Default.(type) {
		case float64:
			if _, ok := field.(*float64); !ok && field != nil {
				if _, ok := field.(*float32); !ok {
					t.Errorf("%s: a number in a %T", row.Key, field)
				}
			}
		case time.Duration:
			if _, ok := field.(*float64); !ok && field != nil {
				if _, ok := field.(*time.Duration); !ok {
					t.Errorf("%s: a duration in a %T", row.Key, field)
				}
			}
		case int, bool, string, []string:
			if field != nil && reflect.TypeOf(field).Elem() != reflect.TypeOf(row.Default) {
				t.Errorf("%s: a %T in a %T", row.Key, row.Default, field)
			}
		default:
			t.Errorf("%s: a default of type %T", row.Key, row.Default)
		}
		if row.Result && (row.Field == nil || row.JSON == "") {
			t.Errorf("%s changes results but has no field or no JSON name", row.Key)
		}
		if row.App.Kind == settings.Check {
			if _, ok := field.(*bool); !ok || row.App.Label == "" {
				t.Errorf("%s: a check box for a %T, label %q", row.Key, field, row.App.Label)
			}
		}
	}
}

// TestEveryParamHasARow: each field of scan.Params but the model is a
// setting that changes results, and each such setting is in the
// library's key: changing it makes another scan, and the key reads back.
func TestEveryParamHasARow(t *testing.T) {
	var s scan.Settings
	covered := map[uintptr]string{}
	for _, row := range settings.Table {
		if row.Result {
			covered[reflect.ValueOf(row.Field(&s)).Pointer()] = row.Key
		}
	}
	var walk func(v reflect.Value, name string)
	walk = func(v reflect.Value, name string) {
		if name == ".Text.Models" {
			return // filled in from the text models, as Model from the detector
		}
		if v.Kind() == reflect.Struct {
			for i := range v.NumField() {
				walk(v.Field(i), name+"."+v.Type().Field(i).Name)
			}
			return
		}
		if _, ok := covered[v.Addr().Pointer()]; !ok {
			t.Errorf("scan.Params%s has no row in the settings table", name)
		}
	}
	p := reflect.ValueOf(&s.Params).Elem()
	for i := range p.NumField() {
		if f := p.Type().Field(i); f.Name != "Model" {
			walk(p.Field(i), "."+f.Name)
		}
	}

	base := scan.DefaultSettings()
	for _, row := range settings.Table {
		if !row.Result {
			continue
		}
		changed := base
		switch f := row.Field(&changed).(type) {
		case *bool:
			*f = !*f
		case *float32:
			*f /= 2
		case *float64:
			*f += 1.5
		case *int:
			*f += 32
		default:
			t.Fatalf("%s: a %T changes results; teach this test to change it", row.Key, f)
		}
		if changed.Text != base.Text {
			// Text settings key the text results, and only them.
			if changed.Text.Key() == base.Text.Key() || !changed.Params.Equal(base.Params) {
				t.Errorf("%s changed: text key %s, objects equal %v; want another text key and the same objects",
					row.Key, changed.Text.Key(), changed.Params.Equal(base.Params))
			}
			if back, err := scan.ParseTextKey(changed.Text.Key()); err != nil || back.Key() != changed.Text.Key() {
				t.Errorf("%s: text key %s reads back as %+v (%v)", row.Key, changed.Text.Key(), back, err)
			}
			if v := row.Value(changed); reflect.DeepEqual(v, row.Value(base)) {
				t.Errorf("%s: exports the same value %v changed", row.Key, v)
			}
			continue
		}
		if changed.Params.Equal(base.Params) {
			t.Errorf("%s changed, but the library's key is the same: %s", row.Key, changed.Key())
		}
		var back scan.Params
		if err := back.ParseKey(changed.Key()); err != nil || !back.Equal(changed.Params) {
			t.Errorf("%s: key %s reads back as %+v (%v)", row.Key, changed.Key(), back, err)
		}
		if v := row.Value(changed); reflect.DeepEqual(v, row.Value(base)) {
			t.Errorf("%s: exports the same value %v changed", row.Key, v)
		}
	}
}

// TestDocsTable: docs/settings.md's table is settings.Markdown(); go test
// ./engine/settings -run TestDocsTable -update rewrites it.
func TestDocsTable(t *testing.T) {
	path := filepath.Join(testenv.RepoRoot(), "docs", "settings.md")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc, ok := settings.Replace(string(raw), settings.Markdown())
	if !ok {
		t.Fatalf("%s lacks the lines %q and %q around the table", path, settings.DocsBegin, settings.DocsEnd)
	}
	if doc == string(raw) {
		return
	}
	if *update {
		if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("%s's table is not the settings table's: go test ./engine/settings -run TestDocsTable -update", path)
}

func TestMarkdown(t *testing.T) {
	md := settings.Markdown()
	for _, want := range []string{"| `--conf` | `confidence` | `VIDSIFT_CONFIDENCE` | 0.25 |", "| `--file-timeout` | `file_timeout` | `VIDSIFT_FILE_TIMEOUT` | 10m |",
		"| `--max-gap` | `max_gap` | `VIDSIFT_MAX_GAP` | 2s |", "check box “Rectangular inference"} {
		if !strings.Contains(md, want) {
			t.Errorf("table lacks %q:\n%s", want, md)
		}
	}
}
