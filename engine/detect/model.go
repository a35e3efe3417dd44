// Package detect runs Ultralytics YOLO detection exports with ONNX Runtime:
// it reads the model's classes and input size, letterboxes frames, and
// decodes the raw output into boxes with per-class NMS.
package detect

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/vidsift/vidsift/engine/scan"
	ort "github.com/yalue/onnxruntime_go"
)

var (
	initMu   sync.Mutex
	initLib  string
	loads    atomic.Int64
	tensors  atomic.Int64
	sessions atomic.Int64
)

// Init loads the ONNX Runtime shared library once per process. Calling it
// again with the same path is a no-op; another path is an error.
func Init(library string) error {
	initMu.Lock()
	defer initMu.Unlock()
	if ort.IsInitialized() {
		if library != initLib {
			return fmt.Errorf("ONNX Runtime already loaded from %s", initLib)
		}
		return nil
	}
	if strings.ContainsRune(library, '/') {
		if _, err := os.Stat(library); err != nil {
			return fmt.Errorf("ONNX Runtime library: %w (run `make setup`, or set VIDSIFT_ONNXRUNTIME_LIBRARY)", err)
		}
	}
	ort.SetSharedLibraryPath(library)
	if err := ort.InitializeEnvironment(ort.WithLogLevelError()); err != nil {
		return fmt.Errorf("ONNX Runtime library %s: %w", library, err)
	}
	initLib = library
	return nil
}

// RuntimeVersion is the version of the ONNX Runtime that Init loaded (its
// C API answers only once the environment is initialised).
func RuntimeVersion() (string, error) {
	if !ort.IsInitialized() {
		return "", errors.New("ONNX Runtime is not loaded")
	}
	return ort.GetVersion(), nil
}

// Loads reports how many models this process has loaded.
func Loads() int64 { return loads.Load() }

// OpenObjects reports ONNX Runtime sessions and tensors still allocated.
func OpenObjects() int64 { return tensors.Load() + sessions.Load() }

// Options configure a model's session. Beyond the thread count, the zero
// value is ONNX Runtime's default, which `vidsift bench` measures against
// the alternatives.
type Options struct {
	// IntraOpThreads is ONNX Runtime's thread count per Run; 0 lets it pick.
	IntraOpThreads int
	// GraphOptimization is "" (ONNX Runtime's default, all), "disabled",
	// "basic", "extended" or "all".
	GraphOptimization string
	NoMemPattern      bool              // no memory-pattern planning
	NoCPUArena        bool              // no CPU memory arena
	Config            map[string]string // session config entries, e.g. session.set_denormal_as_zero
}

var graphOptLevels = map[string]ort.GraphOptimizationLevel{
	"disabled": ort.GraphOptimizationLevelDisableAll,
	"basic":    ort.GraphOptimizationLevelEnableBasic,
	"extended": ort.GraphOptimizationLevelEnableExtended,
	"all":      ort.GraphOptimizationLevelEnableAll,
}

// apply sets the options on a session's options.
func (o Options) apply(opt *ort.SessionOptions) error {
	if o.IntraOpThreads > 0 {
		if err := opt.SetIntraOpNumThreads(o.IntraOpThreads); err != nil {
			return err
		}
	}
	_ = opt.SetInterOpNumThreads(1)
	if o.GraphOptimization != "" {
		level, ok := graphOptLevels[o.GraphOptimization]
		if !ok {
			return fmt.Errorf("unknown graph optimization level %q", o.GraphOptimization)
		}
		if err := opt.SetGraphOptimizationLevel(level); err != nil {
			return err
		}
	}
	if o.NoMemPattern {
		if err := opt.SetMemPattern(false); err != nil {
			return err
		}
	}
	if o.NoCPUArena {
		if err := opt.SetCpuMemArena(false); err != nil {
			return err
		}
	}
	for k, v := range o.Config {
		if err := opt.AddSessionConfigEntry(k, v); err != nil {
			return fmt.Errorf("session option %s=%s: %w", k, v, err)
		}
	}
	return nil
}

