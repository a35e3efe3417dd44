package cli

import (
	"fmt"
	"io"

	"github.com/vidsift/vidsift/engine/config"
)

// Usage prints the command overview.
func Usage(w io.Writer) {
	fmt.Fprintf(w, `vidsift finds objects in the keyframes of videos and photos, locally.

Usage:
  vidsift                        open the desktop app
  vidsift scan [flags] PATH...   scan files and folders (vidsift scan --help for flags)
  vidsift export --json F|--csv F export the results library without scanning
  vidsift bench [flags] [PATH...] measure throughput on this machine (table + --json)

Settings: flags > VIDSIFT_* environment variables > %s > defaults.
Model and ONNX Runtime library are looked up in %s by default.
`, config.ConfigFile(), config.DataDir())
}
