package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// ChildStats is what `vidsift scan --stats FILE` writes for the benchmark.
type ChildStats struct {
	FirstResultSec float64 `json:"first_result_s"` // process start to first analysed keyframe
	Keyframes      int     `json:"keyframes"`
	ModelLoads     int64   `json:"model_loads"`
	PeakRSSKB      int64   `json:"peak_rss_kb"` // the scan's own high-water mark (VmHWM)
}

// PeakRSSKB reads this process's peak resident set size (VmHWM) in KiB.
// The child reports its own: the rusage a parent gets from wait4 also
// counts the parent's memory, which the child shared until exec.
func PeakRSSKB() (int64, error) {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			return strconv.ParseInt(f[1], 10, 64)
		}
	}
	return 0, errors.New("no VmHWM in /proc/self/status")
}

// child runs a fresh `vidsift scan` of RSSFiles files at default settings
// and reads its peak RSS from the kernel and its first-result time from
// its stats file: a process of its own, so nothing measured before counts.
func (rep *Report) child(ctx context.Context, o Options) error {
	files, cleanup, err := Repeat(o.Clips, o.RSSFiles)
	if err != nil {
		return err
	}
	defer cleanup()
	stats := filepath.Join(filepath.Dir(files[0]), "stats.json")
	args := append([]string{"scan", "-q", "--library", "off", "--model", o.Model, "--onnxruntime-library", o.Library, "--stats", stats}, files...)
	cmd := exec.CommandContext(ctx, o.Self, args...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("child scan: %v\n%s", err, out)
	}
	raw, err := os.ReadFile(stats)
	if err != nil {
		return err
	}
	var st ChildStats
	if err := json.Unmarshal(raw, &st); err != nil {
		return err
	}
	if st.PeakRSSKB <= 0 {
		return fmt.Errorf("the child scan reported no peak RSS")
	}
	rep.PeakRSSMB = float64(st.PeakRSSKB) / 1024
	rep.PeakRSSFiles = o.RSSFiles
	rep.FirstResultSec = st.FirstResultSec
	if st.ModelLoads != 1 {
		return fmt.Errorf("the child scan loaded the model %d times", st.ModelLoads)
	}
	return nil
}
