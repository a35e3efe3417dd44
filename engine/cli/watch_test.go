package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vidsift/vidsift/internal/testenv"
)

func sharedClip(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(testenv.Shared(t, "testdata/videos/"+name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestWatch runs `vidsift watch` as a process on a temporary tree: a clip
// copied in slowly is scanned once, after it settled; a folder created
// and then filled is watched; a move costs no inference; a deleted file is
// reported gone; a corrupt file fails and watching goes on; a FIFO and a
// symlink loop do no harm; SIGINT ends it with 130.
func TestWatch(t *testing.T) {
	isolated(t)
	t.Setenv("VIDSIFT_MODEL", testenv.Model(t))
	tree := filepath.Join(t.TempDir(), "incoming")
	testenv.WriteFile(t, filepath.Join(tree, "a.mp4"), sharedClip(t, "plant_cup_realshort.mp4"), 0o644)
	if err := syscall.Mkfifo(filepath.Join(tree, "pipe.mp4"), 0o644); err != nil {
		t.Fatal(err)
	}
	testenv.Symlink(t, tree, filepath.Join(tree, "loop"))
	p := startProcess(t, "watch", nil, "watch", "--settle", "5s", tree)
	p.log.waitFor(t, "watch", `^watching 1 folder, 1 file \(`)
	p.stdout.waitFor(t, "watch", `^ok .* frames  `+regexp.QuoteMeta(filepath.Join(tree, "a.mp4"))+`  `)

	// A camera still writing: chunks a little over a second apart, each
	// shorter than the settle time.
	slow := filepath.Join(tree, "slow.mp4")
	clip := sharedClip(t, "street_bikes_h264.mp4")
	f, err := os.Create(slow)
	if err != nil {
		t.Fatal(err)
	}
	for i, n := 0, len(clip)/4+1; i < len(clip); i += n {
		if _, err := f.Write(clip[i:min(i+n, len(clip))]); err != nil {
			t.Fatal(err)
		}
		f.Sync()
		time.Sleep(1100 * time.Millisecond) // the writer's pace, not a wait for vidsift
	}
	f.Close()
	p.stdout.waitFor(t, "watch", `^ok .* frames  `+regexp.QuoteMeta(slow)+`  .*person×`)

	// A folder created, then filled.
	d := filepath.Join(tree, "new", "d.webm")
	testenv.WriteFile(t, d, sharedClip(t, "dog_person_vp9.webm"), 0o644)
	p.stdout.waitFor(t, "watch", `^ok .* frames  `+regexp.QuoteMeta(d)+`  .*dog×`)

	// A move inside the tree: answered from the library.
	moved := filepath.Join(tree, "new", "moved.mp4")
	if err := os.Rename(filepath.Join(tree, "a.mp4"), moved); err != nil {
		t.Fatal(err)
	}
	p.stdout.waitFor(t, "watch", `^ok .* frames  `+regexp.QuoteMeta(moved)+`  .*\(from the library\)$`)

	// A deleted file is reported; a corrupt one fails; watching goes on.
	os.Remove(d)
	p.stdout.waitFor(t, "watch", `^gone +`+regexp.QuoteMeta(d)+`  `)
	bad := filepath.Join(tree, "bad.mp4")
	testenv.WriteFile(t, bad, []byte(strings.Repeat("not a video ", 500)), 0o644)
	p.stdout.waitFor(t, "watch", `^failed .*`+regexp.QuoteMeta(bad))
	after := filepath.Join(tree, "after.mkv")
	testenv.WriteFile(t, after, sharedClip(t, "one_by_one_person_h264.mkv"), 0o644)
	p.stdout.waitFor(t, "watch", `^ok .* frames  `+regexp.QuoteMeta(after)+`  .*person×`)

	if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if code := p.wait(t); code != ExitInterrupted {
		t.Errorf("after SIGINT: exit %d, want %d", code, ExitInterrupted)
	}
	log := p.stdout.text()
	if n := strings.Count(log, slow); n != 1 {
		t.Errorf("the slowly written clip was reported %d times, want once:\n%s", n, log)
	}
	for _, never := range []string{"pipe.mp4", filepath.Join(tree, "loop"), "gone              " + filepath.Join(tree, "a.mp4")} {
		if strings.Contains(log, never) {
			t.Errorf("the watch said %q:\n%s", never, log)
		}
	}
	// Deleted is not forgotten: the library still holds it, as missing.
	code, stdout, _ := vidsift(t, "library", "missing")
	if code != ExitOK || !strings.Contains(stdout, d) {
		t.Errorf("library missing: exit %d\n%s", code, stdout)
	}
}

// TestWatchPolling: with events off, walking alone finds a new file.
func TestWatchPolling(t *testing.T) {
	isolated(t)
	t.Setenv("VIDSIFT_MODEL", testenv.Model(t))
	tree := t.TempDir()
	p := startProcess(t, "watch", nil, "watch", "--no-events", "--poll", "1s", "--settle", "1s", tree)
	p.log.waitFor(t, "watch", `^watching 1 folder, 0 files; walking them every 1s instead: file system events are off`)
	clip := filepath.Join(tree, "sub", "clip.mp4")
	testenv.WriteFile(t, clip, sharedClip(t, "plant_cup_realshort.mp4"), 0o644)
	p.stdout.waitFor(t, "watch", `^ok .* frames  `+regexp.QuoteMeta(clip)+`  `)
}

// TestWatchOutput: result lines go to stdout (so `watch DIR > log` keeps
// them) and notices to stderr; a name with a newline prints escaped on
// one line instead of forging a second; an interrupt says only that the
// watch stopped.
func TestWatchOutput(t *testing.T) {
	isolated(t)
	t.Setenv("VIDSIFT_MODEL", testenv.Model(t))
	tree := t.TempDir()
	forged := filepath.Join(tree, "cam\nok         1 frames  forged.mp4  dog×1.mp4")
	testenv.WriteFile(t, forged, sharedClip(t, "plant_cup_realshort.mp4"), 0o644)
	p := startProcess(t, "watch", nil, "watch", "--settle", "1s", tree)
	p.log.waitFor(t, "watch", `^watching 1 folder, 1 file \(`)
	p.stdout.waitFor(t, "watch", `^ok .* frames  `+regexp.QuoteMeta(strconv.Quote(forged))+`  `)
	if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if code := p.wait(t); code != ExitInterrupted {
		t.Errorf("after SIGINT: exit %d, want %d", code, ExitInterrupted)
	}
	stdout, stderr := p.stdout.text(), p.log.text()
	if lines := strings.Split(stdout, "\n"); len(lines) != 1 {
		t.Errorf("stdout has %d lines, want the one result line:\n%s", len(lines), stdout)
	}
	if strings.Contains(stderr, "frames  ") || strings.Contains(stderr, "forged") {
		t.Errorf("a result line went to stderr:\n%s", stderr)
	}
	if last := stderr[strings.LastIndex(stderr, "\n")+1:]; last != "vidsift: stopped watching" {
		t.Errorf("after SIGINT the watch said %q, want %q", last, "vidsift: stopped watching")
	}
}

// TestWatchRefusals: a watch writes no --json (it does not end), needs
// the library and paths that exist; its help offers neither --json nor
// --csv.
func TestWatchRefusals(t *testing.T) {
	isolated(t)
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"watch", "--json", filepath.Join(dir, "x.json"), dir}, "does not end"},
		{[]string{"watch", "--library", "off", dir}, "needs the library"},
		{[]string{"watch", "--settle", "0", dir}, "--settle"},
		{[]string{"watch", dir, filepath.Join(dir, "nonexistent")}, filepath.Join(dir, "nonexistent") + " does not exist"},
	} {
		if code, _, stderr := vidsift(t, c.args...); code != ExitUsage || !strings.Contains(stderr, c.want) {
			t.Errorf("%q: exit %d\n%s", c.args, code, stderr)
		}
	}
	code, _, stderr := vidsift(t, "watch", "--help")
	if code != ExitOK || !strings.Contains(stderr, "--settle") || strings.Contains(stderr, "--json") || strings.Contains(stderr, "--csv") {
		t.Errorf("watch --help: exit %d, want the flags without --json and --csv:\n%s", code, stderr)
	}
}
