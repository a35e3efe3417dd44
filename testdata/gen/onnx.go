package main

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
)

// Synthetic YOLO-shaped detectors, for the models a user may bring besides
// the shared yolov8n: other class counts, input sizes, output layouts and
// dynamic axes. Each is one strided Conv whose weights are zero, so every
// anchor outputs the Conv's bias: the same box (cx 160, cy 160, w 128,
// h 64 in input pixels) with class scores 0.9, 0.3, 0.05. After NMS a frame
// yields exactly one "cat" at 0.9, wherever the letterbox puts it.
var syntheticBias = []float32{160, 160, 128, 64, 0.9, 0.3, 0.05}

const syntheticNames = "{0: 'cat', 1: 'hat', 2: 'bat'}"

type syntheticModel struct {
	file       string
	inH, inW   int64 // -1: dynamic
	transposed bool  // output [1, N, 7] instead of [1, 7, N]
	names      string
	imgsz      string
	// squareOnly fixes the output's anchor count to imgsz's: the input
	// axes say dynamic, yet any other size fails in the Reshape.
	squareOnly bool
}

var syntheticModels = []syntheticModel{
	{file: "cats_320.onnx", inH: 320, inW: 320, names: syntheticNames, imgsz: "[320, 320]"},
	{file: "cats_320_transposed.onnx", inH: 320, inW: 320, transposed: true, names: syntheticNames, imgsz: "[320, 320]"},
	// A `yolo export dynamic=True` model: sizes come from imgsz ([h, w]).
	{file: "cats_dynamic_256x416.onnx", inH: -1, inW: -1, names: syntheticNames, imgsz: "[256, 416]"},
	// Dynamic axes and no imgsz: nothing says what size to run it at.
	{file: "cats_dynamic_no_imgsz.onnx", inH: -1, inW: -1, names: syntheticNames},
	// Dynamic axes that only take imgsz itself.
	{file: "cats_dynamic_square_only.onnx", inH: -1, inW: -1, names: syntheticNames, imgsz: "[256, 416]", squareOnly: true},
	// Its names disagree with its output (5 classes named, 3 produced).
	{file: "cats_wrong_names.onnx", inH: 320, inW: 320,
		names: "{0: 'cat', 1: 'hat', 2: 'bat', 3: 'rat', 4: 'mat'}", imgsz: "[320, 320]"},
}

