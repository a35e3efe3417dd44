// Package version says which vidsift this is, for both front ends.
package version

import "runtime/debug"

// stamped is set at link time by `make build`
// (-ldflags "-X github.com/vidsift/vidsift/engine/version.stamped=...",
// the commit from git), so a build knows its commit even where Go does
// not stamp it (-buildvcs=false, a build outside the checkout's git).
var stamped string

// Version is what vidsift is: what `vidsift version` and the app's About
// say.
func Version() string {
	info, ok := debug.ReadBuildInfo()
	return pickVersion(stamped, info, ok)
}

// pickVersion is the version stamped at link time if any, else the module
// version, else for a build from a checkout the VCS revision Go stamped
// (with "+dirty" for uncommitted changes).
func pickVersion(stamped string, info *debug.BuildInfo, ok bool) string {
	if stamped != "" {
		return stamped
	}
	if !ok {
		return "(unknown)"
	}
	v := info.Main.Version
	var rev, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = "+dirty"
			}
		}
	}
	if v != "" && v != "(devel)" {
		return v // a tagged module, or (Go 1.24 on) a pseudo-version naming the commit
	}
	if rev == "" {
		return "(devel), commit unknown (built without VCS stamping: make build names it)"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	return "(devel) " + rev + modified
}
