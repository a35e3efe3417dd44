package session

import (
	"context"
	"database/sql"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vidsift/vidsift/engine/cluster"
	"github.com/vidsift/vidsift/engine/config"
	"github.com/vidsift/vidsift/engine/detect"
	"github.com/vidsift/vidsift/engine/groundtruth"
	"github.com/vidsift/vidsift/engine/pipeline"
	"github.com/vidsift/vidsift/engine/scan"
	"github.com/vidsift/vidsift/engine/settings"
	"github.com/vidsift/vidsift/engine/store"
	"github.com/vidsift/vidsift/internal/testenv"
)

// clip is the shared clip the tests scan, and its ground truth's key.
const clip = "videos/plant_cup_realshort.mp4"

// modelOptions are options that load the shared model, with settings that
// scan in a test's share of the machine.
func modelOptions(t *testing.T) Options {
	t.Helper()
	st := scan.DefaultSettings()
	st.Workers, st.Threads, st.IntraOpThreads = 1, 1, 1
	return Options{Settings: st, ModelPath: testenv.Model(t), RuntimeLibrary: testenv.Library(t)}
}

// scanned is what a session's run of the shared clip said.
type scanned struct {
	files    []scan.FileFinished
	finished *scan.RunFinished
	after    []scan.Event // events after RunFinished (none are allowed)
}

func scanClip(t *testing.T, s *Session) scanned {
	t.Helper()
	var out scanned
	for ev := range s.Scan(context.Background(), []string{testenv.Shared(t, "testdata/"+clip)}) {
		switch e := ev.(type) {
		case scan.FileFinished:
			out.files = append(out.files, e)
		case scan.RunFinished:
			out.finished = &e
			continue
		}
		if out.finished != nil {
			out.after = append(out.after, ev)
		}
	}
	return out
}

// checkScanned holds a run of the shared clip to its ground truth: one
// file, scanned ok with what the clip shows, then RunFinished, last.
func checkScanned(t *testing.T, run scanned) {
	t.Helper()
	if run.finished == nil || run.finished.Err != nil || run.finished.Summary.OK != 1 || len(run.after) > 0 {
		t.Fatalf("run finished %+v, then %d events", run.finished, len(run.after))
	}
	if len(run.files) != 1 {
		t.Fatalf("%d files finished, want 1", len(run.files))
	}
	f := run.files[0].Result
	if f.Status != scan.StatusOK {
		t.Fatalf("%s: %s (%s)", f.Path, f.Status, f.Error)
	}
	exp := testenv.Expectations(t, testenv.Shared(t, "testdata/ground_truth.json"))[clip]
	frames := groundtruth.Frames(f.Frames, func(k scan.Frame) bool { return k.Kind == scan.KeyFrame },
		func(k scan.Frame) []scan.Detection { return k.Detections },
		func(d scan.Detection) groundtruth.Det {
			return groundtruth.Det{Class: d.Class, Confidence: float64(d.Confidence), Box: d.Box}
		})
	for _, why := range exp.Check(frames, false) {
		t.Errorf("%s: %s", clip, why)
	}
}

// TestOpenScan: a session that loads the model and opens a new library
// scans a shared clip (FileFinished with what the clip shows, then
// RunFinished), the library keeps the result with its thumbnails (which
// the run makes for it though the front end asked for none), and Close
// releases the model it loaded.
func TestOpenScan(t *testing.T) {
	testenv.Isolate(t)
	opts := modelOptions(t)
	opts.Library = filepath.Join(t.TempDir(), "library.db")
	before := detect.OpenObjects()
	s, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	if s.Config().Thumbs != pipeline.JPEGThumbs || s.Config().Library == nil || s.LibraryWarning() != nil {
		t.Errorf("with a library: thumbs %v, library set %v, warning %v", s.Config().Thumbs, s.Config().Library != nil, s.LibraryWarning())
	}
	if s.Model().Path != opts.ModelPath || s.Config().Params.Model.SHA256 != s.Model().ID().SHA256 || s.Config().Params.Model.SHA256 == "" {
		t.Errorf("model %s, params for %+v", s.Model().Path, s.Config().Params.Model)
	}
	run := scanClip(t, s)
	checkScanned(t, run)
	if ff := run.files[0]; ff.LibraryErr != nil || ff.FromLibrary || len(ff.Thumbs) == 0 {
		t.Errorf("stored: %v, from the library %v, %d thumbnails", ff.LibraryErr, ff.FromLibrary, len(ff.Thumbs))
	}
	s.Close()
	if n := detect.OpenObjects(); n != before {
		t.Errorf("after Close %d ONNX Runtime objects are open, %d before Open", n, before)
	}

	lib, err := store.Open(opts.Library)
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	stored, err := lib.Latest(store.Scope{})
	if err != nil {
		t.Fatal(err)
	}
	if len(stored) != 1 || stored[0].Result.Path != run.files[0].Result.Path || len(stored[0].Thumbs) != len(run.files[0].Thumbs) {
		t.Fatalf("the library holds %+v", stored)
	}
}

