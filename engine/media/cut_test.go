package media

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/asticode/go-astiav"

	"github.com/vidsift/vidsift/engine/scan"
	"github.com/vidsift/vidsift/internal/testenv"
)

// openInput opens path with FFmpeg for the test, closed when it ends.
func openInput(t *testing.T, path string) *astiav.FormatContext {
	t.Helper()
	fc := astiav.AllocFormatContext()
	if err := fc.OpenInput(path, nil, nil); err != nil {
		fc.Free()
		t.Fatal(err)
	}
	t.Cleanup(func() { fc.CloseInput(); fc.Free() })
	if err := fc.FindStreamInfo(nil); err != nil {
		t.Fatal(err)
	}
	return fc
}

// audioStreams counts a file's audio streams.
func audioStreams(t *testing.T, path string) int {
	t.Helper()
	fc := openInput(t, path)
	n := 0
	for _, s := range fc.Streams() {
		if s.CodecParameters().MediaType() == astiav.MediaTypeAudio {
			n++
		}
	}
	return n
}

// TestCut: a stretch cut by stream copy from each kind of source starts
// at the keyframe at or before the start asked for (no more than one GOP
// early), covers the stretch, decodes to its end without damage, keeps
// the audio and stays upright; CutFrom, given the clip later, says the same.
func TestCut(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		src        string
		start, end float64
		ext        string
	}{
		{testenv.Shared(t, "testdata/videos/street_bikes_h264.mp4"), 2, 4, ".mp4"},
		{testenv.Shared(t, "testdata/videos/dog_person_vp9.webm"), 1.5, 3.5, ".webm"},
		{testenv.Shared(t, "testdata/videos/one_by_one_person_h264.mkv"), 5, 9, ".mkv"},
		{testenv.Fixture(t, "rotated90.mp4"), 0.5, 1.5, ".mp4"},
		{testenv.Fixture(t, "static_10s_gop.mp4"), 12, 14, ".mp4"},
		{testenv.Shared(t, "testdata/videos/plant_cup_realshort.mp4"), 0, 0.5, ".mp4"},
		{testenv.Shared(t, "testdata/videos/pedestrians_vtest_xvid.avi"), 3.3, 6.7, ".avi"},
	} {
		name := filepath.Base(c.src)
		srcInfo, srcOut, _, _, err := decodeAll(t, c.src, Options{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		dst := filepath.Join(dir, name+"_clip"+c.ext)
		info, err := Cut(context.Background(), c.src, dst, c.start, c.end)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		gop := max(srcOut.KeyframeInterval, 0.05)
		if info.Start > c.start+0.001 || info.Start < c.start-gop-0.001 {
			t.Errorf("%s: starts at %.3f for %.3f (GOP %.2f s)", name, info.Start, c.start, gop)
		}
		if again, err := CutFrom(context.Background(), c.src, dst, c.start); err != nil || again.Start != info.Start ||
			math.Abs(again.End-info.End) > 0.001 || again.Container != info.Container || len(again.Dropped) != len(info.Dropped) {
			t.Errorf("%s: the clip found again is %+v (%v), cut as %+v", name, again, err, info)
		}
		want := min(c.end, srcInfo.Duration)
		if info.End < want-0.1 {
			t.Errorf("%s: ends at %.3f, the stretch at %.3f", name, info.End, want)
		}
		got, out, frames, _, err := decodeAll(t, dst, Options{Sampling: scan.Sampling{MaxGap: 0.01}})
		if err != nil || out.Damage != "" || len(frames) == 0 {
			t.Errorf("%s: the clip decodes with %v, damage %q, %d frames", name, err, out.Damage, len(frames))
			continue
		}
		if last := frames[len(frames)-1].Time; last < want-info.Start-0.2 {
			t.Errorf("%s: the clip's last frame at %.3f s, the stretch needs %.3f s", name, last, want-info.Start)
		}
		if got.Rotation != srcInfo.Rotation || got.Width != srcInfo.Width || got.Height != srcInfo.Height {
			t.Errorf("%s: clip %d×%d rotated %d, source %d×%d rotated %d", name, got.Width, got.Height, got.Rotation, srcInfo.Width, srcInfo.Height, srcInfo.Rotation)
		}
		if a, b := audioStreams(t, c.src), audioStreams(t, dst); a != b {
			t.Errorf("%s: %d audio streams, the clip %d", name, a, b)
		}
		t.Logf("%s: asked %.3f–%.3f, wrote %.3f–%.3f (%s), %d frames", name, c.start, c.end, info.Start, info.End, info.Container, len(frames))
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 7 {
		t.Errorf("%d files in the output folder, want the 7 clips and nothing else", len(entries))
	}
}

// TestCutRaw: a raw stream, whose packets have no times, fails clearly
// and leaves nothing.
func TestCutRaw(t *testing.T) {
	dir := t.TempDir()
	_, err := Cut(context.Background(), testenv.Fixture(t, "raw.h264"), filepath.Join(dir, "raw.mkv"), 1, 2)
	if !errors.Is(err, ErrNoTimestamps) {
		t.Errorf("a raw H.264 stream: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("left behind: %v", entries)
	}
}

// TestCutCancelled: cancelled before or while it reads, a cut says so
// and leaves nothing behind.
func TestCutCancelled(t *testing.T) {
	dir := t.TempDir()
	src := testenv.Shared(t, "testdata/videos/street_bikes_h264.mp4")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Cut(ctx, src, filepath.Join(dir, "x.mp4"), 0, 5); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled before: %v", err)
	}
	// Cancelled once it has opened the file (its first read interrupted).
	m, err := Open(context.Background(), src, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	tmp := filepath.Join(dir, "y.part")
	if _, err := m.cut(ctx, filepath.Join(dir, "y.mp4"), tmp, 0, 5); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled while reading: %v", err)
	}
	os.Remove(tmp) // Cut removes it; m.cut leaves that to Cut
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("left behind: %v", entries)
	}
}

// TestCutStartOffsets: whatever the container and wherever its timestamps
// start (MPEG-TS, which seeks by dts, starting at 1.4 s or just before the
// 33-bit wrap-around; MP4 and Matroska moved 5 s on), a cut at or after a
// keyframe of the scan's stream time starts at that keyframe: the clip's
// first picture is the source's frame there, and Start says so; CutFrom,
// given the clip later, finds the same start and end.
func TestCutStartOffsets(t *testing.T) {
	src := testenv.Shared(t, "testdata/videos/street_bikes_h264.mp4")
	dir := t.TempDir()
	remuxes := map[string][]string{
		"stream.ts": nil,
		"wraps.ts":  {"-output_ts_offset", "95443"}, // 2^33 ticks of 90 kHz are 95443.7 s
		"moved.mp4": {"-output_ts_offset", "5"},
		"moved.mkv": {"-output_ts_offset", "5"},
	}
	for name, extra := range remuxes {
		path := filepath.Join(dir, name)
		args := append(append([]string{"-v", "error", "-i", src, "-c", "copy"}, extra...), path)
		if out, err := exec.Command("ffmpeg", args...).CombinedOutput(); err != nil {
			t.Fatalf("ffmpeg %v: %v\n%s", args, err, out)
		}
		_, _, frames, pictures, err := decodeAll(t, path, Options{Sampling: scan.Sampling{MaxGap: 0.01}})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var keyframes []float64
		picture := map[float64][]byte{}
		for i, k := range frames {
			picture[k.Time] = pictures[i]
			if k.Kind == scan.KeyFrame {
				keyframes = append(keyframes, k.Time)
			}
		}
		if len(keyframes) < 3 || keyframes[0] != 0 {
			t.Fatalf("%s: keyframes at %v", name, keyframes)
		}
		for i, key := range keyframes {
			for _, start := range []float64{key, key + 0.1} {
				clip := filepath.Join(dir, fmt.Sprintf("%s_%d_%.3f%s", name, i, start, filepath.Ext(name)))
				info, err := Cut(context.Background(), path, clip, start, start+1)
				if err != nil {
					t.Errorf("%s from %.3f: %v", name, start, err)
					continue
				}
				if math.Abs(info.Start-key) > 0.001 {
					t.Errorf("%s from %.3f: starts at %.3f, not at the keyframe at %.3f", name, start, info.Start, key)
				}
				// What a later run, finding the clip there, says it is.
				if again, err := CutFrom(context.Background(), path, clip, start); err != nil || again.Start != info.Start ||
					math.Abs(again.End-info.End) > 0.001 || again.Container != info.Container || again.FromStart != info.FromStart {
					t.Errorf("%s from %.3f: the clip found again is %+v (%v), cut as %+v", name, start, again, err, info)
				}
				_, _, got, gotPictures, err := decodeAll(t, clip, Options{})
				if err != nil || len(got) == 0 {
					t.Errorf("%s from %.3f: the clip decodes with %v, %d frames", name, start, err, len(got))
					continue
				}
				if !bytes.Equal(gotPictures[0], picture[key]) {
					t.Errorf("%s from %.3f: the clip's first picture is not the source's at %.3f", name, start, key)
				}
			}
		}
	}
}

// TestCutMode: a clip's mode is 0644 less the umask, as every other
// output's (not the 0600 of a temporary file).
func TestCutMode(t *testing.T) {
	src := testenv.Shared(t, "testdata/videos/street_bikes_h264.mp4")
	dir := t.TempDir()
	for _, c := range []struct {
		umask int
		want  os.FileMode
	}{{0o022, 0o644}, {0o027, 0o640}, {0o002, 0o644}} {
		old := syscall.Umask(c.umask)
		dst := filepath.Join(dir, fmt.Sprintf("clip_%o.mp4", c.umask))
		_, err := Cut(context.Background(), src, dst, 2, 3)
		syscall.Umask(old)
		if err != nil {
			t.Fatal(err)
		}
		if fi, err := os.Stat(dst); err != nil || fi.Mode().Perm() != c.want {
			t.Errorf("umask %03o: the clip's mode is %v (%v), want %v", c.umask, fi.Mode().Perm(), err, c.want)
		}
	}
}

// TestCutPhoto: a photo, PNG or JPEG, has nothing to cut: Cut says so
// and leaves nothing, neither under the clip's name nor a temporary file.
func TestCutPhoto(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"astronaut_person.png", "person_dog_horse.jpg"} {
		dst := filepath.Join(dir, name)
		if _, err := Cut(context.Background(), testenv.Shared(t, "testdata/photos/"+name), dst, 0, 1); !errors.Is(err, ErrStill) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("left behind: %v", entries)
	}
}

