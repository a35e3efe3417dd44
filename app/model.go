package app

import (
	"github.com/vidsift/vidsift/engine/detect"
	"github.com/vidsift/vidsift/engine/session"
)

// currentModel is the model a new scan would use (nil: none loaded).
func (u *UI) currentModel() *detect.Model {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.model
}

// loadModel loads a model in the background (path "" = the default lookup)
// and swaps it in; the old one is closed once no scan uses it.
func (u *UI) loadModel(path string) {
	go func() {
		m, err := u.openModel(path)
		u.do(func() {
			if err == nil {
				u.mu.Lock()
				old := u.model
				u.model, u.modelErr = m, nil
				u.mu.Unlock()
				if old != nil {
					u.retired = append(u.retired, old)
				}
				u.closeRetired()
			} else {
				u.mu.Lock()
				u.modelErr = err
				u.mu.Unlock()
			}
			u.settings.showModel(u.currentModel(), err)
			if err == nil && u.pendingSearch != "" {
				if u.filters.search.Text == "" {
					u.filters.search.SetText(u.pendingSearch) // the last session's, now its classes are known
				}
				u.pendingSearch = ""
			}
			u.updateToolbar()
			if u.resumeWatch && err == nil {
				u.resumeWatch = false
				u.Start()
			}
		})
	}()
}

// closeRetired frees replaced models once no scan can be using them. It
// runs on the main goroutine.
func (u *UI) closeRetired() {
	if u.activity.Running() {
		return
	}
	for _, m := range u.retired {
		m.Close()
	}
	u.retired = nil
}

func (u *UI) openModel(path string) (*detect.Model, error) {
	// The intra-op threads the scan's stream count assumes (Settings.Streams).
	st, _ := u.configured() // invalid settings are reported at Start
	return session.LoadModel(u.cfg, path, st.IntraOpThreads)
}
