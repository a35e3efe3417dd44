package export

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/vidsift/vidsift/engine/scan"
	"github.com/vidsift/vidsift/engine/settings"
)

// The settings blocks are written in settings.Table's order, each value
// under its JSON name, so a new setting needs no field here.

// MarshalJSON writes every setting with a JSON name, then "mixed" when set.
func (s Settings) MarshalJSON() ([]byte, error) {
	var o orderedObject
	for _, row := range settings.Table {
		if row.JSON != "" {
			o.add(row.JSON, valueOr(s.Values, row))
		}
	}
	if len(s.Mixed) > 0 {
		o.add("mixed", s.Mixed)
	}
	return o.bytes()
}

// UnmarshalJSON reads a settings block back (numbers as float64, lists
// as []any).
func (s *Settings) UnmarshalJSON(b []byte) error {
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	*s = Settings{Values: m}
	if mixed, ok := m["mixed"].([]any); ok {
		for _, name := range mixed {
			s.Mixed = append(s.Mixed, fmt.Sprint(name))
		}
	}
	delete(m, "mixed")
	return nil
}

// MarshalJSON writes the model, then every setting that changes results.
func (f FileSettings) MarshalJSON() ([]byte, error) {
	var o orderedObject
	o.add("model_sha256", f.ModelSHA256)
	o.add("input_size", f.InputSize)
	for _, row := range settings.Table {
		if row.Result && row.JSON != "" {
			o.add(row.JSON, valueOr(f.Values, row))
		}
	}
	return o.bytes()
}

// UnmarshalJSON reads a file's settings back.
func (f *FileSettings) UnmarshalJSON(b []byte) error {
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	var model struct {
		ModelSHA256 string `json:"model_sha256"`
		InputSize   [2]int `json:"input_size"`
	}
	if err := json.Unmarshal(b, &model); err != nil {
		return err
	}
	delete(m, "model_sha256")
	delete(m, "input_size")
	*f = FileSettings{ModelSHA256: model.ModelSHA256, InputSize: model.InputSize, Values: m}
	return nil
}

// Number is the setting named name as a number (0: absent or not one).
func (s Settings) Number(name string) float64 { return number(s.Values[name]) }

// Switch is the setting named name as a switch (false: absent or not one).
func (s Settings) Switch(name string) bool { b, _ := s.Values[name].(bool); return b }

// Number is the setting named name as a number (0: absent or not one).
func (f FileSettings) Number(name string) float64 { return number(f.Values[name]) }

// Switch is the setting named name as a switch (false: absent or not one).
func (f FileSettings) Switch(name string) bool { b, _ := f.Values[name].(bool); return b }

func number(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case int:
		return float64(x)
	}
	return 0
}

// valueOr is row's value in values, else its zero value (a setting of
// mixed value reads 0 or "").
func valueOr(values map[string]any, row settings.Setting) any {
	if v, ok := values[row.JSON]; ok {
		return v
	}
	return row.Value(scan.Settings{})
}

// orderedObject writes a JSON object's members in the order added.
type orderedObject struct {
	buf bytes.Buffer
	err error
}

func (o *orderedObject) add(name string, value any) {
	if o.err != nil {
		return
	}
	if o.buf.Len() == 0 {
		o.buf.WriteByte('{')
	} else {
		o.buf.WriteByte(',')
	}
	k, _ := json.Marshal(name) // a string
	v, err := json.Marshal(value)
	o.err = err
	o.buf.Write(k)
	o.buf.WriteByte(':')
	o.buf.Write(v)
}

func (o *orderedObject) bytes() ([]byte, error) {
	if o.buf.Len() == 0 {
		o.buf.WriteByte('{')
	}
	o.buf.WriteByte('}')
	return o.buf.Bytes(), o.err
}
