package media

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/asticode/go-astiav"

	"github.com/vidsift/vidsift/engine/scan"
	"github.com/vidsift/vidsift/internal/testenv"
)

// decodeAll opens path and returns its info, outcome and analysed frames as 64×64 RGB.
func decodeAll(t testing.TB, path string, opts Options) (scan.MediaInfo, Outcome, []Frame, [][]byte, error) {
	t.Helper()
	f, err := Open(context.Background(), path, opts)
	if err != nil {
		return scan.MediaInfo{}, Outcome{}, nil, nil, err
	}
	defer f.Close()
	var kfs []Frame
	var rgbs [][]byte
	out, err := f.Frames(context.Background(), func(k *Frame) error {
		buf := make([]byte, 64*64*3)
		if err := k.RGB(64, 64, buf); err != nil {
			return err
		}
		kfs = append(kfs, Frame{Index: k.Index, Time: k.Time, Kind: k.Kind, Width: k.Width, Height: k.Height})
		rgbs = append(rgbs, buf)
		return nil
	})
	return f.Info(), out, kfs, rgbs, err
}

// TestSharedKeyframeCounts: a keyframe-only decode yields exactly the key
// packets ground_truth.json counts, with increasing times, and clean files
// are never partial.
func TestSharedKeyframeCounts(t *testing.T) {
	root := testenv.Shared(t, "testdata")
	raw, err := os.ReadFile(filepath.Join(root, "ground_truth.json"))
	if err != nil {
		t.Fatal(err)
	}
	var gt map[string]json.RawMessage
	if err := json.Unmarshal(raw, &gt); err != nil {
		t.Fatal(err)
	}
	for rel, v := range gt {
		if rel[0] == '_' {
			continue
		}
		var exp struct{ Keyframes *int }
		_ = json.Unmarshal(v, &exp)
		t.Run(rel, func(t *testing.T) {
			info, out, kfs, _, err := decodeAll(t, filepath.Join(root, rel), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if out.Damage != "" {
				t.Errorf("clean file reported damaged: %s", out.Damage)
			}
			want := 1 // photos
			if exp.Keyframes != nil {
				want = *exp.Keyframes
			}
			if len(kfs) != want || out.Frames != want {
				t.Errorf("%d keyframes (outcome %d), want %d", len(kfs), out.Frames, want)
			}
			if info.Still != strings.HasPrefix(rel, "photos/") {
				t.Errorf("still = %v", info.Still)
			}
			for i := 1; i < len(kfs); i++ {
				if kfs[i].Time <= kfs[i-1].Time {
					t.Errorf("time %.3f after %.3f", kfs[i].Time, kfs[i-1].Time)
				}
			}
			if kfs[0].Width != info.Width || kfs[0].Height != info.Height {
				t.Errorf("keyframe %dx%d, info %dx%d", kfs[0].Width, kfs[0].Height, info.Width, info.Height)
			}
		})
	}
	checkAllFreed(t)
}

// TestStreetKeyframeTimes checks timestamps against the scene cuts the
// shared clip is documented to have.
func TestStreetKeyframeTimes(t *testing.T) {
	_, _, kfs, _, err := decodeAll(t, testenv.Shared(t, "testdata/videos/street_bikes_h264.mp4"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{0, 1.2, 3.04, 5.48, 7.48, 9.68}
	for i, k := range kfs {
		if i >= len(want) || k.Time != want[i] {
			t.Fatalf("times %v, want %v", kfs, want)
		}
	}
}

// TestRotationUpright: the phone-style fixture (stored sideways, display
// matrix 90°) decodes to the same upright picture as the plain clip.
func TestRotationUpright(t *testing.T) {
	info, _, kfs, rot, err := decodeAll(t, testenv.Fixture(t, "rotated90.mp4"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if info.Rotation != 90 || info.Width != 640 || info.Height != 424 || kfs[0].Width != 640 {
		t.Fatalf("rotation %d, size %dx%d, keyframe %dx%d", info.Rotation, info.Width, info.Height, kfs[0].Width, kfs[0].Height)
	}
	_, _, _, plain, err := decodeAll(t, testenv.Fixture(t, "h264.mp4"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if d := meanAbsDiff(rot[0], plain[0]); d > 6 {
		t.Errorf("rotated keyframe differs from the upright clip by %.1f per channel", d)
	}
	// The same picture un-rotated would differ a lot: the check can fail.
	sideways := make([]byte, len(plain[0]))
	rotateRGB(plain[0], 64, 64, 90, sideways)
	if d := meanAbsDiff(rot[0], sideways); d < 15 {
		t.Errorf("rotated keyframe also matches a sideways picture (%.1f): the test proves nothing", d)
	}
}

func meanAbsDiff(a, b []byte) float64 {
	sum := 0
	for i := range a {
		d := int(a[i]) - int(b[i])
		if d < 0 {
			d = -d
		}
		sum += d
	}
	return float64(sum) / float64(len(a))
}

func TestRotateRGB(t *testing.T) {
	// 3×2 image, pixel value = its number.
	src := []byte{1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 6}
	cases := map[int][]byte{
		90:  {4, 1, 5, 2, 6, 3},
		180: {6, 5, 4, 3, 2, 1},
		270: {3, 6, 2, 5, 1, 4},
	}
	for deg, want := range cases {
		dst := make([]byte, len(src))
		rotateRGB(src, 3, 2, deg, dst)
		for i, w := range want {
			if dst[i*3] != w {
				t.Errorf("%d°: got %v, want %v", deg, dst, want)
				break
			}
		}
	}
}

// TestOpenErrors: unusable inputs give clear errors and leak nothing.
func TestOpenErrors(t *testing.T) {
	cases := map[string]string{
		"zero.mp4":                "empty file",
		"text.mp4":                "not a media file",
		"audio_only.m4a":          "no video stream",
		"truncated_index_end.mp4": "cannot open",
		"folder/pipe.mp4":         "named pipe",
	}
	for name, want := range cases {
		_, _, _, _, err := decodeAll(t, testenv.Fixture(t, name), Options{})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want it to mention %q", name, err, want)
		}
	}
	_, _, _, _, err := decodeAll(t, filepath.Join(t.TempDir(), "missing.mp4"), Options{})
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	checkAllFreed(t)
}

// TestTruncatedIsPartial: a file cut in half (index at the front) still
// yields its first keyframes and says it is damaged.
func TestTruncatedIsPartial(t *testing.T) {
	_, out, kfs, _, err := decodeAll(t, testenv.Fixture(t, "truncated_index_front.mp4"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(kfs) == 0 || !strings.Contains(out.Damage, "truncated") {
		t.Errorf("%d keyframes, damage %q", len(kfs), out.Damage)
	}
}

// TestCancelledDecode stops at once when the context is cancelled.
func TestCancelledDecode(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	f, err := Open(ctx, testenv.Shared(t, "testdata/videos/one_by_one_person_h264.mkv"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := 0
	_, err = f.Frames(ctx, func(k *Frame) error {
		n++
		cancel()
		return nil
	})
	if !errors.Is(err, context.Canceled) || n != 1 {
		t.Errorf("err %v after %d keyframes", err, n)
	}
}

// TestConcurrentOpen opens and decodes every shared file from 8 goroutines at
// once. It passes under -race without a global lock around FFmpeg's open
// calls, which is why open.go takes none.
func TestConcurrentOpen(t *testing.T) {
	root := testenv.Shared(t, "testdata")
	files, _ := filepath.Glob(filepath.Join(root, "videos", "*"))
	photos, _ := filepath.Glob(filepath.Join(root, "photos", "*"))
	files = append(files, photos...)
	var wg sync.WaitGroup
	errs := make(chan error, 8*len(files))
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, p := range files {
				if _, out, _, _, err := decodeAll(t, p, Options{DecoderThreads: 2}); err != nil || out.Frames == 0 {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	checkAllFreed(t)
}

// BenchmarkKeyframeDecode decodes the keyframes of every shared clip and
// converts each to the model's letterboxed size.
func BenchmarkKeyframeDecode(b *testing.B) {
	files, _ := filepath.Glob(filepath.Join(testenv.Shared(b, "testdata"), "videos", "*"))
	buf := make([]byte, 640*640*3)
	kfs := 0
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		for _, p := range files {
			f, err := Open(context.Background(), p, Options{})
			if err != nil {
				b.Fatal(err)
			}
			_, err = f.Frames(context.Background(), func(k *Frame) error {
				kfs++
				return k.RGB(640, 360, buf)
			})
			f.Close()
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(kfs)/b.Elapsed().Seconds(), "keyframes/s")
}

// TestReadFrameAt decodes analysed frames again by their time, keyframes
// and gap frames alike, and refuses a time where no frame is.
func TestReadFrameAt(t *testing.T) {
	p := testenv.Shared(t, "testdata/videos/street_bikes_h264.mp4")
	f, err := Open(context.Background(), p, Options{Sampling: scan.Sampling{MaxGap: 2, MinGap: 0.5}})
	if err != nil {
		t.Fatal(err)
	}
	type scanned struct {
		time float64
		key  bool
		rgb  []byte
	}
	var frames []scanned
	_, err = f.Frames(context.Background(), func(k *Frame) error {
		rgb := make([]byte, k.Width*k.Height*3)
		frames = append(frames, scanned{k.Time, (k.Kind == scan.KeyFrame), rgb})
		return k.RGB(k.Width, k.Height, rgb)
	})
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	var sawGap bool
	for i, fr := range frames {
		img, err := ReadFrameAt(context.Background(), p, fr.time, 0, Options{})
		if err != nil {
			t.Fatalf("frame %d at %.3f s (key %v): %v", i, fr.time, fr.key, err)
		}
		rgb := make([]byte, 0, len(fr.rgb))
		for j := 0; j < len(img.Pix); j += 4 {
			rgb = append(rgb, img.Pix[j:j+3]...)
		}
		if d := meanAbsDiff(rgb, fr.rgb); d > 1 {
			t.Errorf("frame %d at %.3f s (key %v) read back as another picture (mean difference %.1f)", i, fr.time, fr.key, d)
		}
		sawGap = sawGap || !fr.key
	}
	if !sawGap {
		t.Error("no gap frame to read back")
	}
	if _, err := ReadFrameAt(context.Background(), p, 99, 0, Options{}); err == nil || !strings.Contains(err.Error(), "no frame at 99.000") {
		t.Errorf("past the end: %v", err)
	}
	// Containers that seek badly or not at all (a raw elementary stream has
	// no index; MJPEG in AVI, Matroska, MPEG-TS) still give every frame back.
	for _, name := range []string{"raw.h264", "mjpeg_10fps.avi", "one_keyframe_person.mkv", "h264.ts"} {
		fx := testenv.Fixture(t, name)
		_, _, frames, _, err := decodeAll(t, fx, Options{Sampling: scan.Sampling{MaxGap: 2, MinGap: 0.5}})
		if err != nil {
			t.Fatal(err)
		}
		for _, fr := range frames {
			if _, err := ReadFrameAt(context.Background(), fx, fr.Time, 64, Options{}); err != nil {
				t.Errorf("%s: %v", name, err)
			}
		}
	}
	checkAllFreed(t)
}

// TestCoverArt: a clip carrying a larger cover picture is decoded from its
// video stream, and the cover is recognised as such (this also checks that
// isAttachedPic reads go-astiav's Stream correctly).
func TestCoverArt(t *testing.T) {
	for _, name := range []string{"cover_art.mp4", "cover_art_attachment.mkv"} {
		f, err := Open(context.Background(), testenv.Fixture(t, name), Options{})
		if err != nil {
			t.Fatal(err)
		}
		var covers []int
		for _, s := range f.fc.Streams() {
			if isAttachedPic(s) {
				covers = append(covers, s.Index())
			}
		}
		info := f.Info()
		f.Close()
		if len(covers) != 1 || covers[0] != 1 || info.Codec != "h264" || info.Width != 640 || info.Height != 424 {
			t.Errorf("%s: cover streams %v, decoding %s %dx%d", name, covers, info.Codec, info.Width, info.Height)
		}
	}
	if _, err := Open(context.Background(), testenv.Fixture(t, "song_with_cover.m4a"), Options{}); !errors.Is(err, ErrNoVideo) {
		t.Errorf("a song with cover art: %v", err)
	}
}

func TestDisplaySize(t *testing.T) {
	for _, c := range []struct {
		w, h, num, den, wantW, wantH int
	}{
		{720, 576, 16, 15, 768, 576},   // PAL 4:3
		{720, 480, 32, 27, 853, 480},   // NTSC 16:9
		{1440, 1080, 4, 3, 1920, 1080}, // HDV
		{640, 340, 4, 5, 640, 425},     // tall pixels: stretch the height
		{640, 424, 1, 1, 640, 424},     // square
		{640, 424, 0, 1, 640, 424},     // unset
		{640, 424, 1000, 1, 640, 424},  // implausible: ignored
	} {
		w, h := displaySize(c.w, c.h, astiav.NewRational(c.num, c.den))
		if w != c.wantW || h != c.wantH {
			t.Errorf("%dx%d at %d:%d = %dx%d, want %dx%d", c.w, c.h, c.num, c.den, w, h, c.wantW, c.wantH)
		}
	}
}

// checkAllFreed fails the test if any FFmpeg object it allocated is still open.
func checkAllFreed(t *testing.T) {
	t.Helper()
	if n := OpenObjects(); n != 0 {
		t.Errorf("%d FFmpeg objects left open", n)
	}
}

// TestFFmpegLog: FFmpeg's messages about a damaged file reach the logger
// its Options name, with the file; a file opened without one logs nothing.
func TestFFmpegLog(t *testing.T) {
	p := testenv.Fixture(t, "corrupt_middle.mp4")
	decode := func(l *slog.Logger) Outcome {
		f, err := Open(context.Background(), p, Options{Sampling: scan.DefaultParams().Sampling, DecoderThreads: 1, Log: l})
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		out, err := f.Frames(context.Background(), func(*Frame) error { return nil })
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	var buf bytes.Buffer
	out := decode(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if out.Damage == "" || !strings.Contains(buf.String(), "ffmpeg: ") || !strings.Contains(buf.String(), "file="+p) {
		t.Errorf("damage %q, log:\n%s", out.Damage, buf.String())
	}
	buf.Reset()
	if out := decode(nil); out.Damage == "" || buf.Len() != 0 {
		t.Errorf("without a logger: damage %q, the other logger got:\n%s", out.Damage, buf.String())
	}
	checkAllFreed(t)
}
