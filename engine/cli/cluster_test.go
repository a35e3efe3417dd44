package cli

import (
	"bufio"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/vidsift/vidsift/engine/cluster"
	"github.com/vidsift/vidsift/engine/export"
	"github.com/vidsift/vidsift/engine/groundtruth"
	"github.com/vidsift/vidsift/engine/settings"
	"github.com/vidsift/vidsift/internal/testenv"
)

// The cluster tests run an embedded hub in this process, real `vidsift
// worker` processes (this test binary, see asCLI) and `vidsift scan
// --nats` in-process or as a process. Everything is loopback, and every
// wait is for an event (a log line, a process exit) bounded in time.

// eventWait bounds every wait for something a cluster part says or does.
const eventWait = 3 * time.Minute

// testAckWait makes a dead worker's file come back in seconds, not 30.
const testAckWait = "2s"

func startHub(t *testing.T, listen, store string, auth cluster.Auth) *cluster.Hub {
	t.Helper()
	hub, err := cluster.StartHub(cluster.HubOptions{Listen: listen, StoreDir: store, Auth: auth})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(hub.Shutdown)
	return hub
}

// clusterEnv isolates the settings, names the model, and returns the
// results library.
func clusterEnv(t *testing.T) string {
	t.Helper()
	lib := isolated(t)
	t.Setenv(settings.EnvVar(settings.Model), testenv.Model(t))
	return lib
}

// logWatch collects a process's stderr lines and lets a test wait for
// them, one after another.
type logWatch struct {
	mu      sync.Mutex
	lines   []string
	next    int // where the next waitFor starts
	changed chan struct{}
	closed  chan struct{}
}

func newLogWatch() *logWatch {
	return &logWatch{changed: make(chan struct{}), closed: make(chan struct{})}
}

func (l *logWatch) add(s string) {
	l.mu.Lock()
	l.lines = append(l.lines, s)
	close(l.changed)
	l.changed = make(chan struct{})
	l.mu.Unlock()
}

func (l *logWatch) text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// waitFor returns the next line matching re after the one the last
// waitFor returned, waiting for it.
func (l *logWatch) waitFor(t *testing.T, who, re string) string {
	t.Helper()
	pat := regexp.MustCompile(re)
	deadline := time.NewTimer(eventWait)
	defer deadline.Stop()
	l.mu.Lock()
	seen := l.next
	l.mu.Unlock()
	for {
		l.mu.Lock()
		lines, changed := l.lines[seen:], l.changed
		l.mu.Unlock()
		for _, s := range lines {
			seen++
			if pat.MatchString(s) {
				l.mu.Lock()
				l.next = seen
				l.mu.Unlock()
				return s
			}
		}
		select {
		case <-changed:
		case <-l.closed:
			l.mu.Lock()
			more := len(l.lines) > seen
			l.mu.Unlock()
			if !more {
				t.Fatalf("%s ended without saying %q:\n%s", who, re, l.text())
			}
		case <-deadline.C:
			t.Fatalf("%s did not say %q within %v:\n%s", who, re, eventWait, l.text())
		}
	}
}

// process is a vidsift process whose stderr (log) and stdout a test
// watches.
type process struct {
	name   string
	cmd    *exec.Cmd
	log    *logWatch
	stdout *logWatch
	done   chan struct{} // closed when it has exited
	err    error
}

func startProcess(t *testing.T, name string, env []string, args ...string) *process {
	t.Helper()
	cmd := cliProcess(args...)
	cmd.Env = append(cmd.Env, env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &process{name: name, cmd: cmd, log: newLogWatch(), stdout: newLogWatch(), done: make(chan struct{})}
	var read sync.WaitGroup
	for pipe, log := range map[io.Reader]*logWatch{stderr: p.log, stdout: p.stdout} {
		read.Go(func() {
			sc := bufio.NewScanner(pipe)
			for sc.Scan() {
				log.add(sc.Text())
			}
			close(log.closed)
		})
	}
	go func() {
		read.Wait() // Wait closes the pipes: read them to the end first
		p.err = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() || os.Getenv("VIDSIFT_TEST_LOGS") != "" {
			t.Logf("%s said:\n%s\nand printed:\n%s", name, p.log.text(), p.stdout.text())
		}
	})
	return p
}

// kill ends the process with SIGKILL, as a crash or a power cut would.
func (p *process) kill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-p.done
}

