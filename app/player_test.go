package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
)

// fakePlayer puts an executable named name in dir that writes its
// arguments, one a line, to dir/name.args.
func fakePlayer(t *testing.T, dir, name string) {
	t.Helper()
	script := "#!/bin/sh\nprintf '%s\\n' \"$@\" > '" + filepath.Join(dir, name+".args") + "'\n"
	if err := os.WriteFile(filepath.Join(dir, name), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
}

func TestPlayerCommand(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("PATH", dir)
	argv := func(path string, at float64) (string, bool) {
		cmd, seeks := playerCommand(path, at)
		return filepath.Base(cmd.Args[0]) + " " + strings.Join(cmd.Args[1:], " "), seeks
	}
	if got, seeks := argv("/v/a b.mp4", 12.5); got != "xdg-open /v/a b.mp4" || seeks {
		t.Errorf("no player installed: %q %v", got, seeks)
	}
	fakePlayer(t, dir, "vlc")
	if got, seeks := argv("/v/a b.mp4", 12.5); got != "vlc --start-time=12.500 /v/a b.mp4" || !seeks {
		t.Errorf("vlc: %q %v", got, seeks)
	}
	fakePlayer(t, dir, "mpv") // preferred over vlc
	if got, _ := argv("/v/-a.mp4", 3); got != "mpv --start=3.000 -- /v/-a.mp4" {
		t.Errorf("mpv: %q", got)
	}
	if got, seeks := argv("/v/photo.jpg", -1); got != "xdg-open /v/photo.jpg" || seeks {
		t.Errorf("a photo: %q %v", got, seeks)
	}
}

// TestPlayFromKeyframe: in the detail view of a video's second keyframe,
// the play button offers that time and starts the player there.
func TestPlayFromKeyframe(t *testing.T) {
	withModel(t)
	u, loop := newTestUI(t)
	video := fixture(t, "h264.mp4") // keyframes at 0 and 1 s
	drop(u, video)
	test.Tap(u.toolbar.start)
	loop.until(t, "the scan", func() bool { return !u.activity.Running() && len(u.Shown()) == 2 })

	dir := t.TempDir()
	fakePlayer(t, dir, "mpv")
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	pos := -1
	for i, id := range u.Shown() {
		if u.coll.Item(id).Index == 1 {
			pos = i
		}
	}
	u.detail.open(pos)
	defer u.detail.close()
	if u.detail.play.Text != "Open in player at 0:01.0" {
		t.Errorf("play button %q", u.detail.play.Text)
	}
	test.Tap(u.detail.play)
	var args []byte
	for deadline := time.Now().Add(time.Minute); strings.Count(string(args), "\n") < 3 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		args, _ = os.ReadFile(filepath.Join(dir, "mpv.args"))
	}
	if got := strings.TrimSpace(string(args)); got != "--start=1.000\n--\n"+video {
		t.Errorf("player started with %q", got)
	}
}

// TestOpenWithoutPlayer: with no player and no xdg-open installed, Open in
// player says once (however often it is clicked) what to install or do,
// naming the file; Show in folder says the same of the folder.
func TestOpenWithoutPlayer(t *testing.T) {
	withModel(t)
	u, loop := newTestUI(t)
	video := fixture(t, "h264.mp4")
	drop(u, video)
	test.Tap(u.toolbar.start)
	loop.until(t, "the scan", func() bool { return !u.activity.Running() && len(u.Shown()) > 0 })

	t.Setenv("PATH", t.TempDir()) // nothing there
	u.detail.open(0)
	defer u.detail.close()
	if u.detail.play.Text != "Open in player" {
		t.Errorf("the button says %q", u.detail.play.Text)
	}
	test.Tap(u.detail.play)
	test.Tap(u.detail.play)
	want := "No video player found: install one (e.g. sudo apt install vlc) or open the file yourself: " + video
	if said := u.detail.said.Text; said != want || !u.detail.said.Visible() {
		t.Errorf("after two clicks it says %q (shown %v), want %q", said, u.detail.said.Visible(), want)
	}
	if strings.Contains(u.detail.info.Text, "exec:") || strings.Contains(u.detail.info.Text, "Cannot open") {
		t.Errorf("the frame's facts carry the error: %q", u.detail.info.Text)
	}
	artifactSizes(t, "open-without-player", u.detail.win)
	u.detail.openExternal(true)
	if want := "No file manager found: open the folder yourself: " + filepath.Dir(video); u.detail.said.Text != want {
		t.Errorf("Show in folder says %q, want %q", u.detail.said.Text, want)
	}

	// xdg-open installed, but nothing to open a video with: it ends with
	// status 4 ("the action failed"), and the same is said.
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "xdg-open"), []byte("#!/bin/sh\nexit 4\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	u.detail.show() // another look at the frame: the line goes
	if u.detail.said.Visible() {
		t.Errorf("the line stays on the next frame shown: %q", u.detail.said.Text)
	}
	test.Tap(u.detail.play)
	loop.until(t, "xdg-open to fail", func() bool { return u.detail.said.Visible() })
	if u.detail.said.Text != want {
		t.Errorf("after xdg-open failed it says %q, want %q", u.detail.said.Text, want)
	}
}
