package cli

import (
	"bufio"
	"fmt"
	"image/jpeg"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/vidsift/vidsift/engine/export"
	"github.com/vidsift/vidsift/internal/testenv"
)

// box is a detection's box in some image's pixels, with its class.
type box struct {
	class int
	xyxy  [4]float64
}

// selected is what `export --json` with the same flags selects: per image
// (video, time), the boxes in frame pixels and the frame's size.
type selected struct {
	boxes map[string][]box
	size  map[string][2]int // video -> upright width, height
	named map[string]string // image name (export.ImageName) -> key
	dets  int
}

func imageKey(video string, t float64) string { return fmt.Sprintf("%s@%.3f", video, t) }

func selectedBy(t *testing.T, args ...string) selected {
	t.Helper()
	out := filepath.Join(t.TempDir(), "sel.json")
	if code, _, stderr := vidsift(t, append([]string{"export", "--json", out}, args...)...); code != 0 {
		t.Fatalf("export --json %v: exit %d\n%s", args, code, stderr)
	}
	doc := readDoc(t, out)
	sel := selected{boxes: map[string][]box{}, size: map[string][2]int{}, named: map[string]string{}}
	for _, f := range doc.Files {
		sel.size[f.Path] = [2]int{f.Media.Width, f.Media.Height}
		for _, k := range f.Frames {
			key := imageKey(f.Path, k.Time)
			sel.boxes[key] = []box{}
			sel.named[export.ImageName(f.Path, k.Index)] = key
			for _, d := range k.Detections {
				sel.boxes[key] = append(sel.boxes[key], box{d.ClassID, d.Box})
				sel.dets++
			}
		}
	}
	return sel
}

// sameBoxes checks an image's boxes against the library's, scaled from
// the frame to the image, within 0.5 px.
func sameBoxes(t *testing.T, where string, got, want []box, sx, sy float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d boxes, the library has %d", where, len(got), len(want))
		return
	}
	for i := range got {
		w := want[i].xyxy
		scaledWant := [4]float64{w[0] * sx, w[1] * sy, w[2] * sx, w[3] * sy}
		for j := range 4 {
			if got[i].class != want[i].class || math.Abs(got[i].xyxy[j]-scaledWant[j]) > 0.5 {
				t.Errorf("%s box %d: class %d %v, the library's scaled: class %d %v", where, i, got[i].class, got[i].xyxy, want[i].class, scaledWant)
				break
			}
		}
	}
}

func imageSize(t *testing.T, path string) (int, int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("image: %v", err)
	}
	defer f.Close()
	cfg, err := jpeg.DecodeConfig(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return cfg.Width, cfg.Height
}

// checkCOCO reads a COCO export and holds it against the selection.
func checkCOCO(t *testing.T, file string, want selected, fullRes bool) {
	t.Helper()
	coco := testenv.ReadJSON[export.COCO](t, file)
	cats := map[int]bool{}
	for _, c := range coco.Categories {
		cats[c.ID] = true
	}
	if len(coco.Categories) != 80 || coco.Categories[0] != (export.COCOCategory{ID: 1, Name: "person"}) {
		t.Errorf("categories: %d, first %+v; want the model's 80, id = class id + 1", len(coco.Categories), coco.Categories[0])
	}
	if len(coco.Images) != len(want.boxes) || len(coco.Annotations) != want.dets || want.dets == 0 {
		t.Errorf("%d images and %d annotations; the selection has %d frames and %d detections", len(coco.Images), len(coco.Annotations), len(want.boxes), want.dets)
	}
	byImage := map[int][]box{}
	for _, a := range coco.Annotations {
		if !cats[a.CategoryID] {
			t.Errorf("annotation %d: no category %d", a.ID, a.CategoryID)
		}
		b := a.BBox
		byImage[a.ImageID] = append(byImage[a.ImageID], box{a.CategoryID - 1, [4]float64{b[0], b[1], b[0] + b[2], b[1] + b[3]}})
	}
	ids := map[int]bool{}
	for _, img := range coco.Images {
		ids[img.ID] = true
		path := filepath.Join(filepath.Dir(file), filepath.FromSlash(img.FileName))
		w, h := imageSize(t, path)
		if w != img.Width || h != img.Height {
			t.Errorf("%s: %d×%d, the COCO file says %d×%d", img.FileName, w, h, img.Width, img.Height)
		}
		frame := want.size[img.Path]
		if fullRes && (w != frame[0] || h != frame[1]) {
			t.Errorf("%s: %d×%d with --full-res, the frame is %d×%d", img.FileName, w, h, frame[0], frame[1])
		}
		key := imageKey(img.Path, img.Time)
		boxes, ok := want.boxes[key]
		if !ok {
			t.Errorf("%s: not a selected frame", key)
			continue
		}
		sameBoxes(t, img.FileName, byImage[img.ID], boxes, float64(w)/float64(frame[0]), float64(h)/float64(frame[1]))
	}
	for _, a := range coco.Annotations {
		if !ids[a.ImageID] {
			t.Errorf("annotation %d: no image %d", a.ID, a.ImageID)
		}
	}
}

