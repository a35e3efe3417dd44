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
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/vidsift/vidsift/engine/scan"
	ort "github.com/yalue/onnxruntime_go"
)

var (
	initMu      sync.Mutex
	initLib     string
	loads       atomic.Int64
	openTensors atomic.Int64
	sessions    atomic.Int64
)

// ErrNoRuntime says the ONNX Runtime library named is not there.
var ErrNoRuntime = errors.New("no ONNX Runtime library")

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
			return fmt.Errorf("%w: %w", ErrNoRuntime, err)
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
func OpenObjects() int64 { return openTensors.Load() + sessions.Load() }

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

// Apply sets the options on a session's options (engine/ocr builds its
// sessions the same way).
func (o Options) Apply(opt *ort.SessionOptions) error {
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
	InputW  int // the full input (imgsz for a dynamic model)
	InputH  int
	dynamic bool // height and width are dynamic: any multiple of stride runs
	stride  int  // the model's largest stride (`stride` metadata; 32 without)
	inName  string
	outName string

	shapesMu sync.Mutex
	shapes   map[[2]int]outShape // by input height, width: what the output is
	session  *ort.DynamicAdvancedSession
	// blank runs the model on a blank canvas (probe); tests stand in for
	// it to hold the unfit-shape logic apart from one CPU's kernels.
	blank func(h, w int) (ort.Shape, float32, error)
}

