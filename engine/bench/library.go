package bench

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"time"

	"golang.org/x/sys/unix"

	"github.com/vidsift/vidsift/engine/detect"
	"github.com/vidsift/vidsift/engine/fingerprint"
	"github.com/vidsift/vidsift/engine/pipeline"
	"github.com/vidsift/vidsift/engine/scan"
	"github.com/vidsift/vidsift/engine/store"
)

// LibraryReport is what knowing files by content costs and saves.
type LibraryReport struct {
	// Fingerprints: each clip's cost, then the big file's (BigGiB > 0).
	Fingerprints []FingerprintCost `json:"fingerprints"`
	// A folder of Files distinct files (the clips, each copy with a few
	// bytes of its own appended) scanned with the defaults into a fresh
	// library, moved, and scanned again; then scanned once more unmoved.
	Files                  int     `json:"files"`
	FirstScanSec           float64 `json:"first_scan_s"`
	MovedRescanSec         float64 `json:"moved_rescan_s"`
	MovedRatio             float64 `json:"moved_rescan_ratio"` // MovedRescanSec ÷ FirstScanSec (goal ≤ 0.05)
	MovedInferences        int     `json:"moved_inferences"`
	MovedFingerprinted     int     `json:"moved_fingerprinted"`
	MovedSkipped           int     `json:"moved_skipped"`
	UnchangedRescanSec     float64 `json:"unchanged_rescan_s"`
	UnchangedFingerprinted int     `json:"unchanged_fingerprinted"`
}

// FingerprintCost is one file's fingerprint time: cold (its pages
// dropped from the page cache first) and warm (read just before), the
// median of fingerprintRounds rounds.
type FingerprintCost struct {
	Name   string  `json:"name"`
	Bytes  int64   `json:"bytes"`
	ColdMs float64 `json:"cold_ms"`
	WarmMs float64 `json:"warm_ms"`
}

const fingerprintRounds = 5