// streamEnds is where each kind of stream in a file ends (its last
// packet's time plus duration, seconds from the file's first packet).
func streamEnds(t *testing.T, path string) map[astiav.MediaType]float64 {
	t.Helper()
	fc := openInput(t, path)
	pkt := astiav.AllocPacket()
	defer pkt.Free()
	first, ends := math.Inf(1), map[astiav.MediaType]float64{}
	for fc.ReadFrame(pkt) == nil {
		s := fc.Streams()[pkt.StreamIndex()]
		if pkt.Pts() != astiav.NoPtsValue {
			tb := s.TimeBase().Float64()
			first = min(first, float64(pkt.Pts())*tb)
			kind := s.CodecParameters().MediaType()
			ends[kind] = max(ends[kind], float64(pkt.Pts()+pkt.Duration())*tb)
		}
		pkt.Unref()
	}
	for k := range ends {
		ends[k] -= first
	}
	return ends
}

// TestCutLastGOPKeepsAudio: a stretch in an MPEG-TS's last GOP, where the
// seek lands past the last keyframe and the cut seeks back, keeps its
// audio to the end of the stretch (the audio read before the seek back
// must not count as done).
func TestCutLastGOPKeepsAudio(t *testing.T) {
	src := filepath.Join(t.TempDir(), "stream.ts")
	args := []string{"-v", "error", "-i", testenv.Shared(t, "testdata/videos/plant_cup_realshort.mp4"), "-c", "copy", src}
	if out, err := exec.Command("ffmpeg", args...).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg %v: %v\n%s", args, err, out)
	}
	srcEnds := streamEnds(t, src)
	if srcEnds[astiav.MediaTypeAudio] == 0 || srcEnds[astiav.MediaTypeVideo] < 1.1 {
		t.Fatalf("the source's streams end at %v", srcEnds)
	}
	for _, end := range []float64{1.1, 1.15, 10} {
		dst := filepath.Join(t.TempDir(), "end.ts")
		info, err := Cut(context.Background(), src, dst, 1.05, end)
		if err != nil {
			t.Fatal(err)
		}
		ends := streamEnds(t, dst)
		// The audio runs to the end asked for (or the source's), within
		// an audio frame.
		want := min(end, srcEnds[astiav.MediaTypeAudio]) - info.Start
		if got := ends[astiav.MediaTypeAudio]; got < want-0.03 {
			t.Errorf("the clip %.3f–%.3f s: audio ends at %.3f s of the clip, want %.3f (video %.3f)", info.Start, end, got, want, ends[astiav.MediaTypeVideo])
		}
	}
}
