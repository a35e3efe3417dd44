package export

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/renameio/v2"
	"github.com/vidsift/vidsift/engine/scan"
	"go.yaml.in/yaml/v3"
)

// LabelImage is one analysed frame to write as a training image, for the
// labelling tools people review and retrain with (COCO, YOLO).
type LabelImage struct {
	Video  string  // the video's path
	Index  int     // the frame's index among the file's analysed frames
	Time   float64 // seconds
	FrameW int     // the upright frame's size, in whose pixels Dets' boxes are
	FrameH int
	Dets   []scan.Detection
}

// LabelImages lists every analysed frame of results as a training image,
// with only the detections of the classes in keep (nil: all).
func LabelImages(results []scan.FileResult, keep map[string]bool) []LabelImage {
	var out []LabelImage
	for _, r := range results {
		for _, k := range r.Frames {
			dets := scan.Filter{Classes: keep}.Detections(k.Detections)
			out = append(out, LabelImage{Video: r.Path, Index: k.Index, Time: k.Time, FrameW: k.Width, FrameH: k.Height, Dets: dets})
		}
	}
	return out
}

// EncodeImage makes an image source's answer: img as JPEG, with its size.
func EncodeImage(img image.Image) ([]byte, int, int, error) {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: scan.JPEGQuality}); err != nil {
		return nil, 0, 0, err
	}
	size := img.Bounds().Size()
	return b.Bytes(), size.X, size.Y, nil
}

// ImageSource makes the JPEG written for a frame: the library's thumbnail,
// or the frame decoded again at full size. w and h are its size.
type ImageSource func(img LabelImage) (jpg []byte, w, h int, err error)

// LabelSet is what a labelling export holds.
type LabelSet struct {
	Classes []string // the model's classes, by class id
	Images  []LabelImage
}

// ImageName is the file name of a frame's image: the video's base name
// made safe (letters, digits, . _ -), a hash of its full path (two videos
// of one name stay apart) and the frame index. It never holds a
// separator, so no name escapes the images folder.
func ImageName(video string, index int) string {
	safe, hash := SafeBase(video)
	return fmt.Sprintf("%s_%s_f%04d.jpg", safe, hash, index)
}

// SafeBase is how files made from a video are named: its base name made
// safe (letters, digits, _ -; at most 60 bytes) and a hash of its full
// path, so two videos of one name stay apart. Neither holds a separator.
func SafeBase(video string) (safe, hash string) {
	base := strings.TrimSuffix(filepath.Base(video), filepath.Ext(video))
	safe = strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '-':
			return r
		}
		return '_'
	}, base)
	if len(safe) > 60 {
		safe = safe[:60]
	}
	sum := sha256.Sum256([]byte(video))
	return safe, hex.EncodeToString(sum[:4])
}

// COCO is the COCO detection format, with each image's video and time.
type COCO struct {
	Info        COCOInfo         `json:"info"`
	Images      []COCOImage      `json:"images"`
	Annotations []COCOAnnotation `json:"annotations"`
	Categories  []COCOCategory   `json:"categories"`
}

type COCOInfo struct {
	Description string `json:"description"`
}

type COCOImage struct {
	ID       int     `json:"id"`
	FileName string  `json:"file_name"` // relative to the COCO file
	Width    int     `json:"width"`
	Height   int     `json:"height"`
	Path     string  `json:"path"`   // the video it comes from
	Time     float64 `json:"time_s"` // where in the video, seconds
}

type COCOAnnotation struct {
	ID         int        `json:"id"`
	ImageID    int        `json:"image_id"`
	CategoryID int        `json:"category_id"` // class id + 1
	BBox       [4]float64 `json:"bbox"`        // x, y, width, height in the written image's pixels
	Area       float64    `json:"area"`
	IsCrowd    int        `json:"iscrowd"`
	Score      float64    `json:"score"` // the detector's confidence
}

type COCOCategory struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
}

// scaled is a detection's box in an image of w×h made from its frame.
func scaled(img LabelImage, d scan.Detection, w, h int) (x1, y1, x2, y2 float64) {
	sx, sy := float64(w)/float64(img.FrameW), float64(h)/float64(img.FrameH)
	return d.Box[0] * sx, d.Box[1] * sy, d.Box[2] * sx, d.Box[3] * sy
}

