package detect

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vidsift/vidsift/engine/testenv"
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
	data, _ := os.ReadFile(testenv.Model(t))
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
	lb := m.Letterbox(320, 240)
	rgb := make([]byte, lb.ResizedW*lb.ResizedH*3)
	b.Prepare(lb, rgb)
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