// outShape is the output a given input shape gives. unfit marks a shape
// at which the model finds objects on a blank grey canvas: some exports
// compute wrong scores at some sizes (the shared int8 dynamic YOLOv8n at
// 96, 192, 288, 352, 448, 544 and 608 rows or columns, with ONNX Runtime
// 1.24.1), so frames go to a larger canvas instead.
type outShape struct {
	dims   ort.Shape
	layout Layout
	unfit  bool
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
	if err := opts.Apply(opt); err != nil {
		return nil, fmt.Errorf("model %s: %w", path, err)
	}
	sess, err := ort.NewDynamicAdvancedSessionWithONNXData(data, []string{m.inName}, []string{m.outName}, opt)
	if err != nil {
		return nil, fmt.Errorf("model %s: cannot create session: %w", path, err)
	}
	m.session = sess
	m.blank = m.probe
	sessions.Add(1)
	loads.Add(1)
	if err := m.readMetadata(in.Dimensions); err != nil {
		m.Close()
		return nil, fmt.Errorf("model %s: %w", path, err)
	}
	m.shapes = map[[2]int]outShape{}
	dims := ort.NewShape(out.Dimensions...)
	if dims[0] <= 0 {
		dims[0] = 1
	}
	if slices.ContainsFunc(dims, func(d int64) bool { return d <= 0 }) {
		// A `dynamic=True` export names its output sizes instead of giving
		// them: one run at the input size says what they are.
		if dims, _, err = m.probe(m.InputH, m.InputW); err != nil {
			m.Close()
			return nil, fmt.Errorf("model %s: output size: %w", path, err)
		}
	}
	layout, err := LayoutFor(dims, len(m.Names))
	if err != nil {
		m.Close()
		return nil, fmt.Errorf("model %s: %w", path, err)
	}
	m.shapes[[2]int{m.InputH, m.InputW}] = outShape{dims: dims, layout: layout}
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
	m.stride = 32
	if raw, ok, _ := md.LookupCustomMetadataMap("stride"); ok {
		if n, err := strconv.Atoi(strings.TrimSpace(raw)); err == nil && n > 0 && n <= 1024 {
			m.stride = n
		}
	}
	m.InputH, m.InputW = int(inDims[2]), int(inDims[3])
	m.dynamic = m.InputW <= 0 && m.InputH <= 0
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

// probe runs the model once on a blank grey h×w canvas, letting ONNX
// Runtime allocate the output, and returns that output's shape and its
// highest value past the 4 box rows (a class score, in either layout:
// the box values are in pixels, far above any score, so they are told
// apart by position).
func (m *Model) probe(h, w int) (ort.Shape, float32, error) {
	in, err := ort.NewEmptyTensor[float32](ort.NewShape(1, 3, int64(h), int64(w)))
	if err != nil {
		return nil, 0, err
	}
	defer in.Destroy()
	grey := in.GetData()
	for i := range grey {
		grey[i] = float32(PadValue) / 255
	}
	outs := []ort.Value{nil}
	if err := m.session.Run([]ort.Value{in}, outs); err != nil {
		return nil, 0, err
	}
	defer outs[0].Destroy()
	shape := outs[0].GetShape().Clone()
	var best float32
	if t, ok := outs[0].(*ort.Tensor[float32]); ok {
		if l, err := LayoutFor(shape, len(m.Names)); err == nil {
			data := t.GetData()
			for a := 0; a < l.Anchors; a++ {
				for c := 0; c < l.Classes; c++ {
					i := a*(4+l.Classes) + 4 + c
					if l.AttrMajor {
						i = (4+c)*l.Anchors + a
					}
					best = max(best, data[i])
				}
			}
		}
	}
	return shape, best, nil
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

// Dynamic reports whether the model takes any input size (a multiple of
// its stride), so frames can be letterboxed to their own rectangle.
func (m *Model) Dynamic() bool { return m.dynamic }

// Stride is the model's largest stride: dynamic inputs are multiples of it.
func (m *Model) Stride() int { return m.stride }

// Shape says how the model runs frames: "rectangular, stride 32" or
// "square 640×640".
func (m *Model) Shape(rect bool) string {
	if rect && m.dynamic {
		return fmt.Sprintf("rectangular, stride %d", m.stride)
	}
	return fmt.Sprintf("square %d×%d", m.InputW, m.InputH)
}

// ErrShape says a model refused an input shape it claims to take.
var ErrShape = errors.New("the model does not take this input shape (with rectangular inference off it runs square)")

// output is the output shape for an input of h×w, found by running the
// model once the first time that shape is asked for.
func (m *Model) output(h, w int) (outShape, error) {
	m.shapesMu.Lock()
	defer m.shapesMu.Unlock()
	if o, ok := m.shapes[[2]int{h, w}]; ok {
		return o, nil
	}
	dims, blank, err := m.blank(h, w)
	if err != nil {
		return outShape{}, fmt.Errorf("model %s, input %d×%d: %w: %v", m.Path, w, h, ErrShape, err)
	}
	layout, err := LayoutFor(dims, len(m.Names))
	if err != nil {
		return outShape{}, fmt.Errorf("model %s, input %d×%d: %w: %v", m.Path, w, h, ErrShape, err)
	}
	// A detector sees nothing on a blank canvas; one that is sure of
	// something there is wrong at this size.
	o := outShape{dims: dims, layout: layout, unfit: blank > unfitScore}
	m.shapes[[2]int{h, w}] = o
	return o, nil
}

// unfitScore is the class score on a blank canvas above which a shape
// counts as one the model computes wrongly (healthy shapes score ≤ 0.01).
const unfitScore = 0.5

// maxShapes bounds the tensor sets one Buffers keeps: a run over files of
// a few aspect ratios reuses them, one of many drops the least recent.
const maxShapes = 4

// Buffers hold one inference's input and output tensors, a set per input
// shape (at most maxShapes, least recently used dropped). Each goroutine
// that runs inference uses its own; they are reused frame after frame.
type Buffers struct {
	m    *Model
	sets []*tensors // most recently used first
	cur  *tensors
	Box  Letterbox
}

// tensors are the input and output of one input shape.
type tensors struct {
	h, w   int
	in     *ort.Tensor[float32]
	out    *ort.Tensor[float32]
	layout Layout
}

// NewBuffers allocates tensors for the model's full input; other shapes
// are allocated as Prepare meets them.
func (m *Model) NewBuffers() (*Buffers, error) {
	b := &Buffers{m: m}
	if _, err := b.use(m.InputH, m.InputW); err != nil {
		return nil, err
	}
	return b, nil
}

// use makes the tensors of h×w current, allocating them if needed.
func (b *Buffers) use(h, w int) (*tensors, error) {
	for i, t := range b.sets {
		if t.h == h && t.w == w {
			copy(b.sets[1:i+1], b.sets[:i])
			b.sets[0], b.cur = t, t
			return t, nil
		}
	}
	o, err := b.m.output(h, w)
	if err != nil {
		return nil, err
	}
	in, err := ort.NewEmptyTensor[float32](ort.NewShape(1, 3, int64(h), int64(w)))
	if err != nil {
		return nil, err
	}
	out, err := ort.NewEmptyTensor[float32](o.dims)
	if err != nil {
		in.Destroy()
		return nil, err
	}
	openTensors.Add(2)
	t := &tensors{h: h, w: w, in: in, out: out, layout: o.layout}
	if len(b.sets) == maxShapes {
		b.sets[maxShapes-1].free()
		b.sets = b.sets[:maxShapes-1]
	}
	b.sets = append([]*tensors{t}, b.sets...)
	b.cur = t
	return t, nil
}

func (t *tensors) free() {
	t.in.Destroy()
	t.out.Destroy()
	openTensors.Add(-2)
}

// Input is the planar float32 [3, H, W] buffer the next Infer reads.
func (b *Buffers) Input() []float32 { return b.cur.in.GetData() }

// Free releases the tensors.
func (b *Buffers) Free() {
	for _, t := range b.sets {
		t.free()
	}
	b.sets, b.cur = nil, nil
}

// Infer runs the model on b's input and returns detections in source pixels
// (b.Box maps them back) above conf after NMS at iou.
func (m *Model) Infer(b *Buffers, conf, iou float32) ([]scan.Detection, error) {
	t := b.cur
	if err := m.session.Run([]ort.Value{t.in}, []ort.Value{t.out}); err != nil {
		return nil, fmt.Errorf("inference: %w", err)
	}
	dets := DecodeOutput(t.out.GetData(), t.layout, conf, iou)
	for i := range dets {
		dets[i].Box = b.Box.ToSource(dets[i].Box)
		dets[i].Class = m.Names[dets[i].ClassID]
	}
	return dets, nil
}

// Prepare letterboxes an RGB24 image of the letterbox's resized size into
// b, in tensors of the letterbox's input shape.
func (b *Buffers) Prepare(lb Letterbox, resized []byte) error {
	if _, err := b.use(lb.InputH, lb.InputW); err != nil {
		return err
	}
	b.Box = lb
	lb.Fill(resized, b.Input())
	return nil
}

// Letterbox returns the geometry for a source frame of w×h: fitted in the
// model's full input, and with rect (on a dynamic model) on the smallest
// stride-multiple rectangle around it at which the model computes right
// (see outShape.unfit), which the first use of a shape finds out by
// running it once. The error says the model refuses the shape.
func (m *Model) Letterbox(w, h int, rect bool) (Letterbox, error) {
	lb := NewLetterbox(w, h, m.InputW, m.InputH)
	if !rect || !m.dynamic {
		return lb, nil
	}
	r := lb.Rect(m.stride)
	for {
		o, err := m.output(r.InputH, r.InputW)
		if err != nil || !o.unfit {
			return r, err
		}
		// One stride more on an axis that has room (the full size fits:
		// Load checked it).
		if r.InputH < lb.InputH {
			r = r.Canvas(r.InputW, min(lb.InputH, r.InputH+m.stride))
		} else {
			r = r.Canvas(min(lb.InputW, r.InputW+m.stride), r.InputH)
		}
	}
}

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