// wait waits for the process to exit by itself and returns its exit code.
func (p *process) wait(t *testing.T) int {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(eventWait):
		t.Fatalf("%s still runs after %v:\n%s", p.name, eventWait, p.log.text())
	}
	return p.cmd.ProcessState.ExitCode()
}

// startWorker starts `vidsift worker` with a model cache of its own (so
// the model must come through the hub) and waits until it is ready.
func startWorker(t *testing.T, url, name string, args ...string) (*process, string) {
	t.Helper()
	cache := t.TempDir()
	p := startProcess(t, name, []string{"XDG_CACHE_HOME=" + cache},
		append([]string{"worker", "--nats", url, "--name", name, "--workers", "1", "--threads", "1"}, args...)...)
	p.log.waitFor(t, name, `worker ready`)
	return p, cache
}

// bgScan runs `vidsift scan ARGS...` in this process, in the background.
type bgScan struct {
	done   chan struct{}
	code   int
	stderr string
}

func startScan(t *testing.T, args ...string) *bgScan {
	s := &bgScan{done: make(chan struct{})}
	go func() {
		defer close(s.done)
		s.code, s.stderr = scanCmd(t, args...)
	}()
	return s
}

func (s *bgScan) wait(t *testing.T) (int, string) {
	t.Helper()
	select {
	case <-s.done:
	case <-time.After(eventWait):
		t.Fatalf("the cluster scan did not finish within %v", eventWait)
	}
	return s.code, s.stderr
}

// localReference is a local scan of the shared test media, once per test
// binary: what every cluster scan must equal.
func localReference(t testing.TB) (export.Document, error) {
	media := sharedMedia(t)
	localRef.once.Do(func() { localRef.doc, localRef.err = scanLocally(media) })
	return localRef.doc, localRef.err
}

var localRef struct {
	once sync.Once
	doc  export.Document
	err  error
}

func scanLocally(media string) (export.Document, error) {
	dir, err := os.MkdirTemp("", "vidsift-local-")
	if err != nil {
		return export.Document{}, err
	}
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "local.json")
	var stderr strings.Builder
	if code := Main([]string{"scan", "-q", "--library", "off", "--json", out, media}, &stderr, &stderr); code != 0 {
		return export.Document{}, fmt.Errorf("local scan: exit %d\n%s", code, stderr.String())
	}
	b, err := os.ReadFile(out)
	if err != nil {
		return export.Document{}, err
	}
	var doc export.Document
	return doc, json.Unmarshal(b, &doc)
}

// sharedMedia is the shared test media (a missing folder fails under CI).
func sharedMedia(t testing.TB) string { return testenv.Shared(t, "testdata") }

// sameAsLocal checks a cluster scan's files against the local scan's.
func sameAsLocal(t *testing.T, doc export.Document) {
	t.Helper()
	ref, err := localReference(t)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, f := range doc.Files {
		want[f.Path] = true
	}
	var local []export.File
	for _, f := range ref.Files {
		if want[f.Path] {
			local = append(local, f)
		}
	}
	ref.Files = local
	for _, why := range groundtruth.Differences(docFiles(doc), docFiles(ref)) {
		t.Error("cluster vs local:", why)
	}
}

func fileOf(t *testing.T, doc export.Document, path string) export.File {
	t.Helper()
	for _, f := range doc.Files {
		if f.Path == path {
			return f
		}
	}
	t.Fatalf("%s is not in the results", path)
	return export.File{}
}

