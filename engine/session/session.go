// Package session turns resolved settings into a ready scan: the model
// loaded, the results library open, the cluster connected and the
// pipeline's configuration made. Both front ends start their scans and
// watches through it, so they fail alike: its errors say what went wrong
// and which part failed (Error), and each front end words the remedy.
package session

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/vidsift/vidsift/engine/cluster"
	"github.com/vidsift/vidsift/engine/config"
	"github.com/vidsift/vidsift/engine/detect"
	"github.com/vidsift/vidsift/engine/ocr"
	"github.com/vidsift/vidsift/engine/pipeline"
	"github.com/vidsift/vidsift/engine/scan"
	"github.com/vidsift/vidsift/engine/store"
	"github.com/vidsift/vidsift/engine/watch"
)

// Need says whether a scan can go on without its results library.
type Need int

const (
	// Optional: a library that cannot be opened for a reason other than
	// its content (read-only, a newer schema, a full disk) is a warning
	// (LibraryWarning) and the scan goes on without it.
	Optional Need = iota
	// Required: a library that cannot be opened, or none at all, is an
	// error (a watch, which would scan every file again at every walk).
	Required
)

// Cluster is the hub a scan's files go to instead of this computer.
type Cluster struct {
	URL   string
	Auth  cluster.Auth
	Name  string        // this client's name to the hub
	Queue cluster.Queue // redelivery (zero: cluster.DefaultQueue)
}

// Options are what a session is opened with. Model and OpenedLibrary are
// the front end's, borrowed: Close leaves them open.
type Options struct {
	Settings       scan.Settings
	ModelPath      string        // the model file, when Model is nil
	RuntimeLibrary string        // ONNX Runtime, when Model is nil
	Model          *detect.Model // already loaded, borrowed
	// TextModels is the folder of the text models, when TextReader is nil
	// and Settings.Text.On; "" when none were found (TextWarning says so).
	TextModels    string
	TextReader    *ocr.Reader // already loaded, borrowed
	Library       string      // the library file to open, when OpenedLibrary is nil; "" none
	LibraryNeed   Need
	OpenedLibrary *store.Library // already open, borrowed
	Rescan        bool           // scan every file again, even those the library holds
	Cluster       *Cluster       // nil: this computer
	// Thumbs is the least the front end needs; with a library the run
	// makes JPEG thumbnails at least, which the library keeps.
	Thumbs    pipeline.Thumbs
	FFmpegLog *slog.Logger
}

// Part names what a session could not get ready.
type Part int

const (
	PartSettings Part = iota + 1 // the settings are not valid
	PartModel                    // the model file or ONNX Runtime
	PartClasses                  // a class asked for that the model does not know
	PartCluster                  // the hub
	PartLibrary                  // the results library
	PartText                     // the text models asked for
)

func (p Part) String() string {
	switch p {
	case PartSettings:
		return "settings"
	case PartModel:
		return "model"
	case PartClasses:
		return "classes"
	case PartCluster:
		return "cluster"
	case PartLibrary:
		return "library"
	case PartText:
		return "text models"
	}
	return fmt.Sprintf("Part(%d)", int(p))
}

