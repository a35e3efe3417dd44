package media

// #cgo pkg-config: libavcodec libavformat libavutil
// #include <libavcodec/avcodec.h>
// #include <libavformat/avformat.h>
// #include <libavutil/avutil.h>
import "C"

import "fmt"

// Versions describes the FFmpeg libraries vidsift runs on, for bug reports:
// FFmpeg's own version string and libavcodec's and libavformat's versions.
// go-astiav 0.16 has no version call.
func Versions() string {
	return fmt.Sprintf("%s (libavcodec %s, libavformat %s)",
		C.GoString(C.av_version_info()), libVersion(uint(C.avcodec_version())), libVersion(uint(C.avformat_version())))
}

// libVersion spells an AV_VERSION_INT as major.minor.micro.
func libVersion(v uint) string { return fmt.Sprintf("%d.%d.%d", v>>16, v>>8&0xff, v&0xff) }