// checkYOLO reads a YOLO export and holds it against the selection.
func checkYOLO(t *testing.T, dir string, want selected) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "data.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var data export.YOLOData
	if err := yaml.Unmarshal(raw, &data); err != nil || len(data.Names) != 80 || data.Names[0] != "person" || data.Train != "images" {
		t.Errorf("data.yaml: %+v, %v", data, err)
	}
	images, _ := os.ReadDir(filepath.Join(dir, "images"))
	labels, _ := os.ReadDir(filepath.Join(dir, "labels"))
	if len(images) != len(want.boxes) || len(labels) != len(images) {
		t.Fatalf("%d images, %d label files; the selection has %d frames", len(images), len(labels), len(want.boxes))
	}
	total := 0
	for _, img := range images {
		key, ok := want.named[img.Name()]
		if !ok {
			t.Errorf("image %s: not a selected frame", img.Name())
			continue
		}
		w, h := imageSize(t, filepath.Join(dir, "images", img.Name()))
		label := filepath.Join(dir, "labels", strings.TrimSuffix(img.Name(), ".jpg")+".txt")
		f, err := os.Open(label)
		if err != nil {
			t.Errorf("image %s: %v", img.Name(), err)
			continue
		}
		var got []box
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			var c int
			var cx, cy, bw, bh float64
			if n, err := fmt.Sscan(sc.Text(), &c, &cx, &cy, &bw, &bh); n != 5 || err != nil || c < 0 || c >= 80 ||
				cx < 0 || cx > 1 || cy < 0 || cy > 1 || bw <= 0 || bh <= 0 {
				t.Errorf("%s: bad line %q", label, sc.Text())
			}
			x, y := cx*float64(w), cy*float64(h)
			hw, hh := bw*float64(w)/2, bh*float64(h)/2
			got = append(got, box{c, [4]float64{x - hw, y - hh, x + hw, y + hh}})
		}
		f.Close()
		total += len(got)
		video := key[:strings.LastIndex(key, "@")]
		frame := want.size[video]
		sameBoxes(t, label, got, want.boxes[key], float64(w)/float64(frame[0]), float64(h)/float64(frame[1]))
	}
	if total != want.dets {
		t.Errorf("%d boxes in labels/, the selection has %d detections", total, want.dets)
	}
}

// TestLabelExports: COCO and YOLO exports of the library, of thumbnails and
// of full-size frames, with --where and --together, round-trip: every
// annotation refers to an existing image and category, every box is the
// library's scaled to the written image, one annotation per selected
// detection.
func TestLabelExports(t *testing.T) {
	isolated(t)
	t.Setenv("VIDSIFT_MODEL", testenv.Model(t))
	media := testenv.Shared(t, "testdata")
	// A hostile name: quotes, a newline, dots and spaces.
	hostile := filepath.Join(t.TempDir(), "..\"evil\nname .. .mp4")
	testenv.Symlink(t, filepath.Join(media, "videos", "street_bikes_h264.mp4"), hostile)
	if code, stderr := scanCmd(t, "-q", media, hostile); code != 0 {
		t.Fatalf("scan: exit %d\n%s", code, stderr)
	}
	dir := t.TempDir()

	t.Run("thumbnails", func(t *testing.T) {
		want := selectedBy(t, "--conf", "0.4")
		coco := filepath.Join(dir, "thumbs", "coco.json")
		yolo := filepath.Join(dir, "thumbs", "yolo")
		if code, _, stderr := vidsift(t, "export", "--conf", "0.4", "--coco", coco, "--yolo", yolo); code != 0 {
			t.Fatalf("exit %d\n%s", code, stderr)
		}
		checkCOCO(t, coco, want, false)
		checkYOLO(t, yolo, want)
		// The images sit in the default folder beside the COCO file, with
		// plain names whatever the video's name.
		safe := regexp.MustCompile(`^[A-Za-z0-9_-]+_[0-9a-f]{8}_f[0-9]{4}\.jpg$`)
		for _, folder := range []string{filepath.Join(dir, "thumbs", "coco_images"), filepath.Join(yolo, "images")} {
			entries, err := os.ReadDir(folder)
			if err != nil || len(entries) == 0 {
				t.Fatalf("%s: %v", folder, err)
			}
			for _, e := range entries {
				if !safe.MatchString(e.Name()) && e.Name() != export.ManifestName {
					t.Errorf("%s: unsafe image name %q", folder, e.Name())
				}
			}
		}
		var outside []string
		filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
			if err == nil && !info.IsDir() && !strings.HasPrefix(path, filepath.Join(dir, "thumbs")+"/") {
				outside = append(outside, path)
			}
			return nil
		})
		if len(outside) > 0 {
			t.Errorf("files written outside the outputs: %v", outside)
		}
	})

	t.Run("full size, where together", func(t *testing.T) {
		args := []string{"--where", "dog & person", "--together", "--classes", "dog,person", filepath.Join(media, "videos")}
		want := selectedBy(t, args...)
		if len(want.boxes) == 0 {
			t.Fatal("no frame shows a dog and a person together: the test proves nothing")
		}
		coco := filepath.Join(dir, "full", "coco.json")
		images := filepath.Join(dir, "full", "frames")
		if code, _, stderr := vidsift(t, append([]string{"export", "--coco", coco, "--images", images, "--full-res"}, args...)...); code != 0 {
			t.Fatalf("exit %d\n%s", code, stderr)
		}
		checkCOCO(t, coco, want, true)
		for _, img := range testenv.ReadJSON[export.COCO](t, coco).Images {
			if !strings.HasPrefix(img.FileName, "frames/") {
				t.Errorf("file_name %q is not in --images, relative to the COCO file", img.FileName)
			}
		}
	})

	t.Run("mistakes", func(t *testing.T) {
		for _, args := range [][]string{
			{"export", "--coco", filepath.Join(dir, "x.json"), "--where", "dog &"},
			{"export", "--yolo", filepath.Join(dir, "y"), "--where", "unicorn"},
			{"export", "--yolo", filepath.Join(dir, "y"), "--together"},
			{"export", "--json", filepath.Join(dir, "z.json"), "--images", filepath.Join(dir, "imgs")},
			{"export", "--csv", filepath.Join(dir, "z.csv"), "--full-res"},
		} {
			if code, _, _ := vidsift(t, args...); code != ExitUsage {
				t.Errorf("%v: exit %d, want 2", args, code)
			}
		}
	})
}
