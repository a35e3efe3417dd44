package cli

import (
	"strings"
	"testing"
)

// TestDisplayPath: ordinary names print as they are; a name that could
// forge a line is quoted onto one line, and quoting twice changes nothing.
func TestDisplayPath(t *testing.T) {
	for _, ordinary := range []string{"/v/clip.mp4", "/v/my clip (2).mkv", "/v/café – été.webm", `/v/"quoted".mp4`} {
		if got := displayPath(ordinary); got != ordinary {
			t.Errorf("displayPath(%q) = %q, want it unchanged", ordinary, got)
		}
	}
	for name, want := range map[string]string{
		"/v/a\nok 12 frames  /v/b.mp4": `"/v/a\nok 12 frames  /v/b.mp4"`,
		"/v/a\rb.mp4":                  `"/v/a\rb.mp4"`,
		"/v/a\tb.mp4":                  `"/v/a\tb.mp4"`,
		"/v/\x1b[2Jb.mp4":              `"/v/\x1b[2Jb.mp4"`,
		"/v/\xffb.mp4":                 `"/v/\xffb.mp4"`,
		"/v/a\u2028b.mp4":              `"/v/a\u2028b.mp4"`,
		"/v/\u202egnp.mp4":             `"/v/\u202egnp.mp4"`,
	} {
		got := displayPath(name)
		if got != want || strings.ContainsAny(got, "\n\r\x1b") {
			t.Errorf("displayPath(%q) = %s, want %s", name, got, want)
		}
		if again := displayPath(got); again != got {
			t.Errorf("displayPath twice: %s, then %s", got, again)
		}
	}
}
