package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vidsift/vidsift/engine/groundtruth"
	"github.com/vidsift/vidsift/engine/query"
	"github.com/vidsift/vidsift/internal/testenv"
)

// The README's example commands run on the shared clips (TestReadmeCommands);
// docs_test.go keeps the README short and every link pointing somewhere.

// readmeCommand is one example command of the README: where it is, as
// written, and its words after `vidsift`, as the shell would pass them.
type readmeCommand struct {
	line int
	text string
	args []string
}

// readmeCommands extracts the README's example commands: the lines of its
// ```sh blocks that run `vidsift` or `./vidsift` (`make run` and `make test`
// are not run here: they install and build, and CI runs `make test` itself).
func readmeCommands(t *testing.T) []readmeCommand {
	t.Helper()
	raw, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	var cmds []readmeCommand
	inShell, fenced := false, false
	for i, line := range strings.Split(string(raw), "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "```") {
			fenced = !fenced
			inShell = fenced && strings.TrimPrefix(trimmed, "```") == "sh"
			continue
		}
		if !inShell {
			continue
		}
		if first, _, _ := strings.Cut(trimmed, " "); first != "vidsift" && first != "./vidsift" {
			continue
		}
		words, err := shellWords(trimmed)
		if err != nil {
			t.Errorf("README.md:%d: %q: %v (keep the examples simple commands, runnable as written)", i+1, trimmed, err)
			continue
		}
		text, _, _ := strings.Cut(trimmed, " #")
		cmds = append(cmds, readmeCommand{line: i + 1, text: strings.TrimSpace(text), args: words[1:]})
	}
	return cmds
}

