package testenv

import (
	"encoding/json"
	"testing"

	"github.com/vidsift/vidsift/engine/settings"
)

// SettingsHold checks an export's settings block (or a file's settings)
// against want, a JSON object: every member of want is in got with the
// same value, and got has only members the settings table names. Members
// want leaves out are not checked, so a new setting in the table does not
// break a test about others.
func SettingsHold(t testing.TB, got any, want string) {
	t.Helper()
	raw, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	var have, wanted map[string]json.RawMessage
	if err := json.Unmarshal(raw, &have); err != nil {
		t.Fatalf("settings %s: %v", raw, err)
	}
	if err := json.Unmarshal([]byte(want), &wanted); err != nil {
		t.Fatalf("want %s: %v", want, err)
	}
	for name, w := range wanted {
		if g, ok := have[name]; !ok || string(g) != string(compact(t, w)) {
			t.Errorf("settings %s: %s is %s, want %s", raw, name, g, w)
		}
	}
	known := map[string]bool{"mixed": true, "model_sha256": true, "input_size": true}
	for _, row := range settings.Table {
		known[row.JSON] = row.JSON != ""
	}
	for name := range have {
		if !known[name] {
			t.Errorf("settings %s: %q is not a setting's JSON name", raw, name)
		}
	}
}

func compact(t testing.TB, raw json.RawMessage) []byte {
	t.Helper()
	b, err := json.Marshal(raw)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
