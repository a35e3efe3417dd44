package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"github.com/vidsift/vidsift/app"
	"github.com/vidsift/vidsift/engine/cli"
	"github.com/vidsift/vidsift/engine/config"
)

// runApp opens the desktop window; without a display it explains what to
// do instead of letting GLFW panic.
func runApp() int {
	if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		fmt.Fprintln(os.Stderr, "vidsift: no display found (DISPLAY and WAYLAND_DISPLAY are unset), so the desktop app cannot open.")
		fmt.Fprintln(os.Stderr, "Scan from the command line instead: vidsift scan [flags] PATH...  (vidsift help)")
		return cli.ExitUsage
	}
	v, err := config.New()
	if err != nil {
		fmt.Fprintln(os.Stderr, "vidsift:", err)
		return cli.ExitUsage
	}
	a := fyneapp.NewWithID("io.github.vidsift.vidsift")
	ui := app.New(a, app.Options{Config: v})
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sig
		fyne.Do(a.Quit) // a clean exit: the window closes, settings are saved
	}()
	ui.Window().SetMaster()
	fmt.Fprintln(os.Stderr, "vidsift: window open")
	ui.Window().ShowAndRun()
	return 0
}
