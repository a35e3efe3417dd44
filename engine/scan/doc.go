// Package scan holds the engine's nouns: what a scan finds (file results,
// frames, detections, spans, summaries), the events a run streams, and the
// settings that change what it finds (Params, with their defaults). It
// links no FFmpeg and no ONNX Runtime, so the query language, the library,
// the exports and the results browser can be built and tested without
// either; engine/media, engine/detect and engine/pipeline produce these
// values, and everything downstream consumes them.
package scan
