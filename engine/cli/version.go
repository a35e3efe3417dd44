package cli

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/vidsift/vidsift/engine/media"
	"github.com/vidsift/vidsift/engine/session"
)

// runVersion prints one line each for vidsift, Go, FFmpeg and ONNX
// Runtime. A runtime that cannot be loaded is reported, not an error.
func runVersion(_ context.Context, e env, _ []string) error {
	fmt.Fprintf(e.stdout, "vidsift %s\n", buildVersion())
	fmt.Fprintf(e.stdout, "Go %s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	fmt.Fprintf(e.stdout, "FFmpeg %s\n", media.Versions())
	if version, lib, err := session.RuntimeVersion(e.v); err != nil {
		fmt.Fprintf(e.stdout, "ONNX Runtime not found (%v)\n", err)
	} else {
		fmt.Fprintf(e.stdout, "ONNX Runtime %s (%s)\n", version, lib)
	}
	return nil
}

// stampedVersion is set at link time by `make build`
// (-ldflags "-X github.com/vidsift/vidsift/engine/cli.stampedVersion=...",
// the commit from git), so a build knows its commit even where Go does
// not stamp it (-buildvcs=false, a build outside the checkout's git).
var stampedVersion string

// Version is what `vidsift version` says vidsift is (the app's About).
func Version() string { return buildVersion() }

// buildVersion is what `vidsift version` says vidsift is.
func buildVersion() string {
	info, ok := debug.ReadBuildInfo()
	return pickVersion(stampedVersion, info, ok)
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
