package cli

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/vidsift/vidsift/internal/testenv"
)

// TestUnprivileged runs scans as an ordinary user (nobody, when the tests
// run as root as CI does): an unreadable video fails with a clear reason
// while the batch goes on, an export into a read-only folder fails
// clearly and leaves nothing behind, and a library that cannot be written
// is still read by find and library stats, refused by prune, and left
// out of a scan with a warning.
func TestUnprivileged(t *testing.T) {
	// A folder everyone can enter, holding everything the user needs.
	dir, err := os.MkdirTemp("", "vidsift-unpriv-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.Chmod(dir, 0o755))
	cp := func(src, dst string, mode os.FileMode) {
		in, err := os.Open(src)
		must(err)
		defer in.Close()
		out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
		must(err)
		_, err = io.Copy(out, in)
		must(err)
		must(out.Close())
		must(os.Chmod(dst, mode))
	}
	for _, d := range []string{"media", "out", "ro", "home", "lib"} {
		must(os.Mkdir(filepath.Join(dir, d), 0o777))
		must(os.Chmod(filepath.Join(dir, d), 0o777))
	}
	must(os.Chmod(filepath.Join(dir, "ro"), 0o555))
	cp(os.Args[0], filepath.Join(dir, "vidsift"), 0o755) // this test binary, run as the CLI
	cp(testenv.Shared(t, "models/yolov8n_int8.onnx"), filepath.Join(dir, "model.onnx"), 0o644)
	cp(testenv.Library(t), filepath.Join(dir, "libonnxruntime.so.1"), 0o644)
	cp(testenv.Fixture(t, "h264.mp4"), filepath.Join(dir, "media", "ok.mp4"), 0o644)
	cp(testenv.Fixture(t, "h264.mp4"), filepath.Join(dir, "media", "secret.mp4"), 0o000)

	library := "off"
	vidsift := func(args ...string) (int, string) {
		cmd := exec.Command(filepath.Join(dir, "vidsift"), args...)
		cmd.Dir = dir
		cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + filepath.Join(dir, "home"),
			"VIDSIFT_MODEL=" + filepath.Join(dir, "model.onnx"),
			"VIDSIFT_ONNXRUNTIME_LIBRARY=" + filepath.Join(dir, "libonnxruntime.so.1"),
			"VIDSIFT_LIBRARY=" + library, asCLI + "=1"}
		if os.Geteuid() == 0 {
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		}
		out, err := cmd.CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatalf("run: %v", err)
		}
		return code, string(out)
	}
	scan := func(args ...string) (int, string) { return vidsift(append([]string{"scan", "-q"}, args...)...) }

	code, out := scan("--json", filepath.Join(dir, "out", "scan.json"), filepath.Join(dir, "media"))
	if code != 1 {
		t.Fatalf("exit %d, want 1 (one file failed)\n%s", code, out)
	}
	doc := readDoc(t, filepath.Join(dir, "out", "scan.json"))
	if len(doc.Files) != 2 || doc.Summary.OK != 1 || doc.Summary.Failed != 1 {
		t.Fatalf("summary %+v", doc.Summary)
	}
	for _, f := range doc.Files {
		if strings.HasSuffix(f.Path, "secret.mp4") && (f.Status != "failed" || !strings.Contains(f.Error, "permission denied")) {
			t.Errorf("unreadable file: %s %q", f.Status, f.Error)
		}
	}

	code, out = scan("--json", filepath.Join(dir, "ro", "scan.json"), filepath.Join(dir, "media", "ok.mp4"))
	if code != 1 || !strings.Contains(out, "cannot write") || !strings.Contains(out, "permission denied") {
		t.Errorf("read-only folder: exit %d\n%s", code, out)
	}
	if entries, _ := os.ReadDir(filepath.Join(dir, "ro")); len(entries) != 0 {
		t.Errorf("left in the read-only folder: %v", entries)
	}

	// A library the user made (the unreadable file fails with the library
	// on too), then could no longer write.
	library = filepath.Join(dir, "lib", "library.db")
	if code, out := scan("--json", filepath.Join(dir, "out", "lib.json"), filepath.Join(dir, "media")); code != 1 {
		t.Fatalf("scan into a library: exit %d\n%s", code, out)
	}
	for _, f := range readDoc(t, filepath.Join(dir, "out", "lib.json")).Files {
		if strings.HasSuffix(f.Path, "secret.mp4") && (f.Status != "failed" || !strings.Contains(f.Error, "permission denied")) {
			t.Errorf("unreadable file, with the library: %s %q", f.Status, f.Error)
		}
	}
	must(os.Chmod(library, 0o444))
	must(os.Chmod(filepath.Dir(library), 0o555))
	if code, out := vidsift("find", "person"); code != 0 || !strings.Contains(out, "ok.mp4") {
		t.Errorf("find in a read-only library: exit %d\n%s", code, out)
	}
	if code, out := vidsift("library", "stats"); code != 0 || !strings.Contains(out, "1 ok") {
		t.Errorf("stats of a read-only library: exit %d\n%s", code, out)
	}
	if code, out := vidsift("library", "prune"); code != 2 || !strings.Contains(out, "read-only") || !strings.Contains(out, "copy the library") {
		t.Errorf("prune of a read-only library: exit %d\n%s", code, out)
	}
	if code, out := scan(filepath.Join(dir, "media", "ok.mp4")); code != 0 || !strings.Contains(out, "scanning without the results library") || !strings.Contains(out, "read-only") {
		t.Errorf("scan with a read-only library: exit %d\n%s", code, out)
	}
}

// TestMissingRuntime: without a usable ONNX Runtime library the scan stops
// with exit 2 and says what to do, instead of crashing.
func TestMissingRuntime(t *testing.T) {
	notALib := filepath.Join(t.TempDir(), "libonnxruntime.so.1")
	testenv.WriteFile(t, notALib, []byte("not a shared library"), 0o644)
	for _, lib := range []string{filepath.Join(t.TempDir(), "missing.so"), notALib} {
		cmd := cliProcess("scan", "-q", testenv.Shared(t, "testdata/photos/horses.jpg"))
		cmd.Env = append(cmd.Env, "VIDSIFT_ONNXRUNTIME_LIBRARY="+lib, "VIDSIFT_MODEL="+testenv.Model(t), "VIDSIFT_LIBRARY=off")
		out, err := cmd.CombinedOutput()
		ee, ok := err.(*exec.ExitError)
		if !ok || ee.ExitCode() != 2 || !strings.Contains(string(out), "ONNX Runtime") {
			t.Errorf("%s: %v\n%s", lib, err, out)
		}
	}
}
