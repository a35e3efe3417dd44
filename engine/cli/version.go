package cli

import (
	"context"
	"fmt"
	"runtime"

	"github.com/vidsift/vidsift/engine/media"
	"github.com/vidsift/vidsift/engine/session"
	"github.com/vidsift/vidsift/engine/version"
)

// runVersion prints one line each for vidsift, Go, FFmpeg and ONNX
// Runtime. A runtime that cannot be loaded is reported, not an error.
func runVersion(_ context.Context, e env, _ []string) error {
	fmt.Fprintf(e.stdout, "vidsift %s\n", version.Version())
	fmt.Fprintf(e.stdout, "Go %s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	fmt.Fprintf(e.stdout, "FFmpeg %s\n", media.Versions())
	if runtimeVersion, lib, err := session.RuntimeVersion(e.v); err != nil {
		fmt.Fprintf(e.stdout, "ONNX Runtime not found (%v)\n", err)
	} else {
		fmt.Fprintf(e.stdout, "ONNX Runtime %s (%s)\n", runtimeVersion, lib)
	}
	return nil
}
