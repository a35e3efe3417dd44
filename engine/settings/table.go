package settings

import (
	"fmt"
	"time"

	"github.com/vidsift/vidsift/engine/scan"
)

// Keys of the settings, for the code that reads one by name.
const (
	Confidence        = "confidence"
	IoU               = "iou"
	Classes           = "classes"
	Workers           = "workers"
	Threads           = "threads"
	Model             = "model"
	RuntimeLibrary    = "onnxruntime_library"
	IntraOpThreads    = "intra_op_threads"
	DecoderThreads    = "decoder_threads"
	DecoderThreadType = "decoder_thread_type"
	FileTimeout       = "file_timeout"
	MaxGap            = "max_gap"
	MinGap            = "min_gap"
	Cuts              = "cuts"
	ReuseSimilar      = "reuse_similar"
	Rect              = "rect"
	Text              = "text"
	TextSide          = "text_side"
	TextConfidence    = "text_confidence"
	TextModels        = "text_models"
	Library           = "library"
	Nats              = "nats"
	NatsToken         = "nats_token"
	NatsUser          = "nats_user"
	NatsPassword      = "nats_password"
	NatsTLSCert       = "nats_tls_cert"
	NatsTLSKey        = "nats_tls_key"
	NatsTLSCA         = "nats_tls_ca"
)