// TestClusterScan: two workers scan the shared media through a hub with a
// token, and the results equal a local scan's; the workers had no model
// and got it from the hub.
func TestClusterScan(t *testing.T) {
	testenv.Shared(t, "testdata")
	lib := clusterEnv(t)
	hub := startHub(t, "127.0.0.1:0", t.TempDir(), cluster.Auth{Token: "s3cret"})
	t.Setenv(settings.EnvVar(settings.NatsToken), "s3cret")
	_, cache1 := startWorker(t, hub.URL(), "w1")
	_, cache2 := startWorker(t, hub.URL(), "w2")

	out := filepath.Join(t.TempDir(), "cluster.json")
	code, stderr := scanCmd(t, "--nats", hub.URL(), "--json", out, sharedMedia(t))
	if code != 0 {
		t.Fatalf("cluster scan: exit %d\n%s", code, stderr)
	}
	doc := readDoc(t, out)
	if len(doc.Files) == 0 {
		t.Fatal("no files")
	}
	sameAsLocal(t, doc)
	for _, f := range doc.Files {
		if f.Worker != "w1" && f.Worker != "w2" {
			t.Errorf("%s: scanned by %q, want w1 or w2", f.Path, f.Worker)
		}
	}
	if !strings.Contains(stderr, "2 worker(s)") {
		t.Errorf("the scan did not name its workers:\n%s", stderr)
	}

	// The model came through the object store, byte for byte.
	model, err := os.ReadFile(testenv.Model(t))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(model)
	sha := hex.EncodeToString(sum[:])
	for _, cache := range []string{cache1, cache2} {
		got, err := os.ReadFile(cluster.ModelCache{Dir: filepath.Join(cache, "vidsift", "models")}.Path(sha))
		if err != nil {
			t.Errorf("worker's model cache: %v", err)
		} else if s := sha256.Sum256(got); s != sum {
			t.Error("the fetched model differs from the submitter's")
		}
	}

	// A second scan reuses the library and sends nothing to the cluster.
	out2 := filepath.Join(t.TempDir(), "again.json")
	if code, stderr := scanCmd(t, "--nats", hub.URL(), "--json", out2, sharedMedia(t)); code != 0 {
		t.Fatalf("second scan: exit %d\n%s", code, stderr)
	}
	if again := readDoc(t, out2); again.Summary.Skipped != len(doc.Files) {
		t.Errorf("second scan reused %d of %d files", again.Summary.Skipped, len(doc.Files))
	}
	_ = lib
}

// TestClusterWorkerKilled: a worker killed with SIGKILL in the middle of a
// file loses it to the other worker; the run completes, and the library
// holds each file once.
func TestClusterWorkerKilled(t *testing.T) {
	videos := testenv.Shared(t, "testdata/videos")
	lib := clusterEnv(t)
	hub := startHub(t, "127.0.0.1:0", t.TempDir(), cluster.Auth{})
	victim, _ := startWorker(t, hub.URL(), "victim")

	out := filepath.Join(t.TempDir(), "cluster.json")
	run := startScan(t, "--nats", hub.URL(), "--ack-wait", testAckWait, "--json", out, videos)
	line := victim.log.waitFor(t, "victim", `msg=scanning`)
	path := regexp.MustCompile(`path=(\S+)`).FindStringSubmatch(line)[1]
	victim.kill(t)
	startWorker(t, hub.URL(), "survivor")

	code, stderr := run.wait(t)
	if code != 0 {
		t.Fatalf("cluster scan: exit %d\n%s", code, stderr)
	}
	doc := readDoc(t, out)
	if got := fileOf(t, doc, path); got.Worker != "survivor" || got.Status != "ok" {
		t.Errorf("%s, whose worker was killed: status %s by %q, want ok by survivor", path, got.Status, got.Worker)
	}
	sameAsLocal(t, doc)
	files, _ := libraryCounts(t, lib)
	if files != len(doc.Files) {
		t.Errorf("library holds %d files, want %d, each once", files, len(doc.Files))
	}
}

// libraryCounts says how many files and frames the library holds.
func libraryCounts(t *testing.T, lib string) (files, frames int) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+lib+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.QueryRow(`SELECT (SELECT COUNT(*) FROM files), (SELECT COUNT(*) FROM frames)`).Scan(&files, &frames); err != nil {
		t.Fatal(err)
	}
	return files, frames
}

// TestClusterHubRestart: the hub stops in the middle of a run and starts
// again on the same port and store; the run completes.
func TestClusterHubRestart(t *testing.T) {
	videos := testenv.Shared(t, "testdata/videos")
	clusterEnv(t)
	store := t.TempDir()
	hub, err := cluster.StartHub(cluster.HubOptions{Listen: "127.0.0.1:0", StoreDir: store})
	if err != nil {
		t.Fatal(err)
	}
	url, addr := hub.URL(), hub.Addr()
	w, _ := startWorker(t, url, "w1")

	out := filepath.Join(t.TempDir(), "cluster.json")
	run := startScan(t, "--nats", url, "--ack-wait", testAckWait, "--json", out, videos)
	w.log.waitFor(t, "w1", `msg=done`)
	hub.Shutdown()
	hub = startHub(t, addr, store, cluster.Auth{})

	code, stderr := run.wait(t)
	if code != 0 {
		t.Fatalf("cluster scan: exit %d\n%s", code, stderr)
	}
	doc := readDoc(t, out)
	entries, _ := os.ReadDir(videos)
	if len(doc.Files) != len(entries) {
		t.Fatalf("%d files in the results, want %d", len(doc.Files), len(entries))
	}
	sameAsLocal(t, doc)
}

