package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/vidsift/vidsift/engine/export"
	"github.com/vidsift/vidsift/engine/groundtruth"
	"github.com/vidsift/vidsift/engine/settings"
	"github.com/vidsift/vidsift/internal/testenv"
)

// asCLI makes the test binary stand in for vidsift, so tests that need a
// process of its own (kill -9, another user) run the CLI without building
// the desktop app's binary.
const asCLI = "VIDSIFT_TEST_BINARY_IS_CLI"

// crashOn, in a worker process's environment, makes it exit at once (code
// 3, as a decoder crash would) when it takes a job whose path contains it.
const crashOn = "VIDSIFT_TEST_CRASH_ON"

// signalAfterClip, INT or KILL in a clips process's environment, makes it
// send itself that signal once it has written its first clip; after INT it
// goes on once the signal has cancelled the run.
const signalAfterClip = "VIDSIFT_TEST_SIGNAL_AFTER_CLIP"

func TestMain(m *testing.M) {
	if os.Getenv(asCLI) == "1" {
		var h hooks
		if text := os.Getenv(crashOn); text != "" {
			h.workerOnJob = func(path string) {
				if strings.Contains(path, text) {
					fmt.Fprintln(os.Stderr, "test: crashing on", path)
					os.Exit(3)
				}
			}
		}
		if sig, ok := map[string]syscall.Signal{"INT": syscall.SIGINT, "KILL": syscall.SIGKILL}[os.Getenv(signalAfterClip)]; ok {
			var once sync.Once
			h.clipWritten = func(ctx context.Context) {
				once.Do(func() {
					syscall.Kill(os.Getpid(), sig) //nolint:errcheck // to itself
					<-ctx.Done()
				})
			}
		}
		os.Exit(mainWith(os.Args[1:], os.Stdout, os.Stderr, h))
	}
	os.Exit(m.Run())
}

// cliProcess is a command running `vidsift ARGS...` in a process of its own.
func cliProcess(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), asCLI+"=1")
	return cmd
}

// isolated clears the user's settings (testenv.Isolate) and names the
// runtime and a results library of the test's own; it returns the library.
func isolated(t *testing.T) string {
	t.Helper()
	lib := testenv.Library(t)
	testenv.Isolate(t)
	t.Setenv(settings.EnvVar(settings.RuntimeLibrary), lib)
	db := filepath.Join(t.TempDir(), "library.db")
	t.Setenv(settings.EnvVar(settings.Library), db)
	return db
}

// vidsift runs `vidsift ARGS...` in this process.
func vidsift(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Main(args, &out, &errb)
	return code, out.String(), errb.String()
}

// scanCmd runs `vidsift scan ARGS...` in this process and returns
// everything it printed: its results (stdout), then its progress,
// notices and errors (stderr).
func scanCmd(t *testing.T, args ...string) (int, string) {
	t.Helper()
	code, stdout, stderr := vidsift(t, append([]string{"scan"}, args...)...)
	return code, stdout + stderr
}

func readDoc(t *testing.T, path string) export.Document {
	t.Helper()
	return testenv.ReadJSON[export.Document](t, path)
}

// readCSV reads an export's rows (header checked and dropped).
func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := export.DecodeCSV(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return rows
}

// fileDets and docFiles convert an export for the ground-truth checks.
func fileDets(f export.File) []groundtruth.Frame {
	return groundtruth.Frames(f.Frames, func(k export.Frame) bool { return k.Key }, func(k export.Frame) []export.Detection { return k.Detections },
		func(d export.Detection) groundtruth.Det {
			return groundtruth.Det{Class: d.Class, Confidence: d.Confidence, Box: d.Box}
		})
}

func docFiles(doc export.Document) []groundtruth.File {
	var out []groundtruth.File
	for _, f := range doc.Files {
		out = append(out, groundtruth.File{Path: f.Path, Status: f.Status, Frames: fileDets(f)})
	}
	return out
}
