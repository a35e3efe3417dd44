package cli

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/vidsift/vidsift/engine/load"
	"github.com/vidsift/vidsift/engine/media"
)

// runVersion prints one line each for vidsift, Go, FFmpeg and ONNX
// Runtime. A runtime that cannot be loaded is reported, not an error.
func runVersion(_ context.Context, e env, _ []string) error {
	fmt.Fprintf(e.stdout, "vidsift %s\n", buildVersion())
	fmt.Fprintf(e.stdout, "Go %s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	fmt.Fprintf(e.stdout, "FFmpeg %s\n", media.Versions())
	if version, lib, err := load.RuntimeVersion(e.v); err != nil {
		fmt.Fprintf(e.stdout, "ONNX Runtime not found (%v)\n", err)
	} else {
		fmt.Fprintf(e.stdout, "ONNX Runtime %s (%s)\n", version, lib)
	}
	return nil
}

// buildVersion is the module version, or for a build from a checkout its
// VCS revision (with "+dirty" for uncommitted changes).
func buildVersion() string {
	info, ok := debug.ReadBuildInfo()
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
	if rev != "" && (v == "" || v == "(devel)") {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		return "(devel) " + rev + modified
	}
	if v == "" {
		v = "(devel)"
	}
	return v
}