// TestClusterSubmitterKilled: a submitter killed with SIGKILL and run
// again reuses the files it had stored and stores nothing twice.
func TestClusterSubmitterKilled(t *testing.T) {
	videos := testenv.Shared(t, "testdata/videos")
	lib := clusterEnv(t)
	hub := startHub(t, "127.0.0.1:0", t.TempDir(), cluster.Auth{})
	w, _ := startWorker(t, hub.URL(), "w1")

	submitter := startProcess(t, "submitter", nil, "scan", "--nats", hub.URL(), videos)
	w.log.waitFor(t, "w1", `msg=done`)
	w.log.waitFor(t, "w1", `msg=done`)
	// The submitter stores a file once its result is in: wait for one.
	for deadline := time.Now().Add(eventWait); ; time.Sleep(10 * time.Millisecond) {
		if n, _ := libraryCounts(t, lib); n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the submitter stored nothing")
		}
	}
	submitter.kill(t)
	before, _ := libraryCounts(t, lib)
	entries, _ := os.ReadDir(videos)
	if before >= len(entries) {
		t.Fatal("every file was stored before the kill: the test proves nothing")
	}

	out := filepath.Join(t.TempDir(), "again.json")
	code, stderr := scanCmd(t, "--nats", hub.URL(), "--json", out, videos)
	if code != 0 {
		t.Fatalf("second scan: exit %d\n%s", code, stderr)
	}
	doc := readDoc(t, out)
	if doc.Summary.Skipped < before {
		t.Errorf("reused %d files, but %d were stored before the kill", doc.Summary.Skipped, before)
	}
	files, _ := libraryCounts(t, lib)
	if files != len(doc.Files) {
		t.Errorf("library holds %d files for %d scanned: something is stored twice", files, len(doc.Files))
	}
	sameAsLocal(t, doc)
}

// TestClusterRefusals: a worker with --map serves only its roots: a file
// missing on it fails naming it, a path outside is refused, with reasons.
func TestClusterRefusals(t *testing.T) {
	videos := testenv.Shared(t, "testdata/videos")
	clusterEnv(t)
	hub := startHub(t, "127.0.0.1:0", t.TempDir(), cluster.Auth{})
	// The submitter sees theirs/ (and elsewhere/); the worker has theirs/
	// mounted as mine/, where one file is missing.
	dir := t.TempDir()
	theirs, mine, elsewhere := filepath.Join(dir, "theirs"), filepath.Join(dir, "mine"), filepath.Join(dir, "elsewhere")
	clip := filepath.Join(videos, "plant_cup_realshort.mp4")
	for _, link := range []string{filepath.Join(theirs, "a.mp4"), filepath.Join(theirs, "b.mp4"), filepath.Join(elsewhere, "c.mp4")} {
		testenv.Symlink(t, clip, link)
	}
	// A copy: a symlink leading out of mine/ would be refused, rightly.
	data, err := os.ReadFile(clip)
	if err != nil {
		t.Fatal(err)
	}
	testenv.WriteFile(t, filepath.Join(mine, "a.mp4"), data, 0o644)
	// d.mp4 on the worker is another file than the submitter's.
	testenv.Symlink(t, clip, filepath.Join(theirs, "d.mp4"))
	testenv.WriteFile(t, filepath.Join(mine, "d.mp4"), append(data, 0), 0o644)
	startWorker(t, hub.URL(), "w1", "--map", theirs+"="+mine)

	out := filepath.Join(t.TempDir(), "cluster.json")
	code, stderr := scanCmd(t, "--nats", hub.URL(), "--library", "off", "--json", out, theirs, elsewhere)
	if code != ExitSomeBad {
		t.Fatalf("exit %d, want %d (some files failed)\n%s", code, ExitSomeBad, stderr)
	}
	doc := readDoc(t, out)
	if f := fileOf(t, doc, filepath.Join(theirs, "a.mp4")); f.Status != "ok" || f.Worker != "w1" {
		t.Errorf("mapped file: %s by %q (%s)", f.Status, f.Worker, f.Error)
	}
	if f := fileOf(t, doc, filepath.Join(theirs, "b.mp4")); f.Status != "failed" || !strings.Contains(f.Error, "worker w1 cannot read it") {
		t.Errorf("file missing on the worker: %s, %q", f.Status, f.Error)
	}
	if f := fileOf(t, doc, filepath.Join(elsewhere, "c.mp4")); f.Status != "failed" ||
		!strings.Contains(f.Error, "worker w1 refused it") || !strings.Contains(f.Error, "outside this worker's roots") {
		t.Errorf("file outside the roots: %s, %q", f.Status, f.Error)
	}
	if f := fileOf(t, doc, filepath.Join(theirs, "d.mp4")); f.Status != "failed" || !strings.Contains(f.Error, "other content than the submitter's") {
		t.Errorf("another file at the mapped path: %s, %q", f.Status, f.Error)
	}
}

