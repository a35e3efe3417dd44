package app

import (
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/renameio/v2"
)

// appState is what the app remembers between starts: the last-used
// settings. It is the app's own file, never the CLI's config.yaml, and it
// is written by vidsift itself, at once and atomically: Fyne's preferences
// debounce their writes, and a save queued at quit can be lost.
type appState struct {
	Confidence *float64 `json:"confidence,omitempty"`
	Workers    int      `json:"workers,omitempty"`
	Model      string   `json:"model,omitempty"`
	Classes    []string `json:"classes"`
	// The Sampling setting, in seconds.
	MaxGap       *float64 `json:"max_gap_s,omitempty"`
	MinGap       *float64 `json:"min_gap_s,omitempty"`
	Cuts         *bool    `json:"cuts,omitempty"`
	ReuseSimilar *bool    `json:"reuse_similar,omitempty"`
	Rect         *bool    `json:"rect,omitempty"`
	// Run on: the cluster's URL, and whether scans go there.
	Nats      string `json:"nats,omitempty"`
	OnCluster bool   `json:"on_cluster,omitempty"`
	// The queue, and whether Start keeps watching it (then watching
	// resumes at the next start, once the library is loaded).
	Queue []string `json:"queue,omitempty"`
	Watch bool     `json:"watch,omitempty"`
}

// statePath is $XDG_STATE_HOME/vidsift/app-state.json (default
// ~/.local/state/vidsift/app-state.json).
func statePath() string {
	dir := os.Getenv("XDG_STATE_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return ""
		}
		dir = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(dir, "vidsift", "app-state.json")
}

// loadState reads the state file; a missing or unreadable one is an empty
// state (the CLI's config then gives the defaults).
func loadState(path string) appState {
	var st appState
	raw, err := os.ReadFile(path)
	if err != nil {
		return st
	}
	if err := json.Unmarshal(raw, &st); err != nil {
		slog.Warn("ignoring unreadable app state", "path", path, "err", err)
		return appState{}
	}
	return st
}

func (st appState) save(path string) error {
	if path == "" {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	raw, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	return renameio.WriteFile(path, append(raw, '\n'), 0o644)
}

// saveState keeps the last-used settings for the next start.
func (u *UI) saveState() {
	s := u.settings
	conf := s.conf.Value
	sampling, reuse := s.sampling()
	st := appState{Confidence: &conf, Workers: s.workerCount(), Model: s.modelFile,
		MaxGap: &sampling.MaxGap, MinGap: &sampling.MinGap, Cuts: &sampling.Cuts, ReuseSimilar: &reuse, Rect: &s.rect.Checked}
	st.Nats = strings.TrimSpace(s.runOn.url.Text)
	_, _, st.OnCluster = s.runOn.cluster()
	st.Classes = s.pickedClasses()
	st.Queue, st.Watch = u.queue.paths, u.queue.watch.Checked
	if err := st.save(u.statePath); err != nil {
		slog.Warn("cannot save the app's settings", "path", u.statePath, "err", err)
	}
}
