package cli

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"
	"testing"

	"github.com/vidsift/vidsift/engine/clips"
	"github.com/vidsift/vidsift/engine/media"
	"github.com/vidsift/vidsift/engine/scan"
	"github.com/vidsift/vidsift/internal/testenv"
)

type clipsDoc struct {
	Schema string
	Clips  []clips.Clip
}

// decodesToEnd decodes every frame of a clip and says what went wrong.
func decodesToEnd(t *testing.T, path string) (last float64, damage string, err error) {
	t.Helper()
	f, err := media.Open(context.Background(), path, media.Options{Sampling: scan.Sampling{MaxGap: 0.01}})
	if err != nil {
		return 0, "", err
	}
	defer f.Close()
	out, err := f.Frames(context.Background(), func(k *media.Frame) error { last = k.Time; return nil })
	return last, out.Damage, err
}

// TestClips: the moments where a query holds, cut from the shared clips
// (a hostile name among them): each clip decodes to its end, starts at
// or before its moment and no more than one GOP early, covers it, and
// shows what it was cut for; an existing clip is kept without --force; a
// moved or changed source is skipped and the others are cut; an --out
// that cannot be made fails clearly.
func TestClips(t *testing.T) {
	isolated(t)
	t.Setenv("VIDSIFT_MODEL", testenv.Model(t))
	src := t.TempDir()
	for _, name := range []string{"street_bikes_h264.mp4", "dog_person_vp9.webm", "one_by_one_person_h264.mkv"} {
		testenv.WriteFile(t, filepath.Join(src, name), sharedClip(t, name), 0o644)
	}
	hostile := filepath.Join(src, "new\nline 'q' \"d\".mp4")
	testenv.WriteFile(t, hostile, sharedClip(t, "street_bikes_h264.mp4"), 0o644)
	scanned := byName(t, scanDoc(t, src), src)
	out := filepath.Join(t.TempDir(), "clips")

	code, _, stderr := vidsift(t, "clips", "--out", out, "person", src)
	if code != ExitOK {
		t.Fatalf("clips: exit %d\n%s", code, stderr)
	}
	doc := testenv.ReadJSON[clipsDoc](t, filepath.Join(out, "clips.json"))
	if doc.Schema != "vidsift.clips/v1" || len(doc.Clips) < 4 {
		t.Fatalf("clips.json: %+v", doc)
	}
	for _, c := range doc.Clips {
		rel, _ := filepath.Rel(src, c.Source)
		gop := scanned[rel].Media.KeyframeInterval
		if filepath.Dir(c.Output) != out || strings.ContainsAny(filepath.Base(c.Output), "\n'\" ") {
			t.Errorf("%q: written as %q", c.Source, c.Output)
		}
		if c.CutStart > c.Start+0.001 || c.CutStart < c.Start-gop-0.001 || c.EarlyBy != max(0, roundMs(c.Start-c.CutStart)) {
			t.Errorf("%s: asked from %.3f, starts at %.3f, %.3f early (GOP %.2f s)", c.Output, c.Start, c.CutStart, c.EarlyBy, gop)
		}
		if c.CutEnd < c.End-0.1 {
			t.Errorf("%s: asked to %.3f, ends at %.3f", c.Output, c.End, c.CutEnd)
		}
		last, damage, err := decodesToEnd(t, c.Output)
		if err != nil || damage != "" || last < c.End-c.CutStart-0.2 {
			t.Errorf("%s: decodes to %.3f s (of %.3f), damage %q, %v", c.Output, last, c.End-c.CutStart, damage, err)
		}
		if c.Expression != "person" {
			t.Errorf("%s: expression %q", c.Output, c.Expression)
		}
	}
	// Each clip shows what it was cut for.
	cut := scanDoc(t, "--library", "off", out)
	for _, f := range cut.Files {
		if countDetections(f, 0) == 0 || !strings.Contains(mustJSON(t, f.Spans), `"person"`) {
			t.Errorf("%s shows no person", f.Path)
		}
	}
	if len(cut.Files) != len(doc.Clips) {
		t.Errorf("%d clips scanned, %d written", len(cut.Files), len(doc.Clips))
	}

	// Again: nothing is overwritten without --force.
	if code, _, stderr := vidsift(t, "clips", "--out", out, "person", src); code != ExitSomeBad || !strings.Contains(stderr, "already there") {
		t.Errorf("clips again: exit %d\n%s", code, stderr)
	}
	if again := testenv.ReadJSON[clipsDoc](t, filepath.Join(out, "clips.json")); len(again.Clips) != len(doc.Clips) {
		t.Errorf("clips.json after a run that wrote nothing lists %d clips, want %d", len(again.Clips), len(doc.Clips))
	}
	if code, _, stderr := vidsift(t, "clips", "--force", "--out", out, "person", src); code != ExitOK {
		t.Errorf("clips --force: exit %d\n%s", code, stderr)
	}

	// A moved and a changed source are skipped; the others are cut.
	os.Rename(filepath.Join(src, "dog_person_vp9.webm"), filepath.Join(t.TempDir(), "moved.webm"))
	f, _ := os.OpenFile(filepath.Join(src, "one_by_one_person_h264.mkv"), os.O_APPEND|os.O_WRONLY, 0)
	f.Write([]byte("more"))
	f.Close()
	fresh := filepath.Join(t.TempDir(), "fresh")
	code, _, stderr = vidsift(t, "clips", "--out", fresh, "person", src)
	if code != ExitSomeBad || !strings.Contains(stderr, "no longer there") || !strings.Contains(stderr, "changed since it was scanned") {
		t.Errorf("moved and changed sources: exit %d\n%s", code, stderr)
	}
	if d := testenv.ReadJSON[clipsDoc](t, filepath.Join(fresh, "clips.json")); len(d.Clips) != 2 {
		t.Errorf("%d clips of the two unchanged sources", len(d.Clips))
	}

	// An --out that cannot be made; nothing matched.
	file := filepath.Join(t.TempDir(), "a-file")
	testenv.WriteFile(t, file, nil, 0o644)
	if code, _, stderr := vidsift(t, "clips", "--out", filepath.Join(file, "sub"), "person", src); code != ExitSomeBad || !strings.Contains(stderr, "cannot make the clips folder") {
		t.Errorf("an --out under a file: exit %d\n%s", code, stderr)
	}
	if code, _, _ := vidsift(t, "clips", "--out", fresh, "giraffe"); code != ExitSomeBad {
		t.Errorf("nothing matched: exit %d", code)
	}
}

