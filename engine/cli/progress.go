package cli

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/vidsift/vidsift/engine/pipeline"
	"github.com/vidsift/vidsift/engine/scan"
)

// progressLine draws one status line on a terminal: files done/total,
// frames/s, ETA and the current file (and how far into it, when long). Elsewhere it stays silent.
type progressLine struct {
	w    io.Writer
	on   bool
	p    *pipeline.Progress
	last time.Time
}

func newProgressLine(w io.Writer, quiet bool) *progressLine {
	on := false
	if f, ok := w.(*os.File); ok && !quiet {
		on = term.IsTerminal(int(f.Fd()))
	}
	return &progressLine{w: w, on: on, p: pipeline.NewProgress()}
}

// apply takes an event and redraws at most 10 times a second (always when
// a file finishes).
func (l *progressLine) apply(ev scan.Event) {
	l.p.Apply(ev)
	if !l.on {
		return
	}
	_, fileDone := ev.(scan.FileFinished)
	if now := time.Now(); fileDone || now.Sub(l.last) >= 100*time.Millisecond {
		l.last = now
		fmt.Fprint(l.w, "\r\033[K"+l.render())
	}
}

func (l *progressLine) render() string {
	const width = 20
	filled := int(l.p.Fraction() * width)
	eta := "--"
	if d := l.p.ETA(); d > 0 {
		eta = d.String()
	}
	name := l.p.Current
	if len(name) > 30 {
		name = name[:29] + "…"
	}
	if where := l.p.Where(); where != "" {
		name += " " + where
	}
	return fmt.Sprintf("[%s%s] %d/%d files  %.1f frames/s  ETA %s  %s",
		strings.Repeat("#", filled), strings.Repeat(".", width-filled), l.p.Done, l.p.Total, l.p.Rate(), eta, name)
}

// say prints a line of its own above the status line.
func (l *progressLine) say(text string) {
	if l.on {
		fmt.Fprint(l.w, "\r\033[K")
	}
	fmt.Fprintln(l.w, text)
	if l.on {
		fmt.Fprint(l.w, l.render())
	}
}

func (l *progressLine) end() {
	if l.on {
		fmt.Fprint(l.w, "\r\033[K")
	}
}
