package media

// #cgo pkg-config: libavutil
// #include <libavutil/frame.h>
// static int vidsift_frame_damaged(void *p) {
//     const AVFrame *f = p;
//     return f->decode_error_flags != 0 || (f->flags & AV_FRAME_FLAG_CORRUPT) != 0;
// }
import "C"

import "github.com/asticode/go-astiav"

// frameDamaged reports whether the decoder concealed errors in f or marked it
// corrupt. It catches damage that FFmpeg logs from frame-threading contexts,
// which the log routing cannot attribute to a file.
func frameDamaged(f *astiav.Frame) bool {
	return C.vidsift_frame_damaged(f.UnsafePointer()) != 0
}