func roundMs(x float64) float64 { return float64(int64(x*1000+0.5)) / 1000 }

// TestClipsToTheEnd: a moment whose last range holds at the file's last
// analysed frame runs on to the end of the file, not to that frame (what
// was seen may stay on screen until the end), even without padding.
func TestClipsToTheEnd(t *testing.T) {
	isolated(t)
	t.Setenv("VIDSIFT_MODEL", testenv.Model(t))
	src := t.TempDir()
	testenv.WriteFile(t, filepath.Join(src, "dog_person_vp9.webm"), sharedClip(t, "dog_person_vp9.webm"), 0o644)
	scanned := byName(t, scanDoc(t, src), src)["dog_person_vp9.webm"]
	frames := scanned.Frames
	if len(frames) == 0 || !strings.Contains(mustJSON(t, frames[len(frames)-1].Detections), `"person"`) {
		t.Fatalf("the shared clip's last analysed frame shows no person: %s", mustJSON(t, frames))
	}
	last, duration := frames[len(frames)-1].Time, scanned.Media.Duration
	if duration-last < 0.2 {
		t.Fatalf("the last analysed frame at %.3f s is too close to the end (%.3f s) to tell", last, duration)
	}
	doc := unpaddedClips(t, "person", src)
	end := doc.Clips[len(doc.Clips)-1]
	if end.End != roundMs(duration) || end.CutEnd < duration-0.1 {
		t.Errorf("the last moment asked to %.3f s and cut to %.3f s; the file ends at %.3f s (its last analysed frame at %.3f s)", end.End, end.CutEnd, duration, last)
	}
}

