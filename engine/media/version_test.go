package media

import (
	"regexp"
	"testing"
)

func TestVersions(t *testing.T) {
	// Debian 12 ships FFmpeg 5.1: libavcodec 59, libavformat 59.
	got := Versions()
	if !regexp.MustCompile(`^\S+ \(libavcodec (59|6\d)\.\d+\.\d+, libavformat (59|6\d)\.\d+\.\d+\)$`).MatchString(got) {
		t.Errorf("Versions() = %q", got)
	}
	if libVersion(59<<16|37<<8|100) != "59.37.100" {
		t.Errorf("libVersion: %s", libVersion(59<<16|37<<8|100))
	}
}