// shellWords splits a command line as sh would, for what the README may
// use: words, '…' and "…" quoting, backslash escapes and a # comment. A
// variable, a substitution, a pipe or a redirection is an error.
func shellWords(line string) ([]string, error) {
	var words []string
	var word strings.Builder
	inWord := false
	runes := []rune(line)
	for i := 0; i < len(runes); i++ {
		r := runes[i]
		switch {
		case r == ' ' || r == '\t':
			if inWord {
				words = append(words, word.String())
				word.Reset()
				inWord = false
			}
		case r == '#' && !inWord:
			return words, nil
		case r == '\'':
			end := slices.Index(runes[i+1:], '\'')
			if end < 0 {
				return nil, errors.New("an unclosed '")
			}
			word.WriteString(string(runes[i+1 : i+1+end]))
			i += end + 1
			inWord = true
		case r == '"':
			i++
			for ; i < len(runes) && runes[i] != '"'; i++ {
				if runes[i] == '$' || runes[i] == '`' {
					return nil, fmt.Errorf("%q in double quotes: this test does not expand it", runes[i])
				}
				if runes[i] == '\\' && i+1 < len(runes) && strings.ContainsRune(`"\$`+"`", runes[i+1]) {
					i++
				}
				word.WriteRune(runes[i])
			}
			if i == len(runes) {
				return nil, errors.New(`an unclosed "`)
			}
			inWord = true
		case r == '\\' && i+1 < len(runes):
			i++
			word.WriteRune(runes[i])
			inWord = true
		case strings.ContainsRune("$`|&;<>()", r):
			return nil, fmt.Errorf("%q outside quotes: this test runs simple commands only", r)
		default:
			word.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		words = append(words, word.String())
	}
	return words, nil
}

// readmeRun is what the README's commands run with.
type readmeRun struct {
	bin, work, dataHome string
	env                 []string
	// videos maps each shared clip the README's ~/Videos stands for to
	// what a person sees in it.
	videos map[string]groundtruth.Expectation
}

// TestReadmeCommands runs the README's example commands, in the README's
// order, with the substitutions below, and holds each to what the README
// says it does. Commands that need a display or a cluster are skipped,
// each with its reason; a command of a kind this test has no check for
// fails until one is added.
func TestReadmeCommands(t *testing.T) {
	cmds := readmeCommands(t)
	bin := buildBinary(t)
	model, library := testenv.Model(t), testenv.Library(t)
	videosDir := testenv.Shared(t, "testdata/videos")
	truth := testenv.Expectations(t, testenv.Shared(t, "testdata/ground_truth.json"))
	testenv.Isolate(t) // empty XDG folders: the default library is a temporary one

	run := readmeRun{bin: bin, work: t.TempDir(), dataHome: os.Getenv("XDG_DATA_HOME"), videos: map[string]groundtruth.Expectation{}}
	run.env = append(os.Environ(), "HOME="+t.TempDir(), "VIDSIFT_MODEL="+model, "VIDSIFT_ONNXRUNTIME_LIBRARY="+library)
	for rel, exp := range truth {
		if dir, name := filepath.Split(filepath.FromSlash(rel)); filepath.Clean(dir) == "videos" {
			run.videos[filepath.Join(videosDir, name)] = exp
		}
	}
	if len(run.videos) == 0 {
		t.Fatal("ground_truth.json names no videos")
	}

	// The README's example paths, and what this test runs them on. Relative
	// paths (all.json, thumbs/) land in the working folder, a temporary one.
	substitutions := map[string]string{
		"~/Videos": videosDir,
		"~/clips":  filepath.Join(run.work, "clips"),
	}

	ran := map[string]bool{}
	for _, c := range cmds {
		t.Run(c.text, func(t *testing.T) {
			if reason := readmeSkip(c.args); reason != "" {
				t.Skipf("README.md:%d: %s", c.line, reason)
			}
			check, kind := readmeCheckFor(c.args)
			ran[kind] = true
			if check == nil {
				t.Fatalf("README.md:%d: no check for `vidsift %s` commands: add one to readmeCheckFor, or a reason to readmeSkip", c.line, kind)
			}
			args, err := substitute(c.args, substitutions)
			if err != nil {
				t.Fatalf("README.md:%d: %v", c.line, err)
			}
			check(t, run, args)
		})
	}
	for _, kind := range []string{"scan", "find", "clips", "watch"} {
		if _, ok := ran[kind]; !ok {
			t.Errorf("the README shows no `vidsift %s` example in a ```sh block", kind)
		}
	}
	// The commands used the temporary library, not the user's.
	if _, err := os.Stat(filepath.Join(run.dataHome, "vidsift", "library.db")); err != nil {
		t.Errorf("no library in the temporary data folder: %v", err)
	}
}

// readmeSkip says why a README command is not run here, or "".
func readmeSkip(args []string) string {
	switch {
	case len(args) == 0:
		return "opens the desktop app, which needs a display (TestSmokeXvfb runs it)"
	case args[0] == "hub" || args[0] == "worker" || slices.ContainsFunc(args, func(a string) bool { return strings.HasPrefix(a, "--nats") }):
		return "needs a cluster (engine/cli's cluster tests run hub, worker and scan --nats)"
	case args[0] == "bench":
		return "measures for minutes (make bench runs it)"
	}
	return ""
}

// substitute replaces the README's ~ paths by what the test runs them on.
func substitute(args []string, substitutions map[string]string) ([]string, error) {
	out := slices.Clone(args)
	for i, a := range out {
		if !strings.HasPrefix(a, "~") {
			continue
		}
		prefix, rest, _ := strings.Cut(a, "/")
		if prefix != "~" {
			return nil, fmt.Errorf("%q: only ~/ paths are substituted", a)
		}
		top, below, _ := strings.Cut(rest, "/")
		to, ok := substitutions["~/"+top]
		if !ok {
			return nil, fmt.Errorf("%q: no substitution for ~/%s: add one to TestReadmeCommands", a, top)
		}
		out[i] = filepath.Join(to, below)
	}
	return out, nil
}

type readmeCheck func(t *testing.T, run readmeRun, args []string)

// readmeCheckFor returns the check of a command, and its kind ("scan",
// "library stats", …).
func readmeCheckFor(args []string) (readmeCheck, string) {
	kind := args[0]
	if kind == "library" {
		for _, a := range args[1:] {
			if !strings.HasPrefix(a, "-") {
				kind += " " + a
				break
			}
		}
	}
	return map[string]readmeCheck{
		"scan":            checkScan,
		"find":            checkFind,
		"clips":           checkClips,
		"export":          checkExport,
		"watch":           checkWatch,
		"library stats":   checkLibraryStats,
		"library missing": checkLibraryMissing,
		"version":         checkVersion,
	}[kind], kind
}

// inWork is where a path the command names lies: relative ones in the
// working folder.
func (run readmeRun) inWork(path string) string {
	if filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(run.work, path)
}

// vidsift runs the binary to its end and returns its exit code and output.
func (run readmeRun) vidsift(t *testing.T, args []string) (code int, stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, run.bin, args...)
	cmd.Dir, cmd.Env = run.work, run.env
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit) && ctx.Err() == nil:
		code = exit.ExitCode()
	default:
		t.Fatalf("vidsift %q: %v\nstderr:\n%s", args, err, errOut.String())
	}
	return code, out.String(), errOut.String()
}

