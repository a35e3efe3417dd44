// Command vidsift finds objects in the keyframes of folders of video:
// with no arguments it opens the desktop app, otherwise it runs a command.
package main

import (
	"os"

	_ "github.com/vidsift/vidsift/app/locale" // before Fyne reads the locale
	"github.com/vidsift/vidsift/engine/cli"
)

func main() {
	if len(os.Args) < 2 {
		os.Exit(runApp())
	}
	os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr))
}
