package pipeline

import (
	"context"
	"time"

	"github.com/vidsift/vidsift/engine/scan"
)

// Remote scans files on other machines instead of this one
// (engine/cluster implements it on NATS JetStream). Discovery and the
// results library stay with the run: Scan gets only the files the library
// could not stand in for, with the run's config for the settings they must
// be scanned with, and reports each finished file through report. It
// returns when every file is reported, or with ctx's error when cancelled.
// Copies of one file are separate files to it.
type Remote interface {
	Scan(ctx context.Context, cfg Config, files []RemoteFile, report RemoteReport) error
}

// RemoteFile is a file for a Remote to scan, with its content fingerprint
// when the run's library took one ("" otherwise).
type RemoteFile struct {
	Path        string
	Fingerprint string
}

// RemoteReport is how a Remote hands back what it hears. Its methods are
// called from one goroutine at a time.
type RemoteReport interface {
	// Started says a worker took path.
	Started(path, worker string)
	// Finished hands over a file's result with its JPEG thumbnails by frame
	// index; res.Path is the path Scan was given.
	Finished(res scan.FileResult, thumbs map[int][]byte)
	// Notice is something the user should see: "waiting for workers", a
	// worker that refuses a job and why.
	Notice(text string)
}

// scanRemote hands the files the library cannot stand in for to the
// Remote, and turns what it reports into the same events, library writes
// and summary as a local scan.
func (r *runner) scanRemote(files []string) error {
	var rest []RemoteFile
	var complete []fileJob
	for i, p := range files {
		if r.ctx.Err() != nil {
			r.cancelled(len(files) - i)
			break
		}
		switch a, _, known := r.reuse(p, false); a {
		case toScan:
			r.mu.Lock()
			rest = append(rest, RemoteFile{Path: p, Fingerprint: r.fingerprints[p]})
			r.mu.Unlock()
		case toComplete:
			complete = append(complete, fileJob{path: p, known: known})
		}
	}
	// Files the library holds without this run's text or subtitles are
	// completed here, where the text models are, one at a time while the
	// workers scan the rest: no detector runs for them.
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := &scratch{}
		for i, j := range complete {
			if r.ctx.Err() != nil {
				r.cancelled(len(complete) - i)
				return
			}
			r.complete(j.path, j.known, buf)
		}
	}()
	defer func() { <-done }()
	if len(rest) == 0 {
		return nil
	}
	rep := &remoteReport{r: r, pending: map[string]bool{}}
	for _, f := range rest {
		rep.pending[f.Path] = true
	}
	err := r.cfg.Remote.Scan(r.ctx, r.cfg, rest, rep)
	r.mu.Lock()
	r.sum.Cancelled += len(rep.pending)
	r.mu.Unlock()
	if r.ctx.Err() != nil {
		return nil // run reports the context's error
	}
	return err
}

type remoteReport struct {
	r       *runner
	pending map[string]bool // files not reported yet
}

func (p *remoteReport) Started(path, worker string) {
	p.r.send(scan.FileStarted{Path: path, Worker: worker})
}

func (p *remoteReport) Notice(text string) { p.r.send(scan.Notice{Text: text}) }

func (p *remoteReport) Finished(res scan.FileResult, thumbs map[int][]byte) {
	if !p.pending[res.Path] {
		return // reported already, or never asked for
	}
	delete(p.pending, res.Path)
	r := p.r
	if len(res.Frames) > 0 {
		r.mu.Lock()
		if r.sum.FirstResult == 0 {
			r.sum.FirstResult = time.Since(r.start)
		}
		r.mu.Unlock()
	}
	sendFrames(res, thumbs, false, r.send)
	r.finished(res, thumbs)
}
