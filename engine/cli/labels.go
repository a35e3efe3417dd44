package cli

import (
	"bytes"
	"context"
	"fmt"
	"image/jpeg"
	"os"
	"path/filepath"
	"strings"

	"github.com/vidsift/vidsift/engine/export"
	"github.com/vidsift/vidsift/engine/media"
	"github.com/vidsift/vidsift/engine/scan"
	"github.com/vidsift/vidsift/engine/store"
)

// writeLabels writes the selection for labelling tools: --coco, --yolo.
func writeLabels(ctx context.Context, e env, db *store.Library, sel storedSelection, keep map[string]bool, o labelFlags) error {
	classes, err := sel.modelClasses(db)
	if err != nil {
		return err
	}
	set := export.LabelSet{Classes: classes, Images: export.LabelImages(sel.results, keep)}
	src := thumbnailSource(ctx, db, sel.thumbs)
	if o.FullRes {
		src = fullResSource(ctx)
	}
	annotations := 0
	for _, img := range set.Images {
		annotations += len(img.Dets)
	}
	if o.COCO != "" {
		images := o.cocoImages()
		if err := export.WriteCOCO(o.COCO, images, set, src, o.Force); err != nil {
			return fmt.Errorf("--coco: %w", err)
		}
		fmt.Fprintf(e.stderr, "COCO: %d images (in %s), %d annotations, in %s\n", len(set.Images), images, annotations, o.COCO)
	}
	if o.YOLO != "" {
		if err := export.WriteYOLO(o.YOLO, set, src, o.Force); err != nil {
			return fmt.Errorf("--yolo: %w", err)
		}
		fmt.Fprintf(e.stderr, "YOLO: %d images, %d boxes, in %s\n", len(set.Images), annotations, o.YOLO)
	}
	return nil
}

// cocoImages is the folder of --coco's images.
func (o labelFlags) cocoImages() string {
	if o.Images != "" {
		return o.Images
	}
	return strings.TrimSuffix(o.COCO, filepath.Ext(o.COCO)) + "_images"
}

// check refuses, before any work, label exports that cannot be written:
// a COCO file that is a folder, a folder that is not an earlier export's
// (without --force).
func (o labelFlags) check() error {
	if o.COCO != "" {
		// Its folder need not exist: it is made with the images'.
		if st, err := os.Stat(o.COCO); err == nil && st.IsDir() {
			return usageError{fmt.Errorf("--coco: cannot write %s: %w", o.COCO, export.ErrIsFolder)}
		}
		if err := export.CheckFolder(o.cocoImages(), export.COCOImagesFolder(o.COCO), o.Force); err != nil {
			return usageError{fmt.Errorf("--coco's images: %w", err)}
		}
	}
	if o.YOLO != "" {
		if err := export.CheckFolder(o.YOLO, export.YOLOFolder, o.Force); err != nil {
			return usageError{fmt.Errorf("--yolo: %w", err)}
		}
	}
	return nil
}

// modelClasses are the classes of the model the selection's results came
// from, by class id; results of models with other classes cannot share
// one dataset.
func (sel storedSelection) modelClasses(db *store.Library) ([]string, error) {
	var classes []string
	for sha := range sel.modelSHAs {
		names, err := db.ModelClasses(sha)
		if err != nil {
			return nil, err
		}
		if classes != nil && strings.Join(classes, "\x00") != strings.Join(names, "\x00") {
			return nil, usagef("the selection comes from models with different classes; narrow it with PATHs")
		}
		classes = names
	}
	return classes, nil
}

// thumbnailSource writes the library's thumbnail of each frame; a frame
// without one is decoded again at thumbnail size.
func thumbnailSource(ctx context.Context, db *store.Library, thumbs map[string]map[int]string) export.ImageSource {
	return func(img export.LabelImage) ([]byte, int, int, error) {
		if name := thumbs[img.Video][img.Index]; name != "" {
			if jpg, err := db.Thumbnail(name); err == nil {
				cfg, err := jpeg.DecodeConfig(bytes.NewReader(jpg))
				if err == nil {
					return jpg, cfg.Width, cfg.Height, nil
				}
			}
		}
		return decodeFrame(ctx, img, scan.ThumbSize)
	}
}

// fullResSource decodes each frame again from its video, at full size.
func fullResSource(ctx context.Context) export.ImageSource {
	return func(img export.LabelImage) ([]byte, int, int, error) { return decodeFrame(ctx, img, 0) }
}

func decodeFrame(ctx context.Context, img export.LabelImage, maxSide int) ([]byte, int, int, error) {
	frame, err := media.ReadFrameAt(ctx, img.Video, img.Time, maxSide, media.Options{})
	if err != nil {
		return nil, 0, 0, err
	}
	return export.EncodeImage(frame)
}
