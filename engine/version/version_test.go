package version

import (
	"runtime/debug"
	"testing"
)

// TestPickVersion: the value -ldflags stamped wins; without it a module
// version stands, else the commit Go stamped from the checkout; a build
// that knows neither says the commit is unknown.
func TestPickVersion(t *testing.T) {
	const rev = "dfd2e9da16339e706b422787490fceb617ce04fd"
	vcs := func(version string, settings ...debug.BuildSetting) *debug.BuildInfo {
		return &debug.BuildInfo{Main: debug.Module{Path: "github.com/vidsift/vidsift", Version: version}, Settings: settings}
	}
	revision := debug.BuildSetting{Key: "vcs.revision", Value: rev}
	dirty := debug.BuildSetting{Key: "vcs.modified", Value: "true"}
	clean := debug.BuildSetting{Key: "vcs.modified", Value: "false"}
	for _, c := range []struct {
		name, stamped string
		info          *debug.BuildInfo
		ok            bool
		want          string
	}{
		{"-ldflags over the VCS", "dfd2e9da1633", vcs("(devel)", revision, dirty), true, "dfd2e9da1633"},
		{"-ldflags without build info", "v1.4.0", nil, false, "v1.4.0"},
		{"go build in a checkout", "", vcs("(devel)", revision, clean), true, "(devel) dfd2e9da1633"},
		{"uncommitted changes", "", vcs("(devel)", revision, dirty), true, "(devel) dfd2e9da1633+dirty"},
		{"Go's pseudo-version", "", vcs("v0.0.0-20261201135359-dfd2e9da1633+dirty", revision, dirty), true, "v0.0.0-20261201135359-dfd2e9da1633+dirty"},
		{"go install of a tag", "", vcs("v1.4.0"), true, "v1.4.0"},
		{"-buildvcs=false", "", vcs("(devel)"), true, "(devel), commit unknown (built without VCS stamping: make build names it)"},
		{"no build info", "", nil, false, "(unknown)"},
	} {
		if got := pickVersion(c.stamped, c.info, c.ok); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}
