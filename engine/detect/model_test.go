package detect

import (
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vidsift/vidsift/engine/scan"
	"github.com/vidsift/vidsift/internal/testenv"
)

func loadShared(t *testing.T, name string) *Model {
	t.Helper()
	if err := Init(testenv.Library(t)); err != nil {
		t.Fatal(err)
	}
	m, err := Load(testenv.Shared(t, "models/"+name), Options{IntraOpThreads: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	return m
}

// TestLoadReadsTheModel: classes and input size come from the model itself.
func TestLoadReadsTheModel(t *testing.T) {
	before := Loads()
	for _, name := range []string{"yolov8n.onnx", "yolov8n_int8.onnx"} {
		m := loadShared(t, name)
		if len(m.Names) != 80 || m.Names[0] != "person" || m.Names[79] != "toothbrush" {
			t.Errorf("%s: names %d %q…", name, len(m.Names), m.Names[:2])
		}
		if m.InputW != 640 || m.InputH != 640 || len(m.SHA256) != 64 {
			t.Errorf("%s: input %dx%d sha %q", name, m.InputW, m.InputH, m.SHA256)
		}
	}
	if got := Loads() - before; got != 2 {
		t.Errorf("%d loads counted for 2 models", got)
	}
}

func TestClassIDs(t *testing.T) {
	m := loadShared(t, "yolov8n.onnx")
	ids, err := m.ClassIDs([]string{"person", "dog"})
	if err != nil || len(ids) != 2 || !ids[0] || !ids[16] {
		t.Errorf("%v %v", ids, err)
	}
	_, err = m.ClassIDs([]string{"persn"})
	if err == nil || !strings.Contains(err.Error(), `unknown class "persn"`) || !strings.Contains(err.Error(), "toothbrush") {
		t.Errorf("unknown class error: %v", err)
	}
}

// TestNotAModel: corrupt files get a clear error, not a crash.
func TestNotAModel(t *testing.T) {
	if err := Init(testenv.Library(t)); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.onnx")
	if err := os.WriteFile(junk, []byte("definitely not protobuf"), 0o644); err != nil {
		t.Fatal(err)
	}
	half := filepath.Join(dir, "half.onnx")
	data, err := os.ReadFile(testenv.Model(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(half, data[:len(data)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{junk, half, filepath.Join(dir, "missing.onnx")} {
		if m, err := Load(p, Options{}); err == nil {
			m.Close()
			t.Errorf("%s loaded", p)
		} else if !strings.Contains(err.Error(), "model") {
			t.Errorf("%s: unclear error %v", p, err)
		}
	}
}

// TestInferBlankFrame: a black frame yields no detections (the real-photo
// checks live in the pipeline's ground-truth test).
func TestInferBlankFrame(t *testing.T) {
	m := loadShared(t, "yolov8n.onnx")
	b, err := m.NewBuffers()
	if err != nil {
		t.Fatal(err)
	}
	defer b.Free()
	lb, _ := m.Letterbox(320, 240, false)
	rgb := make([]byte, lb.ResizedW*lb.ResizedH*3)
	if err := b.Prepare(lb, rgb); err != nil {
		t.Fatal(err)
	}
	dets, err := m.Infer(b, 0.25, 0.7)
	if err != nil || len(dets) != 0 {
		t.Errorf("black frame: %v %v", dets, err)
	}
}

// TestNotADetector: a valid ONNX model that is not a YOLO detector (one of
// onnxruntime_go's own test networks, from the module cache) is refused
// with a reason.
func TestNotADetector(t *testing.T) {
	if err := Init(testenv.Library(t)); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/yalue/onnxruntime_go").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, name := range []string{"example_big_compute.onnx", "example_dynamic_axes.onnx", "example_several_inputs_and_outputs.onnx"} {
		p := filepath.Join(strings.TrimSpace(string(out)), "test_data", name)
		m, err := Load(p, Options{})
		if err == nil {
			m.Close()
			t.Errorf("%s loaded as a detector", name)
			continue
		}
		if !strings.Contains(err.Error(), "want float32 [1, 3, H, W]") && !strings.Contains(err.Error(), "a YOLO detector has") {
			t.Errorf("%s: unclear error: %v", name, err)
		}
	}
}

// TestOtherDetectors: detectors other than yolov8n — 3 classes, a 320 or
// 256×416 input, either output layout, dynamic axes — load from their own
// metadata and find what they output. Each synthetic model (testdata/gen)
// answers every frame with one box, cx 160 cy 160 w 128 h 64 in input
// pixels, class "cat" at 0.9; the test maps it back to a 640×480 frame by
// hand.
func TestOtherDetectors(t *testing.T) {
	if err := Init(testenv.Library(t)); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		file         string
		inW, inH     int
		transposed   bool
		wantInSource scan.Box
	}{
		// 640×480 → ×0.5 → 320×240, padded 40 px above and below.
		{"cats_320.onnx", 320, 320, false, scan.Box{192, 176, 448, 304}},
		{"cats_320_transposed.onnx", 320, 320, true, scan.Box{192, 176, 448, 304}},
		// 640×480 → ×256/480 → 341×256, padded 37 px on the left.
		{"cats_dynamic_256x416.onnx", 416, 256, false, scan.Box{(96 - 37) * 1.875, 128 * 1.875, (224 - 37) * 1.875, 192 * 1.875}},
	} {
		t.Run(c.file, func(t *testing.T) {
			m, err := Load(testenv.Fixture(t, "models/"+c.file), Options{IntraOpThreads: 1})
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			if strings.Join(m.Names, ",") != "cat,hat,bat" || m.InputW != c.inW || m.InputH != c.inH {
				t.Fatalf("names %q, input %dx%d", m.Names, m.InputW, m.InputH)
			}
			if l := m.shapes[[2]int{m.InputH, m.InputW}].layout; l.AttrMajor == c.transposed || l.Classes != 3 {
				t.Errorf("layout %+v", l)
			}
			b, err := m.NewBuffers()
			if err != nil {
				t.Fatal(err)
			}
			defer b.Free()
			lb, _ := m.Letterbox(640, 480, false)
			if err := b.Prepare(lb, make([]byte, lb.ResizedW*lb.ResizedH*3)); err != nil {
				t.Fatal(err)
			}
			dets, err := m.Infer(b, 0.25, 0.7)
			if err != nil {
				t.Fatal(err)
			}
			if len(dets) != 1 || dets[0].Class != "cat" || math.Abs(float64(dets[0].Confidence)-0.9) > 1e-6 {
				t.Fatalf("detections %+v", dets)
			}
			for i, v := range dets[0].Box {
				if math.Abs(v-c.wantInSource[i]) > 1e-3 {
					t.Errorf("box %v, want %v", dets[0].Box, c.wantInSource)
					break
				}
			}
		})
	}
}

// TestNamesDisagreeWithOutput: a model whose `names` lists 5 classes but
// whose output holds 3 is refused, saying both numbers.
func TestNamesDisagreeWithOutput(t *testing.T) {
	if err := Init(testenv.Library(t)); err != nil {
		t.Fatal(err)
	}
	m, err := Load(testenv.Fixture(t, "models/cats_wrong_names.onnx"), Options{})
	if err == nil {
		m.Close()
		t.Fatal("loaded")
	}
	if !strings.Contains(err.Error(), "5 classes") || !strings.Contains(err.Error(), "[1 7 100]") {
		t.Errorf("unclear error: %v", err)
	}
}

// TestSessionOptions: every tuning the bench sweeps loads and finds the
// same thing; an unknown level is refused by name.
func TestSessionOptions(t *testing.T) {
	if err := Init(testenv.Library(t)); err != nil {
		t.Fatal(err)
	}
	path := testenv.Fixture(t, "models/cats_320.onnx")
	for _, o := range []Options{
		{GraphOptimization: "disabled"}, {GraphOptimization: "basic"}, {GraphOptimization: "extended"},
		{GraphOptimization: "all"}, {NoMemPattern: true, NoCPUArena: true},
		{Config: map[string]string{"session.set_denormal_as_zero": "1"}},
	} {
		m, err := Load(path, o)
		if err != nil {
			t.Errorf("%+v: %v", o, err)
			continue
		}
		b, _ := m.NewBuffers()
		lb, _ := m.Letterbox(320, 320, false)
		if err := b.Prepare(lb, make([]byte, 320*320*3)); err != nil {
			t.Fatal(err)
		}
		if dets, err := m.Infer(b, 0.25, 0.7); err != nil || len(dets) != 1 {
			t.Errorf("%+v: %v %v", o, dets, err)
		}
		b.Free()
		m.Close()
	}
	if _, err := Load(path, Options{GraphOptimization: "max"}); err == nil || !strings.Contains(err.Error(), `"max"`) {
		t.Errorf("unknown level: %v", err)
	}
}

// TestRectShapes: a dynamic model runs each frame on its own rectangle,
// with an output whose anchor count comes from that shape; one Buffers
// keeps at most maxShapes tensor sets however many shapes it meets, and
// frees them all. A static model stays square whatever is asked.
func TestRectShapes(t *testing.T) {
	static := loadShared(t, "yolov8n_int8.onnx")
	if static.Dynamic() || static.Shape(true) != "square 640×640" {
		t.Errorf("static model: dynamic %v, %q", static.Dynamic(), static.Shape(true))
	}
	if lb, _ := static.Letterbox(1920, 1080, true); lb.InputW != 640 || lb.InputH != 640 {
		t.Errorf("a static model letterboxed to %dx%d", lb.InputW, lb.InputH)
	}
	before := OpenObjects()
	m := loadShared(t, "yolov8n_int8_dynamic.onnx")
	if !m.Dynamic() || m.Stride() != 32 || m.InputW != 640 || m.InputH != 640 || m.Shape(true) != "rectangular, stride 32" || m.Shape(false) != "square 640×640" {
		t.Fatalf("dynamic model: %v, stride %d, %dx%d, %q", m.Dynamic(), m.Stride(), m.InputW, m.InputH, m.Shape(true))
	}
	b, err := m.NewBuffers()
	if err != nil {
		t.Fatal(err)
	}
	sizes := [][2]int{{1920, 1080}, {1080, 1920}, {640, 480}, {1920, 804}, {1000, 1000}, {1920, 1080}, {480, 640}}
	for _, s := range sizes {
		lb, err := m.Letterbox(s[0], s[1], true)
		if err != nil {
			t.Fatal(err)
		}
		if err := b.Prepare(lb, make([]byte, lb.ResizedW*lb.ResizedH*3)); err != nil {
			t.Fatalf("%v: %v", s, err)
		}
		h, w := lb.InputH, lb.InputW
		if want := h/8*w/8 + h/16*w/16 + h/32*w/32; b.cur.layout.Anchors != want {
			t.Errorf("%dx%d: %d anchors, want %d", w, h, b.cur.layout.Anchors, want)
		}
		if _, err := m.Infer(b, 0.25, 0.7); err != nil {
			t.Fatalf("%dx%d: %v", w, h, err)
		}
		if len(b.sets) > maxShapes {
			t.Fatalf("%d tensor sets held", len(b.sets))
		}
	}
	if len(b.sets) != maxShapes {
		t.Errorf("%d tensor sets after %d shapes, want %d", len(b.sets), len(sizes), maxShapes)
	}
	b.Free()
	m.Close()
	if open := OpenObjects(); open != before {
		t.Errorf("%d ONNX objects open after freeing, %d before", open, before)
	}
}

// TestRectRejected: a model whose dynamic axes do not take a rectangle
// fails on it with an error naming the model and the shape, and the
// square path still works.
func TestRectRejected(t *testing.T) {
	if err := Init(testenv.Library(t)); err != nil {
		t.Fatal(err)
	}
	path := testenv.Fixture(t, "models/cats_dynamic_square_only.onnx")
	m, err := Load(path, Options{IntraOpThreads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	b, err := m.NewBuffers()
	if err != nil {
		t.Fatal(err)
	}
	defer b.Free()
	lb, err := m.Letterbox(640, 480, true)
	if err == nil {
		err = b.Prepare(lb, make([]byte, lb.ResizedW*lb.ResizedH*3))
	}
	if !errors.Is(err, ErrShape) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "352×256") ||
		!strings.Contains(err.Error(), "rectangular inference off") {
		t.Errorf("a rectangle the model refuses: %v", err)
	}
	lb, _ = m.Letterbox(640, 480, false)
	if err := b.Prepare(lb, make([]byte, lb.ResizedW*lb.ResizedH*3)); err != nil {
		t.Fatal(err)
	}
	if dets, err := m.Infer(b, 0.25, 0.7); err != nil || len(dets) != 1 {
		t.Errorf("square: %v %v", dets, err)
	}
}

// TestDynamicWithoutImageSize: a model of dynamic input size without
// `imgsz` metadata is refused, saying so: nothing tells what size it was
// trained at, and guessing 640 would scale every frame wrongly for a
// model trained at another.
func TestDynamicWithoutImageSize(t *testing.T) {
	if err := Init(testenv.Library(t)); err != nil {
		t.Fatal(err)
	}
	m, err := Load(testenv.Fixture(t, "models/cats_dynamic_no_imgsz.onnx"), Options{})
	if err == nil {
		m.Close()
		t.Fatal("loaded")
	}
	if !strings.Contains(err.Error(), "input size is dynamic and there is no `imgsz` metadata") || !strings.Contains(err.Error(), "cats_dynamic_no_imgsz.onnx") {
		t.Errorf("unclear error: %v", err)
	}
}