// Table is every setting, in the order the docs and exports list them.
var Table = []Setting{
	{Key: Confidence, Flag: "conf", Default: scan.DefaultConfidence, JSON: "confidence", Result: true, App: Show{Kind: Custom},
		Help:  "drop detections below this confidence, 0..1",
		Field: func(s *scan.Settings) any { return &s.Confidence },
		Check: func(s scan.Settings, raw any) error {
			return unless(s.Confidence > 0 && s.Confidence < 1, "%s must be between 0 and 1, got %v", Confidence, raw)
		}},
	{Key: IoU, Flag: "iou", Default: scan.DefaultIoU, JSON: "iou", Result: true,
		Help:  "IoU above which NMS drops the weaker box of a class",
		Field: func(s *scan.Settings) any { return &s.IoU },
		Check: func(s scan.Settings, raw any) error {
			return unless(s.IoU > 0 && s.IoU <= 1, "%s must be in (0, 1], got %v", IoU, raw)
		}},
	{Key: Classes, Flag: "classes", Default: []string{}, DefaultText: "all", JSON: "classes", App: Show{Kind: Custom},
		Help:  "only these classes, e.g. person,dog (default: all)",
		Field: func(s *scan.Settings) any { return &s.Classes }},
	{Key: Workers, Flag: "workers", Default: scan.DefaultSettings().Workers, DefaultText: "CPUs", JSON: "workers", App: Show{Kind: Custom},
		Help:  "files decoded at once",
		Field: func(s *scan.Settings) any { return &s.Workers },
		Check: func(s scan.Settings, raw any) error {
			return unless(s.Workers >= 1 && s.Workers <= 256, "%s must be 1..256, got %v", Workers, raw)
		}},
	{Key: Threads, Flag: "threads", Default: scan.DefaultSettings().Threads, DefaultText: "CPUs", JSON: "threads",
		Help:  "total inference threads",
		Field: func(s *scan.Settings) any { return &s.Threads },
		Check: func(s scan.Settings, raw any) error {
			return unless(threadsOK(s), "%s must be 1..256, got %v", Threads, raw)
		}},
	{Key: Model, Flag: "model", Default: "", DefaultText: "setup's (`yolov8n_int8_dynamic.onnx`)", App: Show{Kind: Custom},
		Help: "YOLO ONNX model file (default: the one setup installed)"},
	{Key: RuntimeLibrary, Flag: "onnxruntime-library", Default: "", DefaultText: "setup's",
		Help: "path of libonnxruntime.so.1 (default: the one setup installed)"},
	{Key: IntraOpThreads, Flag: "intra-op-threads", Default: scan.DefaultSettings().IntraOpThreads,
		Help:  "ONNX Runtime threads per inference; threads/intra-op-threads run at once",
		Field: func(s *scan.Settings) any { return &s.IntraOpThreads },
		Check: func(s scan.Settings, raw any) error {
			// Held against threads only when threads is valid: a bad
			// threads is one error, not two.
			return unless(s.IntraOpThreads >= 1 && !(threadsOK(s) && s.IntraOpThreads > s.Threads),
				"%s must be 1..%s (%d), got %v", IntraOpThreads, Threads, s.Threads, raw)
		}},
	{Key: DecoderThreads, Flag: "decoder-threads", Default: 0, DefaultText: "0 (FFmpeg decides)",
		Help:  "FFmpeg threads per file (0: FFmpeg decides)",
		Field: func(s *scan.Settings) any { return &s.DecoderThreads },
		Check: func(s scan.Settings, raw any) error {
			return unless(s.DecoderThreads >= 0 && s.DecoderThreads <= 64, "%s must be 0..64, got %v", DecoderThreads, raw)
		}},
	{Key: DecoderThreadType, Flag: "decoder-thread-type", Default: "", DefaultText: "both",
		Help:  "FFmpeg threading: frame, slice, or empty for both",
		Field: func(s *scan.Settings) any { return &s.DecoderThreadType },
		Check: func(s scan.Settings, _ any) error {
			t := s.DecoderThreadType
			return unless(t == "" || t == "frame" || t == "slice", "%s must be frame, slice or empty (both), got %q", DecoderThreadType, t)
		}},
	{Key: FileTimeout, Flag: "file-timeout", Default: scan.DefaultSettings().FileTimeout,
		Help:  "give up on one file after this long",
		Field: func(s *scan.Settings) any { return &s.FileTimeout },
		Check: func(s scan.Settings, _ any) error {
			return unless(s.FileTimeout >= 0, "%s must not be negative", FileTimeout)
		}},
	{Key: MaxGap, See: "sampling.md#which-frames-are-analysed", Flag: "max-gap", Default: scan.DefaultMaxGap, JSON: "max_gap_s", Result: true, App: Show{Kind: Custom},
		Help:  "longest stretch of video without an analysed frame, e.g. 2, 0.5 or 1500ms (0: keyframes only)",
		Field: func(s *scan.Settings) any { return &s.Sampling.MaxGap },
		Check: func(s scan.Settings, _ any) error {
			d := seconds(s.Sampling.MaxGap)
			return unless(d >= 0 && d <= time.Hour, "%s must be 0 (keyframes only) up to 1h, got %v", MaxGap, d)
		}},
	{Key: MinGap, Flag: "min-gap", Default: scan.DefaultMinGap, JSON: "min_gap_s", Result: true, App: Show{Kind: Custom},
		Help:  "skip a keyframe this close to the previous analysed one (0: every keyframe)",
		Field: func(s *scan.Settings) any { return &s.Sampling.MinGap },
		Check: func(s scan.Settings, _ any) error {
			d := seconds(s.Sampling.MinGap)
			return unless(d >= 0 && d <= time.Hour, "%s must be 0 (every keyframe) up to 1h, got %v", MinGap, d)
		}},
	{Key: ReuseSimilar, See: "sampling.md#which-frames-are-analysed", Flag: "reuse-similar", Default: scan.DefaultReuseSimilar, JSON: "reuse_similar", Result: true,
		App:   Show{Kind: Check, Label: "Reuse detections for near-identical frames"},
		Help:  "a frame that looks the same as the last inferred one repeats its detections (=false: infer every frame)",
		Field: func(s *scan.Settings) any { return &s.ReuseSimilar }},
	{Key: Cuts, See: "sampling.md#which-frames-are-analysed", Flag: "cuts", Default: scan.DefaultCuts, JSON: "cuts", Result: true, App: Show{Kind: Custom},
		Help:  "analyse the first frame of each shot that starts between keyframes (only with --max-gap above 0; =false: keyframes and gap frames only)",
		Field: func(s *scan.Settings) any { return &s.Sampling.Cuts }},
	{Key: Rect, See: "sampling.md#rectangular-inference---rect-on", Flag: "rect", Default: scan.DefaultRect, JSON: "rect", Result: true,
		App:   Show{Kind: Check, Label: "Rectangular inference (models of dynamic input size)"},
		Help:  "a model of dynamic input size runs each frame on its own rectangle, not the full square (=false: square)",
		Field: func(s *scan.Settings) any { return &s.Rect }},
	{Key: Text, See: "text.md", Flag: "text", Default: scan.DefaultText, DefaultText: "true where the text models are installed", JSON: "text", Result: true,
		App:   Show{Kind: Check, Label: "Read text written in frames"},
		Help:  "read the text written in frames, searchable with text: (=false: objects and subtitles only)",
		Field: func(s *scan.Settings) any { return &s.Text.On }},
	{Key: TextSide, See: "text.md#what-reading-text-costs-and-misses", Flag: "text-side", Default: scan.DefaultTextSide, JSON: "text_side", Result: true,
		Help:  "longer side of the picture the text detector sees, in pixels (smaller: faster, misses small text)",
		Field: func(s *scan.Settings) any { return &s.Text.DetectSide },
		Check: func(s scan.Settings, raw any) error {
			return unless(s.Text.DetectSide >= 320 && s.Text.DetectSide <= 4096, "%s must be 320..4096, got %v", TextSide, raw)
		}},
	{Key: TextConfidence, Flag: "text-conf", Default: scan.DefaultTextMinConfidence, JSON: "text_confidence", Result: true,
		Help:  "drop lines of text read with less confidence, 0..1",
		Field: func(s *scan.Settings) any { return &s.Text.MinConfidence },
		Check: func(s scan.Settings, raw any) error {
			return unless(s.Text.MinConfidence > 0 && s.Text.MinConfidence < 1, "%s must be between 0 and 1, got %v", TextConfidence, raw)
		}},
	{Key: TextModels, See: "text.md", Flag: "text-models", Default: "", DefaultText: "setup's",
		Help: "folder of the text models (PP-OCRv4 detection, recognition and dictionary; default: the ones setup installed)"},
	{Key: Library, See: "library.md", Flag: "library", Default: "", DefaultText: "`~/.local/share/vidsift/library.db`",
		Help: `results library (default: the data folder's library.db; "off": none)`},
	{Key: Nats, See: "cluster.md", Flag: "nats", Default: "", DefaultText: "none", App: Show{Kind: Custom},
		Help: "URL of the cluster's hub, e.g. nats://hub.local:4222 (VIDSIFT_NATS)"},
	{Key: NatsToken, Flag: "token", Default: "", Help: "cluster token (VIDSIFT_NATS_TOKEN)"},
	{Key: NatsUser, Flag: "user", Default: "", Help: "cluster user, with --password (VIDSIFT_NATS_USER)"},
	{Key: NatsPassword, Flag: "password", Default: "", Help: "cluster password (VIDSIFT_NATS_PASSWORD)"},
	{Key: NatsTLSCert, Flag: "tls-cert", Default: "", Help: "TLS certificate file (PEM)"},
	{Key: NatsTLSKey, Flag: "tls-key", Default: "", Help: "TLS key file (PEM) of --tls-cert"},
	{Key: NatsTLSCA, Flag: "tls-ca", Default: "", Help: "CA file (PEM) to trust, and for a hub to check client certificates against"},
}

func threadsOK(s scan.Settings) bool { return s.Threads >= 1 && s.Threads <= 256 }

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// unless is nil when ok, else the error worded by format.
func unless(ok bool, format string, args ...any) error {
	if ok {
		return nil
	}
	return fmt.Errorf(format, args...)
}
