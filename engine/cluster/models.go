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
	if len(sha) != 64 {
		return "", fmt.Errorf("model %q: not a sha256", sha)
	}
	if _, err := hex.DecodeString(sha); err != nil {
		return "", fmt.Errorf("model %q: not a sha256", sha)
	}
	path := c.Path(sha)
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	obs, err := js.ObjectStore(ctx, modelsBucket)
	if err != nil {
		return "", err
	}
	obj, err := obs.Get(ctx, sha)
	if err != nil {
		return "", fmt.Errorf("model %s from the hub: %w", sha[:12], err)
	}
	defer obj.Close()
	if err := os.MkdirAll(c.Dir, 0o755); err != nil {
		return "", err
	}
	pf, err := renameio.NewPendingFile(path, renameio.WithPermissions(0o644))
	if err != nil {
		return "", err
	}
	defer pf.Cleanup() //nolint:errcheck // after CloseAtomicallyReplace, a no-op
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(pf, h), obj); err != nil {
		return "", fmt.Errorf("model %s from the hub: %w", sha[:12], err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != sha {
		return "", fmt.Errorf("model %s from the hub has sha256 %s", sha[:12], got[:12])
	}
	return path, pf.CloseAtomicallyReplace()
}
