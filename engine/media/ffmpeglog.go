package media

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"

	"github.com/asticode/go-astiav"
)

// FFmpeg logs through one process-wide callback. A message from a demuxer
// or decoder of a file we opened goes to that file's Options.Log, and an
// error is recorded against the file so it can be reported as partial. A
// message no file can be named for (frame-threading contexts are FFmpeg's
// own copies) goes, once, to each logger the open files were given.

var (
	logOnce   sync.Once
	recorders sync.Map // astiav.Classer -> *damageRecorder
)

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
			level := slog.LevelDebug
			if l <= astiav.LogLevelError {
				level = slog.LevelWarn
			}
			if rec != nil {
				if rec.log != nil {
					rec.log.Log(context.Background(), level, "ffmpeg: "+msg, "level", int(l), "file", rec.path)
				}
				return
			}
			for _, lg := range openLoggers() {
				lg.Log(context.Background(), level, "ffmpeg: "+msg, "level", int(l))
			}
		})
	})
}

// openLoggers are the distinct loggers of the files open now.
func openLoggers() []*slog.Logger {
	var out []*slog.Logger
	recorders.Range(func(_, v any) bool {
		if lg := v.(*damageRecorder).log; lg != nil && !slices.Contains(out, lg) {
			out = append(out, lg)
		}
		return true
	})
	return out
}

// damageRecorder collects FFmpeg error messages for one file, and logs
// them to its Options.Log.
type damageRecorder struct {
	path string
	log  *slog.Logger
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

// WatchLog routes FFmpeg's messages about c, a context another engine
// package opened for path (engine/subtitles' demuxer), the way a File's go
// to its Options.Log, and records its errors. stop ends that and returns
// the errors recorded (at most five, then "…").
func WatchLog(c astiav.Classer, path string, log *slog.Logger) (stop func() []string) {
	installLogCallback()
	r := &damageRecorder{path: path, log: log}
	r.watch(c)
	return func() []string {
		r.unwatch(c)
		return r.messages()
	}
}