// writeModels writes every synthetic model into dir.
func writeModels(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, m := range syntheticModels {
		if err := os.WriteFile(filepath.Join(dir, m.file), m.encode(), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// ONNX protobuf field numbers (onnx/onnx.proto, IR version 8).
const (
	modelIRVersion, modelOpset, modelProducer, modelGraph, modelMetadata = 1, 8, 2, 7, 14
	graphNode, graphName, graphInitializer, graphInput, graphOutput      = 1, 2, 5, 11, 12
	nodeInput, nodeOutput, nodeName, nodeOpType, nodeAttribute           = 1, 2, 3, 4, 5
	attrName, attrInts, attrType, attrTypeInts                           = 1, 8, 20, 7
	tensorDims, tensorDataType, tensorName, tensorRawData                = 1, 2, 8, 9
	dataFloat, dataInt64                                                 = 1, 7
)

func (m syntheticModel) encode() []byte {
	const stride, nc = 32, 7
	weights := make([]float32, nc*3*stride*stride) // all zero
	var batch, anchors int64 = -1, -1              // dynamic, as `dynamic=True` exports them
	if m.inH > 0 && m.inW > 0 {
		batch, anchors = 1, (m.inH/stride)*(m.inW/stride)
	}

	var g []byte
	g = field(g, graphName, str("synthetic_yolo"))
	g = field(g, graphNode, node("conv", "Conv", []string{"images", "w", "b"}, []string{"grid"},
		ints("kernel_shape", stride, stride), ints("strides", stride, stride)))
	g = field(g, graphNode, node("flatten", "Reshape", []string{"grid", "shape"}, []string{"attr_major"}))
	outName, outDims := "attr_major", []int64{batch, nc, anchors}
	if m.transposed {
		g = field(g, graphNode, node("transpose", "Transpose", []string{"attr_major"}, []string{"anchor_major"},
			ints("perm", 0, 2, 1)))
		outName, outDims = "anchor_major", []int64{batch, anchors, nc}
	}
	g = field(g, graphInitializer, tensor("w", dataFloat, []int64{nc, 3, stride, stride}, floatBytes(weights)))
	g = field(g, graphInitializer, tensor("b", dataFloat, []int64{nc}, floatBytes(syntheticBias)))
	reshape := int64(-1)
	if m.squareOnly {
		reshape = (256 / stride) * (416 / stride) // its imgsz
	}
	g = field(g, graphInitializer, tensor("shape", dataInt64, []int64{3}, int64Bytes([]int64{1, nc, reshape})))
	g = field(g, graphInput, valueInfo("images", []int64{batch, 3, m.inH, m.inW}))
	g = field(g, graphOutput, valueInfo(outName, outDims))

	var b []byte
	b = tag(b, modelIRVersion, wireVarint)
	b = varint(b, 8)
	b = field(b, modelProducer, str("vidsift testdata/gen"))
	var opset []byte
	opset = tag(opset, 2, wireVarint)
	opset = varint(opset, 17)
	b = field(b, modelOpset, opset)
	b = field(b, modelGraph, g)
	for _, kv := range [][2]string{{"names", m.names}, {"imgsz", m.imgsz}, {"task", "detect"}} {
		if kv[1] != "" {
			b = field(b, modelMetadata, field(field(nil, 1, str(kv[0])), 2, str(kv[1])))
		}
	}
	return b
}

// Protobuf's wire format is small enough to write with encoding/binary: a
// tag is a varint of field<<3|type, and varints are unsigned LEB128.
const wireVarint, wireBytes = 0, 2

func tag(b []byte, num, wireType int) []byte { return varint(b, uint64(num<<3|wireType)) }
func varint(b []byte, v uint64) []byte       { return binary.AppendUvarint(b, v) }
func bytesField(b, v []byte) []byte          { return append(varint(b, uint64(len(v))), v...) }

// field appends a length-delimited field (a string, bytes or a message).
func field(b []byte, num int, v []byte) []byte {
	b = tag(b, num, wireBytes)
	return bytesField(b, v)
}

func str(s string) []byte { return []byte(s) }

func node(name, op string, inputs, outputs []string, attrs ...[]byte) []byte {
	var b []byte
	for _, in := range inputs {
		b = field(b, nodeInput, str(in))
	}
	for _, out := range outputs {
		b = field(b, nodeOutput, str(out))
	}
	b = field(b, nodeName, str(name))
	b = field(b, nodeOpType, str(op))
	for _, a := range attrs {
		b = field(b, nodeAttribute, a)
	}
	return b
}

func ints(name string, vs ...int64) []byte {
	b := field(nil, attrName, str(name))
	for _, v := range vs {
		b = tag(b, attrInts, wireVarint)
		b = varint(b, uint64(v))
	}
	b = tag(b, attrType, wireVarint)
	return varint(b, attrTypeInts)
}

func tensor(name string, dataType uint64, dims []int64, raw []byte) []byte {
	var b []byte
	for _, d := range dims {
		b = tag(b, tensorDims, wireVarint)
		b = varint(b, uint64(d))
	}
	b = tag(b, tensorDataType, wireVarint)
	b = varint(b, dataType)
	b = field(b, tensorName, str(name))
	return field(b, tensorRawData, raw)
}

// valueInfo declares a float tensor; a dimension below 0 is a named,
// dynamic one (dim_param), as exporters write them.
func valueInfo(name string, dims []int64) []byte {
	var shape []byte
	for i, d := range dims {
		var dim []byte
		if d >= 0 {
			dim = tag(dim, 1, wireVarint)
			dim = varint(dim, uint64(d))
		} else {
			dim = field(dim, 2, str(fmt.Sprintf("dim%d", i)))
		}
		shape = field(shape, 1, dim)
	}
	var tensorType []byte
	tensorType = tag(tensorType, 1, wireVarint)
	tensorType = varint(tensorType, dataFloat)
	tensorType = field(tensorType, 2, shape)
	return field(field(nil, 1, str(name)), 2, field(nil, 1, tensorType))
}

func floatBytes(fs []float32) []byte {
	b := make([]byte, 0, 4*len(fs))
	for _, f := range fs {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(f))
	}
	return b
}

func int64Bytes(vs []int64) []byte {
	b := make([]byte, 0, 8*len(vs))
	for _, v := range vs {
		b = binary.LittleEndian.AppendUint64(b, uint64(v))
	}
	return b
}
