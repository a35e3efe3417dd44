package cli

import (
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/vidsift/vidsift/engine/groundtruth"
	"github.com/vidsift/vidsift/internal/testenv"
)

// TestKillAndResume kills a headless scan with SIGKILL after a few files are
// stored, scans again, and checks that the results equal one clean run with
// nothing lost and nothing stored twice.
func TestKillAndResume(t *testing.T) {
	videos, _ := filepath.Glob(filepath.Join(testenv.Shared(t, "testdata/videos"), "*"))
	src := t.TempDir()
	const n = 40
	for i := 0; i < n; i++ {
		v := videos[i%len(videos)]
		if err := os.Symlink(v, filepath.Join(src, fmt.Sprintf("%02d_%s", i, filepath.Base(v)))); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	lib := filepath.Join(dir, "library.db")
	run := func(library, out string) *exec.Cmd {
		cmd := cliProcess("scan", "-q", "--workers", "2", "--threads", "2", "--json", out, src)
		cmd.Env = append(cmd.Env, "VIDSIFT_LIBRARY="+library, "VIDSIFT_MODEL="+testenv.Model(t),
			"VIDSIFT_ONNXRUNTIME_LIBRARY="+testenv.Library(t))
		return cmd
	}
	stored := func(library string) (files, keyframes int) {
		db, err := sql.Open("sqlite", "file:"+library+"?mode=ro&_pragma=busy_timeout(5000)")
		if err != nil {
			return 0, 0
		}
		defer db.Close()
		if db.QueryRow(`SELECT (SELECT COUNT(*) FROM files), (SELECT COUNT(*) FROM frames)`).Scan(&files, &keyframes) != nil {
			return 0, 0
		}
		return files, keyframes
	}

	victim := run(lib, filepath.Join(dir, "killed.json"))
	if err := victim.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(3 * time.Minute)
	for {
		if f, _ := stored(lib); f >= 3 {
			break
		}
		if time.Now().After(deadline) {
			victim.Process.Kill()
			t.Fatal("no file stored within 3 minutes")
		}
		time.Sleep(20 * time.Millisecond)
	}
	victim.Process.Signal(syscall.SIGKILL)
	victim.Wait()
	before, _ := stored(lib)
	if before >= n {
		t.Fatalf("all %d files finished before the kill: the test proves nothing", n)
	}

	if out, err := run(lib, filepath.Join(dir, "resumed.json")).CombinedOutput(); err != nil {
		t.Fatalf("resume: %v\n%s", err, out)
	}
	if out, err := run(filepath.Join(dir, "clean.db"), filepath.Join(dir, "clean.json")).CombinedOutput(); err != nil {
		t.Fatalf("clean run: %v\n%s", err, out)
	}
	resumed, clean := readDoc(t, filepath.Join(dir, "resumed.json")), readDoc(t, filepath.Join(dir, "clean.json"))
	if resumed.Summary.Skipped < before || resumed.Summary.Files != n || clean.Summary.Files != n {
		t.Errorf("resumed run reused %d (stored before: %d), %d files; clean %d files", resumed.Summary.Skipped, before, resumed.Summary.Files, clean.Summary.Files)
	}
	for _, why := range groundtruth.Differences(docFiles(resumed), docFiles(clean)) {
		t.Error(why)
	}
	files, kfs := stored(lib)
	cleanFiles, cleanKfs := stored(filepath.Join(dir, "clean.db"))
	if files != n || files != cleanFiles || kfs != cleanKfs {
		t.Errorf("library holds %d files / %d keyframes after the kill and resume; a clean run stores %d / %d", files, kfs, cleanFiles, cleanKfs)
	}
	t.Logf("killed with %d of %d files stored; the second run reused %d and scanned the rest", before, n, resumed.Summary.Skipped)
}