// TestBorrowed: a model and a library the front end already has are
// scanned with and left open by Close: a second session scans with them
// again, and the library answers for the file it kept.
func TestBorrowed(t *testing.T) {
	testenv.Isolate(t)
	opts := modelOptions(t)
	model, err := loadModel(opts.RuntimeLibrary, opts.ModelPath, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer model.Close()
	lib, err := store.Open(filepath.Join(t.TempDir(), "library.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	opts.ModelPath, opts.RuntimeLibrary = "", "" // nothing to load: the model is given
	opts.Model, opts.OpenedLibrary = model, lib
	before := detect.OpenObjects()

	first, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	if first.Model() != model || first.Config().Library == nil {
		t.Fatalf("model %p (given %p), library set %v", first.Model(), model, first.Config().Library != nil)
	}
	checkScanned(t, scanClip(t, first))
	first.Close()
	if n := detect.OpenObjects(); n != before {
		t.Errorf("after Close %d ONNX Runtime objects are open, %d before: the borrowed model was closed", n, before)
	}
	if stored, err := lib.Latest(store.Scope{}); err != nil || len(stored) != 1 {
		t.Fatalf("the borrowed library after Close: %d files (%v)", len(stored), err)
	}

	second, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	run := scanClip(t, second)
	checkScanned(t, run)
	if !run.files[0].FromLibrary {
		t.Error("the second scan did not come from the borrowed library")
	}
}

// newerLibrary is a library written by a newer vidsift: one that cannot
// be opened for what it is, not because it is no library.
func newerLibrary(t *testing.T) string {
	path := filepath.Join(t.TempDir(), "newer.db")
	lib, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	lib.Close()
	db, err := sql.Open("sqlite", path)
	if err == nil {
		_, err = db.Exec(`PRAGMA user_version = 1000`)
		db.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	return path
}

// TestLibraryRules: an optional library that cannot be opened (written by
// a newer vidsift) is a warning and the scan goes on without it; a
// required one is an error, as is a required library when none is given
// (before any model is loaded); a file that is not a library is refused
// either way; and a refused session leaves nothing open.
func TestLibraryRules(t *testing.T) {
	testenv.Isolate(t)
	newer := newerLibrary(t)
	junk := filepath.Join(t.TempDir(), "junk.db")
	testenv.WriteFile(t, junk, []byte(strings.Repeat("not sqlite ", 200)), 0o644)
	before := detect.OpenObjects()

	opts := modelOptions(t)
	opts.Library = newer
	s, err := Open(opts)
	if err != nil {
		t.Fatalf("an optional library written by a newer vidsift: %v", err)
	}
	if w := s.LibraryWarning(); !errors.Is(w, store.ErrNewerSchema) || s.Config().Library != nil || s.Config().Thumbs != pipeline.NoThumbs {
		t.Errorf("warning %v, library set %v, thumbs %v", w, s.Config().Library != nil, s.Config().Thumbs)
	}
	run := scanClip(t, s)
	checkScanned(t, run)
	s.Close()

	for _, c := range []struct {
		name    string
		library string
		need    Need
		want    error
	}{
		{"a required library written by a newer vidsift", newer, Required, store.ErrNewerSchema},
		{"an optional file that is no library", junk, Optional, store.ErrNotLibrary},
		{"a required file that is no library", junk, Required, store.ErrNotLibrary},
		{"a required library and none", "", Required, ErrNoLibrary},
	} {
		opts := modelOptions(t)
		opts.Library, opts.LibraryNeed = c.library, c.need
		if c.want == ErrNoLibrary {
			opts.ModelPath = filepath.Join(t.TempDir(), "missing.onnx") // refused before it is looked for
		}
		s, err := Open(opts)
		var failed *Error
		if !errors.As(err, &failed) || failed.Part != PartLibrary || !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want a library error %v", c.name, err, c.want)
		}
		if s != nil {
			t.Errorf("%s: a session with the error", c.name)
			s.Close()
		}
	}
	if n := detect.OpenObjects(); n != before {
		t.Errorf("%d ONNX Runtime objects open after the refusals, %d before", n, before)
	}
	if b, _ := os.ReadFile(junk); string(b) != strings.Repeat("not sqlite ", 200) {
		t.Error("the file that is no library was changed")
	}
}

// closedPort is a loopback address nothing listens on (any more).
func closedPort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// TestOpenRefuses: each part that cannot be got ready fails Open with an
// *Error that names it and keeps the engine's error, and what Open loaded
// or connected before it is released.
func TestOpenRefuses(t *testing.T) {
	testenv.Isolate(t)
	before := detect.OpenObjects()
	unknownClass := modelOptions(t)
	unknownClass.Settings.Classes = []string{"person", "unicorn"}
	noHub := modelOptions(t)
	noHub.Cluster = &Cluster{URL: "nats://" + closedPort(t), Name: "test"}
	missingModel := modelOptions(t)
	missingModel.ModelPath = filepath.Join(t.TempDir(), "missing.onnx")
	noModel := modelOptions(t)
	noModel.ModelPath = ""
	for _, c := range []struct {
		name string
		opts Options
		part Part
		want string
		is   error
	}{
		{"an unknown class", unknownClass, PartClasses, `unknown class "unicorn"`, nil},
		{"no hub", noHub, PartCluster, noHub.Cluster.URL, cluster.ErrNoHub},
		{"a missing model file", missingModel, PartModel, "missing.onnx", nil},
		{"no model", noModel, PartModel, "no model", config.ErrNoModel},
	} {
		c.opts.Library = filepath.Join(t.TempDir(), "library.db")
		s, err := Open(c.opts)
		var failed *Error
		switch {
		case !errors.As(err, &failed) || failed.Part != c.part:
			t.Errorf("%s: %v, want a %v error", c.name, err, c.part)
		case !strings.Contains(err.Error(), c.want) || c.is != nil && !errors.Is(err, c.is):
			t.Errorf("%s: %q, want it to say %q (and be %v)", c.name, err, c.want, c.is)
		}
		if s != nil {
			s.Close()
		}
		if _, err := os.Stat(c.opts.Library); err == nil {
			t.Errorf("%s: the library was created though the session failed before it", c.name)
		}
	}
	if n := detect.OpenObjects(); n != before {
		t.Errorf("%d ONNX Runtime objects open after the refusals, %d before", n, before)
	}
}

// TestFromConfig: the options come from VIDSIFT_* (as from flags and
// config.yaml): the settings, the model and ONNX Runtime, the library
// file ("off": none) and the cluster with its credentials; invalid
// settings and a missing model are errors that name their part.
func TestFromConfig(t *testing.T) {
	lib, model := testenv.Library(t), testenv.Model(t)
	testenv.Isolate(t)
	set := func(key, value string) { t.Setenv(settings.EnvVar(key), value) }
	from := func() (Options, error) {
		v, err := config.New()
		if err != nil {
			t.Fatal(err)
		}
		return FromConfig(v)
	}
	var failed *Error
	if _, err := from(); !errors.As(err, &failed) || failed.Part != PartModel || !errors.Is(err, config.ErrNoModel) {
		t.Errorf("nothing installed: %v, want a model error ErrNoModel", err)
	}
	set(settings.Model, model)
	set(settings.RuntimeLibrary, lib)
	set(settings.Confidence, "0.4")
	opts, err := from()
	if err != nil {
		t.Fatal(err)
	}
	if opts.ModelPath != model || opts.RuntimeLibrary != lib || opts.Settings.Confidence != 0.4 ||
		opts.Library != filepath.Join(config.DataDir(), "library.db") || opts.Cluster != nil {
		t.Errorf("defaults: %+v", opts)
	}

	set(settings.Library, "off")
	set(settings.Nats, "nats://hub.example:4222")
	set(settings.NatsToken, "t0k3n")
	set(settings.NatsTLSCA, "/etc/ca.pem")
	if opts, err = from(); err != nil {
		t.Fatal(err)
	}
	if c := opts.Cluster; opts.Library != "" || c == nil || c.URL != "nats://hub.example:4222" ||
		c.Auth != (cluster.Auth{Token: "t0k3n", TLSCA: "/etc/ca.pem"}) || c.Name == "" {
		t.Errorf("library off, on a cluster: library %q, cluster %+v", opts.Library, opts.Cluster)
	}

	set(settings.Confidence, "2")
	if _, err := from(); !errors.As(err, &failed) || failed.Part != PartSettings {
		t.Errorf("a confidence of 2: %v, want a settings error", err)
	}
}