// TestClipsPhotos: photos in the library (a PNG, a JPEG) are skipped with
// a line saying why, leave nothing in the folder, and do not fail the run;
// the video's clip is cut and counted ("1 clip").
func TestClipsPhotos(t *testing.T) {
	isolated(t)
	t.Setenv("VIDSIFT_MODEL", testenv.Model(t))
	src := t.TempDir()
	testenv.WriteFile(t, filepath.Join(src, "street_bikes_h264.mp4"), sharedClip(t, "street_bikes_h264.mp4"), 0o644)
	photos := []string{"astronaut_person.png", "person_dog_horse.jpg"}
	for _, name := range photos {
		raw, err := os.ReadFile(testenv.Shared(t, "testdata/photos/"+name))
		if err != nil {
			t.Fatal(err)
		}
		testenv.WriteFile(t, filepath.Join(src, name), raw, 0o644)
	}
	scanDoc(t, src)
	out := filepath.Join(t.TempDir(), "clips")
	code, stdout, stderr := vidsift(t, "clips", "--out", out, "person", src)
	if code != ExitOK {
		t.Errorf("clips over a library with photos: exit %d\n%s", code, stderr)
	}
	for _, name := range photos {
		if !strings.Contains(stderr, "skipped  "+filepath.Join(src, name)+" is a photo") {
			t.Errorf("no line says %s is skipped as a photo:\n%s", name, stderr)
		}
	}
	entries, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	doc := testenv.ReadJSON[clipsDoc](t, filepath.Join(out, "clips.json"))
	if len(entries) != 2 || len(doc.Clips) != 1 || filepath.Base(doc.Clips[0].Output) != entries[1].Name() ||
		!strings.HasSuffix(doc.Clips[0].Output, ".mp4") {
		t.Fatalf("the clips folder holds %v; clips.json lists %+v", entries, doc.Clips)
	}
	// Results on stdout (the clip and the count), the skips on stderr.
	if !strings.HasPrefix(stdout, "wrote    ") || !strings.Contains(stdout, "\n1 clip written to "+out) || strings.Contains(stdout, "skipped") {
		t.Errorf("the clip and the count of one clip on stdout:\n%s", stdout)
	}
}

// TestClipsInterrupted: `vidsift clips` as a process, sent SIGINT once it
// wrote its first clip, exits 130 saying how many clips it wrote (1) and
// clips.json lists it; killed (-9) once it wrote its first clip, a run
// again skips that clip, cuts the others, and clips.json lists every clip
// in the folder; no temporary file is left.
func TestClipsInterrupted(t *testing.T) {
	isolated(t)
	t.Setenv("VIDSIFT_MODEL", testenv.Model(t))
	src := t.TempDir()
	for _, name := range []string{"street_bikes_h264.mp4", "dog_person_vp9.webm"} {
		testenv.WriteFile(t, filepath.Join(src, name), sharedClip(t, name), 0o644)
	}
	scanDoc(t, src)
	args := []string{"clips", "--pad", "0", "--merge", "0", "person", src, "--out"}

	out := filepath.Join(t.TempDir(), "interrupted")
	cmd := cliProcess(append(args, out)...)
	cmd.Env = append(cmd.Env, signalAfterClip+"=INT")
	stderr, err := cmd.CombinedOutput()
	files, listed := clipsIn(t, out)
	if cmd.ProcessState.ExitCode() != ExitInterrupted || !strings.Contains(string(stderr), "1 clip written, none partly") ||
		len(files) != 1 || !slices.Equal(files, listed) {
		t.Errorf("SIGINT after a clip: %v; clips %v, clips.json lists %v\n%s", err, files, listed, stderr)
	}

	out = filepath.Join(t.TempDir(), "killed")
	cmd = cliProcess(append(args, out)...)
	cmd.Env = append(cmd.Env, signalAfterClip+"=KILL")
	if stderr, err := cmd.CombinedOutput(); cmd.ProcessState.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("not killed: %v\n%s", err, stderr)
	}
	first, _ := clipsIn(t, out)
	code, _, again := vidsift(t, append(args, out)...)
	files, listed = clipsIn(t, out)
	if code != ExitSomeBad || !strings.Contains(again, "already there") || len(first) != 1 || len(files) < 2 || !slices.Equal(files, listed) {
		t.Errorf("again after kill -9: exit %d; the killed run left %v; clips %v, clips.json lists %v\n%s", code, first, files, listed, again)
	}
}

