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
	// Caught from the start, so a signal before the event loop runs is
	// not lost either. It stops the driver, as Fyne's own handler does;
	// ui.Shutdown below then cancels the scan and saves the settings.
	// Not App.Quit: it closes the window first, and a cursor event still
	// queued for the closing window crashes GLFW (fyne-io/fyne#5981).
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sig
		fyne.Do(a.Driver().Quit)
	}()
	a.Lifecycle().SetOnStarted(func() { fmt.Fprintln(os.Stderr, "vidsift: window open") })
	ui.Window().SetMaster()
	ui.Window().ShowAndRun()
	ui.Shutdown() // if Fyne dropped its OnStopped at quit
	return 0
}