// Model is a loaded YOLO detector. Infer is safe to call from many
// goroutines at once (a DynamicAdvancedSession allows concurrent Run).
type Model struct {
	Path    string
	SHA256  string
	Names   []string
	InputW  int
	InputH  int
	layout  Layout
	inName  string
	outName string
	outDims ort.Shape
	session *ort.DynamicAdvancedSession
}

// Load reads the model file, checks that it is a YOLO detection export and
// creates its inference session. Init must have been called.
func Load(path string, opts Options) (*Model, error) {
	if !ort.IsInitialized() {
		return nil, errors.New("ONNX Runtime is not initialised")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	sum := sha256.Sum256(data)
	m := &Model{Path: path, SHA256: hex.EncodeToString(sum[:])}

	ins, outs, err := ort.GetInputOutputInfoWithONNXData(data)
	if err != nil {
		return nil, fmt.Errorf("model %s is not a readable ONNX file: %w", path, err)
	}
	if len(ins) != 1 || len(outs) < 1 {
		return nil, fmt.Errorf("model %s has %d inputs and %d outputs; a YOLO detector has 1 image input and 1 output", path, len(ins), len(outs))
	}
	in, out := ins[0], outs[0]
	if in.DataType != ort.TensorElementDataTypeFloat || len(in.Dimensions) != 4 || in.Dimensions[1] != 3 {
		return nil, fmt.Errorf("model %s input %q is %v %s; want float32 [1, 3, H, W]", path, in.Name, in.Dimensions, in.DataType)
	}
	m.inName, m.outName = in.Name, out.Name

	opt, err := ort.NewSessionOptions()
	if err != nil {
		return nil, err
	}
	defer opt.Destroy()
	if err := opts.apply(opt); err != nil {
		return nil, fmt.Errorf("model %s: %w", path, err)
	}
	sess, err := ort.NewDynamicAdvancedSessionWithONNXData(data, []string{m.inName}, []string{m.outName}, opt)
	if err != nil {
		return nil, fmt.Errorf("model %s: cannot create session: %w", path, err)
	}
	m.session = sess
	sessions.Add(1)
	loads.Add(1)
	if err := m.readMetadata(in.Dimensions); err != nil {
		m.Close()
		return nil, fmt.Errorf("model %s: %w", path, err)
	}
	m.outDims = ort.NewShape(out.Dimensions...)
	if m.outDims[0] <= 0 {
		m.outDims[0] = 1
	}
	if slices.ContainsFunc(m.outDims, func(d int64) bool { return d <= 0 }) {
		// A `dynamic=True` export names its output sizes instead of giving
		// them: one run at the input size says what they are, so the
		// output tensor can still be allocated once and reused.
		if m.outDims, err = m.probeOutputShape(); err != nil {
			m.Close()
			return nil, fmt.Errorf("model %s: output size: %w", path, err)
		}
	}
	if m.layout, err = LayoutFor(m.outDims, len(m.Names)); err != nil {
		m.Close()
		return nil, fmt.Errorf("model %s: %w", path, err)
	}
	return m, nil
}

func (m *Model) readMetadata(inDims []int64) error {
	md, err := m.session.GetModelMetadata()
	if err != nil {
		return err
	}
	defer md.Destroy()
	names, ok, err := md.LookupCustomMetadataMap("names")
	if err != nil {
		return err
	}
	if !ok {
		return errors.New("no `names` metadata: not an Ultralytics YOLO export (export one with `yolo export model=yolov8n.pt format=onnx`)")
	}
	if m.Names, err = ParseNames(names); err != nil {
		return err
	}
	m.InputH, m.InputW = int(inDims[2]), int(inDims[3])
	if m.InputW <= 0 || m.InputH <= 0 {
		// Dynamic input: use the size the model was trained and exported at.
		imgsz, ok, _ := md.LookupCustomMetadataMap("imgsz")
		if !ok {
			return errors.New("input size is dynamic and there is no `imgsz` metadata")
		}
		if m.InputW, m.InputH, err = ParseImageSize(imgsz); err != nil {
			return err
		}
	}
	return nil
}

// probeOutputShape runs the model once on a blank input, letting ONNX
// Runtime allocate the output, and returns that output's shape.
func (m *Model) probeOutputShape() (ort.Shape, error) {
	in, err := ort.NewEmptyTensor[float32](ort.NewShape(1, 3, int64(m.InputH), int64(m.InputW)))
	if err != nil {
		return nil, err
	}
	defer in.Destroy()
	outs := []ort.Value{nil}
	if err := m.session.Run([]ort.Value{in}, outs); err != nil {
		return nil, err
	}
	defer outs[0].Destroy()
	return outs[0].GetShape().Clone(), nil
}

// ID is the model's identity as a value: what its results depend on.
func (m *Model) ID() scan.Model {
	return scan.Model{SHA256: m.SHA256, InputW: m.InputW, InputH: m.InputH, Names: m.Names}
}

// Close frees the session.
func (m *Model) Close() {
	if m.session != nil {
		m.session.Destroy()
		m.session = nil
		sessions.Add(-1)
	}
}

// Buffers hold one inference's input and output tensors. Each goroutine that
// runs inference uses its own; they are reused frame after frame.
type Buffers struct {
	in  *ort.Tensor[float32]
	out *ort.Tensor[float32]
	Box Letterbox
}

// NewBuffers allocates tensors sized for the model.
func (m *Model) NewBuffers() (*Buffers, error) {
	in, err := ort.NewEmptyTensor[float32](ort.NewShape(1, 3, int64(m.InputH), int64(m.InputW)))
	if err != nil {
		return nil, err
	}
	out, err := ort.NewEmptyTensor[float32](m.outDims)
	if err != nil {
		in.Destroy()
		return nil, err
	}
	tensors.Add(2)
	return &Buffers{in: in, out: out}, nil
}

// Input is the planar float32 [3, H, W] buffer the next Infer reads.
func (b *Buffers) Input() []float32 { return b.in.GetData() }

// Free releases the tensors.
func (b *Buffers) Free() {
	b.in.Destroy()
	b.out.Destroy()
	tensors.Add(-2)
}

// Infer runs the model on b's input and returns detections in source pixels
// (b.Box maps them back) above conf after NMS at iou.
func (m *Model) Infer(b *Buffers, conf, iou float32) ([]scan.Detection, error) {
	if err := m.session.Run([]ort.Value{b.in}, []ort.Value{b.out}); err != nil {
		return nil, fmt.Errorf("inference: %w", err)
	}
	dets := DecodeOutput(b.out.GetData(), m.layout, conf, iou)
	for i := range dets {
		dets[i].Box = b.Box.ToSource(dets[i].Box)
		dets[i].Class = m.Names[dets[i].ClassID]
	}
	return dets, nil
}

// Prepare letterboxes an RGB24 image of the letterbox's resized size into b.
func (b *Buffers) Prepare(lb Letterbox, resized []byte) {
	b.Box = lb
	lb.Fill(resized, b.Input())
}

// Letterbox returns the geometry for a source frame of w×h.
func (m *Model) Letterbox(w, h int) Letterbox { return NewLetterbox(w, h, m.InputW, m.InputH) }

// ClassIDs resolves class names to ids; an unknown name is an error listing the valid ones.
func (m *Model) ClassIDs(names []string) (map[int]bool, error) {
	if len(names) == 0 {
		return nil, nil
	}
	index := make(map[string]int, len(m.Names))
	for i, n := range m.Names {
		index[n] = i
	}
	ids := map[int]bool{}
	for _, n := range names {
		id, ok := index[n]
		if !ok {
			return nil, fmt.Errorf("unknown class %q; this model knows: %s", n, joinNames(m.Names))
		}
		ids[id] = true
	}
	return ids, nil
}

// joinNames lists class names for an error message.
func joinNames(names []string) string { return strings.Join(names, ", ") }
