package cluster

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/google/renameio/v2"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/vidsift/vidsift/engine/ocr"
)

// shareModel puts the model file in the models bucket under its sha256,
// unless it is there already, so every worker scans with exactly it.
func shareModel(ctx context.Context, js jetstream.JetStream, path, sha string) error {
	obs, err := js.ObjectStore(ctx, modelsBucket)
	if err != nil {
		return err
	}
	if _, err := obs.GetInfo(ctx, sha); err == nil {
		return nil
	} else if !errors.Is(err, jetstream.ErrObjectNotFound) {
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = obs.Put(ctx, jetstream.ObjectMeta{Name: sha, Description: filepath.Base(path)}, f)
	return err
}

// ModelCache is where workers keep the models they fetched, by sha256.
type ModelCache struct{ Dir string }

// DefaultModelCache is $XDG_CACHE_HOME/vidsift/models.
func DefaultModelCache() (ModelCache, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return ModelCache{}, err
	}
	return ModelCache{Dir: filepath.Join(dir, "vidsift", "models")}, nil
}

// Path is where the model with this sha256 is kept.
func (c ModelCache) Path(sha string) string { return filepath.Join(c.Dir, sha+".onnx") }

// fetch returns the cached model file for sha, fetching it from the
// models bucket first if needed; its content is checked against sha.
func (c ModelCache) fetch(ctx context.Context, js jetstream.JetStream, sha string) (string, error) {
	if err := checkSHA(sha); err != nil {
		return "", fmt.Errorf("model %w", err)
	}
	path := c.Path(sha)
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	if err := os.MkdirAll(c.Dir, 0o755); err != nil {
		return "", err
	}
	if err := getModel(ctx, js, sha, path, io.Discard); err != nil {
		return "", fmt.Errorf("model %w", err)
	}
	return path, nil
}

// textModelFiles are the files of the text models, in the order a job
// names them and ocr.Reader.SHA256 hashes them.
var textModelFiles = [3]string{ocr.DetectorFile, ocr.RecogniserFile, ocr.DictionaryFile}

// hashTextModels returns the sha256 of each file of the text models r was
// loaded from, in the order of textModelFiles. Files changed since r
// loaded them are refused: workers would read with other models than r.
func hashTextModels(r *ocr.Reader) ([3]string, error) {
	var shas [3]string
	all := sha256.New()
	for i, name := range textModelFiles {
		f, err := os.Open(filepath.Join(r.Dir(), name))
		if err != nil {
			return shas, fmt.Errorf("text models: %w", err)
		}
		h := sha256.New()
		_, err = io.Copy(io.MultiWriter(h, all), f)
		f.Close()
		if err != nil {
			return shas, fmt.Errorf("text models: %w", err)
		}
		shas[i] = hex.EncodeToString(h.Sum(nil))
	}
	if got := hex.EncodeToString(all.Sum(nil)); got != r.SHA256() {
		return shas, fmt.Errorf("the text models in %s changed since they were loaded (sha256 %s, loaded %s)", r.Dir(), short(got), short(r.SHA256()))
	}
	return shas, nil
}

// shareTextModels puts the text models r was loaded from in the models
// bucket, each file under its sha256 (shas, from hashTextModels).
func shareTextModels(ctx context.Context, js jetstream.JetStream, r *ocr.Reader, shas [3]string) error {
	for i, name := range textModelFiles {
		if err := shareModel(ctx, js, filepath.Join(r.Dir(), name), shas[i]); err != nil {
			return fmt.Errorf("text model %s: %w", name, err)
		}
	}
	return nil
}

// TextDir is where the text models whose files hash together (as
// ocr.Reader.SHA256) to models are kept: a folder ocr.Load reads.
func (c ModelCache) TextDir(models string) string { return filepath.Join(c.Dir, "ocr-"+models) }

// fetchText returns the cached folder of the text models, fetching their
// files (sha256s in the order of textModelFiles) from the models bucket
// first if needed. Each file is checked against its sha256, and all of
// them against models; the folder appears whole or not at all.
func (c ModelCache) fetchText(ctx context.Context, js jetstream.JetStream, files [3]string, models string) (string, error) {
	if err := checkSHA(models); err != nil {
		return "", fmt.Errorf("text models %w", err)
	}
	for i, sha := range files {
		if err := checkSHA(sha); err != nil {
			return "", fmt.Errorf("text model %s %w", textModelFiles[i], err)
		}
	}
	dir := c.TextDir(models)
	if st, err := os.Stat(dir); err == nil && st.IsDir() {
		return dir, nil
	}
	if err := os.MkdirAll(c.Dir, 0o755); err != nil {
		return "", err
	}
	part, err := os.MkdirTemp(c.Dir, "ocr-"+short(models)+"-*.part")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(part) //nolint:errcheck // once renamed, there is nothing left to remove
	all := sha256.New()
	for i, name := range textModelFiles {
		if err := getModel(ctx, js, files[i], filepath.Join(part, name), all); err != nil {
			return "", fmt.Errorf("text model %s %w", name, err)
		}
	}
	if got := hex.EncodeToString(all.Sum(nil)); got != models {
		return "", fmt.Errorf("text models %s from the hub together have sha256 %s, not the job's %s", short(files[0]), short(got), short(models))
	}
	if err := os.Chmod(part, 0o755); err != nil {
		return "", err
	}
	if err := os.Rename(part, dir); err != nil {
		// Another worker sharing the cache may have put it there first.
		if st, serr := os.Stat(dir); serr == nil && st.IsDir() {
			return dir, nil
		}
		return "", err
	}
	return dir, nil
}

// checkSHA refuses a name that is not a sha256 (it names files here).
func checkSHA(sha string) error {
	if _, err := hex.DecodeString(sha); err != nil || len(sha) != 64 {
		return fmt.Errorf("%q: not a sha256", sha)
	}
	return nil
}

// getModel writes the object sha of the models bucket to path, atomically,
// and to also; its content is checked against sha.
func getModel(ctx context.Context, js jetstream.JetStream, sha, path string, also io.Writer) error {
	obs, err := js.ObjectStore(ctx, modelsBucket)
	if err != nil {
		return err
	}
	obj, err := obs.Get(ctx, sha)
	if err != nil {
		return fmt.Errorf("%s from the hub: %w", short(sha), err)
	}
	defer obj.Close()
	pf, err := renameio.NewPendingFile(path, renameio.WithPermissions(0o644))
	if err != nil {
		return err
	}
	defer pf.Cleanup() //nolint:errcheck // after CloseAtomicallyReplace, a no-op
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(pf, h, also), obj); err != nil {
		return fmt.Errorf("%s from the hub: %w", short(sha), err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != sha {
		return fmt.Errorf("%s from the hub has sha256 %s: the hub's copy is corrupt", short(sha), short(got))
	}
	return pf.CloseAtomicallyReplace()
}
