package media

import (
	"path/filepath"
	"strings"
)

// videoExts and imageExts decide which files inside a folder are candidates.
// Files the user names explicitly are always tried, whatever their extension.
var videoExts = map[string]bool{
	".mp4": true, ".m4v": true, ".mov": true, ".mkv": true, ".webm": true, ".avi": true,
	".wmv": true, ".asf": true, ".flv": true, ".mpg": true, ".mpeg": true, ".m2v": true,
	".ts": true, ".mts": true, ".m2ts": true, ".vob": true, ".3gp": true, ".3g2": true,
	".ogv": true, ".mxf": true, ".dv": true, ".h264": true, ".264": true, ".h265": true,
	".265": true, ".hevc": true, ".ivf": true, ".y4m": true, ".divx": true, ".f4v": true,
	".rm": true, ".rmvb": true, ".nut": true, ".gif": true,
}

var imageExts = map[string]bool{
	".jpg": true, ".jpeg": true, ".png": true, ".webp": true, ".bmp": true, ".tif": true,
	".tiff": true, ".jp2": true, ".ppm": true, ".pgm": true, ".pbm": true, ".tga": true,
	".dpx": true, ".exr": true, ".avif": true,
}

// IsCandidate reports whether a file found while walking a folder should be decoded.
func IsCandidate(path string) bool {
	ext := strings.ToLower(filepath.Ext(path))
	return videoExts[ext] || imageExts[ext]
}

// isImageExt reports whether the extension names a still-image format.
func isImageExt(path string) bool {
	return imageExts[strings.ToLower(filepath.Ext(path))]
}
