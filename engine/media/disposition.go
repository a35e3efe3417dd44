package media

// #cgo pkg-config: libavformat
// #include <libavformat/avformat.h>
// static int vidsift_attached_pic(void *p) {
//     const AVStream *s = p;
//     return (s->disposition & AV_DISPOSITION_ATTACHED_PIC) != 0;
// }
import "C"

import (
	"unsafe"

	"github.com/asticode/go-astiav"
)

// isAttachedPic reports whether s is cover art (AV_DISPOSITION_ATTACHED_PIC):
// one still picture that FFmpeg shows as a video stream, often larger than
// the video itself. go-astiav 0.16 does not expose stream dispositions; its
// Stream holds exactly one *AVStream, which this reads (TestCoverArt fails
// should that layout change).
func isAttachedPic(s *astiav.Stream) bool {
	return C.vidsift_attached_pic(*(*unsafe.Pointer)(unsafe.Pointer(s))) != 0
}

// IsAttachedPic reports whether s is cover art, for the engine packages
// that open files themselves (engine/subtitles).
func IsAttachedPic(s *astiav.Stream) bool { return isAttachedPic(s) }
