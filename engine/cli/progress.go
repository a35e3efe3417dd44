package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/term"
)

// progress draws one status line on a terminal: files done/total,
// keyframes/s, ETA and the current file. Elsewhere it stays silent.
type progress struct {
	w         io.Writer
	on        bool
	total     int
	finished  int
	keyframes int
	current   string
	began     time.Time
	last      time.Time
}

func newProgress(w io.Writer, quiet bool) *progress {
	on := false
	if f, ok := w.(*os.File); ok && !quiet {
		on = term.IsTerminal(int(f.Fd()))
	}
	return &progress{w: w, on: on, began: time.Now()}
}

func (p *progress) begin(n int)      { p.total = n; p.draw(true) }
func (p *progress) file(path string) { p.current = filepath.Base(path); p.draw(false) }
func (p *progress) keyframe()        { p.keyframes++; p.draw(false) }
func (p *progress) fileDone()        { p.finished++; p.draw(true) }

func (p *progress) draw(force bool) {
	if !p.on {
		return
	}
	now := time.Now()
	if !force && now.Sub(p.last) < 100*time.Millisecond {
		return
	}
	p.last = now
	el := now.Sub(p.began).Seconds()
	rate := 0.0
	if el > 0 {
		rate = float64(p.keyframes) / el
	}
	eta := "--"
	if p.finished > 0 && p.total > p.finished {
		left := el / float64(p.finished) * float64(p.total-p.finished)
		eta = time.Duration(left * float64(time.Second)).Round(time.Second).String()
	}
	width := 20
	filled := 0
	if p.total > 0 {
		filled = width * p.finished / p.total
	}
	bar := make([]byte, width)
	for i := range bar {
		if i < filled {
			bar[i] = '#'
		} else {
			bar[i] = '.'
		}
	}
	name := p.current
	if len(name) > 30 {
		name = name[:29] + "…"
	}
	fmt.Fprintf(p.w, "\r\033[K[%s] %d/%d files  %.1f kf/s  ETA %s  %s", bar, p.finished, p.total, rate, eta, name)
}

func (p *progress) end() {
	if p.on {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