// TestClusterCopies: two copies of one clip in one cluster run are two
// jobs, both reported ok by the worker with equal results, and the
// library keeps each path.
func TestClusterCopies(t *testing.T) {
	clip := filepath.Join(testenv.Shared(t, "testdata/videos"), "street_bikes_h264.mp4")
	lib := clusterEnv(t)
	hub := startHub(t, "127.0.0.1:0", t.TempDir(), cluster.Auth{})
	startWorker(t, hub.URL(), "w1")
	data, err := os.ReadFile(clip)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.mp4"), filepath.Join(dir, "copy", "a.mp4")
	testenv.WriteFile(t, a, data, 0o644)
	testenv.WriteFile(t, b, data, 0o644)
	out := filepath.Join(t.TempDir(), "cluster.json")
	if code, stderr := scanCmd(t, "--nats", hub.URL(), "--json", out, dir); code != ExitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	doc := readDoc(t, out)
	fa, fb := fileOf(t, doc, a), fileOf(t, doc, b)
	if len(doc.Files) != 2 || fa.Status != "ok" || fb.Status != "ok" || fa.Worker != "w1" || fb.Worker != "w1" {
		t.Errorf("copies: %d files; %s by %q, %s by %q", len(doc.Files), fa.Status, fa.Worker, fb.Status, fb.Worker)
	}
	if len(fa.Frames) == 0 || mustJSON(t, fa.Frames) != mustJSON(t, fb.Frames) {
		t.Errorf("the copies' results differ (%d and %d frames)", len(fa.Frames), len(fb.Frames))
	}
	if files, _ := libraryCounts(t, lib); files != 2 {
		t.Errorf("the library keeps %d results, want one per copy", files)
	}
}

// TestClusterCredentials: wrong or missing credentials are refused with a
// message that says so, and a hub will not listen beyond loopback
// without credentials.
func TestClusterCredentials(t *testing.T) {
	clusterEnv(t)
	hub := startHub(t, "127.0.0.1:0", t.TempDir(), cluster.Auth{User: "ana", Password: "right"})
	for _, args := range [][]string{
		{"scan", "--nats", hub.URL(), "--user", "ana", "--password", "wrong", sharedMedia(t)},
		{"scan", "--nats", hub.URL(), sharedMedia(t)},
		{"worker", "--nats", hub.URL(), "--token", "guess"},
	} {
		code, _, stderr := vidsift(t, args...)
		if code != ExitUsage || !strings.Contains(stderr, "refused the credentials") || !strings.Contains(stderr, "check --token") {
			t.Errorf("vidsift %s: exit %d, %q; want %d and a refusal", strings.Join(args, " "), code, stderr, ExitUsage)
		}
	}
	code, _, stderr := vidsift(t, "hub", "--listen", "0.0.0.0:0", "--store", t.TempDir())
	if code != ExitUsage || !strings.Contains(stderr, "needs credentials") || !strings.Contains(stderr, "Set --token") {
		t.Errorf("hub on 0.0.0.0 without credentials: exit %d, %q", code, stderr)
	}
	code, _, stderr = vidsift(t, "hub", "--listen", "nonsense", "--store", t.TempDir())
	if code != ExitUsage || !strings.Contains(stderr, `listen address "nonsense"`) || !strings.Contains(stderr, "--listen HOST:PORT") {
		t.Errorf("hub --listen nonsense: exit %d, %q", code, stderr)
	}
	for _, cmd := range []string{"hub", "worker"} {
		if code, _, stderr := vidsift(t, cmd, "--help"); code != 0 || !strings.Contains(stderr, "Usage: vidsift "+cmd) {
			t.Errorf("%s --help: exit %d\n%s", cmd, code, stderr)
		}
	}
}

