package export

import (
	"errors"
	"image"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/vidsift/vidsift/internal/testenv"
)

// grey is an image source: a small grey JPEG for every frame.
func grey(t *testing.T) ImageSource {
	t.Helper()
	jpg, w, h, err := EncodeImage(image.NewGray(image.Rect(0, 0, 32, 18)))
	if err != nil {
		t.Fatal(err)
	}
	return func(LabelImage) ([]byte, int, int, error) { return jpg, w, h, nil }
}

// names lists a folder's files, sorted ("" for a folder that is not there).
func names(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	slices.Sort(out)
	return out
}

// labelSets are two exports of sample(): all its frames, then one.
func labelSets(t *testing.T) (all, one LabelSet) {
	t.Helper()
	res, _ := sample()
	classes := make([]string, 80)
	for i := range classes {
		classes[i] = "class"
	}
	all = LabelSet{Classes: classes, Images: LabelImages(res, nil)}
	for i := range all.Images {
		all.Images[i].FrameW, all.Images[i].FrameH = 640, 360
	}
	if len(all.Images) < 3 {
		t.Fatalf("sample has %d frames", len(all.Images))
	}
	one = LabelSet{Classes: classes, Images: all.Images[:1]}
	return all, one
}

// TestYOLOReplacesEarlierExport: a YOLO export into the folder of an
// earlier one replaces its images and labels, keeps the files vidsift
// did not write, and never deletes outside the folder; a folder of other
// files is refused unless force, which deletes none of them.
func TestYOLOReplacesEarlierExport(t *testing.T) {
	all, one := labelSets(t)
	src := grey(t)
	dir := filepath.Join(t.TempDir(), "dataset")
	if err := WriteYOLO(dir, all, src, false); err != nil {
		t.Fatal(err)
	}
	if n := len(names(t, filepath.Join(dir, "images"))); n != len(all.Images) {
		t.Fatalf("%d images for %d frames", n, len(all.Images))
	}
	mine := filepath.Join(dir, "images", "mine.jpg")
	testenv.WriteFile(t, mine, []byte("the user's"), 0o644)
	outside := filepath.Join(filepath.Dir(dir), "outside.txt")
	testenv.WriteFile(t, outside, []byte("not vidsift's"), 0o644)
	// A manifest edited to name a file outside the folder deletes nothing there.
	testenv.WriteFile(t, filepath.Join(dir, ManifestName),
		[]byte(`{"vidsift_export":"yolo","files":["../outside.txt","images/`+ImageName(all.Images[2].Video, all.Images[2].Index)+`"]}`), 0o644)

	if err := WriteYOLO(dir, one, src, false); err != nil {
		t.Fatal(err)
	}
	name := ImageName(one.Images[0].Video, one.Images[0].Index)
	label := name[:len(name)-len(".jpg")] + ".txt"
	// Images listed in the manifest are gone; the others the first export
	// wrote stay (the manifest no longer named them), as does the user's.
	for _, gone := range []string{ImageName(all.Images[2].Video, all.Images[2].Index)} {
		if _, err := os.Stat(filepath.Join(dir, "images", gone)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s of the earlier export is still there", gone)
		}
	}
	for _, kept := range []string{mine, outside, filepath.Join(dir, "images", name), filepath.Join(dir, "labels", label), filepath.Join(dir, "data.yaml")} {
		if _, err := os.Stat(kept); err != nil {
			t.Errorf("%v", err)
		}
	}

	// Exported afresh into a new folder, twice: the second holds only its own.
	fresh := filepath.Join(t.TempDir(), "fresh")
	for _, set := range []LabelSet{all, one} {
		if err := WriteYOLO(fresh, set, src, false); err != nil {
			t.Fatal(err)
		}
	}
	if got := names(t, filepath.Join(fresh, "images")); !slices.Equal(got, []string{name}) {
		t.Errorf("images after a 1-image export over a %d-image one: %v", len(all.Images), got)
	}
	if got := names(t, filepath.Join(fresh, "labels")); !slices.Equal(got, []string{label}) {
		t.Errorf("labels after a 1-image export over a %d-image one: %v", len(all.Images), got)
	}

	// Someone's folder: refused, untouched; with force, written, nothing deleted.
	theirs := t.TempDir()
	testenv.WriteFile(t, filepath.Join(theirs, "images", "cat.jpg"), []byte("theirs"), 0o644)
	if err := WriteYOLO(theirs, one, src, false); !errors.Is(err, ErrNotExport) {
		t.Errorf("a folder of other files: %v", err)
	}
	if got := names(t, theirs); !slices.Equal(got, []string{"images"}) {
		t.Errorf("a refused folder was written: %v", got)
	}
	if err := WriteYOLO(theirs, one, src, true); err != nil {
		t.Fatal(err)
	}
	if err := WriteYOLO(theirs, one, src, false); err != nil {
		t.Errorf("a folder written with force is an export: %v", err)
	}
	if got := names(t, filepath.Join(theirs, "images")); !slices.Equal(got, []string{"cat.jpg", name}) {
		t.Errorf("images after --force: %v", got)
	}

	// Forced over someone's dataset holding files of the names vidsift
	// writes (data.yaml, an image): vidsift writes them, but never lists
	// them as its own, so the next export, writing other images, keeps them.
	clash := t.TempDir()
	testenv.WriteFile(t, filepath.Join(clash, "data.yaml"), []byte("their classes"), 0o644)
	testenv.WriteFile(t, filepath.Join(clash, "images", name), []byte("their image"), 0o644)
	if err := WriteYOLO(clash, one, src, true); err != nil {
		t.Fatal(err)
	}
	other := LabelSet{Classes: all.Classes, Images: all.Images[1:2]}
	if err := WriteYOLO(clash, other, src, false); err != nil {
		t.Fatal(err)
	}
	for _, kept := range []string{filepath.Join(clash, "data.yaml"), filepath.Join(clash, "images", name)} {
		if _, err := os.Stat(kept); err != nil {
			t.Errorf("a file that was theirs before --force: %v", err)
		}
	}
	if _, err := os.Stat(filepath.Join(clash, "labels", label)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the forced export's own label was not replaced: %v", err)
	}
}

// TestCOCOReplacesEarlierImages: a COCO export replaces the images an
// earlier one wrote in its images folder.
func TestCOCOReplacesEarlierImages(t *testing.T) {
	all, one := labelSets(t)
	dir := t.TempDir()
	file, images := filepath.Join(dir, "coco.json"), filepath.Join(dir, "coco_images")
	for _, set := range []LabelSet{all, one} {
		if err := WriteCOCO(file, images, set, grey(t), false); err != nil {
			t.Fatal(err)
		}
	}
	if got := names(t, images); !slices.Equal(got, []string{ManifestName, ImageName(one.Images[0].Video, one.Images[0].Index)}) {
		t.Errorf("images after a 1-image export over a %d-image one: %v", len(all.Images), got)
	}
	if err := WriteCOCO(filepath.Join(dir, "other.json"), dir, one, grey(t), false); !errors.Is(err, ErrNotExport) {
		t.Errorf("images into a folder of other files: %v", err)
	}
	// Another COCO file's images into the first's folder would delete
	// those the first names: refused too.
	if err := WriteCOCO(filepath.Join(dir, "second.json"), images, all, grey(t), false); !errors.Is(err, ErrNotExport) {
		t.Errorf("a second COCO file's images into the first's folder: %v", err)
	}
	if got := names(t, images); len(got) != 2 {
		t.Errorf("the first COCO file's images after the refusal: %v", got)
	}
}
