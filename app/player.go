package app

import (
	"fmt"
	"os/exec"
)

// seekingPlayers can start a video at a given time from the command line,
// in order of preference; args builds their arguments.
var seekingPlayers = []struct {
	name string
	args func(path string, at float64) []string
}{
	{"mpv", func(p string, at float64) []string { return []string{fmt.Sprintf("--start=%.3f", at), "--", p} }},
	{"vlc", func(p string, at float64) []string { return []string{fmt.Sprintf("--start-time=%.3f", at), p} }},
}

// playerCommand opens a video at the frame's time in the first seeking
// player installed, or else with the desktop's default handler (xdg-open),
// which starts at the beginning. seeks says which it chose. Photos and
// folders (at < 0) always go to xdg-open.
func playerCommand(path string, at float64) (cmd *exec.Cmd, seeks bool) {
	if at >= 0 {
		for _, p := range seekingPlayers {
			if bin, err := exec.LookPath(p.name); err == nil {
				return exec.Command(bin, p.args(path, at)...), true
			}
		}
	}
	return exec.Command("xdg-open", path), false
}

// startDetached starts cmd and reaps it when it ends, so no zombie stays
// behind while vidsift runs; failed, when not nil, hears (on cmd's
// goroutine) how it ended if it failed.
func startDetached(cmd *exec.Cmd, failed func(error)) error {
	if err := cmd.Start(); err != nil {
		return err
	}
	go func() {
		if err := cmd.Wait(); err != nil && failed != nil {
			failed(err)
		}
	}()
	return nil
}