// clipsIn are the files in a clips folder but clips.json, and the outputs
// its clips.json lists, both sorted; a temporary file left fails the test.
func clipsIn(t *testing.T, dir string) (files, listed []string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".part") {
			t.Errorf("%s: a temporary file is left: %s", dir, e.Name())
		}
		if e.Name() != "clips.json" {
			files = append(files, filepath.Join(dir, e.Name()))
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "clips.json")); err == nil {
		for _, c := range testenv.ReadJSON[clipsDoc](t, filepath.Join(dir, "clips.json")).Clips {
			listed = append(listed, c.Output)
		}
	}
	sort.Strings(listed)
	return files, listed
}

// TestClipsMPEGTS: the moments of an MPEG-TS remux of a shared clip (its
// timestamps start at 1.4 s, and it seeks by decode time) are cut from
// the keyframe at or before each moment, no more than one GOP early.
func TestClipsMPEGTS(t *testing.T) {
	isolated(t)
	t.Setenv("VIDSIFT_MODEL", testenv.Model(t))
	src := t.TempDir()
	ts := filepath.Join(src, "stream.ts")
	if out, err := exec.Command("ffmpeg", "-v", "error", "-i", testenv.Shared(t, "testdata/videos/street_bikes_h264.mp4"), "-c", "copy", ts).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, out)
	}
	gop := byName(t, scanDoc(t, src), src)["stream.ts"].Media.KeyframeInterval
	doc := unpaddedClips(t, "person & bicycle", src)
	for _, c := range doc.Clips {
		if c.CutStart > c.Start+0.001 || c.CutStart < c.Start-gop-0.001 || c.CutEnd < c.End-0.1 || c.Container != "mpegts" {
			t.Errorf("%s: asked %.3f–%.3f, cut %.3f–%.3f (GOP %.2f s), %s", c.Output, c.Start, c.End, c.CutStart, c.CutEnd, gop, c.Container)
		}
		last, damage, err := decodesToEnd(t, c.Output)
		if err != nil || damage != "" || last < c.End-c.CutStart-0.2 {
			t.Errorf("%s: decodes to %.3f s (of %.3f), damage %q, %v", c.Output, last, c.End-c.CutStart, damage, err)
		}
	}
}

// unpaddedClips runs clips --pad 0 for expr over src into a new folder and
// returns its clips.json, which must list a clip.
func unpaddedClips(t *testing.T, expr, src string) clipsDoc {
	t.Helper()
	out := filepath.Join(t.TempDir(), "clips")
	if code, _, stderr := vidsift(t, "clips", "--pad", "0", "--out", out, expr, src); code != ExitOK {
		t.Fatalf("clips: exit %d\n%s", code, stderr)
	}
	doc := testenv.ReadJSON[clipsDoc](t, filepath.Join(out, "clips.json"))
	if len(doc.Clips) == 0 {
		t.Fatal("no clip")
	}
	return doc
}
