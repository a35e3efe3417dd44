package media

import (
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/asticode/go-astiav"
)

// FFmpeg logs through one process-wide callback. We route it into slog and,
// when the message comes from a demuxer or decoder we opened, record errors
// against that file so it can be reported as partial.

var (
	logOnce   sync.Once
	logger    atomic.Pointer[slog.Logger]
	recorders sync.Map // astiav.Classer -> *damageRecorder
)

// SetLogger sends FFmpeg's messages to l (nil discards them).
func SetLogger(l *slog.Logger) {
	logger.Store(l)
	installLogCallback()
}

func installLogCallback() {
	logOnce.Do(func() {
		astiav.SetLogLevel(astiav.LogLevelWarning)
		astiav.SetLogCallback(func(c astiav.Classer, l astiav.LogLevel, _, msg string) {
			msg = strings.TrimSpace(msg)
			if msg == "" {
				return
			}
			var rec *damageRecorder
			if c != nil {
				if v, ok := recorders.Load(c); ok {
					rec = v.(*damageRecorder)
				}
			}
			if rec != nil && l <= astiav.LogLevelError {
				rec.add(msg)
			}
			if lg := logger.Load(); lg != nil {
				level := slog.LevelDebug
				if l <= astiav.LogLevelError {
					level = slog.LevelWarn
				}
				attrs := []any{"level", int(l)}
				if rec != nil {
					attrs = append(attrs, "file", rec.path)
				}
				lg.Log(nil, level, "ffmpeg: "+msg, attrs...)
			}
		})
	})
}

// damageRecorder collects FFmpeg error messages for one file.
type damageRecorder struct {
	path string
	mu   sync.Mutex
	msgs []string
}

func (r *damageRecorder) add(msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.msgs) < 5 {
		r.msgs = append(r.msgs, msg)
	} else if len(r.msgs) == 5 {
		r.msgs = append(r.msgs, "…")
	}
}

func (r *damageRecorder) messages() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.msgs...)
}

func (r *damageRecorder) watch(c astiav.Classer) { recorders.Store(c, r) }

func (r *damageRecorder) unwatch(c astiav.Classer) { recorders.Delete(c) }