// library measures fingerprints on o.Clips (and a file of o.BigGiB GiB)
// and the rescan of a moved folder of o.LibraryFiles files.
func (rep *Report) library(ctx context.Context, o Options) error {
	lr := &LibraryReport{}
	rep.Library = lr
	for _, c := range o.Clips {
		cost, err := fingerprintCost(c)
		if err != nil {
			return err
		}
		lr.Fingerprints = append(lr.Fingerprints, cost)
	}
	if o.BigGiB > 0 {
		o.Log("fingerprint: writing a %d GiB file", o.BigGiB)
		big, err := bigFile(o.BigGiB)
		if err != nil {
			return err
		}
		cost, err := fingerprintCost(big)
		cost.Name = fmt.Sprintf("%d GiB of random bytes", o.BigGiB)
		os.Remove(big)
		if err != nil {
			return err
		}
		lr.Fingerprints = append(lr.Fingerprints, cost)
	}
	if o.LibraryFiles <= 0 {
		return nil
	}
	dir, err := os.MkdirTemp("", "vidsift-bench-library-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	first := filepath.Join(dir, "archive")
	for i := 0; i < o.LibraryFiles; i++ {
		src := o.Clips[i%len(o.Clips)]
		if err := distinctCopy(src, filepath.Join(first, fmt.Sprintf("%03d", i/10), fmt.Sprintf("%04d_%s", i, filepath.Base(src))), i); err != nil {
			return err
		}
	}
	ls, err := openLibraryScan(dir, o.Model)
	if err != nil {
		return err
	}
	defer ls.close()
	scanOnce := func(root string) (scan.Summary, error) {
		var sum scan.Summary
		for ev := range pipeline.Run(ctx, ls.config(), []string{root}) {
			if f, ok := ev.(scan.RunFinished); ok {
				if f.Err != nil {
					return sum, f.Err
				}
				sum = f.Summary
			}
		}
		if sum.Failed > 0 || sum.Files != o.LibraryFiles {
			return sum, fmt.Errorf("%d of %d files failed, %d finished", sum.Failed, o.LibraryFiles, sum.Files)
		}
		return sum, nil
	}
	o.Log("library: first scan of %d distinct files", o.LibraryFiles)
	s1, err := scanOnce(first)
	if err != nil {
		return err
	}
	moved := filepath.Join(dir, "moved archive")
	if err := os.Rename(first, moved); err != nil {
		return err
	}
	o.Log("library: the folder moved, scanned again")
	s2, err := scanOnce(moved)
	if err != nil {
		return err
	}
	s3, err := scanOnce(moved)
	if err != nil {
		return err
	}
	lr.Files, lr.FirstScanSec, lr.MovedRescanSec = o.LibraryFiles, s1.Elapsed.Seconds(), s2.Elapsed.Seconds()
	lr.MovedRatio = lr.MovedRescanSec / lr.FirstScanSec
	lr.MovedInferences, lr.MovedFingerprinted, lr.MovedSkipped = s2.Inferences, s2.Fingerprinted, s2.Skipped
	lr.UnchangedRescanSec, lr.UnchangedFingerprinted = s3.Elapsed.Seconds(), s3.Fingerprinted
	return nil
}

// libraryScan is a fresh library in a folder and a loaded model: what
// the library and watch measurements scan with.
type libraryScan struct {
	lib   *store.Library
	model *detect.Model
}

func openLibraryScan(dir, model string) (*libraryScan, error) {
	lib, err := store.Open(filepath.Join(dir, store.FileName))
	if err != nil {
		return nil, err
	}
	m, err := detect.Load(model, detect.Options{IntraOpThreads: 1})
	if err != nil {
		lib.Close()
		return nil, err
	}
	return &libraryScan{lib: lib, model: m}, nil
}

// config is a run with the defaults into the library, with JPEG
// thumbnails as vidsift scan keeps them there.
func (l *libraryScan) config() pipeline.Config {
	cfg := pipeline.NewConfig(l.model, nil, scan.DefaultSettings())
	cfg.Thumbs = pipeline.JPEGThumbs
	cfg.Library = l.lib.ForRun(cfg.Params, false)
	return cfg
}

func (l *libraryScan) close() {
	l.model.Close()
	l.lib.Close()
}

// fingerprintCost times fingerprint.Of on path, cold and warm.
func fingerprintCost(path string) (FingerprintCost, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return FingerprintCost{}, err
	}
	c := FingerprintCost{Name: filepath.Base(path), Bytes: fi.Size()}
	var cold, warm []float64
	for range fingerprintRounds {
		if err := dropCache(path); err != nil {
			return c, err
		}
		for _, into := range []*[]float64{&cold, &warm} {
			start := time.Now()
			if _, _, err := fingerprint.Of(path); err != nil {
				return c, err
			}
			*into = append(*into, float64(time.Since(start).Microseconds())/1000)
		}
	}
	c.ColdMs, c.WarmMs = median(cold), median(warm)
	return c, nil
}

// dropCache asks the kernel to forget path's cached pages (clean ones:
// the file is synced first), so the next read comes from the disk.
func dropCache(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_ = f.Sync() // a read-only file cannot always be synced; its pages are clean anyway
	return unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED)
}

func median(v []float64) float64 {
	sort.Float64s(v)
	return v[len(v)/2]
}

// bigFile writes gib GiB of random bytes to a temp file and returns it.
func bigFile(gib int) (string, error) {
	f, err := os.CreateTemp("", "vidsift-bench-big-*.bin")
	if err != nil {
		return "", err
	}
	defer f.Close()
	if _, err := io.CopyN(f, rand.Reader, int64(gib)<<30); err != nil {
		os.Remove(f.Name())
		return "", err
	}
	if err := f.Sync(); err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

// distinctCopy copies src to dst with i's bytes appended, so every copy
// is a file of its own content that still decodes as src does.
func distinctCopy(src, dst string, i int) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return os.WriteFile(dst, append(b, fmt.Sprintf("vidsift-bench-%08d", i)...), 0o644)
}
