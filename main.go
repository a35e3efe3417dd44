// Command vidsift finds objects in the keyframes of folders of video:
// with no arguments it opens the desktop app, otherwise it runs a command.
package main

import (
	"fmt"
	"os"

	_ "github.com/vidsift/vidsift/app/locale" // before Fyne reads the locale
	"github.com/vidsift/vidsift/engine/cli"
)

func main() {
	if len(os.Args) < 2 {
		os.Exit(runApp())
	}
	switch cmd, args := os.Args[1], os.Args[2:]; cmd {
	case "scan":
		os.Exit(cli.Scan(args, os.Stdout, os.Stderr))
	case "export":
		os.Exit(cli.Export(args, os.Stdout, os.Stderr))
	case "bench":
		os.Exit(cli.Bench(args, os.Stdout, os.Stderr))
	case "help", "-h", "--help":
		cli.Usage(os.Stdout)
	default:
		fmt.Fprintf(os.Stderr, "vidsift: unknown command %q\n\n", cmd)
		cli.Usage(os.Stderr)
		os.Exit(cli.ExitUsage)
	}
}
