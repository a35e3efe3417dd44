package ocr

import (
	"bytes"
	"fmt"
	"image"
	_ "image/png"
	"os/exec"
	"slices"
	"testing"

	"github.com/vidsift/vidsift/internal/testenv"
)

// TestProbe: the probe clears a frame of footage with no text without the
// full detection, and leaves every text photo to it, which then reads
// what it reads without the probe.
func TestProbe(t *testing.T) {
	probed := loadReader(t, Options{})
	full := loadReader(t, Options{NoProbe: true})
	for name := range readTruth(t) {
		img := decodePhoto(t, name)
		pix, w, h := rgbOf(img)
		got, c, err := probed.ReadRGB(pix, w, h, nil)
		if err != nil {
			t.Fatal(err)
		}
		want, _, err := full.ReadRGB(pix, w, h, nil)
		if err != nil {
			t.Fatal(err)
		}
		if c.Cleared || !slices.Equal(got, want) {
			t.Errorf("%s: cleared %v; with the probe %d lines, without %d", name, c.Cleared, len(got), len(want))
		}
	}
	// A room with a person and nothing written: cleared.
	frame := frameOf(t, testenv.Fixture(t, "text/plain.mp4"), 3)
	pix, w, h := rgbOf(frame)
	if _, c, err := probed.ReadRGB(pix, w, h, nil); err != nil || !c.Cleared || c.Boxes != 0 {
		t.Errorf("plain footage: %+v (%v); want cleared by the probe", c, err)
	}
	if _, c, _ := full.ReadRGB(pix, w, h, nil); c.Cleared {
		t.Error("cleared without the probe")
	}
}

// frameOf decodes the frame of video at sec seconds (the ffmpeg CLI).
func frameOf(t *testing.T, video string, sec float64) image.Image {
	t.Helper()
	out, err := exec.Command("ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-ss", fmt.Sprint(sec), "-i", video,
		"-frames:v", "1", "-f", "image2pipe", "-vcodec", "png", "-").Output()
	if err != nil {
		t.Fatalf("ffmpeg %s: %v", video, err)
	}
	img, _, err := image.Decode(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	return img
}