// WriteCOCO writes set as a COCO file, with its images in imagesDir. The
// images of an export written there before are replaced; a folder that
// holds other files is refused (ErrNotExport) unless force, and then
// nothing of it is deleted.
func WriteCOCO(file, imagesDir string, set LabelSet, src ImageSource, force bool) error {
	folder, err := openFolder(imagesDir, COCOImagesFolder(file), force)
	if err != nil {
		return err
	}
	var names []string
	for _, img := range set.Images {
		names = append(names, ImageName(img.Video, img.Index))
	}
	if err := folder.begin(names); err != nil {
		return err
	}
	doc := COCO{Info: COCOInfo{Description: "vidsift detections: each image an analysed frame"},
		Images: []COCOImage{}, Annotations: []COCOAnnotation{}}
	for id, name := range set.Classes {
		doc.Categories = append(doc.Categories, COCOCategory{ID: id + 1, Name: name})
	}
	base, err := filepath.Abs(filepath.Dir(file))
	if err != nil {
		return err
	}
	for _, img := range set.Images {
		jpg, w, h, err := src(img)
		if err != nil {
			return fmt.Errorf("%s at %.3f s: %w", img.Video, img.Time, err)
		}
		path := filepath.Join(imagesDir, ImageName(img.Video, img.Index))
		if err := renameio.WriteFile(path, jpg, 0o644); err != nil {
			return err
		}
		abs, err := filepath.Abs(path)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(base, abs)
		if err != nil {
			return err
		}
		ci := COCOImage{ID: len(doc.Images) + 1, FileName: filepath.ToSlash(rel), Width: w, Height: h, Path: img.Video, Time: img.Time}
		doc.Images = append(doc.Images, ci)
		for _, d := range img.Dets {
			if d.ClassID < 0 || d.ClassID >= len(set.Classes) {
				return fmt.Errorf("%s: class id %d outside the model's %d classes", img.Video, d.ClassID, len(set.Classes))
			}
			x1, y1, x2, y2 := scaled(img, d, w, h)
			doc.Annotations = append(doc.Annotations, COCOAnnotation{ID: len(doc.Annotations) + 1, ImageID: ci.ID,
				CategoryID: d.ClassID + 1, BBox: [4]float64{x1, y1, x2 - x1, y2 - y1}, Area: (x2 - x1) * (y2 - y1),
				Score: float64(d.Confidence)})
		}
	}
	if err := atomicWrite(file, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", " ")
		return enc.Encode(doc)
	}); err != nil {
		return err
	}
	return folder.finish(names)
}

// YOLOData is a YOLO dataset's data.yaml, as Ultralytics reads it.
type YOLOData struct {
	Path  string   `yaml:"path"`
	Train string   `yaml:"train"`
	Val   string   `yaml:"val"`
	Names []string `yaml:"names"`
}

// WriteYOLO writes set as a YOLO dataset in dir: images/, labels/ (one
// "class cx cy w h" line per box, normalised to the image) and data.yaml.
// A dataset written there before is replaced; a folder that holds other
// files is refused (ErrNotExport) unless force, and then nothing of it is
// deleted.
func WriteYOLO(dir string, set LabelSet, src ImageSource, force bool) error {
	folder, err := openFolder(dir, YOLOFolder, force)
	if err != nil {
		return err
	}
	images, labels := filepath.Join(dir, "images"), filepath.Join(dir, "labels")
	for _, d := range []string{images, labels} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	files := []string{"data.yaml"}
	for _, img := range set.Images {
		name := strings.TrimSuffix(ImageName(img.Video, img.Index), ".jpg")
		files = append(files, "images/"+name+".jpg", "labels/"+name+".txt")
	}
	if err := folder.begin(files); err != nil {
		return err
	}
	for _, img := range set.Images {
		jpg, w, h, err := src(img)
		if err != nil {
			return fmt.Errorf("%s at %.3f s: %w", img.Video, img.Time, err)
		}
		name := ImageName(img.Video, img.Index)
		if err := renameio.WriteFile(filepath.Join(images, name), jpg, 0o644); err != nil {
			return err
		}
		var b strings.Builder
		for _, d := range img.Dets {
			x1, y1, x2, y2 := scaled(img, d, w, h)
			fmt.Fprintf(&b, "%d %.6f %.6f %.6f %.6f\n", d.ClassID,
				(x1+x2)/2/float64(w), (y1+y2)/2/float64(h), (x2-x1)/float64(w), (y2-y1)/float64(h))
		}
		label := strings.TrimSuffix(name, ".jpg") + ".txt"
		if err := renameio.WriteFile(filepath.Join(labels, label), []byte(b.String()), 0o644); err != nil {
			return err
		}
	}
	raw, err := yaml.Marshal(YOLOData{Path: ".", Train: "images", Val: "images", Names: set.Classes})
	if err != nil {
		return err
	}
	if err := renameio.WriteFile(filepath.Join(dir, "data.yaml"), raw, 0o644); err != nil {
		return err
	}
	return folder.finish(files)
}