// TestClusterStop: with no worker, the submitter says it waits; SIGINT
// stops it and removes its queued jobs.
func TestClusterStop(t *testing.T) {
	videos := testenv.Shared(t, "testdata/videos")
	clusterEnv(t)
	hub := startHub(t, "127.0.0.1:0", t.TempDir(), cluster.Auth{})
	submitter := startProcess(t, "submitter", nil, "scan", "--nats", hub.URL(), videos)
	submitter.log.waitFor(t, "submitter", `waiting for workers`)

	nc, err := cluster.Connect(hub.URL(), cluster.Auth{}, "test")
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	ctx := context.Background()
	entries, _ := os.ReadDir(videos)
	if n, err := cluster.QueuedJobs(ctx, nc); err != nil || n != uint64(len(entries)) {
		t.Fatalf("queued jobs while waiting: %d, %v; want %d", n, err, len(entries))
	}
	if err := submitter.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if code := submitter.wait(t); code != ExitInterrupted {
		t.Errorf("stopped submitter: exit %d, want %d", code, ExitInterrupted)
	}
	if n, err := cluster.QueuedJobs(ctx, nc); err != nil || n != 0 {
		t.Errorf("queued jobs after stop: %d, %v; want 0", n, err)
	}
}

// TestClusterMaxDeliver: a file that makes every worker that takes it
// exit is handed out --max-deliver times, then fails; the run ends, and
// the other file is scanned.
func TestClusterMaxDeliver(t *testing.T) {
	videos := testenv.Shared(t, "testdata/videos")
	clusterEnv(t)
	hub := startHub(t, "127.0.0.1:0", t.TempDir(), cluster.Auth{})
	dir := t.TempDir()
	clip := filepath.Join(videos, "plant_cup_realshort.mp4")
	crash, fine := filepath.Join(dir, "crash_me.mp4"), filepath.Join(dir, "fine.mp4")
	testenv.Symlink(t, clip, crash)
	testenv.Symlink(t, clip, fine)

	// A supervisor restarts a worker that exits, as systemd would.
	stop := make(chan struct{})
	var supervised sync.WaitGroup
	crashes := make(chan string, 16)
	for _, name := range []string{"w1", "w2"} {
		supervised.Add(1)
		go func() {
			defer supervised.Done()
			for i := 0; ; i++ {
				cmd := cliProcess("worker", "--nats", hub.URL(), "--name", fmt.Sprintf("%s.%d", name, i),
					"--workers", "1", "--threads", "1")
				cmd.Env = append(cmd.Env, crashOn+"=crash_me")
				done := make(chan error, 1)
				if err := cmd.Start(); err != nil {
					return
				}
				go func() { done <- cmd.Wait() }()
				select {
				case <-done:
					crashes <- name
				case <-stop:
					_ = cmd.Process.Signal(syscall.SIGTERM)
					<-done
					return
				}
			}
		}()
	}
	defer func() { close(stop); supervised.Wait() }()

	out := filepath.Join(t.TempDir(), "cluster.json")
	code, stderr := scanCmd(t, "--nats", hub.URL(), "--library", "off", "--ack-wait", testAckWait, "--max-deliver", "2", "--json", out, crash, fine)
	if code != ExitSomeBad {
		t.Fatalf("exit %d, want %d\n%s", code, ExitSomeBad, stderr)
	}
	doc := readDoc(t, out)
	if f := fileOf(t, doc, crash); f.Status != "failed" || !strings.Contains(f.Error, "crashed 2 workers") {
		t.Errorf("the crashing file: %s, %q; want failed, crashed 2 workers", f.Status, f.Error)
	}
	if f := fileOf(t, doc, fine); f.Status != "ok" {
		t.Errorf("the other file: %s, %q", f.Status, f.Error)
	}
	if n := len(crashes); n != 2 {
		t.Errorf("%d worker exits, want 2 (one per delivery)", n)
	}
}