// mustSucceed runs the command and fails the test unless it exits 0.
func (run readmeRun) mustSucceed(t *testing.T, args []string) (stdout, stderr string) {
	t.Helper()
	code, stdout, stderr := run.vidsift(t, args)
	if code != 0 {
		t.Fatalf("exit %d, want 0\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	return stdout, stderr
}

// flagValues reads the values of the flags named in valued from args, and
// returns the other arguments.
func flagValues(args []string, valued ...string) (values map[string]string, positional []string) {
	values = map[string]string{}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") || a == "-" {
			positional = append(positional, a)
			continue
		}
		name, value, hasValue := strings.Cut(a, "=")
		if !hasValue && slices.Contains(valued, name) && i+1 < len(args) {
			i++
			value = args[i]
		}
		values[name] = value
	}
	return values, positional
}

// scannedVideos returns the shared clips at or under the PATHs given.
func (run readmeRun) scannedVideos(paths []string) []string {
	var out []string
	for video := range run.videos {
		for _, p := range paths {
			if rel, err := filepath.Rel(p, video); err == nil && !strings.HasPrefix(rel, "..") {
				out = append(out, video)
				break
			}
		}
	}
	slices.Sort(out)
	return out
}

// checkScan: every shared clip is scanned ok, and the outputs asked for
// hold them.
func checkScan(t *testing.T, run readmeRun, args []string) {
	stdout, _ := run.mustSucceed(t, args)
	flags, paths := flagValues(args[1:], "--classes", "--json", "--csv", "--thumbs", "--conf", "--library")
	videos := run.scannedVideos(paths)
	if len(videos) == 0 {
		t.Fatalf("the scan's PATHs %q hold none of the shared clips", paths)
	}
	for _, v := range videos {
		if !slices.ContainsFunc(strings.Split(stdout, "\n"), func(l string) bool {
			return strings.HasPrefix(l, "ok ") && strings.Contains(l, "  "+v)
		}) {
			t.Errorf("no ok line for %s:\n%s", v, stdout)
		}
	}
	if f := flags["--json"]; f != "" {
		checkScanJSON(t, run.inWork(f), len(videos))
	}
	if f := flags["--csv"]; f != "" {
		checkCSV(t, run.inWork(f), flags["--classes"])
	}
	if dir := flags["--thumbs"]; dir != "" {
		thumbs, _ := filepath.Glob(filepath.Join(run.inWork(dir), "*", "*.jpg"))
		if len(thumbs) == 0 {
			t.Errorf("no thumbnails under %s", dir)
		}
	}
}

func checkScanJSON(t *testing.T, path string, files int) {
	t.Helper()
	doc := testenv.ReadJSON[struct {
		Schema string `json:"schema"`
		Files  []struct {
			Path   string `json:"path"`
			Status string `json:"status"`
		} `json:"files"`
	}](t, path)
	if doc.Schema != "vidsift.scan/v2" || len(doc.Files) != files {
		t.Errorf("%s: schema %q with %d files, want vidsift.scan/v2 with %d", path, doc.Schema, len(doc.Files), files)
	}
}

// checkCSV: the CSV has its header, rows, and only the classes asked for.
func checkCSV(t *testing.T, path, classes string) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rows := strings.Split(strings.TrimSpace(string(raw)), "\n")
	if !strings.HasPrefix(rows[0], "path,time_s,frame,key,class,") || len(rows) < 2 {
		t.Fatalf("%s: not a detections CSV with rows:\n%.500s", path, raw)
	}
	if classes == "" {
		return
	}
	asked := strings.Split(classes, ",")
	for _, row := range rows[1:] {
		if fields := strings.Split(row, ","); len(fields) < 5 || !slices.Contains(asked, fields[4]) {
			t.Errorf("%s: a row of another class than %s: %s", path, classes, row)
		}
	}
}

