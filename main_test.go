package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/vidsift/vidsift/engine/config"
)

// The root tests run the real binary; the engine's test support is
// internal to engine/, so they keep these few helpers of their own.

var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "vidsift-bin-")
	if err != nil {
		panic(err)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// builtBinary builds vidsift once for all the tests.
var builtBinary = sync.OnceValues(func() (string, error) {
	bin := filepath.Join(binDir, "vidsift")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		return "", fmt.Errorf("build: %v\n%s", err, out)
	}
	return bin, nil
})

func buildBinary(t *testing.T) string {
	t.Helper()
	bin, err := builtBinary()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// detectorEnv names the shared float32 model and the runtime setup
// installed, failing under CI and skipping elsewhere when one is missing.
func detectorEnv(t *testing.T) []string {
	t.Helper()
	model := filepath.Join("..", "shared", "models", "yolov8n.onnx")
	v, err := config.New()
	if err != nil {
		t.Fatal(err)
	}
	lib := config.FindRuntimeLibrary(v)
	for _, p := range []string{model, lib} {
		if _, err := os.Stat(p); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("missing %s (../shared beside the checkout; make setup)", p)
			}
			t.Skipf("missing %s (../shared beside the checkout; make setup)", p)
		}
	}
	abs, err := filepath.Abs(model)
	if err != nil {
		t.Fatal(err)
	}
	return []string{"VIDSIFT_MODEL=" + abs, "VIDSIFT_ONNXRUNTIME_LIBRARY=" + lib}
}

// TestSmokeXvfb starts the real app on a virtual display, waits for its
// window, asks it to quit (SIGTERM) and expects a clean exit.
func TestSmokeXvfb(t *testing.T) {
	xvfb, err := exec.LookPath("Xvfb")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("Xvfb is missing: setup installs it (apt-get install xvfb)")
		}
		t.Skip("Xvfb is missing: run `make setup-test`")
	}
	bin := buildBinary(t)

	// Xvfb picks a free display and writes its number to the pipe.
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	x := exec.Command(xvfb, "-displayfd", "3", "-screen", "0", "1280x800x24", "-nolisten", "tcp")
	x.ExtraFiles = []*os.File{w}
	if err := x.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	defer func() { x.Process.Kill(); x.Wait() }()
	display, err := bufio.NewReader(r).ReadString('\n')
	if err != nil {
		t.Fatalf("Xvfb gave no display: %v", err)
	}

	state := t.TempDir()
	app := exec.Command(bin)
	app.Env = append(os.Environ(), "DISPLAY=:"+strings.TrimSpace(display),
		"XDG_CONFIG_HOME="+t.TempDir(), "XDG_STATE_HOME="+state, "XDG_CACHE_HOME="+t.TempDir(), "XDG_DATA_HOME="+t.TempDir(),
	)
	app.Env = append(app.Env, detectorEnv(t)...)
	stderr, _ := app.StderrPipe()
	if err := app.Start(); err != nil {
		t.Fatal(err)
	}
	opened := make(chan bool, 1)
	var log strings.Builder
	go func() {
		s := bufio.NewScanner(stderr)
		for s.Scan() {
			log.WriteString(s.Text() + "\n")
			if strings.Contains(s.Text(), "window open") {
				opened <- true
			}
		}
		close(opened)
	}()
	select {
	case ok := <-opened:
		if !ok {
			t.Fatalf("the app exited before opening its window:\n%s", log.String())
		}
	case <-time.After(2 * time.Minute):
		app.Process.Kill()
		t.Fatalf("no window after 2 minutes:\n%s", log.String())
	}
	time.Sleep(time.Second) // let the window draw a few frames
	app.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- app.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("exit after SIGTERM: %v\n%s", err, log.String())
		}
	case <-time.After(time.Minute):
		// SIGQUIT makes the Go runtime print every goroutine: the log then
		// shows where it hung.
		app.Process.Signal(syscall.SIGQUIT)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			app.Process.Kill()
		}
		<-opened // the log reader has seen everything
		t.Fatalf("did not quit after SIGTERM:\n%s", log.String())
	}
	if strings.Contains(log.String(), "panic") {
		t.Errorf("log mentions a panic:\n%s", log.String())
	}
	// A clean exit saves the settings.
	saved, err := os.ReadFile(filepath.Join(state, "vidsift", "app-state.json"))
	if err != nil || !strings.Contains(string(saved), `"confidence"`) || !strings.Contains(string(saved), `"workers"`) {
		t.Errorf("settings not saved on SIGTERM: %q %v", saved, err)
	}
}

// TestNoDisplay: without a display the binary explains itself and exits 2.
func TestNoDisplay(t *testing.T) {
	bin := buildBinary(t)
	cmd := exec.Command(bin)
	var env []string
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "DISPLAY=") && !strings.HasPrefix(e, "WAYLAND_DISPLAY=") {
			env = append(env, e)
		}
	}
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != 2 || !strings.Contains(string(out), "vidsift scan") {
		t.Errorf("exit %v, output:\n%s", err, out)
	}
}

// TestCLocaleQuiet: under LANG=C.UTF-8 (servers, containers) the CLI prints
// no Fyne locale error.
func TestCLocaleQuiet(t *testing.T) {
	bin := buildBinary(t)
	cmd := exec.Command(bin, "help")
	cmd.Env = append(os.Environ(), "LANG=C.UTF-8", "LC_ALL=C")
	out, err := cmd.CombinedOutput()
	if err != nil || strings.Contains(string(out), "Fyne error") || !strings.Contains(string(out), "vidsift scan") {
		t.Errorf("exit %v, output:\n%s", err, out)
	}
}