// TestClusterLongFileStays: a file that takes longer than the ack wait is
// not handed to a second worker while the first lives, even when the
// submitter shortened the ack wait after the workers started.
func TestClusterLongFileStays(t *testing.T) {
	videos := testenv.Shared(t, "testdata/videos")
	clusterEnv(t)
	hub := startHub(t, "127.0.0.1:0", t.TempDir(), cluster.Auth{})
	w1, _ := startWorker(t, hub.URL(), "w1")
	w2, _ := startWorker(t, hub.URL(), "w2")

	clip := filepath.Join(videos, "one_by_one_person_h264.mkv")
	out := filepath.Join(t.TempDir(), "cluster.json")
	// A frame every 0.2 s makes the clip take seconds: several ack waits.
	code, stderr := scanCmd(t, "--nats", hub.URL(), "--library", "off", "--ack-wait", "1s", "--max-gap", "0.2", "--json", out, clip)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	doc := readDoc(t, out)
	f := fileOf(t, doc, clip)
	if f.Status != "ok" {
		t.Fatalf("%s: %s", f.Status, f.Error)
	}
	scanner := map[string]*process{"w1": w1, "w2": w2}[f.Worker]
	if scanner == nil {
		t.Fatalf("scanned by %q", f.Worker)
	}
	line := scanner.log.waitFor(t, f.Worker, `msg=done`)
	took := 0.0
	if m := regexp.MustCompile(`seconds=(\S+)`).FindStringSubmatch(line); m != nil {
		fmt.Sscan(m[1], &took)
	}
	if took < 2 {
		t.Fatalf("the scan took %.1f s, under two ack waits: the test proves nothing", took)
	}
	scans := strings.Count(w1.log.text()+"\n"+w2.log.text(), "msg=scanning")
	if scans != 1 {
		t.Errorf("the file was taken %d times, want once:\n%s\n%s", scans, w1.log.text(), w2.log.text())
	}
}

// TestClusterStopAbandons: Stop while a worker scans a long file: the
// worker abandons it at once and takes nothing more of the run.
func TestClusterStopAbandons(t *testing.T) {
	videos := testenv.Shared(t, "testdata/videos")
	clusterEnv(t)
	hub := startHub(t, "127.0.0.1:0", t.TempDir(), cluster.Auth{})
	w, _ := startWorker(t, hub.URL(), "w1")
	// A frame every 0.1 s makes each clip take seconds.
	submitter := startProcess(t, "submitter", nil, "scan", "--nats", hub.URL(), "--library", "off", "--max-gap", "0.1", videos)
	w.log.waitFor(t, "w1", `msg=scanning`)
	if err := submitter.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if code := submitter.wait(t); code != ExitInterrupted {
		t.Errorf("stopped submitter: exit %d, want %d", code, ExitInterrupted)
	}
	w.log.waitFor(t, "w1", `msg="abandoned: its run was stopped"`)
	nc, err := cluster.Connect(hub.URL(), cluster.Auth{}, "test")
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	if n, err := cluster.QueuedJobs(context.Background(), nc); err != nil || n != 0 {
		t.Errorf("queued jobs after stop: %d, %v; want 0", n, err)
	}
	if strings.Contains(w.log.text(), "msg=done") {
		t.Errorf("the worker finished a file of the stopped run:\n%s", w.log.text())
	}
}

// TestClusterWatch: `vidsift watch --nats` scans the files that settle on
// the cluster's workers.
func TestClusterWatch(t *testing.T) {
	clip, err := os.ReadFile(filepath.Join(testenv.Shared(t, "testdata/videos"), "plant_cup_realshort.mp4"))
	if err != nil {
		t.Fatal(err)
	}
	clusterEnv(t)
	hub := startHub(t, "127.0.0.1:0", t.TempDir(), cluster.Auth{})
	startWorker(t, hub.URL(), "w1")
	tree := t.TempDir()
	p := startProcess(t, "watch", nil, "watch", "--nats", hub.URL(), "--settle", "1s", tree)
	p.log.waitFor(t, "watch", `^watching 1 folder, 0 files`)
	path := filepath.Join(tree, "arrived.mp4")
	testenv.WriteFile(t, path, clip, 0o644)
	p.stdout.waitFor(t, "watch", `^ok .* frames  `+regexp.QuoteMeta(path)+`  .*\(worker w1\)$`)
	if files, _ := libraryCounts(t, os.Getenv(settings.EnvVar(settings.Library))); files != 1 {
		t.Errorf("the library keeps %d results, want 1", files)
	}
}