// certainly says whether the ground truth decides an expression for a file:
// true or false whatever the classes it leaves open turn out to be.
func certainly(e query.Expr, exp groundtruth.Expectation) (value, decided bool) {
	var open []string
	for _, c := range query.Names(e) {
		name := strings.ToLower(c.Name)
		if !slices.Contains(exp.Present, name) && !slices.Contains(exp.Absent, name) {
			open = append(open, name)
		}
	}
	seenTrue, seenFalse := false, false
	for bits := 0; bits < 1<<len(open); bits++ {
		has := func(class string) bool {
			class = strings.ToLower(class)
			if i := slices.Index(open, class); i >= 0 {
				return bits&(1<<i) != 0
			}
			return slices.Contains(exp.Present, class)
		}
		// One class of each group in "either" is seen.
		possible := true
		for _, group := range exp.Either {
			if !slices.ContainsFunc(group, func(c string) bool { return has(c) || !slices.Contains(open, c) && !slices.Contains(exp.Absent, c) }) {
				possible = false
			}
		}
		if !possible {
			continue
		}
		if e.Eval(func(a query.Atom) bool { c, ok := a.(query.Class); return ok && has(c.Name) }) {
			seenTrue = true
		} else {
			seenFalse = true
		}
	}
	return seenTrue, seenTrue != seenFalse
}

// checkFind: find prints the files the ground truth says match, and none it
// says do not.
func checkFind(t *testing.T, run readmeRun, args []string) {
	stdout, _ := run.mustSucceed(t, args)
	flags, positional := flagValues(args[1:], "--conf", "--min-duration", "--json", "--csv", "--library")
	if len(positional) == 0 {
		t.Fatal("no expression")
	}
	expr, err := query.Parse(positional[0])
	if err != nil {
		t.Fatal(err)
	}
	paths := positional[1:]
	if len(paths) == 0 {
		paths = []string{"/"}
	}
	var printed []string
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		path, spans, ok := strings.Cut(line, "  ")
		if !ok || !strings.Contains(spans, "–") {
			t.Errorf("not a match line (path, two spaces, spans): %q", line)
		}
		printed = append(printed, path)
	}
	// --together, --min-duration and --conf narrow a per-file match in ways
	// the ground truth does not decide: only what it rules out is checked.
	narrowed := false
	for _, f := range []string{"--together", "--min-duration", "--conf"} {
		if _, ok := flags[f]; ok {
			narrowed = true
		}
	}
	for _, v := range run.scannedVideos(paths) {
		value, decided := certainly(expr, run.videos[v])
		switch {
		case decided && value && !narrowed && !slices.Contains(printed, v):
			t.Errorf("%s shows %s, but find did not print it:\n%s", v, expr, stdout)
		case decided && !value && slices.Contains(printed, v):
			t.Errorf("%s cannot match %s, but find printed it:\n%s", v, expr, stdout)
		}
	}
	for _, p := range printed {
		if _, ok := run.videos[p]; !ok {
			t.Errorf("find printed %s, which is none of the clips scanned", p)
		}
	}
}

// clipLine is "wrote    CLIP  START–END s of SOURCE".
var clipLine = regexp.MustCompile(`^wrote\s+(.+?)\s+\S+–\S+ s of (.+)$`)

// checkClips: each clip written is in --out and in its clips.json, decodes,
// and comes from a file that may match the expression.
func checkClips(t *testing.T, run readmeRun, args []string) {
	stdout, _ := run.mustSucceed(t, args)
	flags, positional := flagValues(args[1:], "--out", "--conf", "--min-duration", "--pad", "--merge", "--library")
	out := flags["--out"]
	if out == "" || len(positional) == 0 {
		t.Fatalf("no --out or no expression in %q", args)
	}
	expr, err := query.Parse(positional[0])
	if err != nil {
		t.Fatal(err)
	}
	out = run.inWork(out)
	listed, err := os.ReadFile(filepath.Join(out, "clips.json"))
	if err != nil {
		t.Fatal(err)
	}
	written := 0
	for _, line := range strings.Split(stdout, "\n") {
		m := clipLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		written++
		clip, source := m[1], m[2]
		if filepath.Dir(clip) != filepath.Clean(out) || !strings.Contains(string(listed), filepath.Base(clip)) {
			t.Errorf("%s: not in %s, or not listed in its clips.json", clip, out)
		}
		if exp, ok := run.videos[source]; !ok {
			t.Errorf("%s: cut from %s, none of the clips scanned", clip, source)
		} else if value, decided := certainly(expr, exp); decided && !value {
			t.Errorf("%s: cut from %s, which cannot match %s", clip, source, expr)
		}
		// The clip decodes to its end.
		if out, err := exec.Command("ffmpeg", "-v", "error", "-xerror", "-i", clip, "-f", "null", "-").CombinedOutput(); err != nil {
			t.Errorf("%s does not decode: %v\n%s", clip, err, out)
		}
	}
	if written == 0 {
		t.Errorf("no clip written:\n%s", stdout)
	}
}

