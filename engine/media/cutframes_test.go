package media

import (
	"context"
	"errors"
	"testing"

	"github.com/vidsift/vidsift/engine/scan"
	"github.com/vidsift/vidsift/internal/testenv"
)

func TestPacketSizesOutlier(t *testing.T) {
	var p packetSizes
	for i := 0; i < cutMinPackets; i++ {
		if p.outlier(100_000) {
			t.Fatalf("packet %d is an outlier before %d were seen", i, cutMinPackets)
		}
	}
	p = packetSizes{}
	for _, s := range []int{900, 1100, 1000, 1000, 950} {
		p.outlier(s)
	}
	if p.outlier(cutSizeRatio*1000 - 100) {
		t.Error("just under the ratio counts as an outlier")
	}
	if !p.outlier(cutSizeRatio * 1100) {
		t.Error("a packet above the ratio is not an outlier")
	}
	// Repeated frames: most packets nearly empty, every third a real
	// frame. A real frame is far above the median but not above the
	// upper quartile; a new shot is above both.
	p = packetSizes{}
	for i := range 30 {
		if i%3 == 0 {
			p.outlier(5000)
		} else {
			p.outlier(50)
		}
	}
	if p.outlier(5000) {
		t.Error("a real frame among repeated ones counts as an outlier")
	}
	if !p.outlier(int(cutUpperRatio*5000) + 1) {
		t.Error("a packet far above the real frames is not an outlier")
	}
	// Nearly empty packets (a static scene) do not make a small one stand out.
	p = packetSizes{}
	for range 10 {
		p.outlier(20)
	}
	if p.outlier(cutMinBytes - 1) {
		t.Error("a packet under cutMinBytes counts as an outlier")
	}
}

func TestNewShot(t *testing.T) {
	var a, b shotLook
	for i := range a {
		a[i], b[i] = 100, 100
	}
	for i := 0; i < len(b)/2-1; i++ {
		b[i] = 200 // just under half the cells change
	}
	if newShot(&a, &b) {
		t.Error("fewer than half the cells changed: a new shot")
	}
	b[len(b)/2-1] = 100 + cutCellThreshold + 1
	if !newShot(&a, &b) {
		t.Error("half the cells changed: not a new shot")
	}
	b[len(b)/2-1] = 100 + cutCellThreshold // not more than the threshold
	if newShot(&a, &b) {
		t.Error("a cell that moved exactly the threshold counts as changed")
	}
}

// TestCutFrameKinds: on the compilation, cut frames come between keyframes,
// each says so, and Outcome counts them; keyframes only finds none.
func TestCutFrameKinds(t *testing.T) {
	p := testenv.Fixture(t, "shots/compilation_h264.mp4")
	count := func(s scan.Sampling) (map[scan.FrameKind]int, Outcome) {
		f, err := Open(context.Background(), p, Options{Sampling: s})
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		kinds := map[scan.FrameKind]int{}
		out, err := f.Frames(context.Background(), func(fr *Frame) error {
			kinds[fr.Kind]++
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return kinds, out
	}
	kinds, out := count(scan.DefaultParams().Sampling)
	if kinds[scan.KeyFrame] != 1 || kinds[scan.CutFrame] < 8 || out.Cuts != kinds[scan.CutFrame] || out.Frames != kinds[scan.KeyFrame]+kinds[scan.GapFrame]+kinds[scan.CutFrame] {
		t.Errorf("kinds %v, outcome %+v", kinds, out)
	}
	if out.CutCandidates < out.Cuts {
		t.Errorf("%d candidates for %d cut frames", out.CutCandidates, out.Cuts)
	}
	t.Logf("default policy: %v; %d frames decoded, %d cut candidates", kinds, out.Decoded, out.CutCandidates)
	// Cuts ask for a gap: keyframes only decodes nothing between keyframes.
	kinds, out = count(scan.Sampling{Cuts: true})
	if kinds[scan.CutFrame] != 0 || out.CutCandidates != 0 || out.Decoded != 1 {
		t.Errorf("keyframes only with cuts: kinds %v, outcome %+v", kinds, out)
	}
	checkAllFreed(t)
}

// TestCancelInCutFrame: cancelled while a cut frame is being handed out
// (the chain of packets up to it decoded, more of them in flight), Frames
// stops with the context's error and frees every FFmpeg object.
func TestCancelInCutFrame(t *testing.T) {
	for _, name := range []string{"shots/compilation_h264.mp4", "shots/compilation_hevc.mkv"} {
		p := testenv.Fixture(t, name)
		ctx, cancel := context.WithCancel(context.Background())
		f, err := Open(ctx, p, Options{Sampling: scan.DefaultParams().Sampling})
		if err != nil {
			t.Fatal(err)
		}
		cuts := 0
		_, err = f.Frames(ctx, func(fr *Frame) error {
			if fr.Kind == scan.CutFrame {
				if cuts++; cuts == 3 {
					cancel()
				}
			}
			return nil
		})
		f.Close()
		cancel()
		if !errors.Is(err, context.Canceled) || cuts != 3 {
			t.Errorf("%s: err %v after %d cut frames, want context.Canceled after 3", name, err, cuts)
		}
	}
	checkAllFreed(t)
}
