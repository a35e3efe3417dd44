package app

import (
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"

	"fyne.io/fyne/v2"
	"github.com/google/renameio/v2"

	"github.com/vidsift/vidsift/engine/settings"
)

// appState is what the app remembers between starts: the settings the
// window shows, as it left them, and its queue. It is the app's own file,
// never the CLI's config.yaml, and it is written by vidsift itself, at
// once and atomically: Fyne's preferences debounce their writes, and a
// save queued at quit can be lost.
type appState struct {
	// Settings are the window's choices by config key (settings.Table's
	// rows the app shows). At the next start they are one more layer of
	// the config, over VIDSIFT_* and config.yaml.
	Settings map[string]any `json:"settings,omitempty"`
	// OnCluster: scans go to the cluster at the nats setting's URL.
	OnCluster *bool `json:"on_cluster,omitempty"`
	// The queue, and whether Start keeps watching it (then watching
	// resumes at the next start, once the library is loaded).
	Queue []string `json:"queue,omitempty"`
	Watch bool     `json:"watch,omitempty"`
	// The window as it was left: its size, the search typed and whether
	// the grid was grouped by video. A file from before has none of them:
	// the window then opens at its default size, ungrouped.
	Window       *windowSize `json:"window,omitempty"`
	Search       string      `json:"search,omitempty"`
	GroupByVideo bool        `json:"group_by_video,omitempty"`
}

// windowSize is the main window's size in Fyne's units.
type windowSize struct {
	Width  float32 `json:"width"`
	Height float32 `json:"height"`
}

// A saved size outside these is not restored (a file edited by hand, a
// monitor gone): the window opens at its default size.
const (
	smallestRestored = 400
	largestRestored  = 16384
)

// stateBefore27 is the state file as versions before the settings table
// wrote it: one field per setting. It is read into appState.Settings.
type stateBefore27 struct {
	Confidence   *float64 `json:"confidence"`
	Workers      int      `json:"workers"`
	Model        string   `json:"model"`
	Classes      []string `json:"classes"`
	MaxGap       *float64 `json:"max_gap_s"`
	MinGap       *float64 `json:"min_gap_s"`
	Cuts         *bool    `json:"cuts"`
	ReuseSimilar *bool    `json:"reuse_similar"`
	Rect         *bool    `json:"rect"`
	Nats         string   `json:"nats"`
	OnCluster    bool     `json:"on_cluster"`
}

// settings are the old fields by config key; unset ones are left out.
func (old stateBefore27) settings() (map[string]any, *bool) {
	m := map[string]any{}
	put := func(key string, set bool, v any) {
		if set {
			m[key] = v
		}
	}
	if old.Confidence != nil {
		m[settings.Confidence] = *old.Confidence
	}
	put(settings.Workers, old.Workers > 0, old.Workers)
	put(settings.Model, old.Model != "", old.Model)
	put(settings.Classes, old.Classes != nil, old.Classes)
	if old.MaxGap != nil && old.MinGap != nil {
		m[settings.MaxGap], m[settings.MinGap] = *old.MaxGap, *old.MinGap
	}
	for key, b := range map[string]*bool{settings.Cuts: old.Cuts, settings.ReuseSimilar: old.ReuseSimilar, settings.Rect: old.Rect} {
		if b != nil {
			m[key] = *b
		}
	}
	if old.Nats == "" {
		return m, nil
	}
	m[settings.Nats] = old.Nats
	return m, &old.OnCluster
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
	if st.Settings == nil {
		var old stateBefore27
		if json.Unmarshal(raw, &old) == nil {
			st.Settings, st.OnCluster = old.settings()
		}
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

// saveState keeps the window's settings, queue, size, search and
// grouping for the next start.
func (u *UI) saveState() {
	st := appState{Settings: u.settings.values(), Queue: u.queue.paths, Watch: u.queue.watch.Checked,
		Search: u.filters.search.Text, GroupByVideo: u.filters.group.Checked}
	if st.Search == "" {
		st.Search = u.pendingSearch // no model came to apply it: keep it for the next start
	}
	if size := u.win.Canvas().Size(); size.Width > 0 && size.Height > 0 {
		st.Window = &windowSize{Width: size.Width, Height: size.Height}
	}
	_, _, onCluster := u.settings.runOn.cluster()
	st.OnCluster = &onCluster
	if err := st.save(u.statePath); err != nil {
		slog.Warn("cannot save the app's settings", "path", u.statePath, "err", err)
	}
}

// restoreView opens the window as the last session left it: its size and
// grouping at once, its search once the model is loaded (pendingSearch).
func (u *UI) restoreView(st appState) {
	if w := st.Window; w != nil && w.Width >= smallestRestored && w.Height >= smallestRestored && w.Width <= largestRestored && w.Height <= largestRestored {
		u.win.Resize(fyne.NewSize(w.Width, w.Height))
	}
	u.filters.group.SetChecked(st.GroupByVideo)
	u.pendingSearch = st.Search
}