// Error is why FromConfig or Open failed: the part, for the front end to
// word the remedy, and the engine's error, whose message it keeps.
type Error struct {
	Part Part
	Err  error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// ErrNoLibrary: a Required library, and none was given (turned off, or
// unavailable to the front end).
var ErrNoLibrary = errors.New("no results library")

// Session is a scan made ready by Open; Close releases what Open opened.
type Session struct {
	settings   scan.Settings
	model      *detect.Model
	classes    map[string]bool
	cfg        pipeline.Config
	libWarning error
	// textWarning says why text is not read though the settings ask for it.
	textWarning error
	closers     []func()
	closeOnce   sync.Once
}

// Open gets ready to scan with opts: it loads the model, checks the
// classes asked for, connects the cluster and opens the library, in that
// order, and stops at the first that fails (an *Error naming it), having
// closed what it opened.
func Open(opts Options) (_ *Session, err error) {
	if opts.LibraryNeed == Required && opts.OpenedLibrary == nil && opts.Library == "" {
		return nil, &Error{PartLibrary, ErrNoLibrary}
	}
	s := &Session{settings: opts.Settings}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()

	// The models a scan runs. Further ones (OCR) load here, beside the
	// detector, and close alike.
	s.model = opts.Model
	if s.model == nil {
		if opts.ModelPath == "" {
			return nil, &Error{PartModel, config.ErrNoModel}
		}
		if s.model, err = loadModel(opts.RuntimeLibrary, opts.ModelPath, opts.Settings.IntraOpThreads); err != nil {
			return nil, &Error{PartModel, err}
		}
		m := s.model
		s.closers = append(s.closers, func() { m.Close() })
	}
	if s.classes, err = reportedClasses(s.model, opts.Settings.Classes); err != nil {
		return nil, &Error{PartClasses, err}
	}
	text := opts.TextReader
	if t := opts.Settings.Text; t.On && text == nil {
		if text, s.textWarning = loadText(opts.TextModels, t, opts.Settings.IntraOpThreads); text != nil {
			s.closers = append(s.closers, text.Close)
		}
	}

	cfg := pipeline.NewConfig(s.model, text, opts.Settings)
	cfg.FFmpegLog = opts.FFmpegLog
	cfg.Thumbs = opts.Thumbs
	if c := opts.Cluster; c != nil {
		nc, err := cluster.Connect(c.URL, c.Auth, c.Name)
		if err != nil {
			return nil, &Error{PartCluster, err}
		}
		s.closers = append(s.closers, nc.Close)
		cfg.Remote = cluster.NewSubmitter(nc, c.Queue)
	}

	lib := opts.OpenedLibrary
	if lib == nil && opts.Library != "" {
		if lib, s.libWarning, err = OpenLibrary(opts.Library, opts.LibraryNeed); err != nil {
			return nil, &Error{PartLibrary, err}
		}
		if lib != nil {
			s.closers = append(s.closers, func() { lib.Close() })
		}
	}
	if lib != nil {
		cfg.Library = lib.ForRun(cfg.Params, opts.Rescan)
		cfg.Thumbs = max(cfg.Thumbs, pipeline.JPEGThumbs) // the library keeps thumbnails for the app
	}
	s.cfg = cfg
	return s, nil
}

// ErrNoTextModels: the settings ask for text, and no text models were
// found (config.FindTextModels says where it looked).
var ErrNoTextModels = config.ErrNoTextModels

// loadText loads the text models in dir for t, ONNX Runtime being loaded
// with the detector. Without them, or with models that cannot be used
// (corrupt, of the wrong shape), the scan goes on without text: the
// error is the session's TextWarning.
func loadText(dir string, t scan.Text, intraOp int) (*ocr.Reader, error) {
	if dir == "" {
		return nil, ErrNoTextModels
	}
	r, err := ocr.Load(dir, ocr.Options{Session: detect.Options{IntraOpThreads: intraOp},
		DetectSide: t.DetectSide, MinConfidence: t.MinConfidence})
	if err != nil {
		return nil, fmt.Errorf("text models in %s: %w", dir, err)
	}
	return r, nil
}

// OpenLibrary opens the library at path for a scan to store its results
// in. A file that is not a library, or a damaged one, is refused (err):
// the user meant to keep the results somewhere that cannot hold them. Any
// other failure (read-only, a newer schema, a full disk) is err when need
// is Required, else warning, with no library: the scan goes on without it.
func OpenLibrary(path string, need Need) (lib *store.Library, warning, err error) {
	lib, err = store.Open(path)
	switch {
	case err == nil:
		return lib, nil, nil
	case need == Required, errors.Is(err, store.ErrNotLibrary), errors.Is(err, store.ErrDamaged):
		return nil, nil, err
	}
	return nil, err, nil
}

// reportedClasses turns the class names asked for into the set reported
// (nil: every class), refusing names the model does not know.
func reportedClasses(model *detect.Model, names []string) (map[string]bool, error) {
	ids, err := model.ClassIDs(names)
	if err != nil || ids == nil {
		return nil, err
	}
	keep := map[string]bool{}
	for id := range ids {
		keep[model.Names[id]] = true
	}
	return keep, nil
}

// Settings are the settings the session scans with.
func (s *Session) Settings() scan.Settings { return s.settings }

// Model is the detector the session scans with.
func (s *Session) Model() *detect.Model { return s.model }

// Config is the pipeline's configuration, library and cluster included.
func (s *Session) Config() pipeline.Config { return s.cfg }

// Classes is the set of classes reported (nil: every class).
func (s *Session) Classes() map[string]bool { return s.classes }

// TextWarning is why no text is read though the settings ask for it (nil
// when it is read, or not asked for): no text models were found
// (ErrNoTextModels), or they cannot be used.
func (s *Session) TextWarning() error { return s.textWarning }

// LibraryWarning is why an Optional library could not be opened (nil when
// it was, or none was asked for): the session scans without it.
func (s *Session) LibraryWarning() error { return s.libWarning }

// Scan scans paths; see pipeline.Run.
func (s *Session) Scan(ctx context.Context, paths []string) <-chan scan.Event {
	return pipeline.Run(ctx, s.cfg, paths)
}

// Watch scans paths, then watches them until ctx ends; see watch.Run.
func (s *Session) Watch(ctx context.Context, paths []string, o watch.Options) <-chan scan.Event {
	return watch.Run(ctx, s.cfg, paths, o)
}

// Close releases what Open opened (the cluster connection, the library,
// the model), not what it borrowed. Call it once the events have ended.
func (s *Session) Close() {
	s.closeOnce.Do(func() {
		for i := len(s.closers) - 1; i >= 0; i-- {
			s.closers[i]()
		}
	})
}