// checkExport: the exports hold every file the library holds.
func checkExport(t *testing.T, run readmeRun, args []string) {
	run.mustSucceed(t, args)
	flags, paths := flagValues(args[1:], "--json", "--csv", "--classes", "--conf", "--coco", "--yolo", "--images", "--where", "--library")
	if len(paths) == 0 {
		paths = []string{"/"}
	}
	if f := flags["--json"]; f != "" {
		checkScanJSON(t, run.inWork(f), len(run.scannedVideos(paths)))
	}
	if f := flags["--csv"]; f != "" {
		checkCSV(t, run.inWork(f), flags["--classes"])
	}
	if flags["--json"] == "" && flags["--csv"] == "" {
		t.Errorf("no check for the outputs of %q: add one to checkExport", args)
	}
}

// checkWatch: the watch gives each clip its line (answered by the library,
// or scanned), says what it watches, and stops on SIGINT with 130.
func checkWatch(t *testing.T, run readmeRun, args []string) {
	_, paths := flagValues(args[1:], "--settle", "--poll", "--classes", "--conf", "--library")
	waiting := map[string]bool{"watching": true} // what has yet to be said
	for _, v := range run.scannedVideos(paths) {
		waiting[v] = true
	}
	cmd := exec.Command(run.bin, args...)
	cmd.Dir, cmd.Env = run.work, run.env
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Both streams are read to their end; their lines come here.
	type line struct {
		stderr bool
		text   string
	}
	lines := make(chan line)
	readers := make(chan struct{}, 2)
	for _, s := range []struct {
		r      io.Reader
		stderr bool
	}{{stdout, false}, {stderr, true}} {
		go func() {
			sc := bufio.NewScanner(s.r)
			for sc.Scan() {
				lines <- line{s.stderr, sc.Text()}
			}
			readers <- struct{}{}
		}()
	}
	var log strings.Builder
	deadline := time.After(3 * time.Minute)
	signalled, open := false, 2
	for open > 0 {
		select {
		case l := <-lines:
			log.WriteString(l.text + "\n")
			if l.stderr && strings.HasPrefix(l.text, "watching ") {
				delete(waiting, "watching")
			}
			for v := range waiting {
				if !l.stderr && strings.Contains(l.text, "  "+v) {
					delete(waiting, v)
				}
			}
			if len(waiting) == 0 && !signalled {
				signalled = true
				if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
					t.Error(err)
				}
			}
		case <-readers:
			open--
		case <-deadline:
			cmd.Process.Kill()
			deadline = nil
			t.Errorf("after 3 minutes, still waiting for %v", slices.Collect(maps.Keys(waiting)))
		}
	}
	err = cmd.Wait()
	if !signalled {
		t.Fatalf("the watch ended (%v) before saying %v:\n%s", err, slices.Collect(maps.Keys(waiting)), log.String())
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 130 || !strings.Contains(log.String(), "stopped watching") {
		t.Errorf("after SIGINT: %v, want exit 130 and `stopped watching`:\n%s", err, log.String())
	}
}

func checkLibraryStats(t *testing.T, run readmeRun, args []string) {
	stdout, _ := run.mustSucceed(t, args)
	lib := filepath.Join(run.dataHome, "vidsift", "library.db")
	want := fmt.Sprintf("%d ok", len(run.videos))
	if !strings.Contains(stdout, lib) || !strings.Contains(stdout, want) {
		t.Errorf("stats do not name %s with %s:\n%s", lib, want, stdout)
	}
}

func checkLibraryMissing(t *testing.T, run readmeRun, args []string) {
	stdout, stderr := run.mustSucceed(t, args)
	if stdout != "" || !strings.Contains(stderr, "0 missing") {
		t.Errorf("nothing went missing, yet:\nstdout:\n%s\nstderr:\n%s", stdout, stderr)
	}
}

func checkVersion(t *testing.T, run readmeRun, args []string) {
	stdout, _ := run.mustSucceed(t, args)
	for _, want := range []string{"vidsift ", "Go go1.", "FFmpeg ", "ONNX Runtime 1."} {
		if !strings.Contains(stdout, "\n"+want) && !strings.HasPrefix(stdout, want) {
			t.Errorf("no %q line:\n%s", want, stdout)
		}
	}
}
